"""The image classifier: the package's fast skorch net (mlplab.training) with image inputs.

`CNNClassifier` is `MLPClassifier` with three differences, nothing else: inputs are image arrays
(N × H × W or N × C × H × W, uint8 kept as uint8 so 60,000 images take 47 MB and each batch is a
view of one permuted tensor; the network converts to float32), evaluation passes run in chunks of
`PREDICT_IMAGES` images (a convolution's activations are H × W × C times larger than an MLP's), and
`lr_schedule="onecycle"` adds a per-batch one-cycle learning rate (a linear warm-up to `lr` over the
first `ONECYCLE_WARMUP` of the steps, then a cosine decay to lr / 10⁴; Smith & Topin, 2017). The
training loop, the history, the eval sets for the curves and the seeding are the MLP's.
Augmentation lives in the module (mlplab.models.cnn.BatchAugment) and acts in training mode only.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback

from mlplab.allocator import keep_freed_memory
from mlplab.models.cnn import CNN
from mlplab.training import BatchIterator, MLPClassifier

PREDICT_IMAGES = 1024
ONECYCLE = "onecycle"
ONECYCLE_WARMUP = 0.25
IMAGE_SETTINGS = ("blocks", "hidden", "batch_norm", "dropout", "conv_dropout", "head", "pool_until", "augment", "shift",
                  "erase_size", "channels_last", "optimizer", "lr", "weight_decay", "epochs", "batch_size",
                  "lr_schedule", "label_smoothing", "early_stopping", "valid_fraction")
_MODULE = ("blocks", "hidden", "batch_norm", "dropout", "conv_dropout", "head", "pool_until", "augment", "shift",
           "erase_size", "channels_last")


class OneCycle(Callback):
    """Steps torch's OneCycleLR after every training batch; the cycle spans the whole fit."""

    def __init__(self, pct_start: float = ONECYCLE_WARMUP):
        self.pct_start = pct_start

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        n = len(X) - (net._n_valid(len(X)) if net.valid_fraction > 0 else 0)
        steps = int(net.max_epochs) * max(1, math.ceil(n / int(net.batch_size)))
        self.scheduler_ = torch.optim.lr_scheduler.OneCycleLR(
            net.optimizer_, max_lr=float(net.lr), total_steps=steps, pct_start=self.pct_start,
            cycle_momentum=False, div_factor=25.0, final_div_factor=400.0)

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        s = self.scheduler_
        if training and s.last_epoch < s.total_steps - 1:
            s.step()


@contextlib.contextmanager
def _schedule(net, value):
    saved = net.lr_schedule
    net.lr_schedule = value
    try:
        yield
    finally:
        net.lr_schedule = saved


class CNNClassifier(MLPClassifier):
    """A CNN (default mlplab.models.cnn.CNN; any module taking d_in channels and d_out classes) trained
    by the package's fast loop. Parameters as MLPClassifier's; `module__*` go to the module,
    `criterion__label_smoothing` to the cross-entropy."""

    def __init__(self, module=CNN, criterion=torch.nn.CrossEntropyLoss, optimizer="sgd", lr=0.05, max_epochs=10,
                 batch_size=256, early_stopping=0, valid_fraction=0.0, lr_schedule=None, seed=0, device="cpu",
                 verbose=0, checkpoint_dir=None, class_weight=None, train_metric_rows=5_000,
                 iterator_train=BatchIterator, iterator_valid=BatchIterator, train_split=None,
                 iterator_train__shuffle=True, iterator_valid__batch_size=PREDICT_IMAGES,
                 optimizer__weight_decay=0.0, criterion__label_smoothing=0.0, **kwargs):
        NeuralNet.__init__(self, module, criterion=criterion, optimizer=optimizer, lr=lr, max_epochs=max_epochs,
                           batch_size=batch_size, iterator_train=iterator_train, iterator_valid=iterator_valid,
                           train_split=train_split, verbose=verbose, device=device,
                           iterator_train__shuffle=iterator_train__shuffle,
                           iterator_valid__batch_size=iterator_valid__batch_size,
                           optimizer__weight_decay=optimizer__weight_decay,
                           criterion__label_smoothing=criterion__label_smoothing, **kwargs)
        # the fast loop's own parameters (MLPClassifier's, except its MLP module__ defaults)
        vars(self).update(early_stopping=early_stopping, valid_fraction=valid_fraction, lr_schedule=lr_schedule,
                          seed=seed, checkpoint_dir=checkpoint_dir, class_weight=class_weight,
                          train_metric_rows=train_metric_rows)

    def _fit(self, X, y, reinitialize: bool, **fit_params):
        keep_freed_memory()  # once per process: a step's tens of MB are reused, not page-faulted in again
        return super()._fit(X, y, reinitialize, **fit_params)

    def _check_params(self) -> None:
        with _schedule(self, None if self.lr_schedule == ONECYCLE else self.lr_schedule):
            super()._check_params()

    @property
    def _default_callbacks(self):
        with _schedule(self, None if self.lr_schedule == ONECYCLE else self.lr_schedule):
            callbacks = list(super()._default_callbacks)
        if self.lr_schedule == ONECYCLE:
            callbacks.insert(1, ("lr_schedule", OneCycle()))
        return callbacks

    def _features(self, X) -> np.ndarray:
        if isinstance(X, torch.Tensor):
            X = X.detach().cpu().numpy()
        X = np.asarray(X)
        if X.ndim == 3:
            X = X[:, None]
        if X.ndim != 4:
            raise ValueError(f"X must hold images, shaped (N, H, W) or (N, C, H, W); got shape {X.shape}")
        if X.dtype != np.uint8:
            X = X.astype(np.float32, copy=False)
            if not np.isfinite(X).all():
                raise ValueError("X contains NaN or infinity")
        if not X.flags.writeable or not X.flags.c_contiguous:
            X = np.array(X, order="C")  # torch tensors must own writable, contiguous memory
        if hasattr(self, "n_features_in_") and X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} channels but the net was fitted with {self.n_features_in_}")
        return X

    @torch.no_grad()
    def _logits(self, X: torch.Tensor) -> torch.Tensor:
        self._set_training(False)
        return torch.cat([self.module_(xb) for xb in X.split(PREDICT_IMAGES)])


def cnn_kwargs(settings: dict) -> dict:
    """Readable settings (blocks, hidden, shift, flip, lr, epochs, ...) -> CNNClassifier keyword arguments.
    Unknown keys are an error (a typo in a profile must not be silently ignored)."""
    unknown = sorted(set(settings) - set(IMAGE_SETTINGS))
    if unknown:
        raise ValueError(f"unknown CNN setting(s) {unknown}; expected from {', '.join(IMAGE_SETTINGS)}")
    out = {}
    for key, value in settings.items():
        if key in _MODULE:
            if key == "blocks":
                value = tuple(tuple(int(w) for w in (b if isinstance(b, (list, tuple)) else [b])) for b in value)
            elif key == "hidden":
                value = tuple(int(h) for h in value)
            out[f"module__{key}"] = value
        elif key == "weight_decay":
            out["optimizer__weight_decay"] = float(value)
        elif key == "label_smoothing":
            out["criterion__label_smoothing"] = float(value)
        elif key == "epochs":
            out["max_epochs"] = int(value)
        elif key == "lr_schedule":
            out["lr_schedule"] = value or None
        elif key in ("batch_size", "early_stopping"):
            out[key] = int(value)
        elif key in ("lr", "valid_fraction"):
            out[key] = float(value)
        else:
            out[key] = value
    if out.get("early_stopping") and not out.get("valid_fraction"):
        out["valid_fraction"] = 0.1
    if out.get("optimizer", "sgd") == "sgd":
        out["optimizer__nesterov"] = True  # momentum 0.9 (mlplab.training), Nesterov's look-ahead form
    return out


def make_cnn(settings: dict, *, seed: int = 0, module=CNN, **extra) -> CNNClassifier:
    return CNNClassifier(module=module, seed=seed, **cnn_kwargs(settings), **extra)
