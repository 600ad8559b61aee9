"""Lab 1's comparison and conclusions: computed from results documents only, each clause on its condition."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from mlplab.conclusions import lab1 as C
from mlplab.experiment import document
from mlplab.experiment.protocol import Protocol
from mlplab.experiment.record import Run, SplitResult
from mlplab.experiment.schema import stamp, validate
from mlplab.experiment.verdict import compare_runs, record

REG = ("rmse", "mae", "r2", "mape", "mse", "r2_return")
CLF_CLASSES = ("No Failure", "Random Failures")


def reg_scores(v):
    return {"rmse": v, "mae": v, "r2": 0.99, "mape": 1.0, "mse": v * v, "r2_return": 0.5}


def clf_scores(v):
    return {"macro_f1": v, "accuracy": 0.9, "balanced_accuracy": v, "weighted_f1": 0.9,
            "per_class": {c: {"f1": v, "precision": v, "recall": v, "support": 3} for c in CLF_CLASSES},
            "confusion_matrix": {"labels": list(CLF_CLASSES), "matrix": [[3, 0], [0, 3]]}}


def mk(name, values, scorer, role="variant", validate_=True, **info):
    r = Run(name, role, f"the {name.replace('_', ' ')}")
    for i, v in enumerate(values):
        r.splits.append(SplitResult(i, i, scorer(v), scorer(v) if validate_ else {}, scorer(v)))
    r.info.update(info)
    return r


def reg_doc(tuned=(0.95, 0.96, 0.94), kind="real", extent=None, error=None, budgets=None):
    """`extent`: (symbols, rows) of the loaded file (the results' extra.eda); `error`: (symbol, share %)."""
    runs = {n: mk(n, v, reg_scores, role) for n, v, role in (
        ("naive", (2.0,) * 3, "baseline"), ("ols", (1.5,) * 3, "baseline"), ("ols_return", (1.0,) * 3, "baseline"),
        ("mlp_baseline", (1.0, 1.01, 0.99), "baseline"), ("mlp_baseline_close", (8.0, 9.0, 7.0), "variant"),
        ("mlp_tuned", tuned, "tuned"))}
    runs["lab_protocol"] = mk("lab_protocol", (100.0,), reg_scores, "leaky_reference", validate_=False)
    runs["lab_protocol"].settings = {"epochs": 50}
    runs["mlp_tuned_dropout"] = mk("mlp_tuned_dropout", (1.5, 1.51, 1.49), reg_scores,
                                   regularization={"regularizer": "dropout", "reference": "mlp_tuned", "family": "tuned"})
    pairs = [("tuning", "mlp_tuned", "mlp_baseline"), ("mlp_vs_linear", "mlp_tuned", "ols_return"),
             ("linear", "ols", "naive"), ("formulation", "mlp_baseline", "mlp_baseline_close"),
             ("regularization", "mlp_tuned_dropout", "mlp_tuned")]
    verdicts = [record(t, a, b, "rmse", compare_runs(runs[a], runs[b], "rmse", higher_is_better=False)) for t, a, b in pairs]
    rec = {"model": "mlp_tuned", "by": "validation", "metric": "rmse", "validation": runs["mlp_tuned"].mean("rmse"),
           "runner_up": "mlp_baseline"}
    doc = document.build("regression", profile="quick", params={}, protocol=Protocol("holdout", 1, "search", (0, 1, 2)),
                         provenance={"source": "file", "kind": kind, "path": "data/raw/p.csv", "rows": 10, "sha256": "x"},
                         timings={"total": 1.0}, runs=runs, best_params={}, recommended=rec, verdicts=verdicts,
                         history=[])
    doc["history"] = {"lab_protocol": {"epoch": [1, 2], "test_loss": [50000.0, 12000.0]}}
    if budgets is not None:  # ((epochs, batch) of the baseline MLPs, (epochs, batch) of the tuned MLP)
        for n in ("mlp_baseline", "mlp_baseline_close"):
            doc["models"][n]["settings"] = {"epochs": budgets[0][0], "batch_size": budgets[0][1]}
        doc["models"]["mlp_tuned"]["settings"] = {"epochs": budgets[1][0], "batch_size": budgets[1][1]}
        doc["extra"]["periods"] = [{"period": "fit", "rows": 4520}, {"period": "test", "rows": 2016}]
    if extent is not None:
        doc["extra"]["eda"] = {"symbols": extent[0], "rows": extent[1], "symbol_names": ["AAL", "DOW", "EQIX", "ZION"][:extent[0]]}
    if error is not None:
        doc["extra"]["error"] = {"worst_symbol": error[0], "worst_symbol_share_pct": error[1]}
    return stamp(doc)


def clf_doc(hgb=(0.60, 0.61, 0.59), rec_model="mlp_tuned", kind="real"):
    runs = {n: mk(n, v, clf_scores, role) for n, v, role in (
        ("majority", (0.16,) * 3, "baseline"), ("logreg", (0.45, 0.44, 0.46), "baseline"), ("hgb", hgb, "baseline"),
        ("documented_rules", (0.69, 0.70, 0.68), "reference"), ("mlp_baseline", (0.30, 0.31, 0.29), "baseline"),
        ("mlp_baseline_physics", (0.40, 0.41, 0.39), "variant"),
        ("mlp_baseline_physics_none", (0.40, 0.42, 0.38), "variant"), ("mlp_searched", (0.41, 0.40, 0.42), "variant"),
        ("mlp_tuned_net", (0.60, 0.61, 0.59), "variant"), ("mlp_tuned", (0.66, 0.67, 0.65), "tuned"))}
    runs["lab_protocol"] = mk("lab_protocol", (0.80,), clf_scores, "leaky_reference", validate_=False)
    runs["lab_protocol"].settings = {"epochs": 50}
    ratio = 0.25
    pairs = [("tuning", "mlp_searched", "mlp_baseline_physics_none"), ("mlp_vs_boosting", "mlp_tuned", "hgb"),
             ("features", "mlp_baseline_physics", "mlp_baseline"), ("thresholds", "mlp_tuned", "mlp_tuned_net"),
             ("ladder", "mlp_tuned_net", "mlp_searched")]
    verdicts = [record(t, a, b, "macro_f1", compare_runs(runs[a], runs[b], "macro_f1", higher_is_better=True,
                                                          test_train_ratio=ratio)) for t, a, b in pairs]
    rec = {"model": rec_model, "by": "validation", "metric": "macro_f1",
           "validation": runs[rec_model].mean("macro_f1", "validation"), "runner_up": "hgb"}
    doc = document.build("classification", profile="quick", params={},
                         protocol=Protocol("nested", 3, "nested search", (0, 1, 2)),
                         provenance={"source": "file", "kind": kind, "path": "data/raw/m.csv", "rows": 10, "sha256": "x"},
                         timings={"total": 1.0}, runs=runs, best_params={}, recommended=rec, verdicts=verdicts,
                         extra={"lab_protocol": {"synthetic_test_share": 0.8, "real_rows": {"macro_f1": 0.3},
                                                 "test_rows": 100, "train_rows": 400, "real_test_rows": 20}})
    return stamp(doc)


def test_fixture_documents_are_valid():
    assert validate(reg_doc()) == [] and validate(clf_doc()) == []


def test_recommendation_table_reads_the_validation_choice():
    t = C.recommendation_table(reg_doc(), clf_doc())
    assert t["recommended (validation)"].tolist() == ["the mlp tuned", "the mlp tuned"]
    assert t["protocol"].iloc[0] == "holdout, 1 outer split"  # no "split(s)"
    assert "NYSE price regression: the mlp tuned" in C.recommendation_caption(reg_doc(), clf_doc())


def test_tuning_sentence_branches():
    assert "is better than the mlp baseline" in C.tuning_sentence(reg_doc())
    text = C.tuning_sentence(reg_doc(tuned=(1.001, 1.009, 0.990)))
    assert "on a par with" in text and "survives the noise" in text
    text = C.tuning_sentence(reg_doc(tuned=(1.0, 1.02, 0.98)))
    assert "in an undecided comparison with" in text and "survives" not in text
    text = C.tuning_sentence(reg_doc(tuned=(1.5, 1.51, 1.49)))
    assert "is worse than" in text and "did not carry over" in text


def test_regularization_summary():
    table = C.regularization_table(reg_doc(), clf_doc())
    assert table.to_dict("records")[0]["regularizer"] == "dropout" and table["verdict"].tolist() == ["worse"]
    assert table["95 % interval"].iloc[0] == "+0.5500 to +0.5500"  # dropout: 0.55 higher on every seed; margin 0.0095
    assert table["difference"].iloc[0] == "+0.5500"  # the interval's decimals
    assert "hurt: dropout on the tuned network" in C.regularization_sentences(table)
    par = table.assign(verdict="on a par")
    assert "no regularizer moves the test score beyond the noise, on any network: all on a par." in \
        C.regularization_sentences(par)
    # the other regularizers are described by their own verdicts, never assumed on a par
    four = pd.DataFrame({"task": ["x"] * 4, "network": ["tuned"] * 4, "regularizer": list("abcd"),
                         "difference": [0.0] * 4, "verdict": ["worse", "on a par", "undecided", "undecided"]})
    assert C.regularization_sentences(four) == ("For the x, hurt: a on the tuned network; of the other regularizers, "
                                                "1 on a par, 2 undecided.")
    assert C.regularization_sentences(four.assign(verdict=["worse"] + ["undecided"] * 3)).endswith(
        "; the other regularizers undecided.")
    assert C.regularization_sentences(four.assign(verdict=["on a par"] + ["undecided"] * 3)).endswith(
        "on any network: 1 on a par, 3 undecided.")


def test_protocol_sentences_branch_on_the_leak():
    text = C.protocol_sentences(reg_doc(), clf_doc())
    assert "80 % of its test rows synthetic" in text and "the leaky score overstates it" in text
    doc = clf_doc()
    doc["models"]["lab_protocol"]["test"]["macro_f1"] = 0.10
    assert "not higher" in C.protocol_sentences(reg_doc(), doc)


def test_published_table_like_with_like():
    t = C.published_table(reg_doc(), clf_doc())
    rows = {r["published"]: r for r in t.to_dict("records")}
    assert rows["MSE 11,320"]["ours"] == "10,000" and "random split, 50 epochs (real data)" in rows["MSE 11,320"]["our run"]
    assert "split (real data)" in rows["accuracy 0.78"]["our run"]
    assert rows["RMSE 82.9"]["ours"] == "none" and "no counterpart" in rows["RMSE 82.9"]["our run"]
    assert rows["test MSE, epoch 0 → 50: 11,926 → 11,320"]["ours"] == "50,000 → 12,000"
    assert rows["accuracy 0.78"]["ours"] == "0.900"
    assert "the data the lab used" in C.published_caption(reg_doc(), clf_doc())
    assert "only the protocol matches" in C.published_caption(reg_doc(kind="synthetic"), clf_doc())


def test_published_sentences_branch_on_the_gap_and_the_data():
    text = C.published_sentences(reg_doc(), clf_doc())
    assert "0.900" in text and "The gap can come from" in text
    assert "embedded generator" not in text  # real data: the data cannot be the cause
    assert "embedded generator" in C.published_sentences(reg_doc(), clf_doc(kind="synthetic"))
    fifty = clf_doc()  # the same 50 epochs as the write-up: the epochs cannot be the cause
    fifty["models"]["lab_protocol"]["settings"] = {"epochs": 50}
    assert "The gap can come from the batch size" in C.published_sentences(reg_doc(), fifty)
    fifty["models"]["lab_protocol"]["settings"] = {"epochs": 20}
    assert "The gap can come from the epochs, the batch size" in C.published_sentences(reg_doc(), fifty)
    doc = clf_doc()
    doc["models"]["lab_protocol"]["test"]["accuracy"] = 0.79
    assert "reproduced within 0.05" in C.published_sentences(reg_doc(), doc)
    assert "ran on synthetic prices" in C.published_sentences(reg_doc(kind="synthetic"), clf_doc())


def test_conclusions_synthesize_per_task():
    md = C.conclusions_md(reg_doc(), clf_doc())
    assert md.count("## ") == 5 and "**Use the mlp tuned.**" in md
    assert "better than gradient boosting" in md
    assert "Helped beyond the noise: the physics features, out-of-fold decision thresholds" in md
    assert "The formulation mattered: predicting the intraday return instead of the price is better" in md
    assert "mattered most" not in md
    assert "synthetic stand-in" not in md


def test_conclusions_explain_a_rules_recommendation_and_synthetic_data():
    md = C.conclusions_md(reg_doc(kind="synthetic"), clf_doc(rec_model="documented_rules"))
    assert "**Use the documented rules.**" in md and "a property of AI4I 2020" in md
    assert "NYSE price regression ran on the package's synthetic stand-in data" in md


def test_conclusions_when_the_mlp_loses_to_boosting():
    md = C.conclusions_md(reg_doc(), clf_doc(hgb=(0.80, 0.81, 0.79)))
    assert "worse than gradient boosting" in md


def test_synthetic_note():
    assert C.synthetic_note(reg_doc(), clf_doc()) is False
    assert C.synthetic_note(reg_doc(kind="synthetic"), clf_doc()) == "NYSE price regression part"
    assert C.synthetic_note(reg_doc(kind="synthetic"), clf_doc(kind="synthetic")) is True


def test_no_recommendation():
    doc = copy.deepcopy(clf_doc())
    doc["recommended"] = None
    assert "No model was validated" in C.conclusions_md(reg_doc(), doc)


def test_the_nyse_extract_is_named_wherever_the_data_is():
    """4 of the Kaggle file's 501 symbols: the published table, its caption, the sentences and the conclusions say so."""
    reg = reg_doc(extent=(4, 7048), error=("EQIX", 93.2))
    t = C.published_table(reg, clf_doc())
    rows = {r["published"]: r for r in t.to_dict("records")}
    assert "(real data, 4 of 501 symbols)" in rows["MSE 11,320"]["our run"]
    assert "split (real data)" in rows["accuracy 0.78"]["our run"]
    caption = C.published_caption(reg, clf_doc())
    assert "the data the lab used; the regression run used an extract of the Kaggle file (4 of its 501 symbols, 7,048 " \
           "of its 851,264 rows)" in caption and "Our runs used the real Kaggle files" not in caption
    assert "an extract of the Kaggle file: 4 of its 501 symbols and 7,048 of its 851,264 rows (0.8 %)" in \
        C.published_sentences(reg, clf_doc())
    md = C.conclusions_md(reg, clf_doc())
    assert "The NYSE file of this run is an extract of the Kaggle file: 4 of its 501 symbols" in md
    assert "these symbols (AAL, DOW, EQIX, ZION)" in md
    assert "One symbol, EQIX, carries 93.2 % of the tuned MLP's squared test error" in md
    # the whole file: no extract sentence, the caption names the lab's data
    whole = reg_doc(extent=(501, 851264), error=("EQIX", 20.0))
    assert C.published_caption(whole, clf_doc()) == "Our runs used the real Kaggle files, the data the lab used."
    md = C.conclusions_md(whole, clf_doc())
    assert "extract" not in md and "The largest contributor to the tuned MLP's squared test error, EQIX, carries 20.0 %" in md
    assert "extract" not in C.published_sentences(whole, clf_doc())


def _set_word(doc, topic, word, a=None):
    for v in doc["verdicts"]:
        if v["topic"] == topic and (a is None or v["a"] == a):
            v["word"] = word
    return doc


def test_tasks_side_by_side_gain_over_the_simplest_baseline():
    md = C.tasks_compared(reg_doc(), clf_doc())
    assert md.startswith("## The two tasks side by side")
    # regression: tuned 0.95 against naive 2.0, lower is better: 52 % better, the noise rule on the paired seeds
    assert ("In the NYSE price regression the tuned MLP reaches a test RMSE of 0.950 USD against 2.000 USD for the "
            "naive forecast (close = open) (53 % lower); by the noise rule it is better than it: -1.050 (95 % "
            "interval ") in md
    assert ("In the maintenance classification the tuned MLP reaches a test macro-F1 of 0.660 against 0.160 for the "
            "majority class (+0.500)") in md  # a score's gain as a difference, never a ratio
    worse = C.gain_sentence(reg_doc(tuned=(2.5, 2.6, 2.4)))
    assert "(25 % higher); by the noise rule it is worse than it" in worse
    same = clf_doc()
    same["models"]["mlp_tuned"]["seeds"]["mean"]["macro_f1"] = 0.16
    assert "the tuned MLP scores the test macro-F1 of the majority class (0.160)" in C.gain_sentence(same)
    missing = reg_doc()
    del missing["models"]["naive"]
    assert C.gain_sentence(missing) == "In the NYSE price regression, the tuned MLP and the naive forecast (close = open) were not both run."


def test_levers_and_the_common_lesson_branches():
    reg, clf = reg_doc(), clf_doc()
    # regression: formulation and search both better; classification: features and thresholds better
    assert C.levers_sentence(reg) == ("Changes that moved a network's score beyond the noise: the formulation (the intraday return "
                                      "instead of the price) and the hyperparameter search.")
    assert "Both kinds of change mattered: the framing of the problem in the NYSE price regression and the " \
           "maintenance classification and the hyperparameter search in the NYSE price regression." == \
        C.framing_sentence(reg, clf)
    assert C.levers_learning(reg, clf).startswith("**Framing and search both counted.** Beyond the noise, the NYSE "
                                                   "price regression gained from the formulation")
    _set_word(reg, "tuning", "undecided")
    assert C.framing_sentence(reg, clf).startswith("The common lesson: in both tasks, what the network is asked and shown")
    assert C.levers_learning(reg, clf).startswith("**Framing before tuning.**")
    _set_word(reg, "formulation", "undecided")
    assert C.framing_sentence(reg, clf).startswith("Only in the maintenance classification did what the network is "
                                                   "asked and shown")
    for t in ("features", "thresholds", "rebalancing", "smote_on_tuned", "ladder"):
        _set_word(clf, t, "worse")
    assert C.framing_sentence(reg, clf).startswith("Neither the framing of the problem nor the hyperparameter search")
    assert C.levers_learning(reg, clf) == ("**No single change can be credited.** Beyond the noise, the NYSE price "
                                           "regression gained from no single change; the maintenance classification "
                                           "gained from no single change.")
    assert ("Changes that lowered it: the physics features, out-of-fold decision thresholds and the input encoding "
            "chosen by inner cross-validation.") in C.levers_sentence(clf)
    assert C.levers_sentence(reg).startswith("No single change (the formulation (the intraday return instead of the "
                                             "price) and the hyperparameter search) moved a network's score beyond the noise.")
    _set_word(reg, "tuning", "better")
    assert C.framing_sentence(reg, clf).startswith("Only the hyperparameter search moved a score beyond the noise, in "
                                                   "the NYSE price regression; no change")
    assert C.levers_learning(reg, clf).startswith("**The searched configuration paid off.**")
    longer = reg_doc(budgets=((6, 4096), (27, 2048)))
    assert C.levers_sentence(longer).endswith("and the hyperparameter search (with 81 instead of 12 training updates).")
    _set_word(longer, "formulation", "undecided")
    assert "(its configuration also trained with another budget, so the search's own share is not measured)" in \
        C.framing_sentence(longer, clf)
    assert C.levers_learning(longer, clf).startswith("**The searched configuration scored better, with another "
                                                     "training budget.**")
    bare = reg_doc()
    bare["verdicts"] = []
    assert C.levers_sentence(bare) == "No single change was compared in the NYSE price regression."


def test_key_learnings_branches():
    md = C.key_learnings(reg_doc(), clf_doc())
    assert md.startswith("## Key learnings\n\n1. **Here the network beats the strongest non-network model.** The tuned MLP "
                         "is better than least squares on the return in the NYSE price regression and better than "
                         "gradient boosting in the maintenance classification.")
    assert "**The protocol decides what a score means.** Resampling before the split let the lab's network score " \
           "0.800 macro-F1 on a test set that was 80 % synthetic, against 0.300 on untouched rows." in md
    assert "**Regularization was not where the gains were.** 0 of 1 regularizer comparisons are better" in md
    assert "**Few runs leave many questions open.** 1 of the 10 recorded comparisons is undecided" in md
    md = C.key_learnings(reg_doc(), clf_doc(hgb=(0.80, 0.81, 0.79)))
    assert "**A network is not the default winner on tabular data.** The tuned MLP is better than least squares on " \
           "the return in the NYSE price regression and worse than gradient boosting" in md
    low = clf_doc()
    low["models"]["lab_protocol"]["test"]["macro_f1"] = 0.1
    assert "its score (0.100) is not higher than the honest one (0.300) here" in C.key_learnings(reg_doc(), low)
    reg = _set_word(reg_doc(), "regularization", "better")
    assert "**Some regularizers helped.** 1 of 1 regularizer comparisons is better than its reference; the rest are " \
        "on a par or undecided." in C.key_learnings(reg, clf_doc())
    regs = pd.DataFrame({"verdict": ["better"] + ["worse"] * 2 + ["undecided"] * 12})
    assert C._regularizers_learning(regs) == ("**Regularizers rarely mattered.** 1 of 15 regularizer comparisons is "
                                              "better than its reference, 2 worse; the rest are on a par or undecided.")
    control = reg_doc()  # a control is never counted among the comparisons
    control["verdicts"].append({**control["verdicts"][0], "topic": "regularization_control", "word": "undecided"})
    assert "1 of the 10 recorded comparisons is undecided" in C.key_learnings(control, clf_doc())
    twice = reg_doc()  # a comparison recorded twice (a ladder row repeating a feature row) counts once
    twice["verdicts"].append({**twice["verdicts"][0], "topic": "ladder"})
    assert "1 of the 10 recorded comparisons is undecided" in C.key_learnings(twice, clf_doc())
    reg = _set_word(reg_doc(), "linear", "undecided")
    assert "**Few runs leave many questions open.** 2 of the 10 recorded comparisons are undecided" in \
        C.key_learnings(reg, clf_doc())


def clf_budget_doc(lab=(50, 512), searched=(54, 256), balanced=None):
    doc = clf_doc()
    runs_ = {n: mk(n, v, clf_scores) for n, v in (("mlp_tuned", (0.66, 0.67, 0.65)), ("mlp_baseline", (0.30, 0.31, 0.29)))}
    doc["verdicts"].append(record("lab_vs_tuned", "mlp_tuned", "mlp_baseline", "macro_f1",
                                  compare_runs(runs_["mlp_tuned"], runs_["mlp_baseline"], "macro_f1",
                                               higher_is_better=True, test_train_ratio=0.25)))
    for n in ("mlp_baseline", "mlp_baseline_physics", "mlp_baseline_physics_none"):
        doc["models"][n]["settings"] = {"epochs": lab[0], "batch_size": lab[1]}
    doc["best_params"] = {"mlp": {"0": {"epochs": searched[0], "batch_size": searched[1]}, "1": {"epochs": 1, "batch_size": 1}}}
    doc["extra"]["split_sizes"] = {"fit": 6400, "validation": 1600, "test": 2000}
    for n, v in (balanced or {}).items():
        doc["models"][n]["seeds"]["mean"]["balanced_accuracy"] = v
        k = len(doc["models"][n]["per_split"]["test"]["balanced_accuracy"])
        doc["models"][n]["per_split"]["test"]["balanced_accuracy"] = [v + 0.01 * (i - 1) for i in range(k)]
    return doc


def test_credited_gains_state_the_training_budgets():
    """6 epochs at batch 4,096 on 4,520 rows is 12 updates: a credited gain says when the budgets differ."""
    from mlplab.experiment.prose import budget_clause, updates

    assert updates({"epochs": 6, "batch_size": 4096}, 4520) == 12 and updates({"epochs": 6}, 4520) is None
    assert budget_clause("a", {"epochs": 2, "batch_size": 10}, "b", {"epochs": 1, "batch_size": 5}, 100) == \
        "both trained with equal budgets (20 updates each on 100 fit rows)"
    assert budget_clause("a", {}, "b", {"epochs": 1, "batch_size": 5}, 100) == ""
    reg = reg_doc(budgets=((6, 4096), (27, 2048)))
    text = C.tuning_sentence(reg)
    assert ("The training budgets differ: the mlp tuned trained 27 epochs at batch size 2,048 (81 updates on 4,520 fit "
            "rows), the mlp baseline 6 epochs at batch size 4,096 (12 updates), so the difference mixes the change "
            "with longer training.") in text
    md = C.conclusions_md(reg, clf_doc())
    assert "paid off" not in md and ("The tuned MLP is better than the lab's architecture, but the training budgets "
                                     "differ: ") in md and "the search's own share of the gain is not measured" in md
    assert "better for the same network by the noise rule; both trained with equal budgets (12 updates each on 4,520 " \
           "fit rows)." in md
    same = reg_doc(budgets=((27, 2048), (27, 2048)))
    md = C.conclusions_md(same, clf_doc())
    assert "The hyperparameter search paid off against the lab's architecture; both trained with equal budgets (81 " \
           "updates each on 4,520 fit rows)." in md
    worse = reg_doc(tuned=(1.5, 1.51, 1.49), budgets=((6, 4096), (27, 2048)))
    assert "did not carry over to the test period. The training budgets differ" in C.conclusions_md(worse, clf_doc())
    assert "The hyperparameter search paid off against the lab's architecture." in C.conclusions_md(reg_doc(), clf_doc())


def test_the_search_is_credited_against_the_labs_mlp_too():
    doc = clf_budget_doc()
    text = C.tuning_sentence(doc)
    # the rung before the search (no rebalancing) and the lab's MLP it replaces, each with budgets
    assert ("The training budgets differ: the mlp searched trained 54 epochs at batch size 256 (1,350 updates on 6,400 "
            "fit rows), the mlp baseline physics none 50 epochs at batch size 512 (650 updates)") in text
    assert ("Against the mlp baseline at 0.300, the network it replaces, the tuned MLP (0.660) is better than it "
            "(difference +0.360 macro-F1, 95 % interval +0.3"
            ) in text and ("over 3 outer splits); the training budgets differ: the mlp tuned trained 54 "
            "epochs") in text
    assert C.lab_credit_sentence(clf_doc()) == ""  # not recorded: nothing said
    md = C.conclusions_md(reg_doc(), doc)
    assert "Against the mlp baseline at 0.300, the network it replaces" in md


def test_the_best_balanced_accuracy_is_named_whichever_model_it_is():
    doc = clf_budget_doc(balanced={"mlp_baseline": 0.722, "mlp_tuned": 0.667})
    text = C.best_balanced_sentence(doc)
    assert text.startswith("On test balanced accuracy (the mean recall over the classes) the best of the chapter's "
                           "headline models is the mlp baseline (0.722), ahead of the tuned MLP (0.667)")
    assert text in C.conclusions_md(reg_doc(), doc)
    doc = clf_budget_doc(balanced={"mlp_tuned": 0.99})
    assert C.best_balanced_sentence(doc) == ("On test balanced accuracy (the mean recall over the classes) the best of "
                                             "the chapter's headline models is the mlp tuned (0.990).")
    doc = clf_budget_doc(balanced={"hgb": 0.99})
    assert ("is the hgb (0.990), ahead of the tuned MLP (0.660); by the noise rule better than it: +0.330 (95 % "
            "interval") in C.best_balanced_sentence(doc)
    assert C.best_balanced_sentence(doc).endswith("3 runs); the "
                                                  "recommendation (the mlp tuned) is chosen on validation macro-F1, "
                                                  "which weighs each class's precision as well as its recall.")


def test_the_searchs_credit_in_the_classification_conclusion_names_a_budget_difference():
    doc = _set_word(clf_doc(), "tuning", "better")
    doc["models"]["mlp_searched"]["settings"] = {"epochs": 54, "batch_size": 256}
    doc["models"]["mlp_baseline_physics_none"]["settings"] = {"epochs": 50, "batch_size": 512}
    doc.setdefault("extra", {})["split_sizes"] = {"fit": 6400}
    text = C._classification_conclusion(doc)
    assert "The hyperparameter search raised the network's score beyond the noise (+" in text
    assert "95 % interval " in text and "); the training budgets differ" in text
    assert "itself" not in text
    same = _set_word(clf_doc(), "tuning", "better")
    for name in ("mlp_searched", "mlp_baseline_physics_none"):
        same["models"][name]["settings"] = {"epochs": 50, "batch_size": 512}
    same_text = C._classification_conclusion(same)
    assert "The hyperparameter search raised the network's score beyond the noise (+" in same_text
    assert "training budgets differ" not in same_text.split("raised the network's score")[1].split(". ")[0]
