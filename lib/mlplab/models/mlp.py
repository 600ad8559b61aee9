"""The MLP used for both tasks: configurable depth, width, activation, dropout, batch norm, and an
optional periodic embedding of the numerical inputs.

Arguments are checked here, once, so a bad grid fails with a message naming the parameter instead
of an obscure shape error deep inside torch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real

import torch
from torch import nn

ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh, "leaky_relu": nn.LeakyReLU}
INPLACE = ("relu", "leaky_relu")
EMBEDDINGS = (None, "periodic")


class _InputLinearFunction(torch.autograd.Function):
    """y = x Wᵀ + b, with the weight gradient computed as (xᵀ g)ᵀ instead of autograd's gᵀ x."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        return torch.addmm(bias, x, weight.t()) if bias is not None else x.mm(weight.t())

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        grad_x = grad.mm(weight) if ctx.needs_input_grad[0] else None
        grad_w = x.t().mm(grad).t() if ctx.needs_input_grad[1] else None
        grad_b = grad.sum(0) if ctx.has_bias and ctx.needs_input_grad[2] else None
        return grad_x, grad_w, grad_b


class InputLinear(nn.Linear):
    """nn.Linear for the first layer, whose input width is the raw feature count (4 for NYSE, 13 for
    the maintenance data): the same values, a faster backward.

    Why: the weight gradient is a product over the batch rows. For an input width that is not a
    multiple of 16, the CPU BLAS of the torch wheel computes autograd's gᵀ·x (64 × 8,192 by 8,192 × 4)
    at a few GFLOP/s, while the identical (xᵀ·g)ᵀ runs 1.5–7× faster; at batch 8,192 that one product
    was the largest single cost of a training step (bench/README.md). Below `MIN_ROWS` rows (or
    without autograd) the custom function's Python overhead outweighs the saving: plain F.linear.
    Hidden layers keep nn.Linear.
    """

    MIN_ROWS = 1024

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 2 or len(x) < self.MIN_ROWS or not torch.is_grad_enabled():
            return super().forward(x)
        return _InputLinearFunction.apply(x, self.weight, self.bias)


class PeriodicEmbedding(nn.Module):
    """Periodic numerical embeddings (PLR) of Gorishniy et al., 2022, "On Embeddings for Numerical
    Features in Tabular Deep Learning": each feature x_j becomes
    ReLU(W_j [sin(2π c_j x_j), cos(2π c_j x_j)] + b_j) with learned frequencies c_j ~ N(0, σ²).

    Separate frequencies and linear maps per feature (the paper's non-"lite" variant); the
    default sizes and σ = 0.01 follow the authors' reference package (rtdl_num_embeddings).
    """

    def __init__(self, n_features: int, n_frequencies: int = 48, d_embedding: int = 24,
                 frequency_scale: float = 0.01):
        super().__init__()
        _check_positive_int("n_features", n_features)
        _check_positive_int("n_frequencies", n_frequencies)
        _check_positive_int("d_embedding", d_embedding)
        if not isinstance(frequency_scale, Real) or not frequency_scale > 0:
            raise ValueError(f"frequency_scale must be a positive number, got {frequency_scale!r}")
        self.n_features = n_features
        self.d_embedding = d_embedding
        self.frequencies = nn.Parameter(torch.randn(n_features, n_frequencies) * frequency_scale)
        bound = 1 / math.sqrt(2 * n_frequencies)  # nn.Linear's default init, per feature
        self.weight = nn.Parameter(torch.empty(n_features, 2 * n_frequencies, d_embedding).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(n_features, d_embedding).uniform_(-bound, bound))

    @property
    def d_out(self) -> int:
        return self.n_features * self.d_embedding

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = 2 * math.pi * self.frequencies * x.unsqueeze(-1)          # (batch, features, k)
        z = torch.cat([torch.sin(z), torch.cos(z)], dim=-1)           # (batch, features, 2k)
        z = torch.einsum("bfk,fkd->bfd", z, self.weight) + self.bias  # (batch, features, d)
        return torch.relu(z).flatten(1)


class GaussianNoise(nn.Module):
    """Adds N(0, sigma²) noise to the inputs in training mode only: data augmentation for tabular
    inputs (each epoch sees a jittered copy of the standardized rows); identity at prediction."""

    def __init__(self, sigma: float):
        super().__init__()
        if isinstance(sigma, bool) or not isinstance(sigma, Real) or sigma < 0:
            raise ValueError(f"input_noise must be a number >= 0, got {sigma!r}")
        self.sigma = float(sigma)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training and self.sigma > 0:
            return x + torch.randn_like(x) * self.sigma
        return x

    def extra_repr(self) -> str:
        return f"sigma={self.sigma}"


class MLP(nn.Module):
    """[Input noise] → blocks of Linear → [BatchNorm1d] → activation → [Dropout], then a linear head.

    The head has `d_out` outputs: 1 for regression, one logit per class for classification
    (the loss applies the softmax, so the module returns raw logits).
    """

    def __init__(self, d_in: int, d_out: int, hidden: Sequence[int] = (64, 32), activation: str = "relu",
                 dropout: float | Sequence[float] = 0.0, batch_norm: bool = False, embedding: str | None = None,
                 n_frequencies: int = 48, d_embedding: int = 24, frequency_scale: float = 0.01,
                 input_noise: float = 0.0):
        super().__init__()
        _check_positive_int("d_in", d_in)
        _check_positive_int("d_out", d_out)
        widths = _check_hidden(hidden)
        rates = _check_dropout(dropout, len(widths))
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}; got {activation!r}")
        if not isinstance(batch_norm, bool):
            raise ValueError(f"batch_norm must be True or False, got {batch_norm!r}")
        if embedding not in EMBEDDINGS:
            raise ValueError(f"embedding must be None or 'periodic', got {embedding!r}")

        self.noise = GaussianNoise(input_noise) if input_noise else None
        self.embedding = None
        width_in = d_in
        if embedding == "periodic":
            self.embedding = PeriodicEmbedding(d_in, n_frequencies, d_embedding, frequency_scale)
            width_in = self.embedding.d_out

        layers: list[nn.Module] = []
        for i, (width, rate) in enumerate(zip(widths, rates)):
            layers.append((InputLinear if i == 0 else nn.Linear)(width_in, width))
            if batch_norm:
                layers.append(nn.BatchNorm1d(width))
            # In place where torch allows it: the output of Linear/BatchNorm is not needed by their
            # backward, and skipping one activation-sized allocation per layer is ~10 % of a large-batch step.
            layers.append(ACTIVATIONS[activation](inplace=True) if activation in INPLACE else ACTIVATIONS[activation]())
            if rate > 0:
                layers.append(nn.Dropout(rate))
            width_in = width
        self.blocks = nn.Sequential(*layers)
        self.head = nn.Linear(width_in, d_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.noise is not None:
            x = self.noise(x)
        if self.embedding is not None:
            x = self.embedding(x)
        return self.head(self.blocks(x))


def _check_positive_int(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def _check_hidden(hidden) -> tuple[int, ...]:
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence) or len(hidden) == 0:
        raise ValueError(f"hidden must be a non-empty sequence of positive layer widths, got {hidden!r}")
    for width in hidden:
        if isinstance(width, bool) or not isinstance(width, Integral) or width < 1:
            raise ValueError(f"hidden must contain positive integer widths, got {hidden!r}")
    return tuple(int(w) for w in hidden)


def _check_dropout(dropout, n_layers: int) -> tuple[float, ...]:
    rates = [dropout] * n_layers if isinstance(dropout, Real) else dropout
    if isinstance(rates, (str, bytes)) or not isinstance(rates, Sequence):
        raise ValueError(f"dropout must be a float in [0, 1) or one per hidden layer, got {dropout!r}")
    if len(rates) != n_layers:
        raise ValueError(f"dropout has {len(rates)} rates but hidden has {n_layers} layers: {dropout!r}")
    for rate in rates:
        if isinstance(rate, bool) or not isinstance(rate, Real) or not 0 <= rate < 1:
            raise ValueError(f"dropout rates must be floats in [0, 1), got {dropout!r}")
    return tuple(float(r) for r in rates)
