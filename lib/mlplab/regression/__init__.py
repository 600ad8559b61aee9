"""Part 1: NYSE same-day close regression (analysis/01_regression_nyse.ipynb).

Modules: features (the two formulations, splits), eda (polars aggregations and findings), models
(estimator builders), experiment (fit, dollars-scale scoring, seeds, search, regularization),
narrative (sentences from numbers), document (the results JSON).

Results `extra` keys written by the notebook (all metrics in USD of close price):
- units: how metrics are expressed; target, split, test_start, n_train, n_test, synthetic;
- search: method, n_candidates, n_fits, searched_rows, train_rows, seconds, scoring, best_cv_rmse_target, notes;
- quality_bar: seeds, tuned_rmse (per seed), ratio_vs_<ref> (per seed), median_ratio_vs_<ref>, passes_vs_<ref>
  for ref in ols (price inputs, the lab's formulation) and ols_return (relative inputs, return target);
- tuned_vs_baseline: baseline_rmse_mean, tuned_rmse_mean, change_pct (seed means);
- formulation: {target: {mean_rmse, std_rmse, n}} of the same 64-32 MLP on both targets;
- regularization: rows {model, train_rmse, test_rmse, delta_test_rmse_vs_tuned, gap_test_over_train, epochs_run};
- curves: {model: {epochs, final_train_loss, final_test_loss, best_test_epoch, best_valid_epoch, final_gap_loss, ...}}
  (losses in the model's target units, standardized when scale_target);
- seed_rmse: {model: [test RMSE per seed]} for repeated models;
- eda: collinearity_min_r, volume_corr_range, skew_close, rows, symbols, days;
- error: abs_residual_price_corr, worst_symbol, worst_symbol_share_pct.
"""

from __future__ import annotations

from mlplab.errors import UserError
from mlplab.regression.features import RELATIVE_FEATURES, SPLITS, TARGETS

SEARCH_METHODS = ("grid", "halving")
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
    if "test_size" in params:
        need(0 < float(params["test_size"]) < 1, "test_size", "a fraction between 0 and 1")
    if "search_subsample" in params:
        need(isinstance(params["search_subsample"], int) and params["search_subsample"] >= 0, "search_subsample",
             "a non-negative integer (0 = all training rows)")
