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
    "noise rule": "How the book decides better, worse or on a par: the paired differences of two models over the "
                  "same outer splits (or seeds), a two-sided 95 % Student-t interval on their mean (with the "
                  "Nadeau–Bengio correction when the splits' training rows overlap); better or worse only when the "
                  "interval excludes 0, on a par otherwise; fewer than 3 pairs are too few to call.",
    "Nadeau–Bengio correction": "A wider variance for differences measured on overlapping training sets: "
                                "(1/n + n_test/n_train) · s² instead of s²/n.",
    "successive halving": "A search that trains every configuration on a small budget (epochs or boosting "
                          "iterations), keeps the best third, triples their budget, and repeats; the budget column "
                          "of a search table is the last budget a configuration reached.",
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
    "MLP": "Multilayer perceptron: layers of weighted sums each followed by a non-linear activation (ReLU here).",
    "recommended model": "The model with the best mean validation score among the non-leaky candidates.",
}

PACKAGES = ("mlplab.regression", "mlplab.classification", "mlplab.california", "mlplab.wildfire", "mlplab.fashion",
            "mlplab.depth", "mlplab.transfer", "mlplab.taxi", "mlplab.airquality")


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
    lines = []
    for term, definition in sorted(terms().items(), key=lambda kv: kv[0].lower()):
        lines += [f"**{term}**", f":   {definition}", ""]
    return "\n".join(lines)
