"""Sentences and captions of the California chapter, built from computed numbers only.

Each function prints a clause only when its condition holds (tests cover every branch). Errors are
in $100,000 (the target's unit); "better / worse / on a par" comes from the noise rule alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlplab.california.features import LABELS
from mlplab.california.models import ENCODING_LABELS
from mlplab.experiment import verdict as V
from mlplab.experiment.prose import (capital, curve_finding, join, metric_name, num, params_text, pct,
                                     rest_words, verdict_clause, verdict_counts, verdicts_summary)

UNIT = " ($100,000)"
RUNS = "outer splits"


def _money(value: float) -> str:
    """$100,000 units as dollars, for readers: 0.48 -> $48,000."""
    return f"${100_000 * value:,.0f}"


# ---- data ---------------------------------------------------------------------------------------------

def data_sentence(report: dict, provenance: dict) -> str:
    text = (f"{report['rows']:,} block groups were read from {report['layout']} (source: {provenance['source']}). ")
    if provenance.get("source") == "embedded":
        text += "No data file or scikit-learn cache was found, so the real copy shipped with the package was used. "
    if report.get("missing_avebedrms"):
        text += (f"{report['missing_avebedrms']:,} rows lack the bedroom count, so their bedrooms per household are "
                 "imputed with the median of the fit rows inside every model's pipeline. ")
    if report.get("dropped_columns"):
        text += f"Columns outside the common schema were dropped: {', '.join(report['dropped_columns'])}. "
    return text.strip()


def skew_sentence(table: pd.DataFrame, skewed: list[str], threshold: float) -> str:
    if not skewed:
        return (f"No feature has a skewness above {threshold:g} on the fit rows, so every pipeline uses the "
                "features as they are.")
    rows = table.set_index("column").loc[skewed]
    worst = rows["skewness"].idxmax()
    return (f"{capital(join([LABELS[c] for c in skewed]))} have long right tails (skewness above {threshold:g}; "
            f"{LABELS[worst]} reaches {num(float(rows.loc[worst, 'max']), 1)} against a median of "
            f"{num(float(rows.loc[worst, 'median']), 2)}), from block groups with few households. Their logarithm "
            "(log1p) replaces them in the linear model and the tuned MLP; the trees do not need it.")


def capped_sentence(capped: dict) -> str:
    text = (f"{capped['rows']:,} block groups ({pct(capped['share'])}) sit exactly at the census ceiling of "
            f"{capped['cap']} ({_money(capped['cap'])}): their true value is only known to be at least that. ")
    if capped["rows"] and capped["median_income_capped"] > capped["median_income_rest"]:
        text += (f"Their median income is {num(capped['median_income_capped'], 2)} against "
                 f"{num(capped['median_income_rest'], 2)} for the other rows ($10,000 units). ")
    text += ("They stay in the fit and test rows, as in the published anchors, and every model's predictions are "
             "clipped to the range of its training targets, since no true value lies above the ceiling.")
    return text


def correlation_sentence(corr: pd.DataFrame) -> str:
    top = corr.iloc[0]
    second = corr.iloc[1]
    text = (f"{capital(top['meaning'])} has the strongest rank correlation with the house value "
            f"(Spearman r = {top['spearman r']:+.2f}), followed by {second['meaning']} ({second['spearman r']:+.2f}).")
    geo = corr[corr["feature"].isin(["Latitude", "Longitude"])]
    if len(geo) and geo["spearman r"].abs().max() < 0.3:
        text += (" Latitude and longitude correlate weakly with the value on their own (|r| below 0.3): no monotone "
                 "trend along one coordinate describes where the value lies.")
    return text


# ---- search ----------------------------------------------------------------------------------------------

def budget_sentence(mlp: dict, hgb: dict, *, rows: int = 0, fit_rows: int = 0) -> str:
    """`rows`: the searches' random subsample of each split's `fit_rows` (0, or not fewer: all of them)."""
    same = (mlp["candidates"], mlp["cv_folds"], len(mlp["rounds"])) == (hgb["candidates"], hgb["cv_folds"],
                                                                       len(hgb["rounds"]))
    where = (f"a random {rows:,} of each outer split's {fit_rows:,} fit rows (the same rows for both models; a "
             "subsample for time)" if 0 < rows < fit_rows else "every outer split's fit rows")
    text = (f"Each search runs on {where}: the MLP's {mlp['candidates']} candidates and HGB's "
            f"{hgb['candidates']} are scored by {mlp['cv_folds']}-fold cross-validation")
    if mlp["method"] == "halving":
        n, f = len(mlp["rounds"]), mlp.get("factor", 3)
        text += (f" in {n} round{'s' if n != 1 else ''} of successive halving (the best 1/{f} of the candidates "
                 f"continues with {f} times the budget)")
    text += ". "
    if same:
        text += "Both models get the same budget: candidates, folds and rounds are equal."
    else:
        text += ("The budgets differ (candidates, folds or rounds), so the comparison below favours the model with the "
                 "larger search.")
    return text


def search_sentence(choices: dict, label: str) -> str:
    """`choices`: {split: best params (readable)} of one model's searches."""
    texts = {i: params_text(p) for i, p in choices.items()}
    if len(set(texts.values())) == 1:
        return f"{capital(label)}: every outer split's search chose the same configuration ({next(iter(texts.values()))})."
    if len(texts) <= 3:
        parts = [f"split {i}: {t}" for i, t in texts.items()]
        return f"{capital(label)}: the searches chose different configurations per outer split ({'; '.join(parts)})."
    counts = pd.Series(list(texts.values())).value_counts(sort=True)   # most frequent first, ties in first-seen order
    parts = [f"{t} on {n} of {len(texts)} splits" if i == 0 else f"{t} on {n}" for i, (t, n) in enumerate(counts.items())]
    return f"{capital(label)}: the searches chose {'; '.join(parts)}."


def encoding_sentence(encodings: dict) -> str:
    chosen = [ENCODING_LABELS.get(e, e) for e in encodings.values()]
    if len(set(chosen)) == 1:
        return f"The tuned MLP's inputs use {chosen[0]} on every outer split."
    counts = pd.Series(chosen).value_counts()
    return "The tuned MLP's encoding differs per split: " + join([f"{k} on {v}" for k, v in counts.items()]) + "."


# ---- models -----------------------------------------------------------------------------------------------

def scores_sentence(runs: dict, names) -> str:
    parts = []
    for n in names:
        r = runs[n]
        parts.append(f"{r.label} {num(r.mean('rmse'))} ± {num(r.std('rmse'))}")
    best = min(names, key=lambda n: runs[n].mean("rmse"))
    return (f"Mean test RMSE ± SD over the {runs[names[0]].n} {RUNS}{UNIT}: {join(parts)}. Lowest on test: "
            f"{runs[best].label}.")


def verdict_sentence(runs: dict, a: str, b: str, v: V.Verdict) -> str:
    return capital(verdict_clause(runs[a].label, runs[b].label, v, "rmse", unit="", runs=RUNS)) + "."


def goal_sentence(goal: dict) -> str:
    """`goal`: target, model, label, mlp_mean, per_split, met, hgb_mean, gap_to_hgb."""
    head = (f"Goal: an MLP test RMSE of at most {goal['target']:g} ({_money(goal['target'])}) on average over the "
            f"outer splits, hyperparameters chosen on fit and validation rows only. ")
    per = ", ".join(num(v) for v in goal["per_split"])
    if goal["met"]:
        text = head + (f"{capital(goal['label'])} reaches {num(goal['mlp_mean'])} (splits: {per}): the goal is met. ")
    else:
        text = head + (f"{capital(goal['label'])} reaches {num(goal['mlp_mean'])} (splits: {per}), "
                       f"{num(goal['mlp_mean'] - goal['target'])} above the goal: it is not met. ")
    gap = goal["gap_to_hgb"]
    if gap > 0:
        text += f"HGB, tuned with the same budget, reaches {num(goal['hgb_mean'])}: the MLP is {num(gap)} behind it."
    else:
        text += f"HGB, tuned with the same budget, reaches {num(goal['hgb_mean'])}: the MLP is {num(-gap)} ahead of it."
    return text + _linear_scale(goal.get("linear_mean"), goal["target"])


def _linear_scale(linear: float | None, target: float) -> str:
    """Where the simplest fitted model stands beside a quoted goal (empty when it did not run)."""
    if linear is None:
        return ""
    side = "already meets" if linear <= target else "misses"
    return f" For scale, linear regression, the simplest fitted model, reaches {num(linear)}: it {side} the goal."


def recommendation_sentence(rec: dict | None, runs: dict, metric: str = "rmse", higher_is_better: bool = False) -> str:
    """The validation-chosen model (mlplab.experiment.select.recommend) in words, for either lab."""
    if rec is None:
        return "No model was scored on the validation rows of every split, so none is recommended."
    best = runs[rec["model"]]
    text = (f"On the validation rows, {best.label} has the {'highest' if higher_is_better else 'lowest'} "
            f"{metric_name(metric)} ({num(rec['validation'])}); it is the recommended model, and its test "
            f"{metric_name(metric)} is {num(rec['test'])}.")
    if rec.get("runner_up"):
        text += f" Runner-up on validation: {runs[rec['runner_up']].label}."
    return text


# ---- curves, regularization, errors ----------------------------------------------------------------------

def regularization_sentence(table: pd.DataFrame) -> str:
    """`table`: tables.pairs_table of each regularizer against its reference (columns change, verdict)."""
    return verdicts_summary(table, "the unregularized tuned MLP", f"test RMSE, paired over the {RUNS}")


def regularization_caption(table: pd.DataFrame) -> str:
    better, worse = verdict_counts(table)
    if better == 0 and worse == 0:
        return "Takeaway: no regularizer moves the test RMSE beyond the noise of the outer splits."
    lower = ("no regularizer lowers" if better == 0 else
             f"{better} regularizer{'s' if better != 1 else ''} lower{'s' if better == 1 else ''}")
    raise_ = "none raises it" if worse == 0 else f"{worse} raise{'s' if worse == 1 else ''} it"
    return f"Takeaway: {lower} the test RMSE beyond the noise and {raise_}" + rest_words(table, better + worse)


GAP = {"rmse": (0.25, 0.05, "relative"), "macro_f1": (0.10, 0.03, "absolute")}  # overfits / moderate thresholds


def gap_sentence(run, metric: str = "rmse") -> str:
    """Train against test score of one model (means over the outer splits); "overfits" only when the gap
    says so: RMSE relative to the test error, macro-F1 as a difference."""
    high, moderate, how = GAP[metric]
    train, test = run.mean(metric, "train"), run.mean(metric)
    gap = ((test - train) / test if test else 0.0) if how == "relative" else train - test
    what = metric_name(metric)
    shown = pct(gap) + " of the test error" if how == "relative" else num(gap)
    from mlplab.experiment.curves import diagnose

    kind = diagnose(getattr(run, "history", None), run.label).kind  # the curve figure's own diagnosis
    if gap > high:
        head = (f"{capital(run.label)} scores {num(train)} {what} on its fit rows and {num(test)} on test: it fits "
                f"its fit rows far better than it generalizes (a generalization gap of {shown})")
        if kind == "overfitting":
            return (head + ", and its curves show the later epochs overfitting: stopping at the best epoch would keep "
                    "the weights with the lowest validation loss.")
        if kind == "diverging":
            return (head + ", and its curves show the gap widening over the later epochs while the validation loss "
                    "stays level.")
        if kind == "unstable":
            return (head + "; its validation loss swings too much over the epochs to show when the gap opens "
                    "(unstable training).")
        if kind in ("drift", "still_falling", "flat"):
            return (head + "; its fit–validation gap does not widen over the epochs, so the gap is there from early "
                    "on and training longer is not what causes it.")
        return head + "."
    if gap > moderate:
        return (f"{capital(run.label)} scores {num(train)} {what} on its fit rows and {num(test)} on test: a moderate "
                f"generalization gap of {shown}.")
    head = f"The fit-row and test {what} of {run.label} are close ({num(train)} and {num(test)}, means over the outer splits)"
    if kind == "overfitting":
        return (f"{head} at the end of training, but its curves show the later epochs overfitting (the gap between "
                "training and validation loss widens after the best epoch): stopping at the best epoch would keep the "
                "weights with the lowest validation loss.")
    if kind == "unstable":
        return (f"{head}: no sign of overfitting at the end of training, while the swings of its validation loss "
                "(unstable training) hide any trend of the gap over the epochs.")
    return f"{head}: no sign of overfitting."


def residual_sentence(res: pd.DataFrame, label: str) -> str:
    cap = res["capped"]
    text = ""
    if cap.any():
        mean_cap = float(res.loc[cap, "residual"].mean())
        share = float((res.loc[cap, "residual"] ** 2).sum() / (res["residual"] ** 2).sum())
        direction = "too low" if mean_cap > 0 else "too high"
        text += (f"On the capped test rows {label} predicts {direction} by {num(abs(mean_cap))} on average; these "
                 f"{cap.sum():,} rows ({pct(cap.mean())} of the test rows) carry {pct(share)} of its squared error. ")
    big = float(np.quantile(np.abs(res["residual"]), 0.9))
    hi = res["prediction"] > res["prediction"].median()
    spread_hi = float(res.loc[hi, "residual"].std())
    spread_lo = float(res.loc[~hi, "residual"].std())
    if spread_hi > 1.25 * spread_lo:
        text += (f"The residuals spread more for high predictions (SD {num(spread_hi)} above the median prediction, "
                 f"{num(spread_lo)} below): the errors grow with the value. ")
    text += f"One test row in ten is off by more than {num(big)} ({_money(big)})."
    return text


def decile_sentence(table: pd.DataFrame) -> str:
    worst = table.loc[table["RMSE"].idxmax()]
    best = table.loc[table["RMSE"].idxmin()]
    text = (f"The error is largest in income decile {int(worst['decile'])} (RMSE {num(worst['RMSE'])}) and smallest in "
            f"decile {int(best['decile'])} ({num(best['RMSE'])}).")
    top = table.iloc[-1]
    if top["mean residual"] > 0.05:
        text += (f" In the top decile the model predicts too low on average ({num(top['mean residual'])}), where "
                 f"{int(top['capped rows'])} of its {int(top['rows'])} test rows are capped.")
    elif top["mean residual"] < -0.05:
        text += f" In the top decile it predicts too high on average ({num(top['mean residual'])})."
    return text


# ---- captions (each ends with its takeaway) --------------------------------------------------------------

def caption_target(capped: dict) -> str:
    return (f"Median house value per block group. Takeaway: {capped['rows']:,} block groups "
            f"({pct(capped['share'])}) pile up at the census ceiling of {capped['cap']}.")


def caption_distributions(skewed: list[str]) -> str:
    if skewed:
        return (f"Distributions of the eight features. Takeaway: {join([LABELS[c] for c in skewed])} have long right "
                "tails (log axes), the reason they are log-transformed.")
    return "Distributions of the eight features. Takeaway: no feature has a long right tail."


def caption_map(frame: pd.DataFrame) -> str:
    """Where the most valuable tenth of block groups lies, by latitude band (north of 37° N: the Bay Area and
    beyond; south of 35° N: Los Angeles and San Diego)."""
    from mlplab.data.california import TARGET

    top = frame[frame[TARGET] >= frame[TARGET].quantile(0.9)]
    north = float((top["Latitude"] > 37).mean())
    south = float((top["Latitude"] < 35).mean())
    return (f"Block groups by position, coloured by median house value. Takeaway: of the most valuable tenth, "
            f"{pct(north)} lie north of 37° N (the Bay Area and beyond) and {pct(south)} south of 35° N (Los Angeles "
            f"and San Diego), {pct(1 - north - south)} in between.")


def caption_correlations(corr: pd.DataFrame) -> str:
    top = corr.iloc[0]
    return (f"Spearman correlations between the columns. Takeaway: {top['meaning']} is the strongest single signal "
            f"(r = {top['spearman r']:+.2f}).")


def caption_scores(runs: dict, names, goal: float) -> str:
    best = min(names, key=lambda n: runs[n].mean("rmse"))
    below = [runs[n].label for n in names if runs[n].mean("rmse") <= goal]
    tail = (f"{join(below)} {'is' if len(below) == 1 else 'are'} at or below the goal of {goal:g} on average"
            if below else f"no model reaches the goal of {goal:g} on average")
    return f"Takeaway: {runs[best].label} is lowest; {tail}."


def caption_residuals(res: pd.DataFrame, label: str) -> str:
    cap = res["capped"]
    if cap.any() and res.loc[cap, "residual"].mean() > 0:
        return (f"Residuals of {label} against its predictions (first outer split, test rows). Takeaway: the capped "
                "rows (orange) lie above zero — the model predicts them too low.")
    return (f"Residuals of {label} against its predictions (first outer split, test rows). Takeaway: the residuals "
            f"are centred near zero (mean {num(float(res['residual'].mean()))}).")


def caption_residual_map(res: pd.DataFrame, label: str) -> str:
    coast = res["Longitude"] < -121.5
    a = float(np.sqrt((res.loc[coast, "residual"] ** 2).mean())) if coast.any() else float("nan")
    b = float(np.sqrt((res.loc[~coast, "residual"] ** 2).mean())) if (~coast).any() else float("nan")
    where = "west" if a > b else "east"
    return (f"Residuals of {label} at the block groups' positions (first outer split, test rows). Takeaway: the RMSE "
            f"is {num(a)} west of longitude −121.5° and {num(b)} east of it — larger in the {where}.")


def caption_deciles(table: pd.DataFrame, label: str) -> str:
    worst = table.loc[table["RMSE"].idxmax()]
    return (f"Takeaway: for {label}, decile {int(worst['decile'])} has the largest error ({num(worst['RMSE'])}), "
            f"{num(worst['RMSE'] / max(table['RMSE'].min(), 1e-12), 1)} times the smallest.")


def caption_curves(history: pd.DataFrame | None, label: str, what: str = "Loss and R²") -> str:
    finding = curve_finding(history, label)
    head = (f"{what} per epoch of {label} on the fit, validation and test rows (first outer split; the test "
            "curve is shown, never used).")
    return f"{head} Takeaway: {finding[:1].lower()}{finding[1:]}" if finding else head


# ---- protocol, anchors, results -----------------------------------------------------------------------

def protocol_sentence(sizes: dict) -> str:
    return (f"Each of the {sizes['outer_splits']} outer splits (split seeds {', '.join(map(str, sizes['seeds']))}) fits "
            f"every model on {sizes['fit']:,} rows, compares the models on {sizes['validation']:,} validation rows and "
            f"scores them once on {sizes['test']:,} test rows, capped rows included. A row is a test row in one split "
            "and a training row in another, so the noise rule's intervals use the Nadeau–Bengio correction.")


def anchors_sentence(anchors: dict, runs: dict) -> str:
    """The published anchors (Gorishniy et al., their own split) beside ours: quoted, never ours."""
    rmse = anchors["rmse"]
    ours = runs["mlp_tuned"].mean("rmse")
    source = anchors["source"].removesuffix(", their split")  # the split is said in the parenthesis
    authors, _, title = source.partition("), ")
    source = f"{authors}) (*{title}*)" if title else source  # the title set apart: not "… Tabular Data report"
    text = (f"For orientation only (another split, so not comparable row for row), {source} report test "
            f"RMSE {num(rmse['mlp'])} for a tuned MLP, {num(rmse['resnet'])} for a ResNet, {num(rmse['ft_transformer'])} "
            f"for the FT-Transformer and about {num(rmse['tuned_gbdt'], 2)} for tuned gradient boosting. ")
    if ours < rmse["mlp"]:
        text += f"Our tuned MLP's {num(ours)} is below their MLP's figure."
    else:
        text += f"Our tuned MLP's {num(ours)} is not below their MLP's figure."
    if "linear" in runs:
        text += f" For scale, our linear regression, the simplest fitted model, reaches {num(runs['linear'].mean('rmse'))}."
    return text


def arch_caption(items) -> str:
    from mlplab.plots.architecture import count_parameters

    counts = sorted(((title, count_parameters(module)) for module, title, _, _ in items), key=lambda c: c[1])
    small, big = counts[0], counts[-1]
    if len(counts) == 1:
        return f"Takeaway: {big[0]} has {big[1]:,} trainable parameters."
    ratio = big[1] / max(1, small[1])
    if ratio < 1.1:
        return (f"Takeaway: {big[0]} and {small[0]} are about the same size ({big[1]:,} and {small[1]:,} trainable "
                "parameters).")
    return (f"Takeaway: {big[0]} has {big[1]:,} trainable parameters, {ratio:.1f} times as many as "
            f"{small[0]} ({small[1]:,}).")


def subsample_sentence(rows: int, total: int) -> str:
    if rows < total:
        return (f"This run uses a random subsample of {rows:,} of the {total:,} rows (parameter `max_rows`): its numbers "
                "describe that subsample, not the full data.")
    return f"All {total:,} rows are used."


def caption_columns(table: pd.DataFrame, skewed: list[str]) -> str:
    worst = table.loc[table["skewness"].idxmax()]
    return (f"Takeaway: {worst['meaning']} is the most skewed column (skewness {num(float(worst['skewness']), 1)}); "
            f"{len(skewed)} feature{'s' if len(skewed) != 1 else ''} get{'s' if len(skewed) == 1 else ''} a log transform.")


def caption_sizes(sizes: dict) -> str:
    return (f"Takeaway: every model is fitted on {sizes['fit']:,} rows and scored on {sizes['test']:,} test rows in each "
            f"of the {sizes['outer_splits']} outer splits.")


def caption_search(result, final_epochs: int | None = None) -> str:
    """The search's choice; its epoch budget is the search's, and `final_epochs` (when it differs) is what the
    chosen configuration trains for in the final fits, said here so the two numbers never meet unexplained."""
    params = {k.replace("enc__kind", "encoding"): v for k, v in result.best_params.items() if k != "epochs"}
    budget = result.best_params.get("epochs")
    at = f" at {int(budget)} epochs" if budget else ""
    text = (f"Takeaway: the first split's search chose {params_text(params)} (cross-validated RMSE "
            f"{num(-result.best_score)}{at}, {result.n_candidates} candidates)")
    if final_epochs and budget and int(final_epochs) != int(budget):
        text += f"; its final fits train it for {int(final_epochs)} epochs"
    return text + "."


def search_table_caption(top: pd.DataFrame, result, final_epochs: int | None = None) -> str:
    """What the search table shows: the best-ranked distinct configurations, and why their ranks may skip
    (successive halving scores a surviving configuration once per round, and every scored fit is ranked)."""
    k = len(top)
    which = (f"All {k} MLP configurations" if k >= result.n_candidates else
             f"The {k} best-ranked of the {result.n_candidates} MLP configurations")
    head = f"{which} of the first split's search, with their cross-validated RMSE ($100,000; lower is better)"
    if "budget" in top:
        head += ", each once, at the epoch budget of the last halving round it reached"
    head += "."
    from mlplab.plots.search import rank_note

    return f"{head}{rank_note(top)} {caption_search(result, final_epochs)}"


def epochs_sentence(search_epochs: int, epochs: int) -> str:
    """Why the search's epoch budget and the tuned MLP's differ (or that they do not)."""
    if int(search_epochs) == int(epochs):
        return f"The chosen configuration's final fits train for the search's {int(epochs)} epochs."
    longer = "more" if epochs > search_epochs else "fewer"
    return (f"The search compares configurations at up to {int(search_epochs)} epochs (its last round), a budget cut "
            f"for time; the chosen configuration's final fits then train for {int(epochs)} epochs, {longer} than any "
            "candidate had.")


def caption_capped(table: pd.DataFrame) -> str:
    rows = table.dropna(subset=["RMSE capped"])
    if rows.empty:
        return "Takeaway: this split has no capped test rows."
    worst = rows.loc[rows["share of squared error %"].idxmax()]
    ratio = (rows["RMSE capped"] / rows["RMSE other rows"]).astype(float)
    times = (f"{ratio.min():.1f} times" if round(ratio.min(), 1) == round(ratio.max(), 1) else
             f"{ratio.min():.1f} to {ratio.max():.1f} times")
    return (f"Takeaway: for every model the RMSE on the capped rows is {times} that on the other rows; they carry up "
            f"to {num(float(worst['share of squared error %']), 1)} % of the squared error ({worst['model']}).")


def ensemble_sentence(size: int, spreads: dict[str, float | None], labels: dict[str, str]) -> str:
    """What the seed ensembles are and how much their members disagree (validation rows, first split)."""
    if size <= 1:
        return "Every model is a single fit per outer split (no seed ensemble)."
    parts = []
    for name, spread in spreads.items():
        if spread is None:
            continue
        if spread < 1e-9:
            parts.append(f"the members of {labels[name]} are identical (it has no random element at these settings)")
        else:
            parts.append(f"the members of {labels[name]} differ by {num(spread)} on average from their mean")
    return (f"The tuned MLP and HGB are each the mean of {size} fits with different seeds, the same option for both; "
            + join(parts) + " (validation rows of the first split, $100,000).")
