"""The one noise rule (mlplab.experiment.verdict): paired Student-t interval, Nadeau-Bengio correction,
the verdict words and their wording."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

from mlplab.experiment import verdict as V
from mlplab.experiment.record import Run, SplitResult
from mlplab.experiment.verdict import compare_runs, interval_text, record, relation

WIDE = 100.0  # a margin wider than any interval below: contains-zero intervals read "on a par"


def compare(a, b, **kw):
    """The rule with a margin wide enough that the tests of the interval's arithmetic see "on a par"
    wherever the interval contains 0 (the margin's own branches are tested further down)."""
    kw.setdefault("margin", WIDE)
    return V.compare(a, b, **kw)


def expected_interval(a, b, ratio=None, confidence=0.95):
    """The textbook interval on mean(a - b), written out independently of the module."""
    d = np.asarray(a, float) - np.asarray(b, float)
    n = len(d)
    s2 = np.sum((d - d.mean()) ** 2) / (n - 1)
    var_mean = s2 * (1 / n + ratio) if ratio is not None else s2 / n
    t = stats.t.ppf(1 - (1 - confidence) / 2, n - 1)
    half = t * math.sqrt(var_mean)
    return d.mean(), d.mean() - half, d.mean() + half


A = [0.70, 0.72, 0.71, 0.73]
B = [0.60, 0.63, 0.61, 0.62]


def test_interval_matches_student_t_formula():
    v = compare(A, B, higher_is_better=True)
    mean, low, high = expected_interval(A, B)
    assert v.n == 4
    assert v.mean_diff == pytest.approx(mean, abs=1e-12)
    assert v.low == pytest.approx(low, abs=1e-12)
    assert v.high == pytest.approx(high, abs=1e-12)
    assert not v.corrected and v.test_train_ratio is None and v.confidence == 0.95


def test_interval_hard_coded_example_checked_by_hand():
    # d = (1, 2, 3): mean 2, s = 1, s/sqrt(3) = 0.57735; t(0.975, 2) = 4.302653
    # half = 4.302653 * 0.57735 = 2.484138 -> interval (-0.484138, 4.484138): contains 0
    v = compare([2.0, 3.0, 4.0], [1.0, 1.0, 1.0], higher_is_better=True)
    assert v.mean_diff == pytest.approx(2.0)
    assert v.low == pytest.approx(-0.484138, abs=1e-6)
    assert v.high == pytest.approx(4.484138, abs=1e-6)
    assert v.word == V.PAR
    # d = (1, 2, 3, 4, 5): mean 3, s = 1.581139, s/sqrt(5) = 0.707107; t(0.975, 4) = 2.776445
    # half = 1.963243 -> (1.036757, 4.963243): excludes 0
    v = compare([2, 3, 4, 5, 6], [1, 1, 1, 1, 1], higher_is_better=True)
    assert (v.low, v.high) == (pytest.approx(1.036757, abs=1e-6), pytest.approx(4.963243, abs=1e-6))
    assert v.word == V.BETTER


@pytest.mark.parametrize("higher, a_up, word", [
    (True, True, V.BETTER), (True, False, V.WORSE), (False, True, V.WORSE), (False, False, V.BETTER)])
def test_words_follow_the_interval_and_the_metric_direction(higher, a_up, word):
    a, b = (A, B) if a_up else (B, A)
    v = compare(a, b, higher_is_better=higher)
    assert (v.low > 0) == a_up and (v.high < 0) == (not a_up)
    assert v.word == word
    assert v.decided
    assert v.higher_is_better is higher


@pytest.mark.parametrize("higher", [True, False])
def test_interval_containing_zero_is_on_a_par(higher):
    a = [0.70, 0.74, 0.69, 0.73]
    b = [0.71, 0.70, 0.72, 0.70]
    v = compare(a, b, higher_is_better=higher)
    assert v.low < 0 < v.high
    assert v.word == V.PAR and not v.decided


def test_word_changes_exactly_where_the_interval_crosses_zero():
    # d = (x, x+1, x+2): half width is fixed (t * 1/sqrt(3)), so the verdict flips at mean = half
    half = stats.t.ppf(0.975, 2) / math.sqrt(3)
    base = np.array([0.0, 1.0, 2.0])
    for shift, word in ((half - 1 - 1e-6, V.PAR), (half - 1 + 1e-6, V.BETTER)):
        v = compare(base + shift, [0, 0, 0], higher_is_better=True)
        assert v.low == pytest.approx(0, abs=1e-5)
        assert v.word == word


def test_nadeau_bengio_widens_by_the_stated_factor():
    n, ratio = len(A), 0.25
    plain = compare(A, B, higher_is_better=True)
    corr = compare(A, B, higher_is_better=True, test_train_ratio=ratio)
    factor = math.sqrt((1 / n + ratio) / (1 / n))
    assert corr.corrected and corr.test_train_ratio == ratio
    assert corr.mean_diff == pytest.approx(plain.mean_diff)
    assert (corr.high - corr.low) == pytest.approx((plain.high - plain.low) * factor, rel=1e-12)
    _, low, high = expected_interval(A, B, ratio)
    assert (corr.low, corr.high) == (pytest.approx(low), pytest.approx(high))


def test_nadeau_bengio_can_turn_better_into_on_a_par():
    b = [0.68, 0.70, 0.68, 0.70, 0.69]
    a = [0.71, 0.71, 0.685, 0.72, 0.725]  # d = (.03, .01, .005, .02, .035): mean/s = 1.57
    assert compare(a, b, higher_is_better=True).word == V.BETTER
    corr = compare(a, b, higher_is_better=True, test_train_ratio=0.25)
    assert corr.low < 0 < corr.high
    assert corr.word == V.PAR


@pytest.mark.parametrize("n", [0, 1, 2])
def test_fewer_than_three_pairs_are_too_few(n):
    v = compare([0.9] * n, [0.1] * n, higher_is_better=True)
    assert v.word == V.TOO_FEW and v.n == n and not v.decided
    assert math.isnan(v.low) and math.isnan(v.high)
    if n:
        assert v.mean_diff == pytest.approx(0.8)
    d = v.to_dict()
    assert d["low"] is None and d["high"] is None
    json.dumps(d, allow_nan=False)


@pytest.mark.parametrize("a, b", [([1, 2, 3], [1, 2]), ([[1, 2, 3]], [[1, 2, 3]]), ([1, 2, 3], 1.0)])
def test_unequal_or_non_1d_values_raise(a, b):
    with pytest.raises(ValueError, match="equal length"):
        compare(a, b, higher_is_better=True)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_values_raise(bad):
    with pytest.raises(ValueError, match="finite"):
        compare([0.1, bad, 0.3], [0.1, 0.2, 0.3], higher_is_better=True)
    with pytest.raises(ValueError, match="finite"):
        compare([0.1, 0.2, 0.3], [0.1, 0.2, bad], higher_is_better=False)


@pytest.mark.parametrize("ratio", [0, -0.1, float("nan")])
def test_bad_test_train_ratio_raises(ratio):
    with pytest.raises(ValueError, match="test_train_ratio"):
        compare(A, B, higher_is_better=True, test_train_ratio=ratio)


def _run(name, values, splits=None, metric="macro_f1"):
    splits = splits if splits is not None else list(range(len(values)))
    return Run(name, "variant", name, splits=[SplitResult(s, s, {}, {metric: v + 0.01}, {metric: v})
                                              for s, v in zip(splits, values)])


def test_compare_runs_pairs_split_by_split():
    a, b = _run("a", A), _run("b", B)
    v = compare_runs(a, b, "macro_f1", higher_is_better=True)
    assert v == compare(A, B, higher_is_better=True, margin=0.01)
    v_val = compare_runs(a, b, "macro_f1", higher_is_better=True, part="validation", test_train_ratio=0.2)
    assert v_val.mean_diff == pytest.approx(np.mean(A) - np.mean(B))
    assert v_val.corrected


def test_compare_runs_refuses_runs_on_different_splits():
    with pytest.raises(ValueError, match=r"not fitted on the same outer splits.*\[0, 1, 2\] vs \[0, 1, 3\]"):
        compare_runs(_run("a", A[:3]), _run("b", B[:3], splits=[0, 1, 3]), "macro_f1", higher_is_better=True)
    with pytest.raises(ValueError, match="same outer splits"):
        compare_runs(_run("a", A), _run("b", B[:3]), "macro_f1", higher_is_better=True)


def test_record_shape():
    v = compare(A, B, higher_is_better=True, test_train_ratio=0.25)
    rec = record("tuning", "mlp_tuned", "mlp_baseline", "macro_f1", v, part="test")
    assert rec == {"topic": "tuning", "a": "mlp_tuned", "b": "mlp_baseline", "metric": "macro_f1", "part": "test",
                   "word": V.BETTER, "n": 4, "mean_diff": v.mean_diff, "low": v.low,
                   "high": v.high, "higher_is_better": True, "corrected": True, "test_train_ratio": 0.25,
                   "confidence": 0.95, "margin": WIDE, "n_better": 4, "n_worse": 0,
                   "diff_min": pytest.approx(0.09), "diff_max": pytest.approx(0.11)}
    assert json.loads(json.dumps(rec, allow_nan=False)) == rec


def test_interval_text_and_relation_wording():
    v = compare([2, 3, 4, 5, 6], [1, 1, 1, 1, 1], higher_is_better=True)
    assert interval_text(v) == "+3.000 (95 % interval +1.037 to +4.963, 5 runs)"
    assert interval_text(v, digits=1, scale=100, unit=" pp") == "+300.0 pp (95 % interval +103.7 to +496.3 pp, 5 runs)"
    assert relation(v) == "better than"
    worse = compare([1, 1, 1, 1, 1], [2, 3, 4, 5, 6], higher_is_better=True)
    assert relation(worse) == "worse than"
    assert interval_text(worse).startswith("-3.000 (95 % interval -4.963 to -1.037")
    par = compare([2.0, 3.0, 4.0], [1.0, 1.0, 1.0], higher_is_better=True)
    assert relation(par) == "on a par with"
    few = compare([0.5], [0.25], higher_is_better=True)
    assert interval_text(few) == "+0.250 (1 run: too few to call)"
    assert interval_text(compare([0.5, 0.5], [0.25, 0.5], higher_is_better=True)) == "+0.125 (2 runs: too few to call)"
    assert relation(few) == "compared, on too few runs to call, with"


# ---- the equivalence margin: "on a par" only inside it, "undecided" otherwise ------------------------

def test_interval_inside_the_margin_is_on_a_par():
    a = [0.801, 0.800, 0.802, 0.799, 0.800]
    b = [0.800, 0.801, 0.800, 0.800, 0.801]
    v = V.compare(a, b, higher_is_better=True, margin=0.01)
    assert v.low < 0 < v.high and -0.01 <= v.low and v.high <= 0.01
    assert v.word == V.PAR and v.margin == 0.01


def test_interval_past_the_margin_is_undecided_not_on_a_par():
    # Table 7.2's case: worse on every split, the corrected interval reaches just below 0
    mlp, hgb = [0.589, 0.704, 0.629], [0.452, 0.452, 0.452]
    v = V.compare(mlp, hgb, higher_is_better=False, margin=V.margin_for("rmse", hgb), test_train_ratio=0.25)
    assert v.low < 0 < v.high
    assert v.word == V.UNDECIDED and not v.decided
    assert (v.n_better, v.n_worse) == (0, 3)
    assert v.diff_min == pytest.approx(0.137) and v.diff_max == pytest.approx(0.252)
    assert V.relation(v) == "in an undecided comparison with"
    text = V.undecided_text(v)
    assert text.startswith("worse on 3 of 3 splits, by 0.137 to 0.252; the 95 % interval (")
    assert text.endswith("), widened because the splits' training sets overlap, reaches past the ±0.0045 margin of "
                         "parity, so 3 splits cannot settle it")
    plain = V.compare(mlp, hgb, higher_is_better=False, margin=V.margin_for("rmse", hgb))  # seeds, no correction
    assert "widened" not in V.undecided_text(plain)


@pytest.mark.parametrize("margin, word", [(0.0, V.UNDECIDED), (0.5, V.UNDECIDED), (2.0, V.UNDECIDED),
                                          (2.6, V.PAR)])
def test_word_changes_exactly_where_the_interval_leaves_the_margin(margin, word):
    # d = (-1, 0, 1): mean 0, half width t(0.975, 2) / sqrt(3) = 2.484
    v = V.compare([0.0, 1.0, 2.0], [1.0, 1.0, 1.0], higher_is_better=True, margin=margin)
    assert v.high == pytest.approx(2.484138, abs=1e-6)
    assert v.word == word


def test_a_decided_difference_stays_decided_whatever_the_margin():
    v = V.compare(A, B, higher_is_better=True, margin=1.0)
    assert v.word == V.BETTER


def test_sign_count_describes_mixed_runs():
    v = V.compare([0.70, 0.80, 0.75, 0.70], [0.75, 0.70, 0.75, 0.72], higher_is_better=True, margin=0.01)
    assert v.word == V.UNDECIDED
    assert (v.n_better, v.n_worse) == (1, 2)
    assert V.sign_count(v) == "better on 1 and worse on 2 of 4 seeds, equal on 1"
    assert V.sign_count(v, "splits") == "better on 1 and worse on 2 of 4 splits, equal on 1"
    assert ", by " not in V.undecided_text(v)


def test_margins_are_declared_per_metric():
    assert V.margin_for("accuracy") == 0.01 and V.margin_for("r2") == 0.01 and V.margin_for("macro_f1") == 0.01
    assert V.margin_for("rmse", [2.0, 4.0]) == pytest.approx(0.03)
    assert V.margin_for("r2_6h") == 0.01 and V.margin_for("r2_mean") == 0.01
    assert V.margin_for("rmse_return", [1.0]) == pytest.approx(0.01)
    with pytest.raises(ValueError, match="relative to the reference"):
        V.margin_for("rmse")
    with pytest.raises(ValueError, match="no equivalence margin declared for metric 'wins'"):
        V.margin_for("wins")
    with pytest.raises(ValueError, match="margin must be"):
        V.compare(A, B, higher_is_better=True, margin=-0.1)
    table = V.margins_table()
    assert list(table.columns) == ["metrics", "margin of parity", "why"]
    assert "accuracy" in table["metrics"].iloc[0] and table["margin of parity"].iloc[0] == "±0.01"


def test_compare_runs_takes_the_metric_margin():
    a, b = _run("a", [0.70, 0.72, 0.71, 0.73], metric="rmse"), _run("b", [0.71, 0.70, 0.72, 0.70], metric="rmse")
    v = compare_runs(a, b, "rmse", higher_is_better=False)
    assert v.margin == pytest.approx(0.01 * np.mean([0.71, 0.70, 0.72, 0.70]))


def test_verdict_round_trips_through_its_record():
    v = V.compare(A, B, higher_is_better=True, margin=0.01, test_train_ratio=0.2)
    assert V.Verdict.from_dict(record("t", "a", "b", "accuracy", v)) == v
    few = V.compare([1.0], [0.5], higher_is_better=True, margin=0.01)
    back = V.Verdict.from_dict(json.loads(json.dumps(record("t", "a", "b", "accuracy", few))))
    assert back.word == V.TOO_FEW and math.isnan(back.low)


def test_signed_never_prints_a_misleading_zero():
    assert V.signed(-0.0003) == "-0.0003" and V.signed(0.00049) == "+0.0005"   # not "-0.000" / "+0.000"
    assert V.signed(0.0) == "+0.000" and V.signed(-1e-9) == "0.000"            # zero to every shown decimal: unsigned
    assert V.signed(0.0123) == "+0.012" and V.signed(-1.5, 1) == "-1.5"
