"""Part 2: predictive-maintenance failure-type classification (analysis/02_classification_maintenance.ipynb).

Modules: features (leak-free design matrix, physics features, stratified splits, EDA tables),
models (estimator builders, supervised threshold encoding, per-class decision thresholds, seed
ensembles), experiment (fit/score, split seeds, the lab's leaky protocol), steps (one function per
notebook section), narrative (sentences from numbers), document (the results JSON).

Results `extra` keys written by the notebook (scores are test-set values unless named train_):
- label: {failure_type_with_target_0, target_1_with_no_failure, rule}; class_counts; synthetic; n_train; n_test;
- ablation: {hgb|mlp_baseline: {raw_mean, raw_std, physics_mean, physics_std, per_class_f1_raw, per_class_f1_physics}}
  (macro-F1 over split seeds, raw vs raw+physics features);
- lab_protocol: {test_rows, synthetic_test_rows, synthetic_test_share, real_test_rows, train_rows,
  leaky_test_macro_f1, real_rows_macro_f1, real_rows_metrics, real_rows_per_class_recall, synthetic_rows_macro_f1,
  class_counts_after_smote, honest_macro_f1};
- rebalancing: rows {strategy, macro_f1, balanced_accuracy, accuracy, per_class_recall} (one split, the lab's MLP);
- search: {method, n_candidates, n_fits, searched_rows, train_rows, seconds, scoring, best_cv_macro_f1, cv_folds, notes};
- levers: rows {lever, model, macro_f1_mean, macro_f1_std, per_seed} (each lever added to the tuned network);
- quality_bar: {bar, n_seeds, tuned_per_seed, tuned_mean, tuned_std, best_tree, tree_per_seed, tree_mean, tree_std,
  meets_bar, not_below_tree, passes, delta_vs_tree};
- tuned_vs_baseline: {baseline_mean, tuned_mean, delta};
- regularization: rows {model, train_macro_f1, test_macro_f1, test_balanced_accuracy, delta_test_macro_f1_vs_plain, gap,
  epochs_run};
- curves: {model: {epochs, final_train_loss, final_test_loss, final_train_macro_f1, final_test_macro_f1, best_test_epoch,
  best_valid_epoch, final_gap_macro_f1, ...}};
- seed_macro_f1: {model: [test macro-F1 per seed]}; per_class_f1: {model: {class: mean test F1 over seeds}};
- roc_pr: rows {class, positives, roc_auc, average_precision, prevalence} of mlp_tuned on the first split;
- errors: top confusions {true, predicted, rows, share of true class %} of mlp_tuned on the first split.
"""

from __future__ import annotations

from mlplab.errors import UserError

SEARCH_METHODS = ("grid", "halving")
FEATURES = ("raw", "raw+physics")
ENCODINGS = ("standard", "ple", "periodic", "thresholds", "class_thresholds")


def validate_params(params: dict) -> None:
    """Reject a bad profile before any notebook starts (called by `mlplab run`)."""
    from mlplab.resample import STRATEGIES

    def need(cond: bool, key: str, expected: str):
        if not cond:
            raise UserError(f"classification parameter {key}={params.get(key)!r}: expected {expected}")

    if "label" in params:
        need(params["label"] == "failure_type", "label", "'failure_type' (the multi-class label)")
    if "features" in params:
        need(params["features"] in FEATURES, "features", f"one of {', '.join(FEATURES)}")
    if "encoding" in params:
        need(params["encoding"] in ENCODINGS, "encoding", f"one of {', '.join(ENCODINGS)}")
    if "search_method" in params:
        need(params["search_method"] in SEARCH_METHODS, "search_method", "'grid' or 'halving'")
    if "lab_protocol_strategy" in params:
        need(params["lab_protocol_strategy"] in ("smote", "smote_tomek", "adasyn", "undersample"), "lab_protocol_strategy",
             "a resampling strategy: smote, smote_tomek, adasyn or undersample")
    for key in ("strategy", "tuned_strategy"):
        if key in params:
            need(params[key] in STRATEGIES, key, f"one of {', '.join(STRATEGIES)}")
    if "lever_losses" in params:
        need(isinstance(params["lever_losses"], list) and all(v in ("cross_entropy", "focal") for v in params["lever_losses"]),
             "lever_losses", "a list from cross_entropy, focal")
    if "lever_encodings" in params:
        need(isinstance(params["lever_encodings"], list) and all(v in ENCODINGS for v in params["lever_encodings"]),
             "lever_encodings", f"a list from {', '.join(ENCODINGS)}")
    if "strategies" in params:
        need(isinstance(params["strategies"], list) and params["strategies"]
             and all(s in STRATEGIES for s in params["strategies"]), "strategies",
             f"a non-empty list from {', '.join(STRATEGIES)}")
    if "seeds" in params:
        need(isinstance(params["seeds"], list) and params["seeds"] and all(isinstance(s, int) for s in params["seeds"]),
             "seeds", "a non-empty list of integers")
    for key in ("epochs", "lab_epochs", "batch_size", "n_jobs", "ensemble", "lever_ensemble", "n_bins", "early_stopping_patience",
                "early_stopping_epochs"):
        if key in params:
            need(isinstance(params[key], int) and params[key] >= 1, key, "a positive integer")
    if "threshold_cv" in params:
        need(isinstance(params["threshold_cv"], int) and (params["threshold_cv"] == 0 or params["threshold_cv"] >= 2),
             "threshold_cv", "0 (one validation split) or an integer >= 2")
    if "cv_folds" in params:
        need(isinstance(params["cv_folds"], int) and params["cv_folds"] >= 2, "cv_folds", "an integer >= 2")
    if "hidden" in params:
        need(isinstance(params["hidden"], list) and params["hidden"]
             and all(isinstance(h, int) and h > 0 for h in params["hidden"]), "hidden", "a list of positive widths")
    if "grid_hidden" in params:
        need(all(isinstance(h, list) and h and all(isinstance(w, int) and w > 0 for w in h) for h in params["grid_hidden"]),
             "grid_hidden", "a list of layer-width lists, e.g. [[64, 32], [128, 128]]")
    for key in ("test_size", "valid_fraction", "threshold_valid_fraction"):
        if key in params:
            need(0 < float(params[key]) < 1, key, "a fraction between 0 and 1")
    if "search_subsample" in params:
        need(isinstance(params["search_subsample"], int) and params["search_subsample"] >= 0, "search_subsample",
             "a non-negative integer (0 = all training rows)")
