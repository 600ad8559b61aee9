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
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split
from sklearn.utils.validation import check_is_fitted

from mlplab.errors import UserError

GRID = np.linspace(-4, 4, 33)


def tune_offsets(proba: np.ndarray, y_codes: np.ndarray, grid=GRID, rounds: int = 2) -> np.ndarray:
    """Per-class additive offsets on the log-probabilities maximizing macro-F1 (coordinate ascent).

    Ties keep the offset nearest 0 (no shift), so a class with no signal keeps the argmax rule."""
    logp = np.log(np.clip(proba, 1e-12, None))
    present = np.unique(y_codes)
    offsets = np.zeros(proba.shape[1])

    def score(o):
        return f1_score(y_codes, (logp + o).argmax(1), labels=present, average="macro", zero_division=0)

    best = score(offsets)
    for _ in range(rounds):
        for k in range(proba.shape[1]):
            for g in grid:
                trial = offsets.copy()
                trial[k] = g
                s = score(trial)
                if s > best + 1e-9 or (abs(s - best) <= 1e-9 and abs(g) < abs(offsets[k])):
                    best, offsets = s, trial
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
