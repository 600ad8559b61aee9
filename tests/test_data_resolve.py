"""Resolution order without a path: data dir (by preferred name, then by header) -> kagglehub -> embedded."""

from __future__ import annotations

import shutil
import sys
import types

import pandas as pd
import pytest

from mlplab.data import load_maintenance, load_nyse, synth_maintenance
from mlplab.data import resolve


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
    assert len(ld.frame) == 7048


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
    pd.testing.assert_frame_equal(again.frame, ld.frame)


def test_maintenance_order(data_dir, maintenance_sample):
    uci = synth_maintenance(rows=300, seed=1).rename(columns={"Target": "Machine failure"}).drop(columns="Failure Type")
    for flag in ("TWF", "HDF", "PWF", "OSF", "RNF"):
        uci[flag] = 0
    uci.to_csv(data_dir / "ai4i2020.csv", index=False)
    assert load_maintenance().provenance.path.endswith("ai4i2020.csv")
    shutil.copy(maintenance_sample, data_dir / "predictive_maintenance.csv")
    ld = load_maintenance()
    assert ld.provenance.path.endswith("predictive_maintenance.csv") and len(ld.frame) == 10_000


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
    hub = tmp_path / "hub" / "versions" / "1"
    hub.mkdir(parents=True)
    shutil.copy(maintenance_sample, hub / "predictive_maintenance.csv")
    calls = []
    _fake_kagglehub(monkeypatch, lambda handle: calls.append(handle) or str(tmp_path / "hub"))
    monkeypatch.setattr(resolve.socket, "create_connection", lambda *a, **k: _Conn())
    ld = load_maintenance()
    assert calls == ["shivamb/machine-predictive-maintenance-classification"]
    assert ld.provenance.source == "kagglehub" and len(ld.frame) == 10_000


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
