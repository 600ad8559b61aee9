"""Estimators of the wildfire chapter.

- `SigmoidMLPClassifier`: the source's output layer, one logit with a sigmoid, trained with
  BCEWithLogitsLoss (class weights become its `pos_weight`); predict_proba returns [1 − p, p].
- `ThresholdRule`: one feature and one cut, both chosen on the fit rows (macro-F1), the no-model
  baseline "fire when FFMC ≥ t".
- `DayThresholds`: the decision threshold of any probabilistic model, tuned (mlplab's
  `tune_offsets`, macro-F1) on out-of-fold probabilities of the fit rows whose folds keep each
  day's rows together, then the model refitted on all fit rows.
Every model sees its feature set through one ColumnTransformer (standardized columns; the `date`
and `region` columns are dropped), fitted on the fit rows.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from mlplab.errors import UserError
from mlplab.experiment.thresholds import ThresholdTuned, tune_offsets
from mlplab.training import MLPClassifier, accuracy_macro_f1, net_kwargs
from mlplab.wildfire.features import FEATURE_SETS

POSITIVE = 1  # the label of a fire day (0: not fire), as in the source
CLASS_NAMES = {0: "not fire", 1: "fire"}


class SigmoidMLPClassifier(MLPClassifier):
    """Binary MLP with a single output logit z, p(classes_[1]) = sigmoid(z), trained on BCEWithLogitsLoss.

    With the labels of this chapter (0 = not fire, 1 = fire, as in the source) the output is the
    probability of fire. `class_weight` enters BCE as `pos_weight` = weight of classes_[1] / weight of
    classes_[0]; predict_proba returns [1 − p, p] in the order of `classes_`."""

    _metric_names = ("accuracy", "macro_f1")

    def __init__(self, criterion=torch.nn.BCEWithLogitsLoss, **kwargs):
        super().__init__(criterion=criterion, **kwargs)

    def _d_out(self) -> int:
        return 1

    def _target_codes(self, y, fit: bool) -> np.ndarray:
        codes = super()._target_codes(y, fit)
        if fit and len(self.classes_) != 2:
            raise ValueError("Only binary classification is supported: a sigmoid output needs exactly 2 classes, "
                             f"got {self.classes_.tolist()}")
        return codes

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def initialize_criterion(self):
        kwargs = self.get_params_for("criterion")
        w = np.asarray(self.class_weight_, dtype=np.float64)
        kwargs.setdefault("pos_weight", torch.tensor([w[1] / w[0]], dtype=torch.float32))
        self.criterion_ = self.initialized_instance(self.criterion, kwargs)
        return self

    def _target_tensor(self, codes: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.asarray(codes, dtype=np.float32)).reshape(-1, 1)

    def _split_rows(self, codes: np.ndarray):
        return super()._split_rows(np.asarray(codes).ravel().astype(np.int64))

    def _metrics(self, out: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        return accuracy_macro_f1(y.ravel().long(), (out.ravel() > 0).long(), 2)

    def predict_proba(self, X) -> np.ndarray:
        p = torch.sigmoid(torch.from_numpy(self._forward_numpy(X)).ravel()).numpy().astype(np.float64)
        return np.column_stack([1.0 - p, p])

    def predict(self, X) -> np.ndarray:
        return self.classes_[(self._forward_numpy(X).ravel() > 0).astype(int)]


class ThresholdRule(ClassifierMixin, BaseEstimator):
    """'fire' when one feature is above (or below) one cut; the feature, the side and the cut maximize
    macro-F1 on the fit rows. Every candidate cut of every feature is scored at once (no row loop)."""

    def __init__(self, features=("ffmc", "dmc", "dc", "isi", "bui", "fwi"), positive=POSITIVE):
        self.features = features
        self.positive = positive

    def fit(self, X, y):
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        if self.positive not in self.classes_ or len(self.classes_) != 2:
            raise UserError(f"ThresholdRule: expected two classes including {self.positive!r}, got {self.classes_.tolist()}")
        pos = y == self.positive
        best = (-1.0, None, None, None)
        for col in self.features:
            x = np.asarray(X[col], dtype=float)
            values = np.unique(x)
            cuts = (values[:-1] + values[1:]) / 2 if len(values) > 1 else values
            above = x[:, None] >= cuts[None, :]                          # rows × cuts
            for side, pred in ((">=", above), ("<", ~above)):
                f1 = _macro_f1_columns(pred, pos)
                j = int(np.argmax(f1))
                if f1[j] > best[0] + 1e-12:
                    best = (float(f1[j]), col, side, float(cuts[j]))
        self.fit_macro_f1_, self.feature_, self.side_, self.cut_ = best
        return self

    def predict(self, X):
        check_is_fitted(self, "cut_")
        x = np.asarray(X[self.feature_], dtype=float)
        hit = x >= self.cut_ if self.side_ == ">=" else x < self.cut_
        other = self.classes_[self.classes_ != self.positive][0]
        return np.where(hit, self.positive, other)

    def describe(self) -> dict:
        check_is_fitted(self, "cut_")
        return {"feature": self.feature_, "side": self.side_, "cut": self.cut_}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags


def _macro_f1_columns(pred: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Macro-F1 (fire and not fire) of every column of a rows × candidates boolean prediction."""
    p = pos[:, None]
    tp = (pred & p).sum(0)
    fp = (pred & ~p).sum(0)
    fn = (~pred & p).sum(0)
    tn = (~pred & ~p).sum(0)
    f1_pos = np.where(2 * tp + fp + fn > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)
    f1_neg = np.where(2 * tn + fn + fp > 0, 2 * tn / np.maximum(2 * tn + fn + fp, 1), 0.0)
    return (f1_pos + f1_neg) / 2


def day_folds(X, y, n_folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds of the rows that keep each day's rows together (StratifiedGroupKFold on X['date'])."""
    days = np.asarray(X["date"])
    k = int(min(n_folds, len(np.unique(days))))
    if k < 2:
        raise UserError(f"day-grouped folds need at least 2 days, got {len(np.unique(days))}")
    return list(StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed).split(X, np.asarray(y), days))


class DayThresholds(ThresholdTuned):
    """A probabilistic classifier whose decision threshold (mlplab.experiment.thresholds.tune_offsets)
    comes from out-of-fold probabilities of day-grouped folds of the rows it is fitted on; the model
    is then refitted on all of them. Prediction is ThresholdTuned's (the offsets on the log-probabilities);
    `fits_before_final(y)` tells the tracking how many fits come first."""

    def __init__(self, estimator=None, folds: int = 3, seed: int = 0):
        self.estimator = estimator
        self.folds = folds
        self.seed = seed

    def fit(self, X, y):
        return self._fit(X, y, None)

    def fit_recording(self, X, y, eval_sets: dict):
        """The same fit, the final net recording per-epoch curves on held-out rows (for the figures only)."""
        return self._fit(X, y, eval_sets)

    def history_frame(self):
        from mlplab.training import history_frame

        check_is_fitted(self, "estimator_")
        return history_frame(self.estimator_)

    def _fit(self, X, y, eval_sets):
        if self.estimator is None:
            raise UserError("DayThresholds: give the classifier to wrap (estimator=...)")
        y = np.asarray(y)
        folds = day_folds(X, y, self.folds, self.seed)
        proba = cross_val_predict(self.estimator, X, y, cv=folds, method="predict_proba")
        if eval_sets:
            from mlplab.training import fit_with_eval

            self.estimator_ = fit_with_eval(clone(self.estimator), X, y, eval_sets=eval_sets)
        else:
            self.estimator_ = clone(self.estimator).fit(X, y)
        self.classes_ = np.asarray(self.estimator_.classes_)
        self.offsets_ = tune_offsets(proba, np.searchsorted(self.classes_, y))
        return self

    def fits_before_final(self, y=None) -> int:
        return int(self.folds)

    def threshold(self) -> float:
        """The probability of 'fire' above which a row is called fire (0.5 when the offsets are equal)."""
        check_is_fitted(self, "offsets_")
        i = list(self.classes_).index(POSITIVE)
        d = self.offsets_[1 - i] - self.offsets_[i]   # fire when log p - log(1 - p) > d
        return float(1 / (1 + np.exp(-d)))


# ---- builders ------------------------------------------------------------------------------------------

def columns(features: str) -> list[str]:
    if features not in FEATURE_SETS:
        raise UserError(f"feature set {features!r}: expected one of {', '.join(FEATURE_SETS)}")
    return list(FEATURE_SETS[features])


def prep(features: str) -> ColumnTransformer:
    """The feature set's columns, standardized with the fit rows' statistics; every other column dropped."""
    return ColumnTransformer([("num", StandardScaler(), columns(features))], remainder="drop", sparse_threshold=0.0)


def net(settings: dict, *, seed: int = 0) -> SigmoidMLPClassifier:
    return SigmoidMLPClassifier(seed=int(seed), verbose=0, **net_kwargs(settings))


def mlp_pipeline(settings: dict, features: str, *, seed: int = 0) -> Pipeline:
    return Pipeline([("prep", prep(features)), ("net", net(settings, seed=seed))])


def source_settings(hidden, dropout: float, epochs: int, batch_size: int, lr: float) -> dict:
    """The source's network: Dense + ReLU blocks with BatchNormalization and Dropout, one sigmoid output,
    Adam (layer widths not published: they are parameters)."""
    return {"hidden": [int(h) for h in hidden], "activation": "relu", "batch_norm": True, "dropout": float(dropout),
            "optimizer": "adam", "lr": float(lr), "epochs": int(epochs), "batch_size": int(batch_size)}


BASELINES = ("majority", "logreg", "hgb")


def baseline(name: str, features: str, *, seed: int = 0, **params) -> Pipeline:
    if name == "majority":
        model = DummyClassifier(strategy="most_frequent")
    elif name == "logreg":
        model = LogisticRegression(max_iter=2000, **params)
    elif name == "hgb":
        model = HistGradientBoostingClassifier(random_state=int(seed), early_stopping=False, **params)
    else:
        raise UserError(f"unknown baseline {name!r}: expected one of {', '.join(BASELINES)}")
    return Pipeline([("prep", prep(features)), ("net", model)])


def rule(features: str) -> ThresholdRule:
    """The one-feature threshold: over the FWI indices, or over the weather columns for the weather set."""
    from mlplab.data.wildfire import FWI, WEATHER

    return ThresholdRule(features=tuple(FWI) if features == "weather+fwi" else tuple(WEATHER))


def with_thresholds(estimator, *, folds: int, seed: int) -> DayThresholds:
    return DayThresholds(estimator, folds=folds, seed=seed)
