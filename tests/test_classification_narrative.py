"""Every qualitative clause of the maintenance chapter follows a computed condition: one test per branch."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from mlplab.classification import narrative as nv
from mlplab.experiment.record import Run, SplitResult

CLASSES = ("No Failure", "Heat Dissipation Failure", "Power Failure", "Overstrain Failure", "Tool Wear Failure",
           "Random Failures")


def scores(macro: float, rnf: float = 0.0, acc: float = 0.97) -> dict:
    return {"macro_f1": macro, "accuracy": acc, "balanced_accuracy": macro, "weighted_f1": 0.97,
            "per_class": {c: {"f1": rnf if c == "Random Failures" else macro, "precision": macro, "recall": macro,
                              "support": 5} for c in CLASSES}}


def run(name: str, values: list[float], *, role="baseline", rnf=None, train=None) -> Run:
    r = Run(name, role, name.replace("_", " "))
    for i, v in enumerate(values):
        r.splits.append(SplitResult(i, i, scores((train or values)[i]), scores(v), scores(v, (rnf or [0.0] * 3)[i])))
    return r


def maint_frame(n=400, corr_sign=-1.0, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rpm = rng.normal(1500, 150, n)
    torque = 40 + corr_sign * (rpm - 1500) / 15 + rng.normal(0, 2, n)
    return pd.DataFrame({"air_temperature_k": rng.normal(300, 2, n), "process_temperature_k": rng.normal(310, 1, n),
                         "rotational_speed_rpm": rpm, "torque_nm": torque, "tool_wear_min": rng.uniform(0, 250, n),
                         "failure_type": np.where(rng.random(n) < 0.05, "Power Failure", "No Failure")})


def test_correlation_strength_words_follow_r():
    text = nv.correlation_sentence(maint_frame(corr_sign=-1.0))
    assert "strongly tied" in text and "constant power" in text
    weak = maint_frame(corr_sign=0.0)
    text = nv.correlation_sentence(weak)
    assert "weakly tied" in text and "strongly" not in text and "constant power" not in text
    assert "No failure class correlates beyond |r| = 0.3" in text  # random labels: no linear trace


def test_outlier_sentence_says_where_failures_are_only_when_they_are():
    table = pd.DataFrame([{"feature": "torque_nm", "outliers": 20, "outlier share %": 1.0,
                           "failure rate in outliers %": 70.0, "failure rate overall %": 3.5}])
    assert "failures concentrate among them" in nv.outlier_sentence(table)
    table.loc[0, "failure rate in outliers %"] = 0.0
    text = nv.outlier_sentence(table)
    assert "concentrate among them" not in text and "not concentrated" in text
    table.loc[0, "outliers"] = 0
    assert nv.outlier_sentence(table) == "No feature has a value beyond 1.5 IQR of its quartiles."


def leak(share=0.8):
    return {"test_rows": 2000, "train_rows": 8000, "synthetic_test_share": share, "real_test_rows": 400,
            "real_rows": {"macro_f1": 0.4}}


def test_lab_sentence_says_what_the_leak_buys_only_when_it_buys_something():
    text = nv.lab_sentence(leak(), 0.80, 0.30)
    assert "what the leak buys" in text and "+0.500" in text
    text = nv.lab_sentence(leak(), 0.25, 0.30)
    assert "what the leak buys" not in text and "does not score higher (-0.050)" in text


def test_gap_sentence_branches():
    assert "learns some of their noise" in nv.gap_sentence(run("m", [0.6, 0.6, 0.6], train=[0.9, 0.9, 0.9]))
    assert "test score exceeds" in nv.gap_sentence(run("m", [0.8, 0.8, 0.8], train=[0.6, 0.6, 0.6]))
    text = nv.gap_sentence(run("m", [0.7, 0.7, 0.7], train=[0.72, 0.72, 0.72]))
    assert "agree to within 0.05" in text and "generalization gap +0.020" in text


def test_ladder_sentence_branches():
    t = pd.DataFrame({"rung": ["start", "+ physics", "+ search"], "model": ["a", "b", "c"],
                      "verdict": ["–", "on a par", "on a par"]})
    assert nv.ladder_sentence(t).endswith(": every rung is on a par with the one before it.")
    t["verdict"] = ["–", "undecided", "undecided"]
    assert nv.ladder_sentence(t).endswith(": every rung's comparison with the one before it is undecided.")
    t["verdict"] = ["–", "on a par", "undecided"]
    assert nv.ladder_sentence(t).endswith("outer splits, against the rung before each: 1 on a par, 1 undecided.")
    t["verdict"] = ["–", "better", "worse"]
    text = nv.ladder_sentence(t)
    assert "raise the test macro-F1 beyond the noise: + physics" in text and "lower it: + search" in text
    assert "other rungs" not in text
    t["verdict"] = ["–", "better", "undecided"]
    assert nv.ladder_sentence(t).endswith("+ physics. Of the other rungs, against the rung before each: all undecided.")


def test_the_tuned_mlp_is_credited_against_the_labs_mlp_with_budgets():
    runs = {"mlp_tuned": run("mlp_tuned", [0.70, 0.71, 0.69], role="tuned"),
            "mlp_baseline": run("mlp_baseline", [0.45, 0.46, 0.44])}
    runs["mlp_baseline"].settings = {"epochs": 50, "batch_size": 512}
    text = nv.lab_credit_sentence(runs, 0.25, {"epochs": 54, "batch_size": 256}, 6400)
    assert text.startswith("The tuned MLP is better than mlp baseline on test macro-F1")
    assert text.endswith("The training budgets differ: the tuned MLP trained 54 epochs at batch size 256 (1,350 updates "
                         "on 6,400 fit rows), mlp baseline 50 epochs at batch size 512 (650 updates), so the difference "
                         "mixes the change with longer training.")
    # SMOTE raised the lab's MLP to 37,068 rows per epoch: it trained longer, and the sentence says so
    runs["mlp_baseline"].settings = {"epochs": 50, "batch_size": 512, "rows_per_epoch": 37068}
    text = nv.lab_credit_sentence(runs, 0.25, {"epochs": 54, "batch_size": 256}, 6400)
    assert text.endswith("The training budgets differ: the tuned MLP trained 54 epochs at batch size 256 (1,350 updates "
                         "on 6,400 fit rows), mlp baseline 50 epochs at batch size 512 (3,650 updates on 37,068 rows per "
                         "epoch after resampling its 6,400 fit rows), so the difference mixes the change with shorter "
                         "training.")
    assert "budget" not in nv.lab_credit_sentence(runs, 0.25, None, 6400)
    assert nv.lab_credit_sentence({"mlp_tuned": runs["mlp_tuned"]}, 0.25, None, 6400) == ""


def test_headline_and_rules_and_recommendation():
    runs = {"mlp_tuned": run("mlp_tuned", [0.70, 0.71, 0.69], role="tuned"),
            "hgb": run("hgb", [0.60, 0.61, 0.59]), "logreg": run("logreg", [0.701, 0.709, 0.690]),
            "documented_rules": run("documented_rules", [0.69, 0.70, 0.70], role="reference", rnf=[0.7, 0.7, 0.7])}
    text = nv.headline_sentence(runs, 0.25)
    assert "The tuned MLP is better than hgb" in text and "on a par with logreg" in text
    text = nv.rules_sentence(runs, 0.25)
    assert "cannot predict" not in text  # every class scores >= 0.5 here
    assert "the tuned MLP against them on test macro-F1 is undecided" in text or "95 % interval" in text  # with numbers
    runs["documented_rules"].splits[0].test["per_class"]["Random Failures"]["f1"] = 0.0
    for s in runs["documented_rules"].splits:
        s.test["per_class"]["Random Failures"]["f1"] = 0.0
    assert "cannot predict Random Failures (F1 0.00)" in nv.rules_sentence(runs, 0.25)
    rec = {"model": "mlp_tuned", "validation": 0.7, "runner_up": "hgb"}
    text = nv.recommendation_sentence(rec, runs, 0.25)
    assert "better than the validation runner-up, hgb" in text
    assert re.search(r"hgb \(0\.\d{3}; difference \+0\.\d{3} \(95 % interval \+0\.\d{3} to \+0\.\d{3}, 3 runs\)\)\.$", text), text
    assert "none is recommended" in nv.recommendation_sentence(None, runs, 0.25)


def test_random_failures_note_only_when_there_is_a_hit():
    assert nv.random_failures_note(run("m", [0.7, 0.7, 0.7], role="tuned")) == ""
    text = nv.random_failures_note(run("m", [0.7, 0.7, 0.7], role="tuned", rnf=[0.3, 0.0, 0.0]))
    assert "averages 0.10" in text and "adds 0.017" in text


def test_error_sentence_mentions_tool_wear_only_when_it_is_missed():
    pairs = pd.DataFrame([{"true": "Tool Wear Failure", "predicted": "No Failure", "rows": 3,
                           "share of true class %": 60.0}])
    assert "random wear time" in nv.error_sentence(pairs, {"Tool Wear Failure": 0.2, "No Failure": 0.99})
    assert "random wear time" not in nv.error_sentence(pairs, {"Tool Wear Failure": 0.8, "No Failure": 0.99})
    text = nv.error_sentence(pairs, {"Tool Wear Failure": 0.8, "No Failure": 0.99})
    assert "Mean test F1 per class: No Failure 0.99, Tool Wear Failure 0.80." in text  # names, not HDF/none
    assert nv.error_sentence(pairs.iloc[:0], {}) == "No test row of the first split is misclassified."


@pytest.mark.parametrize("a,b,expected", [(0, 0, "agree on every row"), (18, 9, "27 rows disagree")])
def test_label_sentence(a, b, expected):
    report = {"label_inconsistencies": {"failure_type_with_target_0": a, "target_1_with_no_failure": b},
              "label_rule": "rule."}
    assert expected in nv.label_sentence(report)


def test_levers_sentence_counts_the_choices():
    class C:
        def __init__(self, best):
            self.best = best

    assert "in every split" in nv.levers_sentence({0: C("ple"), 1: C("ple")}, {"ple": "piecewise-linear encoding"})
    text = nv.levers_sentence({0: C("ple"), 1: C("standard"), 2: C("ple")}, {})
    assert "ple in 2 splits and standard in 1 split" in text


def test_search_sentence_names_halving_over_a_grid():
    class R:
        method, n_candidates, cv_folds, searched_rows, seconds = "halving", 18, 3, 3200, 40.0
        best_params = {"lr": 0.003, "hidden": [64]}

    text = nv.search_sentence({0: R(), 1: R()}, 6400)
    assert text.startswith("Each outer split ran its own successive-halving search over a grid (scikit-learn's "
                           "HalvingGridSearchCV): 18 configurations, 3-fold stratified cross-validation on 3,200 of its "
                           "6,400 fit rows")
    assert "All splits chose the same configuration" in text


def _cm(matrix, labels=("No Failure", "Power Failure", "Random Failures")):
    return {"confusion_matrix": {"labels": list(labels), "matrix": matrix}}


def test_confusion_sentence_sets_the_fit_rows_beside_the_test_rows():
    train = _cm([[90, 0, 0], [1, 8, 1], [0, 0, 0]])      # 98 of 100 on the diagonal
    test = _cm([[40, 0, 0], [2, 3, 0], [5, 0, 0]])       # 43 of 50
    text = nv.confusion_sentence(train, test)
    assert text.startswith("On its fit rows 98.0 % of the rows lie on the diagonal, on the test rows 86.0 %: the "
                           "network classifies the rows it was trained on better than new ones.")
    # a class without rows is never the worst-recalled one
    assert "The worst-recalled class is Power Failure on the fit rows (recall 0.80) and Random Failures on the test " \
           "rows (0.00)." in text
    same = nv.confusion_sentence(train, train)
    assert "agree to within 2 percentage points" in same and \
        "Power Failure is the worst-recalled class on both (recall 0.80 and 0.80)." in same
    assert "which a small test set of easy rows allows" in nv.confusion_sentence(test, train)


def test_best_balanced_sentence_names_whichever_model_is_best():
    def r(name, label, ba):
        run_ = Run(name, "baseline", label)
        for i, v in enumerate(ba):
            run_.splits.append(SplitResult(i, i, {}, {}, {"balanced_accuracy": v, "macro_f1": 0.5}))
        return run_

    runs = {"mlp_baseline": r("mlp_baseline", "the lab's MLP", [0.72, 0.73, 0.71]),
            "mlp_tuned": r("mlp_tuned", "the tuned MLP", [0.66, 0.67, 0.67]),
            "hgb": r("hgb", "gradient boosting", [0.60, 0.61, 0.62])}
    text = nv.best_balanced_sentence(runs, ["mlp_baseline", "mlp_tuned", "hgb"], {"model": "mlp_tuned"})
    assert text == ("On test balanced accuracy (the mean recall over the classes) the best of these models is the lab's "
                    "MLP (0.720), ahead of the tuned MLP (0.667); by the noise rule better than it: +0.053 (95 % "
                    "interval +0.025 to +0.082, 3 runs); the recommendation (the tuned MLP) is chosen on "
                    "validation macro-F1, which weighs each class's precision as well as its recall.")
    text = nv.best_balanced_sentence(runs, ["mlp_tuned", "hgb"], {"model": "mlp_tuned"})
    assert text.endswith("is the tuned MLP (0.667).")
    assert nv.best_balanced_sentence(runs, [], None) == ""


def test_curves_caption_and_sentence_read_one_diagnosis():
    h = pd.DataFrame({"epoch": [1, 2, 3, 4], "validation_loss": [1.0, 0.5, 0.6, 0.7], "train_loss": [1.0, 0.4, 0.3, 0.2]})
    cap, sentence = nv.curves_caption(h, "the tuned network"), nv.curve_finding(h, "the tuned network")
    assert cap == "The later epochs overfit (validation loss lowest at epoch 2, gap widening)."
    assert sentence.startswith("The validation loss of the tuned network is lowest at epoch 2 of 4") and cap not in sentence
    assert nv.curves_caption(None, "the tuned network") == "Loss per epoch of the tuned network."


def test_rows_per_epoch_counts_what_a_resampled_network_trains_on():
    from types import SimpleNamespace

    from mlplab.classification import steps

    y = np.array(["a"] * 90 + ["b"] * 7 + ["c"] * 3)
    st = SimpleNamespace(splits=[SimpleNamespace(fit=SimpleNamespace(y=y))])
    assert steps.rows_per_epoch(st, "smote") == {"rows_per_epoch": 270}
    assert steps.rows_per_epoch(st, "undersample") == {"rows_per_epoch": 9}
    assert steps.rows_per_epoch(st, "none") == {} and steps.rows_per_epoch(st, "smote_tomek") == {}


def test_eda_prose_names_features_in_words_and_the_caption_matches_the_heatmap():
    rng = np.random.default_rng(0)
    speed = rng.normal(1500, 100, 500)
    torque = 60000 / speed + rng.normal(0, 2, 500)
    frame = pd.DataFrame({"air_temperature_k": rng.normal(300, 2, 500), "process_temperature_k": rng.normal(310, 1, 500),
                          "rotational_speed_rpm": speed, "torque_nm": torque, "tool_wear_min": rng.uniform(0, 200, 500)})
    text = nv.correlation_caption(frame)
    assert text.startswith("The strongest pair of raw inputs is rotational speed and torque (r = -0.")
    assert "; a physics feature correlates more with an input it is built from (tool wear and wear × torque" in text
    assert "_" not in text  # no column identifiers
    # two pairs exactly as strong, opposite signs (the real file: +0.88 and -0.88): both named
    a, e, perm = rng.normal(0, 1, 500), rng.normal(0, 0.5, 500), rng.permutation(500)
    tie = frame.assign(air_temperature_k=300 + a, process_temperature_k=310 + a + e,
                       rotational_speed_rpm=1500 + 100 * a[perm], torque_nm=40 - 10 * (a[perm] + e[perm]))
    text = nv.correlation_caption(tie)
    assert text.startswith("The strongest pairs of raw inputs, equally strong at two decimals, are ")
    assert "rotational speed and torque (r = -0.87)" in text and "air temperature and process temperature (r = +0.87)" in text
    out = pd.DataFrame({"feature": ["temp_diff_k", "power_w"], "outliers": [3, 60]})
    assert nv.outlier_caption(out) == "Power has the most outliers (60)."


def test_maintenance_figures_name_features_in_words_with_units():
    from mlplab.plots.eda_maintenance import _label

    assert _label("torque_nm") == "torque [Nm]" and _label("wear_torque_min_nm") == "wear × torque [min·Nm]"
    assert _label("type") == "type"


def test_failure_type_abbreviations_are_spelled_out():
    from mlplab.plots.eda_maintenance import abbreviations

    assert abbreviations() == ("None: no failure; HDF: heat dissipation failure; PWF: power failure; OSF: overstrain "
                               "failure; TWF: tool wear failure; RNF: random failures.")


def test_label_and_cleaning_sentences_use_words_not_column_names():
    report = {"label_inconsistencies": {"failure_type_with_target_0": 0, "target_1_with_no_failure": 0},
              "label_rule": "The multi-class label is failure_type exactly as given"}
    text = nv.label_sentence(report)
    assert "failure_type" not in text and "The label is the file's failure type, unchanged" in text
    summary = pd.DataFrame({"column": ["udi", "product_id", "target", "type"], "missing": [0, 0, 0, 0],
                            "use": ["dropped (id)", "dropped (id)", "dropped (label)", "one-hot"]})
    text = nv.cleaning_sentence(summary)
    assert ("Dropped before modelling: the row number, the product id and the binary machine-failure label. The "
            "product type (L, M or H) is one-hot encoded") in text and "`" not in text
