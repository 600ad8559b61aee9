"""Sentences of the NYSE chapter, each computed from numbers; every qualitative word has a condition
(tests/test_regression_narrative.py covers each branch). Verdict words come from the noise rule."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlplab.experiment import prose
from mlplab.experiment import verdict as V
from mlplab.experiment.prose import (results_sentence, capital, curve_finding, join, metric_name, num, params_text,
                                     verdict_clause, verdicts_summary)

PRICES = ("open", "close", "low", "high")
NEAR_IDENTICAL_R = 0.99
STRONG_R = 0.9
BARELY_R = 0.1
WEAK_R = 0.3
SKEW = 1.0
PRICE_LEVEL_R = 0.3      # |residual| vs close correlation above which errors "grow with the price level"
DOMINANT_SHARE = 50.0    # % of squared error from one symbol


def dollars(x: float) -> str:
    return f"\\${x:,.3f}" if abs(x) < 100 else f"\\${x:,.1f}"


def is_extract(symbols: int, rows: int) -> bool:
    """True when the loaded file holds fewer symbols or rows than the published Kaggle file."""
    from mlplab.references import nyse_published

    pub = nyse_published()
    return symbols < pub["symbols"] or rows < pub["rows"]


def extract_clause(symbols: int, rows: int) -> str:
    """What the loaded NYSE file is, against the published file's size (references/published.yml)."""
    from mlplab.references import nyse_published

    pub = nyse_published()
    if not is_extract(symbols, rows):
        return f"the whole published Kaggle file ({pub['symbols']:,} symbols, {pub['rows']:,} rows)"
    return (f"an extract of the Kaggle file: {symbols:,} of its {pub['symbols']:,} symbols and {rows:,} of its "
            f"{pub['rows']:,} rows ({100 * rows / pub['rows']:.1f} %)")


def extract_sentence(summary: dict, names=None) -> str:
    """The data honesty sentence: what the file is, and what an extract's numbers describe."""
    symbols, rows = summary["symbols"], summary["rows"]
    text = f"The file is {extract_clause(symbols, rows)}."
    if is_extract(symbols, rows):
        listed = f" ({', '.join(names)})" if names is not None and 0 < len(names) <= 10 else ""
        text += (f" Every number below describes these {symbols:,} symbols{listed}, not the whole market of the "
                 "published file.")
    return text


def data_sentence(summary: dict, synthetic: bool, names=None) -> str:
    missing = summary["rows_if_complete"] - summary["rows"]
    text = (f"The table has {summary['rows']:,} rows: {summary['symbols']:,} symbols over {summary['days']:,} trading "
            f"days from {summary['date_min']} to {summary['date_max']}. ")
    if missing > 0:
        text += (f"{summary['symbols_full_history']:,} symbols cover every day; the others start later or stop earlier, "
                 f"which is why there are {missing:,} fewer rows than symbols × days. ")
    else:
        text += "Every symbol has a row on every trading day. "
    if synthetic:
        text += "These are **synthetic** prices from the embedded generator, not the Kaggle data."
    else:
        text += extract_sentence(summary, names)
    return text.strip()


def collinearity_finding(corr: pd.DataFrame) -> str:
    prices = corr.loc[list(PRICES), list(PRICES)].to_numpy()
    lowest = float(prices[np.triu_indices(len(PRICES), 1)].min())
    vol = corr.loc["volume", list(PRICES)]
    biggest = float(vol.abs().max())
    if lowest >= NEAR_IDENTICAL_R:
        text = (f"Open, high, low and close move together almost perfectly (every pairwise {r_bound(lowest, 4)}): "
                "the close is nearly a linear function of the day's other prices, so a linear model already "
                "explains most of its variance and R² of the close says little about a model.")
    elif lowest >= STRONG_R:
        text = (f"Open, high, low and close are strongly correlated (every pairwise r ≥ {lowest:.3f}), "
                "but not interchangeable.")
    else:
        text = f"The four prices correlate at r ≥ {lowest:.3f} with each other."
    strength = "barely" if biggest < BARELY_R else "weakly" if biggest < WEAK_R else "noticeably"
    return text + (f" Volume is {strength} related to them (r between {vol.min():.3f} and {vol.max():.3f}).")


def r_bound(lowest: float, digits: int = 3) -> str:
    """'r ≥ 0.951', or 'r > 0.999' when the bound would print as 1.000 (a correlation below 1 is never 'r ≥ 1')."""
    top = 1 - 10 ** -digits
    if round(lowest, digits) >= 1 and lowest < 1:
        return f"r > {top:.{digits}f}"
    return f"r ≥ {lowest:.{digits}f}"


def corr_caption(corr: pd.DataFrame) -> str:
    prices = corr.loc[list(PRICES), list(PRICES)].to_numpy()
    lowest = float(prices[np.triu_indices(len(PRICES), 1)].min())
    vol = float(corr.loc["volume", list(PRICES)].abs().max())
    first = (f"The four prices are near-duplicates ({r_bound(lowest)})" if lowest >= NEAR_IDENTICAL_R
             else f"The four prices correlate at {r_bound(lowest)}")
    return f"{first}; volume's largest |r| with a price is {vol:.2f}."


def skew_finding(skew: dict, quantiles: dict) -> str:
    s = skew["close"]
    shape = ("right-skewed" if s > SKEW else "left-skewed" if s < -SKEW else "roughly symmetric")
    return (f"The close is {shape} (skewness {s:.2f}; volume {skew['volume']:.2f}): median \\${quantiles['med']:,.2f}, "
            f"99th percentile \\${quantiles['p99']:,.2f}, range \\${quantiles['lo']:,.2f} – \\${quantiles['hi']:,.2f}.")


def hist_caption(skew: dict, quantiles: dict) -> str:
    s = skew["close"]
    if s > SKEW:
        return (f"Most closes are low and a long tail reaches \\${quantiles['hi']:,.0f}: a model fitted to dollars is "
                "dominated by the few expensive symbols.")
    return f"The close is not strongly skewed (skewness {s:.2f})."


def box_caption(outliers: dict) -> str:
    """The boxplots' takeaway: how many rows lie beyond the whiskers of the log values."""
    c, v = outliers["close"], outliers["volume"]
    if c == 0 and v == 0:
        return "No close and no volume lies beyond the whiskers (1.5 × IQR beyond the quartiles)."
    # "heavier tails" read as a claim about the raw values, whose skewness can rank them the other way: say the scale
    return (f"{100 * c:.1f} % of the closes and {100 * v:.1f} % of the volumes lie beyond the whiskers (1.5 × IQR "
            "beyond the quartiles of the log values): " + (
                "on the log scale the volume has more extreme values." if v > c else
                "on the log scale the close has more extreme values." if c > v else
                "on the log scale both have as many extreme values."))


def volume_finding(r_volume_return: float) -> str:
    """Why volume is (not) an input of the return formulation."""
    if abs(r_volume_return) < BARELY_R:
        return (f"The day's log-volume carries almost no linear information about its intraday return "
                f"(r = {r_volume_return:+.3f}), so the scale-free models use only the day's high and low "
                "relative to its open.")
    return (f"The day's log-volume correlates with its intraday return at r = {r_volume_return:+.3f}; "
            "the scale-free models nevertheless use the parameter `relative_inputs` as set.")


def periods_sentence(periods: pd.DataFrame, n_seeds: int) -> str:
    p = periods.set_index("period")
    return (f"Models are fitted on {p.loc['fit', 'rows']:,} rows ({p.loc['fit', 'first day']} to "
            f"{p.loc['fit', 'last day']}), compared on the {p.loc['validation', 'rows']:,} validation rows "
            f"({p.loc['validation', 'first day']} to {p.loc['validation', 'last day']}) and scored once on "
            f"{p.loc['test', 'rows']:,} test rows ({p.loc['test', 'first day']} to {p.loc['test', 'last day']}). "
            f"Each network is trained with {n_seeds} seed{'s' if n_seeds != 1 else ''}; with one fixed test period "
            "the seeds vary only the training randomness (initial weights, batch order, dropout), so the intervals "
            "below say how much a result depends on that randomness, not how it would change on other years.")


def baselines_sentence(runs: dict, ratio) -> str:
    naive, ols, olsr = runs["naive"], runs["ols"], runs["ols_return"]
    v_ols = V.compare_runs(ols, naive, "rmse", higher_is_better=False, test_train_ratio=ratio)
    v_ret = V.compare_runs(olsr, ols, "rmse", higher_is_better=False, test_train_ratio=ratio)
    text = (f"The naive forecast (close = open) has a test RMSE of {dollars(naive.mean('rmse'))}. "
            f"Least squares on the raw prices reaches {dollars(ols.mean('rmse'))}, {V.relation(v_ols)} the naive "
            f"forecast; the same least squares on the scale-free formulation reaches {dollars(olsr.mean('rmse'))}, "
            f"{V.relation(v_ret)} least squares on prices. ")
    text += (f"In R² of the intraday return (the scale-free measure, defined in the glossary) the three reach "
             f"{naive.mean('r2_return'):.3f}, {ols.mean('r2_return'):.3f} and {olsr.mean('r2_return'):.3f}.")
    return text


def baseline_budget_sentence(run, fit_rows: int) -> str:
    """The baseline MLP's training budget, said where it is first scored (the search's credit rests on it)."""
    from mlplab.experiment.prose import updates

    st = run.settings or {}
    n_updates = updates(st, fit_rows)
    if n_updates is None:
        return ""
    return (f"The baseline MLP trains {st['epochs']} epoch{'s' if int(st['epochs']) != 1 else ''} at batch size "
            f"{int(st['batch_size']):,} on the {fit_rows:,} fit rows: {n_updates:,} optimizer updates, a small budget "
            "that the search below does not share, so the search's gain over it mixes better settings with longer "
            "training." if n_updates < 100 else
            f"The baseline MLP trains {st['epochs']} epochs at batch size {int(st['batch_size']):,} on the "
            f"{fit_rows:,} fit rows ({n_updates:,} optimizer updates).")


def lab_sentence(lab, ols) -> str:
    """The lab's network on its own random split; compared with OLS only through scale-free R²."""
    st = lab.settings
    r2 = lab.test["r2_return"]
    text = (f"The lab's network ({st.get('epochs')} epochs at batch size {st.get('batch_size'):,}, raw prices in and "
            f"out) on the lab's random split reaches a test RMSE of {dollars(lab.test['rmse'])} and an R² of the "
            f"intraday return of {num(r2)}. ")
    if r2 < 0:
        text += ("A negative R² of the return means its implied intraday moves are worse than predicting no move at "
                 "all: without scaling, the network does not learn the small move between open and close.")
    elif r2 < ols.mean("r2_return"):
        text += (f"Least squares on prices reaches {ols.mean('r2_return'):.3f} on the chronological test period: "
                 "the unscaled network learns less of the intraday move than a linear fit.")
    else:
        text += (f"That is at least as much of the intraday move as least squares on prices explains on the "
                 f"chronological test period ({ols.mean('r2_return'):.3f}).")
    return text


def formulation_sentence(runs: dict, ratio, target: str) -> str:
    other = "mlp_baseline_close" if target == "intraday_return" else "mlp_baseline_return"
    a, b = runs["mlp_baseline"], runs[other]
    v = V.compare_runs(a, b, "rmse", higher_is_better=False, test_train_ratio=ratio)
    clause = verdict_clause(f"the MLP on the {_target(target)}", f"the same MLP on the {_target(a_other(target))}", v,
                            "rmse", digits=3, unit=" USD", runs="seeds")
    text = capital(clause) + ". "
    if v.word == V.BETTER and target == "intraday_return":
        text += ("The scale-free target spares the network an identity over prices from a few dollars to hundreds: "
                 "it only has to learn the small, bounded move between open and close.")
    elif v.word == V.WORSE:
        text += "On these data the price target serves the network better than the scale-free one."
    return text


def a_other(target: str) -> str:
    return "close" if target == "intraday_return" else "intraday_return"


def _target(target: str) -> str:
    return {"close": "close price", "intraday_return": "intraday return"}[target]


def search_sentence(result, n_fit: int, grid_epochs, searched=None) -> str:
    best = params_text(result.best_params, searched)
    rows = (f"all {n_fit:,} fit rows" if result.searched_rows >= n_fit
            else f"the {result.searched_rows:,} most recent of the {n_fit:,} fit rows")
    text = (f"The {prose.search_method(result.method)} compared {result.n_candidates} configurations ({result.n_fits} fits) with "
            f"{result.cv_folds} expanding time-series folds on {rows}, in {result.seconds:.0f} s. It chose {best} "
            f"(cross-validated RMSE of the target {-result.best_score:.5g}).")
    epochs = result.best_params.get("epochs")
    if epochs is not None and grid_epochs and epochs >= max(grid_epochs):
        text += (" The winner trained for the largest epoch budget searched, the edge of the grid; its training "
                 "curves below say whether that budget cut it short.")
    return text


def epoch_edge_sentence(history: pd.DataFrame | None, epochs: int | None, grid_epochs) -> str:
    """The answer the search sentence promises when the winner sat at the grid's largest epoch budget: was its
    validation loss still falling at the last epoch? '' when the winner was inside the grid or there is no curve."""
    from mlplab.experiment.curves import diagnose

    if epochs is None or not grid_epochs or epochs < max(grid_epochs):
        return ""
    kind = diagnose(history, "the tuned MLP").kind
    if kind == "none":
        return ""
    if kind == "still_falling":
        return (f"At {epochs} epochs, the largest budget searched, the validation loss was still falling: a larger "
                "epoch budget in the grid could lower it further.")
    return (f"At {epochs} epochs, the largest budget searched, the validation loss was no longer falling: the edge of "
            "the grid did not cut the network short.")


def curves_caption(history: pd.DataFrame | None, label: str) -> str:
    """The caption's takeaway of the curves: the diagnosis `curve_finding` spells out under the figure."""
    return prose.curve_takeaway(history, label) or f"Loss per epoch of {label}."


def tuning_sentence(runs: dict, ratio, rows: int = 0) -> str:
    """The search's credit against the model it replaces; the training budgets of the two from their settings."""
    v = V.compare_runs(runs["mlp_tuned"], runs["mlp_baseline"], "rmse", higher_is_better=False, test_train_ratio=ratio)
    text = capital(verdict_clause("the tuned MLP", "the baseline MLP", v, "rmse", unit=" USD", runs="seeds")) + " (same inputs and target)."
    budget = prose.budget_clause("the tuned MLP", runs["mlp_tuned"].settings, "the baseline MLP",
                                 runs["mlp_baseline"].settings, rows)
    if budget:
        text += f" {capital(budget)}."
    if v.word == V.PAR:
        text += " The search found no configuration that transfers to the test period better than the lab's architecture."
    elif v.word == V.WORSE:
        text += (" The configuration chosen by cross-validation on the fit rows did not transfer to the test period.")
    return text


def regularization_sentence(table: pd.DataFrame) -> str:
    return verdicts_summary(table, "the tuned network", "test RMSE, paired over seeds")


def safe_corr(a, b) -> float:
    """Pearson r, 0 when either side is constant (no linear relation to speak of)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(a) < 2 or a.std() == 0 or b.std() == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def error_sentence(detail: dict, per_symbol: pd.DataFrame) -> str:
    err = detail["y_true"] - detail["y_pred"]  # the glossary's residual: truth minus prediction
    corr = safe_corr(np.abs(err), detail["y_true"])
    top = per_symbol.iloc[0]
    if corr > PRICE_LEVEL_R:
        text = (f"Absolute errors grow with the price level (correlation of |residual| with the close {corr:.2f}): "
                "a percentage error costs more dollars on an expensive stock. ")
    else:
        text = f"Absolute errors barely depend on the price level (correlation of |residual| with the close {corr:.2f}). "
    share = float(top["share of squared error %"])
    if share > DOMINANT_SHARE:
        text += (f"One symbol, {top['symbol']} (median close {dollars(top['median close'])}), accounts for "
                 f"{share:.1f} % of the squared test error, so the RMSE mostly measures that symbol. ")
    else:
        text += (f"The largest contributor, {top['symbol']}, accounts for {share:.1f} % of the squared test error. ")
    text += (f"Median residual {dollars(float(np.median(err)))}; 95 % of residuals lie within "
             f"{dollars(float(np.quantile(np.abs(err), 0.95)))}.")
    return text


def recommendation_sentence(rec: dict | None, runs: dict, ratio) -> str:
    return prose.recommendation_sentence(rec, runs, "rmse", higher_is_better=False, ratio=ratio, value=dollars,
                                         chosen_on="the validation period", criterion="lowest validation RMSE",
                                         on_test="On the test period it scores")


def model_rmse_caption(runs: dict, names) -> str:
    best = min(names, key=lambda n: runs[n].mean("rmse"))
    worst = max(names, key=lambda n: runs[n].mean("rmse"))
    return (f"Lowest test RMSE: {runs[best].label} ({dollars(runs[best].mean('rmse'))}); highest: "
            f"{runs[worst].label} ({dollars(runs[worst].mean('rmse'))}).")


def pred_caption(detail: dict) -> str:
    err = detail["y_pred"] - detail["y_true"]
    rel = np.abs(err) / detail["y_true"]
    return f"Points hug the diagonal: the median absolute error is {100 * float(np.median(rel)):.2f} % of the close."


def residual_caption(detail: dict) -> str:
    err = detail["y_true"] - detail["y_pred"]
    return (f"Residuals centre on {dollars(float(np.median(err)))}, with "
            f"{100 * float(np.mean(np.abs(err) > 3 * np.std(err))):.1f} % beyond three standard deviations.")


def symbol_lead(shown: int, total: int) -> str:
    """The figure's first words: 'each of the 4 symbols', never 'the 4 largest' of 4."""
    if shown >= total:
        return f"Test RMSE of each of the {total} symbols, largest first."
    return f"Test RMSE per symbol, the {shown} largest of {total}."


def symbol_caption(per_symbol: pd.DataFrame) -> str:
    top = per_symbol.iloc[0]
    return f"{top['symbol']} alone holds {float(top['share of squared error %']):.1f} % of the squared test error."


def metric_label(m: str) -> str:
    return "R² of the return" if m == "r2_return" else metric_name(m)


def periods_caption(periods: pd.DataFrame) -> str:
    p = periods.set_index("period")
    share = p.loc["test", "rows"] / p["rows"].sum()
    return f"The test period holds {100 * share:.0f} % of the rows and starts after every fitted and validated day."


def search_caption(result) -> str:
    table = result.cv_results
    col = "mean_test_rmse" if "mean_test_rmse" in table else None
    if col is None or len(table) < 2:
        return f"{result.n_candidates} configurations compared."
    final = table[table["iter"] == table["iter"].max()] if "iter" in table else table
    spread = float(final[col].max() - final[col].min())
    text = (f"In the last round the {len(final)} surviving configurations lie within {_plain(spread)} of each other "
            f"in CV RMSE")
    sd = "std_test_rmse" in final and float(final["std_test_rmse"].median())
    if sd and len(final) > 1 and spread < sd:  # closer than the folds disagree: the pick among them is a coin toss
        return (text + f", less than the spread over the folds (SD {_plain(sd)}): the winner is one of several "
                "equally good configurations.")
    return text + "; rank 1 is the winner."


def _plain(x: float) -> str:
    """Two significant digits in positional notation: 0.000065, never 6.5e-05."""
    return np.format_float_positional(x, precision=2, unique=False, fractional=False, trim="-")


def regularization_caption(table: pd.DataFrame) -> str:
    return prose.counts_caption(table, none="No regularizer changes the test RMSE beyond the seeds' noise.",
                                noun="regularizer")


def arch_caption(items) -> str:
    from mlplab.plots.architecture import count_parameters

    counts = [(title, count_parameters(m)) for m, title, *_ in items]
    big = max(counts, key=lambda t: t[1])
    small = min(counts, key=lambda t: t[1])
    if big[1] == small[1]:
        return f"Each has {big[1]:,} trainable parameters."
    return (f"{capital(big[0])} is the largest, with {big[1]:,} trainable parameters; {small[0]} the smallest, with "
            f"{small[1]:,}.")  # no names inside parentheses: a name may carry its own
