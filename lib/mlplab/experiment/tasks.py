"""How a fitted model is scored: the only task-specific piece the fan-out needs.

A task turns (fitted model, part of a split) into a flat dict of metrics, and on the split whose
details are kept, into predictions for the figures. Labs whose scoring differs (NYSE prices are
scored in dollars after predicting a return; an LSTM scores several horizons) pass a subclass or
their own object with the same three members.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from mlplab.metrics import CLASSIFICATION_METRICS, REGRESSION_METRICS, classification_metrics, regression_metrics


class Task:
    kind = "task"
    metrics: tuple[str, ...] = ()
    headline = ""
    higher_is_better = True

    def fit(self, model, part) -> None:
        model.fit(part.X, part.y)

    def score(self, model, part) -> dict:  # pragma: no cover - interface
        raise NotImplementedError

    def detail(self, model, part) -> dict:
        return {}


class Regression(Task):
    """Regression metrics (rmse, mae, r2, mape, mse). `units(part, prediction)` -> (truth, prediction)
    maps a model's output to the units the report scores in (e.g. a return to a price in dollars)."""

    kind = "regression"
    metrics = REGRESSION_METRICS
    headline = "rmse"
    higher_is_better = False

    def __init__(self, units: Callable | None = None, headline: str = "rmse"):
        if headline not in REGRESSION_METRICS:
            raise ValueError(f"headline must be one of {REGRESSION_METRICS}, got {headline!r}")
        self.units = units
        self.headline = headline
        self.higher_is_better = headline == "r2"

    def _pair(self, model, part):
        pred = np.asarray(model.predict(part.X), dtype=float).ravel()
        if self.units is None:
            return np.asarray(part.y, dtype=float).ravel(), pred
        return self.units(part, pred)

    def score(self, model, part) -> dict:
        return regression_metrics(*self._pair(model, part))

    def detail(self, model, part) -> dict:
        truth, pred = self._pair(model, part)
        return {"y_true": truth, "y_pred": pred}


class Classification(Task):
    """Accuracy, balanced accuracy, macro- and weighted-F1, per-class scores and the confusion matrix,
    over a fixed class order (`labels`) so every split's tables line up."""

    kind = "classification"
    metrics = CLASSIFICATION_METRICS
    headline = "macro_f1"
    higher_is_better = True

    def __init__(self, labels: Sequence | None = None, headline: str = "macro_f1"):
        if headline not in CLASSIFICATION_METRICS:
            raise ValueError(f"headline must be one of {CLASSIFICATION_METRICS}, got {headline!r}")
        self.labels = None if labels is None else list(labels)
        self.headline = headline

    def score(self, model, part) -> dict:
        return classification_metrics(part.y, model.predict(part.X), self.labels)

    def detail(self, model, part) -> dict:
        out = {"y_true": np.asarray(part.y), "y_pred": np.asarray(model.predict(part.X))}
        if hasattr(model, "predict_proba"):
            out["proba"] = np.asarray(model.predict_proba(part.X))
            out["classes"] = [str(c) for c in getattr(model, "classes_", self.labels or [])]
        return out
