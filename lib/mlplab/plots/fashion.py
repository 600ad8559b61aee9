"""Figures of the Fashion-MNIST chapter: sample images, class means and their mirror images, what the
augmentation does, the CNN's layers with their output shapes, the confusion matrix, per-class scores
and misclassified test images per confused pair."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import seaborn as sns
import torch
from torch import nn

from mlplab.models.cnn import trace
from mlplab.plots.style import new_figure

SHORT = {"T-shirt/top": "T-shirt", "Ankle boot": "Boot"}
_KINDS = {"conv": "#4C72B0", "pool": "#8172B2", "dense": "#55A868", "io": "#64B5CD", "drop": "#C44E52",
          "flat": "#CCB974"}


def short(name: str) -> str:
    return SHORT.get(str(name), str(name))


def _image_axes(axes):
    for ax in np.ravel(axes):
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)


def plot_samples(X: np.ndarray, y: np.ndarray, classes, per_class: int = 8, seed: int = 0):
    """`per_class` training images of each class (drawn with `seed`), one row per class."""
    rng = np.random.default_rng(seed)
    fig, axes = new_figure(len(classes), per_class, width=0.62 * per_class + 1.3, height=0.62 * len(classes) + 0.2,
                           gridspec_kw={"wspace": 0.05, "hspace": 0.08})
    for r, _ in enumerate(classes):
        pool = np.flatnonzero(y == r)
        pick = rng.choice(pool, min(per_class, len(pool)), replace=False) if len(pool) else []
        for c in range(per_class):
            ax = axes[r, c]
            if c < len(pick):
                ax.imshow(X[pick[c]], cmap="gray_r", vmin=0, vmax=255)
        axes[r, 0].set_ylabel(short(classes[r]), rotation=0, ha="right", va="center", fontsize=8)
    _image_axes(axes)
    return fig


def plot_class_means(X: np.ndarray, y: np.ndarray, classes, asymmetry: pd.DataFrame):
    """Top: each class's mean training image; bottom: |mean − its mirror image|, titled with the class's
    mean-image asymmetry (mlplab.fashion.steps.flip_asymmetry)."""
    fig, axes = new_figure(2, len(classes), width=7.0, height=2.1, gridspec_kw={"wspace": 0.05, "hspace": 0.25})
    value = dict(zip(asymmetry["class"], asymmetry["mean-image asymmetry"]))
    for k, c in enumerate(classes):
        imgs = X[y == k].astype(np.float32)
        mean = imgs.mean(axis=0) if len(imgs) else np.zeros(X.shape[1:])
        axes[0, k].imshow(mean, cmap="gray_r", vmin=0, vmax=255)
        axes[1, k].imshow(np.abs(mean - mean[:, ::-1]), cmap="magma", vmin=0, vmax=128)
        axes[0, k].set_title(short(c), fontsize=7)
        axes[1, k].set_title(f"{value.get(c, float('nan')):.2f}", fontsize=7)
    axes[0, 0].set_ylabel("mean", fontsize=8)
    axes[1, 0].set_ylabel("|mean −\nmirror|", fontsize=8)
    _image_axes(axes)
    return fig


def plot_augmentation(X: np.ndarray, augment: nn.Module, n_images: int = 5, n_draws: int = 5, seed: int = 0):
    """Each row: one training image, then `n_draws` draws of the augmentation layer (training mode)."""
    fig, axes = new_figure(n_images, n_draws + 1, width=0.85 * (n_draws + 1) + 0.4, height=0.85 * n_images + 0.3,
                           gridspec_kw={"wspace": 0.05, "hspace": 0.08})
    was = augment.training
    augment.train()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        batch = torch.as_tensor(np.array(X[:n_images]))[:, None]  # a copy: the loaded images may be read-only
        draws = [augment(batch)[:, 0].numpy() for _ in range(n_draws)]
    augment.train(was)
    for r in range(n_images):
        axes[r, 0].imshow(X[r], cmap="gray_r", vmin=0, vmax=255)
        for c in range(n_draws):
            axes[r, c + 1].imshow(draws[c][r], cmap="gray_r", vmin=0, vmax=255)
    axes[0, 0].set_title("original", fontsize=8)
    for c in range(n_draws):
        axes[0, c + 1].set_title(f"draw {c + 1}", fontsize=8)
    _image_axes(axes)
    return fig


def layer_table(module: nn.Module, shape=(1, 1, 28, 28)) -> list[tuple[str, str, str]]:
    """(kind, layer label, output shape) of each layer an image passes through, from forward hooks."""
    rows: list[tuple[str, str, str]] = []

    def hook(layer, _inp, out):
        s = tuple(out.shape[1:])
        dims = "×".join(str(d) for d in s)
        if isinstance(layer, nn.Conv2d):
            k = f"{layer.kernel_size[0]}×{layer.kernel_size[1]}"
            g = f", {layer.groups} groups" if layer.groups > 1 else ""
            rows.append(("conv", f"Conv {k}{g}" + (f"/{layer.stride[0]}" if layer.stride[0] > 1 else ""), dims))
        elif isinstance(layer, (nn.MaxPool2d, nn.AdaptiveAvgPool2d)):
            rows.append(("pool", "MaxPool 2×2" if isinstance(layer, nn.MaxPool2d) else "GlobalAvgPool", dims))
        elif isinstance(layer, nn.Linear):
            rows.append(("dense", "Dense", dims))
        elif isinstance(layer, nn.Dropout):
            rows.append(("drop", f"Dropout {layer.p:g}", dims))
        elif isinstance(layer, nn.Flatten):
            rows.append(("flat", "Flatten", dims))

    trace(module, {nn.Module: hook}, shape)
    return rows


def plot_cnn(items: list[tuple[nn.Module, str]], *, activation: str = "ReLU", norm: bool | None = None):
    """One row of boxes per network: the input, each convolution / pooling / dense layer with its output
    shape (channels × height × width, or units), the logits; the parameter count in the title."""
    tables = [layer_table(m) for m, _ in items]
    n_max = max(len(t) for t in tables) + 2
    fig, axes = new_figure(len(items), 1, width=max(7.0, 0.78 * n_max), height=1.75 * len(items))
    axes = [axes] if len(items) == 1 else list(axes)
    for ax, (module, title), rows in zip(axes, items, tables):
        boxes = [("io", "image", "1×28×28")] + rows
        boxes[-1] = ("io", "logits", boxes[-1][2])
        ax.set_xlim(-0.6, n_max - 0.4)
        ax.set_ylim(-0.9, 0.7)
        ax.axis("off")
        for i, (kind, label, dims) in enumerate(boxes):
            ax.text(i, 0.05, textwrap.fill(label, 9), ha="center", va="center", fontsize=6.8, color="white",
                    fontweight="bold", bbox=dict(boxstyle="round,pad=0.3", fc=_KINDS[kind], ec="none"))
            ax.text(i, -0.55, dims, ha="center", va="center", fontsize=6.3, color="0.25")
            if i < len(boxes) - 1:
                ax.annotate("", xy=(i + 0.64, 0.05), xytext=(i + 0.36, 0.05),
                            arrowprops=dict(arrowstyle="->", color="0.4", lw=0.9))
        n_params = sum(p.numel() for p in module.parameters())
        has_bn = any(isinstance(m, nn.BatchNorm2d) for m in module.modules()) if norm is None else norm
        extra = f"each conv followed by {'batch norm + ' if has_bn else ''}{activation}"
        ax.set_title(f"{title} — {n_params:,} parameters; {extra}", fontsize=9, loc="left")
    return fig


def plot_confusion_matrix(matrix, labels, title: str = ""):
    """Row-normalized confusion matrix: the percent of each true class in the cells' text and on the colour bar
    (one scale); a cell under 0.5 % stays blank, so no cell reads "0"."""
    m = np.asarray(matrix, dtype=float)
    share = 100 * m / np.clip(m.sum(axis=1, keepdims=True), 1, None)
    fig, ax = new_figure(width=6.4, height=5.4)
    annot = np.array([[f"{s:.0f}" if round(s) >= 1 else "" for s in row] for row in share])
    names = [short(c) for c in labels]
    sns.heatmap(share, ax=ax, annot=annot, fmt="", cmap="Blues", vmin=0, vmax=100, xticklabels=names, yticklabels=names,
                cbar_kws={"label": "% of the true class"}, annot_kws={"size": 9})
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.tick_params(labelsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def plot_per_class_scores(report: pd.DataFrame):
    """Precision, recall and F1 per class (test images), one group of bars per class."""
    long = report.melt(id_vars="class", value_vars=["precision", "recall", "f1"], var_name="metric", value_name="score")
    long["class"] = long["class"].map(short)
    fig, ax = new_figure(height=3.6)
    sns.barplot(data=long, x="class", y="score", hue="metric", ax=ax)
    low = max(0.0, float(long["score"].min()) - 0.1)
    ax.set_ylim(low, 1.0)
    ax.set_xlabel("")
    ax.set_ylabel("score on the test images (fraction)")
    ax.tick_params(axis="x", labelsize=8, rotation=30)
    ax.legend(loc="lower right", fontsize=8, ncol=3)
    return fig


def plot_misclassified(groups: list[dict], per_pair: int = 6):
    """One row per confused pair: test images of the true class predicted as the other, with the
    model's probability for the wrong class under each."""
    rows = len(groups)
    fig, axes = new_figure(rows, per_pair, width=0.95 * per_pair + 1.9, height=1.05 * rows + 0.2,
                           gridspec_kw={"wspace": 0.08, "hspace": 0.45})
    axes = np.atleast_2d(axes)
    for r, g in enumerate(groups):
        for c in range(per_pair):
            ax = axes[r, c]
            if c < len(g["images"]):
                ax.imshow(g["images"][c], cmap="gray_r", vmin=0, vmax=255)
                conf = g["confidence"][c]
                if conf == conf:  # not NaN
                    ax.set_title(f"p={conf:.2f}", fontsize=6.5, pad=2)
        axes[r, 0].set_ylabel(f"{short(g['true'])}\n→ {short(g['predicted'])}\n({g['count']})", rotation=0,
                              ha="right", va="center", fontsize=7.5)
    _image_axes(axes)
    return fig
