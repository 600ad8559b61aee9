"""The forecasting task and its models. Every model reads windows X (n, window, features) of standardized,
gap-filled inputs and forecasts y (n, horizons × features): all series at every horizon, horizon-major
(the first block of `features` columns is the 1-hour forecast). Targets may be NaN (not measured).

- `Forecast` (the task): R² per feature and horizon and its means, RMSE per feature in the series' own
  unit, on the measured targets only;
- `Persistence` (last hour), `SeasonalNaive` (same hour the day before: input hour window−24+h);
- `MaskedRidge`: linear autoregression on the flattened window, one ridge fit per output column on the
  rows where that target was measured;
- `net(settings)`: the recurrent forecaster (mlplab.models.sequence) from readable settings.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import Ridge
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from mlplab.experiment.tasks import Task

NET_KEYS = ("cell", "hidden", "bidirectional", "centring", "skip", "dropout", "lr", "epochs", "batch_size", "weight_decay",
            "optimizer", "lr_schedule")


def horizon_key(h: int) -> str:
    return f"{int(h)}h"


def scores(y_true: np.ndarray, y_pred: np.ndarray, features, horizons, scale) -> dict:
    """{"r2_mean", "r2_<h>h", "r2": {h: {feature: R²}}, "rmse": {h: {feature: RMSE in units}}, "n": {h: {feature}}}
    on the finite targets; R² is invariant to the standardization, RMSE is multiplied back by `scale`."""
    f = len(features)
    out: dict = {"r2": {}, "rmse": {}, "n": {}}
    means = []
    for k, h in enumerate(horizons):
        r2, rmse, n = {}, {}, {}
        for j, name in enumerate(features):
            y, p = y_true[:, k * f + j], y_pred[:, k * f + j]
            m = np.isfinite(y)
            yy, pp = y[m].astype(float), p[m].astype(float)
            sst = float(((yy - yy.mean()) ** 2).sum()) if m.any() else 0.0
            sse = float(((yy - pp) ** 2).sum())
            r2[name] = 1 - sse / sst if sst > 0 else float("nan")
            rmse[name] = float(np.sqrt(sse / max(1, m.sum())) * scale[j])
            n[name] = int(m.sum())
        key = str(int(h))
        out["r2"][key], out["rmse"][key], out["n"][key] = r2, rmse, n
        out[f"r2_{horizon_key(h)}"] = float(np.nanmean(list(r2.values())))
        means.append(out[f"r2_{horizon_key(h)}"])
    out["r2_mean"] = float(np.mean(means))
    return out


class Forecast(Task):
    """Scores a fitted forecaster on one period's windows (`part.X`, `part.y`); headline: mean R²."""

    kind = "forecasting"
    headline = "r2_mean"
    higher_is_better = True

    def __init__(self, features, horizons, scale):
        self.features = tuple(features)
        self.horizons = tuple(int(h) for h in horizons)
        self.scale = np.asarray(scale, dtype=float)
        self.metrics = ("r2_mean", *(f"r2_{horizon_key(h)}" for h in self.horizons))

    def score(self, model, part) -> dict:
        return scores(part.y, np.asarray(model.predict(part.X)), self.features, self.horizons, self.scale)

    def detail(self, model, part) -> dict:
        units = np.tile(self.scale, len(self.horizons))
        return {"y_true": np.asarray(part.y, dtype=float) * units, "y_pred": np.asarray(model.predict(part.X)) * units,
                "origins": getattr(part, "origins", None)}


class _WindowRule(RegressorMixin, BaseEstimator):
    """A forecast read off the window (no fitting)."""

    def __init__(self, horizons=(1, 6, 24)):
        self.horizons = horizons

    def fit(self, X, y=None):
        self.window_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        check_is_fitted(self, "window_")
        X = np.asarray(X)
        return np.concatenate([X[:, self._step(int(h)), :] for h in self.horizons], axis=1)


class Persistence(_WindowRule):
    def _step(self, h: int) -> int:
        return -1


class SeasonalNaive(_WindowRule):
    """The same hour the day before the target hour: input step window−1+h−24 (needs window ≥ 24, h ≤ 24)."""

    def _step(self, h: int) -> int:
        check_is_fitted(self, "window_")
        step = self.window_ - 1 + h - 24
        if not 0 <= step < self.window_:
            raise ValueError(f"horizon {h} h with a {self.window_}-hour window: the same hour yesterday is not in it")
        return step


class MaskedRidge(RegressorMixin, BaseEstimator):
    """Ridge regression of each output column on the flattened window, fitted on that column's measured rows."""

    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha

    def fit(self, X, y):
        A = np.asarray(X, dtype=float)
        A = A.reshape(len(A), -1)
        y = np.asarray(y, dtype=float)
        observed = np.isfinite(y)
        groups: dict[bytes, list[int]] = {}  # columns measured on the same rows share one multi-output fit
        for c in range(y.shape[1]):
            groups.setdefault(np.packbits(observed[:, c]).tobytes(), []).append(c)
        self.models_ = []
        with threadpool_limits(1):  # small solves: BLAS threads only spin against the other workers
            for cols in groups.values():
                m = observed[:, cols[0]]
                self.models_.append((cols, Ridge(alpha=float(self.alpha)).fit(A[m], y[np.ix_(m, cols)])))
        self.n_outputs_ = y.shape[1]
        return self

    def predict(self, X):
        check_is_fitted(self, "models_")
        A = np.asarray(X, dtype=float)
        A = A.reshape(len(A), -1)
        out = np.empty((len(A), self.n_outputs_))
        for cols, model in self.models_:
            out[:, cols] = model.predict(A).reshape(len(A), -1)
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output, tags.target_tags.single_output = True, False  # y is (n, outputs)
        return tags


def net_settings(*, cell="lstm", hidden=(64,), bidirectional=False, centring="none", skip=False, dropout=0.2, lr=1e-3, epochs=30,
                 batch_size=128, weight_decay=0.0, optimizer="adam", lr_schedule="") -> dict:
    return {"cell": cell, "hidden": [int(h) for h in hidden], "bidirectional": bool(bidirectional), "centring": centring,
            "skip": bool(skip),
            "dropout": float(dropout), "lr": float(lr), "epochs": int(epochs), "batch_size": int(batch_size),
            "weight_decay": float(weight_decay), "optimizer": optimizer, "lr_schedule": lr_schedule}


def net(settings: dict, *, seed: int = 0):
    """The recurrent forecaster (skorch SequenceRegressor) from readable settings."""
    from mlplab.models.sequence import RecurrentForecaster, SequenceRegressor
    from mlplab.training import net_kwargs

    unknown = sorted(set(settings) - set(NET_KEYS))
    if unknown:
        raise ValueError(f"unknown forecaster setting(s) {unknown}; expected from {', '.join(NET_KEYS)}")
    s = dict(settings)
    module = {f"module__{k}": s.pop(k) for k in ("cell", "bidirectional", "centring", "skip") if k in s}
    return SequenceRegressor(module=RecurrentForecaster, seed=int(seed), verbose=0, train_metric_rows=0,
                             **net_kwargs(s), **module)


def ensemble_net(settings: dict, *, seed: int = 0, size: int = 1):
    """`size` networks of `settings` seeded seed, seed + 1000, ... whose forecasts are averaged (1: one network)."""
    from mlplab.experiment.ensemble import ensemble

    return ensemble(net(settings, seed=seed), size=size, seed=seed, seed_param="seed")


def describe(settings: dict) -> str:
    """'LSTM 64, centred on the last hour, dropout 0.2, lr 0.001, 30 epochs' (tables and prose)."""
    kind = settings.get("cell", "lstm").upper()
    widths = "×".join(str(h) for h in settings.get("hidden", [64]))
    parts = [f"{'bidirectional ' if settings.get('bidirectional') else ''}{kind} {widths}"]
    centring = settings.get("centring", "none")
    if centring != "none":
        parts.append("centred on the " + ("last hour" if centring == "last" else "window mean"))
    if settings.get("skip"):
        parts.append("linear skip")
    parts.append(f"dropout {settings.get('dropout', 0):g}")
    parts.append(f"learning rate {settings.get('lr', 1e-3):g}")
    if settings.get("weight_decay"):
        parts.append(f"weight decay {settings['weight_decay']:g}")
    parts.append(f"{settings.get('epochs')} epochs")
    return ", ".join(parts)
