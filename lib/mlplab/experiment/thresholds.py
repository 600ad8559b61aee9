"""Decision thresholds chosen on training rows only, for any probabilistic classifier.

Why: the argmax of a probability model trained on imbalanced data is not the decision that
maximizes macro-F1 (or F1 of the positive class in a binary task); shifting each class's
log-probability by an offset moves its decision threshold. The offsets are tuned on out-of-fold
probabilities of the rows the model is fitted on (every row votes from a model that did not see
it), so the validation and test rows never choose them. Every probabilistic model of a headline
comparison gets the same wrapper (equal treatment), not only the network.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split
from sklearn.utils.validation import check_is_fitted

from mlplab.errors import UserError

GRID = np.linspace(-4, 4, 33)


def macro_f1_codes(y: np.ndarray, pred: np.ndarray, n_classes: int, present: np.ndarray) -> float:
    """Macro-F1 over the classes `present` in y (as sklearn's f1_score(labels=present, average="macro",
    zero_division=0)), from one bincount: the threshold search calls it hundreds of times."""
    cm = np.bincount(y * n_classes + pred, minlength=n_classes * n_classes).reshape(n_classes, n_classes)
    tp = np.diag(cm)[present].astype(float)
    denom = (cm.sum(axis=1)[present] + cm.sum(axis=0)[present]).astype(float)
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    return float(f1.mean()) if len(f1) else 0.0


def tune_offsets(proba: np.ndarray, y_codes: np.ndarray, grid=GRID, rounds: int = 2) -> np.ndarray:
    """Per-class additive offsets on the log-probabilities maximizing macro-F1 (coordinate ascent).

    Ties keep the offset nearest 0 (no shift), so a class with no signal keeps the argmax rule.
    For one class k at a time the decision is k where log p_k + g beats the best other class, which
    is evaluated for the whole grid with array operations."""
    logp = np.log(np.clip(np.asarray(proba, dtype=float), 1e-12, None))
    y = np.asarray(y_codes, dtype=np.int64)
    n, n_classes = logp.shape
    present = np.unique(y)
    offsets = np.zeros(n_classes)
    best = macro_f1_codes(y, (logp + offsets).argmax(1), n_classes, present)
    for _ in range(rounds):
        for k in range(n_classes):
            shifted = logp + offsets
            others = shifted.copy()
            others[:, k] = -np.inf
            other_idx = others.argmax(1)
            other_val = others[np.arange(n), other_idx]
            own = logp[:, k]
            for g in grid:
                score_k = own + g
                pred = np.where((score_k > other_val) | ((score_k == other_val) & (k < other_idx)), k, other_idx)
                s = macro_f1_codes(y, pred, n_classes, present)
                if s > best + 1e-9 or (abs(s - best) <= 1e-9 and abs(g) < abs(offsets[k])):
                    best = s
                    offsets = offsets.copy()
                    offsets[k] = g
    return offsets


class ThresholdTuned(ClassifierMixin, BaseEstimator):
    """Per-class log-probability offsets tuned for macro-F1 on rows the model did not see, then the
    model refitted on all given rows (the offsets are kept).

    `cv` >= 2: offsets from out-of-fold probabilities of a stratified `cv`-fold split of the given
    rows (cv + 1 fits); `cv` = 0: from one stratified validation part of `valid_fraction` (2 fits).
    """

    def __init__(self, estimator=None, valid_fraction: float = 0.2, cv: int = 5, seed: int = 0):
        self.estimator = estimator
        self.valid_fraction = valid_fraction
        self.cv = cv
        self.seed = seed

    def fit(self, X, y):
        if self.estimator is None:
            raise UserError("ThresholdTuned: give the classifier to wrap (estimator=...)")
        y = np.asarray(y)
        if isinstance(self.cv, bool) or not isinstance(self.cv, (int, np.integer)) or self.cv < 0:
            raise UserError(f"ThresholdTuned: cv must be 0 or an integer >= 2, got {self.cv!r}")
        if self.cv:
            if isinstance(self.cv, bool) or not isinstance(self.cv, (int, np.integer)) or self.cv < 2:
                raise UserError(f"ThresholdTuned: cv must be 0 or an integer >= 2, got {self.cv!r}")
            _, counts = np.unique(y, return_counts=True)
            folds = StratifiedKFold(int(min(self.cv, max(2, counts.min()))), shuffle=True, random_state=self.seed)
            proba = cross_val_predict(self.estimator, X, y, cv=folds, method="predict_proba")
            self.estimator_ = clone(self.estimator).fit(X, y)
            self.classes_ = np.asarray(self.estimator_.classes_)
            self.offsets_ = tune_offsets(proba, np.searchsorted(self.classes_, y))
            return self
        if isinstance(self.valid_fraction, bool) or not 0 < self.valid_fraction < 1:
            raise UserError(f"ThresholdTuned: valid_fraction must be in (0, 1), got {self.valid_fraction!r}")
        rows = (lambda i: X.iloc[i]) if hasattr(X, "iloc") else (lambda i: X[i])
        idx_fit, idx_val = train_test_split(np.arange(len(y)), test_size=self.valid_fraction, stratify=y,
                                            random_state=self.seed)
        part = clone(self.estimator).fit(rows(idx_fit), y[idx_fit])
        classes = np.asarray(part.classes_)
        self.offsets_ = tune_offsets(part.predict_proba(rows(idx_val)), np.searchsorted(classes, y[idx_val]))
        self.estimator_ = clone(self.estimator).fit(X, y)
        self.classes_ = np.asarray(self.estimator_.classes_)
        return self

    def predict_proba(self, X):
        check_is_fitted(self, "offsets_")
        return self.estimator_.predict_proba(X)

    def predict(self, X):
        logp = np.log(np.clip(self.predict_proba(X), 1e-12, None))
        return self.classes_[(logp + self.offsets_).argmax(1)]

    @property
    def thresholds_moved(self) -> int:
        """How many classes' decisions the tuning moved away from the argmax."""
        check_is_fitted(self, "offsets_")
        return int(np.count_nonzero(self.offsets_))
