"""Regularization variants: each differs from its reference in that one regularizer only.

Settings are the package's net keyword names (`dropout`, `weight_decay`, `batch_norm`,
`input_noise`, `early_stopping` with `valid_fraction`); each lab's builder turns them into its
estimator. Early stopping needs rows to watch: it holds out `valid_fraction` of the fit rows
(the last ones for time series, a stratified part otherwise) and keeps the same epoch cap as its
reference. Its fair reference therefore trains on the same reduced rows without stopping
(`<reference>_es_reference`), so the comparison measures stopping, not the lost rows.

Data augmentation (`input_noise`): Gaussian noise of that standard deviation added to the
standardized inputs of every training batch (never at prediction time), i.e. each epoch sees a
jittered copy of the training rows. Unlike oversampling (SMOTE), which adds synthetic minority
rows once, it perturbs every row every epoch and leaves the class balance unchanged.
"""

from __future__ import annotations

REGULARIZERS = ("dropout", "l2", "batchnorm", "noise", "early_stopping")
LABELS = {"dropout": "dropout", "l2": "L2 weight decay", "batchnorm": "batch normalization",
          "noise": "input-noise augmentation", "early_stopping": "early stopping"}
OFF = {"dropout": 0.0, "weight_decay": 0.0, "batch_norm": False, "input_noise": 0.0, "early_stopping": 0,
       "valid_fraction": 0.0}


def plain(settings: dict) -> dict:
    """`settings` with every regularizer switched off (the reference of the variants)."""
    return {**settings, **OFF}


def variants(prefix: str, settings: dict, *, reference: str, dropout: float, weight_decay: float,
             input_noise: float, patience: int, valid_fraction: float, which=REGULARIZERS) -> dict[str, dict]:
    """{f"{prefix}_{regularizer}": {"settings", "regularizer", "reference"}} for each regularizer in
    `which` on top of the plain `settings` (whose run is named `reference`), plus
    f"{prefix}_es_reference" when early stopping is included."""
    unknown = [w for w in which if w not in REGULARIZERS]
    if unknown:
        raise ValueError(f"unknown regularizer(s) {unknown}; expected from {', '.join(REGULARIZERS)}")
    base = plain(settings)
    one = {"dropout": {"dropout": float(dropout)}, "l2": {"weight_decay": float(weight_decay)},
           "batchnorm": {"batch_norm": True}, "noise": {"input_noise": float(input_noise)},
           "early_stopping": {"early_stopping": int(patience), "valid_fraction": float(valid_fraction)}}
    out = {}
    for reg in which:
        out[f"{prefix}_{reg}"] = {"settings": {**base, **one[reg]}, "regularizer": reg,
                                  "reference": f"{prefix}_es_reference" if reg == "early_stopping" else reference}
    if "early_stopping" in which:
        out[f"{prefix}_es_reference"] = {"settings": {**base, "valid_fraction": float(valid_fraction)},
                                         "regularizer": None, "reference": reference}
    return out
