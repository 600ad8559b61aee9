"""The shared parameter checks (mlplab.experiment.checks) and the outer-split builders of the protocol."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlplab.errors import UserError
from mlplab.experiment.checks import Checks
from mlplab.experiment.protocol import Protocol, Rows, holdout_indices, outer_splits, row_selector, stratified_indices


def fails(params: dict, check: str, *args, **kwargs) -> str:
    with pytest.raises(UserError) as err:
        getattr(Checks(params, "nb"), check)(*args, **kwargs)
    return str(err.value)


def test_absent_keys_pass_and_failures_are_one_line():
    Checks({}, "nb").integer("epochs")
    text = fails({"epochs": 0}, "integer", "epochs")
    assert text == "nb parameter epochs=0: expected a positive integer" and "\n" not in text


@pytest.mark.parametrize("params, check, args, kwargs, words", [
    ({"k": True}, "integer", ("k",), {}, "a positive integer"),
    ({"k": 1}, "integer", ("k",), {"least": 2}, "an integer >= 2"),
    ({"k": 61}, "integer", ("k",), {"least": 2, "most": 60}, "an integer from 2 to 60"),
    ({"k": [0, 0]}, "seeds", ("k",), {}, "a non-empty list of distinct integers"),
    ({"k": [-1]}, "seeds", ("k",), {}, "a non-empty list of distinct integers"),
    ({"k": "mid October"}, "date", ("k",), {}, "a date like 2015-01-01"),
    ({"k": ""}, "date", ("k",), {}, "a date like 2015-01-01"),
    ({"k": ["x"]}, "choices", ("k",), {"options": ("a", "b")}, "a non-empty list from a, b"),
    ({"k": []}, "positive_list", ("k",), {}, "a non-empty list of positive numbers"),
    ({"k": [[64, 0]]}, "grid_layers", ("k",), {}, "a list of layer-width lists"),
    ({"k": 0.6}, "between", ("k",), {"low": 0.05, "high": 0.4, "expected": "a share"}, "a share"),
    ({"tracking": "comet"}, "tracking", (), {}, "one of none, mlflow, wandb, tensorboard"),
])
def test_each_check_names_what_it_expected(params, check, args, kwargs, words):
    assert f"nb parameter {next(iter(params))}=" in fails(params, check, *args, **kwargs)
    assert words in fails(params, check, *args, **kwargs)


def test_zero_empty_and_valid_values_pass():
    c = Checks({"t": 0, "h": [], "d": "2014-10-15", "s": [3, 1, 2], "w": [[8], [16, 8]]}, "nb")
    c.integer("t", least=2, zero=True)
    c.layers("h", empty=True)
    c.date("d")
    c.seeds("s")
    c.grid_layers("w")
    c.rule("s", ok=lambda v: len(v) == 3, expected="three")
    with pytest.raises(UserError, match="expected three"):
        c.rule("d", ok=lambda v: len(v) == 3, expected="three")


def test_outer_splits_take_every_part_and_count_the_seeds():
    X = pd.DataFrame({"a": np.arange(40.0)}, index=np.arange(100, 140))
    y = np.arange(40) % 2
    index = stratified_indices(y, [3, 5], test_size=0.25, valid_size=0.2)
    splits = outer_splits(index, row_selector(X, y))
    assert [s.seed for s in splits] == [3, 5] and splits[1].index == 1
    first = splits[0]
    assert first.test.X.index.tolist() == list(range(len(index[0].test)))
    assert first.test.X["a"].tolist() == index[0].test.tolist() and first.test.y.tolist() == y[index[0].test].tolist()
    protocol = Protocol.for_splits("nested", splits, selection="inner CV")
    assert protocol.outer_splits == 2 and protocol.seeds == (3, 5)


def test_a_holdouts_parts_are_taken_once_and_a_separate_test_set_is_shared():
    X, y = np.arange(30.0).reshape(15, 2), np.arange(15) % 3
    taken = []

    def part(positions):
        taken.append(len(positions))
        return Rows(X[positions], y[positions])

    test = Rows(np.zeros((4, 2)), np.zeros(4))
    splits = outer_splits(holdout_indices(np.arange(15), np.arange(4), [0, 1, 2], valid_size=0.2), part, test=test)
    assert len(splits) == 3 and taken == [12, 3]
    assert all(s.fit is splits[0].fit and s.test is test for s in splits)
