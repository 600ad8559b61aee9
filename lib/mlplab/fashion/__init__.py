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

from mlplab.errors import UserError

GLOSSARY = {
    "convolution": "A layer that slides small learned filters (here 3 × 3 pixels) over an image and outputs, for every "
                   "position, how strongly each filter matches there (one feature map per filter).",
    "max pooling": "Keeps the largest value of every 2 × 2 patch of a feature map, halving its height and width.",
    "feature map": "The output of one convolution filter over the whole image: where that filter's pattern occurs.",
    "data augmentation": "Random changes to the training images (shifts, flips, erasing a patch) drawn anew every "
                         "epoch, so the network never sees exactly the same image twice; none at prediction time.",
    "test-time flip averaging": "Averaging a network's class scores for an image and for its mirror image.",
    "label smoothing": "Training towards a probability of 0.9 for the true class (the rest shared by the others) "
                       "instead of 1, which discourages over-confident scores.",
    "one-cycle learning rate": "A schedule that raises the learning rate to its peak over the first part of training "
                               "and then lowers it towards zero by the last step.",
    "successive halving": "A search that trains every configuration briefly, keeps the best share and trains those "
                          "again with a larger budget, round after round.",
    "validation images": "Training images held out from fitting: searches and the recommendation are scored on them; "
                         "the test images never choose anything.",
    "precision": "Of the images predicted as a class, the share that truly belong to it.",
    "recall": "Of the images of a class, the share the model assigns to it.",
    "channels_last": "A memory layout that stores each pixel's channels next to each other (N × H × W × C); CPU "
                     "convolution kernels run faster on it.",
}

AUGMENT_PRESETS = ("none", "shift", "flip", "shift_flip", "shift_flip_erase")
OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop")
SCHEDULES = ("", "cosine", "onecycle")
TRACKING = ("none", "mlflow", "wandb", "tensorboard")


def pos_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 1


class Checks:
    """The parameter checks both Lab 3 chapters share; `need` raises the one-line UserError."""

    def __init__(self, params: dict, notebook: str):
        self.params, self.notebook = params, notebook

    def need(self, cond: bool, key: str, expected: str) -> None:
        if not cond:
            raise UserError(f"{self.notebook} parameter {key}={self.params.get(key)!r}: expected {expected}")

    def common(self, positive=(), counts=()) -> None:
        """Positive integers, image counts (0: all), valid_size, seeds, tracking, download."""
        p, need = self.params, self.need
        for key in positive:
            if key in p:
                need(pos_int(p[key]), key, "a positive integer")
        for key in counts:
            if key in p:
                need(isinstance(p[key], int) and not isinstance(p[key], bool) and p[key] >= 0, key,
                     "an integer >= 0 (0: all images)")
        if "valid_size" in p:
            need(isinstance(p["valid_size"], (int, float)) and 0 < p["valid_size"] < 1, "valid_size",
                 "a fraction between 0 and 1")
        if "seeds" in p:
            s = p["seeds"]
            need(isinstance(s, list) and s and all(isinstance(x, int) and not isinstance(x, bool) for x in s)
                 and len(set(s)) == len(s), "seeds", "a non-empty list of distinct integers")
        if "tracking" in p:
            need(p["tracking"] in TRACKING, "tracking", f"one of {', '.join(TRACKING)}")
        if "download" in p:
            need(isinstance(p["download"], bool), "download", "true or false")
        if "device" in p:
            need(isinstance(p["device"], str) and (p["device"] in ("auto", "cpu") or p["device"].startswith("cuda")),
                 "device", "auto, cpu or cuda[:N]")


def validate_params(params: dict) -> None:
    """Reject a bad profile before any notebook starts (called by `mlplab run` and by the notebook)."""
    checks = Checks(params, "fashion_mnist")
    need = checks.need
    checks.common(positive=("logreg_iter", "mlp_epochs", "mlp_batch_size", "source_epochs", "source_batch_size",
                            "reg_epochs", "n_jobs", "threads"),
                  counts=("max_train", "max_test", "baseline_search_images", "search_images", "reg_images"))
    for key in ("logreg_C", "mlp_lr", "grid_lr"):
        if key in params:
            v = params[key]
            need(isinstance(v, list) and v and all(isinstance(x, (int, float)) and not isinstance(x, bool) and x > 0
                                                   for x in v), key, "a non-empty list of positive numbers")
    for key in ("source_lr", "reg_dropout", "reg_weight_decay", "tuned_weight_decay", "tuned_label_smoothing"):
        if key in params:
            need(isinstance(params[key], (int, float)) and not isinstance(params[key], bool) and params[key] >= 0, key,
                 "a number >= 0")
    if "reg_dropout" in params:
        need(params["reg_dropout"] < 1, "reg_dropout", "a rate in [0, 1)")
    if "tuned_label_smoothing" in params:
        need(params["tuned_label_smoothing"] < 1, "tuned_label_smoothing", "a value in [0, 1)")
    for key in ("mlp_hidden",):
        if key in params:
            v = params[key]
            need(isinstance(v, list) and v and all(isinstance(h, list) and h and all(pos_int(w) for w in h) for h in v),
                 key, "a list of layer-width lists, e.g. [[256, 128]]")
    for key in ("source_hidden", "tuned_hidden"):
        if key in params:
            v = params[key]
            need(isinstance(v, list) and all(pos_int(w) for w in v), key, "a list of positive widths (may be empty)")
    if "source_blocks" in params:
        need(_blocks_ok(params["source_blocks"]), "source_blocks", "a list of blocks of conv widths, e.g. [[32], [64]]")
    if "grid_blocks" in params:
        v = params["grid_blocks"]
        need(isinstance(v, list) and v and all(_blocks_ok(b) for b in v), "grid_blocks",
             "a list of block lists, e.g. [[[32], [64]], [[32], [64, 64]]]")
    for key in ("grid_batch_size", "tuned_epochs"):
        if key in params:
            v = params[key]
            need(isinstance(v, list) and v and all(pos_int(x) for x in v), key, "a non-empty list of positive integers")
    if "grid_epochs" in params:
        v = params["grid_epochs"]
        need(isinstance(v, list) and len(v) == 2 and all(pos_int(x) for x in v) and v[0] <= v[1], "grid_epochs",
             "[first round's epochs, last round's epochs], e.g. [2, 6]")
    if "grid_augment" in params:
        v = params["grid_augment"]
        need(isinstance(v, list) and v and all(a in AUGMENT_PRESETS for a in v), "grid_augment",
             f"a list from {', '.join(AUGMENT_PRESETS)}")
    if "reg_augment" in params:
        need(params["reg_augment"] in AUGMENT_PRESETS[1:], "reg_augment", f"one of {', '.join(AUGMENT_PRESETS[1:])}")
    for key in ("source_optimizer", "tuned_optimizer"):
        if key in params:
            need(params[key] in OPTIMIZERS, key, f"one of {', '.join(OPTIMIZERS)}")
    if "tuned_lr_schedule" in params:
        need(params["tuned_lr_schedule"] in SCHEDULES, "tuned_lr_schedule", "'', 'cosine' or 'onecycle'")


def _blocks_ok(blocks) -> bool:
    return (isinstance(blocks, list) and bool(blocks)
            and all(isinstance(b, list) and b and all(isinstance(w, int) and not isinstance(w, bool) and w > 0 for w in b)
                    for b in blocks))
