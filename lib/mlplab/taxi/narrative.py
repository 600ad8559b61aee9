"""Sentences and captions of the taxi chapter, each built from computed numbers (branches tested).

Counts of windows and false alarms are reported as counts: with one series and five labelled windows
there is no interval to put on them, so no "better/worse" word is attached (the noise rule needs paired
scores over splits or seeds; only the autoencoder varies with the seed, and its spread is shown).
"""

from __future__ import annotations

import numpy as np

from mlplab.experiment.prose import capital, join, num
from mlplab.taxi.steps import LABELS, MODELS


def _windows(n: int) -> str:
    return f"{n} window{'s' if n != 1 else ''}"


def _alarms(n: int) -> str:
    return f"{n} false alarm{'s' if n != 1 else ''}"


def _span(values) -> str:
    lo, hi = min(values), max(values)
    return f"{lo}" if lo == hi else f"{lo} to {hi}"


def data_sentence(report: dict, windows) -> str:
    names = join([f"{w.name} ({str(w.label)[:10]})" for w in windows.itertuples()])
    return (f"The series holds {report['rows']:,} half-hourly counts of taxi passengers from {report['first'][:10]} to "
            f"{report['last'][:10]}, between {report['min']:,.0f} and {report['max']:,.0f} passengers per 30 minutes. "
            f"NAB labels {len(windows)} anomalies in it, each inside a window of about "
            f"{np.mean([(w.end - w.start).total_seconds() / 86400 for w in windows.itertuples()]):.1f} days: {names}.")


def protocol_sentence(st) -> str:
    s = st.settings
    fit, tail, ev = (st.bounds[k] for k in ("fit", "validation tail", "evaluation"))
    q = s["quantile"]
    rule = "the largest score" if q >= 1 else f"the {100 * q:g} % quantile of the scores"
    return (f"Fixed before any label was looked at: every detector learns on the {fit[1] - fit[0]:,} half-hours from "
            f"{str(st.times[fit[0]])[:10]} to {str(st.times[fit[1] - 1])[:10]}, its threshold is {rule} it gives the "
            f"{tail[1] - tail[0]:,} half-hours of the validation tail ({str(st.times[tail[0]])[:10]} to "
            f"{str(st.times[tail[1] - 1])[:10]}), and it is evaluated on the {ev[1] - ev[0]:,} half-hours from "
            f"{str(st.times[ev[0]])[:10]} on, which hold every labelled window. The window is {s['window']} half-hours "
            f"({s['window'] / 2:g} hours): the autoencoder's input length, the rolling z-score's history, and the gap "
            f"under which alarms join into one event. The autoencoder trains {s['epochs']} epochs on every seed.")


def detection_sentence(runs: dict, goal: dict) -> str:
    """Who detected how many windows with how many false alarms, and the goal in plain words."""
    parts = []
    for name in ("rolling_z", "seasonal_z"):
        i = runs[name].info
        parts.append(f"{LABELS[name]} detects {i['windows_detected']} of {goal['n_windows']} windows with "
                     f"{_alarms(i['false_alarms'])}")
    ae = runs["conv_ae"].info["per_seed"]
    n = len(ae["windows_detected"])
    seeds = f"over {n} seed{'s' if n != 1 else ''}" if n > 1 else "on its one seed"
    parts.append(f"the autoencoder {seeds} detects {_span(ae['windows_detected'])} windows with "
                 f"{_span(ae['false_alarms'])} false alarms")
    base = (f"The best baseline (most windows, then fewest false alarms) is {LABELS[goal['baseline']]}: "
            f"{goal['baseline_windows']} windows, {_alarms(goal['baseline_false_alarms'])}.")
    return capital(join(parts)) + ". " + base + " " + goal_sentence(goal)


def goal_sentence(goal: dict) -> str:
    need, n, met = goal["need"], goal["n_seeds"], goal["seeds_met"]
    target = (f"at least {need} of the {goal['n_windows']} windows with no more than "
              f"{_alarms(goal['baseline_false_alarms'])} (the best baseline's)")
    if met == n:
        return f"The goal is met: the autoencoder detects {target} on {'every one' if n > 1 else 'its one seed'}" \
               f"{' of its ' + str(n) + ' seeds' if n > 1 else ''}."
    if met == 0:
        return f"The goal is not met: on no seed does the autoencoder detect {target}."
    return f"The goal is met on {met} of {n} seeds only: the autoencoder detects {target} on those, not on the others."


def lead_sentence(runs: dict) -> str:
    """Lead times of the detections (first seed), from NAB's label timestamps."""
    parts = []
    for name in MODELS:
        leads = [w["lead_hours"] for w in runs[name].info["windows"] if w["detected"]]
        if not leads:
            parts.append(f"{LABELS[name]} detects no window")
            continue
        early = sum(1 for x in leads if x > 0)
        parts.append(f"{LABELS[name]} raises {early} of its {len(leads)} detections before the labelled timestamp "
                     f"(lead times {min(leads):+.1f} to {max(leads):+.1f} hours)")
    return capital(join(parts, "and")) + " (first seed; a positive lead time is an alarm before NAB's label)."


def bottleneck_sentence(window: int, hidden, r2_tail: float | None, r2_eval: float | None) -> str:
    """Whether the autoencoder's code is smaller than its input (what makes it unable to copy an anomaly)."""
    codes = int(hidden[-1]) * window // 4
    head = (f"The encoder hands the decoder {hidden[-1]} channels × {window // 4} steps = {codes} numbers for a "
            f"{window}-value window")
    if codes >= window:
        tail = ": no compression at all, so nothing stops it from copying an unusual window as well as a usual one"
    else:
        tail = f": it must compress the window to {100 * codes / window:.0f} % of its size"
    fit = ""
    if r2_tail is not None and r2_eval is not None:
        fit = (f". Its reconstruction R² is {num(r2_tail)} on the validation tail and {num(r2_eval)} on the evaluation "
               "period (last epoch, first seed)")
        if r2_eval >= 0.99:
            fit += ", i.e. it rebuilds the evaluation period, anomalies included, almost exactly"
    return head + tail + fit + "."


def seed_sentence(per_seed: dict) -> str:
    w, f = per_seed["windows_detected"], per_seed["false_alarms"]
    if len(w) < 2:
        return "The autoencoder ran on one seed: its spread over seeds is unknown."
    if min(w) == max(w) and min(f) == max(f):
        return f"Every one of the {len(w)} seeds gives the same counts."
    return (f"The seed alone (initialization and batch order) moves the autoencoder's count of detected windows "
            f"from {min(w)} to {max(w)} and of false alarms from {min(f)} to {max(f)} over {len(w)} seeds: a single run "
            "would not tell where in that range it falls.")


# ---- captions: each ends with its takeaway -----------------------------------------------------------

def caption_series(runs: dict, goal: dict) -> str:
    best = goal["baseline"]
    return (f"NYC taxi passengers per 30 minutes with NAB's labelled windows (shaded) and the start of every alarm "
            f"event of each detector (first seed). {capital(LABELS[best])} detects {goal['baseline_windows']} of "
            f"{goal['n_windows']} windows with {_alarms(goal['baseline_false_alarms'])}; the autoencoder "
            f"{runs['conv_ae'].info['windows_detected']} with {_alarms(runs['conv_ae'].info['false_alarms'])}.")


def caption_reconstruction(runs: dict) -> str:
    found = sum(w["detected"] for w in runs["conv_ae"].info["windows"])
    n = len(runs["conv_ae"].info["windows"])
    return (f"Actual counts and the autoencoder's reconstruction (last value of the window ending at each half-hour, "
            f"first seed) around each labelled window, with its alarm events. It flags {found} of the {n} windows: "
            f"where the reconstruction follows the anomaly, the error stays under the threshold.")


def caption_errors(thresholds: dict, exceed: dict) -> str:
    shares = join([f"{LABELS[n]} {100 * exceed[n]:.1f} %" for n in MODELS if n in exceed])
    return (f"Distribution of each detector's score on the validation tail and the evaluation period (first seed), "
            f"with its threshold (dashed). Share of evaluation half-hours above the threshold: {shares}.")


def caption_curves(history) -> str:
    last = history.iloc[-1]
    return (f"Reconstruction loss per epoch of the autoencoder (first seed) on its fit windows, the validation tail "
            f"and the evaluation period (curves only; no epoch is chosen on them). After {int(last['epoch'])} epochs "
            f"its reconstruction R² is {num(float(last.get('validation_r2', np.nan)))} on the validation tail.")


def caption_seeds(per_seed: dict, goal: dict) -> str:
    return (f"Windows detected and false alarms of the autoencoder on each seed, against the best baseline "
            f"({LABELS[goal['baseline']]}). The goal ({goal['need']}+ windows, ≤ {goal['baseline_false_alarms']} false "
            f"alarms) holds on {goal['seeds_met']} of {goal['n_seeds']} seeds.")


def caption_counts(goal: dict) -> str:
    return (f"Windows detected and false alarms on the evaluation period per detector (first seed, and the range over "
            "seeds; the z-scores have no training randomness, so their range is one value). A window counts once however "
            "many alarm events fall inside it, so the events can outnumber windows and false alarms together. "
            f"The goal holds on {goal['seeds_met']} of {goal['n_seeds']} autoencoder seeds.")


def caption_windows(runs: dict) -> str:
    missed = [w["name"] for w in runs["conv_ae"].info["windows"] if not w["detected"]]
    tail = ("The autoencoder misses " + join(missed) + ".") if missed else "The autoencoder detects every window."
    return f"Each labelled window: lead time of the first alarm event starting inside it, per detector (first seed). {tail}"


def caption_periods(table) -> str:
    last = table.iloc[-1]
    where = ("Every labelled window lies in the evaluation period, so no detector learns from or is tuned on a "
             "labelled stretch" if int(table["labelled windows"].iloc[:-1].sum()) == 0 else
             "Some labelled windows lie before the evaluation period")
    return (f"The three periods of the protocol. {where} ({int(last['labelled windows'])} windows in "
            f"{last['days']:g} days).")


def caption_architecture(window: int, hidden) -> str:
    codes = int(hidden[-1]) * window // 4
    return (f"The autoencoder's layers for a {window}-value window (kernel 7, stride 2; parameters counted from the "
            f"module). Its code holds {codes} numbers for {window} inputs.")


# ---- why the autoencoder falls short, and the variants tried after -----------------------------------

def reach_sentence(reach: int, missed: list[str], day: int = 48) -> str:
    """What one rebuilt point can see (the module's receptive field), and what that means for a holiday."""
    hours = f"{reach / 2:g} hours"
    if reach < day:
        head = (f"Each value the autoencoder rebuilds depends on {reach} half-hours of its input (its receptive field: "
                f"{hours}, less than a day): it judges the shape of the hours around a point, never which day of the "
                "week it is, so a weekday shaped like a usual Sunday (a public holiday) is a usual stretch to it")
    else:
        head = (f"Each value the autoencoder rebuilds depends on {reach} half-hours of its input (its receptive field: "
                f"{hours}), so it can compare a day with the hours before it")
    tail = f". On the first seed it misses {join(missed)}." if missed else ". On the first seed it misses no window."
    return head + tail


def best_variant(goals: dict[str, dict]) -> str | None:
    """Most seeds meeting the goal's rule, then most windows, then fewest false alarms (means over seeds)."""
    if not goals:
        return None
    return min(goals, key=lambda n: (-goals[n]["seeds_met"], -float(np.mean(goals[n]["ae_windows"])),
                                     float(np.mean(goals[n]["ae_false_alarms"])), n))


def helps(variant: dict, main: dict) -> bool:
    """A variant helps when the goal's rule holds on more seeds, or on as many with more windows and no more false
    alarms on average."""
    if variant["seeds_met"] != main["seeds_met"]:
        return variant["seeds_met"] > main["seeds_met"]
    return (float(np.mean(variant["ae_windows"])) > float(np.mean(main["ae_windows"]))
            and float(np.mean(variant["ae_false_alarms"])) <= float(np.mean(main["ae_false_alarms"])))


def variants_sentence(goals: dict[str, dict], main: dict, labels: dict[str, str], reach: dict[str, int]) -> str:
    """Which changes help and which do not, why (what one rebuilt value can see), and why none can count."""
    if not goals:
        return "No autoencoder variant ran (the `variants` parameter is empty)."
    good = [n for n in goals if helps(goals[n], main)]
    bad = [n for n in goals if n not in good]
    out = ""
    if bad:
        same = len({reach[n] for n in bad}) == 1
        sees = (f"{reach[bad[0]]} half-hours of input" if same else
                join([str(reach[n]) for n in bad]) + " half-hours of input respectively")
        why = (f"one rebuilt value still sees only {sees}, less than a day, so a holiday shaped like a usual Sunday "
               "stays a usual stretch" if all(reach[n] < 48 for n in bad) else
               f"one rebuilt value sees {sees}, so its reach is not what holds it back")
        who = (capital(labels[bad[0]]) + " does not get" if len(bad) == 1 else
               "Neither " + join([labels[n] for n in bad], "nor") + " gets")
        out += f"{who} closer to the goal than the specified one: {why}. "
    if good:
        parts = []
        for n in good:
            g = goals[n]
            if g["seeds_met"] > main["seeds_met"]:
                parts.append(f"{labels[n]} meets the goal's rule on {g['seeds_met']} of {g['n_seeds']} seeds, against "
                             f"{main['seeds_met']} for the specified one")
            else:
                parts.append(f"{labels[n]} detects more windows ({num(float(np.mean(g['ae_windows'])), 1)} on average "
                             f"against {num(float(np.mean(main['ae_windows'])), 1)}) without more false alarms, though "
                             f"the goal's rule holds on no more seeds")
        why = ("reads what the seasonal z-score reads, the change from one week earlier: the weekly differencing "
               "supplies the day-of-week knowledge the network's short reach lacks")
        if good == ["conv_ae_weekly_change"]:
            out += capital(parts[0]) + f"; it {why}. "
        else:
            out += capital(join(parts)) + ". "
            if "conv_ae_weekly_change" in good:
                out += f"{capital(labels['conv_ae_weekly_change'])} {why}. "
    return out + ("These variants were chosen after the specified autoencoder's counts had been seen, so their counts "
                  "are a lead for a study on fresh labelled data, not a result of this one; the goal is judged on the "
                  "specified autoencoder only.")


def caption_variants(goals: dict[str, dict], labels: dict[str, str]) -> str:
    best = best_variant(goals)
    if best is None:
        return "The specified autoencoder's counts per seed; no variant ran."
    g = goals[best]
    end = ("none meets the goal's rule on any seed" if g["seeds_met"] == 0 else
           f"{labels[best]} meets the goal's rule on {g['seeds_met']} of {g['n_seeds']} seeds (an exploratory count)")
    return (f"The specified autoencoder and the variants tried after its counts were seen (one change each, same "
            f"protocol and threshold rule): windows detected and false alarms per seed. Of the variants, {end}.")
