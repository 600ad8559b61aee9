"""Lab 5's figures: document lengths, telling words, confusion matrices (2 × 2 and 20 × 20), per-class scores,
accuracy by length and block diagrams of the text networks drawn from the fitted modules.

Sizes: every figure is drawn at most 6.3 inches wide with fonts of at least 8.5 pt, so that at the PDF's 15 cm
text width (5.9 inches) no label falls below 7 pt.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import FuncFormatter

from mlplab.plots.style import new_figure

WIDTH = 6.3


def short_group(name: str) -> str:
    """'comp.os.ms-windows.misc' -> 'os.ms-windows.misc': the newsgroup without its top-level hierarchy."""
    parts = str(name).split(".")
    return ".".join(parts[1:]) if len(parts) > 1 and parts[0] in ("alt", "comp", "misc", "rec", "sci", "soc", "talk") else str(name)


def plot_lengths(lengths: np.ndarray, labels: np.ndarray, classes, cut: int):
    """Histograms per class (two classes) or box plots per class (more), log-scaled tokens, the truncation marked."""
    labels = np.asarray(labels)
    palette = sns.color_palette()
    if len(classes) <= 3:
        fig, ax = new_figure(width=WIDTH, height=3.3)
        bins = np.logspace(np.log10(max(1, lengths.min())), np.log10(lengths.max() + 1), 50)
        for i, c in enumerate(classes):
            ax.hist(lengths[labels == c], bins=bins, histtype="step", lw=1.6, color=palette[i], label=str(c))
        ax.set_xscale("log")
        ax.set_ylabel("training documents")
        ax.legend(loc="upper left", fontsize=9)
    else:
        fig, ax = new_figure(width=WIDTH, height=5.6)
        frame = pd.DataFrame({"tokens": lengths, "class": [short_group(c) for c in labels]})
        order = [short_group(c) for c in classes]
        sns.boxplot(data=frame, x="tokens", y="class", order=order, ax=ax, color=palette[0], fliersize=1.2, linewidth=0.8)
        ax.set_xscale("log")
        ax.set_ylabel("")
        ax.tick_params(axis="y", labelsize=9)
    ax.axvline(cut, color=palette[3], ls="--", lw=1.2, label=f"truncation: {cut:,} tokens")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel("document length (tokens, log scale)")
    ax.legend(loc="upper left" if len(classes) <= 3 else "lower right", fontsize=9)
    return fig


def plot_words(table: pd.DataFrame, classes):
    """The most telling words of each class (two classes: side by side), by the log-odds z-score."""
    fig, axes = new_figure(1, len(classes), width=WIDTH, height=3.6)
    axes = np.atleast_1d(axes)
    palette = sns.color_palette()
    for i, (ax, c) in enumerate(zip(axes, classes)):
        t = table[table["class"] == c].sort_values("z-score")
        ax.barh(t["word"], t["z-score"], color=palette[i])
        ax.set_title(f"{c}", fontsize=10)
        ax.set_xlabel("log-odds z-score (unitless)")
        ax.tick_params(axis="y", labelsize=9)
    return fig


def plot_confusion(matrix, labels, *, big: bool | None = None):
    """Row-normalised confusion matrix (share of each true class, percent in the cells; counts for two classes)."""
    m = np.asarray(matrix, dtype=float)
    share = m / np.clip(m.sum(axis=1, keepdims=True), 1, None)
    n = len(labels)
    big = n > 4 if big is None else big
    names = [short_group(c) for c in labels]
    if big:
        fig, ax = new_figure(width=WIDTH, height=WIDTH)
        annot = np.array([[f"{100 * s:.0f}" if s >= 0.015 else "" for s in row] for row in share])
        size = 7.5
    else:
        fig, ax = new_figure(width=4.6, height=3.4)
        annot = np.array([[f"{100 * s:.1f} %\n({int(v):,})" for s, v in zip(rs, rv)] for rs, rv in zip(share, m)])
        size = 10
    sns.heatmap(share, ax=ax, annot=annot, fmt="", cmap="Blues", vmin=0, vmax=1, xticklabels=names, yticklabels=names,
                cbar_kws={"label": "share of the true class", "shrink": 0.8}, annot_kws={"size": size}, square=big)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.tick_params(labelsize=8.5 if big else 10)
    if big:
        ax.set_xticklabels(names, rotation=90)
    return fig


def plot_per_class(table: pd.DataFrame):
    """Precision, recall and F1 per class as dots on one row per class (short group names)."""
    t = table.copy()
    t["class"] = t["class"].map(short_group)
    fig, ax = new_figure(width=WIDTH, height=max(2.4, 0.3 * len(t) + 1.2))
    palette = sns.color_palette()
    y = np.arange(len(t))
    for i, (col, marker) in enumerate((("precision", "o"), ("recall", "s"), ("f1", "D"))):
        ax.scatter(t[col], y, marker=marker, color=palette[i], s=22, label=col if col != "f1" else "F1", zorder=3)
    ax.set_yticks(y, t["class"], fontsize=9)
    ax.set_ylim(len(t) - 0.5, -0.5)
    ax.set_xlabel("score on the test documents (fraction)")
    ax.legend(loc="lower left", fontsize=9, ncol=3, bbox_to_anchor=(0, 1.0), frameon=False)
    return fig


def plot_length_accuracy(table: pd.DataFrame):
    """Test accuracy per document-length bin, one line per model; the bins' sizes under the axis labels."""
    fig, ax = new_figure(width=WIDTH, height=3.3)
    bins = list(dict.fromkeys(table["length (tokens)"]))
    counts = table.drop_duplicates("length (tokens)").set_index("length (tokens)")["documents"]
    for i, (model, t) in enumerate(table.groupby("model", sort=False)):
        pos = [bins.index(b) for b in t["length (tokens)"]]
        ax.plot(pos, t["accuracy"], marker="o", color=sns.color_palette()[i], label=model)
    ax.set_xticks(range(len(bins)), [f"{b}\n({counts[b]:,})" for b in bins], fontsize=8.5)
    ax.set_xlabel("document length (tokens; documents in the bin)")
    ax.set_ylabel("test accuracy (fraction)")
    ax.legend(fontsize=8.5, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    return fig


def blocks(module) -> list[tuple[str, str]]:
    """(kind, label) boxes of a text network read from the fitted module: embedding, recurrent or encoder layers,
    pooling and head, with their sizes and parameter counts."""
    from mlplab.models.text import LSTMClassifier

    emb = module.embedding
    frozen = not emb.weight.requires_grad
    out = [("io", "token ids"),
           ("embed", f"Embedding\n{emb.num_embeddings:,} × {emb.embedding_dim}\n{'frozen' if frozen else 'trained'}")]
    if isinstance(module, LSTMClassifier):
        if module.word_dropout:
            out.insert(1, ("drop", f"word dropout\np={module.word_dropout:g}"))
        for i, layer in enumerate(module.layers):
            h = layer[0].hidden_size
            n = sum(p.numel() for p in layer.parameters())
            out.append(("rnn", f"{'BiLSTM' if len(layer) == 2 else 'LSTM'} {i + 1}\n{h} units\n{n:,} par.\n"
                               f"+ dropout {module.dropout_p:g}"))
        out.append(("pool", {"last": "last\nstate", "max": "max\npooling", "mean": "mean\npooling",
                             "attention": "attention\npooling"}[module.pooling]))
    else:
        if module.project is not None:
            out.append(("linear", f"Linear\n{module.project.in_features}→{module.project.out_features}"))
        out.append(("pos", "+ sinusoidal\npositions"))
        layers = module.encoder.layers
        first = layers[0]
        per = sum(p.numel() for p in first.parameters())
        out.append(("rnn", f"{len(layers)} × encoder\n{first.self_attn.num_heads} heads\nff {first.linear1.out_features}\n"
                           f"{per:,} each"))
        out.append(("pool", "mean\npooling\n(masked)"))
    head = module.head
    out.append(("linear", f"Linear\n{head.in_features}→{head.out_features}"))
    out.append(("io", "sigmoid" if head.out_features == 1 else f"softmax\n{head.out_features}"))
    return out


COLORS = {"io": "#64B5CD", "embed": "#CCB974", "rnn": "#4C72B0", "drop": "#C44E52", "pool": "#8172B2",
          "linear": "#55A868", "pos": "#937860"}


def plot_networks(items):
    """One column of boxes per network, top to bottom: [(module, title)], each titled with its total and trainable
    parameters. Columns leave each box the width of its column, so labels never run into each other."""
    from mlplab.models.text import count_parameters

    rows = [blocks(m) for m, _ in items]
    n_max = max(len(r) for r in rows)
    width = min(WIDTH, 3.0 * len(items))
    fig, axes = new_figure(1, len(items), width=width, height=0.62 * n_max + 0.5)
    axes = [axes] if len(items) == 1 else list(axes)
    for ax, row, (module, title) in zip(axes, rows, items):
        ax.set_xlim(-1, 1)
        ax.set_ylim(-(n_max - 0.4), 0.6)
        ax.axis("off")
        for i, (kind, label) in enumerate(row):
            ax.text(0, -i, label.replace("\n", ": ", 1) if kind == "rnn" else label.replace("\n", " ", 1),
                    ha="center", va="center", fontsize=8, color="white", fontweight="bold", linespacing=1.1,
                    bbox=dict(boxstyle="round,pad=0.3", fc=COLORS[kind], ec="none"))
            if i < len(row) - 1:
                ax.annotate("", xy=(0, -i - 0.68), xytext=(0, -i - 0.32),
                            arrowprops=dict(arrowstyle="->", color="0.35", lw=1))
        c = count_parameters(module)
        ax.set_title(textwrap.fill(f"{title}: {c['total']:,} parameters, {c['trainable']:,} trained", 36), fontsize=9)
    return fig


def plot_text_curves(history: pd.DataFrame, loss_label: str):
    """Loss and accuracy per epoch on the fit rows, the validation rows and the test sample (two panels, the
    page's width); the epoch of the lowest validation loss is marked."""
    from matplotlib.ticker import MaxNLocator

    from mlplab.plots.curves import SPLIT_COLOR, SPLIT_LABEL, SPLIT_STYLE

    fig, axes = new_figure(1, 2, width=WIDTH, height=2.9)
    v = history.get("validation_loss")
    best = int(history["epoch"].iloc[int(np.nanargmin(v.to_numpy()))]) if v is not None and v.notna().any() else None
    for ax, (name, ylabel) in zip(axes, (("loss", loss_label), ("accuracy", "accuracy (fraction)"))):
        for split in ("train", "validation", "test"):
            col = f"{split}_{name}"
            if col in history and history[col].notna().any():
                ax.plot(history["epoch"], history[col], SPLIT_STYLE[split], color=SPLIT_COLOR[split], marker="o", ms=3,
                        label=SPLIT_LABEL[split])
        if best is not None:
            ax.axvline(best, color="grey", lw=0.8, alpha=0.7, label="lowest validation loss")
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel, fontsize=9)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if len(history) == 1:
            e = int(history["epoch"].iloc[0])
            ax.set_xlim(e - 0.5, e + 0.5)
            ax.set_xticks([e])
    from mlplab.plots.curves import shared_legend

    shared_legend(fig, axes)
    return fig
