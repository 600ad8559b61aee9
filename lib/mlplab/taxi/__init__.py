"""Lab 4, part 1: anomaly detection on NAB's NYC taxi series (analysis/41_taxi_anomaly.ipynb).

Modules: detect (the detectors, the one threshold rule, alarm events and their evaluation against the
labelled windows), steps (periods, the fan-out over seeds, tables, the results document), narrative
(sentences and captions from numbers).

Results `extra` keys written by the notebook: periods [{period, first, last, points}]; protocol {train_end,
tail_days, window, epochs, quantile, merge}; windows (NAB's, with names); per_seed {model: {windows_detected:
[...], false_alarms: [...]}}; best_baseline; goal {ae_windows, ae_false_alarms, baseline, baseline_windows,
baseline_false_alarms, seeds_met, n_seeds, met_first_seed}; thresholds {model: value}; variants {variant: the
goal's keys for that variant, plus change} (exploratory: added after the first full run); reach {model: input
half-hours one rebuilt value depends on}.
"""

from __future__ import annotations

from mlplab.experiment.checks import Checks, is_int, is_layers

# The autoencoder variants tried after the first full run (mlplab.taxi.steps.VARIANTS holds what each changes).
VARIANT_NAMES = ("conv_ae_week", "conv_ae_narrow", "conv_ae_weekly_change")
WEEK = 336  # half-hours in a week (the week variant's input length)

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
    "receptive field": "the stretch of input one output of a network depends on; here, how many half-hours one "
                       "rebuilt value of the autoencoder can see.",
}


def validate_params(params: dict) -> None:
    """Reject a bad profile before the notebook starts (called by `mlplab run`)."""
    c = Checks(params, "taxi_anomaly")
    c.date("train_end", expected="a date such as 2014-10-15 (the training period ends the day before)")
    c.rule("window", ok=lambda v: is_int(v) and v >= 8 and v % 4 == 0,
           expected="a multiple of 4 half-hours, at least 8 (the autoencoder halves it twice)")
    c.integer("tail_days", least=2, most=60)
    c.between("quantile", low=0.5, high=1, expected="a number from 0.5 to 1 (1: the largest validation-tail score)")
    c.integer("epochs", "batch_size", "n_jobs")
    c.fraction("lr", expected="a learning rate between 0 and 1")
    c.rule("hidden", ok=lambda h: is_layers(h) and len(h) == 2, expected="two positive channel counts, e.g. [16, 8]")
    c.seeds("seeds")
    c.rule("variants", ok=lambda v: isinstance(v, list) and len(set(v)) == len(v) and all(x in VARIANT_NAMES for x in v),
           expected=f"a list (possibly empty) of distinct names from {', '.join(VARIANT_NAMES)}")
    variants, window = params.get("variants", []), params.get("window", 48)
    if "conv_ae_narrow" in variants:
        c.need(window % 16 == 0, "window", "a multiple of 16 with the conv_ae_narrow variant (two stride-4 layers)")
    if "conv_ae_week" in variants:
        c.need(window < WEEK, "window", f"fewer than {WEEK} half-hours with the conv_ae_week variant (it reads one week)")
