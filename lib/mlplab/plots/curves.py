"""Training curves from `mlplab.training.history_frame`: loss and metrics per epoch.

Curves: train (fit rows), validation (the rows that compare models), test (shown, never chosen
on), and, when early stopping ran, its own slice of the fit rows ("stopping slice"). The epoch with
the lowest validation loss is marked, so a reader sees that choices are made on validation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from mlplab.plots.style import new_figure

SPLITS = ("train", "valid", "validation", "test")
SPLIT_STYLE = {"train": "-", "valid": "-.", "validation": "--", "test": ":"}
# one colour per part in every panel: a panel without a training curve must not shift the colours (a metric panel
# drew validation in the training colour and test in the validation colour)
SPLIT_COLOR = {"train": "C0", "valid": "C3", "validation": "C1", "test": "C2"}
SPLIT_LABEL = {"train": "train (fit rows)", "valid": "stopping slice", "validation": "validation", "test": "test"}
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


def plot_curves(history: pd.DataFrame, task: str, title: str = "", loss_label: str | None = None,
                metric_labels: dict | None = None):
    """One panel for the loss and one per metric, each with the splits the history has."""
    if task not in METRICS:
        raise ValueError(f"task must be 'regression' or 'classification', got {task!r}")
    _require(history, ["epoch", "train_loss"])
    labels = {**LABELS, **(metric_labels or {})}
    panels = [("loss", loss_label or LOSS_LABEL[task])] + [(m, labels[m]) for m in METRICS[task]]
    # at most two panels a row, at the text width: four in a row were 14 in wide and printed at about 4 pt
    cols = min(2, len(panels))
    rows = -(-len(panels) // cols)
    fig, axes = new_figure(rows, cols, width=7.0, height=3.1 * rows, squeeze=False)
    axes = axes.ravel()
    for ax in axes[len(panels):]:
        fig.delaxes(ax)
    axes = axes[:len(panels)]
    best = _best_valid_epoch(history)
    for ax, (name, ylabel) in zip(axes, panels):
        for split in SPLITS:
            col = f"{split}_{name}"
            if col in history and history[col].notna().any():
                ax.plot(history["epoch"], history[col], SPLIT_STYLE[split], color=SPLIT_COLOR[split],
                        label=SPLIT_LABEL[split])
        if best is not None:
            ax.axvline(best, color="grey", linewidth=0.8, alpha=0.7, label=f"lowest validation loss (epoch {best})")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole: no 1.5 tick on a short run
        ax.set_ylabel(ylabel)
    shared_legend(fig, axes)
    if title:
        fig.suptitle(title)
    return fig


def shared_legend(fig, axes, ncols: int | None = None):
    """One legend for all panels, below them (outside the data): every distinct label once, in order."""
    seen: dict[str, object] = {}
    for ax in np.atleast_1d(axes).ravel():
        for handle, label in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(label, handle)
    if not seen:
        return None
    return fig.legend(list(seen.values()), list(seen), loc="outside lower center", ncols=ncols or min(len(seen), 4),
                      fontsize=8, frameon=False)


def plot_curves_compare(histories: dict[str, pd.DataFrame], metric: str, split: str = "validation",
                        ylabel: str | None = None, ncols: int = 1):
    """Overlay one curve per model (e.g. the regularization study) for `<split>_<metric>`;
    metric may be 'loss'."""
    if not histories:
        raise ValueError("histories is empty: give at least one {name: history_frame}")
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    col = f"{split}_{metric}"
    fig, ax = new_figure()
    for k, (name, history) in enumerate(histories.items()):
        _require(history, ["epoch", col], who=name)
        # a line style per curve too: five or six colours of one palette include look-alike oranges (Figure 5.13)
        ax.plot(history["epoch"], history[col], label=name, ls=("-", "--", "-.", ":")[k % 4], lw=1.5)
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(ylabel or f"{SPLIT_LABEL[split]} {LABELS.get(metric, 'loss' if metric == 'loss' else metric)}")
    ax.legend(title="model", ncols=ncols, fontsize=9)
    return fig


def _best_valid_epoch(history: pd.DataFrame) -> int | None:
    for col in ("validation_loss", "valid_loss"):
        if col in history and history[col].notna().any():
            return int(history.loc[history[col].idxmin(), "epoch"])
    return None


def _require(history: pd.DataFrame, columns: list[str], who: str = "history") -> None:
    missing = [c for c in columns if c not in history or history[c].isna().all()]
    if missing:
        raise ValueError(f"{who} has no values in column(s) {', '.join(missing)}; "
                         f"columns present: {', '.join(history.columns)}")
