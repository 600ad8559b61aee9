"""skorch nets for the MLP with a fast batch path and per-epoch train/valid/test history.

Why not skorch's defaults: its DataLoader fetches one row at a time through a Dataset and collates
in Python, and its step records every batch in the history with a `.item()` sync. On 851k rows
that dominates the run. Here the data stay whole float32 tensors; each epoch draws one seeded
permutation and the batches are views of the permuted tensors (`BatchIterator`); the training
step is lean (no per-batch history, callbacks' batch hooks only when a callback defines them,
no per-batch `.item()`), and Adam/AdamW/SGD default to their fused implementation.
`mlplab bench` measures the difference.

History, per epoch (`history_frame`):
- `train_loss`: mean of the minibatch losses of the epoch (train mode), skorch's convention.
- `train_<metric>`: eval mode at the end of the epoch, on a fixed random subsample of at most
  `train_metric_rows` (default 50,000) training rows — cheap, and comparable with valid/test.
- `valid_*`: the last `valid_fraction` of the training rows (regressor, row order kept for
  chronological data) or a stratified random part (classifier); drives early stopping.
- `validation_*`, `test_*`: only with `fit_with_eval` (eval sets), for the plots; they never
  influence training.
Regressor losses are in standardized-target units when `scale_target=True`; classifier losses use
the class weights. Metrics: R² (regression), accuracy and macro-F1 (classification).
"""

from __future__ import annotations

import contextlib
import math
import os
import random
import tempfile
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
import torch
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_array, column_or_1d
from sklearn.utils.class_weight import compute_class_weight
from skorch import NeuralNet
from skorch.callbacks import Callback, Checkpoint, EarlyStopping, EpochTimer, LRScheduler, PrintLog

from mlplab.models import MLP

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}
FUSED_CAPABLE = (torch.optim.Adam, torch.optim.AdamW, torch.optim.SGD)
LR_SCHEDULES = (None, "cosine", "plateau")
PREDICT_BATCH = 16_384  # rows per forward pass at prediction/evaluation; speed only, same results
SGD_MOMENTUM = 0.9


def set_seed(seed: int) -> None:
    """Seed python, numpy and torch (all devices) for code outside the nets, which seed themselves."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def resolve_device(device: str | None) -> str | None:
    """"auto" means cuda when available, else cpu; anything else is passed to torch as is."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


class TensorData(torch.utils.data.Dataset):
    """Whole tensors X (float32) and y (None at prediction). Indexable for DataLoader too."""

    def __init__(self, X: torch.Tensor, y: torch.Tensor | None = None):
        self.X = X
        self.y = y

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i], (self.y[i] if self.y is not None else torch.empty(0))

    def subset(self, idx) -> TensorData:
        idx = torch.as_tensor(idx, dtype=torch.long, device=self.X.device)
        return TensorData(self.X[idx], None if self.y is None else self.y[idx])


class BatchIterator:
    """Batches as views of whole tensors, permuted once per epoch with a seeded generator.

    A trailing training batch of a single row is dropped (batch norm cannot train on one row;
    the permutation changes every epoch, so every row is still used).
    """

    def __init__(self, dataset: TensorData, batch_size: int = 256, shuffle: bool = False,
                 generator: torch.Generator | None = None):
        if not isinstance(dataset, TensorData):
            raise TypeError(f"BatchIterator needs a TensorData dataset, got {type(dataset).__name__}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.generator = generator

    def __len__(self) -> int:
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self):
        X, y = self.dataset.X, self.dataset.y
        if self.shuffle:
            perm = torch.randperm(len(X), generator=self.generator).to(X.device)
            X = X[perm]
            y = y[perm] if y is not None else None
        xs = X.split(self.batch_size)
        if self.shuffle and len(xs) > 1 and len(xs[-1]) == 1:
            xs = xs[:-1]
        ys = y.split(self.batch_size)[: len(xs)] if y is not None else [None] * len(xs)
        return zip(xs, ys)


@dataclass
class EvalSet:
    """Held-out data scored each epoch for the curves only; `pipeline` transforms it first."""

    X: Any
    y: Any
    pipeline: Any = None


class EvalSetScoring(Callback):
    """Scores each of `net.eval_sets_` (set by `fit_with_eval`) at every epoch end as <name>_*.

    The transform happens at train begin, when the pipeline's preceding steps are fitted;
    resamplers (anything with `fit_resample`) are skipped, as imblearn does at predict time.
    These scores are for the curves only: early stopping watches the net's own `valid_` slice.
    """

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self.sets_ = {}
        for name, spec in (getattr(net, "eval_sets_", None) or {}).items():
            X_eval = spec.X
            if spec.pipeline is not None:
                for _, step in spec.pipeline.steps[:-1]:
                    if step is None or (isinstance(step, str) and step == "passthrough") or hasattr(step, "fit_resample"):
                        continue
                    X_eval = step.transform(X_eval)
            self.sets_[name] = net.to_tensors(X_eval, spec.y)

    def on_epoch_end(self, net, **kwargs):
        for name, (X_t, y_t) in self.sets_.items():
            net.record_scores(name, X_t, y_t)

    def on_train_end(self, net, X=None, y=None, **kwargs):
        self.sets_ = {}


class FitCheckpoint(Checkpoint):
    """skorch Checkpoint writing into a fresh `mkdtemp` under `root` at every fit, so parallel fits
    (search workers) never overwrite each other. The directory is `net.checkpoint_path_`."""

    def __init__(self, root: str | os.PathLike, **kwargs):
        super().__init__(**kwargs)
        self.root = root

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        os.makedirs(self.root, exist_ok=True)
        self.dirname = tempfile.mkdtemp(prefix="fit-", dir=self.root)
        net.checkpoint_path_ = self.dirname

    def _format_target(self, net, f, idx):
        # The fast loop keeps no per-batch history, so file names can use {net} and {last_epoch} only.
        if isinstance(f, str):
            return os.path.join(self.dirname, self.fn_prefix + f.format(net=net, last_epoch=net.history[idx]))
        return super()._format_target(net, f, idx)


class _FastNet:
    """Shared machinery of MLPRegressor and MLPClassifier (mixed into skorch's NeuralNet)."""

    _metric_names: tuple[str, ...] = ()

    # ---- parameters -----------------------------------------------------------------------
    def _check_params(self) -> None:
        if not _is_int(self.early_stopping) or self.early_stopping < 0:
            raise ValueError(f"early_stopping must be a patience in epochs (int >= 0), got {self.early_stopping!r}")
        if isinstance(self.valid_fraction, bool) or not isinstance(self.valid_fraction, Real) \
                or not 0 <= self.valid_fraction < 1:
            raise ValueError(f"valid_fraction must be in [0, 1), got {self.valid_fraction!r}")
        if self.early_stopping > 0 and self.valid_fraction == 0:
            raise ValueError(f"early_stopping={self.early_stopping} needs a validation split: "
                             "set valid_fraction > 0 (the test set never drives early stopping)")
        if self.lr_schedule not in LR_SCHEDULES:
            raise ValueError(f"lr_schedule must be None, 'cosine' or 'plateau', got {self.lr_schedule!r}")
        if self.train_split is not None:
            raise ValueError("train_split is not used by mlplab nets: set valid_fraction instead")
        if self.seed is not None and not _is_int(self.seed):
            raise ValueError(f"seed must be an integer or None, got {self.seed!r}")
        if not _is_int(self.train_metric_rows) or self.train_metric_rows < 0:
            raise ValueError(f"train_metric_rows must be an integer >= 0, got {self.train_metric_rows!r}")
        _optimizer_class(self.optimizer)

    @property
    def _default_callbacks(self):
        has_valid = self.valid_fraction > 0
        callbacks = [("epoch_timer", EpochTimer()), ("eval_set", EvalSetScoring())]
        if self.lr_schedule == "cosine":
            callbacks.append(("lr_schedule", LRScheduler(policy=torch.optim.lr_scheduler.CosineAnnealingLR,
                                                         T_max=max(int(self.max_epochs), 1))))
        elif self.lr_schedule == "plateau":
            callbacks.append(("lr_schedule", LRScheduler(policy=torch.optim.lr_scheduler.ReduceLROnPlateau,
                                                         monitor="valid_loss" if has_valid else "train_loss")))
        if self.checkpoint_dir is not None:
            callbacks.append(("checkpoint", FitCheckpoint(
                root=self.checkpoint_dir, monitor="valid_loss_best" if has_valid else None)))
        callbacks.append(("print_log", PrintLog()))
        if self.early_stopping > 0:
            callbacks.append(("early_stopping", EarlyStopping(monitor="valid_loss", patience=self.early_stopping,
                                                              load_best=True)))
        return callbacks

    # ---- device ---------------------------------------------------------------------------
    # `device` is a constructor parameter and keeps its value ("auto" included: scikit-learn's
    # contract, so clones and grids see what the user set); the fitted `device_` is what it resolved
    # to. skorch reads `self.device` directly in a few places (moving modules, `infer`, loading
    # state), so those run inside `_on_device`, which shows them the resolved value for the call.
    def _device(self) -> str | None:
        return getattr(self, "device_", None) or resolve_device(self.device)

    @contextlib.contextmanager
    def _on_device(self):
        requested = self.device
        self.device = self.device_ = self._device() if requested == "auto" else requested
        try:
            yield
        finally:
            self.device_ = self.device  # skorch may fall back (cuda state loaded without cuda)
            self.device = requested

    # ---- initialization -------------------------------------------------------------------
    def initialize(self):
        self.device_ = resolve_device(self.device)
        with self._on_device():
            return super().initialize()

    def _initialize_module(self, reason=None):
        with self._on_device():
            return super()._initialize_module(reason=reason)

    def _initialize_criterion(self, reason=None):
        with self._on_device():
            return super()._initialize_criterion(reason=reason)

    def infer(self, x, **fit_params):
        with self._on_device():
            return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        with self._on_device():
            return super().get_loss(y_pred, y_true, X=X, training=training)

    def load_params(self, *args, **kwargs):
        with self._on_device():
            return super().load_params(*args, **kwargs)

    def __setstate__(self, state):
        # skorch maps tensors with torch.device(state["device"]), which rejects "auto": give it the
        # resolved device (fitted nets keep theirs in device_), then restore the parameter as given.
        requested = state.get("device")
        state["device"] = state.get("device_") or resolve_device(requested)
        super().__setstate__(state)
        if "device_" in state:
            self.device_ = self.device
        self.device = requested

    def initialize_module(self):
        kwargs = self.get_params_for("module")
        kwargs.update(d_in=self.n_features_in_, d_out=self._d_out())
        self.module_ = self.initialized_instance(self.module, kwargs)
        return self

    def initialize_optimizer(self, triggered_directly=None):
        args, kwargs = self.get_params_for_optimizer("optimizer", self.get_all_learnable_params())
        cls = _optimizer_class(self.optimizer)
        if cls is torch.optim.SGD:
            kwargs.setdefault("momentum", SGD_MOMENTUM)
        if (cls in FUSED_CAPABLE and "foreach" not in kwargs and "fused" not in kwargs
                and torch.device(self._device()).type in ("cpu", "cuda")):
            # One fused kernel per step instead of a loop over parameter tensors: the optimizer
            # step is the largest per-batch cost at small batches (see bench/README.md).
            kwargs["fused"] = True
        self.optimizer_ = cls(*args, **kwargs)
        return self

    # ---- data -----------------------------------------------------------------------------
    def _features(self, X) -> np.ndarray:
        if isinstance(X, torch.Tensor):
            X = X.detach().cpu().numpy()
        X = check_array(X, dtype=np.float32, input_name="X")
        if not X.flags.writeable:
            X = X.copy()  # torch tensors must own writable memory
        if hasattr(self, "n_features_in_") and X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features but the net was fitted with {self.n_features_in_}")
        return X

    def _target_array(self, y) -> np.ndarray:
        """The targets as this net trains on them: 1-D (multi-output nets, e.g. the sequence models of
        mlplab.models.sequence, override it)."""
        return column_or_1d(y, warn=True)

    def to_tensors(self, X, y=None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Features and (encoded) targets as tensors on the net's device, with the fitted encoders."""
        X_t = torch.from_numpy(self._features(X)).to(self._device())
        if y is None:
            return X_t, None
        y = self._target_array(y)
        if len(y) != len(X_t):
            raise ValueError(f"X has {len(X_t)} rows but y has {len(y)}")
        return X_t, self._target_tensor(self._target_codes(y, fit=False)).to(self._device())

    def get_dataset(self, X, y=None):
        if isinstance(X, TensorData):
            return X
        if isinstance(X, torch.Tensor) and (y is None or isinstance(y, torch.Tensor)):
            device = self._device()
            return TensorData(X.to(device), None if y is None else y.to(device))
        return TensorData(*self.to_tensors(X, y))

    def get_split_datasets(self, X, y=None, **fit_params):
        dataset = self.get_dataset(X, y)
        if self.valid_fraction == 0:
            return dataset, None
        train_idx, valid_idx = self._split_rows(dataset.y.cpu().numpy())
        return dataset.subset(train_idx), dataset.subset(valid_idx)

    def get_iterator(self, dataset, training=False):
        kwargs = self.get_params_for("iterator_train" if training else "iterator_valid")
        iterator = self.iterator_train if training else self.iterator_valid
        kwargs.setdefault("batch_size", self.batch_size if training else max(self.batch_size, PREDICT_BATCH))
        if kwargs["batch_size"] == -1:
            kwargs["batch_size"] = len(dataset)
        if training and kwargs.get("shuffle"):
            kwargs.setdefault("generator", getattr(self, "generator_", None))
        return iterator(dataset, **kwargs)

    def _n_valid(self, n: int) -> int:
        n_valid = math.ceil(n * self.valid_fraction)
        if n - n_valid < 1:
            raise ValueError(f"valid_fraction={self.valid_fraction} leaves no training rows out of {n}")
        return n_valid

    # ---- fitting --------------------------------------------------------------------------
    def fit(self, X, y, **fit_params):
        return self._fit(X, y, reinitialize=not (self.warm_start and self.initialized_), **fit_params)

    def partial_fit(self, X, y, classes=None, **fit_params):
        return self._fit(X, y, reinitialize=not self.initialized_, **fit_params)

    def _fit(self, X, y, reinitialize: bool, **fit_params):
        if fit_params:
            raise ValueError(f"fit parameters are not supported by {type(self).__name__}: {sorted(fit_params)}")
        self._check_params()
        if reinitialize and hasattr(self, "n_features_in_"):
            del self.n_features_in_
        X = self._features(X)
        y = self._target_array(y)
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
        codes = self._target_codes(y, fit=reinitialize)
        if reinitialize:
            train_idx = self._split_rows(codes)[0] if self.valid_fraction > 0 else slice(None)
            self._fit_target(codes[train_idx])
            self.n_features_in_ = X.shape[1]
        device = resolve_device(self.device)
        with _torch_rng(self.seed, device):
            self.generator_ = torch.Generator()
            if self.seed is None:
                self.generator_.seed()
            else:
                self.generator_.manual_seed(int(self.seed))
            if reinitialize:
                self.initialize()
            NeuralNet.partial_fit(self, torch.from_numpy(X), self._target_tensor(codes))
        self.generator_ = None
        return self

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        """Training: the lean loop. Validation: one scoring pass over the whole valid set."""
        if training:
            self._train_epoch(iterator)
            if self.train_metric_rows > 0:
                X_m, y_m = self._metric_subsample(iterator.dataset)
                self.record_scores("train", X_m, y_m, loss=False)
        elif iterator is not None:
            self.record_scores("valid", iterator.dataset.X, iterator.dataset.y)

    def _train_epoch(self, iterator) -> None:
        self._set_training(True)
        module, criterion, optimizer = self.module_, self.criterion_, self.optimizer_
        cbs = [cb for _, cb in self.callbacks_]
        begin = [cb for cb in cbs if _overrides(cb, "on_batch_begin")]
        grad = [cb for cb in cbs if _overrides(cb, "on_grad_computed")]
        end = [cb for cb in cbs if _overrides(cb, "on_batch_end")]
        losses, sizes = [], []
        for batch in iterator:
            Xb, yb = batch
            for cb in begin:
                cb.on_batch_begin(self, batch=batch, training=True)
            optimizer.zero_grad(set_to_none=True)
            y_pred = module(Xb)
            loss = criterion(y_pred, yb)
            loss.backward()
            if grad:
                named = list(self.get_all_learnable_params())
                for cb in grad:
                    cb.on_grad_computed(self, named_parameters=iter(named), batch=batch, training=True)
            optimizer.step()
            losses.append(loss.detach())
            sizes.append(len(Xb))
            for cb in end:
                cb.on_batch_end(self, batch=batch, training=True, loss=loss, y_pred=y_pred)
        if not losses:
            raise ValueError("the training split is empty: nothing to fit")
        weights = torch.tensor(sizes, dtype=torch.float64)
        mean_loss = float((torch.stack(losses).double().cpu() * weights).sum() / weights.sum())
        self.history.record("train_loss", mean_loss)
        self.history.record("train_batch_count", len(losses))
        self._record_best("train_loss", mean_loss)

    def _metric_subsample(self, dataset: TensorData):
        n = len(dataset)
        if n <= self.train_metric_rows:
            return dataset.X, dataset.y
        if getattr(self, "_metric_rows_", None) is None or len(self._metric_rows_) != self.train_metric_rows:
            rng = np.random.default_rng(self.seed)
            self._metric_rows_ = torch.as_tensor(np.sort(rng.choice(n, self.train_metric_rows, replace=False)))
        idx = self._metric_rows_.to(dataset.X.device)
        return dataset.X[idx], dataset.y[idx]

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self._metric_rows_ = None

    @torch.no_grad()
    def _logits(self, X: torch.Tensor) -> torch.Tensor:
        self._set_training(False)
        return torch.cat([self.module_(xb) for xb in X.split(PREDICT_BATCH)])

    def record_scores(self, prefix: str, X: torch.Tensor, y: torch.Tensor, loss: bool = True) -> dict:
        """Eval-mode loss and metrics of (X, y) into this epoch's history as <prefix>_<name>."""
        out = self._logits(X)
        scores = {}
        if loss:
            with torch.no_grad():
                scores["loss"] = float(self.criterion_(out, y))
        scores.update(self._metrics(out, y))
        for name, value in scores.items():
            self.history.record(f"{prefix}_{name}", value)
        if loss and prefix == "valid":
            self._record_best("valid_loss", scores["loss"])
        return scores

    def _record_best(self, key: str, value: float) -> None:
        previous = [row[key] for row in self.history[:-1] if key in row]
        self.history.record(f"{key}_best", bool(not previous or value < min(previous)))

    # ---- prediction -----------------------------------------------------------------------
    def _forward_numpy(self, X) -> np.ndarray:
        return self.forward(X, training=False).numpy()


class MLPRegressor(_FastNet, RegressorMixin, NeuralNet):
    """MLP regressor: y is 1-D; with `scale_target` the net learns the standardized target
    (mean/std of the training part) and predicts in the original units."""

    _metric_names = ("r2",)

    def __init__(self, module=MLP, criterion=torch.nn.MSELoss, optimizer="adam", lr=1e-3, max_epochs=50,
                 batch_size=256, early_stopping=0, valid_fraction=0.0, lr_schedule=None, scale_target=True,
                 seed=0, device="cpu", verbose=0, checkpoint_dir=None, train_metric_rows=50_000,
                 iterator_train=BatchIterator, iterator_valid=BatchIterator, train_split=None,
                 module__hidden=(64, 32), module__activation="relu", module__dropout=0.0,
                 module__batch_norm=False, module__embedding=None, optimizer__weight_decay=0.0,
                 iterator_train__shuffle=True, **kwargs):
        super().__init__(module, criterion=criterion, optimizer=optimizer, lr=lr, max_epochs=max_epochs,
                         batch_size=batch_size, iterator_train=iterator_train, iterator_valid=iterator_valid,
                         train_split=train_split, verbose=verbose, device=device,
                         module__hidden=module__hidden, module__activation=module__activation,
                         module__dropout=module__dropout, module__batch_norm=module__batch_norm,
                         module__embedding=module__embedding, optimizer__weight_decay=optimizer__weight_decay,
                         iterator_train__shuffle=iterator_train__shuffle, **kwargs)
        self.early_stopping = early_stopping
        self.valid_fraction = valid_fraction
        self.lr_schedule = lr_schedule
        self.scale_target = scale_target
        self.seed = seed
        self.checkpoint_dir = checkpoint_dir
        self.train_metric_rows = train_metric_rows

    def _d_out(self) -> int:
        return 1

    def _target_codes(self, y, fit: bool) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64)
        if not np.isfinite(y).all():
            raise ValueError("y contains NaN or infinity")
        return y

    def _fit_target(self, y_train: np.ndarray) -> None:
        if self.scale_target:
            self.target_mean_ = float(np.mean(y_train))
            std = float(np.std(y_train))
            self.target_scale_ = std if std > 0 else 1.0
        else:
            self.target_mean_, self.target_scale_ = 0.0, 1.0

    def _target_tensor(self, y: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(((y - self.target_mean_) / self.target_scale_).astype(np.float32)).reshape(-1, 1)

    def _split_rows(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The last fraction in row order: chronological data stay chronological."""
        n = len(y)
        cut = n - self._n_valid(n)
        return np.arange(cut), np.arange(cut, n)

    def _metrics(self, out: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        return {"r2": r2(y, out)}

    def predict(self, X) -> np.ndarray:
        return self._forward_numpy(X).ravel().astype(np.float64) * self.target_scale_ + self.target_mean_


class MLPClassifier(_FastNet, ClassifierMixin, NeuralNet):
    """MLP classifier on arbitrary labels (encoded internally; `classes_` in sorted order).

    `class_weight`: None, "balanced" (computed on the training part) or {label: weight}
    (missing labels weigh 1); they weight the cross-entropy.
    """

    _metric_names = ("accuracy", "macro_f1")

    def __init__(self, module=MLP, criterion=torch.nn.CrossEntropyLoss, optimizer="adam", lr=1e-3, max_epochs=50,
                 batch_size=256, early_stopping=0, valid_fraction=0.0, lr_schedule=None, scale_target=True,
                 seed=0, device="cpu", verbose=0, checkpoint_dir=None, class_weight=None, train_metric_rows=50_000,
                 iterator_train=BatchIterator, iterator_valid=BatchIterator, train_split=None,
                 module__hidden=(64, 32), module__activation="relu", module__dropout=0.0,
                 module__batch_norm=False, module__embedding=None, optimizer__weight_decay=0.0,
                 iterator_train__shuffle=True, **kwargs):
        super().__init__(module, criterion=criterion, optimizer=optimizer, lr=lr, max_epochs=max_epochs,
                         batch_size=batch_size, iterator_train=iterator_train, iterator_valid=iterator_valid,
                         train_split=train_split, verbose=verbose, device=device,
                         module__hidden=module__hidden, module__activation=module__activation,
                         module__dropout=module__dropout, module__batch_norm=module__batch_norm,
                         module__embedding=module__embedding, optimizer__weight_decay=optimizer__weight_decay,
                         iterator_train__shuffle=iterator_train__shuffle, **kwargs)
        self.early_stopping = early_stopping
        self.valid_fraction = valid_fraction
        self.lr_schedule = lr_schedule
        self.scale_target = scale_target  # accepted for a uniform signature; labels are not scaled
        self.seed = seed
        self.checkpoint_dir = checkpoint_dir
        self.class_weight = class_weight
        self.train_metric_rows = train_metric_rows

    def _check_params(self) -> None:
        super()._check_params()
        cw = self.class_weight
        if not (cw is None or (isinstance(cw, str) and cw == "balanced") or isinstance(cw, dict)):
            raise ValueError(f"class_weight must be None, 'balanced' or a dict label -> weight, got {cw!r}")

    def _d_out(self) -> int:
        return len(self.classes_)

    def _target_codes(self, y, fit: bool) -> np.ndarray:
        if fit:
            self.label_encoder_ = LabelEncoder().fit(y)
            self.classes_ = self.label_encoder_.classes_
            if len(self.classes_) < 2:
                raise ValueError(f"y has a single class {self.classes_.tolist()}: need at least 2 to classify")
        return self.label_encoder_.transform(y)

    def _fit_target(self, codes_train: np.ndarray) -> None:
        weights = np.ones(len(self.classes_))
        if isinstance(self.class_weight, dict):
            unknown = set(self.class_weight) - set(self.classes_.tolist())
            if unknown:
                raise ValueError(f"class_weight has labels not in y: {sorted(map(str, unknown))}")
            weights = compute_class_weight(self.class_weight, classes=self.classes_,
                                           y=self.classes_[codes_train])
        elif self.class_weight == "balanced":
            present = np.unique(codes_train)
            weights[present] = compute_class_weight("balanced", classes=present, y=codes_train)
        self.class_weight_ = weights.astype(np.float32)

    def initialize_criterion(self):
        kwargs = self.get_params_for("criterion")
        kwargs.setdefault("weight", torch.as_tensor(self.class_weight_))
        self.criterion_ = self.initialized_instance(self.criterion, kwargs)
        return self

    def _target_tensor(self, codes: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.asarray(codes, dtype=np.int64))

    def _split_rows(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Random and stratified when every class has 2+ rows and fits in both parts, else random."""
        n = len(codes)
        n_valid = self._n_valid(n)
        counts = np.bincount(codes)
        counts = counts[counts > 0]
        stratify = codes if counts.min() >= 2 and min(n_valid, n - n_valid) >= len(counts) else None
        train_idx, valid_idx = train_test_split(np.arange(n), test_size=n_valid, stratify=stratify,
                                                random_state=self.seed)
        return np.sort(train_idx), np.sort(valid_idx)

    def _metrics(self, out: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        return accuracy_macro_f1(y, out.argmax(dim=1), len(self.classes_))

    def predict_proba(self, X) -> np.ndarray:
        return torch.softmax(torch.from_numpy(self._forward_numpy(X)), dim=1).numpy()

    def predict(self, X) -> np.ndarray:
        return self.classes_[self._forward_numpy(X).argmax(axis=1)]


def fit_with_eval(model, X, y, X_eval=None, y_eval=None, *, eval_sets: dict | None = None):
    """Fit `model` (a net, or a Pipeline ending in one) recording loss/metrics per epoch on held-out
    rows for the curves: `eval_sets={"validation": (X, y), "test": (X, y)}`, or (X_eval, y_eval) as
    "test". These rows never influence training, early stopping or selection."""
    if (X_eval is None) != (y_eval is None):
        raise ValueError("give both X_eval and y_eval, or neither")
    sets = dict(eval_sets or {})
    if X_eval is not None:
        sets["test"] = (X_eval, y_eval)
    bad = [n for n in sets if n in ("train", "valid")]
    if bad:
        raise ValueError(f"eval set names {bad} clash with the net's own train_/valid_ history columns")
    net = _final_net(model)
    pipeline = model if net is not model else None
    net.eval_sets_ = {name: EvalSet(Xe, ye, pipeline) for name, (Xe, ye) in sets.items()}
    try:
        model.fit(X, y)
    finally:
        net.eval_sets_ = None
    return model


HISTORY_SPLITS = ("train", "valid", "validation", "test")


def history_frame(model) -> pd.DataFrame:
    """Per-epoch history of a fitted net (or Pipeline ending in one), NaN where absent.

    Splits: train, valid (the net's own early-stopping slice), validation and test (eval sets)."""
    net = _final_net(model)
    if not getattr(net, "initialized_", False) or net.history is None:
        raise ValueError(f"{type(net).__name__} is not fitted: no history")
    metrics = [f"{split}_{m}" for split in HISTORY_SPLITS for m in net._metric_names]
    losses = [f"{split}_loss" for split in HISTORY_SPLITS]
    columns = ["epoch", *losses, *metrics, "dur"]
    frame = pd.DataFrame([{c: row.get(c, np.nan) for c in columns} for row in net.history], columns=columns)
    frame = frame.astype({c: float for c in columns if c != "epoch"})
    return frame.astype({"epoch": int})


def r2(y_true: torch.Tensor, y_pred: torch.Tensor) -> float:
    """R², as sklearn's r2_score, in torch: the sklearn call costs milliseconds of argument checks,
    paid per split per epoch; this costs microseconds."""
    y_true, y_pred = y_true.double().ravel(), y_pred.double().ravel()
    sst = float(((y_true - y_true.mean()) ** 2).sum())
    sse = float(((y_true - y_pred) ** 2).sum())
    if sst == 0:
        return 1.0 if sse == 0 else 0.0
    return 1 - sse / sst


def accuracy_macro_f1(y_true: torch.Tensor, y_pred: torch.Tensor, n_classes: int) -> dict[str, float]:
    """Accuracy and macro-F1 over the classes present in y_true (as mlplab.metrics does), from one
    confusion-matrix bincount; matches sklearn, at a fraction of its per-call cost."""
    cm = torch.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes).reshape(n_classes, n_classes)
    cm = cm.double()
    tp = cm.diagonal()
    support, predicted = cm.sum(dim=1), cm.sum(dim=0)
    denom = support + predicted
    f1 = torch.where(denom > 0, 2 * tp / denom.clamp(min=1), torch.zeros_like(tp))
    return {"accuracy": float(tp.sum() / cm.sum()), "macro_f1": float(f1[support > 0].mean())}


def _final_net(model):
    net = model.steps[-1][1] if hasattr(model, "steps") else model
    if not isinstance(net, _FastNet):
        raise TypeError(f"expected an MLPRegressor/MLPClassifier or a Pipeline ending in one, "
                        f"got {type(net).__name__}")
    return net


def _optimizer_class(optimizer):
    if isinstance(optimizer, str):
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)} or a torch optimizer class, "
                             f"got {optimizer!r}")
        return OPTIMIZERS[optimizer]
    if isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer):
        if issubclass(optimizer, torch.optim.LBFGS):
            raise ValueError("LBFGS needs a closure per step, which the fast training loop does not provide")
        return optimizer
    raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)} or a torch optimizer class, "
                     f"got {optimizer!r}")


def _is_int(value) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def _overrides(callback, method: str) -> bool:
    return getattr(type(callback), method) is not getattr(Callback, method)


@contextlib.contextmanager
def _torch_rng(seed, device):
    """Seed torch's global RNG (init, dropout) from `seed` without leaking that state to the caller."""
    if seed is None:
        yield
        return
    cuda = [torch.device(device).index or 0] if device and str(device).startswith("cuda") else []
    with torch.random.fork_rng(devices=cuda):
        torch.manual_seed(int(seed))
        yield


# ---- one settings vocabulary for every lab's MLP ---------------------------------------------------
NET_SETTINGS = ("hidden", "activation", "dropout", "batch_norm", "input_noise", "embedding", "optimizer", "lr",
                "weight_decay", "epochs", "batch_size", "lr_schedule", "early_stopping", "valid_fraction")


def net_kwargs(settings: dict) -> dict:
    """Readable settings (hidden, lr, epochs, dropout, ...) -> the nets' skorch keyword arguments.

    Unknown keys are an error (a typo in a profile must not be silently ignored). Early stopping
    without a validation fraction holds out 10 % of the fit rows."""
    unknown = sorted(set(settings) - set(NET_SETTINGS))
    if unknown:
        raise ValueError(f"unknown net setting(s) {unknown}; expected from {', '.join(NET_SETTINGS)}")
    s = dict(settings)
    out = {}
    routes = {"hidden": "module__hidden", "activation": "module__activation", "dropout": "module__dropout",
              "batch_norm": "module__batch_norm", "input_noise": "module__input_noise",
              "embedding": "module__embedding", "optimizer": "optimizer", "lr": "lr",
              "weight_decay": "optimizer__weight_decay", "epochs": "max_epochs", "batch_size": "batch_size",
              "lr_schedule": "lr_schedule", "early_stopping": "early_stopping", "valid_fraction": "valid_fraction"}
    for key, value in s.items():
        if key == "hidden":
            value = tuple(int(h) for h in value)
        elif key == "dropout" and isinstance(value, list):
            value = tuple(float(d) for d in value)
        elif key in ("epochs", "batch_size", "early_stopping"):
            value = int(value)
        elif key in ("lr", "weight_decay", "input_noise", "valid_fraction") and value is not None:
            value = float(value)
        elif key == "lr_schedule":
            value = value or None
        elif key == "batch_norm":
            value = bool(value)
        out[routes[key]] = value
    if out.get("early_stopping") and not out.get("valid_fraction"):
        out["valid_fraction"] = 0.1
    return out
