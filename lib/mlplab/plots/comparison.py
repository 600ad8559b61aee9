"""Figures of the comparison chapter: both tasks side by side."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlplab.plots.style import new_figure


def plot_normalized_curves(histories: dict[str, dict]):
    """Train/test loss of each task's tuned model, each divided by its first-epoch train loss."""
    fig, axes = new_figure(1, len(histories), width=7.0, height=3.4, squeeze=False)
    for ax, (task, hist) in zip(axes[0], histories.items()):
        train = np.asarray(hist.get("train_loss", []), dtype=float)
        if train.size == 0:
            ax.set_visible(False)
            continue
        epochs = np.arange(1, train.size + 1)
        scale = train[0] if train[0] else 1.0
        ax.plot(epochs, train / scale, label="train")
        test = np.asarray(hist.get("test_loss", []), dtype=float)
        if test.size == train.size and np.isfinite(test).any():
            ax.plot(epochs, test / scale, label="test", linestyle="--")
        ax.set_title(task)
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss / first-epoch train loss")
        ax.legend()
    return fig


def plot_regularization_deltas(table: pd.DataFrame):
    """Change of the headline test metric per regularizer, one panel per task."""
    tasks = list(dict.fromkeys(table["task"]))
    fig, axes = new_figure(1, max(1, len(tasks)), width=7.0, height=3.2, squeeze=False)
    for ax, task in zip(axes[0], tasks):
        sub = table[table["task"] == task]
        flat = sub["within seed spread"] if "within seed spread" in sub else [False] * len(sub)
        colors = ["0.65" if f else "#55A868" if h else "#C44E52" for h, f in zip(sub["helped"], flat)]
        ax.barh(sub["variant"], sub["Δ test vs unregularized"], color=colors)
        ax.axvline(0, color="0.3", lw=0.8)
        metric = next(c for c in sub.columns if c.startswith("test ") and sub[c].notna().any()).removeprefix("test ")
        ax.set_xlabel(f"Δ test {metric} vs unregularized")
        ax.set_title(task)
    fig.text(0.5, -0.02, "green: better, red: worse, grey: within the seed spread", ha="center", va="top", fontsize=9,
             color="0.3")
    return fig
