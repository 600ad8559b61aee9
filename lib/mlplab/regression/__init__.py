"""Lab 1, part 1: NYSE same-day close regression (analysis/01_regression_nyse.ipynb).

Modules: features (the two formulations), eda (polars aggregations and findings), models
(PriceModel and the estimators, the dollars-scale task), steps (the notebook's sections on the
experiment core), narrative (sentences and caption takeaways from numbers).

Protocol: holdout (one chronological test period; seeds vary the training randomness only). The
results file (schema: mlplab.experiment.schema) keeps, besides the models and verdicts, `extra`:
target, periods (rows and dates of fit/validation/test), synthetic, search (method, candidates,
fits, folds, searched rows, seconds, best score and parameters), eda (collinearity_min_r,
volume_corr_range, skew_close, rows, symbols, days), error (abs_residual_price_corr,
worst_symbol, worst_symbol_share_pct) and lab_split (the lab protocol's random split).
"""

from __future__ import annotations

from mlplab.errors import UserError
from mlplab.regression.features import RELATIVE_FEATURES, SPLITS, TARGETS

SEARCH_METHODS = ("grid", "halving")

GLOSSARY = {
    "intraday return": "The day's relative move from open to close, r = close/open − 1. Predicting it instead of the "
                       "close makes a model scale-free: the same for a $5 and a $500 stock.",
    "R² of the intraday return": "R² of the return a prediction implies (predicted close/open − 1) against the actual "
                                 "return. Unlike R² of the close, which is near 1 for any sensible model because the "
                                 "close sits within a few percent of the open, it shows how much of the day's move a "
                                 "model captures; 0 is the naive forecast, negative is worse than it.",
    "naive forecast": "Predicting close = open, i.e. no intraday move: the bar every price model must clear.",
    "chronological split": "Training on earlier days and testing on later ones, so no model reads the future.",
    "expanding time-series folds": "Cross-validation for time-ordered rows: each fold trains on all rows up to a point "
                                   "and is scored on the block that follows.",
}
LR_SCHEDULES = ("", "cosine", "plateau")


def validate_params(params: dict) -> None:
    """Reject a bad profile before any notebook starts (called by `mlplab run`)."""
    def need(cond: bool, key: str, expected: str):
        if not cond:
            raise UserError(f"parameter {key}={params.get(key)!r}: expected {expected}")

    if "target" in params:
        need(params["target"] in TARGETS, "target", f"one of {', '.join(TARGETS)}")
    if "split" in params:
        need(params["split"] in SPLITS, "split", f"one of {', '.join(SPLITS)}")
    if "tracking" in params:
        from mlplab.experiment.tracking import check_backend

        check_backend(params["tracking"])
    if "search_method" in params:
        need(params["search_method"] in SEARCH_METHODS, "search_method", f"one of {', '.join(SEARCH_METHODS)}")
    if "lr_schedule" in params:
        need(params["lr_schedule"] in LR_SCHEDULES, "lr_schedule", "'', 'cosine' or 'plateau'")
    if "grid_lr_schedule" in params:
        need(all(v in LR_SCHEDULES for v in params["grid_lr_schedule"]), "grid_lr_schedule",
             "a list of '', 'cosine', 'plateau'")
    if "relative_inputs" in params:
        need(bool(params["relative_inputs"]) and all(c in RELATIVE_FEATURES for c in params["relative_inputs"]),
             "relative_inputs", f"a non-empty list from {', '.join(RELATIVE_FEATURES)}")
    for key in ("seeds",):
        if key in params:
            need(isinstance(params[key], list) and len(params[key]) >= 1 and
                 all(isinstance(s, int) for s in params[key]), key, "a non-empty list of integers")
    if "max_symbols" in params:
        need(isinstance(params["max_symbols"], int) and params["max_symbols"] >= 0, "max_symbols",
             "a non-negative integer (0 = all symbols)")
    for key in ("epochs", "lab_epochs", "lab_batch_size", "batch_size", "cv_folds", "n_jobs"):
        if key in params:
            need(isinstance(params[key], int) and params[key] >= (2 if key == "cv_folds" else 1), key,
                 "an integer >= 2" if key == "cv_folds" else "a positive integer")
    for key in ("hidden",):
        if key in params:
            need(isinstance(params[key], list) and params[key] and all(isinstance(h, int) and h > 0 for h in params[key]),
                 key, "a non-empty list of positive layer widths, e.g. [64, 32]")
    if "grid_hidden" in params:
        need(all(isinstance(h, list) and h and all(isinstance(w, int) and w > 0 for w in h) for h in params["grid_hidden"]),
             "grid_hidden", "a list of layer-width lists, e.g. [[64, 32], [128, 64]]")
    for key in ("lab_test_size", "valid_fraction"):
        if key in params:
            need(isinstance(params[key], (int, float)) and 0 < float(params[key]) < 1, key, "a fraction between 0 and 1")
    for key in ("valid_start", "test_start"):
        if key in params:
            try:
                import pandas as pd

                pd.Timestamp(params[key])
            except (ValueError, TypeError):
                need(False, key, "a date like 2015-01-01")
    if "grid_epochs" in params:
        need(isinstance(params["grid_epochs"], list) and params["grid_epochs"]
             and all(isinstance(e, int) and e > 0 for e in params["grid_epochs"]), "grid_epochs",
             "a non-empty list of positive epoch counts, e.g. [3, 9, 27]")
    for key in ("reg_dropout",):
        if key in params:
            need(isinstance(params[key], (int, float)) and 0 <= params[key] < 1, key, "a dropout rate in [0, 1)")
    for key in ("reg_weight_decay", "reg_input_noise"):
        if key in params:
            need(isinstance(params[key], (int, float)) and params[key] >= 0, key, "a number >= 0")
    if "early_stopping_patience" in params:
        need(isinstance(params["early_stopping_patience"], int) and params["early_stopping_patience"] >= 1,
             "early_stopping_patience", "a positive integer (epochs)")
    if "search_subsample" in params:
        need(isinstance(params["search_subsample"], int) and params["search_subsample"] >= 0, "search_subsample",
             "a non-negative integer (0 = all training rows)")
