"""Tables built from run records (mlplab.experiment.tables) and the prose building blocks
(mlplab.experiment.prose): one test per branch of every clause."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mlplab.experiment import prose, tables
from mlplab.experiment import verdict as V
from mlplab.experiment.record import Run, SplitResult


def compare(a, b, **kw):
    kw.setdefault("margin", 0.01)
    return V.compare(a, b, **kw)


def run(name, test, valid=None, label=None, metric="macro_f1"):
    valid = valid if valid is not None else [t + 0.01 for t in test]
    return Run(name, "variant", label or name.replace("_", " "), splits=[
        SplitResult(i, i, {metric: 0.99}, {metric: v} if v is not None else {}, {metric: t})
        for i, (t, v) in enumerate(zip(test, valid))])


@pytest.fixture
def runs():
    return {"base": run("base", [0.60, 0.62, 0.61], label="lab network"),
            "feat": run("feat", [0.70, 0.71, 0.72], label="physics features"),      # clearly better than base
            "tuned": run("tuned", [0.71, 0.70, 0.74], label="tuned MLP"),           # undecided against feat
            "worse": run("worse", [0.50, 0.52, 0.51]),
            "leaky": run("leaky", [0.9, 0.9, 0.9], valid=[None, None, None]),
            "single": run("single", [0.65], label="one seed")}


def test_score_table_means_and_spread(runs):
    table = tables.score_table(runs, ["base", "leaky", "single"], ["macro_f1"])
    assert list(table.columns) == ["model", "id", "validation macro-F1", "test macro-F1", "test macro-F1 SD", "runs"]
    assert table["model"].tolist() == ["lab network", "leaky", "one seed"]
    assert table["id"].tolist() == ["base", "leaky", "single"]
    assert table["test macro-F1"].tolist() == pytest.approx([0.61, 0.9, 0.65])
    assert table["validation macro-F1"].iloc[0] == pytest.approx(0.62)
    assert math.isnan(table["validation macro-F1"].iloc[1])               # never validated
    assert table["test macro-F1 SD"].iloc[0] == pytest.approx(np.std([0.60, 0.62, 0.61], ddof=1))
    assert math.isnan(table["test macro-F1 SD"].iloc[2])                  # one run: no spread
    assert table["runs"].tolist() == [3, 3, 1]
    slim = tables.score_table(runs, ["base"], ["macro_f1"], parts=("test",), spread=False, train=True, ids=False)
    assert list(slim.columns) == ["model", "train macro-F1", "test macro-F1", "runs"]
    assert slim["train macro-F1"].iloc[0] == pytest.approx(0.99)


def test_ladder_compares_each_rung_with_the_one_before(runs):
    steps = [("base", "lab network"), ("feat", "+ physics features"), ("tuned", "+ search"), ("worse", "+ noise")]
    table, records = tables.ladder(runs, steps, "macro_f1", higher_is_better=True, test_train_ratio=None,
                                   topic="ablation")
    assert list(table.columns) == ["rung", "model", "validation macro-F1", "test macro-F1", "test macro-F1 SD",
                                   "change in test", "95 % interval", "n", "verdict"]
    assert table["rung"].tolist() == [s[1] for s in steps]
    assert table["verdict"].tolist() == ["–", V.BETTER, V.UNDECIDED, V.WORSE]
    assert table["n"].tolist() == [3, 3, 3, 3] and table["95 % interval"].iloc[0] == "–"
    assert math.isnan(table["change in test"].iloc[0])
    assert table["change in test"].iloc[1] == pytest.approx(0.10)
    for i, (a, b) in enumerate([("feat", "base"), ("tuned", "feat"), ("worse", "tuned")]):
        v = compare(runs[a].values("macro_f1"), runs[b].values("macro_f1"), higher_is_better=True)
        assert records[i] == V.record("ablation", a, b, "macro_f1", v)
        assert table["verdict"].iloc[i + 1] == v.word


def test_ladder_with_lower_is_better_and_the_correction(runs):
    table, records = tables.ladder(runs, [("base", "a"), ("feat", "b")], "macro_f1", higher_is_better=False,
                                   test_train_ratio=0.25)
    assert table["verdict"].tolist() == ["–", V.WORSE]                  # a higher value is worse here
    assert records[0]["corrected"] and records[0]["test_train_ratio"] == 0.25


def test_pairs_table_columns_and_verdicts(runs):
    pairs = [("feat", "base"), ("tuned", "feat", "search on top"), ("single", "base")]
    with pytest.raises(ValueError, match="same outer splits"):
        tables.pairs_table(runs, pairs, "macro_f1", higher_is_better=True, test_train_ratio=None, topic="t")
    two = {k: run(k, v) for k, v in (("a", [0.5, 0.6]), ("b", [0.4, 0.4]))}
    table, records = tables.pairs_table({**runs, **two}, pairs[:2] + [("a", "b")], "macro_f1", higher_is_better=True,
                                        test_train_ratio=None, topic="changes")
    assert list(table.columns) == ["change", "test macro-F1", "reference test macro-F1", "difference",
                                   "95 % interval", "n", "verdict"]
    assert table["change"].tolist() == ["physics features", "search on top", "a"]
    assert table["verdict"].tolist() == [V.BETTER, V.UNDECIDED, V.TOO_FEW]
    assert table["n"].tolist() == [3, 3, 2]
    v = compare(runs["feat"].values("macro_f1"), runs["base"].values("macro_f1"), higher_is_better=True)
    assert table["95 % interval"].iloc[0] == f"{v.low:+.3f} to {v.high:+.3f}"
    tuned = compare(runs["tuned"].values("macro_f1"), runs["feat"].values("macro_f1"), higher_is_better=True)
    assert table["95 % interval"].iloc[1] == f"{tuned.low:+.3f} to {tuned.high:+.3f}"
    assert table["95 % interval"].iloc[2] == "–"
    assert table["difference"].iloc[2] == "+0.150"  # signed like its interval
    assert table["reference test macro-F1"].iloc[1] == pytest.approx(0.71)
    assert [(r["topic"], r["a"], r["b"], r["word"]) for r in records] == [
        ("changes", "feat", "base", V.BETTER), ("changes", "tuned", "feat", V.UNDECIDED), ("changes", "a", "b", V.TOO_FEW)]


@pytest.mark.parametrize("value, digits, text", [
    (None, 3, "n/a"), (float("nan"), 3, "n/a"), (0.12345, 3, "0.123"), (0.12345, 2, "0.12"), (-0.5, 3, "-0.500"),
    (123.456, 3, "123.5"), (12345.6, 3, "12,346"), (-1500.0, 3, "-1,500"), (7, 1, "7.0")])
def test_num(value, digits, text):
    assert prose.num(value, digits) == text


def test_pct_signed_metric_names_and_join():
    assert prose.pct(0.1234) == "12.3 %" and prose.pct(0.5, 0) == "50 %" and prose.pct(-0.021) == "-2.1 %"
    assert prose.signed(0.0123) == "+0.012" and prose.signed(-2, 1) == "-2.0"
    assert prose.metric_name("macro_f1") == "macro-F1" and prose.metric_name("windows_detected") == "windows detected"
    assert prose.join(["a", "", "b", "c"]) == "a, b and c" and prose.join(["a"]) == "a" and prose.join([]) == ""
    assert prose.join(["x", "y"], "or") == "x or y" and prose.capital("the MLP") == "The MLP"


def test_params_text():
    params = {"lr": 0.003, "hidden": (64, 32), "lr_schedule": None, "max_iter": 27, "class_weight": None,
              "some_key": 1}
    assert prose.params_text(params) == ("learning rate 0.003, hidden layers 64×32 units, learning-rate schedule "
                                         "constant, boosting iterations 27, class weights none, some key 1")
    assert prose.params_text(params, only=("lr", "max_iter")) == "learning rate 0.003, boosting iterations 27"
    assert prose.params_text({"hidden": [16]}) == "hidden layers 16 units"
    assert prose.params_text({}) == ""


def test_verdict_clause_for_each_word():
    better = compare([2, 3, 4, 5, 6], [1, 1, 1, 1, 1], higher_is_better=True)
    assert prose.verdict_clause("the tuned MLP", "HGB", better, "macro_f1", runs="outer splits") == (
        "the tuned MLP is better than HGB on test macro-F1: difference +3.000, 95 % interval +1.037 to +4.963 over "
        "5 outer splits")
    worse = compare([1, 1, 1, 1, 1], [2, 3, 4, 5, 6], higher_is_better=True)
    assert prose.verdict_clause("A", "B", worse, "rmse", digits=1, unit=" $") == (
        "A is worse than B on test RMSE: difference -3.0 $, 95 % interval -5.0 to -1.0 $ over 5 runs")
    par = compare([2.0, 3.0, 4.0], [1.0, 1.0, 1.0], higher_is_better=True, margin=5.0)
    assert prose.verdict_clause("A", "B", par, "accuracy", digits=2, scale=100, unit=" pp", runs="seeds") == (
        "A is on a par with B on test accuracy: difference +200.00 pp, 95 % interval -48.41 to +448.41 pp over "
        "3 seeds")
    undecided = compare([2.0, 3.0, 4.0], [1.0, 1.0, 1.0], higher_is_better=True, margin=0.5)
    assert prose.verdict_clause("A", "B", undecided, "accuracy", runs="seeds") == (
        "A against B on test accuracy is undecided (difference +2.000): better on 3 of 3 seeds, by 1.000 to 3.000; "
        "the 95 % interval (-0.484 to +4.484) reaches past the ±0.5 margin of parity, so 3 seeds cannot settle it")
    few = compare([0.7], [0.6], higher_is_better=True)
    assert prose.verdict_clause("A", "B", few, "macro_f1", runs="seeds") == (
        "A and B cannot be told apart on test macro-F1 with 1 seed (difference +0.100)")
    assert "better" not in prose.verdict_clause("A", "B", few, "macro_f1")


def summary_table(*verdicts):
    return pd.DataFrame({"change": [f"change {i}" for i in range(len(verdicts))], "verdict": list(verdicts)})


def test_verdicts_summary_branches():
    how = "test macro-F1 over 3 outer splits"
    assert prose.verdicts_summary(summary_table(V.PAR), "the MLP", how) == (
        "Change 0 leaves the MLP within the margin of parity of its reference (test macro-F1 over 3 outer splits).")
    assert prose.verdicts_summary(summary_table(V.PAR, V.PAR, V.PAR), "the MLP", how) == (
        "All 3 changes leave the MLP within the margin of parity of their reference "
        "(test macro-F1 over 3 outer splits).")
    assert prose.verdicts_summary(summary_table(V.UNDECIDED), "the MLP", how) == (
        "Whether change 0 changes the MLP is undecided: the runs cannot tell a difference from none "
        "(test macro-F1 over 3 outer splits).")
    assert prose.verdicts_summary(summary_table(V.UNDECIDED, V.UNDECIDED), "the MLP", how) == (
        "None of the 2 changes to the MLP is decided either way: the runs cannot tell a difference from none "
        "(test macro-F1 over 3 outer splits).")
    assert prose.verdicts_summary(summary_table(V.PAR, V.BETTER, V.UNDECIDED), "the MLP", how) == (
        "Change 1 is better than its reference; change 0 is on a par with its reference; change 2 is undecided "
        "(test macro-F1 over 3 outer splits).")
    assert prose.verdicts_summary(summary_table(V.WORSE), "the MLP", how) == (
        "Change 0 is worse than its reference (test macro-F1 over 3 outer splits).")
    assert prose.verdicts_summary(summary_table(V.BETTER, V.WORSE, V.BETTER, V.WORSE, V.PAR), "the MLP", how) == (
        "Change 0 and change 2 are better than their reference; change 1 and change 3 are worse than their reference; "
        "change 4 is on a par with its reference "
        "(test macro-F1 over 3 outer splits).")


def test_a_change_that_changed_nothing_is_said_as_identical(runs):
    same = {"stop": run("stop", runs["base"].values("macro_f1")), "plain": run("plain", runs["base"].values("macro_f1"))}
    table, records = tables.pairs_table({**runs, **same}, [("stop", "plain", "early stopping"), ("feat", "base")],
                                        "macro_f1", higher_is_better=True, test_train_ratio=None, topic="reg")
    assert table["95 % interval"].tolist()[0] == tables.IDENTICAL and table["verdict"].iloc[0] == V.PAR
    assert table["95 % interval"].iloc[1] != tables.IDENTICAL
    assert prose.verdicts_summary(table, "the MLP", "how") == (
        "Early stopping leaves the MLP unchanged on every run (identical scores: it never stopped before the last "
        "epoch); physics features is better than its reference (how).")
    only = table.iloc[[0]].assign(change="dropout")
    assert prose.verdicts_summary(only, "the MLP", "how") == "Dropout leaves the MLP unchanged on every run (identical scores)."


def test_verdicts_summary_groups_changes_of_one_model():
    table = pd.DataFrame({"change": ["lab's MLP: batch norm", "lab's MLP: dropout", "lab's MLP: L2", "tuned MLP: L2",
                                     "tuned MLP: dropout"],
                          "verdict": [V.BETTER, V.WORSE, V.WORSE, V.WORSE, V.PAR]})
    assert prose.verdicts_summary(table, "the MLP", "how") == (
        "Batch norm on the lab's MLP is better than its reference; dropout and L2 on the lab's MLP and L2 on the "
        "tuned MLP are worse than their reference; dropout on the tuned MLP is on a par with its reference (how).")
    assert prose.grouped(["a", "b: c"]) == ("a and b: c", 2)


def test_verdicts_summary_never_calls_too_few_runs_noise():
    how = "test RMSE over 2 seeds"
    one = prose.verdicts_summary(summary_table(V.TOO_FEW), "the MLP", how)
    assert "noise" not in one and "too few runs" in one
    assert one == "There are too few runs to tell whether change 0 changes the MLP (test RMSE over 2 seeds)."
    many = prose.verdicts_summary(summary_table(V.TOO_FEW, V.TOO_FEW), "the MLP", how)
    assert many == ("There are too few runs to tell whether any of the 2 changes to the MLP differs from its "
                    "reference (test RMSE over 2 seeds).")
    mixed = prose.verdicts_summary(summary_table(V.PAR, V.TOO_FEW, V.BETTER), "the MLP", how)
    assert mixed == ("Change 2 is better than its reference; change 0 is on a par with its reference; 1 with too few "
                     "runs to call (test RMSE over 2 seeds).")
    par_and_few = prose.verdicts_summary(summary_table(V.PAR, V.TOO_FEW), "the MLP", how)
    assert "None of" not in par_and_few and par_and_few == ("Change 0 is on a par with its reference; 1 with too few "
                                                         "runs to call (test RMSE over 2 seeds).")


@pytest.mark.parametrize("a, margin, ratio, word, tail", [
    ([0.70, 0.72, 0.71, 0.73], 0.01, None, V.BETTER, "excludes zero, so the verdict is **better**."),
    ([0.601, 0.602, 0.600, 0.601], 0.01, None, V.PAR, "lies inside ±0.01, so the verdict is **on a par**."),
    ([0.70, 0.55, 0.62, 0.58], 0.01, 0.25, V.UNDECIDED,
     "contains zero and reaches past ±0.01, so the verdict is **undecided**: 4 outer splits cannot settle a "
     "difference with this spread."),
])
def test_noise_rule_paragraph_works_its_example(a, margin, ratio, word, tail):
    v = V.compare(a, [0.60, 0.60, 0.60, 0.60], higher_is_better=True, margin=margin, test_train_ratio=ratio)
    assert v.word == word
    text = prose.noise_rule_paragraph(v, "the tuned MLP", "HGB", "accuracy", runs="outer splits")
    assert text.startswith("**How the verdicts are decided.** Two models are compared on the same outer splits")
    assert ("Nadeau–Bengio" in text) == (ratio is not None)
    assert "For example, the tuned MLP against HGB: mean difference" in text and text.endswith(tail)
    few = V.compare([0.7], [0.6], higher_is_better=True, margin=0.01)
    assert prose.noise_rule_paragraph(few, "A", "B", "accuracy", runs="seeds").endswith(
        "A against B has only 1 paired value: too few to call.")


def test_rest_words_of_a_counts_caption():
    table = pd.DataFrame({"change": list("abcd"), "verdict": [V.WORSE, V.PAR, V.UNDECIDED, V.TOO_FEW]})
    assert prose.counts_caption(table, none="none", noun="regularizer") == (
        "1 regularizer worse than its reference; 1 on a par, 2 undecided.")
    assert prose.rest_words(table.iloc[:2], 1) == "; the rest on a par."
    assert prose.rest_words(table.iloc[[0, 2]], 1) == "; the rest undecided."
    assert prose.rest_words(table.iloc[:1], 1) == "."
    assert prose.counts_caption(table.iloc[1:3], none="No change beyond the noise.", noun="x") == "No change beyond the noise."


def test_controls_are_shown_labelled_and_never_counted(runs):
    """Early stopping's reference on the reduced rows is a control: shown as such, left out of the counts."""
    pairs = [("worse", "base", "dropout"), ("feat", "base", "the stopping slice held out")]
    table, records = tables.pairs_table(runs, pairs, "macro_f1", higher_is_better=True, test_train_ratio=None,
                                        topic="regularization")
    assert table["verdict"].tolist() == [V.WORSE, V.BETTER]
    shown, counted, out = tables.mark_controls(table, records, ["feat"])
    assert shown["change"].tolist() == ["dropout", "control: the stopping slice held out"]
    assert shown["verdict"].tolist() == [V.WORSE, "control (better)"]
    assert counted["change"].tolist() == ["dropout"] and counted["verdict"].tolist() == [V.WORSE]
    assert [r["topic"] for r in out] == ["regularization", "regularization_control"]
    assert [r["word"] for r in tables.plot_records(out)] == [V.WORSE, "control"]
    # the caption counts the regularizer only, and says why the control is not counted
    assert prose.counts_caption(counted, none="none", noun="regularizer") == "1 regularizer worse than its reference."
    assert prose.control_note(shown).startswith(" The row marked control trains the reference without the stopping slice")
    assert prose.control_note(table) == ""
    two, _, _ = tables.mark_controls(table, records, ["feat", "worse"])
    assert prose.control_note(two).startswith(" The 2 rows marked control train the references without the stopping "
                                              "slice: they show what the held-out rows cost, are not regularizers")
    assert "better" not in prose.verdicts_summary(counted, "the network", "test macro-F1")


def test_interval_cell_prints_what_a_verdict_rests_on():
    from mlplab.experiment.tables import interval_cell
    from mlplab.experiment.verdict import compare

    par = compare([1.0, 1.01, 0.99], [1.001, 1.009, 0.990], higher_is_better=False, margin=0.01)
    assert par.word == "on a par" and interval_cell(par) == "-0.002 to +0.002"
    assert interval_cell(par.to_dict()) == interval_cell(par)  # a results file's record reads the same
    fine = compare([0.5, 0.6, 0.7], [0.5, 0.55, 0.72], higher_is_better=True, margin=0.00045)
    assert interval_cell(fine) == "-0.07957 to +0.09957"  # enough decimals for the margin's two digits
    assert interval_cell(fine, digits=2) == "-0.08 to +0.10"
    few = compare([0.5, 0.6], [0.5, 0.55], higher_is_better=True, margin=0.01)
    assert interval_cell(few) == "–" and interval_cell(None) == "–"


def test_a_decided_difference_inside_the_margin_is_called_too_small_to_matter():
    tiny = compare([0.491, 0.492, 0.490], [0.489, 0.490, 0.488], higher_is_better=False, margin=0.0049)
    assert tiny.word == V.WORSE
    text = prose.verdict_clause("Early stopping", "its reference", tiny, "rmse", runs="outer splits")
    assert text.endswith("a real difference but inside the ±0.0049 margin of parity, too small to matter")
    big = compare([0.60, 0.62, 0.61], [0.45, 0.46, 0.44], higher_is_better=False, margin=0.0049)
    assert "too small to matter" not in prose.verdict_clause("A", "B", big, "rmse", runs="outer splits")


def test_results_sentence_counts_seeds_for_a_fixed_split():
    doc = {"models": {"a": {}, "b": {}}, "timings_s": {"load": 1.0, "eda": 2.0, "total": 4.0},
           "protocol": {"kind": "holdout", "outer_splits": 3, "seeds": [0, 1, 2]}}
    assert prose.results_sentence("x.json", doc) == ("Results written to `x.json` (2 models, holdout protocol, one "
                                                     "fixed split, 3 seeds); the notebook took 4 s (load 1 s, "
                                                     "exploratory analysis 2 s).")
    nested = {**doc, "protocol": {"kind": "nested", "outer_splits": 3, "seeds": [0, 1, 2]}}
    assert "nested protocol, 3 outer splits)" in prose.results_sentence("x.json", nested)
    long = {**doc, "timings_s": {"levers": 1150.2, "total": 2262.4}}   # thousands separated, as everywhere in the book
    assert prose.results_sentence("x.json", long).endswith("the notebook took 2,262 s (single changes 1,150 s).")


def test_an_interval_end_next_to_the_margin_shows_its_side():
    from mlplab.experiment import verdict as V
    from mlplab.experiment.tables import interval_cell

    par = V.Verdict(V.PAR, 4, -0.0006, -0.0099, 0.009, True, False, None, margin=0.01)
    assert interval_cell(par) == "-0.0099 to +0.0090"   # "-0.010" would sit on the ±0.01 margin it is inside
    plain = V.Verdict(V.PAR, 4, -0.0006, -0.004, 0.004, True, False, None, margin=0.01)
    assert interval_cell(plain) == "-0.004 to +0.004"
