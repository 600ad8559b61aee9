"""Figures of the transfer chapter: what ImageNet's classifier sees in the images, the resolution trade-off,
the learning curve of the regimes, the fine-tuned network's training curves, and image grids of the errors
(colour or grey). Sizes: every figure is drawn at most 7.2 inches wide with text of at least 8.5 points, so
that printed 15 cm wide (the PDF's text block) no label is below 7 points."""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.ticker import FixedLocator, LogLocator, NullFormatter, NullLocator, StrMethodFormatter

from mlplab.plots.fashion import _image_axes, short
from mlplab.plots.style import new_figure

# one colour per regime, the same in every figure of the chapter (colour-blind safe)
COLOURS = {"logreg_pixels": "#999999", "cnn_scratch": "#D55E00", "lite0_features": "#009E73",
           "lite0_finetune": "#0072B2", "lite0_random": "#CC79A7"}
MARKERS = {"logreg_pixels": "s", "cnn_scratch": "o", "lite0_features": "^", "lite0_finetune": "D", "lite0_random": "v"}


def as_shown(image: np.ndarray) -> np.ndarray:
    """An image array as imshow takes it: grey (H, W) as is, colour (3, H, W) as (H, W, 3)."""
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[0] in (1, 3):
        image = image[0] if image.shape[0] == 1 else image.transpose(1, 2, 0)
    return image


def _show(ax, image) -> None:
    img = as_shown(image)
    ax.imshow(img, cmap="gray" if img.ndim == 2 else None, vmin=0, vmax=255)


def plot_imagenet_examples(examples: list[dict], *, cols: int = 5):
    """One image per class with the pretrained network's top ImageNet labels and their probabilities
    (`examples`: [{"class", "image", "labels": [(name, probability), ...]}])."""
    rows = int(np.ceil(len(examples) / cols))
    fig, axes = new_figure(rows, cols, width=7.2, height=2.25 * rows, gridspec_kw={"hspace": 0.02, "wspace": 0.15})
    axes = np.atleast_2d(axes)
    for ax in axes.ravel()[len(examples):]:
        ax.axis("off")
    for ax, ex in zip(axes.ravel(), examples):
        _show(ax, ex["image"])
        ax.set_title(short(ex["class"]), fontsize=10, fontweight="bold")
        lines = [f"{textwrap.shorten(name, 18, placeholder='…')} {100 * p:.0f} %" for name, p in ex["labels"]]
        ax.set_xlabel("\n".join(lines), fontsize=8.6, linespacing=1.2)
    _image_axes(axes)
    return fig


def plot_resolution(study, *, chosen: int):
    """Left: validation accuracy of frozen-feature logistic regression against the resolution the network
    sees; right: images per second of frozen extraction and of fine-tuning (log scale). The chosen
    resolution is marked."""
    fig, axes = new_figure(1, 2, width=7.2, height=3.0)
    res = study["resolution"].to_numpy()
    axes[0].plot(res, study["validation accuracy"], "o-", color=COLOURS["lite0_features"])
    axes[0].set_ylabel("validation accuracy (fraction)")
    axes[1].plot(res, study["features per s"], "^-", color=COLOURS["lite0_features"], label="frozen features")
    axes[1].plot(res, study["fine-tuning per s"], "D-", color=COLOURS["lite0_finetune"], label="fine-tuning")
    axes[1].set_yscale("log")
    axes[1].yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    axes[1].yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    axes[1].yaxis.set_minor_formatter(NullFormatter())
    axes[1].set_ylabel("images per second, idle cores (log scale)")
    axes[1].legend(fontsize=8.6, loc="upper right")
    for ax in axes:
        ax.axvline(chosen, color="0.5", lw=0.9, ls="--")
        ax.set_xlabel("resolution (pixels a side)")
        ax.xaxis.set_major_locator(FixedLocator(res))
        ax.xaxis.set_minor_locator(NullLocator())
    last = chosen >= res.max()  # at the right edge the label goes to the left of the line
    axes[0].annotate("chosen", (chosen, 1.0), xycoords=("data", "axes fraction"), xytext=(-3 if last else 3, -12),
                     textcoords="offset points", fontsize=8.6, color="0.35", ha="right" if last else "left")
    return fig


def plot_learning_curve(points: dict[str, dict]):
    """Test accuracy against labelled images per class (log scale): each model's mean over seeds as a line,
    every seed as a dot. `points`: {label: {"k", "mean", "values", "model"}}."""
    fig, ax = new_figure(width=7.0, height=4.4)
    ks = sorted({k for p in points.values() for k in p["k"]})
    n = len(points)
    for i, (label, p) in enumerate(points.items()):
        colour, marker = COLOURS.get(p["model"], f"C{i}"), MARKERS.get(p["model"], "o")
        style = "--" if p["model"] == "logreg_pixels" else "-"
        ax.plot(p["k"], p["mean"], style, marker=marker, color=colour, label=label, lw=1.6, ms=5)
        offset = 1 + 0.035 * (i - (n - 1) / 2)  # spread the seeds' dots sideways so they do not hide each other
        for k, vals in zip(p["k"], p["values"]):
            ax.scatter(np.full(len(vals), k * offset), vals, s=9, color=colour, alpha=0.45, linewidths=0)
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(FixedLocator(ks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([f"{k:,}" for k in ks])
    ax.set_xlabel("labelled training images per class (log scale)")
    ax.set_ylabel("test accuracy (fraction)")
    ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2, frameon=False)
    return fig


def plot_training(history, *, title: str = ""):
    """Loss (left) and accuracy (right) per epoch on the labelled (training), validation and test images;
    the epoch of the lowest validation loss marked (the test curve is shown, never used)."""
    from matplotlib.ticker import MaxNLocator

    from mlplab.plots.curves import SPLIT_COLOR, SPLIT_LABEL, SPLIT_STYLE, _best_valid_epoch, shared_legend

    fig, axes = new_figure(1, 2, width=7.2, height=3.2)
    best = _best_valid_epoch(history)
    for ax, (name, label) in zip(axes, (("loss", "cross-entropy loss (nats)"), ("accuracy", "accuracy (fraction)"))):
        for split in ("train", "validation", "test"):
            col = f"{split}_{name}"
            if col in history and history[col].notna().any():
                ax.plot(history["epoch"], history[col], SPLIT_STYLE[split], color=SPLIT_COLOR[split], marker=".", label=
                        "labelled images" if split == "train" else SPLIT_LABEL[split])
        if best is not None:
            ax.axvline(best, color="grey", lw=0.8, alpha=0.7, label=f"lowest validation loss (epoch {best})")
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        epochs = history["epoch"].to_numpy()
        if len(epochs) <= 12:
            ax.set_xticks(epochs)  # whole epochs only, also for a run of one or two
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    shared_legend(fig, axes)  # below the panels: a legend inside would cover the converging curves
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def plot_errors(groups: list[dict], per_pair: int = 6):
    """One row per confused pair (true → predicted, how many): its misclassified test images, each with the
    model's probability for the wrong class; colour images in colour, grey ones as the chapter shows them."""
    rows = max(1, len(groups))
    fig, axes = new_figure(rows, per_pair, width=6.6, height=1.15 * rows + 0.25,
                           gridspec_kw={"wspace": 0.08, "hspace": 0.3})
    axes = np.atleast_2d(axes)
    for r, g in enumerate(groups):
        for c in range(per_pair):
            ax = axes[r, c]
            if c < len(g["images"]):
                img = as_shown(g["images"][c])
                ax.imshow(img, cmap="gray_r" if img.ndim == 2 else None, vmin=0, vmax=255)
                conf = g["confidence"][c]
                if conf == conf:  # not NaN
                    ax.set_title(f"p = {conf:.2f}", fontsize=8.6, pad=2)
        axes[r, 0].set_ylabel(f"{short(g['true'])}\n→ {short(g['predicted'])}\n({g['count']})", rotation=0,
                              ha="right", va="center", fontsize=9)
    _image_axes(axes)
    return fig
