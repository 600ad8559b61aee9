"""Lab 3, part 2: depth — vanishing gradients, residual connections, VGG-16-C / ResNet-18 / ResNeXt
(analysis/32_depth.ipynb).

Modules: steps (the study on the experiment core: fits, gradient probes, the source's claims by the
noise rule), narrative (sentences and captions from numbers). The networks live in
mlplab.models.residual, the figures in mlplab.plots.depth.

Results (report/_results/depth.json): models plain_deep, residual_deep, plain_deep_bn,
residual_deep_bn (each with `layers`, `grad_norms` {init, trained} per layer (geometric mean over
seeds), `grad_norms_per_seed`, `parameters`, `conv_layers`, `seconds_per_epoch`), vgg16c, resnet18,
resnext (and resnext_c<k> at other cardinalities); `recommended` null with a reason. `extra`:
fit_images, split, gradient_ratio (log10 first/last conv gradient per seed), source_layers (our norms
at the source's layers 3/15/27/38), claims (each with the noise rule's verdict and a status),
source (the source's table), stability (per-seed spread of the late validation loss), tracking.
"""

from __future__ import annotations

GLOSSARY = {
    "vanishing gradient": "A gradient that shrinks layer by layer on its way back from the loss to the input, so the "
                          "first layers of a deep network barely learn.",
    "gradient norm": "The size (L2 norm) of the loss's gradient with respect to one layer's weights: how strongly one "
                     "training step would change that layer.",
    "residual connection": "A shortcut that adds a block's input to its output (out = ReLU(x + F(x))), so the signal "
                           "and its gradient can bypass the block's layers.",
    "batch normalization": "Rescales each channel's activations to zero mean and unit variance over the batch, then "
                           "applies a learned scale and shift.",
    "VGG-16": "Simonyan and Zisserman's 2014 network: 13 convolution layers in five blocks with max pooling, then "
              "three dense layers; configuration C uses 1 × 1 convolutions in its last three blocks.",
    "ResNet-18": "He et al.'s 2015 network: a stem, then four stages of two residual blocks of two 3 × 3 "
                 "convolutions each, global average pooling and one dense layer.",
    "ResNeXt": "Xie et al.'s 2017 network: residual blocks whose 3 × 3 convolution is split into parallel groups "
               "(the cardinality) between 1 × 1 reductions and expansions.",
    "cardinality": "The number of parallel groups of a ResNeXt block's grouped convolution.",
    "grouped convolution": "A convolution whose input and output channels are split into groups, each group's filters "
                           "seeing only its own input channels.",
}

# What became of each of the source's claims (steps.claims): decided its way, not shown by our runs (decided
# the other way or on a par, on narrowed networks trained briefly: not a refutation), or undecided.
CONFIRMED, NOT_REPRODUCED, NOT_DECIDED = "confirmed", "not reproduced at this budget", "undecided"
CLAIM_STATUSES = (CONFIRMED, NOT_REPRODUCED, NOT_DECIDED)

OPTIMIZERS = ("sgd", "adam", "adamw")
INITS = ("default", "kaiming")


def validate_params(params: dict) -> None:
    """Reject a bad profile before any notebook starts (called by `mlplab run` and by the notebook)."""
    from mlplab.experiment.checks import is_int
    from mlplab.fashion import lab3_checks

    c = lab3_checks(params, "depth",
                    positive=("deep_width", "deep_epochs", "arch_epochs", "vgg_width", "resnet_width", "resnext_width",
                              "cardinality", "group_width", "probe_images", "batch_size", "n_jobs", "threads"),
                    counts=("max_test", "train_images", "valid_images"))
    c.integer("deep_blocks", least=4, expected="at least 4 (6 × blocks + 1 >= 20 conv layers)")
    c.positive("deep_lr", "arch_lr")
    c.rule("cardinalities", ok=lambda v: isinstance(v, list) and all(is_int(x) and x >= 1 for x in v),
           expected="a list of positive integers")
    c.choice("optimizer", options=OPTIMIZERS)
    c.choice("init", options=INITS)
