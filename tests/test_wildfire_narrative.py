"""Every branch of the wildfire prose and of Lab 2's conclusions."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from mlplab.experiment import verdict as V
from mlplab.experiment.record import Run, SplitResult
from mlplab.conclusions import lab2 as C
from mlplab.wildfire import narrative as nv


def run(name, label, test, train=None, role="baseline", metric="macro_f1"):
    r = Run(name, role, label)
    for i, t in enumerate(test):
        r.splits.append(SplitResult(i, i, {metric: (train or test)[i]}, {metric: t}, {metric: t}))
    return r


def test_repairs_classes_and_separation():
    assert "needed no repair" in nv.repairs_sentence({"repairs": []})
    rep = {"repairs": [{"repair": "fused field split", "count": 1, "lines": [171]},
                       {"repair": "empty line skipped", "count": 1, "lines": [125]}]}
    text = nv.repairs_sentence(rep)
    assert "2 kinds of repair" in text and "line 171" in text
    assert "fused row" not in nv.repairs_sentence({"repairs": rep["repairs"][1:]})
    counts = pd.DataFrame({"region": ["A", "B", "both regions"], "not fire": [60, 40, 100], "fire": [60, 80, 140],
                           "rows": [120, 120, 240], "fire share %": [50.0, 66.7, 58.3]})
    assert "more frequent in B" in nv.classes_sentence(counts)
    counts["fire share %"] = [50.0, 52.0, 51.0]
    assert "about the same share" in nv.classes_sentence(counts)
    sep = pd.DataFrame({"feature": ["ISI", "Rain"], "set": ["FWI index", "weather"], "AUC alone": [0.99, 0.2],
                        "strength": [0.98, 0.6]})
    assert "almost a one-cut problem" in nv.separation_sentence(sep)
    text = nv.separation_sentence(sep)  # a low AUC is a strong signal the other way, and the text says so
    assert "Rain has an AUC of 0.200: below 0.5, so it ranks the classes the other way" in text
    assert "read reversed it reaches 0.800" in text and "ISI orders fire and no-fire days with a ROC AUC of 0.990" in text
    sep.loc[1, "AUC alone"] = 0.7
    assert "among the weather variables Rain reaches 0.700." in nv.separation_sentence(sep)
    assert "other way" not in nv.separation_sentence(sep)
    sep.loc[0, "AUC alone"] = 0.02
    assert "ISI has an AUC of 0.020: below 0.5" in nv.separation_sentence(sep)
    more = pd.concat([sep, pd.DataFrame({"feature": ["RH"], "set": ["weather"], "AUC alone": [0.25],
                                         "strength": [0.5]})], ignore_index=True)
    assert "RH (0.250) is below 0.5 as well: lower on fire days." in nv.separation_sentence(more)
    assert "below 0.5 as well" not in nv.separation_sentence(sep)
    flat = pd.concat([sep, pd.DataFrame({"feature": ["Ws"], "set": ["weather"], "AUC alone": [0.489],
                                         "strength": [0.02]})], ignore_index=True)
    assert "Ws" not in nv.separation_sentence(flat)  # 0.489 is no signal: not called lower on fire days
    sep.loc[0, "AUC alone"] = 0.99
    sep.loc[0, "strength"], sep.loc[0, "AUC alone"] = 0.5, 0.75
    assert "No single feature sorts" in nv.separation_sentence(sep)
    assert "almost completely" not in nv.features_caption(sep)


def test_contrast_branches():
    t = pd.DataFrame({"random − grouped": [0.05, 0.03]})
    assert "flatters every model" in nv.contrast_sentence(t)
    assert "score lower" in nv.contrast_sentence(pd.DataFrame({"random − grouped": [-0.05, -0.03]}))
    assert "nearly the same" in nv.contrast_sentence(pd.DataFrame({"random − grouped": [0.005, -0.004]}))
    text = nv.contrast_sentence(pd.DataFrame({"random − grouped": [0.05, -0.004]}))
    assert "1 of the 2 fixed models score higher" in text and "(up to 0.050)" in text and "not consistent" not in text
    text = nv.contrast_sentence(pd.DataFrame({"random − grouped": [0.05, 0.008]}))  # two gains are consistent
    assert "flatters the models" in text and "not consistent" not in text
    text = nv.contrast_sentence(pd.DataFrame({"random − grouped": [-0.05, 0.004]}))
    assert "1 of the 2 fixed models score lower" in text and "(up to 0.050)" in text
    assert "not consistent" in nv.contrast_sentence(pd.DataFrame({"random − grouped": [0.05, -0.03]}))


def test_pooled_and_misclassified_branches():
    def report(rf, rn):
        return pd.DataFrame({"class": ["not fire", "fire", "accuracy"], "precision": [0.9, 0.9, np.nan],
                             "recall": [rn, rf, np.nan], "f1": [0.9, 0.9, 0.9]})
    assert "misses fire days more often" in nv.pooled_sentence(report(0.8, 0.95), "m")
    assert "false alarms more often" in nv.pooled_sentence(report(0.95, 0.8), "m")
    assert "about as frequent" in nv.pooled_sentence(report(0.9, 0.9), "m")
    assert "every row" in nv.misclassified_sentence(pd.DataFrame(columns=["truth", "region"]), 10, "m")
    wrong = pd.DataFrame({"truth": ["fire", "not fire"], "region": ["A", "A"], "p(fire)": [0.4, 0.9]})
    text = nv.misclassified_sentence(wrong, 10, "m")
    assert "1 missed fire day and 1 false alarm" in text and "1 of them" in text
    edge = pd.DataFrame({"truth": ["fire", "fire"], "region": ["A", "A"], "p(fire)": [0.2499, 0.2449]})
    assert "1 of them had a probability" in nv.misclassified_sentence(edge, 10, "m")  # 0.2499 prints as 0.25
    assert "2 of the 2 errors are in A" in nv.misclassified_caption(wrong)


def test_gap_and_threshold_sentences():
    from mlplab.california.narrative import gap_sentence

    assert "far better than it generalizes" in gap_sentence(run("m", "the net", [0.8] * 3, train=[1.0] * 3), "macro_f1")
    assert "moderate" in gap_sentence(run("m", "the net", [0.9] * 3, train=[0.95] * 3), "macro_f1")
    assert "no sign" in gap_sentence(run("m", "the net", [0.9] * 3, train=[0.91] * 3), "macro_f1")
    text = nv.thresholds_sentence({"a": [0.5, 0.6, 0.5]}, {"a": "model A"})
    assert "moved from 0.5 on 1 of 3 splits" in text
    assert "Every family gets the same budget" in nv.budget_sentence({"mlp": {"candidates": 4, "cv_folds": 3},
                                                                      "hgb": {"candidates": 4, "cv_folds": 3}})
    assert "budgets differ" in nv.budget_sentence({"mlp": {"candidates": 4, "cv_folds": 3},
                                                   "hgb": {"candidates": 2, "cv_folds": 3}})


def _doc(name, models: dict[str, tuple[str, str, list[float]]], rec, verdicts=(), extra=None):
    metric = C.TASKS[name][0]
    out = {"notebook": name, "profile": "quick", "provenance": {"kind": "real"}, "recommended": rec,
           "verdicts": list(verdicts), "best_params": {}, "extra": {"split": {"fit": 100, "validation": 25, "test": 30},
                                                                     **(extra or {})}, "models": {}}
    for m, (role, lab, vals) in models.items():
        out["models"][m] = {"role": role, "label": lab, "validation": {metric: float(np.mean(vals))},
                            "seeds": {"mean": {metric: float(np.mean(vals))}}, "per_split": {"test": {metric: vals}}}
    return out


@pytest.fixture
def docs():
    cal = _doc("california", {"hgb": ("baseline", "HGB", [0.45, 0.46, 0.44]),
                              "mlp_tuned": ("tuned", "the tuned MLP", [0.47, 0.49, 0.48]),
                              "mlp_source": ("reference", "the source's MLP", [0.52, 0.53, 0.51])},
               {"model": "hgb", "validation": 0.45, "test": 0.45, "runner_up": "mlp_tuned"},
               [V.record("regularization", "mlp_tuned", "mlp_source", "rmse",
                         V.compare([0.47, 0.49, 0.4800777], [0.48, 0.50, 0.491], higher_is_better=False, margin=0.005)),
                {"topic": "headline", "a": "mlp_tuned", "b": "hgb", "word": V.UNDECIDED, "mean_diff": 0.03, "low": -0.1,
                 "high": 0.1}],
               {"goal": {"target": 0.48, "met": True, "label": "the tuned MLP", "mlp_mean": 0.48, "hgb_mean": 0.45},
                "capped": {"mlp_tuned": {"share of squared error %": 20.0}}})
    fire = _doc("wildfire", {"hgb": ("baseline", "HGB", [0.95, 0.97, 0.96]),
                             "mlp_tuned": ("tuned", "the tuned MLP", [0.93, 0.95, 0.97]),
                             "mlp_source": ("reference", "the source's MLP", [0.9, 0.92, 0.91])},
                {"model": "hgb", "validation": 0.96, "test": 0.96, "runner_up": None},
                extra={"separation": [{"feature": "ISI", "AUC alone": 0.99, "strength": 0.98}],
                       "data": {"rows": 244, "days": 122}, "contrast": [{"random − grouped": 0.02}],
                       "thresholds": {"mlp_tuned": [0.5, 0.4, 0.5]}})
    return {"california": cal, "wildfire": fire}


def test_conclusions_tables_and_sentences(docs):
    rec = C.recommendation_table(docs)
    assert list(rec["recommended"]) == ["HGB", "HGB"] and rec["verdict"].iloc[1] == "–"
    assert rec["95 % interval"].iloc[1] == "–" and " to " in rec["95 % interval"].iloc[0]  # the word with its interval
    assert rec["n"].tolist() == [3, "–"] and rec["difference"].iloc[0].startswith(("+", "-"))   # and n, the difference
    assert rec["task"].iloc[0].startswith("California Housing, ") and "metric" not in rec
    assert "HGB" in C.use_sentences(docs)
    table, records = C.mlp_table(docs)
    assert len(table) == 4 and {r["a"] for r in records} == {"mlp_tuned", "mlp_source"}
    assert set(table["best other model"]) == {"HGB"}
    src = table[(table["task"] == "California Housing") & (table["network"] == "the source's MLP")].iloc[0]
    assert src["splits"] == "3 of 3 worse" and src["difference"] == "+0.0700"  # signed, the interval's decimals
    v = C.compare(docs["california"], "mlp_source", "hgb")
    assert src["95 % interval"] == f"{V.signed(v.low, 4)} to {V.signed(v.high, 4)}" and src["verdict"] == v.word
    from mlplab import reporting as rp
    assert rp.table_problems(rp.table_markdown(table, "tbl-lab2-mlp", "c")) == []  # interval and count fit the PDF
    assert "the goal" not in C.goal_sentence(docs["california"]) and "is met" in C.goal_sentence(docs["california"])
    docs["california"]["extra"]["goal"].update(met=False, mlp_mean=0.5)
    assert "is not met" in C.goal_sentence(docs["california"]) and "For scale" not in C.goal_sentence(docs["california"])
    docs["california"]["models"]["linear"] = {"role": "baseline", "label": "linear regression",
                                              "seeds": {"mean": {"rmse": 0.686}}}
    assert C.goal_sentence(docs["california"]).endswith(
        "For scale, linear regression, the simplest fitted model, averages 0.686.")
    del docs["california"]["models"]["linear"]
    helped = C.helped_table(docs)
    assert len(helped) == 1 and "is better than its reference" in C.helped_sentences(helped, docs)
    v = V.Verdict.from_dict(docs["california"]["verdicts"][0])
    # the metric named with the task; difference and interval signed, to the decimals the margin needs (never 0.0000777)
    assert helped.iloc[0][["task", "difference", "95 % interval"]].tolist() == [
        "California Housing (RMSE)", f"{v.mean_diff:+.4f}", f"{v.low:+.4f} to {v.high:+.4f}"]
    docs["california"]["verdicts"].append(V.record("regularization", "mlp_tuned", "mlp_tuned_es_reference", "rmse",
                                                   V.compare([0.47, 0.48, 0.49], [0.47, 0.481, 0.489],
                                                             higher_is_better=False, margin=0.005)))
    docs["california"]["models"]["mlp_tuned_es_reference"] = {"label": "the unregularized tuned MLP trained on the rows "
                                                                        "left after the early-stopping slice"}
    assert C.helped_table(docs)["against"].iloc[1] == "the unregularized MLP on the rows early stopping trains on"
    docs["california"]["verdicts"].pop()
    assert "moved away from 0.5 on 1 of 3" in C.helped_sentences(helped, docs)
    cav = C.caveats(docs)
    assert any("flatters" in c for c in cav) and any("ISI" in c for c in cav)
    assert "California Housing (regression): 1 of the 1 headline comparisons is undecided: their intervals reach past" in cav[-1]
    assert "on a par" not in " ".join(cav)
    quiet = copy.deepcopy(docs)
    quiet["wildfire"]["extra"]["contrast"] = [{"random − grouped": 0.001}, {"random − grouped": -0.007}]
    assert any("did not flatter" in c and "(at most 0.007 for one model)" in c for c in C.caveats(quiet))
    assert "full real data" in C.subset_note(docs)
    docs["california"]["provenance"]["kind"] = "subset"
    assert "subset" in C.subset_note(docs)
    assert C.synthetic(docs) is False


def test_recommendation_caption_branches():
    t = pd.DataFrame({"task": ["a", "b"], "verdict": [V.PAR, "–"]})
    assert "neither task" in C.recommendation_caption(t)
    t["verdict"] = [V.BETTER, V.PAR]
    assert "beyond the noise in a" in C.recommendation_caption(t)
    t["task"] = ["California Housing, RMSE ($100,000)", "b"]   # the table's task cell carries the metric
    assert C.recommendation_caption(t).endswith("beyond the noise in California Housing.")


def test_repairs_and_by_class_captions():
    assert "needed no repair" in nv.repairs_caption({"repairs": []})
    reps = [{"repair": "fused field split", "lines": [171]}, {"repair": "empty line skipped", "lines": [125, 171]}]
    assert "2 kinds of repair touched 2 lines; only the fused row's fields moved" in nv.repairs_caption({"repairs": reps})
    assert "only the fused" not in nv.repairs_caption({"repairs": reps[1:]})
    table = pd.DataFrame({"feature": ["FWI", "RH", "Rain"], "median, not fire": [0.5, 70.0, 0.0],
                          "median, fire": [10.0, 55.0, 0.0]})
    assert "median FWI of fire days is 20.0 times" in nv.by_class_caption(table)


def test_season_caption_names_the_months():
    frame = pd.DataFrame({"date": pd.to_datetime(["2012-06-01", "2012-06-02", "2012-07-01", "2012-07-02"]),
                          "fire": [0, 0, 1, 0]})
    assert nv.season_caption(frame) == ("Takeaway: July has the highest share of fire days (50.0 %), June the lowest "
                                        "(0.0 %).")


def test_contrast_caption_and_arch_caption_branches():
    from mlplab.california.narrative import arch_caption
    from torch import nn

    assert "less than 0.005 on average (at most 0.004 for one model)" in nv.contrast_caption(
        pd.DataFrame({"random − grouped": [0.004, -0.003]}))
    assert "raise the mean macro-F1 by 0.030" in nv.contrast_caption(pd.DataFrame({"random − grouped": [0.02, 0.04]}))
    small, big = nn.Linear(10, 10), nn.Linear(10, 100)
    assert "about the same size" in arch_caption([(small, "a", "", ""), (nn.Linear(10, 10), "b", "", "")])
    assert "10.0 times as many as a" in arch_caption([(small, "a", "", ""), (big, "b", "", "")])


def test_sizes_caption_and_budget_use_words():
    import pandas as pd
    t = pd.DataFrame({"test days with a training row": [0, 0], "test fire share %": [54.0, 58.0]})
    assert "no test day has a row among the training rows" in nv.sizes_caption(t)
    assert nv.sizes_caption(t).endswith("fire share lies between 54.0 % and 58.0 %.")  # the table's per cent
    t["test days with a training row"] = [0, 1]
    assert "at most 1 test day per split also has a training row" in nv.sizes_caption(t)
    text = nv.budget_sentence({"mlp": {"candidates": 4, "cv_folds": 3}, "logreg": {"candidates": 4, "cv_folds": 3},
                               "hgb": {"candidates": 4, "cv_folds": 3}})
    assert "4 MLP, 4 logistic-regression and 4 HGB candidates" in text


def test_search_sentence_counts_configurations_over_many_splits():
    from mlplab.california import narrative as cn
    many = {i: {"hidden": [64, 32], "dropout": 0.3 if i < 6 else 0.0} for i in range(10)}
    text = cn.search_sentence(many, "the MLP")
    assert text.startswith("The MLP: the searches chose hidden layers 64×32 units, dropout 0.3 on 6 of 10 splits; ")
    assert text.endswith("dropout 0.0 on 4.")


def test_differences_caption_names_par_and_undecided_apart():
    recs = [{"word": V.BETTER}, {"word": V.PAR}, {"word": V.UNDECIDED}]
    assert C.differences_caption(recs) == "Takeaway: 1 of the 3 differences exclude zero; 1 on a par, 1 undecided."
    assert C.differences_caption(recs[:2]).endswith("; the rest are on a par (their whole interval lies inside the "
                                                    "margin of parity).")
    assert C.differences_caption([recs[0], recs[2]]).endswith("; the rest are undecided (their intervals reach past "
                                                              "the margin of parity).")
    assert C.differences_caption(recs[:1]) == "Takeaway: 1 of the 1 differences exclude zero."
    assert C.differences_caption([]) == "Takeaway: no comparison was recorded."


def test_lab2_goal_text_branches_name_the_goal_not_where_it_was_set():
    g = {"target": 0.48, "label": "the tuned MLP", "mlp_mean": 0.46, "hgb_mean": 0.44, "met": True}
    met = C._goal_text(g)
    assert met.startswith("The goal set for California (an MLP test RMSE of at most 0.48) is met: the tuned MLP averages 0.460")
    missed = C._goal_text({**g, "mlp_mean": 0.52, "met": False})
    assert "is not met: the tuned MLP averages 0.520, 0.040 above it" in missed and "reaches 0.440" in missed
    assert "issue" not in met + missed


def test_the_conclusions_reuse_the_chapters_verdict_and_ratio(docs):
    cal = docs["california"]
    base = V.compare([0.47, 0.49, 0.48], [0.45, 0.46, 0.44], higher_is_better=False, margin=0.0045,
                     test_train_ratio=0.3125)
    rec = {**V.record("headline", "mlp_tuned", "hgb", "rmse", base), "word": V.WORSE, "low": 0.015, "high": 0.036}
    cal["verdicts"].append(rec)
    v = C.compare(cal, "mlp_tuned", "hgb")
    assert (v.word, v.low, v.high) == (V.WORSE, 0.015, 0.036)  # the chapter's interval, not a recomputed one
    assert C.ratio(cal) == pytest.approx(0.3125)
    other = C.compare(cal, "mlp_source", "hgb")  # no recorded verdict: computed with the chapter's ratio
    again = V.compare(C._values(cal, "mlp_source", "rmse"), C._values(cal, "hgb", "rmse"), higher_is_better=False,
                      margin=V.margin_for("rmse", C._values(cal, "hgb", "rmse")), test_train_ratio=0.3125)
    assert (other.low, other.high) == (again.low, again.high)


def test_roc_caption_names_every_model_tied_at_the_top():
    truth = np.array([0, 0, 1, 1, 0, 1])
    good = pd.DataFrame({"truth": truth, "p_fire": [0.1, 0.2, 0.8, 0.9, 0.3, 0.7]})
    weak = pd.DataFrame({"truth": truth, "p_fire": [0.6, 0.2, 0.8, 0.1, 0.3, 0.7]})
    text = nv.roc_caption({"logistic regression": good, "the tuned MLP": good.copy(), "HGB": weak})
    assert text.startswith("Takeaway: logistic regression and the tuned MLP rank fire days highest (AUC 1.000 each)")


def test_gain_records_put_both_metrics_the_same_way_round():
    recs = [{"metric": "rmse", "mean_diff": 0.026, "low": 0.015, "high": 0.036, "word": "worse"},
            {"metric": "macro_f1", "mean_diff": -0.016, "low": -0.069, "high": 0.036, "word": "undecided"}]
    out = C.gain_records(recs)
    assert (out[0]["mean_diff"], out[0]["low"], out[0]["high"]) == (-0.026, -0.036, -0.015)  # worse: left of zero
    assert out[1] == recs[1]


def test_lab2_split_counts_add_up_to_n():
    from mlplab.conclusions.lab2 import _count
    from mlplab.experiment.verdict import compare

    v = compare([0.5, 0.6, 0.5, 0.7, 0.5], [0.5, 0.5, 0.5, 0.6, 0.6], higher_is_better=True, margin=0.01)
    assert _count(v) == "2 better, 1 worse, 2 equal"  # ties said, so the counts add up to the 5 splits
    assert _count(compare([0.6] * 3, [0.5] * 3, higher_is_better=True, margin=0.01)) == "3 of 3 better"


def test_feature_sets_caption_names_the_direction_and_ranks_nothing():
    table = pd.DataFrame({"change": ["the MLP", "the threshold"], "difference": [0.133, 0.159]})
    cap = nv.feature_sets_caption(table)
    assert cap.startswith("Takeaway: adding the FWI indices raises macro-F1 by 0.133 to 0.159") and "largest" not in cap
    assert "lowers" in nv.feature_sets_caption(table.assign(difference=[-0.1, -0.2]))
    assert "changes" in nv.feature_sets_caption(table.assign(difference=[-0.1, 0.2]))
