"""Lab 1, part 1: NYSE same-day close regression (analysis/01_regression_nyse.ipynb).

Modules: features (the two formulations), eda (polars aggregations and findings), models
(PriceModel and the estimators, the dollars-scale task), steps (the notebook's sections on the
experiment core), narrative (sentences and caption takeaways from numbers).

Protocol: holdout (one chronological test period; seeds vary the training randomness only). The
results file (schema: mlplab.experiment.schema) keeps, besides the models and verdicts, `extra`:
target, periods (rows and dates of fit/validation/test), synthetic, search (method, candidates,
fits, folds, searched rows, seconds, best score and parameters), eda (collinearity_min_r,
volume_corr_range, skew_close, rows, symbols, days, symbol_names: up to 10), error (abs_residual_price_corr,
worst_symbol: the largest share of the squared error, worst_symbol_share_pct) and lab_split (the lab protocol's random split).
"""

from __future__ import annotations

from mlplab.experiment.checks import Checks
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
    "training budget": "The number of optimizer updates a network gets: epochs × batches per epoch (its training rows "
                       "divided by the batch size, rounded up). A gain credited to a change (a search, a formulation) "
                       "is measured at equal budgets, or the book says the budgets differ: 6 epochs at batch size "
                       "4,096 on 4,520 rows are 12 updates, 27 epochs at batch size 2,048 are 81.",
}
LR_SCHEDULES = ("", "cosine", "plateau")


def validate_params(params: dict) -> None:
    """Reject a bad profile before any notebook starts (called by `mlplab run`)."""
    c = Checks(params, "regression")
    c.choice("target", options=TARGETS)
    c.choice("split", options=SPLITS)
    c.tracking()
    c.choice("search_method", options=SEARCH_METHODS)
    c.choice("lr_schedule", options=LR_SCHEDULES, expected="'', 'cosine' or 'plateau'")
    c.choices("grid_lr_schedule", options=LR_SCHEDULES, expected="a list of '', 'cosine', 'plateau'")
    c.choices("relative_inputs", options=RELATIVE_FEATURES)
    c.seeds("seeds")
    c.integer("max_symbols", least=0, expected="a non-negative integer (0 = all symbols)")
    c.integer("epochs", "lab_epochs", "lab_batch_size", "batch_size", "n_jobs", "early_stopping_patience")
    c.integer("cv_folds", least=2)
    c.layers("hidden", expected="a non-empty list of positive layer widths, e.g. [64, 32]")
    c.grid_layers("grid_hidden", expected="a list of layer-width lists, e.g. [[64, 32], [128, 64]]")
    c.fraction("lab_test_size", "valid_fraction")
    c.date("valid_start", "test_start")
    c.ints_list("grid_epochs", expected="a non-empty list of positive epoch counts, e.g. [3, 9, 27]")
    c.rate("reg_dropout")
    c.non_negative("reg_weight_decay", "reg_input_noise")
    c.integer("search_subsample", least=0, expected="a non-negative integer (0 = all training rows)")
