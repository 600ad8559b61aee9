"""Deep convolutional networks for 28 × 28 images: plain and residual stacks of equal depth, and
VGG-16 (configuration C), ResNet-18 and ResNeXt adapted to small images with widths scaled to a CPU.

- `DeepStack`: a 3 × 3 stem convolution, then three stages of `blocks` pairs of 3 × 3 convolutions
  (widths w, 2w, 4w; the first convolution of stages 2 and 3 has stride 2), global average pooling
  and one linear layer: 6·blocks + 1 convolutions. `residual=True` adds an identity shortcut
  around every pair (He et al., 2016, "Deep Residual Learning", CIFAR variant). Where a stage halves
  the resolution and doubles the width, the shortcut subsamples and pads the new channels with
  zeros (their "option A"): it has no weights, so the plain and the residual stack have exactly the
  same parameters and depth, and differ only in the additions.
- `VGG16C`: VGG configuration C (Simonyan & Zisserman, 2015): 13 convolutions in five blocks
  (2, 2, 3, 3, 3; the last convolution of blocks 3–5 is 1 × 1) with max pooling, three dense
  layers. Adapted to 28 × 28: four poolings (28 → 14 → 7 → 3 → 1), widths 64-128-256-512-512 and
  dense 4096 multiplied by `width` / 64.
- `ResNet18`: four stages of two basic blocks (two 3 × 3 convolutions each), widths w, 2w, 4w,
  8w; adapted to 28 × 28: a 3 × 3 stem and one 2 × 2 max pooling instead of the 7 × 7 stride-2
  stem and pooling (ImageNet's 4× reduction would leave 7 × 7 before the first stage).
- `ResNeXt`: ResNet-18's layout with bottleneck blocks whose 3 × 3 convolution is grouped
  (Xie et al., 2017, "Aggregated Residual Transformations"): `cardinality` groups of
  `group_width` channels, between 1 × 1 reductions and expansions; cardinality is the lever.

Every network takes uint8 (or float) images and returns class logits (`ImageInput` converts).
Initialisation is PyTorch's default for convolutions and linear layers (Kaiming-uniform with
a = √5, i.e. weights of variance 1 / (3 · fan_in)) unless `init="kaiming"` (He-normal, fan-out).
"""

from __future__ import annotations

from numbers import Integral

import torch
import torch.nn.functional as F
from torch import nn

from mlplab.models.cnn import ImageInput, conv_bn_relu

INITS = ("default", "kaiming")


def _positive(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _init(module: nn.Module, init: str) -> None:
    if init not in INITS:
        raise ValueError(f"init must be one of {', '.join(INITS)}, got {init!r}")
    if init == "kaiming":
        for m in module.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)


class ZeroPadShortcut(nn.Module):
    """The parameter-free shortcut of a stage change: subsample by `stride`, zero-pad the new channels."""

    def __init__(self, c_in: int, c_out: int, stride: int):
        super().__init__()
        self.pad, self.stride = c_out - c_in, stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride > 1:
            x = x[:, :, ::self.stride, ::self.stride]
        return F.pad(x, (0, 0, 0, 0, 0, self.pad)) if self.pad else x


class PairBlock(nn.Module):
    """Two 3 × 3 convolutions (+ batch norm) with ReLU; with `residual`, out = ReLU(x + F(x))."""

    def __init__(self, c_in: int, c_out: int, *, stride: int = 1, batch_norm: bool = True, residual: bool = True,
                 projection: bool = False):
        super().__init__()
        self.body = nn.Sequential(*conv_bn_relu(c_in, c_out, batch_norm=batch_norm, stride=stride),
                                  *conv_bn_relu(c_out, c_out, batch_norm=batch_norm, relu=False))
        self.residual = residual
        self.shortcut: nn.Module | None = None
        if residual and (stride != 1 or c_in != c_out):
            if projection:  # ResNet-18's 1 × 1 projection
                self.shortcut = nn.Sequential(*conv_bn_relu(c_in, c_out, batch_norm=batch_norm, kernel=1,
                                                            stride=stride, relu=False))
            else:
                self.shortcut = ZeroPadShortcut(c_in, c_out, stride)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.body(x)
        if self.residual:
            out = out + (x if self.shortcut is None else self.shortcut(x))
        return self.relu(out)


class GroupedBottleneck(nn.Module):
    """ResNeXt block: 1 × 1 to cardinality·group_width channels, 3 × 3 grouped convolution
    (`cardinality` groups), 1 × 1 to c_out; out = ReLU(x + F(x)) (projection shortcut on stage changes)."""

    def __init__(self, c_in: int, c_out: int, *, cardinality: int, group_width: int, stride: int = 1,
                 batch_norm: bool = True):
        super().__init__()
        inner = cardinality * group_width
        self.body = nn.Sequential(
            *conv_bn_relu(c_in, inner, batch_norm=batch_norm, kernel=1),
            *conv_bn_relu(inner, inner, batch_norm=batch_norm, stride=stride, groups=cardinality),
            *conv_bn_relu(inner, c_out, batch_norm=batch_norm, kernel=1, relu=False))
        self.shortcut = None
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(*conv_bn_relu(c_in, c_out, batch_norm=batch_norm, kernel=1, stride=stride,
                                                        relu=False))
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(self.body(x) + (x if self.shortcut is None else self.shortcut(x)))


class _ImageNet(nn.Module):
    """Shared frame: input conversion (uint8 → float, channels_last), `features`, pooled head."""

    def _finish(self, channels_last: bool, init: str) -> None:
        _init(self, init)
        if channels_last:
            self.to(memory_format=torch.channels_last)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(self.input(x)))


class DeepStack(_ImageNet):
    """Plain or residual stack of 6·blocks + 1 convolutions (see the module docstring)."""

    def __init__(self, d_in: int = 1, d_out: int = 10, blocks: int = 4, width: int = 8, residual: bool = False,
                 batch_norm: bool = False, init: str = "default", channels_last: bool = True):
        super().__init__()
        d_in, d_out, blocks, width = (_positive(n, v) for n, v in
                                      (("d_in", d_in), ("d_out", d_out), ("blocks", blocks), ("width", width)))
        self.input = ImageInput(channels_last)
        layers: list[nn.Module] = [nn.Sequential(*conv_bn_relu(d_in, width, batch_norm=batch_norm))]
        c = width
        for stage, w in enumerate((width, 2 * width, 4 * width)):
            for b in range(blocks):
                stride = 2 if stage > 0 and b == 0 else 1
                layers.append(PairBlock(c, w, stride=stride, batch_norm=batch_norm, residual=residual))
                c = w
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, d_out))
        self.residual, self.batch_norm = residual, batch_norm
        self._finish(channels_last, init)


VGG_C = ((64, 64), (128, 128), (256, 256, -256), (512, 512, -512), (512, 512, -512))  # -w: a 1 × 1 convolution
VGG_POOLS = (True, True, True, True, False)   # 28 → 14 → 7 → 3 → 1, the fifth pooling dropped


class VGG16C(_ImageNet):
    """VGG-16 configuration C adapted to 28 × 28 (see the module docstring); `width` = the first block's
    width (64 in the paper), every width scaled by the same factor; dropout 0.5 in the dense layers."""

    def __init__(self, d_in: int = 1, d_out: int = 10, width: int = 16, batch_norm: bool = True, dropout: float = 0.5,
                 init: str = "default", channels_last: bool = True):
        super().__init__()
        d_in, d_out, width = _positive("d_in", d_in), _positive("d_out", d_out), _positive("width", width)
        scale = width / 64
        self.input = ImageInput(channels_last)
        layers: list[nn.Module] = []
        c = d_in
        for block, pool in zip(VGG_C, VGG_POOLS):
            for w in block:
                out = max(1, round(abs(w) * scale))
                layers += conv_bn_relu(c, out, batch_norm=batch_norm, kernel=1 if w < 0 else 3)
                c = out
            if pool:
                layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        dense = max(1, round(4096 * scale))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(c, dense), nn.ReLU(inplace=True), nn.Dropout(dropout),
                                  nn.Linear(dense, dense), nn.ReLU(inplace=True), nn.Dropout(dropout),
                                  nn.Linear(dense, d_out))
        self._finish(channels_last, init)


class ResNet18(_ImageNet):
    """ResNet-18 adapted to 28 × 28: 3 × 3 stem + 2 × 2 max pooling, stages of two basic blocks at
    widths w, 2w, 4w, 8w (strides 1, 2, 2, 2), projection shortcuts, global average pooling."""

    def __init__(self, d_in: int = 1, d_out: int = 10, width: int = 16, batch_norm: bool = True,
                 init: str = "default", channels_last: bool = True):
        super().__init__()
        d_in, d_out, width = _positive("d_in", d_in), _positive("d_out", d_out), _positive("width", width)
        self.input = ImageInput(channels_last)
        layers: list[nn.Module] = [nn.Sequential(*conv_bn_relu(d_in, width, batch_norm=batch_norm), nn.MaxPool2d(2))]
        c = width
        for stage, w in enumerate((width, 2 * width, 4 * width, 8 * width)):
            for b in range(2):
                layers.append(PairBlock(c, w, stride=2 if stage > 0 and b == 0 else 1, batch_norm=batch_norm,
                                        residual=True, projection=True))
                c = w
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, d_out))
        self._finish(channels_last, init)


class ResNeXt(_ImageNet):
    """ResNet-18's layout with grouped bottleneck blocks: stage outputs w, 2w, 4w, 8w; the 3 × 3
    convolution of each block has `cardinality` groups of `group_width` channels at stage 1
    (doubled at each later stage, as in the paper's template)."""

    def __init__(self, d_in: int = 1, d_out: int = 10, width: int = 32, cardinality: int = 8, group_width: int = 2,
                 batch_norm: bool = True, init: str = "default", channels_last: bool = True):
        super().__init__()
        d_in, d_out, width = _positive("d_in", d_in), _positive("d_out", d_out), _positive("width", width)
        cardinality, group_width = _positive("cardinality", cardinality), _positive("group_width", group_width)
        self.input = ImageInput(channels_last)
        layers: list[nn.Module] = [nn.Sequential(*conv_bn_relu(d_in, width // 2, batch_norm=batch_norm),
                                                 nn.MaxPool2d(2))]
        c = width // 2
        for stage in range(4):
            w, d = width * 2 ** stage, group_width * 2 ** stage
            for b in range(2):
                layers.append(GroupedBottleneck(c, w, cardinality=cardinality, group_width=d,
                                                stride=2 if stage > 0 and b == 0 else 1, batch_norm=batch_norm))
                c = w
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, d_out))
        self.cardinality = cardinality
        self._finish(channels_last, init)


def weight_layers(module: nn.Module) -> list[tuple[str, nn.Module]]:
    """The convolution and linear layers in forward order (registration order in these networks),
    named 'conv1', 'conv2', ..., 'fc1', ... (shortcut projections are named 'proj1', ...)."""
    out, counts = [], {"conv": 0, "proj": 0, "fc": 0}
    shortcut_convs = {id(m) for name, sub in module.named_modules() if name.endswith("shortcut")
                      for m in sub.modules() if isinstance(m, nn.Conv2d)}
    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            kind = "proj" if id(m) in shortcut_convs else "conv"
        elif isinstance(m, nn.Linear):
            kind = "fc"
        else:
            continue
        counts[kind] += 1
        out.append((f"{kind}{counts[kind]}", m))
    return out


def gradient_norms(module: nn.Module, X: torch.Tensor, y: torch.Tensor, *, exclude_projections: bool = True
                   ) -> tuple[list[str], list[float]]:
    """(layer names, L2 norm of each weight layer's loss gradient) on one batch (X, y), in train mode
    (the gradients an optimizer step would see; batch norm uses batch statistics). Gradients already
    on the parameters, batch norm's running statistics, the random generator and the module's mode are
    restored afterwards: probing does not change the network."""
    layers = [(n, m) for n, m in weight_layers(module) if not (exclude_projections and n.startswith("proj"))]
    saved = {p: p.grad for p in module.parameters()}
    buffers = {k: v.clone() for k, v in module.state_dict().items() if "running_" in k or "num_batches" in k}
    was_training = module.training
    try:
        module.train()
        for p in module.parameters():
            p.grad = None
        with torch.random.fork_rng(devices=[]):  # dropout draws do not move the caller's generator
            loss = F.cross_entropy(module(X), y)
        loss.backward()
        norms = [float(m.weight.grad.norm()) if m.weight.grad is not None else 0.0 for _, m in layers]
    finally:
        for p, g in saved.items():
            p.grad = g
        module.load_state_dict(buffers, strict=False)  # batch norm's running statistics as they were
        module.train(was_training)
    return [n for n, _ in layers], norms
