"""Figures of the air-quality chapter (house style: mlplab.plots.style)."""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import seaborn as sns

from mlplab.plots.style import new_figure

PERIOD_COLORS = {"fit": "#ffffff", "validation": "#fdd49e", "test": "#c6dbef"}


def _unit(col: str, units: dict) -> str:
    u = units.get(col, "")
    return f"{col} ({u})" if u else col


def plot_overview(frame: pd.DataFrame, bounds: dict[str, tuple[int, int]], columns, units: dict):
    """A few series over the whole year (daily means, so the seasons show), periods shaded."""
    cols = [c for c in columns if c in frame]
    fig, axes = new_figure(len(cols), 1, height=1.6 * len(cols) + 0.8, sharex=True)
    axes = np.atleast_1d(axes)
    daily = frame[cols].resample("D").mean()
    for ax, col in zip(axes, cols):
        for name, (a, b) in bounds.items():
            if name != "fit":
                ax.axvspan(frame.index[a], frame.index[b - 1], color=PERIOD_COLORS[name], alpha=0.8, lw=0,
                           label=f"{name} period")
        ax.plot(daily.index, daily[col], lw=0.9, color="0.2")
        ax.set_ylabel(_unit(col, units), fontsize=8)
        ax.tick_params(labelsize=8)
    axes[0].legend(fontsize=7, loc="upper left", ncols=2)
    axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    axes[-1].set_xlabel("date (daily means of the hourly values; gaps: no measurement that day)")
    return fig


def plot_autocorrelation(acf: pd.DataFrame):
    """Heatmap: one row per series, one column per lag in hours."""
    fig, ax = new_figure(height=4.2)
    sns.heatmap(acf.T, ax=ax, cmap="vlag", vmin=-1, vmax=1, cbar_kws={"label": "autocorrelation (unitless)"})
    ticks = [t for t in (1, 12, 24, 36, 48, 60, 72) if t <= acf.index.max()]
    ax.set_xticks([t - 0.5 for t in ticks], [str(t) for t in ticks], rotation=0)
    ax.set_xlabel("lag (hours)")
    ax.set_ylabel("")
    ax.tick_params(labelsize=8)
    return fig


def plot_correlation(corr: pd.DataFrame):
    fig, ax = new_figure(height=5.6, width=6.6)
    sns.heatmap(corr, ax=ax, cmap="vlag", vmin=-1, vmax=1, annot=True, fmt=".2f", annot_kws={"fontsize": 6},
                cbar_kws={"label": "Pearson correlation (unitless)"}, square=True)
    ax.tick_params(labelsize=7)
    return fig


def plot_horizons(table: pd.DataFrame, horizons, labels: dict[str, str], reference: float | None = None,
                  reference_label: str = ""):
    """Test mean R² against the horizon, one line per model, error bars = standard deviation over seeds."""
    fig, ax = new_figure()
    hs = [f"{int(h)}h" for h in horizons]
    for row in table.itertuples(index=False):
        d = row._asdict()
        y = [table.loc[table["model"] == d["model"], f"test R² {h}"].iloc[0] for h in hs]
        e = [table.loc[table["model"] == d["model"], f"± {h}"].iloc[0] for h in hs]
        ax.errorbar([int(h) for h in horizons], y, yerr=e, marker="o", ms=4, capsize=3, lw=1.2,
                    label=labels.get(d["model"], d["model"]))
    if reference is not None:
        ax.axhline(reference, color="0.3", ls=":", lw=1, label=reference_label)
    ax.set_xscale("log")
    ax.set_xticks([int(h) for h in horizons], [f"{int(h)} h" for h in horizons])
    ax.set_xlabel("forecast horizon (hours, log scale)")
    ax.set_ylabel("test R², mean over the series (unitless)")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.legend(fontsize=7, ncols=2)
    return fig


def plot_features(table: pd.DataFrame, a: str, b: str, labels: dict[str, str]):
    """Test R² per series for two models (horizontal bars)."""
    fig, ax = new_figure(height=0.32 * len(table) + 1.2)
    y = np.arange(len(table))
    colors = sns.color_palette()
    ax.barh(y - 0.2, table[f"R² {a}"], height=0.4, color=colors[0], label=labels.get(a, a))
    ax.barh(y + 0.2, table[f"R² {b}"], height=0.4, color=colors[1], label=labels.get(b, b))
    ax.set_yticks(y, table["series"], fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_xlabel("test R² (unitless)")
    ax.legend(fontsize=8)
    return fig


def plot_forecast(times, truth: np.ndarray, forecasts: dict[str, np.ndarray], ylabel: str, hours: int = 168):
    """Measured values and forecasts over the first `hours` target hours of the test period."""
    fig, ax = new_figure(height=3.4)
    t = pd.DatetimeIndex(times)[:hours]
    ax.plot(t, truth[:hours], color="0.2", lw=1.2, label="measured")
    for name, pred in forecasts.items():
        ax.plot(t, pred[:hours], lw=1, label=name)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("target hour")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax.legend(fontsize=8)
    return fig


def plot_deltas(rows: pd.DataFrame, xlabel: str, *, name: str = "change", delta: str = "Δ test R²",
                word: str = "noise rule"):
    """Forest plot: each row's mean difference (`delta`) with its interval (`low`, `high`), coloured by `word`."""
    fig, ax = new_figure(height=0.45 * len(rows) + 1.3)
    colors = {"better": sns.color_palette()[2], "worse": sns.color_palette()[3]}
    for i, r in enumerate(rows.to_dict("records")):
        c = colors.get(r[word], "0.4")
        if r["low"] is not None and np.isfinite(r["low"]):
            ax.plot([r["low"], r["high"]], [i, i], color=c, lw=2)
        ax.scatter([r[delta]], [i], color=c, zorder=3, s=30)
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_yticks(range(len(rows)), rows[name], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    return fig
