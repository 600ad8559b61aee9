"""Figures of the classification results: confusion matrices, one-vs-rest ROC/PR, model comparisons."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import seaborn as sns
from sklearn.metrics import auc, average_precision_score, precision_recall_curve, roc_curve

from mlplab.plots.eda_maintenance import SHORT
from mlplab.plots.style import new_figure, title_with_source


def _short(labels):
    return [SHORT.get(str(c), str(c)) for c in labels]


def plot_confusion(metrics: dict, title: str, synthetic: bool = False):
    """Counts and row-normalized (recall per true class) side by side."""
    labels = _short(metrics["confusion_matrix"]["labels"])
    m = np.asarray(metrics["confusion_matrix"]["matrix"], dtype=float)
    norm = m / np.clip(m.sum(axis=1, keepdims=True), 1, None)
    fig, axes = new_figure(1, 2, width=7.0, height=3.6)
    sns.heatmap(m, ax=axes[0], annot=True, fmt=".0f", cmap="Blues", xticklabels=labels, yticklabels=labels,
                cbar=False, annot_kws={"size": 7}, norm=None)
    sns.heatmap(norm, ax=axes[1], annot=True, fmt=".2f", cmap="Blues", vmin=0, vmax=1, xticklabels=labels,
                yticklabels=labels, cbar_kws={"label": "share of true class"}, annot_kws={"size": 7})
    axes[0].set_title("counts (rows)")
    axes[1].set_title("row-normalized")
    for ax in axes:
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.tick_params(labelsize=7)
    fig.suptitle(title_with_source(title, synthetic), fontsize=11)
    return fig


def roc_pr_auc(y_true, proba: np.ndarray, classes) -> pd.DataFrame:
    """One-vs-rest ROC AUC and average precision per class present in y_true."""
    y_true = np.asarray(y_true)
    rows = []
    for k, c in enumerate(classes):
        pos = y_true == c
        if pos.any() and (~pos).any():
            fpr, tpr, _ = roc_curve(pos, proba[:, k])
            rows.append({"class": c, "positives": int(pos.sum()), "roc_auc": float(auc(fpr, tpr)),
                         "average_precision": float(average_precision_score(pos, proba[:, k])),
                         "prevalence": float(pos.mean())})
    return pd.DataFrame(rows)


def plot_roc_pr(y_true, proba: np.ndarray, classes, title: str, synthetic: bool = False):
    """One-vs-rest ROC and precision-recall curves per class, AUC / AP in the legend."""
    y_true = np.asarray(y_true)
    fig, axes = new_figure(1, 2, width=7.0, height=4.6)
    for k, c in enumerate(classes):
        pos = y_true == c
        if not pos.any() or pos.all():
            continue
        fpr, tpr, _ = roc_curve(pos, proba[:, k])
        prec, rec, _ = precision_recall_curve(pos, proba[:, k])
        name = SHORT.get(str(c), str(c))
        style = {"lw": 1.4, "ls": ("-", "--", "-.", ":")[k % 4]}  # colours alone were too alike for six classes
        axes[0].plot(fpr, tpr, label=f"{name} (AUC {auc(fpr, tpr):.3f})", **style)
        axes[1].plot(rec, prec, label=f"{name} (AP {average_precision_score(pos, proba[:, k]):.3f})", **style)
    axes[0].plot([0, 1], [0, 1], color="grey", ls=":", lw=1)
    axes[0].set(xlabel="false positive rate", ylabel="true positive rate", title="ROC (one-vs-rest)")
    axes[1].set(xlabel="recall", ylabel="precision", title="precision-recall (one-vs-rest)")
    for ax in axes:  # below each panel: inside, the legend covered the curves near the diagonal
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=2, frameon=False)
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.02)
    fig.suptitle(title_with_source(title, synthetic), fontsize=11)
    return fig


def plot_metric_bars(table: pd.DataFrame, metrics=("macro_f1", "balanced_accuracy"), title: str = "",
                     synthetic: bool = False, key: str = "model", err: dict | None = None):
    """Grouped bars: one group per row of `table` (model/strategy), one bar per metric column."""
    long = table.melt(id_vars=[key], value_vars=list(metrics), var_name="metric", value_name="score")
    fig, ax = new_figure()
    sns.barplot(data=long, y=key, x="score", hue="metric", ax=ax, orient="h")
    if err:
        for i, (name, sd) in enumerate(err.items()):
            row = table.loc[table[key] == name]
            if len(row):
                ax.errorbar(float(row[metrics[0]].iloc[0]), i - 0.2, xerr=sd, color="black", capsize=3, lw=1)
    ax.set_xlabel("score (fraction, test set)")
    ax.set_ylabel("")
    ax.set_xlim(0, 1.05)
    ax.set_title(title_with_source(title, synthetic))
    ax.legend(loc="lower right", fontsize=8)
    return fig


def plot_per_class(table: pd.DataFrame, stat: str, title: str, synthetic: bool = False):
    """Heatmap: models (rows) × classes (columns) of a per-class statistic."""
    df = table.set_index("model")
    df.columns = _short(df.columns)
    fig, ax = new_figure(height=max(3.2, 0.5 * len(df) + 1.8))
    sns.heatmap(df, ax=ax, annot=True, fmt=".2f", cmap="viridis", vmin=0, vmax=1, cbar_kws={"label": stat},
                annot_kws={"size": 8})
    ax.set_yticks(ax.get_yticks(), [textwrap.fill(str(t.get_text()), 28) for t in ax.get_yticklabels()], rotation=0)
    ax.set_xlabel("failure type")
    ax.set_ylabel("")
    ax.set_title(title_with_source(title, synthetic))
    return fig


def plot_lab_protocol(lab: dict, honest_macro_f1: float, synthetic: bool = False):
    """Left: the leaky test set's composition. Right: the same model's macro-F1 on its whole (partly
    synthetic) test set, on its real rows only, and the honest protocol's score."""
    fig, axes = new_figure(1, 2, width=7.0, height=3.4, gridspec_kw={"width_ratios": [1, 1.6]})
    axes[0].bar(["real", "synthetic"], [lab["real_test_rows"], lab["synthetic_test_rows"]],
                color=[sns.color_palette()[0], sns.color_palette()[3]])
    axes[0].set_ylabel("test rows")
    axes[0].set_title(f"lab test set: {100 * lab['synthetic_test_share']:.0f} % synthetic", fontsize=10)
    names = ["lab: leaky test set", "lab: real test rows", "honest protocol"]
    vals = [lab["leaky_test_macro_f1"], lab["real_rows_macro_f1"], honest_macro_f1]
    axes[1].barh(names, vals, color=sns.color_palette()[:3])
    for i, v in enumerate(vals):
        axes[1].text(v + 0.01, i, f"{v:.3f}", va="center", fontsize=9)
    axes[1].set_xlim(0, 1.15)
    axes[1].set_xlabel("macro-F1 (fraction)")
    axes[1].set_title("same network, three test sets", fontsize=10)
    fig.suptitle(title_with_source("The lab's protocol: SMOTE before the split", synthetic), fontsize=11)
    return fig


def plot_seeds(values: dict[str, list[float]], metric: str = "macro-F1", title: str = "", synthetic: bool = False,
               reference: float | None = None, reference_label: str = ""):
    """Per-seed test scores (points) and mean ± std (bars) for each headline model."""
    fig, ax = new_figure()
    names = list(values)
    for i, n in enumerate(names):
        v = np.asarray(values[n], dtype=float)
        ax.scatter(v, np.full(len(v), i), color="grey", s=14, zorder=3)
        ax.errorbar(v.mean(), i, xerr=v.std(ddof=1) if len(v) > 1 else 0, fmt="D", color=sns.color_palette()[0],
                    capsize=4, zorder=4)
        ax.text(v.mean(), i + 0.2, f"{v.mean():.3f}", ha="center", va="bottom", fontsize=8)
    if reference is not None:
        ax.axvline(reference, color=sns.color_palette()[3], ls="--", lw=1, label=reference_label or None)
        if reference_label:
            ax.legend(loc="best", fontsize=8)
    ax.set_yticks(range(len(names)), [textwrap.fill(n, 30) for n in names], fontsize=8)
    ax.set_ylim(-0.5, len(names) - 0.3)
    ax.set_xlabel(f"test {metric} (fraction)")
    ax.set_title(title_with_source(title, synthetic))
    return fig


def recall_caption(table: pd.DataFrame) -> str:
    """Which class is recalled worst on average across the strategies."""
    df = table.set_index("model")
    worst = df.mean(axis=0).idxmin()
    return f"{worst} is recalled worst on average ({df[worst].mean():.2f})."
