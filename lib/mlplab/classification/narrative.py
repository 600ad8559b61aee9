"""Sentences of the maintenance chapter, each computed from numbers; every qualitative word has a
condition (tests/test_classification_narrative.py covers each branch). Verdict words come from the
noise rule only."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlplab.experiment import prose
from mlplab.experiment import verdict as V
from mlplab.experiment.prose import results_sentence, capital, join, params_text, pct, verdict_clause, verdicts_summary

STRONG_R = 0.7
MODERATE_R = 0.3
OUTLIER_FAILURE_RATIO = 2.0   # failure rate among outliers at least this multiple of the overall rate
RANDOM = "Random Failures"
def data_sentence(report: dict, synthetic: bool) -> str:
    counts = report["class_counts"]
    total = sum(counts.values())
    fails = total - counts.get("No Failure", 0)
    rarest = min((c for c in counts if counts[c] > 0), key=counts.get)
    text = (f"{report['rows']:,} rows ({report['layout']}); {fails:,} failures ({pct(fails / total)}), the rarest class "
            f"being *{rarest}* with {counts[rarest]:,} rows. ")
    if report.get("duplicates_dropped"):
        text += f"{report['duplicates_dropped']:,} duplicate rows were dropped. "
    if synthetic:
        text += "These rows come from the package's embedded AI4I 2020 generator, not from the Kaggle file."
    return text.strip()


# the loader's label rule (mlplab.data.labels.LABEL_RULE, which `mlplab data check` prints) in a reader's words
LABEL_RULE_WORDS = ("The label is the file's failure type, unchanged: rows where it disagrees with the binary "
                    "machine-failure column are counted and kept, never relabelled or removed; that binary column is "
                    "not a feature (it is the label itself), and the two identifier columns are dropped. UCI's "
                    "original files carry one flag per failure mode instead: the loader takes the first set flag in "
                    "the order power, heat dissipation, tool wear, overstrain, random failure, and 'No Failure' when "
                    "none is set.")


def label_sentence(report: dict) -> str:
    inc = report["label_inconsistencies"]
    a, b = inc["failure_type_with_target_0"], inc["target_1_with_no_failure"]
    if a + b == 0:
        return "The binary label and the failure type agree on every row. " + LABEL_RULE_WORDS
    return (f"{a + b} rows disagree: {a} carry a failure type with a machine-failure flag of 0 and {b} have the flag "
            f"set with 'No Failure'. " + LABEL_RULE_WORDS)


def crosstab_caption(report: dict) -> str:
    inc = report["label_inconsistencies"]
    n = inc["failure_type_with_target_0"] + inc["target_1_with_no_failure"]
    return "The two labels agree on every row." if n == 0 else f"{n} rows sit off the diagonal the two labels imply."


def cleaning_sentence(summary: pd.DataFrame) -> str:
    missing = int(summary["missing"].sum())
    dropped = summary.loc[summary["use"].str.startswith("dropped"), "column"].tolist()
    text = ("No value is missing. " if missing == 0 else f"{missing:,} values are missing; rows with missing values "
            "are rejected by the loader. ")
    words = {"udi": "the row number", "product_id": "the product id", "target": "the binary machine-failure label"}
    return text + (f"Dropped before modelling: {join([words.get(c, f'`{c}`') for c in dropped])}. The product type (L, "
                   "M or H) is one-hot encoded; numeric features are standardized with statistics from the training "
                   "rows only (inside each pipeline).")


def balance_sentence(counts: pd.DataFrame) -> str:
    top, low = counts.iloc[0], counts.iloc[-1]
    return (f"*{top['failure type']}* holds {top['share %']:.1f} % of the rows; the rarest class, *{low['failure type']}*, "
            f"{low['rows']:,} rows ({low['share %']:.2f} %), a ratio of {top['rows'] / max(1, low['rows']):,.0f} to 1. "
            f"Predicting '{top['failure type']}' everywhere would score an accuracy of {top['share %'] / 100:.3f} and "
            "find no failure, so the chapter ranks models by **macro-F1** (the mean of the per-class F1 scores, every "
            "class weighing the same) and also reports balanced accuracy.")


def balance_caption(counts: pd.DataFrame) -> str:
    top, low = counts.iloc[0], counts.iloc[-1]
    return f"The rarest class has {top['rows'] / max(1, low['rows']):,.0f} times fewer rows than the most common one."


def correlation_sentence(frame: pd.DataFrame) -> str:
    from mlplab.classification.features import LABEL, PHYSICS, RAW_NUMERIC, add_physics

    df = add_physics(frame)
    cols = list(RAW_NUMERIC) + list(PHYSICS)
    parts, best_r = [], []
    for cls in ("Heat Dissipation Failure", "Power Failure", "Overstrain Failure", "Tool Wear Failure"):
        y = (df[LABEL] == cls).astype(float)
        if y.sum() == 0:
            continue
        r = df[cols].corrwith(y)
        best = r.abs().idxmax()
        best_r.append(abs(float(r[best])))
        parts.append(f"*{cls}* correlates most with {_words(best)} (r = {r[best]:+.2f})")
    pair = float(df[["rotational_speed_rpm", "torque_nm"]].corr().iloc[0, 1])
    strength = "strongly" if abs(pair) >= STRONG_R else "moderately" if abs(pair) >= MODERATE_R else "weakly"
    text = ("; ".join(parts) + ". ") if parts else ""
    text += f"Rotational speed and torque are {strength} tied (r = {pair:+.2f})"
    text += (", as a process run at roughly constant power implies. " if pair <= -STRONG_R else ". ")
    if best_r and max(best_r) < MODERATE_R:
        text += ("No failure class correlates beyond |r| = 0.3 with any single feature: classes that fire past a "
                 "threshold (or, for power, at both ends of a range) leave little linear trace.")
    return text.strip()


def _words(column: str) -> str:
    """A feature's name in words for prose ('temperature difference'), its column name for anything unknown."""
    from mlplab.classification.features import WORDS

    return WORDS.get(column, f"`{column}`")


def correlation_caption(frame: pd.DataFrame) -> str:
    """The strongest pair of raw inputs, and the strongest pair overall when a physics feature (built from the
    inputs) beats it, so the caption matches the heatmap."""
    from mlplab.classification.features import PHYSICS, RAW_NUMERIC, add_physics

    if not all(c in frame for c in PHYSICS) and all(c in frame for c in RAW_NUMERIC):
        frame = add_physics(frame)  # the heatmap shows them too

    def ranked(cols):
        c = frame[[x for x in cols if x in frame]].corr()
        return sorted(((abs(c.iloc[i, j]), c.columns[j], c.index[i], c.iloc[i, j]) for i in range(len(c))
                       for j in range(i)), reverse=True)

    def strongest(cols):
        pairs = ranked(cols)
        return pairs[0] if pairs else None

    raw = strongest(RAW_NUMERIC)
    if raw is None:
        return ""
    tied = [p for p in ranked(RAW_NUMERIC) if round(p[0], 2) == round(raw[0], 2)]  # as the heatmap prints them
    said = join([f"{_words(p[1])} and {_words(p[2])} (r = {p[3]:+.2f})" for p in tied])
    text = (f"The strongest pair of raw inputs is {said}" if len(tied) == 1 else
            f"The strongest pairs of raw inputs, equally strong at two decimals, are {said}")
    every = strongest([*RAW_NUMERIC, *PHYSICS])
    if every is not None and every[0] > raw[0] + 1e-12:
        text += (f"; a physics feature correlates more with an input it is built from ({_words(every[1])} and "
                 f"{_words(every[2])}, r = {every[3]:+.2f})")
    return text + "."


def outlier_sentence(table: pd.DataFrame) -> str:
    t = table.sort_values("outliers", ascending=False)
    top = t.iloc[0]
    if top["outliers"] == 0:
        return "No feature has a value beyond 1.5 IQR of its quartiles."
    rate, overall = float(top["failure rate in outliers %"]), float(top["failure rate overall %"])
    text = (f"By the 1.5 IQR rule, {_words(top['feature'])} has the most outliers ({top['outliers']:,}, "
            f"{top['outlier share %']:.1f} %), with a failure rate of {rate:.1f} % among them against {overall:.1f} % "
            "overall. ")
    if overall > 0 and rate >= OUTLIER_FAILURE_RATIO * overall:
        text += ("The outliers are kept: they are physically plausible readings and failures concentrate among them, "
                 "so removing them would remove signal.")
    else:
        text += ("The outliers are kept: they are physically plausible readings, and failures are not concentrated "
                 "among them.")
    return text


def outlier_caption(table: pd.DataFrame) -> str:
    top = table.sort_values("outliers", ascending=False).iloc[0]
    return f"{capital(_words(top['feature']))} has the most outliers ({int(top['outliers']):,})."


def protocol_sentence(sizes: dict, seeds) -> str:
    return (f"Each of the {sizes['outer_splits']} outer splits (split seeds {', '.join(map(str, seeds))}) fits models on "
            f"{sizes['fit']:,} rows, compares them on {sizes['validation']:,} validation rows and scores them once on "
            f"{sizes['test']:,} untouched test rows, stratified so that every class appears in each part. The splits "
            "overlap (a row is a test row in one split and a training row in another), so the intervals below use the "
            "Nadeau–Bengio correction.")


def lab_sentence(leak: dict, lab_f1: float, honest_f1: float) -> str:
    """The lab's order against the honest one on the first split; "the leak buys" only when it does."""
    gap = lab_f1 - honest_f1
    real = leak["real_rows"]["macro_f1"]
    text = (f"The lab's order (resample all {leak['test_rows'] + leak['train_rows']:,} rows, then split) leaves a test "
            f"set of {leak['test_rows']:,} rows of which {pct(leak['synthetic_test_share'])} are synthetic. The network "
            f"scores a macro-F1 of {lab_f1:.3f} on that test set and {real:.3f} on its {leak['real_test_rows']:,} real "
            f"rows; under the honest protocol (split first, resample inside the training rows, untouched imbalanced test "
            f"set) the same network scores {honest_f1:.3f} on the first split. ")
    if gap > 0:
        text += (f"The difference, {gap:+.3f}, is what the leak buys: synthetic test rows are interpolations between "
                 "training neighbours, so the test set rewards memorizing them.")
    else:
        text += (f"Here the leaky protocol does not score higher ({gap:+.3f}): its balanced test set asks for every "
                 "class equally, which the network finds no easier. It is still no estimate of performance on real rows.")
    return text


def lab_caption(leak: dict, lab_f1: float, honest_f1: float) -> str:
    return (f"{pct(leak['synthetic_test_share'], 0)} of the lab's test rows are synthetic; its macro-F1 is "
            f"{lab_f1 - honest_f1:+.3f} away from the honest protocol's.")


def rebalancing_sentence(table: pd.DataFrame) -> str:
    return verdicts_summary(table, "the lab's network without rebalancing", "test macro-F1 over the outer splits")


def ladder_sentence(table: pd.DataFrame) -> str:
    """Which rungs of the ladder the noise rule credits; the first rung has no verdict."""
    rungs = table.iloc[1:]
    better = rungs.loc[rungs["verdict"] == V.BETTER, "rung"].tolist()
    worse = rungs.loc[rungs["verdict"] == V.WORSE, "rung"].tolist()
    rest = prose.rest_words(rungs, len(better) + len(worse))  # the others by their own verdicts, never assumed
    if not better and not worse:
        head = "No rung of the ladder moves the test macro-F1 beyond the noise of the outer splits"
        if rest == "; the rest on a par.":
            return head + ": every rung is on a par with the one before it."
        if rest == "; the rest undecided.":
            return head + ": every rung's comparison with the one before it is undecided."
        return head + ", against the rung before each: " + rest[2:]
    parts = []
    if better:
        parts.append(f"the rungs that raise the test macro-F1 beyond the noise: {join(better)}")
    if worse:
        parts.append(f"the rungs that lower it: {join(worse)}")
    text = capital("; ".join(parts)) + "."
    if rest != ".":
        text += " Of the other rungs, against the rung before each" + rest.replace("; the rest", ": all", 1).replace("; ", ": ", 1)
    return text


def lab_credit_sentence(runs: dict, ratio: float, tuned_settings: dict | None, fit_rows: int) -> str:
    """The tuned MLP against the lab's MLP it replaces (not only the ladder's rung before the search), with the
    training budgets of the two (from their settings)."""
    if "mlp_tuned" not in runs or "mlp_baseline" not in runs:
        return ""
    v = V.compare_runs(runs["mlp_tuned"], runs["mlp_baseline"], "macro_f1", higher_is_better=True, test_train_ratio=ratio)
    text = capital(verdict_clause("the tuned MLP", runs["mlp_baseline"].label, v, "macro_f1", runs="outer splits")) + "."
    budget = prose.budget_clause("the tuned MLP", tuned_settings, runs["mlp_baseline"].label, runs["mlp_baseline"].settings,
                                 fit_rows)
    return text + (f" {capital(budget)}." if budget else "")


def ladder_caption(table: pd.DataFrame) -> str:
    first, last = table.iloc[0], table.iloc[-1]
    col = [c for c in table.columns if c.startswith("test") and not c.endswith("SD")][0]
    return f"From {first['model']} to {last['model']} the test macro-F1 moves from {first[col]:.3f} to {last[col]:.3f}."


def search_sentence(results: dict, fit_rows: int, searched=None) -> str:
    """The MLP searches, one per outer split."""
    first = next(iter(results.values()))
    winners = [params_text(r.best_params, searched) for r in results.values()]
    same = len(set(winners)) == 1
    text = (f"Each outer split ran its own {prose.search_method(first.method)}: {first.n_candidates} configurations, "
            f"{first.cv_folds}-fold stratified cross-validation on {first.searched_rows:,} of its {fit_rows:,} fit rows, "
            f"scored by macro-F1, {np.mean([r.seconds for r in results.values()]):.0f} s per split. ")
    if same:
        text += f"All splits chose the same configuration: {winners[0]}."
    else:
        text += "The winners differ between splits: " + "; ".join(f"split {i}: {w}" for i, w in enumerate(winners)) + "."
    return text


def levers_sentence(choices: dict, labels: dict) -> str:
    picks = [labels.get(c.best, c.best) for c in choices.values()]
    counts = pd.Series(picks).value_counts()
    if len(counts) == 1:
        return (f"Inner cross-validation on the fit rows chose {counts.index[0]} in every split; the choice is made "
                "before any validation or test row is seen.")
    return ("Inner cross-validation on the fit rows chose " + join([f"{k} in {v} split{'s' if v > 1 else ''}"
                                                                    for k, v in counts.items()]) + ".")


def headline_sentence(runs: dict, ratio: float) -> str:
    """The tuned MLP against gradient boosting and logistic regression, by the noise rule."""
    out = []
    for other in ("hgb", "logreg"):
        if other in runs:
            v = V.compare_runs(runs["mlp_tuned"], runs[other], "macro_f1", higher_is_better=True, test_train_ratio=ratio)
            out.append(capital(verdict_clause("the tuned MLP", runs[other].label, v, "macro_f1", runs="outer splits")) + ".")
    return " ".join(out)


def rules_sentence(runs: dict, ratio: float) -> str:
    rules = runs["documented_rules"]
    v = V.compare_runs(runs["mlp_tuned"], rules, "macro_f1", higher_is_better=True, test_train_ratio=ratio)
    per = per_class_f1(rules)
    weak = [f"{c} (F1 {f:.2f})" for c, f in per.items() if f < 0.5 and c != "No Failure"]
    text = (f"The documented failure rules, applied without training (only their tool-wear window is fitted on the fit "
            f"rows), reach a macro-F1 of {rules.mean('macro_f1'):.3f}; "
            + verdict_clause("the tuned MLP", "them", v, "macro_f1", runs="outer splits") + ". ")
    if weak:
        text += ("Even the rules cannot predict " + join(weak) + ": those failures happen at a random moment by "
                 "construction of the dataset.")
    return text


def random_failures_note(run) -> str:
    """Random Failures are random by construction: any F1 on them is chance; say what it adds."""
    values = [s.test["per_class"].get(RANDOM, {}).get("f1", 0.0) for s in run.splits if "per_class" in s.test]
    if not values or max(values) == 0:
        return ""
    n_classes = len(run.test["per_class"])
    share = float(np.mean(values)) / n_classes
    return (f"Part of {run.label}'s score is chance: its *Random Failures* F1 averages {np.mean(values):.2f} over the "
            f"splits, which adds {share:.3f} to its macro-F1, and those failures are random by construction.")


def recommendation_sentence(rec: dict | None, runs: dict, ratio: float) -> str:
    return prose.recommendation_sentence(rec, runs, "macro_f1", higher_is_better=True, ratio=ratio,
                                         value=lambda x: f"{x:.3f}", chosen_on="the validation rows",
                                         criterion="highest mean validation macro-F1", on_test="Its test macro-F1 is",
                                         unscored="validation rows")


def gap_sentence(run) -> str:
    """The generalization gap: train macro-F1 minus test macro-F1 (one definition, in the glossary)."""
    tr, te = run.mean("macro_f1", "train"), run.mean("macro_f1")
    acc_tr, acc_te = run.mean("accuracy", "train"), run.mean("accuracy")
    gap = tr - te
    text = (f"{capital(run.label)}: accuracy {acc_tr:.3f} on its fit rows and {acc_te:.3f} on the test rows; macro-F1 "
            f"{tr:.3f} and {te:.3f} (generalization gap {gap:+.3f}, means over the outer splits). ")
    if gap > 0.05:
        text += "The rare classes are fitted better than they generalize: with a few dozen training rows each, the net learns some of their noise."
    elif gap < -0.05:
        text += "The test score exceeds the training score, which happens when the few test rows of a rare class are easy ones."
    else:
        text += "Training and test scores agree to within 0.05."
    return text


def per_class_f1(run) -> dict[str, float]:
    classes = run.test["per_class"].keys()
    return {c: float(np.mean([s.test["per_class"][c]["f1"] for s in run.splits])) for c in classes}


def error_sentence(pairs: pd.DataFrame, f1: dict[str, float]) -> str:
    if pairs.empty:
        return "No test row of the first split is misclassified."
    top = pairs.iloc[0]
    text = (f"The largest confusion of the first split: {top['rows']} *{top['true']}* rows predicted as "
            f"*{top['predicted']}* ({top['share of true class %']:.1f} % of that class). ")
    ranked = sorted(f1.items(), key=lambda kv: -kv[1])
    # the classes' names in prose (the figures' HDF, PWF, … are spelled out only in their captions)
    text += "Mean test F1 per class: " + ", ".join(f"{c} {v:.2f}" for c, v in ranked) + ". "
    if f1.get("Tool Wear Failure", 1.0) < 0.5:
        text += ("Tool wear fails at a random wear time between 200 and 240 minutes, where most tools are replaced "
                 "without failing: the wear band is predictable, the moment is not.")
    return text.strip()


def confusion_caption(metrics: dict) -> str:
    m = np.asarray(metrics["confusion_matrix"]["matrix"], dtype=float)
    return f"{int(np.trace(m)):,} of {int(m.sum()):,} rows lie on the diagonal."


def best_balanced_sentence(runs: dict, names, rec: dict | None, ratio: float | None = None) -> str:
    """The model with the best test balanced accuracy among `names`, named whichever it is."""
    from mlplab.experiment.prose import best_balanced_text

    scores = {n: runs[n].mean("balanced_accuracy") for n in names if n in runs}
    per_split = {n: runs[n].values("balanced_accuracy") for n in names if n in runs}
    labels = {n: r.label for n, r in runs.items()}
    return best_balanced_text(scores, labels, rec["model"] if rec else None, "of these models", per_split, ratio)


DIAGONAL_AGREE = 0.02  # diagonal shares of the fit and test confusion matrices this close "agree"


def _diagonal_and_worst(metrics: dict) -> tuple[float, str, float]:
    m = np.asarray(metrics["confusion_matrix"]["matrix"], dtype=float)
    labels = metrics["confusion_matrix"]["labels"]
    support = m.sum(axis=1)
    recall = np.where(support > 0, np.diag(m) / np.clip(support, 1, None), np.inf)
    k = int(np.argmin(recall))
    return float(np.trace(m) / m.sum()), str(labels[k]), float(recall[k])


def confusion_sentence(train: dict, test: dict) -> str:
    """The fit rows' confusion matrix against the test rows': diagonal share and the worst-recalled class."""
    d_tr, worst_tr, r_tr = _diagonal_and_worst(train)
    d_te, worst_te, r_te = _diagonal_and_worst(test)
    text = (f"On its fit rows {pct(d_tr)} of the rows lie on the diagonal, on the test rows {pct(d_te)}")
    gap = d_tr - d_te
    if gap > DIAGONAL_AGREE:
        text += ": the network classifies the rows it was trained on better than new ones. "
    elif gap < -DIAGONAL_AGREE:
        text += ": the test rows are classified better than the fit rows, which a small test set of easy rows allows. "
    else:
        text += f": the two agree to within {DIAGONAL_AGREE * 100:.0f} percentage points. "
    if worst_tr == worst_te:
        text += f"{worst_tr} is the worst-recalled class on both (recall {r_tr:.2f} and {r_te:.2f})."
    else:
        text += (f"The worst-recalled class is {worst_tr} on the fit rows (recall {r_tr:.2f}) and {worst_te} on the "
                 f"test rows ({r_te:.2f}).")
    return text


def roc_caption(table: pd.DataFrame) -> str:
    if table.empty:
        return "No class has both positive and negative test rows."
    low = table.sort_values("average_precision").iloc[0]
    return (f"Average precision is lowest for {low['class']} ({low['average_precision']:.2f} at a prevalence of "
            f"{low['prevalence']:.3f}).")


def curves_caption(history, label: str) -> str:
    """The caption's takeaway of the curves: the diagnosis `curve_finding` spells out under the figure."""
    return prose.curve_takeaway(history, label) or f"Loss per epoch of {label}."


def curve_finding(history, label: str) -> str:
    return prose.curve_finding(history, label)


def split_scores_caption(runs: dict, names) -> str:
    best = max(names, key=lambda n: runs[n].mean("macro_f1"))
    return f"Highest mean test macro-F1: {runs[best].label} ({runs[best].mean('macro_f1'):.3f})."


def regularization_sentence(table: pd.DataFrame) -> str:
    return verdicts_summary(table, "the networks", "test macro-F1, paired over the outer splits")


def regularization_caption(table: pd.DataFrame) -> str:
    return prose.counts_caption(table,
                                none="No regularizer moves the test macro-F1 beyond the noise of the outer splits.",
                                noun="change")


def smote_on_tuned_sentence(runs: dict, ratio: float) -> str:
    """The tuned MLP is trained without rebalancing; what SMOTE does to it, by the noise rule."""
    if "mlp_tuned_smote" not in runs:
        return ""
    v = V.compare_runs(runs["mlp_tuned_smote"], runs["mlp_tuned"], "macro_f1", higher_is_better=True,
                       test_train_ratio=ratio)
    text = ("The tuned MLP is trained without rebalancing (its decision thresholds handle the imbalance). "
            + capital(verdict_clause("the same network with SMOTE inside its fit rows", "it", v, "macro_f1",
                                     runs="outer splits")) + ".")
    return text
