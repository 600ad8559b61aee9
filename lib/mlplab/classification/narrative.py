"""Sentences generated from the numbers; the notebook never types a number into prose.

Each function states only what its inputs support (e.g. "overfits" only when the gap says so).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

GAP_OVERFIT = 0.05   # train macro-F1 above test by more than this: overfitting
MATERIAL = 0.01      # a change in macro-F1 smaller than this is "no material change"


def pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _change(delta: float) -> str:
    if abs(delta) < MATERIAL:
        return f"no material change ({delta:+.3f})"
    return f"{'a gain' if delta > 0 else 'a loss'} of {abs(delta):.3f}"


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
        text += "These are **synthetic** rows from the embedded AI4I 2020 generator, not the Kaggle file."
    return text


def label_sentence(report: dict) -> str:
    inc = report["label_inconsistencies"]
    a, b = inc["failure_type_with_target_0"], inc["target_1_with_no_failure"]
    if a + b == 0:
        return "The binary label and the failure type agree on every row. Rule applied: " + report["label_rule"]
    return (f"{a + b} rows disagree: {a} carry a failure type with target 0 and {b} have target 1 with 'No Failure'. "
            f"Rule applied: {report['label_rule']}")


def cleaning_sentence(summary: pd.DataFrame) -> str:
    missing = int(summary["missing"].sum())
    dropped = summary.loc[summary["use"].str.startswith("dropped"), "column"].tolist()
    text = ("No value is missing. " if missing == 0 else f"{missing:,} values are missing; rows with missing values "
            "are rejected by the loader. ")
    return text + (f"Dropped before modelling: {', '.join(f'`{c}`' for c in dropped)}. `type` is one-hot encoded; numeric "
                   "features are standardized with statistics from the training rows only (inside each pipeline).")


def balance_sentence(counts: pd.DataFrame) -> str:
    top = counts.iloc[0]
    low = counts.iloc[-1]
    return (f"*{top['failure type']}* holds {top['share %']:.1f} % of the rows; the rarest class, *{low['failure type']}*, "
            f"{low['rows']:,} rows ({low['share %']:.2f} %), a ratio of {top['rows'] / max(1, low['rows']):,.0f} to 1. "
            "Accuracy is therefore meaningless (predicting 'No Failure' everywhere scores "
            f"{top['share %'] / 100:.3f}); we report macro-F1 and balanced accuracy.")


def correlation_sentence(frame: pd.DataFrame) -> str:
    from mlplab.classification.features import LABEL, PHYSICS, RAW_NUMERIC, add_physics

    df = add_physics(frame)
    cols = list(RAW_NUMERIC) + list(PHYSICS)
    parts = []
    for cls in ("Heat Dissipation Failure", "Power Failure", "Overstrain Failure", "Tool Wear Failure"):
        y = (df[LABEL] == cls).astype(float)
        if y.sum() == 0:
            continue
        r = df[cols].corrwith(y)
        best = r.abs().idxmax()
        parts.append(f"*{cls}* correlates most with `{best}` (r = {r[best]:+.2f})")
    pair = df[["rotational_speed_rpm", "torque_nm"]].corr().iloc[0, 1]
    return ("; ".join(parts) + f". Rotational speed and torque are strongly tied (r = {pair:+.2f}), as the constant-power "
            "process implies. Linear correlations are weak for classes that fire at thresholds (and, for power, at both "
            "ends), which is why the physics features and threshold-friendly models matter.")


def outlier_sentence(table: pd.DataFrame) -> str:
    t = table.sort_values("outliers", ascending=False)
    top = t.iloc[0]
    text = (f"By the 1.5 IQR rule, `{top['feature']}` has the most outliers ({top['outliers']:,}, "
            f"{top['outlier share %']:.1f} %), with a failure rate of {top['failure rate in outliers %']:.1f} % among them "
            f"against {top['failure rate overall %']:.1f} % overall. ")
    return text + ("The outliers are kept: they are physically plausible readings and they are where the failures are, "
                   "so removing them would remove the signal.")


def ablation_sentence(ablation: dict) -> str:
    parts = []
    for model, d in ablation.items():
        parts.append(f"{model}: {d['raw_mean']:.3f} ± {d['raw_std']:.3f} on raw features, {d['physics_mean']:.3f} ± "
                     f"{d['physics_std']:.3f} with the three physics features ({_change(d['physics_mean'] - d['raw_mean'])})")
    return "Test macro-F1 over the split seeds — " + "; ".join(parts) + "."


def lab_sentence(lab: dict, honest_macro_f1: float) -> str:
    return (f"The lab's order (SMOTE on all {lab['test_rows'] + lab['train_rows']:,} rows, then split) leaves a test set of "
            f"{lab['test_rows']:,} rows of which {pct(lab['synthetic_test_share'])} are synthetic. Its macro-F1 on that test "
            f"set is {lab['leaky_test_macro_f1']:.3f}; on its {lab['real_test_rows']:,} real test rows it is "
            f"{lab['real_rows_macro_f1']:.3f}, and the same network under the honest protocol (split first, SMOTE inside "
            f"the training rows, untouched imbalanced test set) scores {honest_macro_f1:.3f}. The gap "
            f"({lab['leaky_test_macro_f1'] - honest_macro_f1:+.3f}) is what the leak buys: synthetic test rows are "
            "interpolations between training neighbours. Every later number uses the honest protocol.")


def rebalancing_sentence(table: pd.DataFrame) -> str:
    t = table.sort_values("macro_f1", ascending=False).reset_index(drop=True)
    best, worst = t.iloc[0], t.iloc[-1]
    none = t.loc[t["strategy"] == "none"]
    text = (f"Best strategy by test macro-F1: `{best['strategy']}` ({best['macro_f1']:.3f}, balanced accuracy "
            f"{best['balanced_accuracy']:.3f}); worst: `{worst['strategy']}` ({worst['macro_f1']:.3f}). ")
    if len(none):
        n = none.iloc[0]
        text += f"Against no rebalancing ({n['macro_f1']:.3f}), the best strategy is {_change(best['macro_f1'] - n['macro_f1'])}. "
    if "undersample" in set(t["strategy"]):
        u = t.loc[t["strategy"] == "undersample"].iloc[0]
        text += (f"Undersampling keeps so few 'No Failure' rows that balanced accuracy ({u['balanced_accuracy']:.3f}) and "
                 f"macro-F1 ({u['macro_f1']:.3f}) part ways: recall rises while precision on the rare classes collapses.")
    return text


def baselines_sentence(runs: dict) -> str:
    def mean(name):
        return runs[name].seed_summary()["mean"]["macro_f1"]

    maj = runs["majority"].test
    text = (f"Mean test macro-F1 over the split seeds — majority class: {mean('majority'):.3f} (its accuracy, "
            f"{maj['accuracy']:.3f}, shows why accuracy is useless here); logistic regression (balanced): "
            f"{mean('logreg'):.3f}; HistGradientBoosting: {mean('hgb'):.3f} on raw features")
    if "hgb_physics" in runs:
        text += f", {mean('hgb_physics'):.3f} with the physics features"
    text += "."
    if "mlp_baseline" in runs:
        text += f" The lab's MLP under the honest protocol: {mean('mlp_baseline'):.3f}"
        if "mlp_baseline_physics" in runs:
            text += f" (raw), {mean('mlp_baseline_physics'):.3f} (raw+physics)"
        text += "."
    return text


def describe_gap(train: dict, test: dict, metric: str = "macro_f1") -> str:
    gap = train[metric] - test[metric]
    if gap > GAP_OVERFIT:
        verdict = "the model overfits: it fits training rows (including the noise classes) it cannot generalize from"
    elif gap < -GAP_OVERFIT:
        verdict = "the test score is higher than the training score, a sign of a small, lucky test set"
    else:
        verdict = "train and test agree, so there is little overfitting"
    return f"Train {metric} {train[metric]:.3f}, test {test[metric]:.3f} (gap {gap:+.3f}): {verdict}."


def search_sentence(search, train_rows: int, folds: int) -> str:
    best = ", ".join(f"{k}={v}" for k, v in search.best_params.items())
    return (f"{search.method.capitalize()} search over {search.n_candidates} configurations ({search.n_fits} fits, "
            f"{folds}-fold stratified CV, scored by macro-F1) on {search.searched_rows:,} of {train_rows:,} training rows "
            f"in {search.seconds:.0f} s. Best: {best} (CV macro-F1 {search.best_score:.3f}); it is refitted on all "
            "training rows.")


def curves_sentence(summary: dict) -> str:
    if not summary:
        return ""
    text = f"Over {summary['epochs']} epochs the training loss ends at {summary.get('final_train_loss', float('nan')):.3f}"
    if "final_test_loss" in summary:
        text += f" and the test loss at {summary['final_test_loss']:.3f}; the test loss was lowest at epoch {summary['best_test_epoch']}"
    text += ". "
    if "final_train_macro_f1" in summary and "final_test_macro_f1" in summary:
        text += (f"Final macro-F1: train {summary['final_train_macro_f1']:.3f}, test {summary['final_test_macro_f1']:.3f}. ")
    text += "The test curve is drawn for reading only: no choice was made on it."
    return text


def regularization_sentence(rows: list[dict]) -> str:
    ref = next(r for r in rows if r["model"] == "mlp_tuned_plain")
    parts = []
    for r in rows:
        if r["model"] == "mlp_tuned_plain":
            continue
        parts.append(f"`{r['model']}` {r['test_macro_f1']:.3f} ({_change(r['test_macro_f1'] - ref['test_macro_f1'])}, "
                     f"train-test gap {r['gap']:+.3f})")
    best = max(rows, key=lambda r: r["test_macro_f1"])
    return (f"Without regularization the tuned network scores {ref['test_macro_f1']:.3f} (gap {ref['gap']:+.3f}). "
            + "; ".join(parts) + f". Best: `{best['model']}`.")


def levers_sentence(levers: list[dict]) -> str:
    base = levers[0]
    parts = [f"{r['lever']}: {r['macro_f1_mean']:.3f} ± {r['macro_f1_std']:.3f} "
             f"({_change(r['macro_f1_mean'] - base['macro_f1_mean'])})" for r in levers[1:]]
    return f"Starting from {base['lever']} ({base['macro_f1_mean']:.3f} ± {base['macro_f1_std']:.3f}): " + "; ".join(parts) + "."


def quality_sentence(verdict: dict) -> str:
    text = (f"The tuned MLP reaches test macro-F1 {verdict['tuned_mean']:.3f} ± {verdict['tuned_std']:.3f} over "
            f"{verdict['n_seeds']} split seeds; the best tree baseline on the same features (`{verdict['best_tree']}`) "
            f"reaches {verdict['tree_mean']:.3f} ± {verdict['tree_std']:.3f}. ")
    bar = verdict["bar"]
    text += (f"The quality bar (macro-F1 ≥ {bar:.2f} and not below the best tree) is "
             f"**{'met' if verdict['passes'] else 'not met'}**: ")
    reasons = []
    reasons.append(f"macro-F1 {'≥' if verdict['meets_bar'] else '<'} {bar:.2f}")
    reasons.append(f"{'above' if verdict['not_below_tree'] else 'below'} the tree by "
                   f"{abs(verdict['tuned_mean'] - verdict['tree_mean']):.3f}")
    text += ", ".join(reasons) + "."
    if verdict.get("random_failures_f1", 0) > 0:
        text += (f" Part of it is chance: the tuned MLP's *Random Failures* F1 of {verdict['random_failures_f1']:.2f} "
                 f"(mean over seeds) adds {verdict['random_failures_share']:.3f} to its macro-F1, and those failures are "
                 f"random by construction; without it the mean would be "
                 f"{verdict['tuned_mean'] - verdict['random_failures_share']:.3f}.")
    return text


def error_sentence(pairs: pd.DataFrame, per_class_f1: dict[str, float]) -> str:
    if pairs.empty:
        return "No test row is misclassified."
    top = pairs.iloc[0]
    text = (f"The largest confusion: {top['rows']} *{top['true']}* rows predicted as *{top['predicted']}* "
            f"({top['share of true class %']:.0f} % of that class). ")
    f1 = ", ".join(f"{c} {v:.2f}" for c, v in sorted(per_class_f1.items(), key=lambda kv: -kv[1]))
    text += f"Mean test F1 per class over seeds: {f1}. "
    if "Random Failures" in per_class_f1:
        text += (f"*Random Failures* (F1 {per_class_f1['Random Failures']:.2f}) occur with a 0.1 % chance regardless of the "
                 "inputs by construction of the dataset: no model can predict them, so macro-F1 over six classes is capped "
                 "near 5/6. ")
    if "Tool Wear Failure" in per_class_f1:
        text += (f"*Tool Wear Failure* (F1 {per_class_f1['Tool Wear Failure']:.2f}) happens at a random wear time between "
                 "200 and 240 min, where most tools are replaced without failing: the wear band is predictable, the moment "
                 "is not.")
    return text


def seeds_sentence(values: dict[str, list[float]]) -> str:
    parts = [f"`{k}` {np.mean(v):.3f} ± {np.std(v, ddof=1) if len(v) > 1 else 0:.3f}" for k, v in values.items()]
    return f"Test macro-F1, mean ± std over {len(next(iter(values.values())))} split seeds: " + "; ".join(parts) + "."


def rules_sentence(rules: dict, verdict: dict) -> str:
    """How the tuned MLP and the bar compare with the documented generation rules applied without training."""
    per_class = rules["per_class_f1"]
    exact = [c for c, v in per_class.items() if v >= 0.97 and c != "No Failure"]
    text = (f"The documented failure rules themselves, applied to the same test rows (only their tool-wear window fitted on "
            f"the training rows), reach macro-F1 "
            f"{rules['mean']:.3f} ± {rules['std']:.3f}")
    if exact:
        text += f" ({', '.join(exact)} almost exactly)"
    weak = {c: v for c, v in per_class.items() if v < 0.5}
    if weak:
        text += "; they cannot do better on " + ", ".join(f"{c} (F1 {v:.2f})" for c, v in weak.items())
    text += ". "
    gap = verdict["tuned_mean"] - rules["mean"]
    text += (f"The tuned MLP is {abs(gap):.3f} {'above' if gap > 0 else 'below'} that reference")
    if rules["mean"] < verdict["bar"]:
        text += (f", and the bar of {verdict['bar']:.2f} lies above what the generating rules achieve: reaching it "
                 "would mean predicting failures that are random by construction, or a lucky split.")
    else:
        text += "."
    return text
