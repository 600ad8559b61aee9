"""Lab 2, chapter 1: California Housing regression (analysis/21_california.ipynb).

Modules: features (the design matrix, skewness, EDA tables), models (estimator builders, the
prediction clip at the census range, search grids), steps (one function per notebook section on
the experiment core), narrative (sentences from numbers), document (the results JSON).

Protocol (nested, fixed before any model ran): three random 80/20 outer splits with split seeds
0, 1, 2 (the rows come in geographic order, so they are shuffled); inside each split's training
rows a random validation part scores every model for the recommendation; every model is fitted on
the remaining fit rows, where the searches run their cross-validation and early stopping its own
slice; every test row is scored, capped rows included.

Results `extra` keys written by the notebook (RMSE and MAE in $100,000):
- data: rows, layout, capped_rows, cap, missing_avebedrms, skewed (log-transformed columns);
- split: fit, validation, test rows of a split, outer_splits, seeds;
- search: {mlp|hgb: {per split: SearchResult.to_dict()}}, budget (candidates, folds, halving rounds);
- goal: {target, mlp_mean, mlp_per_split, met, gap_to_hgb, hgb_mean};
- capped: {model: {capped_rmse, uncapped_rmse, capped_rows, share_of_squared_error}} on the first split;
- deciles: rows {decile, income range, rows, rmse, mean residual} of the tuned MLP (first split);
- regularization: {variant: {regularizer, reference}};
- tracking: where the tracked runs went (mlplab.experiment.tracking.Tracking.describe).
"""

from __future__ import annotations

NOTEBOOK = "california"
SEARCH_METHODS = ("grid", "halving")
ENCODINGS = ("standard", "ple")


def validate_params(params: dict) -> None:
    """Reject a bad profile before any notebook starts (called by `mlplab run`)."""
    from mlplab.experiment.checks import Checks

    c = Checks(params, "california")
    c.seeds("seeds")
    c.fraction("test_size", "valid_size", "valid_fraction")
    c.integer("epochs", "search_epochs", "source_epochs", "batch_size", "n_jobs", "n_bins", "hgb_max_iter",
              "early_stopping_patience", "ensemble", "reg_epochs")
    c.integer("cv_folds", "halving_factor", least=2)
    c.integer("max_rows", "search_subsample", least=0)
    c.choice("search_method", options=SEARCH_METHODS)
    c.layers("source_hidden")
    c.grid_layers("grid_hidden")
    c.choices("grid_encoding", options=ENCODINGS)
    c.positive_list("grid_lr", "grid_hgb_learning_rate")
    c.ints_list("grid_hgb_leaves", "grid_hgb_min_leaf", least=2)
    c.rates_list("grid_dropout")
    c.rate("source_dropout", "reg_dropout")
    c.positive("reg_weight_decay", "reg_input_noise", "lr", "skew_threshold", "goal_rmse")
    c.tracking()


GLOSSARY = {
    "block group": "The census unit of one row of California Housing: a few hundred to a few thousand people "
                   "living close together; the features are its medians or per-household averages.",
    "censored target": "A target recorded as a ceiling whenever the true value is higher: here every median "
                       "house value above $500,000 is stored as 5.00001 (in $100,000).",
    "RMSE": "Root mean squared error: the square root of the mean squared difference between prediction and "
            "truth, in the target's units ($100,000 here); large errors weigh more than in the MAE.",
    "MAE": "Mean absolute error: the mean of |prediction − truth|, in the target's units.",
    "residual": "Truth minus prediction for one row; a positive residual means the model predicted too low.",
    "piecewise-linear encoding": "Each numeric feature replaced by one column per quantile bin of the training "
                                 "rows: 0 below the bin, 1 above it, linear inside (Gorishniy et al., 2022).",
    "seed ensemble": "The mean prediction of several fits of the same model that differ only in their random seed "
                     "(initial weights, batch order, dropout masks); it lowers the part of the error that comes "
                     "from that randomness.",
}
