"""Seed ensembles: the mean prediction of one estimator fitted with several seeds.

Shared by the labs whose tuned networks average members (California housing, air quality): averaging
nets that differ only in their initialization and batch order lowers the variance part of the error,
which a single net's test score carries as seed noise.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils import get_tags
from sklearn.utils.validation import check_is_fitted


def input_tags_of(tags, estimator):
    """A wrapper accepts the inputs its estimator accepts (sparse X, NaN in X): scikit-learn's tags."""
    if estimator is not None:
        inner = get_tags(estimator).input_tags
        tags.input_tags.sparse, tags.input_tags.allow_nan = inner.sparse, inner.allow_nan
    return tags


class SeedEnsemble(RegressorMixin, BaseEstimator):
    """The mean prediction of `estimator` fitted once per seed (the seed set through `seed_param`, e.g.
    "net__seed" for a pipeline ending in a net, "random_state" for HGB). Averaging nets that differ only in
    their initialization and batch order lowers the variance part of the error; a model without random
    elements gives identical members (`spread_` says how much the members' predictions differ)."""

    def __init__(self, estimator=None, seeds=(0, 1, 2), seed_param: str = "net__seed"):
        self.estimator = estimator
        self.seeds = seeds
        self.seed_param = seed_param

    def _members(self):
        return [clone(self.estimator).set_params(**{self.seed_param: int(s)}) for s in self.seeds]

    def fit(self, X, y):
        self.estimators_ = [m.fit(X, y) for m in self._members()]
        return self

    def fit_recording(self, X, y, eval_sets: dict):
        """The first member records per-epoch curves on held-out rows (for the figures only)."""
        from mlplab.training import fit_with_eval

        members = self._members()
        self.estimators_ = [fit_with_eval(members[0], X, y, eval_sets=eval_sets)] + [m.fit(X, y) for m in members[1:]]
        return self

    def history_frame(self):
        from mlplab.training import history_frame

        check_is_fitted(self, "estimators_")
        return history_frame(self.estimators_[0])

    def member_predictions(self, X) -> np.ndarray:
        check_is_fitted(self, "estimators_")
        return np.stack([np.asarray(m.predict(X), dtype=float) for m in self.estimators_])

    def predict(self, X):
        return self.member_predictions(X).mean(axis=0)

    def spread(self, X) -> float:
        """Mean absolute difference between a member's prediction and the ensemble's."""
        preds = self.member_predictions(X)
        return float(np.mean(np.abs(preds - preds.mean(axis=0))))

    @property
    def n_features_in_(self) -> int:
        """The first member's (AttributeError before fit, or when it has none)."""
        return self.estimators_[0].n_features_in_

    def __sklearn_tags__(self):
        return input_tags_of(super().__sklearn_tags__(), self.estimator)


def ensemble(estimator, *, size: int, seed: int, seed_param: str) -> BaseEstimator:
    """`size` > 1: a SeedEnsemble of members seeded seed, seed + 1000, ...; 1: the estimator itself."""
    if size <= 1:
        return estimator
    return SeedEnsemble(estimator, seeds=tuple(int(seed) + 1000 * k for k in range(size)), seed_param=seed_param)
