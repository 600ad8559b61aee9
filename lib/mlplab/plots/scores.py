"""Scores over outer splits or seeds, for any lab: one row per model, a point per split, the mean.

The x axis is the metric in its own units; lower-is-better metrics say so in the axis label.
"""

from __future__ import annotations

import textwrap

import numpy as np
import seaborn as sns
from matplotlib.ticker import MaxNLocator

from mlplab.plots.style import new_figure, title_with_source


def plot_split_scores(values: dict[str, list[float]], *, xlabel: str, title: str = "", synthetic: bool = False,
                      reference: float | None = None, reference_label: str = "", digits: int = 3):
    """Per-split scores (grey points) and their mean (diamond, labelled) for each model, top to bottom."""
    if not values:
        raise ValueError("values is empty: give at least one {model: [scores]}")
    fig, ax = new_figure(height=max(2.6, 0.45 * len(values) + 1.3))
    names = list(values)
    for i, n in enumerate(names):
        v = np.asarray(values[n], dtype=float)
        ax.scatter(v, np.full(len(v), i), color="grey", s=16, zorder=3)
        ax.scatter([v.mean()], [i], marker="D", color=sns.color_palette()[0], s=36, zorder=4)
        ax.text(v.mean(), i + 0.14, f"{v.mean():.{digits}f}", ha="center", va="top", fontsize=9,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 0.6}, zorder=4)
    if reference is not None:
        ax.axvline(reference, color=sns.color_palette()[3], ls="--", lw=1, label=reference_label or None)
        if reference_label:
            ax.legend(loc="best", fontsize=9)
    ax.set_yticks(range(len(names)), [textwrap.fill(n, 30) for n in names], fontsize=9.5)   # 8 pt read at about 6 pt in the PDF
    ax.set_ylim(len(names) - 0.4, -0.6)
    every = np.concatenate([np.asarray(v, dtype=float) for v in values.values()])
    if np.all(every > 0) and every.max() / every.min() > LOG_RATIO:
        # one model far off (the baseline MLP on prices: $94 against $1) would crush every other point into a corner
        from mlplab.plots.eda_nyse import plain_log

        ax.set_xscale("log")
        plain_log(ax, "x")
        xlabel += ", log scale"
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title_with_source(title, synthetic))
    return fig


LOG_RATIO = 20  # scores spanning more than this factor are drawn on a log axis


WORD_COLOURS = {"better": 2, "worse": 3, "on a par": 7, "undecided": 9, "too few runs": 7, "control": 4}


def plot_differences(labels: list[str], records: list[dict], *, xlabel: str, title: str = "", synthetic: bool = False):
    """Each change's paired difference to its reference with its 95 % interval (the noise rule's
    verdict colours the point: better or worse when the interval excludes 0, on a par when it lies inside the
    metric's margin, undecided otherwise)."""
    if not records:
        raise ValueError("records is empty: give at least one verdict record")
    fig, ax = new_figure(height=max(2.4, 0.42 * len(records) + 1.3))
    palette = sns.color_palette()
    for i, (label, r) in enumerate(zip(labels, records)):
        colour = palette[WORD_COLOURS.get(r["word"], 7)]
        if r.get("low") is not None and r.get("high") is not None:
            ax.plot([r["low"], r["high"]], [i, i], color=colour, lw=2)
        ax.scatter([r["mean_diff"]], [i], color=colour, s=30, zorder=3, label=r["word"])
    ax.axvline(0, color="0.4", lw=1, ls="--")
    handles, names = ax.get_legend_handles_labels()
    unique = dict(zip(names, handles))
    ax.legend(unique.values(), unique.keys(), loc="best", fontsize=8, title="verdict")
    ax.set_yticks(range(len(labels)), [textwrap.fill(n, 34) for n in labels], fontsize=8)
    ax.set_ylim(len(labels) - 0.4, -0.6)
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6))  # tick labels never run into each other
    if title:
        ax.set_title(title_with_source(title, synthetic))
    return fig
