"""Lab 4, part 1: anomaly detection on NAB's NYC taxi series (analysis/41_taxi_anomaly.ipynb).

Modules: detect (the detectors, the one threshold rule, alarm events and their evaluation against the
labelled windows), steps (periods, the fan-out over seeds, tables, the results document), narrative
(sentences and captions from numbers).

Results `extra` keys written by the notebook: periods [{period, first, last, points}]; protocol {train_end,
tail_days, window, epochs, quantile, merge}; windows (NAB's, with names); per_seed {model: {windows_detected:
[...], false_alarms: [...]}}; best_baseline; goal {ae_windows, ae_false_alarms, baseline, baseline_windows,
baseline_false_alarms, seeds_met, n_seeds, met_first_seed}; thresholds {model: value}.
"""

from __future__ import annotations

from mlplab.errors import UserError

GLOSSARY = {
    "anomaly": "a stretch of a series that departs from its usual pattern (here: the five events NAB labelled).",
    "autoencoder": "a network trained to copy its input through a narrow middle layer; it learns the usual "
                   "patterns, so a large reconstruction error marks an unusual window.",
    "reconstruction error": "the mean absolute difference between a window and the autoencoder's copy of it.",
    "z-score": "a deviation divided by a standard deviation: how many spreads a value lies from what was expected.",
    "rolling z-score": "the z-score of a value against the mean and spread of the day before it.",
    "seasonal z-score": "the z-score of the change from the same half-hour one week earlier.",
    "alarm event": "a run of consecutive alarms (points above the threshold), alarms less than one window apart joined.",
    "labelled window": "NAB's stretch of about four days around each labelled anomaly; an alarm event starting inside "
                       "it detects it.",
    "false alarm": "an alarm event that starts outside every labelled window.",
    "lead time": "hours from an alarm event's start to the labelled anomaly's timestamp (positive: raised before it).",
    "validation tail": "the last days of the training period, not used to fit any detector, on which each "
                       "detector's threshold is set.",
}


def validate_params(params: dict) -> None:
    """Reject a bad profile before the notebook starts (called by `mlplab run`)."""
    import pandas as pd

    def need(cond: bool, key: str, expected: str):
        if not cond:
            raise UserError(f"taxi_anomaly parameter {key}={params.get(key)!r}: expected {expected}")

    def is_int(v) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    if "train_end" in params:
        try:
            ok = pd.Timestamp(params["train_end"]) is not pd.NaT
        except (ValueError, TypeError):
            ok = False
        need(ok, "train_end", "a date such as 2014-10-15 (the training period ends the day before)")
    if "window" in params:
        need(is_int(params["window"]) and params["window"] >= 8 and params["window"] % 4 == 0, "window",
             "a multiple of 4 half-hours, at least 8 (the autoencoder halves it twice)")
    if "tail_days" in params:
        need(is_int(params["tail_days"]) and 2 <= params["tail_days"] <= 60, "tail_days", "an integer from 2 to 60")
    if "quantile" in params:
        q = params["quantile"]
        need(isinstance(q, (int, float)) and not isinstance(q, bool) and 0.5 <= q <= 1, "quantile",
             "a number from 0.5 to 1 (1: the largest validation-tail score)")
    for key in ("epochs", "batch_size", "n_jobs"):
        if key in params:
            need(is_int(params[key]) and params[key] >= 1, key, "a positive integer")
    if "lr" in params:
        need(isinstance(params["lr"], (int, float)) and 0 < params["lr"] < 1, "lr", "a learning rate between 0 and 1")
    if "hidden" in params:
        h = params["hidden"]
        need(isinstance(h, list) and len(h) == 2 and all(is_int(c) and c > 0 for c in h), "hidden",
             "two positive channel counts, e.g. [16, 8]")
    if "seeds" in params:
        s = params["seeds"]
        need(isinstance(s, list) and s and all(is_int(x) for x in s) and len(set(s)) == len(s), "seeds",
             "a non-empty list of distinct integers")
