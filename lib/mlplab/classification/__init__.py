"""Lab 1, part 2: predictive-maintenance failure-type classification (analysis/02_classification_maintenance.ipynb).

Modules: features (leak-free design matrix, physics features, EDA tables), models (estimators:
documented rules, threshold encoding, focal loss, pipelines), steps (the notebook's sections on the
experiment core), narrative (sentences and caption takeaways from numbers).

Protocol: nested (stratified outer splits; searches, encodings, thresholds and early stopping inside
each split's fit rows; validation rows for the recommendation). The results file (schema:
mlplab.experiment.schema) keeps, besides models and verdicts, `extra`: label (the consistency
counts and the rule), class_counts, synthetic, split_sizes, lab_protocol (composition and real-row
scores of the lab's leaky test set), searches (mlp, hgb, logreg per split; levers per split),
roc_pr and errors (first split, tuned MLP) and per_class_f1 (headline models, mean over splits).
"""

from __future__ import annotations

from mlplab.errors import UserError

SEARCH_METHODS = ("grid", "halving")
FEATURES = ("raw", "raw+physics")
ENCODINGS = ("standard", "ple", "periodic", "thresholds", "class_thresholds")

GLOSSARY = {
    "macro-F1": "The mean of the per-class F1 scores (F1 = harmonic mean of precision and recall), every class "
                "weighing the same: a model that ignores a rare class loses a sixth of its score here.",
    "balanced accuracy": "The mean of the per-class recalls.",
    "average precision": "The area under a class's precision-recall curve (one class against the rest): 1 is "
                         "perfect, the class's prevalence is what random scores get.",
    "HDF, PWF, OSF, TWF, RNF": "Heat Dissipation, Power, Overstrain, Tool Wear and Random Failures, the five failure "
                               "modes of AI4I 2020.",
    "SMOTE": "Synthetic Minority Over-sampling: new rows of a rare class interpolated between a row and one of its "
             "nearest neighbours of the same class. Done before the split (the lab's order), it leaks test neighbours "
             "into training.",
    "SMOTE-Tomek": "SMOTE followed by removing Tomek links (pairs of nearest neighbours of different classes).",
    "physics features": "The documented failure quantities: temperature difference, mechanical power and tool wear × "
                        "torque.",
    "threshold encoding": "Standardized features plus 0/1 columns marking whether a feature exceeds cut points that "
                          "shallow decision trees find on the fit rows (per class: one tree per class against the "
                          "rest).",
    "piecewise-linear encoding": "Each feature split into bins (quantiles of the fit rows); a value becomes how far it "
                                 "fills each bin (Gorishniy et al., 2022).",
    "periodic embedding": "Each feature mapped through sines and cosines of learned frequencies before the first "
                          "layer (Gorishniy et al., 2022).",
    "focal loss": "Cross-entropy scaled by (1 − p)^γ for the true class's probability p, so rows the network already "
                  "gets right weigh little (Lin et al., 2017).",
    "out-of-fold decision thresholds": "Per-class offsets added to the log-probabilities before the argmax, chosen to "
                                       "maximize macro-F1 on predictions that models fitted without each row made for "
                                       "it (cross-validation inside the fit rows).",
    "documented failure rules": "The rules AI4I 2020 was generated from, applied directly as a classifier (only the "
                                "tool-wear window is fitted on the fit rows).",
}


def validate_params(params: dict) -> None:
    """Reject a bad profile before any notebook starts (called by `mlplab run` and by the notebook)."""
    from mlplab.classification.steps import LEVERS
    from mlplab.resample import STRATEGIES

    def need(cond: bool, key: str, expected: str):
        if not cond:
            raise UserError(f"classification parameter {key}={params.get(key)!r}: expected {expected}")

    def int_list(key, minimum=1):
        v = params.get(key)
        return isinstance(v, list) and bool(v) and all(isinstance(x, int) and not isinstance(x, bool) and x >= minimum
                                                       for x in v)

    def num_list(key):
        v = params.get(key)
        return isinstance(v, list) and bool(v) and all(isinstance(x, (int, float)) and not isinstance(x, bool) and x > 0
                                                       for x in v)

    if "tracking" in params:
        from mlplab.experiment.tracking import check_backend

        check_backend(params["tracking"])
    if "search_method" in params:
        need(params["search_method"] in SEARCH_METHODS, "search_method", "'grid' or 'halving'")
    if "lab_protocol_strategy" in params:
        need(params["lab_protocol_strategy"] in ("smote", "smote_tomek", "adasyn", "undersample"), "lab_protocol_strategy",
             "a resampling strategy: smote, smote_tomek, adasyn or undersample")
    if "strategies" in params:
        need(isinstance(params["strategies"], list) and "none" in params["strategies"]
             and all(s in STRATEGIES for s in params["strategies"]), "strategies",
             f"a list from {', '.join(STRATEGIES)} that includes none (the reference)")
    if "levers" in params:
        need(isinstance(params["levers"], list) and bool(params["levers"]) and all(v in LEVERS for v in params["levers"]),
             "levers", f"a non-empty list from {', '.join(LEVERS)}")
    if "seeds" in params:
        need(int_list("seeds", 0) and len(set(params["seeds"])) == len(params["seeds"]), "seeds",
             "a non-empty list of distinct integers")
    for key in ("epochs", "batch_size", "n_jobs", "n_bins", "early_stopping_patience"):
        if key in params:
            need(isinstance(params[key], int) and params[key] >= 1, key, "a positive integer")
    for key in ("grid_epochs", "grid_batch_size", "hgb_iterations", "hgb_max_leaf_nodes", "hgb_min_samples_leaf"):
        if key in params:
            need(int_list(key), key, "a non-empty list of positive integers")
    for key in ("grid_lr", "hgb_learning_rate", "logreg_C"):
        if key in params:
            need(num_list(key), key, "a non-empty list of positive numbers")
    for key in ("hgb_class_weight", "logreg_class_weight"):
        if key in params:
            need(isinstance(params[key], list) and bool(params[key]) and all(v in ("none", "balanced") for v in params[key]),
                 key, "a list from none, balanced")
    if "grid_optimizer" in params:
        need(isinstance(params["grid_optimizer"], list) and bool(params["grid_optimizer"])
             and all(v in ("adam", "adamw", "sgd", "rmsprop") for v in params["grid_optimizer"]), "grid_optimizer",
             "a list from adam, adamw, sgd, rmsprop")
    if "threshold_cv" in params:
        need(isinstance(params["threshold_cv"], int) and (params["threshold_cv"] == 0 or params["threshold_cv"] >= 2),
             "threshold_cv", "0 (no decision thresholds) or an integer >= 2")
    if "cv_folds" in params:
        need(isinstance(params["cv_folds"], int) and params["cv_folds"] >= 2, "cv_folds", "an integer >= 2")
    if "hidden" in params:
        need(int_list("hidden"), "hidden", "a list of positive widths")
    if "grid_hidden" in params:
        need(isinstance(params["grid_hidden"], list) and bool(params["grid_hidden"])
             and all(isinstance(h, list) and h and all(isinstance(w, int) and w > 0 for w in h) for h in params["grid_hidden"]),
             "grid_hidden", "a list of layer-width lists, e.g. [[64, 32], [128, 128]]")
    for key in ("test_size", "valid_size", "valid_fraction"):
        if key in params:
            need(isinstance(params[key], (int, float)) and 0 < float(params[key]) < 1, key, "a fraction between 0 and 1")
    for key in ("dropout", "reg_dropout"):
        if key in params:
            need(isinstance(params[key], (int, float)) and 0 <= params[key] < 1, key, "a dropout rate in [0, 1)")
    for key in ("reg_weight_decay", "reg_input_noise"):
        if key in params:
            need(isinstance(params[key], (int, float)) and params[key] >= 0, key, "a number >= 0")
    for key in ("search_subsample", "max_rows"):
        if key in params:
            need(isinstance(params[key], int) and params[key] >= 0, key, "a non-negative integer (0 = all rows)")
