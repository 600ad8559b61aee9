"""Estimators of the California chapter and the clip that handles the censored target.

Every model is an ordinary scikit-learn estimator wrapped in `Clipped`: its predictions are clipped
to the range of the training targets. Why: every true value lies in that range (the census stored
every median value above $500,000 as the ceiling 5.00001), so a prediction above the ceiling is
wrong by construction and clipping it can only bring it closer; the bounds come from the fit rows.
Every model gets the same clip, so the comparison stays fair. The capped rows themselves stay in
the fit and test rows (as the published anchors keep them) and their errors are reported apart.

Input processing, inside each pipeline (statistics from the fit rows only): median imputation,
log1p of the skewed columns (`LogSkewed`), then standardization or the piecewise-linear encoding
(`NumericEncoding`). The source's MLP sees standardized raw features, as described.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, TransformerMixin, clone
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from mlplab.california import ENCODINGS
from mlplab.california.features import LogSkewed
from mlplab.errors import UserError
from mlplab.experiment.ensemble import SeedEnsemble, ensemble, input_tags_of  # noqa: F401 (re-exported)
from mlplab.preprocess import PiecewiseLinearEncoding
from mlplab.training import MLPRegressor, net_kwargs

ENCODING_LABELS = {"standard": "standardized inputs", "ple": "piecewise-linear encoding"}


def _target(y) -> np.ndarray:
    if y is None:  # else np.asarray(None, dtype=float) is a NaN scalar and the bounds are NaN
        raise ValueError("Clipped requires y to be passed, but the target y is None")
    return np.asarray(y, dtype=float)


class Clipped(RegressorMixin, BaseEstimator):
    """`estimator` with its predictions clipped to [min, max] of the targets it was fitted on."""

    def __init__(self, estimator=None):
        self.estimator = estimator

    def fit(self, X, y):
        y = _target(y)
        self.low_, self.high_ = float(y.min()), float(y.max())
        self.estimator_ = clone(self.estimator).fit(X, y)
        return self

    def fit_recording(self, X, y, eval_sets: dict):
        """Fit the inner model recording per-epoch curves on held-out rows (for the figures only): through
        its own `fit_recording` (a seed ensemble), else as a net or a pipeline ending in one."""
        from mlplab.training import fit_with_eval

        y = _target(y)
        self.low_, self.high_ = float(y.min()), float(y.max())
        inner = clone(self.estimator)
        self.estimator_ = (inner.fit_recording(X, y, eval_sets) if hasattr(inner, "fit_recording")
                           else fit_with_eval(inner, X, y, eval_sets=eval_sets))
        return self

    def history_frame(self):
        from mlplab.training import history_frame

        check_is_fitted(self, "estimator_")
        inner = self.estimator_
        return inner.history_frame() if hasattr(inner, "history_frame") else history_frame(inner)

    def predict(self, X):
        check_is_fitted(self, "estimator_")
        return np.clip(np.asarray(self.estimator_.predict(X), dtype=float), self.low_, self.high_)

    def unclipped(self, X) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        return np.asarray(self.estimator_.predict(X), dtype=float)

    @property
    def n_features_in_(self) -> int:
        """The fitted estimator's (AttributeError before fit, or when it has none)."""
        return self.estimator_.n_features_in_

    def __sklearn_tags__(self):
        return input_tags_of(super().__sklearn_tags__(), self.estimator)


class NumericEncoding(TransformerMixin, BaseEstimator):
    """`kind="standard"`: standardized columns; `kind="ple"`: the piecewise-linear encoding with
    `n_bins` quantile bins of the training rows per column (n_features × n_bins outputs in [0, 1])."""

    def __init__(self, kind: str = "standard", n_bins: int = 32):
        self.kind = kind
        self.n_bins = n_bins

    def fit(self, X, y=None):
        if self.kind not in ENCODINGS:
            raise UserError(f"parameter encoding={self.kind!r}: expected one of {', '.join(ENCODINGS)}")
        self.inner_ = (StandardScaler() if self.kind == "standard" else PiecewiseLinearEncoding(self.n_bins)).fit(X)
        self.n_features_in_ = self.inner_.n_features_in_
        return self

    def transform(self, X):
        check_is_fitted(self, "inner_")
        return self.inner_.transform(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = self.kind == "standard"  # StandardScaler ignores NaN and keeps it
        return tags


def prep(encoding: str = "standard", *, n_bins: int = 32, skew_threshold: float | None = 2.0) -> list:
    """Pipeline steps before the model: impute -> [log1p of skewed columns] -> encoding."""
    steps = [("impute", SimpleImputer(strategy="median"))]
    if skew_threshold is not None:
        steps.append(("log", LogSkewed(skew_threshold)))
    steps.append(("enc", NumericEncoding(encoding, n_bins)))
    return steps


def net(settings: dict, *, seed: int = 0) -> MLPRegressor:
    """The skorch regressor from readable settings (standardized target, predictions in $100,000)."""
    return MLPRegressor(seed=int(seed), verbose=0, **net_kwargs(settings))


def mlp_pipeline(settings: dict, *, encoding: str = "standard", n_bins: int = 32, skew_threshold: float | None = 2.0,
                 seed: int = 0) -> Pipeline:
    return Pipeline([*prep(encoding, n_bins=n_bins, skew_threshold=skew_threshold), ("net", net(settings, seed=seed))])


def source_settings(hidden, dropout: float, epochs: int, batch_size: int, lr: float = 1e-3) -> dict:
    """The source's network: Dense + ReLU blocks with BatchNormalization and Dropout, one linear output,
    Adam (layer widths were not published: they are parameters)."""
    return {"hidden": [int(h) for h in hidden], "activation": "relu", "batch_norm": True, "dropout": float(dropout),
            "optimizer": "adam", "lr": float(lr), "epochs": int(epochs), "batch_size": int(batch_size)}


def source_pipeline(settings: dict, *, seed: int = 0) -> Pipeline:
    """The source's MLP on standardized raw features (no log transform, no encoding)."""
    return mlp_pipeline(settings, encoding="standard", skew_threshold=None, seed=seed)


def mean_model() -> DummyRegressor:
    return DummyRegressor(strategy="mean")


def linear_model(skew_threshold: float | None = 2.0) -> Pipeline:
    """Least squares on the same processed inputs as the tuned MLP (standardized, skewed columns logged)."""
    return Pipeline([*prep("standard", skew_threshold=skew_threshold), ("net", LinearRegression())])


def hgb_model(*, seed: int = 0, **params) -> HistGradientBoostingRegressor:
    """HGB on the raw features (trees do not care about monotone transforms; NaN handled natively).
    Its own early stopping is off: the number of iterations is what the search sets."""
    return HistGradientBoostingRegressor(random_state=int(seed), early_stopping=False, **params)


def clipped(estimator) -> Clipped:
    return Clipped(estimator)

