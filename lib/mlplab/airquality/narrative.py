"""Sentences and captions of the air-quality chapter, each built from computed numbers (branches tested).

"better / worse / on a par" comes only from the noise rule (mlplab.experiment.verdict) over the seeds;
with one fixed test period the seeds vary the networks' training randomness only, and the text says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlplab.airquality.models import horizon_key
from mlplab.experiment.prose import capital, join, num, pct
from mlplab.experiment.verdict import BETTER, PAR, TOO_FEW, UNDECIDED, WORSE

NAMES = {"persistence": "persistence", "seasonal_naive": "the same hour yesterday", "linear_ar": "the linear autoregression",
         "lstm_source": "the write-up's LSTM", "lstm_tuned": "the tuned network"}


def label(run_or_name, runs: dict | None = None) -> str:
    if isinstance(run_or_name, str):
        return runs[run_or_name].label if runs and run_or_name in runs else NAMES.get(run_or_name, run_or_name)
    return run_or_name.label


def _word(v: dict | None) -> str:
    return {BETTER: "better than", WORSE: "worse than", PAR: "on a par with", UNDECIDED: "in an undecided comparison with",
            TOO_FEW: "compared, on too few runs to call, with"}[
        v["word"]] if v else "not compared with"


def _interval(v: dict) -> str:
    if v.get("low") is None:
        return f"{v['mean_diff']:+.3f}, {v['n']} seeds"
    return f"{v['mean_diff']:+.3f}, 95 % interval {v['low']:+.3f} to {v['high']:+.3f} over {v['n']} seeds"


# ---- data --------------------------------------------------------------------------------------------

def cleaning_sentence(report: dict, prep) -> str:
    total = report["rows"]
    coded = sum(report["missing_code"].values())
    dropped = prep.cleaned.dropped
    drop = join([f"{c} (missing in {pct(s)} of the hours)" for c, s in dropped.items()])
    kept = len(prep.features)
    first = (f"The file marks a missing value with -200: {coded:,} values over {len(report['columns'])} series and "
             f"{total:,} hours")
    if report.get("hours_added"):
        first += f", plus {report['hours_added']:,} hours absent from the file, added as missing"
    out = [first + "."]
    if dropped:
        out.append(f"{capital(drop)} {'is' if len(dropped) == 1 else 'are'} dropped: too few hours to learn or score "
                   f"{'it' if len(dropped) == 1 else 'them'} on. Every model forecasts the {kept} remaining series at "
                   f"once (the write-up predicted 13 features, so it must have kept NMHC(GT)).")
    else:
        out.append(f"No column is missing often enough to drop; every model forecasts all {kept} series.")
    fills = join([f"{n:,} in the {p} period" for p, n in prep.filled.items()])
    out.append(f"Missing inputs are carried forward from the last measured hour of the same period, never across a "
               f"period boundary ({fills}). Targets are never filled: a forecast is scored, and a network trained, "
               "only where the target hour was measured, since filled targets would reward persistence.")
    return " ".join(out)


def periods_sentence(prep) -> str:
    per = prep.periods
    w = {k: len(v) for k, v in prep.parts.items()}
    return (f"The hours are cut in time order into a fit period ({w['fit']:,} windows), a validation period "
            f"({w['validation']:,}) and a test period ({w['test']:,}). Every series is standardized with its fit-period "
            f"mean and standard deviation. A window holds the last {prep.window} hours of every series and its targets "
            f"{join([f'{h} h' for h in prep.horizons])} later, all inside one period, so none crosses a boundary.")


def shift_sentence(frame: pd.DataFrame, prep, column: str = "T") -> str:
    """How one series' level differs between the periods (the test period is a different season)."""
    if column not in frame:
        return ""
    means = {p: float(frame[column].iloc[a:b].mean()) for p, (a, b) in prep.periods.bounds.items()}
    lo, hi = min(means.values()), max(means.values())
    text = join([f"{means[p]:.1f} in the {p} period" for p in means])
    if hi - lo < 2:
        return f"The mean {column} is much the same in every period ({text})."
    return (f"The periods are different seasons: the mean {column} is {text}, so the test period's levels lie where "
            "the fit period has few hours.")


def autocorrelation_sentence(acf: pd.DataFrame) -> str:
    lag1, lag24 = acf.loc[1], acf.loc[24]
    trough = acf.loc[1:24].idxmin()
    peak = [c for c in acf if acf.loc[24, c] > acf.loc[int(trough[c]), c] + 0.05 and int(trough[c]) < 24]
    out = (f"One hour apart, every series correlates with itself at {lag1.min():.2f} to {lag1.max():.2f}. ")
    if len(peak) == len(acf.columns):
        out += (f"Each dips and rises again towards 24 hours ({lag24.min():.2f} to {lag24.max():.2f} at lag 24): a "
                "daily cycle, which is why the same hour yesterday is a baseline and the window spans a day.")
    elif peak:
        rest = [c for c in acf.columns if c not in peak]
        tail = (f"{rest[0]} decays without returning" if len(rest) == 1 else
                f"the other {len(rest)} decay without returning")
        out += (f"{len(peak)} of the {len(acf.columns)} series dip and rise again towards 24 hours ({join(peak)}): a "
                f"daily cycle; {tail}.")
    else:
        out += "None rises again towards 24 hours: no daily cycle shows in the autocorrelation."
    return out


def correlation_sentence(corr: pd.DataFrame) -> str:
    c = corr.where(~np.eye(len(corr), dtype=bool))
    stacked = c.stack()
    stacked = stacked[[a < b for a, b in stacked.index]]
    top = stacked.abs().sort_values(ascending=False)
    a, b = top.index[0]
    low = top.index[-1]
    strong = int((top > 0.8).sum())
    return (f"{strong} of the {len(top)} pairs of series correlate beyond ±0.8; the strongest pair is {a} and {b} "
            f"({stacked[(a, b)]:+.2f}), the weakest {low[0]} and {low[1]} ({stacked[low]:+.2f}). Series this redundant "
            "let a model forecast one from the others' recent past.")


# ---- models ------------------------------------------------------------------------------------------

def baselines_sentence(runs: dict, horizons) -> str:
    hs = [horizon_key(h) for h in horizons]
    vals = {n: [runs[n].mean(f"r2_{h}") for h in hs] for n in ("persistence", "seasonal_naive", "linear_ar")}
    fmt = lambda n: " / ".join(num(v) for v in vals[n])  # noqa: E731
    hs = [f"{int(h)} h" for h in horizons]
    out = (f"Test mean R² at {' / '.join(hs)}: persistence {fmt('persistence')}, the same hour yesterday "
           f"{fmt('seasonal_naive')}, the linear autoregression {fmt('linear_ar')}.")
    beat = [h for h, p, a in zip(hs, vals["persistence"], vals["linear_ar"]) if p > a]
    if beat:
        out += f" Persistence beats the autoregression at {join(beat)}."
    else:
        out += " The autoregression is ahead of both naive forecasts at every horizon."
    neg = [h for h, p in zip(hs, vals["persistence"]) if p < 0]
    if neg:
        out += (f" Persistence falls below zero at {join(neg)}: repeating the last hour is worse than forecasting the "
                "test period's mean, because the daily cycle has turned by then.")
    return out


def ridge_sentence(alpha: float, scores: dict[str, float]) -> str:
    return (f"The ridge penalty {alpha:g} was chosen among {join(list(scores))} on the validation period's mean R² "
            f"({num(scores[f'{alpha:g}'])}).")


PUBLISHED_R2 = (0.6191, 0.6885, 0.7616)  # the write-up's three R² (learning rate 0.01, unidirectional, best)


def levers_sentence(runs: dict, verdicts: list[dict], source_r2: float, first: int = 1) -> str:
    """Each change to the write-up's network, by the noise rule on test mean R², beside the write-up's claims."""
    from mlplab.airquality.steps import LEVER_LABELS, find

    out = []
    for name in LEVER_LABELS:
        if name == "lstm_source" or name not in runs:
            continue
        v = find(verdicts, name, "lstm_source", "r2_mean")
        if v is None:
            continue
        out.append(f"{runs[name].label} is {_word(v)} the write-up's LSTM ({_interval(v)})")
    text = ("On test mean R² over the horizons, " + join(out, "and") + ".") if out else ""
    claims = (("lstm_lr_high", "On learning rate, the write-up found the lower learning rate better (R² 0.6191 at 0.01, "
                               "0.7616 at 0.001)",
               {WORSE: "we agree", BETTER: "we find the opposite", PAR: "we find them on a par",
                UNDECIDED: "our seeds cannot tell the two apart"}),
              ("lstm_bidirectional", "And it found the bidirectional encoder better (0.6885 to 0.7616)",
               {BETTER: "so do we", WORSE: "we find it worse", PAR: "we find them on a par",
                UNDECIDED: "our seeds cannot tell the two apart"}))
    key = f"r2_{horizon_key(first)}"
    for name, claim, answers in claims:
        v = find(verdicts, name, "lstm_source", "r2_mean")
        if v:
            text += f" {claim}; on the mean R² over our horizons {answers.get(v['word'], 'we have too few seeds to tell')}"
            a, b = runs.get(name), runs.get("lstm_source")
            if (v["word"] in (BETTER, WORSE) and a is not None and b is not None and key in a.first.test
                    and key in b.first.test):
                x, y = a.mean(key), b.mean(key)
                if (x < y) if v["word"] == BETTER else (x > y):  # the first horizon alone points the other way
                    text += (f", though at {first} h alone {a.label} scores {num(a.mean(key))} against "
                             f"{num(b.mean(key))} for the write-up's LSTM (the write-up does not state its horizon)")
            text += "."
    if text and "persistence" in runs and key in runs["persistence"].first.test:
        p = runs["persistence"].mean(key)
        where = ("above all three of the write-up's numbers" if p > max(PUBLISHED_R2) else
                 "below all three of the write-up's numbers" if p < min(PUBLISHED_R2) else
                 f"above {sum(p > x for x in PUBLISHED_R2)} of the write-up's three numbers")
        text += f" For scale, persistence alone reaches {num(p)} at {first} h on our test period, {where}."
    return text


def search_sentence(choice: dict, horizons) -> str:
    t = choice["table"]
    best = t.iloc[0]
    second = t.iloc[1] if len(t) > 1 else None
    out = (f"{choice['n_candidates']} configurations ({choice['n_grid']} from the grid, the rest the single changes above) were "
           f"fitted on the first seed and scored on the validation period; the best mean R² over the horizons, "
           f"{num(best['validation R² (mean)'])}, belongs to the {best['configuration']}.")
    if second is not None:
        out += (f" The runner-up ({second['configuration']}) scores {num(second['validation R² (mean)'])}, "
                f"{num(best['validation R² (mean)'] - second['validation R² (mean)'])} lower.")
    return out + " That configuration, trained on every seed, is the tuned network."


def ensemble_choice_sentence(ens: dict) -> str:
    """Whether the validation period keeps one network or the average of several (mlplab.airquality.steps.ensembled)."""
    scores, k = ens["validation_r2_mean"], ens["size"]
    if "lstm_ensemble" not in scores:
        return "The tuned network is one network (`ensemble` is 1, so no averaged alternative ran)."
    one, avg = num(scores["lstm_single"]), num(scores["lstm_ensemble"])
    if ens["chosen"] == "lstm_ensemble":
        return (f"Averaging the forecasts of {k} networks of the winning configuration, trained from different seeds "
                f"(a seed ensemble), raises the validation mean R² from {one} for one network to {avg}, so the tuned "
                f"network is that average. It costs {k} times the training of every single network it is compared "
                "with (the write-up's LSTM, its variants, the search's candidates); the test sentence below says what "
                "the averaging alone buys.")
    return (f"Averaging {k} networks of the winning configuration gives a validation mean R² of {avg} against {one} "
            f"for one network, so the tuned network stays a single network.")


def ensemble_test_sentence(verdicts: list[dict], horizons, k: int) -> str:
    """What averaging buys on the test period, per horizon (noise rule, the average against one network)."""
    found = {h: next((v for v in verdicts if v["a"] == "lstm_ensemble" and v["b"] == "lstm_single"
                      and v["metric"] == f"r2_{horizon_key(h)}"), None) for h in horizons}
    found = {h: v for h, v in found.items() if v is not None}
    if not found:
        return ""
    groups: dict[str, list[str]] = {}
    for h, v in found.items():
        groups.setdefault(_word(v), []).append(f"{h} h")
    parts = [f"{word} one network at {join(hs)}" for word, hs in groups.items()]
    n = next(iter(found.values()))["n"]
    return (f"On the test period the average of {k} networks is {join(parts, 'and')} (noise rule over {n} seeds, "
            f"test R² per horizon).")


def goal_sentence(goal: dict, horizons) -> str:
    """The goal, plainly: better than the linear autoregression at every horizon, and above 0.7616 at 1 h."""
    per = goal["per_horizon"]
    parts = []
    for h in horizons:
        p = per[str(h)]
        rel = {BETTER: "better than", WORSE: "worse than", PAR: "on a par with", UNDECIDED: "in an undecided comparison with",
               TOO_FEW: "compared, on too few runs to call, with"}[p["word"]]
        interval = (f"{p['tuned'] - p['ar']:+.3f}, 95 % interval {p['low']:+.3f} to {p['high']:+.3f}"
                    if p["low"] is not None else f"{p['tuned'] - p['ar']:+.3f}")
        parts.append(f"at {h} h it is {rel} the autoregression ({num(p['tuned'])} against {num(p['ar'])}; {interval})")
    first = min(horizons)
    src = (f"its {first}-hour mean R², {num(goal['tuned_first_horizon'])}, is "
           f"{'above' if goal['beats_source'] else 'not above'} the write-up's best, {goal['source_r2']}")
    stated = (f"The goal (better than the linear autoregression at every horizon by the noise rule, and above the "
              f"write-up's {goal['source_r2']} at {first} h)")
    verdict = (f"{stated} is met." if goal["met"] else
               f"{stated} is not met: " + ("the autoregression is not beaten at every horizon" if not goal["beats_ar_everywhere"]
                                          else f"the write-up's {goal['source_r2']} is not beaten at {first} h") + ".")
    context = baseline_context(goal)
    return (f"On the test period, over the seeds (which vary only the network's training randomness), the tuned network: "
            f"{'; '.join(parts)}; {src}. {verdict}" + (f" {context}" if context else ""))


def baseline_context(goal: dict) -> str:
    """Where the simplest forecasts stand beside the write-up's number (`goal["baselines"]`, steps.naive_standing):
    persistence at the first horizon against it, and our run of the write-up's LSTM against the better naive
    forecast per horizon, counted over the seeds. '' when the goal carries no baselines."""
    base = goal.get("baselines") or {}
    if not base:
        return ""
    hs = sorted(base, key=int)
    first = base[hs[0]]
    src = goal["source_r2"]
    text = ""
    if "persistence" in first:
        p1 = first["persistence"]
        text = (f"For scale, persistence (repeating the last hour, no learning) reaches {num(p1)} at {hs[0]} h, "
                + (f"already above the write-up's {src}, so clearing that number shows no skill by itself"
                   if p1 > src else f"below the write-up's {src}"))
    if all("source" in base[h] for h in hs):
        vals = " / ".join(num(base[h]["source"]) for h in hs)
        below = [f"{h} h" for h in hs if base[h]["source_below"] == base[h]["n"]]
        above = [f"{h} h" for h in hs if base[h]["source_below"] == 0]
        mixed = [f"{h} h ({base[h]['source_below']} of {base[h]['n']} seeds)" for h in hs
                 if 0 < base[h]["source_below"] < base[h]["n"]]
        parts = []
        if below:
            parts.append(f"below the better naive forecast on every seed at {join(below)}"
                         if len(below) < len(hs) else "below the better naive forecast on every seed at every horizon")
        if mixed:
            parts.append(f"below it on some seeds at {join(mixed)}")
        if above:
            parts.append(f"{'above it' if parts else 'above the better naive forecast'} on every seed at {join(above)}")
        lead = "; our run of the write-up's LSTM" if text else "Our run of the write-up's LSTM"
        text += f"{lead} scores {vals} at {' / '.join(f'{h} h' for h in hs)}: {join(parts, 'and')}"
    return text + "." if text else ""


def recommendation_sentence(rec: dict | None, runs: dict) -> str:
    if rec is None:
        return "No model was scored on the validation period, so none is recommended."
    name = rec["model"]
    runner = f"; runner-up: {runs[rec['runner_up']].label}" if rec.get("runner_up") in runs else ""
    head = (f"On the validation period's mean R², the recommended forecaster is {runs[name].label} "
            f"({num(rec['validation'])}{runner}).")
    if runs[name].role == "baseline":
        head += " A baseline wins the validation period: the networks do not earn their cost here."
    return head


def feature_sentence(table: pd.DataFrame, a: str, b: str, horizon: int) -> str:
    diff = table[f"R² {a}"] - table[f"R² {b}"]
    ahead = table.loc[diff > 0, "series"].tolist()
    worst = table.loc[table[f"R² {a}"].idxmin()]
    return (f"At {horizon} h the tuned network's R² is above the autoregression's on {len(ahead)} of {len(table)} series"
            f"{' (' + join(ahead) + ')' if 0 < len(ahead) <= 6 else ''}; its hardest series is {worst['series']} "
            f"(R² {num(worst[f'R² {a}'])}).")


# ---- captions ----------------------------------------------------------------------------------------

def caption_cleaning(table: pd.DataFrame) -> str:
    dropped = table.loc[table["use"] == "dropped", "column"].tolist()
    return ("Missing hours per column (coded -200 in the file, or absent) and what is done with each. "
            + (f"Only {join(dropped)} is missing often enough to be dropped." if dropped else "No column is dropped."))


def caption_periods(prep) -> str:
    n = {k: len(v) for k, v in prep.parts.items()}
    return (f"The chronological periods and their windows. The test period's {n['test']:,} windows are scored, never "
            "chosen on.")


def caption_overview(frame: pd.DataFrame, prep, column: str = "T") -> str:
    return "Four of the series over the whole year with the three periods shaded. " + shift_sentence(frame, prep, column)


def caption_acf(acf: pd.DataFrame) -> str:
    return (f"Autocorrelation of each series at lags of 1 to {acf.index.max()} hours (training hours). At 24 hours it is "
            f"{acf.loc[24].min():.2f} to {acf.loc[24].max():.2f}: the daily cycle.")


def caption_corr(corr: pd.DataFrame) -> str:
    c = corr.where(~np.eye(len(corr), dtype=bool)).abs()
    return (f"Pearson correlation of the series (training hours, pairs measured together). The strongest absolute "
            f"correlation between two different series is {float(np.nanmax(c.to_numpy())):.2f}.")


def caption_horizons(table: pd.DataFrame, horizons, labels: dict[str, str], full: pd.DataFrame | None = None) -> str:
    """Best model per horizon in `table`. When `table` shows some of the models (a figure) and `full` holds them all
    (the table beside it), the caption says where a model not shown is ahead, so figure and table never disagree."""
    hs = [horizon_key(h) for h in horizons]

    def best(t):
        return [t.loc[t[f"test R² {h}"].idxmax(), "model"] for h in hs]

    shown = best(table)
    names = [labels.get(b, b) for b in shown]
    head = "Test mean R² per horizon, mean and standard deviation over the seeds. "
    among = "of the models shown " if full is not None else ""
    if len(set(names)) == 1:
        text = head + f"Best {among}at every horizon: {names[0]}."
    else:
        text = head + f"Best {among}at " + join([f"{int(h)} h: {b}" for h, b in zip(horizons, names)]) + "."
    if full is not None:
        ahead = [(h, b) for h, b, s in zip(horizons, best(full), shown) if b != s]
        if ahead:
            text += (" Among all models run, " + join([f"{labels.get(b, b)} is ahead at {int(h)} h" for h, b in ahead])
                     + ".")
    return text


def caption_levers(values: dict[str, list[float]]) -> str:
    means = {k: float(np.mean(v)) for k, v in values.items()}
    best = max(means, key=means.get)
    return (f"Test mean R² over the horizons on each seed (points) and its mean (diamond) for the write-up's LSTM, each "
            f"change to it and the tuned network. Highest mean: {best} ({num(means[best])}).")


def caption_search(choice: dict) -> str:
    return (f"The best {min(10, choice['n_candidates'])} of {choice['n_candidates']} candidates by validation R² (first "
            "seed). The first row is chosen; the test period plays no part in the choice.")


def caption_features(table: pd.DataFrame, a: str, b: str, horizon: int, labels: dict[str, str], *,
                     rmse: bool = True) -> str:
    """`rmse=False` for the figure, which plots R² only (RMSE has a different unit per series: the table has it)."""
    diff = table[f"R² {a}"] - table[f"R² {b}"]
    what = "Test R² and RMSE (in each series' unit)" if rmse else "Test R² (unitless)"
    return (f"{what} per series at {horizon} h, {labels[a]} against {labels[b]} "
            f"(seed means). {capital(labels[a])} is ahead on {int((diff > 0).sum())} of {len(table)} series.")


def caption_forecast(series: str, horizon: int, err_a: float, err_b: float, a: str, b: str, unit: str = "") -> str:
    who = a if err_a < err_b else b
    u = f" {unit}" if unit else ""
    return (f"{series} over the first test week: measured values and the {horizon}-hour forecasts of {a} and {b} "
            f"(first seed). Over the whole test period {who} has the lower RMSE ({num(min(err_a, err_b))}{u} against "
            f"{num(max(err_a, err_b))}{u}).")


def caption_curves(history: pd.DataFrame, members: int = 1) -> str:
    best = int(history.loc[history["validation_loss"].idxmin(), "epoch"])
    last = int(history["epoch"].iloc[-1])
    end = ("It trains to the epoch where its validation loss is lowest." if best == last else
           f"Its validation loss is lowest at epoch {best} of {last}.")
    who = ("the tuned network" if members <= 1 else
           f"the first of the {members} networks the tuned forecaster averages")
    return (f"Loss (masked MSE on standardized targets) and R² per epoch of {who} on its fit windows, the "
            f"validation and the test period (first seed; the test curve is shown, never used). {end}")


def subset_sentence(rows: int, max_hours: int) -> str:
    if 0 < max_hours < rows:
        return (f"This run uses the first {max_hours:,} of the {rows:,} hours (parameter `max_hours`): a small run, not "
                "the report's.")
    return ""
