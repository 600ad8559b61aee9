"""Figures of the NYSE regression results: model comparison, seed spread and error analysis.
All errors are in dollars of close price (return models are converted back first)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns

from matplotlib.ticker import FuncFormatter, NullFormatter

from mlplab.plots.style import new_figure, title_with_source


def plain_log(ax, axis: str = "both") -> None:
    """Log axes labelled 10, 100, 1,000 rather than 10^1 and crowded minor ticks like 2x10^1."""
    fmt = FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}")
    for name in ("x", "y") if axis == "both" else (axis,):
        a = getattr(ax, f"{name}axis")
        if getattr(ax, f"get_{name}scale")() == "log":
            a.set_major_formatter(fmt)
            a.set_minor_formatter(NullFormatter())


def plot_model_rmse(table: pd.DataFrame, synthetic: bool = False, log: bool | None = None):
    """Train and test RMSE per model (from experiment.metrics_table); log axis when they span decades."""
    long = table.melt(id_vars="model", value_vars=["train rmse", "test rmse"], var_name="split", value_name="rmse")
    long["split"] = long["split"].str.removesuffix(" rmse")
    fig, ax = new_figure(height=max(3.0, 0.42 * len(table) + 1.2))
    sns.barplot(data=long, y="model", x="rmse", hue="split", ax=ax, orient="h")
    spread = long["rmse"].max() / max(long["rmse"].min(), 1e-12)
    if log if log is not None else spread > 20:
        ax.set_xscale("log")
    plain_log(ax, "x")
    ax.set_xlabel("RMSE of the close (USD" + (", log scale)" if ax.get_xscale() == "log" else ")"))
    ax.set_ylabel("")
    ax.set_title(title_with_source("Train and test RMSE per model", synthetic))
    return fig


def plot_seed_spread(per_seed: pd.DataFrame, synthetic: bool = False, reference: dict | None = None):
    """Test RMSE of every seed per model (columns model, seed, rmse), with deterministic references as lines."""
    fig, ax = new_figure(height=max(2.8, 0.5 * per_seed["model"].nunique() + 1.4))
    sns.stripplot(data=per_seed, y="model", x="rmse", ax=ax, size=7, jitter=0.15, hue="model", legend=False)
    for i, (name, value) in enumerate((reference or {}).items()):
        ax.axvline(value, color=f"C{i + 5}", ls="--", lw=1, label=f"{name} ({value:,.3f})")
    if reference:
        ax.legend(loc="best")
    ax.set_xlabel("test RMSE of the close (USD)")
    ax.set_ylabel("")
    ax.set_title(title_with_source("Seed spread of the test RMSE", synthetic))
    return fig


def plot_pred_vs_actual(actual, predicted, synthetic: bool = False, label: str = "tuned MLP"):
    actual, predicted = np.asarray(actual, float), np.asarray(predicted, float)
    fig, ax = new_figure(width=5.6, height=4.6)
    ok = (actual > 0) & (predicted > 0)
    hb = ax.hexbin(actual[ok], predicted[ok], xscale="log", yscale="log", gridsize=60, bins="log", mincnt=1,
                   cmap="viridis")
    lo, hi = actual[ok].min(), actual[ok].max()
    ax.plot([lo, hi], [lo, hi], color="C3", lw=1, ls="--", label="perfect prediction")
    fig.colorbar(hb, ax=ax, label="test rows (log)")
    ax.set_xlabel("actual close (USD, log scale)")
    ax.set_ylabel("predicted close (USD, log scale)")
    ax.legend(loc="upper left")
    plain_log(ax)
    ax.set_title(title_with_source(f"Predicted vs actual close, test set ({label})", synthetic))
    return fig


def plot_residuals(actual, predicted, synthetic: bool = False):
    """Residual distribution (dollars, symmetric log x) and residual vs price level."""
    actual, predicted = np.asarray(actual, float), np.asarray(predicted, float)
    err = actual - predicted  # the glossary's residual: truth minus prediction (positive: predicted too low)
    fig, (ax1, ax2) = new_figure(1, 2)
    q = np.quantile(np.abs(err), 0.995)
    ax1.hist(np.clip(err, -q, q), bins=80, color="C0")
    ax1.set_yscale("log")
    ax1.set_xlabel("residual: actual − predicted (USD, clipped at 99.5 %)")
    ax1.set_ylabel("test rows (log scale)")
    ok = actual > 0
    ax2.hexbin(actual[ok], err[ok], xscale="log", gridsize=50, bins="log", mincnt=1, cmap="viridis")
    ax2.axhline(0, color="C3", lw=1, ls="--")
    plain_log(ax2, "x")
    ax2.set_xlabel("actual close (USD, log scale)")
    ax2.set_ylabel("residual (USD)")
    fig.suptitle(title_with_source("Residuals on the test set", synthetic))
    return fig


def plot_error_by_symbol(per_symbol: pd.DataFrame, synthetic: bool = False):
    fig, ax = new_figure(height=max(2.6, 0.3 * len(per_symbol) + 1.2))
    sns.barplot(data=per_symbol, y="symbol", x="rmse", ax=ax, color="C1")
    for i, (rmse, price) in enumerate(zip(per_symbol["rmse"], per_symbol["median close"])):
        ax.text(rmse, i, f"  median \\${price:,.0f}", va="center", fontsize=8)
    ax.set_xlabel("test RMSE of the close (USD)")
    ax.set_ylabel("")
    ax.set_title(title_with_source("Test error per symbol (largest first)", synthetic))
    return fig
