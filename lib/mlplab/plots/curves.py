"""Training curves from `mlplab.training.history_frame`: loss and metrics per epoch, train/valid/test.

The best validation epoch (the one early stopping restores) is marked, so a reader sees that the
choice was made on validation, not on test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlplab.plots.style import new_figure

SPLITS = ("train", "valid", "test")
SPLIT_STYLE = {"train": "-", "valid": "--", "test": ":"}
METRICS = {"regression": ("r2",), "classification": ("accuracy", "macro_f1")}
LABELS = {
    "r2": "R² (unitless)",
    "accuracy": "accuracy (fraction)",
    "macro_f1": "macro-F1 (fraction)",
}
LOSS_LABEL = {
    "regression": "MSE loss (standardized target²)",
    "classification": "cross-entropy loss (nats)",
}


def plot_curves(history: pd.DataFrame, task: str, title: str = ""):
    """One panel for the loss and one per metric, each with the splits the history has."""
    if task not in METRICS:
        raise ValueError(f"task must be 'regression' or 'classification', got {task!r}")
    _require(history, ["epoch", "train_loss"])
    panels = [("loss", LOSS_LABEL[task])] + [(m, LABELS[m]) for m in METRICS[task]]
    fig, axes = new_figure(1, len(panels), width=3.6 * len(panels), height=3.4)
    axes = np.atleast_1d(axes)
    best = _best_valid_epoch(history)
    for ax, (name, ylabel) in zip(axes, panels):
        for split in SPLITS:
            col = f"{split}_{name}"
            if col in history and history[col].notna().any():
                ax.plot(history["epoch"], history[col], SPLIT_STYLE[split], label=split)
        if best is not None:
            ax.axvline(best, color="grey", linewidth=0.8, alpha=0.7, label=f"best valid (epoch {best})")
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        ax.legend()
    if title:
        fig.suptitle(title)
    return fig


def plot_curves_compare(histories: dict[str, pd.DataFrame], metric: str, split: str = "test"):
    """Overlay one curve per model (e.g. the regularization study) for `<split>_<metric>`;
    metric may be 'loss'."""
    if not histories:
        raise ValueError("histories is empty: give at least one {name: history_frame}")
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    col = f"{split}_{metric}"
    fig, ax = new_figure()
    for name, history in histories.items():
        _require(history, ["epoch", col], who=name)
        ax.plot(history["epoch"], history[col], label=name)
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"{split} {LABELS.get(metric, 'loss' if metric == 'loss' else metric)}")
    ax.legend(title="model")
    return fig


def _best_valid_epoch(history: pd.DataFrame) -> int | None:
    if "valid_loss" not in history or history["valid_loss"].isna().all():
        return None
    return int(history.loc[history["valid_loss"].idxmin(), "epoch"])


def _require(history: pd.DataFrame, columns: list[str], who: str = "history") -> None:
    missing = [c for c in columns if c not in history or history[c].isna().all()]
    if missing:
        raise ValueError(f"{who} has no values in column(s) {', '.join(missing)}; "
                         f"columns present: {', '.join(history.columns)}")
