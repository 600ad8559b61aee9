"""Estimators of the transfer chapter, one per regime, all trained by the package's own code.

- (a) `lab_cnn`: the lab's CNN of the Fashion-MNIST chapter (the source's network: two blocks of a 3 × 3
  convolution, ReLU and 2 × 2 max pooling, a dense ReLU layer, a linear output), built by
  mlplab.fashion.models.cnn, trained from scratch on the labelled images at their own resolution.
- (b) `features_logreg`: multinomial logistic regression on the pooled features of a frozen pretrained
  network (the features are computed once per image by `embed`, in the notebook's process).
- (c) `lite_net(..., pretrained=True, regime="finetune")`: every layer trained, the backbone at
  `backbone_lr`, the new head at `lr` (skorch parameter groups).
- (d) `lite_net(..., pretrained=False)`: the same architecture and training from random initialization;
  with nothing to preserve, its backbone learns at the head's rate.
- baseline `pixels_logreg`: logistic regression on the standardized pixels.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from mlplab.fashion.models import QuietLogisticRegression, logreg as _pixels_logreg
from mlplab.fashion.net import CNNClassifier, make_cnn
from mlplab.models import lite as L

TRAIN_METRIC_IMAGES = 1_000   # fit images scored at the end of each epoch for the training curve


def lab_cnn(settings: dict, *, seed: int, device: str = "cpu", image_size: int = 28,
            train_metric_rows: int = TRAIN_METRIC_IMAGES) -> CNNClassifier:
    """The lab's CNN (mlplab.models.cnn.CNN through mlplab.fashion.net.make_cnn); `image_size` is the side
    of the images it is given (28 for Fashion-MNIST, the loaded size for a folder set). `train_metric_rows`:
    fit images scored after every epoch for the training curve (0: none, for fits whose curve is not shown)."""
    return make_cnn(settings, seed=seed, device=device, module__image_size=int(image_size),
                    train_metric_rows=int(train_metric_rows))


def lite_net(variant: str, *, pretrained: bool, regime: str = "finetune", resolution: int, lr: float,
             backbone_lr: float | None, weight_decay: float, epochs: int, batch_size: int, seed: int,
             dropout: float = 0.2, device: str = "cpu", train_metric_rows: int = TRAIN_METRIC_IMAGES) -> CNNClassifier:
    """An EfficientNet-Lite with a new head, trained by the package's fast loop (AdamW, cosine-decaying
    learning rates). `backbone_lr` None (or equal to `lr`): one learning rate for every layer."""
    kwargs = {}
    if backbone_lr is not None and float(backbone_lr) != float(lr):
        kwargs["optimizer__param_groups"] = L.param_groups(backbone_lr)
    return CNNClassifier(module=L.LiteNet, module__variant=variant, module__pretrained=bool(pretrained),
                         module__regime=regime, module__image_size=int(resolution), module__dropout=float(dropout),
                         optimizer="adamw", lr=float(lr), optimizer__weight_decay=float(weight_decay),
                         max_epochs=int(epochs), batch_size=int(batch_size), lr_schedule="cosine", seed=seed,
                         device=device, train_metric_rows=int(train_metric_rows), **kwargs)


def features_logreg(C: float, *, seed: int = 0, max_iter: int = 500) -> Pipeline:
    """Logistic regression on standardized pooled features (the features as rows)."""
    return Pipeline([("scale", StandardScaler()),
                     ("net", QuietLogisticRegression(C=float(C), max_iter=int(max_iter), random_state=seed))])


def pixels_logreg(C: float, *, seed: int = 0, max_iter: int = 500) -> Pipeline:
    return _pixels_logreg(C, max_iter, seed=seed)


def group_learning_rates(net: CNNClassifier) -> dict[str, float]:
    """The initial learning rate of the backbone's and of the head's parameters in a fitted or initialized
    net's optimizer (what the regime says they are)."""
    module, opt = net.module_, net.optimizer_
    names = {id(p): n for n, p in module.named_parameters()}
    out: dict[str, float] = {}
    for group in opt.param_groups:
        lr = float(group.get("initial_lr", group["lr"]))
        for p in group["params"]:
            part = names.get(id(p), "").split(".", 1)[0]
            if part in ("backbone", "head"):
                out.setdefault(part, lr)
                if out[part] != lr:
                    raise ValueError(f"the {part}'s parameters do not share one learning rate")
    return out


@torch.no_grad()
def embed(module: L.LiteNet, images: np.ndarray, *, batch: int = 256) -> np.ndarray:
    """Pooled features (N × 1280 float32) of uint8 images, in evaluation mode, `batch` images at a time."""
    module.eval()
    out = []
    for start in range(0, len(images), batch):
        xb = torch.from_numpy(np.ascontiguousarray(images[start:start + batch]))
        out.append(module.embed(xb).float().numpy())
    return np.concatenate(out) if out else np.zeros((0, L.FEATURES), dtype=np.float32)
