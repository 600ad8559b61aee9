"""Decision thresholds chosen on the fit rows only (mlplab.experiment.thresholds)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from mlplab.errors import UserError
from mlplab.experiment.thresholds import GRID, ThresholdTuned, macro_f1_codes, tune_offsets


def reference_offsets(proba, y, grid=GRID, rounds=2):
    """Coordinate ascent written the plain way: try every grid value for one class at a time, score the
    argmax decision with sklearn, keep a strictly better one (ties: the offset nearest 0)."""
    logp = np.log(np.clip(proba, 1e-12, None))
    labels = np.unique(y)

    def score(offsets):
        return f1_score(y, (logp + offsets).argmax(1), labels=labels, average="macro", zero_division=0)

    offsets = np.zeros(proba.shape[1])
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


def random_case(seed, n=160, k=3, absent=None):
    rng = np.random.default_rng(seed)
    y = rng.choice(k, size=n, p=np.r_[0.7, np.full(k - 1, 0.3 / (k - 1))])
    if absent is not None:
        y[y == absent] = 0
    logits = rng.normal(size=(n, k)) + 1.2 * np.eye(k)[y] + np.r_[1.5, np.zeros(k - 1)]  # biased to class 0
    proba = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    return proba, y


@pytest.mark.parametrize("seed, k, absent", [(0, 2, None), (1, 3, None), (3, 4, None), (4, 4, 2)])
def test_tune_offsets_equals_the_reference(seed, k, absent):
    proba, y = random_case(seed, k=k, absent=absent)
    got = tune_offsets(proba, y)
    np.testing.assert_array_equal(got, reference_offsets(proba, y))
    if absent is None:
        # the case is built so that moving a threshold pays: the tuned decision beats the argmax
        plain = f1_score(y, proba.argmax(1), average="macro")
        tuned = f1_score(y, (np.log(proba) + got).argmax(1), average="macro")
        assert np.any(got != 0) and tuned > plain


def test_ties_keep_the_argmax_rule():
    # every decision is already right: no offset can improve macro-F1, so none moves
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3], [0.4, 0.6]])
    np.testing.assert_array_equal(tune_offsets(proba, np.array([0, 1, 0, 1])), [0.0, 0.0])
    # a class with no signal at all (same probability everywhere) keeps offset 0
    flat = np.tile([0.5, 0.3, 0.2], (6, 1))
    np.testing.assert_array_equal(tune_offsets(flat, np.array([0, 0, 0, 0, 0, 0])), [0.0, 0.0, 0.0])


@pytest.mark.parametrize("seed", range(5))
def test_macro_f1_codes_equals_sklearn(seed):
    rng = np.random.default_rng(seed)
    n_classes = 5
    y = rng.choice([0, 1, 3], size=60)                # classes 2 and 4 absent from y ...
    pred = rng.integers(0, n_classes, size=60)         # ... but predicted
    present = np.unique(y)
    expected = f1_score(y, pred, average="macro", labels=present, zero_division=0)
    assert macro_f1_codes(y, pred, n_classes, present) == pytest.approx(expected, abs=1e-12)
    assert macro_f1_codes(y, y, n_classes, present) == 1.0
    assert macro_f1_codes(y, pred, n_classes, np.array([], dtype=int)) == 0.0


class SpyClassifier(ClassifierMixin, BaseEstimator):
    """A logistic regression on columns 1.. that records the row ids (column 0) of every fit."""

    seen: list = []

    def __init__(self, C=0.01):
        self.C = C

    def fit(self, X, y):
        SpyClassifier.seen.append(np.asarray(X)[:, 0].astype(int).tolist())
        self.model_ = LogisticRegression(C=self.C).fit(np.asarray(X)[:, 1:], y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(np.asarray(X)[:, 1:])

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(1)]


def imbalanced(n0, n1, seed):
    rng = np.random.default_rng(seed)
    X = np.r_[rng.normal(0, 1, (n0, 2)), rng.normal(0, 1, (n1, 2)) + [1.5, 0]]
    y = np.r_[np.zeros(n0, int), np.ones(n1, int)]
    return X, y


@pytest.fixture
def rows():
    X, y = imbalanced(540, 60, seed=0)
    ids = np.arange(len(y))
    rng = np.random.default_rng(1)
    order = rng.permutation(len(y))
    X, y = np.column_stack([ids, X])[order], y[order]
    fit_rows = order[:400]                        # the ids of the rows given to fit
    SpyClassifier.seen = []
    return X, y, set(fit_rows.tolist())


@pytest.mark.parametrize("cv, n_fits", [(3, 4), (5, 6), (0, 2)])
def test_fits_only_on_the_rows_given(rows, cv, n_fits):
    X, y, fit_ids = rows
    model = ThresholdTuned(SpyClassifier(), cv=cv, seed=0).fit(X[:400], y[:400])
    assert len(SpyClassifier.seen) == n_fits
    assert all(set(seen) <= fit_ids for seen in SpyClassifier.seen)
    assert sorted(SpyClassifier.seen[-1]) == sorted(fit_ids)       # the final model: every given row
    if cv:
        # out-of-fold: each row is left out of exactly one fold fit
        left_out = [fit_ids - set(s) for s in SpyClassifier.seen[:-1]]
        assert sorted(r for part in left_out for r in part) == sorted(fit_ids)
    else:
        assert len(SpyClassifier.seen[0]) == 320                     # 1 - valid_fraction of 400
    SpyClassifier.seen = []
    model.predict(X[400:])
    assert SpyClassifier.seen == []                                  # predicting never refits


def test_recovers_a_minority_class_the_argmax_misses():
    X, y = imbalanced(540, 60, seed=0)
    X_test, y_test = imbalanced(540, 60, seed=1)
    plain = LogisticRegression(C=0.01).fit(X, y)
    assert not np.any(plain.predict(X_test) == 1)                    # argmax never says "minority"
    tuned = ThresholdTuned(LogisticRegression(C=0.01), cv=5).fit(X, y)
    pred = tuned.predict(X_test)
    assert tuned.thresholds_moved >= 1
    assert np.sum((pred == 1) & (y_test == 1)) >= 20                 # of 60 minority rows
    assert f1_score(y_test, pred, average="macro") > f1_score(y_test, plain.predict(X_test), average="macro") + 0.1
    np.testing.assert_allclose(tuned.predict_proba(X_test), tuned.estimator_.predict_proba(X_test))
    expected = tuned.classes_[(np.log(np.clip(tuned.predict_proba(X_test), 1e-12, None)) + tuned.offsets_).argmax(1)]
    np.testing.assert_array_equal(pred, expected)


def test_labels_other_than_codes_round_trip():
    X, y = imbalanced(200, 40, seed=2)
    labels = np.array(["ok", "fail"])[y]
    tuned = ThresholdTuned(LogisticRegression(), cv=3).fit(X, labels)
    assert tuned.classes_.tolist() == ["fail", "ok"]
    assert set(tuned.predict(X)) <= {"fail", "ok"}


@pytest.mark.parametrize("cv", [1, -2, True, 2.5, "3"])
def test_bad_cv_is_a_user_error(cv):
    X, y = imbalanced(50, 10, seed=0)
    with pytest.raises(UserError, match=rf"ThresholdTuned: cv must be 0 or an integer >= 2, got {cv!r}"):
        ThresholdTuned(LogisticRegression(), cv=cv).fit(X, y)


@pytest.mark.parametrize("fraction", [0.0, 1.0, True])
def test_bad_valid_fraction_is_a_user_error(fraction):
    X, y = imbalanced(50, 10, seed=0)
    with pytest.raises(UserError, match="valid_fraction must be in"):
        ThresholdTuned(LogisticRegression(), cv=0, valid_fraction=fraction).fit(X, y)
    with pytest.raises(UserError, match="give the classifier to wrap"):
        ThresholdTuned(cv=3).fit(X, y)
