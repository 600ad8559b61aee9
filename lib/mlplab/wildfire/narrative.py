"""Sentences and captions of the wildfire chapter, built from computed numbers only (each branch tested).

Scores are macro-F1 unless named; "better / worse / on a par" comes from the noise rule alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlplab.experiment import verdict as V
from mlplab.experiment.prose import capital, join, num, pct, verdict_clause, verdicts_summary
from mlplab.wildfire.models import CLASS_NAMES

RUNS = "outer splits"


# ---- data -------------------------------------------------------------------------------------------

def data_sentence(report: dict, provenance: dict) -> str:
    text = (f"{report['rows']} rows, one per region and day, {report['days']} days from {report['first_day']} to "
            f"{report['last_day']}, read from the {report['layout']} (source: {provenance['source']}). ")
    if provenance.get("source") == "embedded":
        text += "No data file was found, so the original UCI file shipped with the package was used. "
    return text.strip()


def repairs_sentence(report: dict) -> str:
    reps = {r["repair"]: r for r in report["repairs"]}
    if not reps:
        return "The file needed no repair: one header, a Region column, clean values."
    parts = [f"{r['repair']} ({r['count']} line{'s' if r['count'] != 1 else ''})" for r in reps.values()]
    text = f"The loader made {len(reps)} kind{'s' if len(reps) != 1 else ''} of repair, each listed in the table: {join(parts)}."
    fused = reps.get("fused field split")
    if fused:
        text += (f" The fused row (line {fused['lines'][0]}) had one field too few because two numbers shared a field; "
                 "splitting that field restores every column and the row's class.")
    return text


def classes_sentence(counts: pd.DataFrame) -> str:
    both = counts[counts["region"] == "both regions"].iloc[0]
    regions = counts[counts["region"] != "both regions"].sort_values("fire share %")
    low, high = regions.iloc[0], regions.iloc[-1]
    text = (f"{int(both['fire'])} of the {int(both['rows'])} rows are fire days ({num(both['fire share %'], 1)} %), so "
            f"always answering 'fire' is right {num(both['fire share %'], 1)} % of the time and accuracy alone says little; "
            "the headline score is the macro-F1. ")
    if high["fire share %"] - low["fire share %"] >= 5:
        text += (f"Fires are more frequent in {high['region']} ({num(high['fire share %'], 1)} %) than in {low['region']} "
                 f"({num(low['fire share %'], 1)} %).")
    else:
        text += "Both regions have about the same share of fire days."
    return text


def classes_caption(counts: pd.DataFrame) -> str:
    regions = counts[counts["region"] != "both regions"]
    top = regions.loc[regions["fire share %"].idxmax()]
    return f"Takeaway: {top['region']} has the larger share of fire days ({num(top['fire share %'], 1)} %)."


def season_caption(frame: pd.DataFrame) -> str:
    share = frame.groupby(frame["date"].dt.month)["fire"].mean()
    name = lambda m: pd.Timestamp(2012, int(m), 1).strftime("%B")  # noqa: E731
    return (f"Takeaway: {name(share.idxmax())} has the highest share of fire days ({pct(float(share.max()))}), "
            f"{name(share.idxmin())} the lowest ({pct(float(share.min()))}).")


AUC_SIGNAL = 0.05  # an AUC alone within this of 0.5 carries no signal worth a sentence


def auc_phrase(feature: str, auc: float) -> str:
    """A single feature's ROC AUC as a reader should read it: below 0.5 the feature ranks the classes the
    other way (higher values, fewer fires), and read reversed it reaches 1 - AUC."""
    if auc < 0.5:
        return (f"{feature} has an AUC of {num(auc)}: below 0.5, so it ranks the classes the other way (the higher "
                f"its value, the less likely a fire), and read reversed it reaches {num(1 - auc)}")
    return f"{feature} reaches {num(auc)}"


def separation_sentence(sep: pd.DataFrame) -> str:
    """`sep`: features.separation (AUC of each feature alone)."""
    fwi = sep[sep["set"] == "FWI index"].iloc[0]
    weather = sep[sep["set"] == "weather"].iloc[0]
    best_index = (f"{fwi['feature']} orders fire and no-fire days with a ROC AUC of {num(fwi['AUC alone'])}"
                  if fwi["AUC alone"] >= 0.5 else auc_phrase(fwi["feature"], float(fwi["AUC alone"])))
    text = (f"Alone, {best_index} (the best index), and among the weather variables "
            f"{auc_phrase(weather['feature'], float(weather['AUC alone']))}. ")
    # clearly below 0.5 only: an AUC of 0.49 is no signal either way (Ws: the same median in both classes)
    low = sep[(sep["AUC alone"] < 0.5 - AUC_SIGNAL) & ~sep["feature"].isin([fwi["feature"], weather["feature"]])]
    if not low.empty:
        text += (f"{join([f'{f} ({num(a)})' for f, a in zip(low['feature'], low['AUC alone'])])} "
                 f"{'is' if len(low) == 1 else 'are'} below 0.5 as well: lower on fire days. ")
    if fwi["strength"] >= 0.95:
        text += ("An index that nearly sorts the classes on its own means the FWI feature set makes the task almost a "
                 "one-cut problem; the weather-only set is where models have to work.")
    else:
        text += "No single feature sorts the classes, so combining features matters in both sets."
    return text


def features_caption(sep: pd.DataFrame) -> str:
    top = sep.iloc[0]
    return (f"Takeaway: {top['feature']} separates the classes almost completely on its own (AUC alone "
            f"{num(top['AUC alone'])})." if top["strength"] >= 0.9 else
            f"Takeaway: {top['feature']} separates the classes best on its own (AUC alone {num(top['AUC alone'])}).")


def corr_caption(frame: pd.DataFrame) -> str:
    from mlplab.data.wildfire import FWI, SOURCE_NAMES, WEATHER

    r = frame[[*WEATHER, *FWI]].corrwith(frame["fire"], method="spearman")
    top = r.abs().idxmax()
    return (f"Takeaway: {SOURCE_NAMES[top]} has the strongest rank correlation with fire (r = {r[top]:+.2f}); the "
            "indices correlate strongly with each other, as they share their inputs.")


# ---- protocol and searches --------------------------------------------------------------------------

def protocol_sentence(sizes: dict, shared_grouped: list[int], shared_random: list[int]) -> str:
    return (f"{sizes['repeats']} repeat{'s' if sizes['repeats'] != 1 else ''} of {sizes['folds']}-fold cross-validation give {sizes['outer_splits']} outer "
            f"splits; each fits the models on about {sizes['fit']} rows, compares them on about {sizes['validation']} "
            f"validation rows and scores them on about {sizes['test']} test rows. Grouped by day, "
            f"{'no test day' if max(shared_grouped) == 0 else 'some test days'} had a row among the training rows; "
            f"with random rows, {num(float(np.mean(shared_random)), 1)} test days per split did on average — the other "
            "region's row of the same day, with the same weather.")


def sizes_caption(table: pd.DataFrame) -> str:
    shared = int(table["test days with a training row"].max())
    keep = ("no test day has a row among the training rows" if shared == 0
            else f"at most {shared} test day{'s' if shared != 1 else ''} per split also {'have' if shared != 1 else 'has'} "
                 "a training row")
    return (f"Takeaway: {keep}; the test folds' fire share lies between "
            f"{table['test fire share %'].min():.1f} % and {table['test fire share %'].max():.1f} %.")


def budget_sentence(budgets: dict) -> str:
    counts = {k: b["candidates"] for k, b in budgets.items()}
    folds = {b["cv_folds"] for b in budgets.values()}
    same = len(set(counts.values())) == 1 and len(folds) == 1
    words = {"mlp": "MLP", "logreg": "logistic-regression", "hgb": "HGB"}
    text = (f"Per outer split and feature set, the searches score "
            f"{join([f'{v} {words.get(k, k)}' for k, v in counts.items()])} candidates"
            f" by {'/'.join(map(str, sorted(folds)))}-fold cross-validation grouped by day on the fit rows. ")
    text += ("Every family gets the same budget." if same else
             "The budgets differ, so the comparison favours the family with the larger search.")
    return text


def thresholds_sentence(thresholds: dict[str, list[float]], labels: dict[str, str]) -> str:
    parts = []
    for name, values in thresholds.items():
        v = np.asarray(values, dtype=float)
        moved = int(np.sum(np.abs(v - 0.5) > 1e-9))
        parts.append(f"{labels[name]}: median {num(float(np.median(v)), 2)}, moved from 0.5 on {moved} of {len(v)} splits")
    return ("Decision thresholds on p(fire), chosen on day-grouped out-of-fold predictions of the fit rows — "
            + "; ".join(parts) + ".")


# ---- results ------------------------------------------------------------------------------------------

def scores_sentence(runs: dict, names) -> str:
    parts = [f"{runs[n].label} {num(runs[n].mean('macro_f1'))} ± {num(runs[n].std('macro_f1'))}" for n in names]
    best = max(names, key=lambda n: runs[n].mean("macro_f1"))
    return (f"Mean test macro-F1 ± SD over the {runs[names[0]].n} {RUNS}: {join(parts)}. Highest on test: "
            f"{runs[best].label}.")


def scores_caption(runs: dict, names) -> str:
    best = max(names, key=lambda n: runs[n].mean("macro_f1"))
    worst = min(names, key=lambda n: runs[n].mean("macro_f1"))
    return (f"Takeaway: {runs[best].label} is highest ({num(runs[best].mean('macro_f1'))}); {runs[worst].label} is "
            f"lowest ({num(runs[worst].mean('macro_f1'))}).")


def verdict_sentence(runs: dict, a: str, b: str, v: V.Verdict) -> str:
    return capital(verdict_clause(runs[a].label, runs[b].label, v, "macro_f1", runs=RUNS)) + "."


def feature_sets_sentence(table: pd.DataFrame) -> str:
    """`table`: tables.pairs_table of weather+FWI against weather only, per model."""
    return verdicts_summary(table, "the weather-only models", f"test macro-F1, paired over the {RUNS}") + (
        " The indices are computed from the same weather, over the preceding days: what they add is the weather's "
        "history, which a one-day weather row does not hold.")


def feature_sets_caption(table: pd.DataFrame) -> str:
    gain = table["difference"].astype(float)
    best = table.loc[gain.idxmax()]
    verb = "raises" if gain.min() > 0 else "lowers" if gain.max() < 0 else "changes"
    return (f"Takeaway: adding the FWI indices {verb} macro-F1 by {num(float(gain.min()))} to {num(float(gain.max()))} "
            f"(mean over the splits; the verdicts say which of these exceed the noise).")


def contrast_sentence(table: pd.DataFrame) -> str:
    diff = table["random − grouped"].astype(float)
    if (diff > 0.01).all():
        return (f"On random rows the same fixed models score higher than on day-grouped folds, by "
                f"{num(float(diff.min()))} to {num(float(diff.max()))} macro-F1: a random split lets a test day's twin row "
                "and its neighbouring days into training, so it flatters every model. The headline uses day-grouped "
                "folds; this contrast was planned in advance, not chosen after seeing it.")
    if (diff < -0.01).all():
        return (f"On random rows the fixed models score lower than on day-grouped folds (by {num(float(-diff.max()))} to "
                f"{num(float(-diff.min()))}): here sharing days between training and test did not help them.")
    if (diff.abs() <= 0.01).all():
        return (f"Random rows and day-grouped folds give nearly the same scores for the fixed models (differences "
                f"{', '.join(num(float(d)) for d in diff)}): with these features the shared days add little.")
    n = len(diff)
    if (diff >= -0.01).all():  # none clearly lower: gains of different sizes are still gains
        big = int((diff > 0.01).sum())
        return (f"On random rows {big} of the {n} fixed models score higher than on day-grouped folds by more than 0.01 "
                f"macro-F1 (up to {num(float(diff.max()))}) and the rest within 0.01: where sharing days between "
                "training and test moves a score, it raises it, so a random split flatters the models.")
    if (diff <= 0.01).all():
        big = int((diff < -0.01).sum())
        return (f"On random rows {big} of the {n} fixed models score lower than on day-grouped folds by more than 0.01 "
                f"macro-F1 (up to {num(float(-diff.min()))}) and the rest within 0.01: here sharing days between "
                "training and test did not help them.")
    return (f"Random rows change the fixed models' scores by {', '.join(num(float(d)) for d in diff)} macro-F1, up for "
            "some models and down for others: the effect of sharing days between training and test is not consistent "
            "across models.")


def contrast_caption(table: pd.DataFrame) -> str:
    diffs = table["random − grouped"].astype(float)
    diff = float(diffs.mean())
    if abs(diff) < 0.005:
        most = float(diffs.abs().max())
        return ("Takeaway: random rows change the fixed models' mean macro-F1 by less than 0.005 on average (at most "
                f"{num(most)} for one model): here the protocol barely moves the score.")
    return (f"Takeaway: random rows {'raise' if diff > 0 else 'lower'} the mean macro-F1 by {num(abs(diff))} on average "
            "over the fixed models.")


def pooled_sentence(report: pd.DataFrame, label: str) -> str:
    fire = report[report["class"] == "fire"].iloc[0]
    no = report[report["class"] == "not fire"].iloc[0]
    text = (f"Over the first repeat's test folds (every row predicted once), {label} finds {pct(fire['recall'])} of the "
            f"fire days with a precision of {pct(fire['precision'])}, and {pct(no['recall'])} of the no-fire days. ")
    if fire["recall"] < no["recall"] - 0.02:
        text += "It misses fire days more often than it raises false alarms."
    elif no["recall"] < fire["recall"] - 0.02:
        text += "It raises false alarms more often than it misses fire days."
    else:
        text += "Misses and false alarms are about as frequent."
    return text


def report_caption(report: pd.DataFrame) -> str:
    acc = report[report["class"] == "accuracy"].iloc[0]["f1"]
    return f"Takeaway: {pct(acc)} of the rows are classified correctly."


def misclassified_sentence(wrong: pd.DataFrame, total: int, label: str) -> str:
    if wrong.empty:
        return f"{capital(label)} classified every row of the first repeat correctly."
    missed = int((wrong["truth"] == "fire").sum())
    alarms = len(wrong) - missed
    text = (f"{capital(label)} got {len(wrong)} of {total} rows wrong in the first repeat: {missed} missed fire "
            f"day{'s' if missed != 1 else ''} and {alarms} false alarm{'s' if alarms != 1 else ''}. ")
    if "p(fire)" in wrong:
        # counted on the probabilities as the table prints them (two decimals): 0.2499 reads 0.25 there
        near = int((np.abs(wrong["p(fire)"].astype(float).round(2) - 0.5) <= 0.25).sum())
        text += f"{near} of them had a probability of fire between 0.25 and 0.75: borderline days."
    return text


def misclassified_caption(wrong: pd.DataFrame) -> str:
    if wrong.empty:
        return "Takeaway: no row was misclassified."
    by_region = wrong["region"].value_counts()
    return (f"Takeaway: {int(by_region.iloc[0])} of the {len(wrong)} errors are in {by_region.index[0]}.")


def roc_caption(pools: dict[str, pd.DataFrame]) -> str:
    from sklearn.metrics import roc_auc_score

    aucs = {n: roc_auc_score(p["truth"], p["p_fire"]) for n, p in pools.items()}
    best = max(aucs, key=aucs.get)
    worst = min(aucs, key=aucs.get)
    tied = [n for n in aucs if num(aucs[n]) == num(aucs[best])]  # equal as printed: name them all
    head = (f"{join(tied)} rank fire days highest (AUC {num(aucs[best])} each)" if len(tied) > 1
            else f"{best} ranks fire days highest (AUC {num(aucs[best])})")
    return f"Takeaway: {head}; {worst} lowest (AUC {num(aucs[worst])})."


def confusion_caption(pool: pd.DataFrame) -> str:
    wrong = int((pool["truth"] != pool["prediction"]).sum())
    return f"Takeaway: {wrong} of {len(pool)} rows are off the diagonal."


def class_name(code) -> str:
    return CLASS_NAMES[int(code)]



def repairs_caption(report: dict) -> str:
    reps = report["repairs"]
    if not reps:
        return "Takeaway: the file needed no repair."
    lines = sorted({n for r in reps for n in r["lines"]})
    moved = [r for r in reps if r["repair"] == "fused field split"]
    text = f"Takeaway: {len(reps)} kinds of repair touched {len(lines)} lines"
    return text + ("; only the fused row's fields moved, no value was changed." if moved else "; no value was changed.")


def by_class_caption(table: pd.DataFrame) -> str:
    t = table.copy()
    t["ratio"] = t["median, fire"] / t["median, not fire"].where(t["median, not fire"] > 0)
    top = t.loc[t["ratio"].idxmax()]
    return (f"Takeaway: the median {top['feature']} of fire days is {num(float(top['ratio']), 1)} times that of no-fire "
            "days, the largest ratio of any feature.")
