"""Resolution order without a path: data dir (by preferred name, then by header) -> kagglehub -> embedded.

A candidate file that fails validation is loud (UserError naming it); the embedded default is used
only when there is no candidate at all, and says what it looked for.
"""

from __future__ import annotations

import shutil
import sys
import types

import pandas as pd
import pytest

from mlplab.data import load_maintenance, load_nyse, resolve_source, synth_maintenance
from mlplab.data import resolve
from mlplab.errors import UserError


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    d = tmp_path / "raw"
    d.mkdir()
    monkeypatch.setenv("MLPLAB_DATA_DIR", str(d))
    monkeypatch.setenv("MLPLAB_CACHE_DIR", str(tmp_path / "cache"))
    return d


def _timestamps(src, dst, n=200):
    """A prices.csv-layout file (timestamps, float volume) from the real sample."""
    raw = pd.read_csv(src, dtype=str).head(n)
    raw.assign(date=raw["date"] + " 00:00:00", volume=raw["volume"].astype(float).map(str)).to_csv(dst, index=False)
    return dst


def test_nyse_prefers_split_adjusted(data_dir, nyse_sample):
    _timestamps(nyse_sample, data_dir / "prices.csv")
    shutil.copy(nyse_sample, data_dir / "prices-split-adjusted.csv")
    ld = load_nyse()
    assert ld.provenance.source == "file" and ld.provenance.path.endswith("prices-split-adjusted.csv")
    assert len(ld.frame) == 3024  # the whole sample (tests/data/SOURCE.md)


def test_nyse_falls_back_to_prices_csv(data_dir, nyse_sample):
    _timestamps(nyse_sample, data_dir / "prices.csv")
    ld = load_nyse()
    assert ld.provenance.path.endswith("prices.csv") and len(ld.frame) == 200
    assert ld.report["layout"].startswith("prices.csv")


def test_nyse_detected_by_header_not_name(data_dir, nyse_sample, securities_sample):
    shutil.copy(securities_sample, data_dir / "securities.csv")
    shutil.copy(nyse_sample, data_dir / "my_prices_export.csv")
    ld = load_nyse()
    assert ld.provenance.path.endswith("my_prices_export.csv")
    assert ld.frame["sector"].notna().all()  # securities.csv in the data dir is joined


def test_nyse_embedded_default_cached(data_dir, tmp_path):
    ld = load_nyse()
    p = ld.provenance
    assert (p.source, p.synthetic, p.path) == ("embedded", True, "embedded:synth_nyse(seed=0)")
    assert abs(p.rows - 851_264) / 851_264 < 0.01 and ld.report["n_symbols"] == 501
    assert ld.report["warnings"][0].startswith("SYNTHETIC embedded default")
    cached = list((tmp_path / "cache").glob("nyse_embedded_v*_seed0.parquet"))
    assert len(cached) == 1 and not list((tmp_path / "cache").glob("*.tmp"))
    again = load_nyse()
    assert again.provenance.sha256 == p.sha256 and "cached in" in again.provenance.note
    # the note travels into the results and the report: the cache file by name, never its absolute path
    assert str(tmp_path) not in p.note + again.provenance.note
    assert again.provenance.note.endswith("cached in nyse_embedded_v1_seed0.parquet")
    pd.testing.assert_frame_equal(again.frame, ld.frame)


def test_maintenance_order(data_dir, maintenance_sample):
    uci = synth_maintenance(rows=300, seed=1).rename(columns={"Target": "Machine failure"}).drop(columns="Failure Type")
    for flag in ("TWF", "HDF", "PWF", "OSF", "RNF"):
        uci[flag] = 0
    uci.to_csv(data_dir / "ai4i2020.csv", index=False)
    assert load_maintenance().provenance.path.endswith("ai4i2020.csv")
    shutil.copy(maintenance_sample, data_dir / "predictive_maintenance.csv")
    ld = load_maintenance()
    assert ld.provenance.path.endswith("predictive_maintenance.csv") and len(ld.frame) == 392  # the sample


def test_maintenance_embedded_default(data_dir):
    ld = load_maintenance()
    p = ld.provenance
    assert (p.source, p.synthetic, p.rows) == ("embedded", True, 10_000)
    assert p.path == "embedded:synth_maintenance(seed=0)"
    assert p.sha256 == load_maintenance().provenance.sha256
    assert sum(ld.report["class_counts"].values()) == 10_000
    assert ld.report["label_inconsistencies"]["rows"] == []


def _fake_kagglehub(monkeypatch, download):
    module = types.ModuleType("kagglehub")
    module.dataset_download = download
    monkeypatch.setitem(sys.modules, "kagglehub", module)
    monkeypatch.delenv("MLPLAB_NO_KAGGLEHUB", raising=False)


class _Conn:
    def close(self):
        pass


def test_kagglehub_used_when_online(data_dir, tmp_path, maintenance_sample, monkeypatch):
    hub = tmp_path / "hub" / "versions" / "2"  # kagglehub returns the cached version's folder
    (hub / "data").mkdir(parents=True)
    shutil.copy(maintenance_sample, hub / "data" / "predictive_maintenance.csv")
    calls = []
    _fake_kagglehub(monkeypatch, lambda handle: calls.append(handle) or str(hub))
    monkeypatch.setattr(resolve.socket, "create_connection", lambda *a, **k: _Conn())
    ld = load_maintenance()
    assert calls == ["shivamb/machine-predictive-maintenance-classification"]
    assert ld.provenance.source == "kagglehub" and len(ld.frame) == 392
    assert ld.provenance.path == "predictive_maintenance.csv"  # outside the project: the file name only
    assert "shivamb/machine-predictive-maintenance-classification version 2" in ld.provenance.note
    src = resolve_source("maintenance")
    assert (src.kind, src.path, src.version) == ("kagglehub", hub / "data" / "predictive_maintenance.csv",
                                                 "shivamb/machine-predictive-maintenance-classification version 2")
    assert src.fingerprint()["version"].endswith("version 2") and len(src.fingerprint()["sha256"]) == 64


def test_kagglehub_failures_fall_back_to_embedded(data_dir, monkeypatch):
    def broken(handle):
        raise RuntimeError("401 unauthorized")

    _fake_kagglehub(monkeypatch, broken)
    monkeypatch.setattr(resolve.socket, "create_connection", lambda *a, **k: _Conn())
    ld = load_maintenance()
    assert ld.provenance.source == "embedded"
    assert any("kagglehub download of" in w and "401 unauthorized" in w for w in ld.report["warnings"])

    def offline(*a, **k):
        raise OSError("no route")

    monkeypatch.setattr(resolve.socket, "create_connection", offline)
    ld = load_maintenance()
    assert ld.provenance.source == "embedded" and any("offline" in w for w in ld.report["warnings"])


# ---- loud faults: a file the loader would use never gives way to the embedded default ----------------

@pytest.mark.parametrize("load, name, text, expected", [
    (load_nyse, "prices-split-adjusted.csv", "date,symbol,open\n2010-01-04,AAL,4.84\n",
     "missing required column(s) close, low, high, volume for NYSE prices"),
    (load_nyse, "prices.csv", "", "file is empty"),
    (load_maintenance, "predictive_maintenance.csv", "UDI,Type,Torque [Nm]\n1,M,42.8\n",
     "missing required column(s) product_id, air_temperature_k"),
    (load_maintenance, "ai4i2020.csv", "UDI;Product ID;Type\n1;M1;M\n", "missing required column(s)"),
])
def test_malformed_file_under_a_preferred_name_is_an_error(data_dir, load, name, text, expected):
    (data_dir / name).write_text(text)
    with pytest.raises(UserError) as e:
        load()
    assert str(e.value).startswith(f"{data_dir / name}: ") and expected in str(e.value)


def test_bad_rows_in_a_preferred_file_are_an_error(data_dir, nyse_sample):
    lines = nyse_sample.read_text().splitlines()
    lines[2] = lines[2].replace("DOW", "")  # an empty symbol in data row 2
    (data_dir / "prices-split-adjusted.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(UserError, match=r"prices-split-adjusted\.csv: column 'symbol' is empty at data row 2"):
        load_nyse()


@pytest.mark.parametrize("load, header, expected", [
    (load_nyse, "date,symbol,open,close\n2010-01-04,AAL,4.84,4.77\n", "missing required column(s) low, high, volume"),
    (load_maintenance, "UDI,Product ID,Type,Air temperature [K],Process temperature [K],Torque [Nm]\n"
                       "1,M1,M,298.1,308.6,42.8\n", "missing required column(s) rotational_speed_rpm, tool_wear_min"),
])
def test_lookalike_header_under_another_name_is_an_error(data_dir, load, header, expected):
    (data_dir / "export.csv").write_text(header)
    with pytest.raises(UserError, match=r"export\.csv: ") as e:
        load()
    assert expected in str(e.value)


def test_a_valid_file_is_preferred_over_a_lookalike(data_dir, nyse_sample):
    (data_dir / "a_broken.csv").write_text("date,symbol,open,close\n2010-01-04,AAL,4.84,4.77\n")
    shutil.copy(nyse_sample, data_dir / "z_export.csv")
    assert load_nyse().provenance.path.endswith("z_export.csv")


def test_unrelated_csvs_do_not_count_as_candidates(data_dir, securities_sample, maintenance_sample):
    """securities.csv and the other dataset's file share at most one column with the prices."""
    shutil.copy(securities_sample, data_dir / "securities.csv")
    shutil.copy(maintenance_sample, data_dir / "predictive_maintenance.csv")
    (data_dir / "nyc_taxi.csv").write_text("timestamp,value\n2014-07-01 00:00:00,10844\n")
    assert resolve_source("nyse").kind == "embedded"
    assert resolve_source("maintenance").path == data_dir / "predictive_maintenance.csv"


def test_embedded_note_says_what_was_looked_for_where(data_dir):
    w = load_maintenance().report["warnings"][0]
    assert w.startswith("SYNTHETIC embedded default: no maintenance file found (")
    assert "no predictive_maintenance.csv or ai4i2020.csv and no other CSV with the columns udi,product_id" in w
    assert "in raw/" in w and str(data_dir) not in w  # the folder, never an absolute path in the report
    assert "kagglehub skipped (MLPLAB_NO_KAGGLEHUB is set)" in w


def test_explicit_path_bad_header_and_missing(tmp_path):
    with pytest.raises(UserError, match=r"nope\.csv: file not found"):
        resolve_source("maintenance", tmp_path / "nope.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(UserError, match=r"bad\.csv: missing required column\(s\) date, symbol"):
        resolve_source("nyse", bad)
    with pytest.raises(UserError, match="unknown dataset 'weather'"):
        resolve_source("weather")


def test_resolve_source_reads_headers_only(data_dir, nyse_sample, monkeypatch):
    """Cheap enough for every `mlplab run`: the table itself is never read."""
    shutil.copy(nyse_sample, data_dir / "mine.csv")

    def no_table(*a, **k):
        raise AssertionError("resolve_source read the table")

    monkeypatch.setattr("mlplab.data.io.read_table", no_table)
    monkeypatch.setattr("mlplab.data.nyse.read_table", no_table)
    src = resolve_source("nyse")
    assert (src.kind, src.path, src.version) == ("file", data_dir / "mine.csv", "")
    fp = src.fingerprint()
    assert fp["source"] == "file" and fp["path"] == "mine.csv"
    assert fp["sha256"] == __import__("hashlib").sha256(nyse_sample.read_bytes()).hexdigest()
    emb = resolve_source("maintenance")
    assert emb.kind == "embedded" and emb.path is None
    assert emb.fingerprint() == {"source": "embedded", "version": "synth_maintenance generator v1 seed 0"}
