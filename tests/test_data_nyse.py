"""NYSE loader: every accepted variant derived from the real sample, and every rejected input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from mlplab.data import load_nyse
from mlplab.errors import UserError

from conftest import ROOT

COLUMNS = ["date", "symbol", "open", "close", "low", "high", "volume"]


@pytest.fixture
def raw(nyse_sample) -> pd.DataFrame:
    return pd.read_csv(nyse_sample, dtype=str)


def _write(df: pd.DataFrame, path, sep=",", bom=False):
    text = df.to_csv(index=False, sep=sep)
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode())
    return path


def test_real_sample_canonical(nyse_sample, monkeypatch):
    monkeypatch.setenv("MLPLAB_ROOT", str(ROOT))
    ld = load_nyse(nyse_sample)
    f = ld.frame
    assert list(f.columns) == COLUMNS + ["sector"]  # securities.csv sits next to the sample
    assert f["date"].dtype == "datetime64[ns]"
    assert all(f[c].dtype == np.float64 for c in COLUMNS[2:])
    # the sample (tests/data/SOURCE.md): 4 symbols x 756 trading days 2014-01-02 .. 2016-12-30
    assert len(f) == 3024 and ld.report["n_symbols"] == 4 and ld.report["n_days"] == 756
    assert (ld.report["date_min"], ld.report["date_max"]) == ("2014-01-02", "2016-12-30")
    assert f[["date", "symbol"]].equals(f[["date", "symbol"]].sort_values(["date", "symbol"]).reset_index(drop=True))
    assert dict(f.groupby("symbol")["sector"].first()) == {
        "AAL": "Industrials", "DOW": "Materials", "EQIX": "Real Estate", "ZION": "Financials"}
    assert ld.report["layout"].startswith("prices-split-adjusted.csv")
    assert ld.report["ohlc_violations"] == 0 and ld.report["duplicates_dropped"] == 0
    p = ld.provenance
    assert (p.source, p.rows, p.synthetic) == ("file", 3024, False) and len(p.sha256) == 64
    # 4 of the published file's 501 symbols: an extract, said so in the provenance
    assert p.kind == "subset" and "4 of its 501 symbols, 3,024 of its 851,264 rows" in p.note
    # the report shows project-relative paths only; the absolute one stays internal
    assert p.to_dict()["path"] == "tests/data/prices-split-adjusted.csv"
    assert ld.report["sector_source"] == "tests/data/securities.csv"
    assert ld.file == nyse_sample.resolve()
    first = f.iloc[0]
    assert (first["symbol"], first["open"], first["volume"]) == ("AAL", 25.07, 8997900.0)


def test_provenance_path_outside_the_project_is_the_file_name(raw, tmp_path, monkeypatch):
    monkeypatch.setenv("MLPLAB_ROOT", str(ROOT))
    ld = load_nyse(_write(raw.head(20), tmp_path / "elsewhere.csv"))
    assert ld.provenance.path == "elsewhere.csv" and ld.file == (tmp_path / "elsewhere.csv").resolve()
    assert str(tmp_path) not in json.dumps(ld.provenance.to_dict())


def test_prices_csv_layout_timestamps_and_float_volume(raw, tmp_path, nyse_sample):
    v = raw.assign(date=raw["date"] + " 00:00:00", volume=raw["volume"].astype(float).map(repr))
    ld = load_nyse(_write(v, tmp_path / "prices.csv"))
    ref = load_nyse(nyse_sample).frame[COLUMNS]
    pd.testing.assert_frame_equal(ld.frame, ref)
    assert ld.report["layout"].startswith("prices.csv")
    assert "sector" not in ld.frame.columns  # no securities.csv next to it, none in the (empty) data dir


@pytest.mark.parametrize("variant", ["mdy", "mdy_time", "tab", "bom", "renamed", "shuffled"])
def test_resaved_variants_load_identically(variant, raw, tmp_path, nyse_sample):
    v, sep, bom = raw.copy(), ",", False
    if variant == "mdy":
        d = pd.to_datetime(v["date"])
        v["date"] = [f"{x.month}/{x.day}/{x.year}" for x in d]
    elif variant == "mdy_time":
        d = pd.to_datetime(v["date"])
        v["date"] = [f"{x.month}/{x.day}/{x.year} 0:00" for x in d]
    elif variant == "tab":
        sep = "\t"
    elif variant == "bom":
        bom = True
    elif variant == "renamed":
        v.columns = ["Date", "Symbol", "Open", "Close", "Low", "High", "Volume"]
    else:
        v = v.sample(frac=1.0, random_state=0)
    ld = load_nyse(_write(v, tmp_path / "copy.csv", sep=sep, bom=bom))
    pd.testing.assert_frame_equal(ld.frame, load_nyse(nyse_sample).frame[COLUMNS])


def test_securities_explicit_and_data_dir(raw, tmp_path, securities_sample, monkeypatch):
    monkeypatch.setenv("MLPLAB_ROOT", str(ROOT))
    prices = _write(raw.head(40), tmp_path / "p.csv")
    explicit = load_nyse(prices, securities=securities_sample)
    assert explicit.frame["sector"].notna().all()
    assert explicit.report["sector_source"] == "tests/data/securities.csv"  # project-relative, never absolute
    dd = tmp_path / "dd"
    dd.mkdir()
    (dd / "securities.csv").write_bytes(securities_sample.read_bytes())
    monkeypatch.setenv("MLPLAB_DATA_DIR", str(dd))
    assert load_nyse(prices).frame["sector"].notna().all()
    with pytest.raises(UserError, match=r"nope\.csv: securities file not found"):
        load_nyse(prices, securities=tmp_path / "nope.csv")


def test_malformed_securities_file_next_to_prices_is_loud(raw, tmp_path):
    """A securities.csv the loader would join must not be skipped silently when it lacks the sector."""
    prices = _write(raw.head(12), tmp_path / "p.csv")
    (tmp_path / "securities.csv").write_text("Ticker symbol,Security\nAAL,American Airlines\n")
    with pytest.raises(UserError, match=r"securities\.csv: missing required column\(s\) gics_sector"):
        load_nyse(prices)


def test_unknown_symbol_gets_nan_sector(raw, tmp_path, securities_sample):
    v = raw.head(8).copy()
    v.loc[0, "symbol"] = "ZZZZ"
    ld = load_nyse(_write(v, tmp_path / "p.csv"), securities=securities_sample)
    assert ld.frame.loc[ld.frame["symbol"] == "ZZZZ", "sector"].isna().all()
    assert ld.report["symbols_without_sector"] == 1
    assert any("1 symbols have no sector" in w for w in ld.report["warnings"])


def test_duplicates_dropped_and_reported(raw, tmp_path):
    v = pd.concat([raw.head(100), raw.head(5)])
    conflict = raw.head(1).assign(close="999")
    v = pd.concat([v, conflict])
    ld = load_nyse(_write(v, tmp_path / "d.csv"))
    assert len(ld.frame) == 100
    assert ld.report["duplicates_dropped"] == 5 and ld.report["duplicate_keys_dropped"] == 1
    assert ld.frame.iloc[0]["close"] == float(raw.iloc[0]["close"])  # first occurrence kept
    assert "5 duplicate rows dropped" in ld.report["warnings"]


def test_ohlc_violations_counted_not_fatal(raw, tmp_path):
    v = raw.head(50).copy()
    f = v[["open", "close", "low", "high"]].astype(float)
    v.loc[3, "low"] = str(float(f.loc[3, "high"] + 1))  # low above high
    v.loc[7, "high"] = str(float(min(f.loc[7, "open"], f.loc[7, "close"]) * 0.5))  # high below the body
    v.loc[9, "low"] = str(float(min(f.loc[9, "open"], f.loc[9, "close"]) * (1 + 1e-9)))  # float noise: tolerated
    ld = load_nyse(_write(v, tmp_path / "o.csv"))
    assert ld.report["ohlc_violations"] == 2
    assert "2 rows break low <= min(open, close) <= max(open, close) <= high (kept)" in ld.report["warnings"]
    assert len(ld.frame) == 50


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(UserError, match=r"missing\.csv: file not found"):
        load_nyse(tmp_path / "missing.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(UserError, match=r"empty\.csv: file is empty"):
        load_nyse(empty)
    head = tmp_path / "head.csv"
    head.write_text(",".join(COLUMNS) + "\n")
    with pytest.raises(UserError, match=r"head\.csv: has a header but no data rows"):
        load_nyse(head)


def test_missing_columns_are_all_named(raw, tmp_path):
    p = _write(raw.drop(columns=["open", "volume"]).head(5), tmp_path / "m.csv")
    with pytest.raises(UserError) as e:
        load_nyse(p)
    msg = str(e.value)
    assert "m.csv" in msg and "missing required column(s) open, volume" in msg


def test_non_numeric_names_column_and_row(raw, tmp_path):
    v = raw.head(10).copy()
    v.loc[6, "close"] = "n/a"
    with pytest.raises(UserError, match=r"b\.csv: column 'close' has non-numeric value 'n/a' at data row 7 \(line 8\)"):
        load_nyse(_write(v, tmp_path / "b.csv"))


def test_empty_cell_is_an_error(raw, tmp_path):
    v = raw.head(10).copy()
    v.loc[2, "volume"] = ""
    with pytest.raises(UserError, match=r"column 'volume' has an empty value at data row 3"):
        load_nyse(_write(v, tmp_path / "e.csv"))


@pytest.mark.parametrize("col", ["volume", "low", "open"])
def test_negative_values_rejected(col, raw, tmp_path):
    v = raw.head(10).copy()
    v.loc[4, col] = "-" + v.loc[4, col]
    with pytest.raises(UserError, match=rf"n\.csv: column '{col}' has negative value .* at data row 5"):
        load_nyse(_write(v, tmp_path / "n.csv"))


def test_bad_dates(raw, tmp_path):
    v = raw.head(10).copy()
    v.loc[5, "date"] = "2010-13-45"
    with pytest.raises(UserError, match=r"column 'date' has unparsable date '2010-13-45' at data row 6"):
        load_nyse(_write(v, tmp_path / "d.csv"))
    v.loc[0, "date"] = "Jan 4 2010"
    with pytest.raises(UserError, match=r"unrecognised date 'Jan 4 2010'"):
        load_nyse(_write(v, tmp_path / "d2.csv"))


def test_securities_file_passed_as_prices(securities_sample):
    with pytest.raises(UserError, match="looks like securities.csv"):
        load_nyse(securities_sample)
