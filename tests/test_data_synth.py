"""Embedded generators: schema, size, invariants, determinism, and the UCI failure rules row by row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlplab.data import FAILURE_TYPES, synth_maintenance, synth_nyse
from mlplab.data.calendar import trading_days
from mlplab.data.maintenance_generator import KAGGLE_COLUMNS, failure_modes

PRICE_COLUMNS = ["date", "symbol", "open", "close", "low", "high", "volume"]
# Class counts of the full real file (DATA.md), the generator's calibration target.
REAL_COUNTS = {"No Failure": 9652, "Heat Dissipation Failure": 112, "Power Failure": 95,
               "Overstrain Failure": 78, "Tool Wear Failure": 45, "Random Failures": 18}


def test_calendar_is_the_real_one(nyse_sample):
    real = pd.DatetimeIndex(sorted(pd.to_datetime(pd.read_csv(nyse_sample, usecols=["date"])["date"]).unique()))
    # the sample covers 2014-01-02 .. 2016-12-30: the calendar matches it day for day there
    assert trading_days("2014-01-02", "2016-12-30").equals(real.astype("datetime64[ns]"))
    # facts of the full file (DATA.md): 1,762 trading days 2010-01-04 .. 2016-12-30, Sandy closed two days
    days = trading_days()
    assert len(days) == 1762 and (days[0], days[-1]) == (pd.Timestamp("2010-01-04"), pd.Timestamp("2016-12-30"))
    assert pd.Timestamp("2012-10-29") not in days and pd.Timestamp("2012-10-30") not in days
    assert pd.Timestamp("2012-10-26") in days and pd.Timestamp("2012-10-31") in days


def test_nyse_small_schema_and_invariants():
    f = synth_nyse(seed=1, rows=2_000)
    assert list(f.columns) == PRICE_COLUMNS and len(f) == 2_000
    assert f["date"].iloc[0] == "2010-01-04 00:00:00"
    assert f["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2} 00:00:00").all()
    assert 2 <= f["symbol"].nunique() <= 8  # rows=2000 -> ceil(2000 / 250) symbols, fewer days
    assert f["date"].nunique() >= 250
    o, c, lo, hi = (f[k].to_numpy() for k in ("open", "close", "low", "high"))
    assert (lo <= np.minimum(o, c)).all() and (np.maximum(o, c) <= hi).all() and (lo > 0).all()
    assert (f["volume"] > 0).all()
    assert f.sort_values(["date", "symbol"], kind="stable").index.equals(f.index)


def test_nyse_seeded():
    a, b, c = synth_nyse(seed=3, rows=1_500), synth_nyse(seed=3, rows=1_500), synth_nyse(seed=4, rows=1_500)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["close"], c["close"])


def test_nyse_full_size_realistic():
    f = synth_nyse()
    assert abs(len(f) - 851_264) / 851_264 < 0.01
    assert f["symbol"].nunique() == 501 and f["date"].nunique() == 1762
    starts = f.groupby("symbol")["date"].min()
    assert 10 <= (starts > "2010-01-04 00:00:00").sum() <= 80  # staggered listings
    o, c, lo, hi = (f[k].to_numpy() for k in ("open", "close", "low", "high"))
    assert (lo <= np.minimum(o, c)).all() and (np.maximum(o, c) <= hi).all()
    peak = f.groupby("symbol")["high"].max()
    assert (f["close"] < 200).mean() > 0.8 and (peak > 1_000).sum() >= 1  # heavy right tail
    corr = np.corrcoef(f["volume"], f["close"])[0, 1]
    assert -0.2 < corr < 0.0  # weak negative, as in the real file (~ -0.06)


def test_maintenance_schema_and_seed():
    a = synth_maintenance(rows=2_000, seed=5)
    assert tuple(a.columns) == KAGGLE_COLUMNS and len(a) == 2_000
    assert a["UDI"].tolist() == list(range(1, 2_001))
    assert set(a["Type"]) == {"L", "M", "H"} and set(a["Failure Type"]) <= set(FAILURE_TYPES)
    assert (a["Product ID"].str[0] == a["Type"]).all() and a["Product ID"].is_unique
    assert (a["Torque [Nm]"] > 0).all() and (a["Tool wear [min]"] >= 0).all()
    pd.testing.assert_frame_equal(a, synth_maintenance(rows=2_000, seed=5))
    assert not a["Torque [Nm]"].equals(synth_maintenance(rows=2_000, seed=6)["Torque [Nm]"])


@pytest.mark.parametrize("seed", [0, 1])
def test_maintenance_failure_rules_hold_row_by_row(seed):
    f = synth_maintenance(seed=seed)
    delta = f["Process temperature [K]"] - f["Air temperature [K]"]
    rpm, tq, wear = f["Rotational speed [rpm]"], f["Torque [Nm]"], f["Tool wear [min]"]
    power = tq * rpm * 2 * np.pi / 60
    hdf = (delta < 8.6) & (rpm < 1380)
    pwf = (power < 3500) | (power > 9000)
    osf = wear * tq > f["Type"].map({"L": 11_000, "M": 12_000, "H": 13_000})
    ft = f["Failure Type"]
    assert (ft[pwf] == "Power Failure").all()
    assert (ft[hdf & ~pwf] == "Heat Dissipation Failure").all()
    assert set(ft[osf & ~hdf & ~pwf]) <= {"Overstrain Failure", "Tool Wear Failure"}
    assert (f["Target"] == (ft != "No Failure")).all()  # any mode => target 1; synthetic labels never disagree
    # Modes the rules cannot see need their own mechanism: TWF only on worn tools, RNF anywhere.
    assert (wear[ft == "Tool Wear Failure"] >= 200).all()
    ruled = hdf | pwf | osf
    assert (ft[~ruled & (ft != "No Failure")].isin(["Tool Wear Failure", "Random Failures"])).all()
    pd.testing.assert_frame_equal(failure_modes(f), pd.DataFrame({"HDF": hdf, "PWF": pwf, "OSF": osf}))


def test_maintenance_class_shares_near_real():
    """Tolerance: on 100,000 rows (so sampling noise is a few percent), No Failure within 0.5 points of
    the real 96.52% and each failure class share within 25% of its real share."""
    n = 100_000
    counts = synth_maintenance(rows=n, seed=0)["Failure Type"].value_counts().to_dict()
    assert abs(counts["No Failure"] / n - REAL_COUNTS["No Failure"] / 10_000) < 0.005
    for name, real in REAL_COUNTS.items():
        share, real_share = counts.get(name, 0) / n, real / 10_000
        assert abs(share - real_share) <= 0.25 * real_share, (name, share, real_share)


def test_maintenance_tool_wear_cycles():
    wear = synth_maintenance(seed=2)["Tool wear [min]"].to_numpy()
    resets = np.flatnonzero(np.diff(wear) < 0)
    peaks = wear[resets]
    assert 90 <= len(resets) <= 150  # the real file has 120 tool cycles
    assert ((peaks >= 200) & (peaks <= 240)).all()
    assert (wear[resets + 1] == 0).all()
