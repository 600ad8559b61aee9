"""The book's glossary: the experiment core's terms plus each lab package's `GLOSSARY`.

Every term is also defined where it first appears in a chapter; this page gathers them, sorted,
so a reader (or a grader) can look one up. Written to report/_generated/glossary.md by
`mlplab run` (pages.write_generated_pages) and shown by report/glossary.qmd.
"""

from __future__ import annotations

import importlib

CORE = {
    "fit rows": "The training rows a model is fitted on. Searches, early stopping and decision thresholds work "
                "inside them only.",
    "validation rows": "Training rows held out from fitting and used to compare candidate models; the recommended "
                       "model is the one with the best mean validation score.",
    "test rows": "Rows scored once per model and never used to choose anything.",
    "outer split": "One division of all rows into training (fit + validation) and test rows. The nested protocol "
                   "repeats the whole selection inside each of several outer splits drawn with different seeds.",
    "nested protocol": "Repeated outer splits with every selection (search, encoding, thresholds, early stopping) "
                       "run inside each split's training rows, so every split gives an honest test score.",
    "holdout protocol": "One fixed test set (for time series, the latest period); seeds then vary only the training "
                        "randomness (initial weights, batch order, dropout), not the rows.",
    "noise rule": "How the book decides whether one model is better than another. Both are scored on the same outer "
                  "splits (or seeds); the differences of their test scores are averaged, and a two-sided 95 % "
                  "Student-t interval is put around that mean (widened by the Nadeau–Bengio correction when the "
                  "splits' training rows overlap). Better or worse only when the interval excludes 0; on a par only "
                  "when the whole interval lies inside the metric's margin of parity; undecided otherwise; fewer "
                  "than 3 pairs are too few to call. The table of margins closes this glossary.",
    "margin of parity": "The largest difference that counts as no difference for a metric, fixed before any run "
                        "(±0.01 for accuracy, F1, AUC and R²; ±1 % of the reference model's error for RMSE, MAE and "
                        "losses). Two models are on a par only when the whole 95 % interval of their difference "
                        "lies inside it.",
    "undecided": "The noise rule's word when the interval of a difference contains 0 but reaches past the margin of "
                 "parity: the runs cannot tell whether the models differ. More splits or seeds narrow the "
                 "interval; the book then says how many runs went which way and by how much, as a description, "
                 "not as a second test.",
    "Nadeau–Bengio correction": "A wider variance for differences measured on overlapping training sets: "
                                "(1/n + n_test/n_train) · s² instead of s²/n.",
    "successive halving": "A search that trains every configuration on a small budget (epochs or boosting "
                          "iterations), keeps the best third, triples their budget, and repeats; the budget column "
                          "of a search table is the last budget a configuration reached. The book's searches run "
                          "it over a grid of configurations with scikit-learn's HalvingGridSearchCV.",
    "cross-validation": "Scoring a configuration on each of k folds of the rows after fitting on the others, and "
                        "averaging the k scores.",
    "ablation ladder": "A sequence of models that each change one thing from the previous rung, measured with the "
                       "same protocol, so each change's effect can be read off on its own.",
    "regularization": "Anything that limits how closely a network fits its training rows: dropout, L2 weight "
                      "decay, batch normalization, input-noise augmentation, early stopping.",
    "dropout": "Setting a random share of a layer's outputs to zero at each training step.",
    "L2 weight decay": "A penalty on the squared size of the weights, added through the optimizer.",
    "batch normalization": "Standardizing each layer's outputs over the batch before the activation.",
    "input-noise augmentation": "Gaussian noise added to the standardized inputs of every training batch, so each "
                                "epoch sees a jittered copy of the training rows. Unlike oversampling (SMOTE), which "
                                "adds synthetic minority rows once, it perturbs every row every epoch and leaves the "
                                "class balance unchanged.",
    "early stopping": "Ending training when the loss on a slice of the fit rows (the stopping slice) has not "
                      "improved for a number of epochs (the patience), and keeping the best epoch's weights.",
    "generalization gap": "A model's training score minus its test score (for RMSE, test minus training), the same "
                          "metric on both sides.",
    "seed": "The number that fixes a run's randomness (initial weights, batch order, dropout masks, and for the "
            "nested protocol the outer split).",
    "HGB": "Histogram gradient boosting: an ensemble of shallow decision trees, each fitted to the errors of the "
           "trees before it, on inputs binned into at most 256 values (scikit-learn's HistGradientBoostingRegressor "
           "for numbers, HistGradientBoostingClassifier for classes).",
    "MLP": "Multilayer perceptron: layers of weighted sums each followed by a non-linear activation (ReLU here).",
    "recommended model": "The model with the best mean validation score among the non-leaky candidates.",
    "precision": "Of the examples a model assigns to a class (rows of a table, images, texts, time windows), the "
                 "share that truly belong to it: how far a prediction of that class can be trusted.",
    "recall": "Of the examples that truly belong to a class, the share the model assigns to it: how many of them "
              "it finds.",
    "data augmentation": "Random, label-preserving changes to the training examples, drawn anew every epoch, so a "
                         "model never sees exactly the same example twice: shifts and flips of an image, noise "
                         "added to a table's standardized inputs, words dropped from a text. None at prediction "
                         "time.",
}

PACKAGES = ("mlplab.regression", "mlplab.classification", "mlplab.california", "mlplab.wildfire", "mlplab.fashion",
            "mlplab.depth", "mlplab.transfer", "mlplab.taxi", "mlplab.airquality", "mlplab.text", "mlplab.imdb",
            "mlplab.newsgroups")


def terms() -> dict[str, str]:
    """All terms: the core's, then each installed lab package's (a later definition of a term wins)."""
    out = dict(CORE)
    for name in PACKAGES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # that lab is not part of this package version
            raise
        out.update(getattr(module, "GLOSSARY", {}))
    return out


def glossary_md() -> str:
    from mlplab.experiment.verdict import margins_table
    from mlplab.reporting import table_markdown

    lines = []
    for term, definition in sorted(terms().items(), key=lambda kv: kv[0].lower()):
        lines += [f"**{term}**", f":   {definition[:1].upper()}{definition[1:]}", ""]
    lines += ["## Margins of parity {#sec-margins}", "",
              "The noise rule calls two models on a par only when the whole 95 % interval of their difference lies "
              "inside the margin of their metric. The margins were fixed before any run and are the same in "
              "every chapter:", "", table_markdown(margins_table()), ""]
    return "\n".join(lines)
