"""Figures of the California chapter: the data (distributions, the capped target, the map,
correlations), the models over the outer splits, and the residuals of the tuned MLP.
Values are in $100,000 (the target's unit) unless an axis says otherwise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import LogLocator, MaxNLocator

from mlplab.california.features import LABELS
from mlplab.data.california import CAP, FEATURES, TARGET, UNITS
from mlplab.plots.regression import plain_log
from mlplab.plots.style import new_figure

VALUE_LABEL = "median house value ($100,000)"


def plot_distributions(frame: pd.DataFrame, skewed=()):
    """A histogram per feature; the columns the pipelines log-transform are drawn on a log axis."""
    # 3 × 3 at the text width (the ninth panel empty): a 2 × 4 grid 9.5 in wide printed its ticks at about 4 pt
    fig, axes = new_figure(3, 3, width=7.0, height=6.6)
    for ax in axes.ravel()[len(FEATURES):]:
        ax.set_visible(False)
    for ax, col in zip(axes.ravel(), FEATURES):
        values = frame[col].dropna().to_numpy()
        if col in skewed:
            bins = np.logspace(np.log10(max(values.min(), 1e-3)), np.log10(values.max()), 40)
            ax.hist(values, bins=bins, color="C0")
            ax.set_xscale("log")
            narrow = np.log10(values.max() / max(values.min(), 1e-3)) < 2   # ticks at 1, 2, 5 inside narrow ranges
            ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0) if narrow else (1.0,),
                                                  numticks=4))  # "1,000" and "10,000" ran together at this width
            plain_log(ax, "x")
        else:
            ax.hist(values, bins=40, color="C0")
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4))  # "−122.5 −120.0 …" ran together at this width
        parts = [u for u in (UNITS[col] if UNITS[col] != LABELS[col] else "", "log axis" if col in skewed else "") if u]
        ax.set_xlabel(LABELS[col] + (f"\n({', '.join(parts)})" if parts else ""), fontsize=9)
        ax.tick_params(labelsize=8)
    for ax in axes[:, 0]:
        ax.set_ylabel("block groups")
    return fig


def plot_target(frame: pd.DataFrame):
    """The target's histogram with the census ceiling marked."""
    y = frame[TARGET].to_numpy()
    capped = int((y >= CAP - 1e-9).sum())
    fig, ax = new_figure(height=3.4)
    ax.hist(y, bins=np.linspace(0, CAP + 0.1, 52), color="C0")
    ax.axvline(CAP, color="C3", ls="--", lw=1.2, label=f"census ceiling {CAP} ({capped:,} block groups)")
    ax.set_xlabel(VALUE_LABEL)
    ax.set_ylabel("block groups")
    ax.legend(loc="upper right")
    return fig


def plot_map(frame: pd.DataFrame):
    """Block groups at their coordinates, coloured by median house value."""
    fig, ax = new_figure(width=6.0, height=5.2)
    order = np.argsort(frame[TARGET].to_numpy())
    sc = ax.scatter(frame["Longitude"].to_numpy()[order], frame["Latitude"].to_numpy()[order],
                    c=frame[TARGET].to_numpy()[order], s=2, cmap="viridis", linewidths=0)
    cb = fig.colorbar(sc, ax=ax)
    cb.set_label(VALUE_LABEL)
    ax.set_xlabel("longitude (degrees east)")
    ax.set_ylabel("latitude (degrees north)")
    ax.set_aspect("equal", adjustable="box")
    return fig


def plot_correlations(frame: pd.DataFrame):
    """Spearman (rank) correlations between every pair of columns."""
    cols = [*FEATURES, TARGET]
    corr = frame[cols].corr(method="spearman")
    fig, ax = new_figure(width=6.4, height=5.4)
    sns.heatmap(corr, ax=ax, cmap="vlag", vmin=-1, vmax=1, annot=True, fmt=".2f", annot_kws={"size": 7},
                cbar_kws={"label": "Spearman r"}, square=True)
    ax.tick_params(labelsize=8)
    return fig


def plot_split_scores(per_split: pd.DataFrame, *, goal: float | None = None, metric_label: str = "test RMSE ($100,000)"):
    """Each model's score on every outer split (points) and its mean (bar); columns model, split, value."""
    models = list(dict.fromkeys(per_split["model"]))
    means = per_split.groupby("model", sort=False)["value"].mean().reindex(models)
    fig, ax = new_figure(height=max(2.8, 0.45 * len(models) + 1.2))
    y = np.arange(len(models))
    ax.barh(y, means.to_numpy(), color="0.85", label="mean over splits")
    for j, (split, sub) in enumerate(per_split.groupby("split")):
        pos = [models.index(m) for m in sub["model"]]
        ax.scatter(sub["value"].to_numpy(), np.asarray(pos) + (j - 1) * 0.12, s=18, color=f"C{j}", zorder=3,
                   label=f"split {split}")
    if goal is not None:
        ax.axvline(goal, color="C3", ls="--", lw=1, label=f"goal {goal:g}")
    ax.set_yticks(y, models)
    ax.invert_yaxis()
    ax.set_xlabel(metric_label)
    ax.legend(loc="lower right", fontsize=8)
    return fig


def plot_residuals(res: pd.DataFrame):
    """Residual (truth − prediction) against the prediction; capped rows in a second colour."""
    fig, ax = new_figure(height=4.0)
    other, cap = res[~res["capped"]], res[res["capped"]]
    ax.scatter(other["prediction"], other["residual"], s=3, alpha=0.35, color="C0", linewidths=0,
               label=f"other rows ({len(other):,})")
    ax.scatter(cap["prediction"], cap["residual"], s=5, alpha=0.7, color="C3", linewidths=0,
               label=f"capped rows ({len(cap):,})")
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set_xlabel("prediction ($100,000)")
    ax.set_ylabel("residual: truth − prediction ($100,000)")
    ax.legend(loc="lower left", fontsize=8, markerscale=3)
    return fig


def plot_residual_map(res: pd.DataFrame):
    """Residuals at the block groups' coordinates: red where the model predicts too low."""
    fig, ax = new_figure(width=6.0, height=5.2)
    lim = float(np.quantile(np.abs(res["residual"]), 0.98)) or 1.0
    order = np.argsort(np.abs(res["residual"].to_numpy()))
    sc = ax.scatter(res["Longitude"].to_numpy()[order], res["Latitude"].to_numpy()[order],
                    c=res["residual"].to_numpy()[order], s=4, cmap="RdBu_r", vmin=-lim, vmax=lim, linewidths=0)
    cb = fig.colorbar(sc, ax=ax)
    cb.set_label("residual: truth − prediction ($100,000)")
    ax.set_xlabel("longitude (degrees east)")
    ax.set_ylabel("latitude (degrees north)")
    ax.set_aspect("equal", adjustable="box")
    return fig


def plot_deciles(table: pd.DataFrame):
    """RMSE and mean residual per decile of median income."""
    fig, axes = new_figure(1, 2, width=8.0, height=3.2)
    x = table["decile"].to_numpy()
    axes[0].bar(x, table["RMSE"].to_numpy(), color="C0")
    axes[0].set_ylabel("RMSE ($100,000)")
    axes[1].bar(x, table["mean residual"].to_numpy(), color=np.where(table["mean residual"] > 0, "C3", "C0"))
    axes[1].axhline(0, color="0.3", lw=0.8)
    axes[1].set_ylabel("mean residual ($100,000)")
    for ax in axes:
        ax.set_xlabel("median-income decile (1 = lowest)")
        ax.set_xticks(x)
    return fig
