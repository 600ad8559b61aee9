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

from mlplab.experiment.checks import Checks

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

# lever name -> (input encoding / decision rule, loss) of the headline table's MLP variants
# the models of the chapter's headline table (the conclusions name the best balanced accuracy among the same)
HEADLINE = ("majority", "logreg", "hgb", "documented_rules", "mlp_baseline", "mlp_tuned", "mlp_tuned_smote")

LEVERS = {"standard": ("standard", "cross_entropy"), "ple": ("ple", "cross_entropy"),
          "periodic": ("periodic", "cross_entropy"), "thresholds": ("thresholds", "cross_entropy"),
          "class_thresholds": ("class_thresholds", "cross_entropy"),
          "class_thresholds_focal": ("class_thresholds", "focal"), "standard_focal": ("standard", "focal")}


def validate_params(params: dict) -> None:
    """Reject a bad profile before any notebook starts (called by `mlplab run` and by the notebook)."""
    from mlplab.strategies import STRATEGIES

    c = Checks(params, "classification")
    c.tracking()
    c.choice("search_method", options=SEARCH_METHODS)
    c.choice("lab_protocol_strategy", options=("smote", "smote_tomek", "adasyn", "undersample"),
             expected="a resampling strategy: smote, smote_tomek, adasyn or undersample")
    c.rule("strategies", ok=lambda v: isinstance(v, list) and "none" in v and all(s in STRATEGIES for s in v),
           expected=f"a list from {', '.join(STRATEGIES)} that includes none (the reference)")
    c.choices("levers", options=LEVERS)
    c.seeds("seeds")
    c.integer("epochs", "batch_size", "n_jobs", "n_bins", "early_stopping_patience")
    c.ints_list("grid_epochs", "grid_batch_size", "hgb_iterations", "hgb_max_leaf_nodes", "hgb_min_samples_leaf")
    c.positive_list("grid_lr", "hgb_learning_rate", "logreg_C")
    c.choices("hgb_class_weight", "logreg_class_weight", options=("none", "balanced"))
    c.choices("grid_optimizer", options=("adam", "adamw", "sgd", "rmsprop"))
    c.integer("threshold_cv", least=2, zero=True, expected="0 (no decision thresholds) or an integer >= 2")
    c.integer("cv_folds", least=2)
    c.layers("hidden")
    c.grid_layers("grid_hidden", expected="a list of layer-width lists, e.g. [[64, 32], [128, 128]]")
    c.fraction("test_size", "valid_size", "valid_fraction")
    c.rate("dropout", "reg_dropout")
    c.non_negative("reg_weight_decay", "reg_input_noise")
    c.integer("search_subsample", "max_rows", least=0, expected="a non-negative integer (0 = all rows)")
