"""Figures of the taxi anomaly chapter (house style: mlplab.plots.style)."""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import seaborn as sns

from mlplab.plots.style import new_figure

UNIT = "passengers per 30 min"
SHADE = "#f4a582"


def _shade(ax, windows: pd.DataFrame, label: bool = True) -> None:
    for k, w in enumerate(windows.itertuples()):
        ax.axvspan(w.start, w.end, color=SHADE, alpha=0.35, lw=0, label="labelled window" if label and k == 0 else None)


def _dates(ax) -> None:
    ax.xaxis.set_major_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))


def plot_series(times: pd.DatetimeIndex, values: np.ndarray, windows: pd.DataFrame, starts: dict[str, list],
                train_end, tail_start):
    """The series with labelled windows shaded and the periods marked (top); one row of alarm-event starts per
    detector (bottom): filled where the event starts inside a window, open where it is a false alarm."""
    fig, (ax, strip) = new_figure(2, 1, height=5.2, sharex=True, gridspec_kw={"height_ratios": [3, 1.3]})
    ax.plot(times, values, lw=0.5, color="0.25")
    _shade(ax, windows)
    ax.axvline(tail_start, color="0.5", ls=":", lw=1, label="validation tail starts")
    ax.axvline(train_end, color="0.2", ls="--", lw=1, label="evaluation starts")
    ax.set_ylabel(UNIT)
    ax.legend(loc="upper left", fontsize=8, ncols=3)
    _shade(strip, windows, label=False)
    colors = sns.color_palette()
    for i, (name, ts) in enumerate(starts.items()):
        ts = pd.DatetimeIndex(ts)
        inside = np.array([any(w.start <= t <= w.end for w in windows.itertuples()) for t in ts], dtype=bool)
        strip.scatter(ts[inside], np.full(inside.sum(), i), color=colors[i], s=28, marker="o", zorder=3)
        strip.scatter(ts[~inside], np.full((~inside).sum(), i), facecolors="none", edgecolors=colors[i], s=28, zorder=3)
    strip.set_yticks(range(len(starts)), list(starts), fontsize=8)
    strip.set_ylim(len(starts) - 0.5, -0.5)
    strip.set_xlabel("date (filled: event starts in a window; open: false alarm)")
    strip.set_xlim(times[0], times[-1])
    _dates(strip)
    return fig


def plot_reconstruction(times: pd.DatetimeIndex, values: np.ndarray, reconstruction: np.ndarray, windows: pd.DataFrame,
                        event_starts: list, margin_days: float = 1.0):
    """One panel per labelled window (± `margin_days`): actual counts, the reconstruction, alarm-event starts."""
    n = len(windows)
    cols = min(3, n)
    rows = int(np.ceil(n / cols))
    fig, axes = new_figure(rows, cols, height=2.6 * rows, squeeze=False)
    colors = sns.color_palette()
    for k, (ax, w) in enumerate(zip(axes.ravel(), windows.itertuples())):
        lo, hi = w.start - pd.Timedelta(days=margin_days), w.end + pd.Timedelta(days=margin_days)
        m = (times >= lo) & (times <= hi)
        ax.plot(times[m], values[m], lw=0.9, color="0.2", label="actual")
        ax.plot(times[m], reconstruction[m], lw=0.9, color=colors[2], label="reconstruction")
        ax.axvspan(w.start, w.end, color=SHADE, alpha=0.3, lw=0)
        ax.axvline(w.label, color="0.4", ls=":", lw=1, label="NAB label")
        for t in event_starts:
            if lo <= t <= hi:
                ax.axvline(t, color=colors[3], lw=1.2, label="alarm event starts")
        ax.set_title(w.name, fontsize=9)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
        ax.xaxis.set_major_locator(mdates.DayLocator(interval=2))
        ax.tick_params(labelsize=7)
        if k % cols == 0:
            ax.set_ylabel(UNIT, fontsize=8)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    handles, labels = [], []
    for ax in axes.ravel()[:n]:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(handles, labels, loc="lower center", ncols=4, fontsize=8, bbox_to_anchor=(0.5, -0.04))
    return fig


def plot_score_distributions(scores: dict[str, tuple[np.ndarray, np.ndarray, float]], units: dict[str, str]):
    """Per detector: histogram of its scores on the validation tail and on the evaluation period, threshold dashed."""
    fig, axes = new_figure(1, len(scores), width=3.0 * len(scores), height=3.2)
    axes = np.atleast_1d(axes)
    colors = sns.color_palette()
    for ax, (name, (tail, ev, thr)) in zip(axes, scores.items()):
        tail, ev = tail[np.isfinite(tail)], ev[np.isfinite(ev)]
        bins = np.linspace(0, max(np.max(ev), thr) * 1.02, 50)
        ax.hist(ev, bins=bins, color=colors[0], alpha=0.6, label="evaluation")
        ax.hist(tail, bins=bins, color=colors[1], alpha=0.7, label="validation tail")
        ax.axvline(thr, color="0.1", ls="--", lw=1, label="threshold")
        ax.set_yscale("log")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel(units.get(name, "score"), fontsize=8)
    axes[0].set_ylabel("half-hours (log scale)")
    axes[0].legend(fontsize=7)
    return fig


def plot_seed_counts(per_seed: dict, baseline_windows: int, baseline_alarms: int, baseline_label: str, need: int):
    """Windows detected and false alarms of the autoencoder per seed, the best baseline and the goal marked."""
    fig, (a, b) = new_figure(1, 2, height=3.0)
    seeds = [str(s) for s in per_seed["seed"]]
    colors = sns.color_palette()
    a.bar(seeds, per_seed["windows_detected"], color=colors[2])
    a.axhline(baseline_windows, color=colors[1], ls="--", lw=1, label=baseline_label)
    a.axhline(need, color="0.3", ls=":", lw=1, label=f"goal: {need} windows")
    a.set_ylabel("windows detected (count)")
    b.bar(seeds, per_seed["false_alarms"], color=colors[3])
    b.axhline(baseline_alarms, color=colors[1], ls="--", lw=1, label=baseline_label)
    b.set_ylabel("false alarms (count)")
    for ax in (a, b):
        ax.set_xlabel("autoencoder seed")
        ax.legend(fontsize=7)
    a.set_ylim(0, max(5, max(per_seed["windows_detected"])) * 1.3)
    b.set_ylim(0, max(baseline_alarms, max(per_seed["false_alarms"]), 1) * 1.3)
    return fig
