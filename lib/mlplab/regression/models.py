"""Models of the NYSE part. Every model takes the price rows themselves (date, symbol, open, high,
low, close, volume) and predicts the close in dollars, whichever formulation it learns:

- `close` (the lab's): open, high, low and volume in, the close out;
- `intraday_return` (scale-free): prices relative to the open in, r = close/open - 1 out, turned
  back into a close with open * (1 + r).

`PriceModel` does that conversion, so every model is fitted and scored the same way by the
experiment core and every metric is in dollars of close. Its inner estimator is an ordinary
scikit-learn estimator (a pipeline of standardization and the skorch net for the MLPs), which is
what the search tunes on the design matrix of the fit rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from mlplab.experiment.tasks import Regression
from mlplab.metrics import REGRESSION_METRICS, regression_metrics
from mlplab.regression.features import DEFAULT_RELATIVE_INPUTS, TARGETS, input_columns, make_design, to_close

LAB_HIDDEN = (64, 32)
LAB_LR = 1e-3
LAB_EPOCHS = 50
INPUT_LABELS = {"open": "open", "high": "high", "low": "low", "volume": "volume", "high_rel": "high/open − 1",
                "low_rel": "low/open − 1", "range_rel": "(high − low)/open", "log_volume": "log(1 + volume)",
                "log_open": "log(open)"}


class PriceModel(RegressorMixin, BaseEstimator):
    """Fit `estimator` on one formulation of the price rows; predict closes in dollars."""

    def __init__(self, estimator=None, target: str = "intraday_return",
                 inputs: Sequence[str] = DEFAULT_RELATIVE_INPUTS):
        self.estimator = estimator
        self.target = target
        self.inputs = inputs

    def _design(self, X):
        if self.target not in TARGETS:
            raise ValueError(f"target must be one of {TARGETS}, got {self.target!r}")
        return make_design(X, self.target, tuple(self.inputs))

    def fit(self, X, y=None):
        d = self._design(X)
        self.estimator_ = clone(self.estimator).fit(d.X, d.y)
        self.input_columns_ = list(d.X.columns)
        return self

    def fit_recording(self, X, y, eval_sets: dict):
        """Fit the inner net recording per-epoch loss on held-out price rows (for the curves only)."""
        from mlplab.training import fit_with_eval

        d = self._design(X)
        sets = {}
        for name, (Xe, _ye) in eval_sets.items():
            de = self._design(Xe)
            sets[name] = (de.X, de.y)
        self.estimator_ = fit_with_eval(clone(self.estimator), d.X, d.y, eval_sets=sets)
        self.input_columns_ = list(d.X.columns)
        return self

    def history_frame(self):
        from mlplab.training import history_frame

        check_is_fitted(self, "estimator_")
        return history_frame(self.estimator_)

    def predict(self, X):
        check_is_fitted(self, "estimator_")
        d = self._design(X)
        return to_close(self.estimator_.predict(d.X), d.open, self.target)


class PriceTask(Regression):
    """Regression metrics of the close in dollars, plus `r2_return`: R² of the intraday return the
    prediction implies (pred/open − 1 against close/open − 1). R² of the close is near 1 for any
    sensible model (the close sits within a few percent of the open); R² of the return is not."""

    metrics = REGRESSION_METRICS + ("r2_return",)

    def score(self, model, part) -> dict:
        pred = np.asarray(model.predict(part.X), dtype=float)
        out = regression_metrics(part.y, pred)
        open_ = part.X["open"].to_numpy(dtype=float)
        actual, implied = np.asarray(part.y, dtype=float) / open_ - 1, pred / open_ - 1
        sst = float(np.sum((actual - actual.mean()) ** 2))
        out["r2_return"] = float(1 - np.sum((actual - implied) ** 2) / sst) if sst > 0 else float("nan")
        return out

    def detail(self, model, part) -> dict:
        pred = np.asarray(model.predict(part.X), dtype=float)
        return {"y_true": np.asarray(part.y, dtype=float), "y_pred": pred, "symbol": part.X["symbol"].to_numpy(),
                "open": part.X["open"].to_numpy(dtype=float)}


def naive_model() -> PriceModel:
    """close = open: a constant zero intraday return, the bar every model must clear."""
    return PriceModel(DummyRegressor(strategy="constant", constant=0.0), "intraday_return")


def ols_model(target: str = "close", inputs: Sequence[str] = DEFAULT_RELATIVE_INPUTS) -> PriceModel:
    return PriceModel(LinearRegression(), target, inputs)


def net(settings: dict, *, scale_target: bool = True, seed: int = 0):
    """The skorch regressor from readable settings (mlplab.training.net_kwargs)."""
    from mlplab.training import MLPRegressor, net_kwargs

    return MLPRegressor(scale_target=scale_target, seed=int(seed), verbose=0, **net_kwargs(settings))


def mlp_estimator(settings: dict, *, seed: int = 0) -> Pipeline:
    """Standardized inputs and target around the net (the inner estimator the search tunes)."""
    return Pipeline([("scale", StandardScaler()), ("net", net(settings, seed=seed))])


def mlp_model(settings: dict, *, target: str = "intraday_return", inputs=DEFAULT_RELATIVE_INPUTS,
              seed: int = 0) -> PriceModel:
    return PriceModel(mlp_estimator(settings, seed=seed), target, inputs)


def lab_model(*, epochs: int = LAB_EPOCHS, batch_size: int = 256, seed: int = 0) -> PriceModel:
    """The lab's network as it was: raw open/high/low/volume in, raw close out, 64→32 ReLU, Adam 1e-3."""
    settings = {"hidden": list(LAB_HIDDEN), "activation": "relu", "optimizer": "adam", "lr": LAB_LR,
                "epochs": int(epochs), "batch_size": int(batch_size)}
    return PriceModel(net(settings, scale_target=False, seed=seed), "close")


def inputs_of(target: str, inputs: Sequence[str] = DEFAULT_RELATIVE_INPUTS) -> str:
    return ", ".join(INPUT_LABELS.get(c, c) for c in input_columns(target, inputs))
