"""Convolutional networks for small grayscale images (Fashion-MNIST, 28 × 28), with batch-level augmentation.

Images travel as uint8 tensors (1 byte a pixel: the 60,000 training images take 47 MB) and become
float32 inside the network (`ImageInput`: x / 255), so the training loop batches them like any
other tensor. Augmentation (`BatchAugment`) is a layer that acts in training mode only, on the whole
batch at once (no per-image Python): random shifts (zero-padded translation by up to `shift` pixels,
the "random crop with padding" of the CIFAR literature), horizontal flips, and random erasing of a
square patch. At prediction time it is the identity; `tta_flip` instead averages the logits of each
image and its mirror image (test-time augmentation; whether it helps is decided on validation rows).

`channels_last` stores activations as N×H×W×C: oneDNN's convolution kernels on CPU run faster in
that layout (`mlplab bench` measures by how much), with the same numbers up to float rounding.

`CNN` covers the source's network (blocks of Conv2D + ReLU, each followed by 2 × 2 max pooling,
a flattened dense head with ReLU, a 10-way output whose softmax is inside the loss) and the tuned
variants (several convolutions per block, batch norm, dropout, a global-average-pooling head).
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real

import torch
import torch.nn.functional as F
from torch import nn

# PyTorch asks NNPACK whether it can run a CPU convolution when oneDNN does not take it (small inference
# batches); on a CPU NNPACK does not support, that first question prints "Could not initialize NNPACK!
# Reason: Unsupported hardware." from C++ to stderr, once per process, into the notebook's output. oneDNN
# and PyTorch's own kernels run every convolution here, so NNPACK is switched off where the networks are
# defined (every worker process imports this module before its first fit).
torch.backends.nnpack.set_flags(False)

HEADS = ("flatten", "gap")
# Augmentation presets: (shift in pixels, flip probability, erase probability). Flips and erasing use
# probability 0.5, shifts up to `shift` pixels (2 by default: 7 % of the 28-pixel side).
AUGMENTS = {"none": (0, 0.0, 0.0), "shift": (1, 0.0, 0.0), "flip": (0, 0.5, 0.0), "shift_flip": (1, 0.5, 0.0),
            "shift_flip_erase": (1, 0.5, 0.5)}


class ImageInput(nn.Module):
    """uint8 (or float in [0, 1]) images, (N, H, W) or (N, C, H, W) → float32 (N, C, H, W) in [0, 1]."""

    def __init__(self, channels_last: bool = True):
        super().__init__()
        self.channels_last = bool(channels_last)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 3:
            x = x.unsqueeze(1)
        x = x.float().div_(255.0) if x.dtype == torch.uint8 else x.float()
        return x.contiguous(memory_format=torch.channels_last) if self.channels_last else x

    def extra_repr(self) -> str:
        return f"channels_last={self.channels_last}"


class BatchAugment(nn.Module):
    """Random shift (up to `shift` px each way, zero fill), horizontal flip (probability `flip`) and
    random erasing (a `erase_size`-pixel square zeroed with probability `erase`), drawn per image but
    applied to the whole batch with tensor operations. Training mode only; identity otherwise.
    Works on uint8 or float (N, C, H, W) batches; random numbers come from torch's global generator
    (seeded by the net's `seed` for the fit)."""

    def __init__(self, shift: int = 0, flip: float = 0.0, erase: float = 0.0, erase_size: int = 8):
        super().__init__()
        if isinstance(shift, bool) or not isinstance(shift, Integral) or shift < 0:
            raise ValueError(f"shift must be an integer >= 0 (pixels), got {shift!r}")
        for name, p in (("flip", flip), ("erase", erase)):
            if isinstance(p, bool) or not isinstance(p, Real) or not 0 <= p <= 1:
                raise ValueError(f"{name} must be a probability in [0, 1], got {p!r}")
        if isinstance(erase_size, bool) or not isinstance(erase_size, Integral) or erase_size < 1:
            raise ValueError(f"erase_size must be a positive integer (pixels), got {erase_size!r}")
        self.shift, self.flip, self.erase, self.erase_size = int(shift), float(flip), float(erase), int(erase_size)

    @property
    def active(self) -> bool:
        return self.shift > 0 or self.flip > 0 or self.erase > 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or not self.active:
            return x
        if x.dim() == 3:
            x = x.unsqueeze(1)
        if self.shift:
            x = random_shift(x, self.shift)
        if self.flip:
            mask = torch.rand(len(x), device=x.device) < self.flip
            x = torch.where(mask[:, None, None, None], x.flip(-1), x)
        if self.erase:
            x = random_erase(x, self.erase, self.erase_size)
        return x

    def extra_repr(self) -> str:
        return f"shift={self.shift}, flip={self.flip:g}, erase={self.erase:g}, erase_size={self.erase_size}"


def random_shift(x: torch.Tensor, shift: int) -> torch.Tensor:
    """Each image translated by its own (dy, dx) in [-shift, shift]², zero fill: pad once, then one
    gather of an H × W window per image (advanced indexing over the whole batch)."""
    n, c, h, w = x.shape
    padded = F.pad(x, (shift, shift, shift, shift))
    dy = torch.randint(0, 2 * shift + 1, (n,), device=x.device)
    dx = torch.randint(0, 2 * shift + 1, (n,), device=x.device)
    rows = dy[:, None] + torch.arange(h, device=x.device)
    cols = dx[:, None] + torch.arange(w, device=x.device)
    i = torch.arange(n, device=x.device)[:, None, None, None]
    ch = torch.arange(c, device=x.device)[None, :, None, None]
    return padded[i, ch, rows[:, None, :, None], cols[:, None, None, :]]


def random_erase(x: torch.Tensor, p: float, size: int) -> torch.Tensor:
    """With probability p per image, zero a size × size square centred anywhere in the image (it may
    be cut by the border: random erasing / cutout)."""
    n, _, h, w = x.shape
    cy = torch.randint(0, h, (n,), device=x.device)
    cx = torch.randint(0, w, (n,), device=x.device)
    lo = size // 2
    ys = torch.arange(h, device=x.device)[None, :] - cy[:, None] + lo
    xs = torch.arange(w, device=x.device)[None, :] - cx[:, None] + lo
    inside = ((ys >= 0) & (ys < size))[:, :, None] & ((xs >= 0) & (xs < size))[:, None, :]
    inside &= (torch.rand(n, device=x.device) < p)[:, None, None]
    return x.masked_fill(inside[:, None], 0)


class Subsample(nn.Module):
    """Every `stride`-th row and column: exactly the pixels a 1 × 1 convolution with that stride reads."""

    def __init__(self, stride: int):
        super().__init__()
        self.stride = int(stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, :, ::self.stride, ::self.stride]

    def extra_repr(self) -> str:
        return f"stride={self.stride}"


def conv_bn_relu(c_in: int, c_out: int, *, batch_norm: bool, kernel: int = 3, stride: int = 1,
                 groups: int = 1, relu: bool = True) -> list[nn.Module]:
    """Conv2d (no bias when batch norm follows it: the norm's shift replaces it) → [BatchNorm2d] → [ReLU].

    A strided 1 × 1 convolution is written as `Subsample` + a 1 × 1 convolution: the same numbers and
    multiply-adds, but torch 2.13's CPU (oneDNN) backward of a strided 1 × 1 convolution in channels_last
    corrupts the heap for some small channel counts (4 → 8 and 6 → 12 crash the process)."""
    layers: list[nn.Module] = []
    if kernel == 1 and stride > 1:
        layers.append(Subsample(stride))
        stride = 1
    layers.append(nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=kernel // 2, groups=groups,
                            bias=not batch_norm))
    if batch_norm:
        layers.append(nn.BatchNorm2d(c_out))
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return layers


class CNN(nn.Module):
    """Blocks of 3 × 3 convolutions (+ batch norm) + ReLU, 2 × 2 max pooling after a block while the
    feature maps are larger than `pool_until` pixels a side, then a head: flattened features → dense
    ReLU layers (`hidden`) → `d_out` logits, or global average pooling → logits (`head="gap"`).

    `blocks`: widths of the convolutions of each block, e.g. ((32,), (64,)) for the source's two
    Conv2D/MaxPooling stages. `pool_until=1` pools after every block; `pool_until=7` stops at 7 × 7,
    so later blocks add depth at the lowest resolution, where a convolution is cheapest.
    `dropout`: rate before each dense layer of the head; `conv_dropout`: after each pooling.
    `augment`: a preset of AUGMENTS (batch augmentation in training mode, see BatchAugment); presets
    with a shift move images by up to `shift` pixels, erasing zeroes an `erase_size`-pixel square.

    A pooled block applies its last ReLU after the pooling: max(relu(a), relu(b), ...) equals
    relu(max(a, b, ...)), and the gradients agree too (both reach the window's maximum only when it
    is positive), so the network computes the same function as Conv → ReLU → MaxPool, but the ReLU
    and its backward touch a quarter of the values, and in channels_last the pooling's backward no
    longer has to convert the layout of a full-resolution gradient. `mlplab bench` measures the gain.
    """

    def __init__(self, d_in: int = 1, d_out: int = 10, blocks: Sequence[Sequence[int]] = ((32,), (64,)),
                 hidden: Sequence[int] = (128,), batch_norm: bool = False, dropout: float = 0.0,
                 conv_dropout: float = 0.0, head: str = "flatten", pool_until: int = 1, image_size: int = 28,
                 augment: str = "none", shift: int = 2, erase_size: int = 8, channels_last: bool = True,
                 tta_flip: bool = False):
        super().__init__()
        _positive("d_in", d_in)
        _positive("d_out", d_out)
        _positive("image_size", image_size)
        blocks = check_blocks(blocks)
        hidden = tuple(hidden or ())
        if any(isinstance(h, bool) or not isinstance(h, Integral) or h < 1 for h in hidden):
            raise ValueError(f"hidden must be a sequence of positive widths (or empty), got {hidden!r}")
        for name, rate in (("dropout", dropout), ("conv_dropout", conv_dropout)):
            if isinstance(rate, bool) or not isinstance(rate, Real) or not 0 <= rate < 1:
                raise ValueError(f"{name} must be in [0, 1), got {rate!r}")
        if head not in HEADS:
            raise ValueError(f"head must be one of {', '.join(HEADS)}, got {head!r}")
        if not isinstance(batch_norm, bool):
            raise ValueError(f"batch_norm must be True or False, got {batch_norm!r}")
        _positive("pool_until", pool_until)
        pools, side = [], image_size
        for _ in blocks:  # a side > pool_until >= 1 halves to at least 1: pooling never empties the maps
            pools.append(side > pool_until)
            side = side // 2 if pools[-1] else side
        if augment not in AUGMENTS:
            raise ValueError(f"augment must be one of {', '.join(AUGMENTS)}, got {augment!r}")
        moves, flip, erase = AUGMENTS[augment]
        self.input = ImageInput(channels_last)
        self.augment = BatchAugment(shift * moves, flip, erase, erase_size)
        layers: list[nn.Module] = []
        c = d_in
        for i, widths in enumerate(blocks):
            for j, w in enumerate(widths):
                pool_next = pools[i] and j == len(widths) - 1
                layers += conv_bn_relu(c, w, batch_norm=batch_norm, relu=not pool_next)
                c = w
            if pools[i]:
                layers += [nn.MaxPool2d(2), nn.ReLU(inplace=True)]  # ReLU after the pool: see the class docstring
                if conv_dropout:
                    layers.append(nn.Dropout(conv_dropout))
        self.features = nn.Sequential(*layers)
        head_layers: list[nn.Module] = []
        if head == "gap":
            head_layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
            width = c
        else:
            head_layers.append(nn.Flatten())
            width = c * side * side
        for h in hidden:
            if dropout:
                head_layers.append(nn.Dropout(dropout))
            head_layers += [nn.Linear(width, h), nn.ReLU(inplace=True)]
            width = h
        if dropout:
            head_layers.append(nn.Dropout(dropout))
        head_layers.append(nn.Linear(width, d_out))
        self.head = nn.Sequential(*head_layers)
        self.tta_flip = bool(tta_flip)
        if channels_last:
            self.to(memory_format=torch.channels_last)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 3:
            x = x.unsqueeze(1)
        x = self.input(self.augment(x))
        logits = self.head(self.features(x))
        if self.tta_flip and not self.training:
            logits = 0.5 * (logits + self.head(self.features(x.flip(-1))))
        return logits


def check_blocks(blocks) -> tuple[tuple[int, ...], ...]:
    """((32,), (64, 64)): each block a non-empty sequence of positive convolution widths."""
    if isinstance(blocks, (str, bytes)) or not isinstance(blocks, Sequence) or not blocks:
        raise ValueError(f"blocks must be a non-empty list of blocks (lists of conv widths), got {blocks!r}")
    out = []
    for b in blocks:
        b = (b,) if isinstance(b, Integral) and not isinstance(b, bool) else b
        if isinstance(b, (str, bytes)) or not isinstance(b, Sequence) or not b or any(
                isinstance(w, bool) or not isinstance(w, Integral) or w < 1 for w in b):
            raise ValueError(f"each block must be a non-empty list of positive conv widths, got {b!r} in {blocks!r}")
        out.append(tuple(int(w) for w in b))
    return tuple(out)


def _positive(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def count_parameters(module: nn.Module) -> int:
    return int(sum(p.numel() for p in module.parameters() if p.requires_grad))


def multiply_adds(module: nn.Module, shape: tuple[int, ...] = (1, 1, 28, 28)) -> int:
    """Multiply-adds of one forward pass of one image, counted from the convolution and linear layers
    the input actually passes through (forward hooks on a zero image)."""
    total = 0

    def conv_hook(layer, _inp, out):
        nonlocal total
        k = layer.kernel_size[0] * layer.kernel_size[1]
        total += out.shape[2] * out.shape[3] * layer.out_channels * (layer.in_channels // layer.groups) * k

    def linear_hook(layer, _inp, _out):
        nonlocal total
        total += layer.in_features * layer.out_features

    trace(module, {nn.Conv2d: conv_hook, nn.Linear: linear_hook}, shape)
    return int(total)


def trace(module: nn.Module, hooks: dict, shape: tuple[int, ...] = (1, 1, 28, 28)) -> None:
    """One evaluation-mode pass of a zero image with `hooks` ({layer type: forward hook}) on the leaf
    layers of those types; the module's mode and flip averaging are restored afterwards."""
    handles = [m.register_forward_hook(fn) for m in module.modules() if not any(True for _ in m.children())
               for kind, fn in hooks.items() if isinstance(m, kind)]
    was_training = module.training
    tta = getattr(module, "tta_flip", False)
    try:
        module.eval()
        if tta:
            module.tta_flip = False
        with torch.no_grad():
            module(torch.zeros(shape, dtype=torch.uint8))
    finally:
        for h in handles:
            h.remove()
        module.train(was_training)
        if tta:
            module.tta_flip = tta
