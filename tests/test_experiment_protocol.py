"""Outer splits and the protocol statement (mlplab.experiment.protocol)."""

from __future__ import annotations

import numpy as np
import pytest

from mlplab.errors import UserError
from mlplab.experiment.protocol import OuterSplit, Protocol, Rows, holdout_indices, stratified_indices

# 120 rows: a majority, two rare classes and one class with a single row
Y = np.array(["ok"] * 80 + ["heat"] * 24 + ["power"] * 10 + ["tool"] * 5 + ["random"])


def parts(s):
    return s.fit, s.validation, s.test


@pytest.mark.parametrize("seed", range(6))
def test_stratified_parts_are_disjoint_cover_all_rows_and_have_the_requested_sizes(seed):
    (s,) = stratified_indices(Y, [seed], test_size=0.25, valid_size=0.2)
    fit, valid, test = parts(s)
    every = np.concatenate([fit, valid, test])
    assert len(every) == len(set(every.tolist())) == len(Y)
    assert set(every.tolist()) == set(range(len(Y)))
    assert len(test) == 30                      # ceil(0.25 * 120)
    assert len(valid) == 18                     # ceil(0.2 * 90)
    assert len(fit) == 72
    for part in parts(s):
        assert np.all(np.diff(part) > 0)        # sorted row positions


@pytest.mark.parametrize("seed", range(8))
def test_every_class_with_enough_rows_is_in_every_part_even_beside_a_single_row_class(seed):
    (s,) = stratified_indices(Y, [seed], test_size=0.2, valid_size=0.2)
    for part in parts(s):
        assert {"ok", "heat", "power", "tool"} <= set(Y[part].tolist())
    # the share of each class follows the data's (stratified, not merely present)
    assert np.sum(Y[s.test] == "heat") in (4, 5, 6)


def test_stratified_without_singleton_keeps_each_class_in_proportion():
    y = np.repeat([0, 1, 2], [60, 30, 10])
    for s in stratified_indices(y, [0, 1, 2], test_size=0.2, valid_size=0.25):
        assert np.bincount(y[s.test]).tolist() == [12, 6, 2]
        assert np.bincount(y[s.validation]).tolist() == [12, 6, 2]
        assert np.bincount(y[s.fit]).tolist() == [36, 18, 6]


def test_seeds_give_different_splits_and_the_same_seed_the_same():
    a = stratified_indices(Y, [0, 1, 2])
    b = stratified_indices(Y, [0, 1, 2])
    assert [x.index for x in a] == [0, 1, 2] and [x.seed for x in a] == [0, 1, 2]
    for x, y in zip(a, b):
        for p, q in zip(parts(x), parts(y)):
            np.testing.assert_array_equal(p, q)
    tests = [tuple(x.test.tolist()) for x in a]
    assert len(set(tests)) == 3
    assert not np.array_equal(a[0].validation, a[1].validation)
    (alone,) = stratified_indices(Y, 7)          # a single int is one seed
    assert alone.seed == 7 and alone.index == 0


@pytest.mark.parametrize("name, kwargs", [
    ("test_size", {"test_size": 0}), ("test_size", {"test_size": 1.0}), ("test_size", {"test_size": "0.2"}),
    ("test_size", {"test_size": True}), ("valid_size", {"valid_size": -0.1}), ("valid_size", {"valid_size": 1.5}),
])
def test_bad_fractions_name_the_parameter(name, kwargs):
    with pytest.raises(UserError, match=rf"parameter {name}=.*fraction between 0 and 1"):
        stratified_indices(Y, [0], **kwargs)


@pytest.mark.parametrize("seeds", [[], [0, 0], [0, 1.5], [True], ["1"], None])
def test_bad_seeds_name_the_parameter(seeds):
    with pytest.raises((UserError, TypeError)) as err:
        stratified_indices(Y, seeds)
    assert err.type is UserError
    assert "parameter seeds=" in str(err.value)
    with pytest.raises(UserError, match="parameter seeds="):
        holdout_indices(np.arange(10), np.arange(10, 12), seeds)


def test_holdout_ordered_validates_on_the_last_training_rows():
    train, test = np.arange(0, 100), np.arange(100, 120)
    splits = holdout_indices(train, test, [3, 4, 5], valid_size=0.1)
    assert [s.seed for s in splits] == [3, 4, 5] and [s.index for s in splits] == [0, 1, 2]
    for s in splits:
        np.testing.assert_array_equal(s.fit, np.arange(0, 90))
        np.testing.assert_array_equal(s.validation, np.arange(90, 100))
        np.testing.assert_array_equal(s.test, test)
    # the last rows of the order given, not the largest indices
    shuffled = np.array([5, 3, 9, 1, 7, 0, 2, 8, 6, 4])
    (s,) = holdout_indices(shuffled, [10, 11], [0], valid_size=0.2)
    assert s.validation.tolist() == [6, 4] and s.fit.tolist() == [5, 3, 9, 1, 7, 0, 2, 8]


def test_holdout_unordered_is_stratified_and_seeded_by_the_first_seed():
    y = np.array([0] * 90 + [1] * 10 + [0] * 20)
    train, test = np.arange(100), np.arange(100, 120)
    a = holdout_indices(train, test, [0, 1], valid_size=0.2, ordered=False, y=y)
    assert np.bincount(y[a[0].validation]).tolist() == [18, 2]
    assert len(a[0].fit) == 80 and set(a[0].fit) | set(a[0].validation) == set(train)
    np.testing.assert_array_equal(a[0].validation, a[1].validation)   # one validation slice for every seed
    assert not np.array_equal(a[0].validation, np.arange(80, 100))     # random, not the last rows
    b = holdout_indices(train, test, [5, 1], valid_size=0.2, ordered=False, y=y)
    assert not np.array_equal(a[0].validation, b[0].validation)


def test_holdout_explicit_validation_rows():
    (s,) = holdout_indices(np.arange(50), np.arange(50, 60), [0], valid_rows=[3, 10, 20])
    assert s.validation.tolist() == [3, 10, 20]
    assert s.fit.tolist() == [r for r in range(50) if r not in (3, 10, 20)]


def test_holdout_bad_inputs():
    with pytest.raises(UserError, match="parameter valid_size="):
        holdout_indices(np.arange(10), np.arange(10, 12), [0], valid_size=1)
    with pytest.raises(UserError, match=r"empty part \(fit 0, validation 1, test 2 rows\)"):
        holdout_indices(np.arange(1), np.arange(10, 12), [0], valid_size=0.5)
    with pytest.raises(UserError, match="test 0 rows"):
        holdout_indices(np.arange(10), [], [0])
    with pytest.raises(UserError, match="fit 0"):
        holdout_indices(np.arange(3), [5], [0], valid_rows=[0, 1, 2])


def test_protocol_validation_and_to_dict():
    p = Protocol("nested", 3, "grid search on each split's fit rows", seeds=(0, 1, 2), validation="20 % of training")
    assert p.to_dict() == {"kind": "nested", "outer_splits": 3, "selection": "grid search on each split's fit rows",
                           "seeds": [0, 1, 2], "validation": "20 % of training"}
    assert Protocol("holdout", 1, "x").to_dict()["seeds"] == []
    with pytest.raises(ValueError, match="protocol kind must be one of"):
        Protocol("random", 3, "x")
    with pytest.raises(ValueError, match="outer_splits must be >= 1, got 0"):
        Protocol("holdout", 0, "x")


def test_outer_split_sizes_and_test_train_ratio():
    s = OuterSplit(0, 0, Rows(np.zeros((60, 2)), np.zeros(60)), Rows(np.zeros((20, 2)), np.zeros(20)),
                   Rows(np.zeros((20, 2)), np.zeros(20)))
    assert len(s.fit) == 60 and s.n_train == 80
    assert s.test_train_ratio == pytest.approx(20 / 60)  # models are trained on the fit rows
    empty = OuterSplit(0, 0, Rows([], []), Rows([], []), Rows([1], [1]))
    assert empty.test_train_ratio == 1.0   # no division by zero
