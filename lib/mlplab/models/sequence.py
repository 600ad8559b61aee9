"""Sequence models of Lab 4: a 1-D convolutional autoencoder and recurrent (LSTM/GRU) forecasters,
with the skorch net that trains them on whole tensors (mlplab.training's fast loop).

- `ConvAutoencoder`: the experiments' write-up architecture. Encoder: Conv1d 1 → 16 → 8 channels
  (kernel 7, stride 2, ReLU after each); decoder: ConvTranspose1d 8 → 16 (ReLU) → 1. A window of
  L values is squeezed to 8 channels of L/4 and rebuilt; L must be a multiple of 4 so the output has
  the input's length. With stride 2 that code holds twice as many numbers as the window; `stride=4`
  (L a multiple of 16) squeezes it to 8 × L/16, half the window, a real bottleneck.
- `RecurrentForecaster`: an LSTM or GRU encoder over the input window (one or more layers,
  optionally bidirectional), ReLU and dropout on its final state, then one linear layer to every
  output (features × horizons) at once. `centring` optionally subtracts a per-feature reference (the
  window's last value or its mean) from the inputs and adds it back to the outputs, so the network
  learns the change from that reference instead of the level. `skip` adds a linear map of the whole
  (centred) window straight to the outputs beside the recurrent path (the "highway" of LSTNet, Lai et
  al. 2018): the network is then a linear autoregression plus a recurrent correction.
- `MaskedMSELoss`: mean squared error over the observed targets only (NaN marks a target that was
  not measured, so a filled value is never learned or scored).
- `SequenceRegressor`: mlplab.training.MLPRegressor for inputs of shape (n, steps) or
  (n, steps, features) and targets of shape (n, outputs) that may hold NaN.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import torch
from torch import nn

from mlplab.models.mlp import ACTIVATIONS
from mlplab.training import MLPRegressor

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU}
CENTRINGS = ("none", "last", "mean")
AE_KERNEL = 7


def _check_common(activation, dropout, batch_norm, embedding) -> None:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
    if isinstance(dropout, bool) or not isinstance(dropout, Real) or not 0 <= dropout < 1:
        raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
    if batch_norm:
        raise ValueError("batch_norm is not available for the sequence models")
    if embedding is not None:
        raise ValueError("embedding is not available for the sequence models")


def _widths(hidden, what: str) -> tuple[int, ...]:
    widths = tuple(hidden) if isinstance(hidden, (list, tuple)) else (hidden,)
    if not widths or not all(isinstance(h, Integral) and not isinstance(h, bool) and h > 0 for h in widths):
        raise ValueError(f"hidden must be a non-empty sequence of positive {what}, got {hidden!r}")
    return tuple(int(h) for h in widths)


class ConvAutoencoder(nn.Module):
    """Reconstruct a window of `d_in` values (input (n, d_in), output (n, d_in)).

    `hidden` = channels of the two encoder convolutions (16, 8); the decoder mirrors them."""

    def __init__(self, d_in: int, d_out: int, hidden=(16, 8), activation: str = "relu", dropout: float = 0.0,
                 batch_norm: bool = False, embedding=None, kernel_size: int = AE_KERNEL, stride: int = 2):
        super().__init__()
        _check_common(activation, dropout, batch_norm, embedding)
        channels = _widths(hidden, "channel counts")
        if len(channels) != 2:
            raise ValueError(f"hidden must give the two encoder channel counts (e.g. (16, 8)), got {hidden!r}")
        if d_out != d_in:
            raise ValueError(f"an autoencoder reconstructs its input: d_out ({d_out}) must equal d_in ({d_in})")
        if isinstance(stride, bool) or not isinstance(stride, Integral) or not 1 <= stride <= 8:
            raise ValueError(f"stride must be an integer from 1 to 8, got {stride!r}")
        if d_in < stride ** 2 or d_in % stride ** 2:
            raise ValueError(f"window length must be a positive multiple of {stride ** 2} (two stride-{stride} "
                             f"layers), got {d_in}")
        if not isinstance(kernel_size, Integral) or kernel_size < stride or kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be an odd integer of at least the stride ({stride}), got {kernel_size!r}")
        act, pad, out_pad = ACTIVATIONS[activation], kernel_size // 2, stride - 1  # output = stride × input
        c1, c2 = channels
        self.encoder = nn.Sequential(
            nn.Conv1d(1, c1, kernel_size, stride=stride, padding=pad), act(), nn.Dropout(dropout),
            nn.Conv1d(c1, c2, kernel_size, stride=stride, padding=pad), act())
        self.decoder = nn.Sequential(
            nn.ConvTranspose1d(c2, c1, kernel_size, stride=stride, padding=pad, output_padding=out_pad), act(),
            nn.Dropout(dropout),
            nn.ConvTranspose1d(c1, 1, kernel_size, stride=stride, padding=pad, output_padding=out_pad))
        self.window = int(d_in)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x.unsqueeze(1))).squeeze(1)


class RecurrentForecaster(nn.Module):
    """Input (n, steps, d_in) → output (n, d_out), d_out = horizons × d_in when centring is used.

    `hidden` = width of each recurrent layer (64,) is the write-up's single 64-unit layer; dropout
    acts between stacked layers and before the output layer."""

    def __init__(self, d_in: int, d_out: int, hidden=(64,), activation: str = "relu", dropout: float = 0.0,
                 batch_norm: bool = False, embedding=None, cell: str = "lstm", bidirectional: bool = False,
                 centring: str = "none", skip: bool = False, steps: int = 0):
        super().__init__()
        _check_common(activation, dropout, batch_norm, embedding)
        widths = _widths(hidden, "layer widths")
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {', '.join(CELLS)}, got {cell!r}")
        if centring not in CENTRINGS:
            raise ValueError(f"centring must be one of {', '.join(CENTRINGS)}, got {centring!r}")
        if centring != "none" and d_out % d_in:
            raise ValueError(f"centring adds each input feature back to its outputs: d_out ({d_out}) must be a "
                             f"multiple of d_in ({d_in})")
        if skip and (not isinstance(steps, Integral) or steps < 1):
            raise ValueError(f"skip needs the window length (steps >= 1), got steps={steps!r}")
        dirs = 2 if bidirectional else 1
        self.layers = nn.ModuleList()
        width_in = d_in
        for w in widths:
            self.layers.append(CELLS[cell](width_in, w, batch_first=True, bidirectional=bool(bidirectional)))
            width_in = w * dirs
        self.between = nn.Dropout(dropout)
        self.act = ACTIVATIONS[activation]()
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(width_in, d_out)
        self.skip = nn.Linear(int(steps) * d_in, d_out) if skip else None
        self.centring, self.dirs = centring, dirs
        self.repeats = d_out // d_in

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.centring == "last":
            ref = x[:, -1, :]
        elif self.centring == "mean":
            ref = x.mean(dim=1)
        else:
            ref = None
        h = x if ref is None else x - ref.unsqueeze(1)
        final = None
        for i, layer in enumerate(self.layers):
            if i:
                h = self.between(h)
            h, state = layer(h)
            final = state[0] if isinstance(state, tuple) else state  # (dirs, n, width): last step each way
        out = self.head(self.drop(self.act(torch.cat(list(final), dim=1))))
        if self.skip is not None:
            out = out + self.skip((x if ref is None else x - ref.unsqueeze(1)).flatten(1))
        return out if ref is None else out + ref.repeat(1, self.repeats)


class MaskedMSELoss(nn.Module):
    """Mean squared error over the finite targets only (NaN = not observed)."""

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        mask = torch.isfinite(target)
        diff = torch.where(mask, pred - torch.nan_to_num(target), torch.zeros_like(pred))
        return (diff ** 2).sum() / mask.sum().clamp(min=1)


def masked_r2(y_true: torch.Tensor, y_pred: torch.Tensor) -> float:
    """Mean over output columns of R² on each column's observed (finite) targets."""
    y, p = y_true.double(), y_pred.double()
    mask = torch.isfinite(y)
    y0 = torch.where(mask, y, torch.zeros_like(y))
    n = mask.sum(dim=0).clamp(min=1)
    centred = torch.where(mask, y0 - y0.sum(dim=0) / n, torch.zeros_like(y))
    sst = (centred ** 2).sum(dim=0)
    sse = (torch.where(mask, y0 - p, torch.zeros_like(y)) ** 2).sum(dim=0)
    ok = sst > 0
    return float((1 - sse[ok] / sst[ok]).mean()) if bool(ok.any()) else 0.0


class SequenceRegressor(MLPRegressor):
    """The package's fast skorch regressor for windows: X (n, steps) or (n, steps, features), float and
    finite; y (n, outputs) (1-D is one output), NaN where a target was not observed. The loss and the
    per-epoch R² use observed targets only. `module__hidden` etc. route to the module as for the MLP;
    with `scale_target` each output column is standardized on the observed training targets.
    """

    def __init__(self, module=RecurrentForecaster, criterion=MaskedMSELoss, scale_target=False,
                 module__hidden=(64,), **kwargs):
        super().__init__(module=module, criterion=criterion, scale_target=scale_target,
                         module__hidden=module__hidden, **kwargs)

    # ---- inputs ---------------------------------------------------------------------------
    def _features(self, X) -> np.ndarray:
        if isinstance(X, torch.Tensor):
            X = X.detach().cpu().numpy()
        X = np.array(X, dtype=np.float32, copy=True)
        if X.ndim not in (2, 3) or len(X) == 0:
            raise ValueError(f"X must be a non-empty (n, steps) or (n, steps, features) array, got shape {X.shape}")
        if not np.isfinite(X).all():
            raise ValueError("X contains NaN or infinity: fill missing inputs before windowing")
        if not hasattr(self, "n_features_in_"):  # fitting from scratch: remember the window shape
            self.input_shape_ = tuple(X.shape[1:])
        elif tuple(X.shape[1:]) != tuple(self.input_shape_):
            raise ValueError(f"X has windows of shape {X.shape[1:]} but the net was fitted on {self.input_shape_}")
        return X

    # ---- targets --------------------------------------------------------------------------
    def _target_array(self, y) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64)
        if y.ndim == 1:
            y = y[:, None]
        if y.ndim != 2:
            raise ValueError(f"y must be (n,) or (n, outputs), got shape {y.shape}")
        return y

    def _target_codes(self, y, fit: bool) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64)
        if np.isinf(y).any():
            raise ValueError("y contains infinity (use NaN for a target that was not observed)")
        return y

    def _fit_target(self, y_train: np.ndarray) -> None:
        observed = np.isfinite(y_train)
        if not observed.any(axis=0).all():
            empty = np.flatnonzero(~observed.any(axis=0)).tolist()
            raise ValueError(f"target column(s) {empty} have no observed value in the training rows")
        self.n_outputs_ = y_train.shape[1]
        if self.scale_target:
            self.target_mean_ = np.nanmean(y_train, axis=0)
            std = np.nanstd(y_train, axis=0)
            self.target_scale_ = np.where(std > 0, std, 1.0)
        else:
            self.target_mean_, self.target_scale_ = np.zeros(self.n_outputs_), np.ones(self.n_outputs_)

    def _target_tensor(self, y: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(((y - self.target_mean_) / self.target_scale_).astype(np.float32))

    def _d_out(self) -> int:
        return self.n_outputs_

    def initialize_module(self):
        kwargs = self.get_params_for("module")
        kwargs.update(d_in=int(self.input_shape_[-1]), d_out=self._d_out())
        if len(self.input_shape_) == 2:  # (steps, features): the recurrent models may need the window length
            kwargs.setdefault("steps", int(self.input_shape_[0]))
        self.module_ = self.initialized_instance(self.module, kwargs)
        return self

    def _metrics(self, out: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        return {"r2": masked_r2(y, out)}

    def predict(self, X) -> np.ndarray:
        return self._forward_numpy(X).astype(np.float64) * self.target_scale_ + self.target_mean_


def n_parameters(module: nn.Module) -> int:
    return int(sum(p.numel() for p in module.parameters()))
