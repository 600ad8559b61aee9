"""Lab 3, part 1: Fashion-MNIST image classification (analysis/31_fashion_mnist.ipynb).

Modules: net (CNNClassifier: the package's fast skorch net with image inputs, one-cycle schedule),
models (estimator builders: logistic regression and MLP on pixels, CNNs), steps (one function per
notebook section, on the experiment core), narrative (sentences and captions from numbers).
The networks live in mlplab.models.cnn, the figures in mlplab.plots.fashion, the reader in
mlplab.data.fashion_mnist.

Results `extra` keys (report/_results/fashion_mnist.json): data (layout, split, verified, counts),
split (fit/validation/test sizes), flip_asymmetry (per class), searches ({logreg, mlp, cnn}:
method, candidates, fits, rows, winner, validation accuracy), epochs ({candidates: {epochs:
{validation_accuracy, seconds}}, chosen}), tta (per seed: tta_flip and both validation accuracies),
goal (goal_accuracy, goal_seconds, per_seed, mean, sd, met_accuracy, fit_seconds, within_time,
threads), per_class (precision/recall/F1 per class), confusions (top pairs), regularization (plan),
tracking (where the tracked runs went).
"""

from __future__ import annotations

from mlplab.experiment.checks import Checks, is_int, is_layers

GLOSSARY = {
    "convolution": "A layer that slides small learned filters (here 3 × 3 pixels) over an image and outputs, for every "
                   "position, how strongly each filter matches there (one feature map per filter).",
    "max pooling": "Keeps the largest value of every 2 × 2 patch of a feature map, halving its height and width.",
    "feature map": "The output of one convolution filter over the whole image: where that filter's pattern occurs.",
    "test-time flip averaging": "Averaging a network's class scores for an image and for its mirror image.",
    "label smoothing": "Training towards a probability of 0.9 for the true class (the rest shared by the others) "
                       "instead of 1, which discourages over-confident scores.",
    "one-cycle learning rate": "A schedule that raises the learning rate to its peak over the first part of training "
                               "and then lowers it towards zero by the last step.",
    "successive halving": "A search that trains every configuration briefly, keeps the best share and trains those "
                          "again with a larger budget, round after round.",
    "validation images": "Training images held out from fitting: searches and the recommendation are scored on them; "
                         "the test images never choose anything.",
    "channels_last": "A memory layout that stores each pixel's channels next to each other (N × H × W × C); CPU "
                     "convolution kernels run faster on it.",
}

AUGMENT_PRESETS = ("none", "shift", "flip", "shift_flip", "shift_flip_erase")
OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop")
SCHEDULES = ("", "cosine", "onecycle")


def lab3_checks(params: dict, notebook: str, positive=(), counts=()) -> Checks:
    """The checks both Lab 3 chapters share (positive integers, image counts with 0 for all, valid_size,
    seeds, tracking, download, device); the chapter adds its own to the Checks returned."""
    c = Checks(params, notebook)
    c.integer(*positive)
    c.integer(*counts, least=0, expected="an integer >= 0 (0: all images)")
    c.fraction("valid_size")
    c.seeds("seeds")
    c.tracking()
    c.boolean("download")
    c.device()
    return c


def validate_params(params: dict) -> None:
    """Reject a bad profile before any notebook starts (called by `mlplab run` and by the notebook)."""
    c = lab3_checks(params, "fashion_mnist",
                    positive=("logreg_iter", "mlp_epochs", "mlp_batch_size", "source_epochs", "source_batch_size",
                              "reg_epochs", "n_jobs", "threads"),
                    counts=("max_train", "max_test", "baseline_search_images", "search_images", "reg_images",
                            "ladder_images"))
    c.positive_list("logreg_C", "mlp_lr", "grid_lr")
    c.non_negative("source_lr", "reg_weight_decay", "tuned_weight_decay")
    c.rate("reg_dropout")
    c.rate("tuned_label_smoothing", expected="a value in [0, 1)")
    c.grid_layers("mlp_hidden", expected="a list of layer-width lists, e.g. [[256, 128]]")
    c.layers("source_hidden", "tuned_hidden", empty=True)
    c.rule("source_blocks", ok=_blocks_ok, expected="a list of blocks of conv widths, e.g. [[32], [64]]")
    c.each("grid_blocks", ok=_blocks_ok, expected="a list of block lists, e.g. [[[32], [64]], [[32], [64, 64]]]")
    c.ints_list("grid_batch_size", "tuned_epochs")
    c.rule("grid_epochs", ok=lambda v: isinstance(v, list) and len(v) == 2 and all(is_int(x) and x >= 1 for x in v)
           and v[0] <= v[1], expected="[first round's epochs, last round's epochs], e.g. [2, 6]")
    c.choices("grid_augment", options=AUGMENT_PRESETS)
    c.choice("reg_augment", options=AUGMENT_PRESETS[1:])
    c.choice("source_optimizer", "tuned_optimizer", "reg_optimizer", options=OPTIMIZERS)
    c.positive("reg_lr")
    c.choice("tuned_lr_schedule", options=SCHEDULES, expected="'', 'cosine' or 'onecycle'")


def _blocks_ok(blocks) -> bool:
    return isinstance(blocks, list) and bool(blocks) and all(is_layers(b) for b in blocks)
