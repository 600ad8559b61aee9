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
            f"seeds). The goal holds on {goal['seeds_met']} of {goal['n_seeds']} autoencoder seeds.")


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
