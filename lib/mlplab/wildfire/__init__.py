"""Lab 2, chapter 2: wildfire occurrence in Algeria, fire or not fire (analysis/22_wildfire.ipynb).

Modules: features (feature sets, design matrix, EDA tables), models (the sigmoid-output MLP, the
one-feature threshold rule, day-grouped decision thresholds, estimator builders), protocol
(repeated cross-validation grouped by day, and the random stratified contrast), steps (one
function per notebook section on the experiment core), narrative (sentences and captions from
numbers), document (the results JSON).

Protocol (nested, fixed in advance): repeated stratified cross-validation grouped by day — both
regions' rows of a day always fall in the same fold, because they share the weather and consecutive
days share the fire-weather indices' memory. Each outer fold's training days are split again (by
day) into fit rows and validation rows; searches and decision thresholds use day-grouped folds of
the fit rows; the validation rows compare models for the recommendation; the test fold is scored.
A random stratified split of the same sizes (rows, not days) is run beside it as a contrast.

Results `extra` keys written by the notebook:
- data: rows, days, regions, class_counts, repairs (what the loader repaired, with lines);
- split: fit / validation / test rows of a split, outer_splits, folds, repeats;
- feature_sets: {name: columns}; search: {model: {split: SearchResult.to_dict()}}, budget;
- thresholds: {model: [chosen offset per split]};
- feature_verdicts: records of weather+FWI against weather only (noise rule, paired over splits);
- contrast: rows {model, grouped_mean, grouped_sd, random_mean, random_sd, difference};
- pooled: metrics of the tuned MLP over the first repeat's test folds (every row predicted once);
- misclassified: the days the tuned MLP got wrong in the first repeat;
- tracking: where the tracked runs went.
"""

from __future__ import annotations

NOTEBOOK = "wildfire"

GLOSSARY = {
    "Fire Weather Index (FWI) system": "The Canadian system of six indices computed from noon temperature, "
                                       "relative humidity, wind speed and 24-hour rain of the current and previous "
                                       "days: FFMC, DMC and DC track the moisture of fine, medium and deep fuels; "
                                       "ISI, BUI and FWI combine them into spread, fuel and intensity ratings.",
    "grouped cross-validation": "Cross-validation whose folds keep groups together: here every row of a day "
                                "(both regions) is in the same fold, so no test day has its twin in training.",
    "sigmoid output": "A single output unit whose logit z gives the probability of fire p = 1 / (1 + e^(−z)); "
                      "trained with the binary cross-entropy on the logit (BCEWithLogitsLoss).",
    "decision threshold": "The probability above which a row is given a class (the 'fire' call of a two-class "
                          "task; with several classes, one offset per class on the probabilities); chosen on "
                          "out-of-fold predictions of the fit rows, never on the test rows.",
    "F1": "The harmonic mean of precision and recall of one class; macro-F1 averages it over the classes.",
    "ROC curve": "True-positive rate against false-positive rate as the decision threshold moves; its area (AUC) "
                 "is the chance that a random fire day scores above a random no-fire day.",
    "precision-recall curve": "Precision against recall as the decision threshold moves; average precision "
                              "summarizes it.",
}


def validate_params(params: dict) -> None:
    """Reject a bad profile before any notebook starts (called by `mlplab run`)."""
    from mlplab.experiment.checks import Checks

    c = Checks(params, "wildfire")
    c.seeds("repeat_seeds")
    c.integer("folds", "valid_folds", least=3)
    c.integer("inner_folds", "threshold_folds", least=2)
    c.integer("epochs", "source_epochs", "batch_size", "n_jobs", "hgb_max_iter")
    c.layers("source_hidden")
    c.grid_layers("grid_hidden")
    c.rates_list("grid_dropout")
    c.positive_list("grid_logreg_C", "grid_hgb_learning_rate")
    c.ints_list("grid_hgb_leaves", least=2)
    c.rate("source_dropout")
    c.positive("lr")
    c.tracking()
