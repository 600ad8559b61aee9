"""EDA figures of the predictive-maintenance table (class balance, correlations, distributions, outliers)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from mlplab.classification.features import LABEL, PHYSICS, RAW_NUMERIC, UNITS, add_physics
from mlplab.plots.style import apply_style, new_figure, title_with_source

SHORT = {"No Failure": "None", "Heat Dissipation Failure": "HDF", "Power Failure": "PWF",
         "Overstrain Failure": "OSF", "Tool Wear Failure": "TWF", "Random Failures": "RNF"}


def abbreviations() -> str:
    """The failure types' short names the figures use, spelled out once per caption."""
    return ("None: no failure; " + "; ".join(f"{short}: {name.lower()}" for name, short in SHORT.items()
                                             if name != "No Failure") + ".")


def _label(col: str) -> str:
    """A feature as a reader names it, with its unit: 'torque [Nm]', not 'torque_nm [Nm]'."""
    from mlplab.classification.features import WORDS

    return f"{WORDS.get(col, col)} [{UNITS[col]}]" if col in UNITS else col


def plot_class_distribution(counts: pd.DataFrame, synthetic: bool = False):
    """Rows per failure type on a log axis (the classes span three orders of magnitude)."""
    fig, ax = new_figure()
    df = counts.sort_values("rows")
    ax.barh(df["failure type"], df["rows"], color=sns.color_palette()[0])
    ax.set_xscale("log")
    for y, n in enumerate(df["rows"]):
        ax.text(n * 1.08, y, f"{n:,}", va="center", fontsize=9)
    ax.set_xlabel("rows (log scale)")
    ax.set_title(title_with_source("Failure types", synthetic))
    ax.set_xlim(right=df["rows"].max() * 3)
    return fig


def plot_correlation(frame: pd.DataFrame, synthetic: bool = False):
    """Pearson correlations of the numeric and physics features with one 0/1 column per failure type."""
    df = add_physics(frame)
    cols = list(RAW_NUMERIC) + list(PHYSICS)
    data = df[cols].copy()
    for cls, short in SHORT.items():
        if cls != "No Failure":
            data[short] = (df[LABEL] == cls).astype(float)
    from mlplab.classification.features import WORDS

    corr = data.corr().rename(index=WORDS, columns=WORDS)  # features in words, as the text names them
    fig, ax = new_figure(width=7.0, height=6.0)
    sns.heatmap(corr, ax=ax, cmap="vlag", vmin=-1, vmax=1, annot=True, fmt=".2f", annot_kws={"size": 7.5},
                cbar_kws={"label": "Pearson r"})
    ax.set_title(title_with_source("Correlations (features and failure indicators)", synthetic))
    return fig


def plot_feature_distributions(frame: pd.DataFrame, synthetic: bool = False):
    """Each feature's distribution per failure type (boxes; every class visible despite the imbalance)."""
    df = add_physics(frame)
    cols = list(RAW_NUMERIC) + list(PHYSICS)
    df = df.assign(cls=df[LABEL].map(SHORT).fillna(df[LABEL]))
    order = [s for s in SHORT.values() if s in set(df["cls"])]
    groups = {c: df.loc[df["cls"] == c] for c in order}
    fig, axes = new_figure(2, 4, width=7.0, height=5.6)
    colours = sns.color_palette(n_colors=len(order), desat=0.75)  # seaborn's box saturation, the style's palette
    for ax, col in zip(axes.ravel(), cols):  # matplotlib's boxplot: seaborn's per-hue boxes draw 5x slower
        parts = ax.boxplot([groups[c][col].to_numpy() for c in order], patch_artist=True, widths=0.8,
                           flierprops={"marker": "o", "markersize": 1, "markerfacecolor": "0.3",
                                       "markeredgecolor": "0.3"},
                           medianprops={"color": "0.2", "linewidth": 0.7},
                           whiskerprops={"color": "0.2", "linewidth": 0.7}, capprops={"color": "0.2", "linewidth": 0.7},
                           boxprops={"edgecolor": "0.2", "linewidth": 0.7})
        for box, colour in zip(parts["boxes"], colours):
            box.set_facecolor(colour)
        ax.set_xticks(range(1, len(order) + 1), order)
        ax.grid(False, axis="x")
        ax.set_xlabel("")
        ax.set_ylabel(_label(col), fontsize=9)
        ax.tick_params(axis="x", rotation=90, labelsize=8)
        ax.tick_params(axis="y", labelsize=8)
    for ax in axes.ravel()[len(cols):]:
        ax.set_visible(False)
    fig.suptitle(title_with_source("Feature distributions per failure type", synthetic), fontsize=11)
    return fig


def plot_outlier_boxplots(frame: pd.DataFrame, synthetic: bool = False):
    """Standardized features side by side: the points beyond the whiskers are the IQR outliers."""
    df = add_physics(frame)
    cols = list(RAW_NUMERIC) + list(PHYSICS)
    z = (df[cols] - df[cols].mean()) / df[cols].std()
    long = z.melt(var_name="feature", value_name="z")
    fig, ax = new_figure()
    sns.boxplot(data=long, y="feature", x="z", ax=ax, fliersize=1.5, linewidth=0.8, color=sns.color_palette()[0])
    ax.set_xlabel("standardized value (z-score, unitless)")
    ax.set_ylabel("")
    ax.set_title(title_with_source("Outliers per feature (whiskers at 1.5 IQR)", synthetic))
    return fig


def plot_pairs(frame: pd.DataFrame, synthetic: bool = False, max_no_failure: int = 1500, seed: int = 0):
    """Pair plot of the physics features and rotational speed; 'No Failure' rows subsampled so the rare
    classes stay visible (all failure rows are drawn)."""
    apply_style()
    df = add_physics(frame)
    cols = ["temp_diff_k", "rotational_speed_rpm", "power_w", "wear_torque_min_nm"]
    ok = df[df[LABEL] == "No Failure"]
    ok = ok.sample(min(len(ok), max_no_failure), random_state=seed)
    data = pd.concat([ok, df[df[LABEL] != "No Failure"]])
    data = data.assign(cls=data[LABEL].map(SHORT).fillna(data[LABEL]))
    data = data.rename(columns={c: _label(c) for c in cols})
    order = [s for s in SHORT.values() if s in set(data["cls"])]
    # seaborn's grids lay themselves out with tight_layout (add_legend calls it); a figure born with the
    # house style's constrained layout would make matplotlib warn "The figure layout has changed to
    # tight" into the report, so this one figure starts without a layout engine.
    with plt.rc_context({"figure.constrained_layout.use": False}):
        grid = sns.PairGrid(data, vars=[_label(c) for c in cols], hue="cls", hue_order=order, corner=True,
                            diag_sharey=False, height=1.6)
        grid.map_lower(sns.scatterplot, s=8, alpha=0.6, linewidth=0)
        grid.map_diag(sns.histplot, stat="density", common_norm=False, element="step", fill=False, bins=25)
        grid.add_legend()
    grid.legend.set_title("failure type")
    for ax in grid.axes.ravel():
        if ax is not None:
            ax.xaxis.label.set_size(7)
            ax.yaxis.label.set_size(7)
            ax.tick_params(labelsize=6)
    grid.figure.suptitle(title_with_source(f"Key features (all failures, {len(ok):,} sampled 'No Failure' rows)",
                                           synthetic), fontsize=10, y=1.02)
    return grid.figure


def distributions_caption(frame: pd.DataFrame) -> str:
    """The feature whose median differs most between failures and non-failures, in its own spread."""
    from mlplab.classification.features import LABEL, RAW_NUMERIC

    failed = frame[LABEL] != "No Failure"
    if not failed.any() or failed.all():
        return "Only one of failure and no failure occurs in these rows."
    diffs = {c: abs(frame.loc[failed, c].median() - frame.loc[~failed, c].median()) / max(frame[c].std(), 1e-12)
             for c in RAW_NUMERIC}
    best = max(diffs, key=diffs.get)
    return (f"Failures differ most from normal operation in {_label(best)} (medians {diffs[best]:.2f} standard "
            "deviations apart).")


def pairs_caption(frame: pd.DataFrame) -> str:
    from mlplab.classification.features import LABEL, add_physics

    df = add_physics(frame)
    pwf = df[LABEL] == "Power Failure"
    if not pwf.any():
        return "Failure classes occupy the edges of the operating range."
    outside = ((df.loc[pwf, "power_w"] < 3_500) | (df.loc[pwf, "power_w"] > 9_000)).mean()
    return f"{100 * outside:.0f} % of power failures lie outside the documented 3,500–9,000 W band."
