"""EDA figures of the NYSE price table. Inputs are the aggregates of mlplab.regression.eda (or the
canonical frame); every figure says in its title when the data are synthetic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns

from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from mlplab.plots.style import new_figure, title_with_source


def plain_log(ax, axis: str = "both") -> None:
    """Log axes labelled 10, 100, 1,000 rather than 10^1 and crowded minor ticks like 2x10^1."""
    fmt = FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}")
    for name in ("x", "y") if axis == "both" else (axis,):
        a = getattr(ax, f"{name}axis")
        if getattr(ax, f"get_{name}scale")() == "log":
            a.set_major_formatter(fmt)
            a.set_minor_formatter(NullFormatter())


def compact_log(ax, axis: str = "x") -> None:
    """Log axes labelled 10k, 1M, 100M: a share count written out in full (100,000,000) overlaps its neighbours."""
    def short(v, _):
        for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if v >= size:
                return f"{v / size:g}{suffix}"
        return f"{v:g}"

    a = getattr(ax, f"{axis}axis")
    a.set_major_locator(LogLocator(base=10, numticks=6))
    a.set_major_formatter(FuncFormatter(short))
    a.set_minor_formatter(NullFormatter())


PRICES = ("open", "close", "low", "high")
FEATURES = (*PRICES, "volume")


def plot_correlation(corr: pd.DataFrame, synthetic: bool = False):
    fig, ax = new_figure(width=5.6, height=4.4)
    sns.heatmap(corr, annot=True, fmt=".3f", cmap="vlag", vmin=-1, vmax=1, square=True, ax=ax,
                cbar_kws={"label": "Pearson r"})
    ax.set_title(title_with_source("Correlation of prices and volume", synthetic))
    return fig


def plot_close_volume(frame: pd.DataFrame, synthetic: bool = False, max_rows: int = 200_000, seed: int = 0):
    """The close and the volume on log-spaced bins (open, high and low look exactly like the close,
    so one price panel is enough)."""
    sample = frame.sample(max_rows, random_state=seed) if len(frame) > max_rows else frame
    fig, axes = new_figure(1, 2, height=3.4)
    for ax, col, unit, colour in zip(axes, ("close", "volume"), ("USD", "shares"), ("C0", "C2")):
        x = sample[col].to_numpy(dtype=float)
        x = x[x > 0]
        ax.hist(x, bins=np.geomspace(x.min(), x.max(), 50) if len(x) else 50, color=colour)
        ax.set_xscale("log")
        plain_log(ax, "x") if col == "close" else compact_log(ax, "x")
        ax.set_xlabel(f"{col} ({unit}, log scale)")
        ax.set_ylabel("rows" + (" (sample)" if len(frame) > max_rows else ""))
    fig.suptitle(title_with_source("Distribution of the close and the volume", synthetic))
    return fig


def plot_boxplots(frame: pd.DataFrame, synthetic: bool = False, max_rows: int = 200_000, seed: int = 0):
    """Boxplots of the five features on log axes: the four prices in USD on one panel, the volume in shares on
    the other (boxes span the quartiles, whiskers reach 1.5 × IQR beyond them, points beyond are drawn; the log axis
    only displays them, so a long right tail shows as many points above the upper whisker)."""
    sample = frame.sample(max_rows, random_state=seed) if len(frame) > max_rows else frame
    fig, axes = new_figure(1, 2, height=3.4, gridspec_kw={"width_ratios": [4, 1.3]})
    flier = {"marker": ".", "markersize": 2, "alpha": 0.4}
    prices = [sample[c].to_numpy(dtype=float) for c in PRICES]
    axes[0].boxplot([x[x > 0] for x in prices], tick_labels=list(PRICES), flierprops=flier, widths=0.6)
    axes[0].set_yscale("log")
    plain_log(axes[0], "y")
    axes[0].set_ylabel("price (USD, log scale)")
    vol = sample["volume"].to_numpy(dtype=float)
    axes[1].boxplot([vol[vol > 0]], tick_labels=["volume"], flierprops=flier, widths=0.6,
                    boxprops={"color": "C2"}, medianprops={"color": "C1"})
    axes[1].set_yscale("log")
    compact_log(axes[1], "y")
    axes[1].set_ylabel("volume (shares, log scale)")
    fig.suptitle(title_with_source("Boxplots of the prices and the volume", synthetic))
    return fig


def plot_price_trends(frame: pd.DataFrame, symbols, synthetic: bool = False):
    fig, ax = new_figure()
    sub = frame[frame["symbol"].isin(symbols)]
    sns.lineplot(data=sub, x="date", y="close", hue="symbol", hue_order=list(symbols), ax=ax, linewidth=0.9)
    ax.set_yscale("log")
    plain_log(ax, "y")
    ax.set_ylabel("close (USD, log scale)")
    ax.set_xlabel("date")
    ax.set_title(title_with_source("Daily close, cheap to expensive symbols", synthetic))
    return fig


def plot_volume_vs_price(frame: pd.DataFrame, synthetic: bool = False):
    fig, ax = new_figure()
    x, y = frame["close"].to_numpy(dtype=float), frame["volume"].to_numpy(dtype=float)
    ok = (x > 0) & (y > 0)
    hb = ax.hexbin(x[ok], y[ok], xscale="log", yscale="log", gridsize=50, bins="log", cmap="viridis", mincnt=1)
    fig.colorbar(hb, ax=ax, label="rows (log)")
    plain_log(ax, "x")
    ax.set_xlabel("close (USD, log scale)")
    ax.set_ylabel("volume (shares, log scale)")
    ax.set_title(title_with_source("Volume against price", synthetic))
    return fig


def plot_coverage(coverage: pd.DataFrame, synthetic: bool = False):
    """Symbols traded per day."""
    fig, ax = new_figure(height=3.2)
    ax.plot(coverage["date"], coverage["symbols"], color="C0")
    ax.set_ylim(0, coverage["symbols"].max() * 1.08)
    ax.set_xlabel("date")
    ax.set_ylabel("symbols with a row")
    ax.set_title(title_with_source("Date coverage: symbols per trading day", synthetic))
    return fig


def plot_sectors(sectors: pd.DataFrame, synthetic: bool = False):
    fig, ax = new_figure(height=max(2.5, 0.32 * len(sectors) + 1))
    sns.barplot(data=sectors, y="sector", x="rows", ax=ax, color="C0")
    for i, (rows, n) in enumerate(zip(sectors["rows"], sectors["symbols"])):
        ax.text(rows, i, f" {n} symbol{'s' if n != 1 else ''}", va="center", fontsize=8)
    ax.set_xlabel("rows (symbol-days)")
    ax.set_ylabel("")
    ax.set_title(title_with_source("Rows per GICS sector", synthetic))
    return fig
