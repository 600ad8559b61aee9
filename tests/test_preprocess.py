"""Splits, preprocessor and PLE: statistics come from training rows only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import TimeSeriesSplit

from mlplab.errors import UserError
from mlplab.preprocess import (PiecewiseLinearEncoding, check_labels, chronological_split, make_preprocessor,
                               random_split, stratified_split, time_series_cv)


@pytest.fixture
def prices(nyse_sample) -> pd.DataFrame:
    return pd.read_csv(nyse_sample, parse_dates=["date"])


def test_chronological_split_has_no_train_date_at_or_after_test_start(prices):
    train, test = chronological_split(prices, test_start="2015-01-01")
    assert train["date"].max() < pd.Timestamp("2015-01-01") <= test["date"].min()
    assert len(train) + len(test) == len(prices)


def test_chronological_gap_drops_days_before_test_start(prices):
    train, test = chronological_split(prices, test_start="2015-01-01", gap_days=10)
    assert train["date"].max() < pd.Timestamp("2014-12-22")
    assert test["date"].min() >= pd.Timestamp("2015-01-01")
    assert len(train) + len(test) < len(prices)


def test_chronological_split_names_missing_column_and_empty_side(prices):
    with pytest.raises(UserError, match="column 'day' not found"):
        chronological_split(prices, date_col="day")
    with pytest.raises(UserError, match="empty test set"):
        chronological_split(prices, test_start="2030-01-01")


def test_random_split_mixes_periods_unlike_chronological(prices):
    train, test = random_split(prices, test_size=0.2, seed=0)
    assert len(test) == pytest.approx(0.2 * len(prices), abs=1)
    assert train["date"].max() > test["date"].min()  # the lab's protocol trains on the future


def test_stratified_split_keeps_class_shares(maintenance_sample):
    df = pd.read_csv(maintenance_sample)
    y = df["Failure Type"]
    X_train, X_test, y_train, y_test = stratified_split(df.drop(columns=["Failure Type"]), y, 0.2, seed=0)
    counts = y.value_counts()
    for part, share in ((y_train, 0.8), (y_test, 0.2)):
        got = part.value_counts().reindex(counts.index)
        # stratified: every class within one row of its exact share (392 rows, 18 random failures)
        assert (np.abs(got.to_numpy() - share * counts.to_numpy()) <= 1).all(), got
    assert set(y_test) == set(y)  # the 18 random failures appear in the test set too


def test_check_labels_counts_and_names_the_too_small_class():
    assert check_labels(["a", "a", "b", "b", "b"]) == {"b": 3, "a": 2}
    with pytest.raises(UserError, match=r"label 'failure_type': class 'rare' has 1 row"):
        check_labels(["a", "a", "rare"])
    with pytest.raises(UserError, match="class 'b' has 2 row"):
        check_labels(["a"] * 5 + ["b"] * 2, min_per_class=3)


def test_time_series_cv_folds_respect_time_order_and_gap():
    cv = time_series_cv(n_splits=3, gap=2)
    assert isinstance(cv, TimeSeriesSplit)
    for tr, te in cv.split(np.arange(20)):
        assert tr.max() + 2 < te.min()


def test_preprocessor_statistics_come_from_train_only():
    rng = np.random.default_rng(0)
    train = pd.DataFrame({"x": rng.normal(10, 1, 50), "t": rng.choice(["L", "M"], 50)})
    test = pd.DataFrame({"x": rng.normal(1000, 1, 20), "t": ["H"] * 20})
    prep = make_preprocessor(["x"], ["t"]).fit(train)
    scaler = prep.named_transformers_["num"]
    assert scaler.mean_[0] == pytest.approx(train["x"].mean())
    out = prep.transform(test)
    assert out.shape == (20, 3)  # x + one-hot L, M; the unseen 'H' is all zeros, not a new column
    assert (out[:, 0] > 100).all() and (out[:, 1:] == 0).all()


def test_preprocessor_ordinal_and_errors():
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "t": ["L", "M", "H"]})
    out = make_preprocessor(["x"], ["t"], scale=False, encoding="ordinal").fit_transform(df)
    np.testing.assert_array_equal(out, [[1, 1], [2, 2], [3, 0]])
    with pytest.raises(UserError, match="encoding must be one of"):
        make_preprocessor(["x"], encoding="target")


def test_ple_shapes_range_monotone_and_train_edges():
    rng = np.random.default_rng(0)
    train = pd.DataFrame({"a": rng.exponential(size=200), "b": rng.integers(0, 3, 200).astype(float)})
    ple = PiecewiseLinearEncoding(n_bins=8).fit(train)
    grid = pd.DataFrame({"a": np.linspace(-1, 10, 300), "b": np.linspace(-1, 4, 300)})
    out = ple.transform(grid)
    assert out.shape == (300, 16)
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert (np.diff(out, axis=0) >= 0).all()  # every output is non-decreasing in its input
    np.testing.assert_allclose(ple.bin_edges_[0], np.quantile(train["a"], np.linspace(0, 1, 9)))
    names = ple.get_feature_names_out()
    assert list(names[:2]) == ["a_ple0", "a_ple1"] and names[-1] == "b_ple7"
    inside = ple.transform(pd.DataFrame({"a": [ple.bin_edges_[0][3] + 1e-12], "b": [0.0]}))
    np.testing.assert_allclose(inside[0, :3], 1.0)  # bins below the value are full
    np.testing.assert_allclose(inside[0, 4:8], 0.0)  # bins above are empty


def test_ple_rejects_bad_bins():
    with pytest.raises(UserError, match="n_bins must be an integer >= 2"):
        PiecewiseLinearEncoding(n_bins=1).fit(np.zeros((5, 1)))
