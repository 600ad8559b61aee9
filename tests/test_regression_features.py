"""Formulations, row selection and splits of the regression part."""

import numpy as np
import pandas as pd
import pytest

from mlplab.errors import UserError
from mlplab.regression import validate_params
from mlplab.regression.features import make_design, recent_rows, select_rows, split_frame, to_close


def _frame():
    dates = pd.to_datetime(["2014-12-30", "2014-12-31", "2015-01-02", "2015-01-05"]).repeat(2)
    return pd.DataFrame({"date": dates, "symbol": ["A", "B"] * 4,
                         "open": [10.0, 200.0, 11.0, 210.0, 12.0, 0.0, 13.0, 230.0],
                         "close": [11.0, 190.0, 11.0, 220.0, 12.6, 5.0, 13.0, 253.0],
                         "low": [9.0, 185.0, 10.5, 205.0, 11.5, 0.0, 12.0, 228.0],
                         "high": [11.5, 205.0, 11.5, 225.0, 13.0, 6.0, 14.0, 260.0],
                         "volume": [1e6, 2e5, 1.1e6, 2.2e5, 1.2e6, 1e3, 1.3e6, 2.3e5]})


def test_return_design_is_scale_free_and_converts_back():
    f = select_rows(_frame())
    d = make_design(f, "intraday_return")
    assert list(d.X.columns) == ["high_rel", "low_rel"]
    np.testing.assert_allclose(d.y, f["close"] / f["open"] - 1)
    np.testing.assert_allclose(d.to_close(d.y), f["close"])          # exact target -> exact price
    np.testing.assert_allclose(d.to_close(np.zeros(len(d))), f["open"])  # zero return = naive close = open
    doubled = f.assign(**{c: f[c] * 2 for c in ("open", "close", "low", "high")})
    np.testing.assert_allclose(make_design(doubled, "intraday_return").X, d.X)


def test_close_design_uses_the_lab_inputs():
    d = make_design(select_rows(_frame()), "close")
    assert list(d.X.columns) == ["open", "high", "low", "volume"]
    np.testing.assert_allclose(to_close(d.y, d.open, "close"), d.close)


def test_select_rows_drops_zero_open_and_checks_symbols():
    f = _frame()
    out = select_rows(f, symbols=["b"], start="2015-01-01")
    assert out["symbol"].tolist() == ["B"] and out["open"].tolist() == [230.0]  # the open=0 row is gone
    with pytest.raises(UserError, match=r"symbols: \['ZZZ'\] not in the data"):
        select_rows(f, symbols=["ZZZ"])
    with pytest.raises(UserError, match="no rows left"):
        select_rows(f, start="2020-01-01")


def test_unknown_inputs_and_target_are_user_errors():
    with pytest.raises(UserError, match="relative_inputs"):
        make_design(select_rows(_frame()), "intraday_return", ["nope"])
    with pytest.raises(UserError, match="target must be one of"):
        make_design(select_rows(_frame()), "price")


def test_chronological_split_has_no_look_ahead():
    train, test = split_frame(select_rows(_frame()), "chronological", "2015-01-01")
    assert train["date"].max() < pd.Timestamp("2015-01-01") <= test["date"].min()
    assert len(train) == 4 and len(test) == 3
    with pytest.raises(UserError, match="split must be one of"):
        split_frame(_frame(), "shuffled")


def test_random_split_keeps_time_order_inside_each_part():
    train, test = split_frame(select_rows(_frame()), "random", test_size=0.4, seed=1)
    assert len(train) + len(test) == 7
    assert train["date"].is_monotonic_increasing and test["date"].is_monotonic_increasing


def test_recent_rows_are_the_last_ones():
    assert recent_rows(3, 10).tolist() == [7, 8, 9]
    assert recent_rows(0, 4).tolist() == [0, 1, 2, 3]
    assert recent_rows(50, 4).tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("params, fragment", [
    ({"target": "price"}, "target='price'"),
    ({"split": "kfold"}, "split='kfold'"),
    ({"seeds": []}, "seeds=[]"),
    ({"cv_folds": 1}, "cv_folds=1"),
    ({"grid_hidden": [[64, 0]]}, "grid_hidden"),
    ({"relative_inputs": ["open"]}, "relative_inputs"),
])
def test_validate_params_names_the_parameter(params, fragment):
    with pytest.raises(UserError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        validate_params(params)


def test_validate_params_accepts_the_defaults():
    validate_params({"target": "intraday_return", "split": "chronological", "seeds": [0, 1, 2], "cv_folds": 3,
                     "grid_hidden": [[64, 32]], "relative_inputs": ["high_rel", "low_rel"], "search_method": "halving"})


def test_max_symbols_keeps_the_longest_histories():
    f = select_rows(_frame())  # B lost its open=0 row, so A has the longer history
    assert select_rows(f, max_symbols=1)["symbol"].unique().tolist() == ["A"]
    assert select_rows(f, max_symbols=0).equals(f)
