"""Figures of the wildfire chapter: classes per region, the season, features per class, correlations,
feature sets, the protocol contrast, ROC/PR curves and the confusion matrix."""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import seaborn as sns
from sklearn.metrics import auc, precision_recall_curve, roc_curve

from mlplab.data.wildfire import FWI, LABELS, REGIONS, SOURCE_NAMES, UNITS, WEATHER
from mlplab.plots.style import new_figure

CLASS_COLORS = {"not fire": "#4C72B0", "fire": "#C44E52"}


def plot_classes(counts: pd.DataFrame):
    """Rows per class in each region (from features.class_counts)."""
    sub = counts[counts["region"].isin(REGIONS)]
    fig, ax = new_figure(height=3.0)
    x = np.arange(len(sub))
    for j, lab in enumerate(LABELS):
        ax.bar(x + (j - 0.5) * 0.38, sub[lab].to_numpy(), width=0.38, color=CLASS_COLORS[lab], label=lab)
        for xi, v in zip(x, sub[lab].to_numpy()):
            ax.text(xi + (j - 0.5) * 0.38, v + 1, str(int(v)), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, sub["region"])
    ax.set_ylabel("days (rows)")
    ax.legend(loc="upper left")
    return fig


def plot_season(frame: pd.DataFrame, index: str = "fwi"):
    """One panel per region: the index per day of the 2012 season, each day coloured by its class."""
    fig, axes = new_figure(2, 1, width=7.5, height=4.8, sharex=True)
    for ax, region in zip(axes, REGIONS):
        sub = frame[frame["region"] == region]
        ax.plot(sub["date"], sub[index], color="0.6", lw=0.8)
        for lab in LABELS:
            s = sub[sub["label"] == lab]
            ax.scatter(s["date"], s[index], s=10, color=CLASS_COLORS[lab], label=lab, zorder=3)
        ax.set_ylabel(f"{SOURCE_NAMES[index]} ({UNITS[index]})")
        ax.set_title(region, fontsize=10)
    axes[0].legend(loc="upper left", fontsize=8)
    axes[1].xaxis.set_major_locator(mdates.MonthLocator())
    axes[1].xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    axes[1].set_xlabel("day (2012)")
    return fig


def plot_features(frame: pd.DataFrame):
    """Every feature by class (box) and region (colour)."""
    cols = [*WEATHER, *FWI]
    # 3 × 4 at the text width (two panels empty): a 2 × 5 grid 10 in wide printed its ticks at about 4 pt
    fig, axes = new_figure(3, 4, width=7.0, height=7.2)
    for ax in axes.ravel()[len(cols):]:
        ax.set_visible(False)
    for ax, col in zip(axes.ravel(), cols):
        sns.boxplot(data=frame, x="label", y=col, hue="region", order=list(LABELS), hue_order=list(REGIONS), ax=ax,
                    fliersize=2, linewidth=0.8)
        ax.set_xlabel("")
        ax.set_ylabel(f"{SOURCE_NAMES[col]} ({UNITS[col]})", fontsize=9)
        ax.tick_params(labelsize=8)
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    handles, labels = axes.ravel()[0].get_legend_handles_labels()
    spare = axes.ravel()[len(cols)]  # the first empty panel holds the legend: below the grid it covered tick labels
    spare.set_visible(True)
    spare.axis("off")
    spare.legend(handles, labels, loc="center", fontsize=9, title="region", title_fontsize=9, frameon=False)
    return fig


def plot_correlations(frame: pd.DataFrame):
    cols = [*WEATHER, *FWI, "fire"]
    corr = frame[cols].corr(method="spearman")
    corr.index = corr.columns = [SOURCE_NAMES.get(c, "fire (1/0)") for c in cols]
    fig, ax = new_figure(width=6.4, height=5.4)
    sns.heatmap(corr, ax=ax, cmap="vlag", vmin=-1, vmax=1, annot=True, fmt=".2f", annot_kws={"size": 7},
                cbar_kws={"label": "Spearman r"}, square=True)
    ax.tick_params(labelsize=8)
    return fig


def _paired_bars(table: pd.DataFrame, pairs, xlabel: str, xmax: float):
    """Two horizontal bars per row of `table`: [(column, sd column or None, colour, legend label), ...]."""
    fig, ax = new_figure(height=max(2.6, 0.55 * len(table) + 1.6))
    y = np.arange(len(table))
    for k, (col, sd, colour, label) in enumerate(pairs):
        ax.barh(y + (k - 0.5) * 0.4, table[col], xerr=None if sd is None else table[sd], height=0.4, color=colour,
                label=label)
    ax.set_yticks(y, table["model"])
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_xlim(0, xmax)
    # below the axes: at the lower right it covered the longest bars (Figures 6.6 and 6.11)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=2, fontsize=9, frameon=False)
    return fig


def plot_feature_sets(table: pd.DataFrame, metric_label: str = "test macro-F1"):
    """Mean score of each model with weather only and with the FWI indices (columns model, weather only,
    weather + FWI)."""
    return _paired_bars(table, [("weather only", None, "#8C8C8C", "weather only"),
                                ("weather + FWI", None, "#DD8452", "weather + FWI indices")],
                        f"{metric_label} (mean over outer splits; higher is better)", 1.0)


def plot_contrast(table: pd.DataFrame, metric_label: str = "test macro-F1"):
    """The fixed models' score grouped by day against random rows (mean ± SD over outer splits)."""
    return _paired_bars(table, [("grouped by day", "grouped SD", "#4C72B0", "grouped by day (headline)"),
                                ("random rows", "random SD", "#CCB974", "random rows (contrast)")],
                        f"{metric_label} (mean ± SD over outer splits)", 1.05)


def plot_roc_pr(pools: dict[str, pd.DataFrame]):
    """ROC and precision-recall curves of 'fire' for each model's pooled test predictions."""
    fig, axes = new_figure(1, 2, width=7.0, height=3.6)
    for name, pool in pools.items():
        y, p = pool["truth"].to_numpy(), pool["p_fire"].to_numpy()
        fpr, tpr, _ = roc_curve(y, p)
        prec, rec, _ = precision_recall_curve(y, p)
        axes[0].plot(fpr, tpr, label=f"{name} (AUC {auc(fpr, tpr):.3f})")
        axes[1].plot(rec, prec, label=name)
    axes[0].plot([0, 1], [0, 1], color="0.6", ls=":", lw=1)
    axes[0].set_xlabel("false-positive rate")
    axes[0].set_ylabel("true-positive rate (recall of fire)")
    axes[1].set_xlabel("recall of fire")
    axes[1].set_ylabel("precision of fire")
    # one legend below both panels (8.5 in wide with two 7 pt legends, they printed at about 4 pt)
    from mlplab.plots.curves import shared_legend

    shared_legend(fig, axes[0], ncols=2)  # two columns: one row of long labels made the image wider than the page
    return fig


def plot_confusion(pool: pd.DataFrame, names: dict):
    from sklearn.metrics import confusion_matrix

    cm = confusion_matrix(pool["truth"], pool["prediction"], labels=[0, 1])
    fig, ax = new_figure(width=4.2, height=3.6)
    labels = [names[0], names[1]]
    sns.heatmap(cm, annot=True, fmt="d", cmap="Blues", cbar=False, xticklabels=labels, yticklabels=labels, ax=ax)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    return fig
