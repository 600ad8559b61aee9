"""Splits, encoders and label checks that keep the test set out of every fitted statistic.

Chronological splits for prices (a random split lets the model read tomorrow's prices), stratified
splits for the rare failure classes, and transformers that learn their statistics in `fit` only, so
they can live inside a pipeline and be refitted per CV fold.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import TimeSeriesSplit, train_test_split
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted, validate_data

from mlplab.errors import UserError

ENCODINGS = ("onehot", "ordinal")


def chronological_split(df: pd.DataFrame, date_col: str = "date", test_start="2015-01-01",
                        gap_days: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train on dates before `test_start - gap_days`, test on dates from `test_start` on.

    The gap drops the days whose targets (e.g. next-day close) would overlap the test period.
    """
    if date_col not in df.columns:
        raise UserError(f"chronological_split: column '{date_col}' not found; columns are {list(df.columns)}")
    if gap_days < 0:
        raise UserError(f"chronological_split: gap_days must be >= 0, got {gap_days}")
    dates = pd.to_datetime(df[date_col])
    start = pd.Timestamp(test_start)
    train_mask = dates < start - pd.Timedelta(days=gap_days)
    test_mask = dates >= start
    if not train_mask.any() or not test_mask.any():
        raise UserError(f"chronological_split: test_start={start.date()} (gap_days={gap_days}) leaves an empty "
                        f"{'train' if not train_mask.any() else 'test'} set; '{date_col}' spans "
                        f"{dates.min().date()} to {dates.max().date()}")
    return df.loc[train_mask.to_numpy()], df.loc[test_mask.to_numpy()]


def random_split(df: pd.DataFrame, test_size: float = 0.2, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The lab's original shuffled split; for time series it leaks the future, so it is a comparison only."""
    return train_test_split(df, test_size=test_size, random_state=seed, shuffle=True)


def check_labels(y, min_per_class: int = 2, name: str = "failure_type") -> dict:
    """Class counts; refuses classes too small to appear on both sides of a stratified split/CV."""
    counts = pd.Series(np.asarray(y)).value_counts()
    if counts.empty:
        raise UserError(f"label '{name}' is empty: no rows to split")
    small = counts[counts < min_per_class]
    if len(small):
        cls, n = small.index[0], int(small.iloc[0])
        raise UserError(f"label '{name}': class '{cls}' has {n} row(s), fewer than the {min_per_class} needed "
                        f"for a stratified split/CV; merge or drop that class")
    return {k: int(v) for k, v in counts.items()}


def stratified_split(X, y, test_size: float = 0.2, seed: int = 0):
    """Shuffled split that keeps every class's share in train and test (rare failures stay in both)."""
    check_labels(y, min_per_class=2, name=getattr(y, "name", None) or "y")
    return train_test_split(X, y, test_size=test_size, random_state=seed, shuffle=True, stratify=y)


def time_series_cv(n_splits: int = 3, gap: int = 0) -> TimeSeriesSplit:
    """Expanding-window CV; rows must already be in time order."""
    return TimeSeriesSplit(n_splits=n_splits, gap=gap)


def make_preprocessor(numeric: Sequence[str], categorical: Sequence[str] = (), scale: bool = True,
                      encoding: str = "onehot") -> ColumnTransformer:
    """Numeric columns first ('num'), then categorical ('cat'); anything else is dropped.

    The fixed order lets resample.make_pipeline locate the categorical outputs for SMOTENC.
    """
    if encoding not in ENCODINGS:
        raise UserError(f"make_preprocessor: encoding must be one of {ENCODINGS}, got '{encoding}'")
    numeric, categorical = list(numeric), list(categorical)
    if not numeric and not categorical:
        raise UserError("make_preprocessor: give at least one numeric or categorical column")
    steps = []
    if numeric:
        steps.append(("num", StandardScaler() if scale else "passthrough", numeric))
    if categorical:
        enc = (OneHotEncoder(handle_unknown="ignore", sparse_output=False) if encoding == "onehot"
               else OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1))
        steps.append(("cat", enc, categorical))
    return ColumnTransformer(steps, remainder="drop", sparse_threshold=0.0)


class PiecewiseLinearEncoding(TransformerMixin, BaseEstimator):
    """Piecewise-linear encoding of numeric features (Gorishniy et al., 2022, "On Embeddings for
    Numerical Features in Tabular Deep Learning").

    Bin edges are quantiles of the training data. Output t of a feature is 0 below bin t, 1 above
    it and linear inside it, so every output lies in [0, 1] and is non-decreasing in the input.
    Repeated quantiles (ties) give zero-width bins, encoded as a step at that value, so each
    feature always yields exactly `n_bins` columns.
    """

    def __init__(self, n_bins: int = 16):
        self.n_bins = n_bins

    def fit(self, X, y=None):
        if not isinstance(self.n_bins, (int, np.integer)) or self.n_bins < 2:
            raise UserError(f"PiecewiseLinearEncoding: n_bins must be an integer >= 2, got {self.n_bins!r}")
        X = validate_data(self, X, dtype=np.float64, reset=True)
        self.bin_edges_ = np.quantile(X, np.linspace(0.0, 1.0, self.n_bins + 1), axis=0).T  # (features, bins+1)
        return self

    def transform(self, X):
        check_is_fitted(self, "bin_edges_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        lo, hi = self.bin_edges_[:, :-1], self.bin_edges_[:, 1:]  # (features, bins)
        width = hi - lo
        x = X[:, :, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            ramp = np.clip((x - lo) / np.where(width > 0, width, 1.0), 0.0, 1.0)
        out = np.where(width > 0, ramp, (x >= hi).astype(np.float64))
        return out.reshape(X.shape[0], -1)

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "bin_edges_")
        if input_features is None:
            input_features = getattr(self, "feature_names_in_", [f"x{i}" for i in range(self.n_features_in_)])
        return np.array([f"{f}_ple{t}" for f in input_features for t in range(self.n_bins)], dtype=object)
