"""Figures of the depth chapter: gradient norms per layer (log scale), training-loss curves, the
architectures' train/validation curves and their cost against accuracy."""

from __future__ import annotations

import textwrap

import numpy as np
import seaborn as sns
from matplotlib.ticker import FuncFormatter, MaxNLocator

from mlplab.plots.curves import shared_legend
from mlplab.plots.style import new_figure

PLAIN, RESIDUAL = "#D55E00", "#0072B2"  # vermilion and blue (colour-blind safe)
STYLE = {"plain_deep": (PLAIN, "-"), "residual_deep": (RESIDUAL, "-"), "plain_deep_bn": (PLAIN, "--"),
         "residual_deep_bn": (RESIDUAL, "--")}


def _style(name: str, i: int):
    return STYLE.get(name, (f"C{i % 10}", "-"))


def plot_grad_norms(entries: dict[str, dict]):
    """Two panels (at initialization, after training): each network's per-layer gradient norm (the L2
    norm of the loss gradient of the layer's weights, geometric mean over seeds), layer 1 = next to the
    input. `entries`: {name: {"label", "layers", "init", "trained"}}."""
    fig, axes = new_figure(1, 2, width=7.4, height=3.5, sharey=True)
    for ax, when, title in zip(axes, ("init", "trained"), ("at initialization", "after training")):
        for i, (name, e) in enumerate(entries.items()):
            color, ls = _style(name, i)
            norms = np.asarray(e[when], dtype=float)
            ax.plot(np.arange(1, len(norms) + 1), np.clip(norms, 1e-30, None), ls, color=color, lw=1.4, marker=".",
                    ms=4, label=e["label"])
        ax.set_yscale("log")
        ax.set_xlabel("weight layer (1: next to the input)")
        ax.set_title(title, fontsize=10)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[0].set_ylabel("gradient norm of the layer's weights")
    shared_legend(fig, axes, ncols=2)   # below the panels: inside, it covered the plain stack's curve
    return fig


def plot_train_loss(histories: dict[str, tuple[str, object]], chance_loss: float | None = None):
    """Training loss per epoch (mean over the epoch's batches) of each network, log scale, with the loss of a
    uniform guess as a reference line when given. Residual stacks get hollow squares, plain ones filled dots, so
    two stacks stuck at the same loss still show both curves. `histories`: {name: (label, history frame)}."""
    fig, ax = new_figure(height=3.4)
    if chance_loss is not None:
        ax.axhline(chance_loss, color="0.45", lw=1.0, ls=":", zorder=1,
                   label=f"a uniform guess (ln 10 = {chance_loss:.3f})")
    for i, (name, (label, h)) in enumerate(histories.items()):
        color, ls = _style(name, i)
        hollow = name.startswith("residual")
        ax.plot(h["epoch"], h["train_loss"], ls, color=color, lw=1.4, label=label, zorder=3 if hollow else 2,
                marker="s" if hollow else "o", ms=7 if hollow else 4, mfc="none" if hollow else color, mew=1.3)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))   # 2, 1, 0.6 rather than 2×10⁰, 6×10⁻¹
    ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:g}" if round(v * 10) in (2, 3, 5, 20, 30) else ""))
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("training cross-entropy (nats, log scale)")
    shared_legend(fig, [ax], ncols=2)
    return fig


def plot_arch_curves(histories: dict[str, tuple[str, object]]):
    """Left: training loss (solid) and validation loss (dashed) per epoch; right: the same for
    accuracy (training accuracy in evaluation mode on a subsample of the fit images)."""
    fig, axes = new_figure(1, 2, width=7.4, height=3.4)
    for i, (name, (label, h)) in enumerate(histories.items()):
        color = f"C{i}"
        axes[0].plot(h["epoch"], h["train_loss"], "-", color=color, label=f"{label} train")
        axes[0].plot(h["epoch"], h["validation_loss"], "--", color=color, label=f"{label} validation")
        axes[1].plot(h["epoch"], h["train_accuracy"], "-", color=color)
        axes[1].plot(h["epoch"], h["validation_accuracy"], "--", color=color)
    axes[0].set(xlabel="epoch", ylabel="cross-entropy loss (nats)")
    axes[1].set(xlabel="epoch", ylabel="accuracy (fraction)")
    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    shared_legend(fig, axes, ncols=3)
    return fig


def plot_cost(table):
    """Test accuracy against seconds per epoch; the marker's area grows with the parameter count."""
    fig, ax = new_figure(height=3.6)
    sizes = np.asarray(table["parameters"], dtype=float)
    area = 40 + 360 * sizes / max(sizes.max(), 1)
    palette = sns.color_palette(n_colors=len(table))
    for i, row in enumerate(table.itertuples(index=False)):
        ax.scatter(row[table.columns.get_loc("s/epoch")], row[table.columns.get_loc("test accuracy")], s=area[i],
                   color=palette[i], alpha=0.75, edgecolor="black", lw=0.5)
        ax.annotate(textwrap.fill(f"{row[0]} ({int(sizes[i]):,} parameters)", 26),
                    (row[table.columns.get_loc("s/epoch")], row[table.columns.get_loc("test accuracy")]),
                    xytext=(8, 6), textcoords="offset points", fontsize=7.5)
    ax.set_xlabel("seconds per epoch (this machine, this run)")
    ax.set_ylabel("test accuracy (fraction, mean over seeds)")
    ax.margins(x=0.35, y=0.25)
    return fig
