"""Architecture diagrams drawn from the model itself (its torch layers), as ordinary figures.

A matplotlib figure works in both the HTML site and the Typst PDF, unlike Mermaid/Graphviz.
"""

from __future__ import annotations

import textwrap

from torch import nn

from mlplab.plots.style import new_figure

_COLORS = {"linear": "#4C72B0", "act": "#55A868", "drop": "#C44E52", "norm": "#8172B2", "embed": "#CCB974",
           "io": "#64B5CD"}


def describe_layers(module: nn.Module) -> list[tuple[str, str]]:
    """(kind, label) for each leaf layer in forward order; kinds colour the boxes."""
    out = []
    for layer in module.modules():
        if any(True for _ in layer.children()):
            continue
        name = type(layer).__name__
        if isinstance(layer, nn.Linear):
            out.append(("linear", f"Linear\n{layer.in_features}→{layer.out_features}"))
        elif isinstance(layer, nn.Dropout):
            out.append(("drop", f"Dropout\np={layer.p:g}"))
        elif isinstance(layer, (nn.BatchNorm1d, nn.LayerNorm)):
            out.append(("norm", name.replace("1d", "")))
        elif isinstance(layer, (nn.ReLU, nn.GELU, nn.Tanh, nn.LeakyReLU, nn.SiLU, nn.Sigmoid)):
            out.append(("act", name))
        elif isinstance(layer, nn.Identity):
            continue
        else:
            out.append(("embed", name))
    return out


def count_parameters(module: nn.Module) -> int:
    return int(sum(p.numel() for p in module.parameters()))


def blocks(module: nn.Module) -> list[tuple[str, str]]:
    """(kind, label) per block: each Linear layer with the activation, normalization and dropout that follow
    it in one box ('Linear 8→256\nReLU\nDropout 0.2'), so a deep network stays a short, readable row."""
    out: list[tuple[str, list[str]]] = []
    for kind, label in describe_layers(module):
        if kind == "linear" or not out or out[-1][0] != "linear":
            out.append((kind, label.split("\n")))
        else:
            out[-1][1].append(label.replace("\n", " ").replace("p=", ""))
    return [(kind, "\n".join(lines)) for kind, lines in out]


def _wrap(text: str, width: int = 11) -> str:
    """Boxes sit one unit apart: longer labels would run into the arrows."""
    return "\n".join(textwrap.wrap(text.replace("_", " "), width, break_long_words=False)) or text


FIG_WIDTH = 6.5   # inches: printed at the PDF's 15 cm text width, a font size shrinks by about 0.9
FONT = 8.5        # box labels: about 7.7 pt in the PDF
PER_ROW = 5       # boxes per row; a longer network continues on the next row
ROW_HEIGHT = 1.2  # inches per row of boxes


def _rows(n: int) -> int:
    return -(-n // PER_ROW)


def _draw(ax, module: nn.Module, title: str, input_label: str, output_label: str) -> None:
    layers = [("io", _wrap(input_label))] + blocks(module) + [("io", _wrap(output_label))]
    n = len(layers)
    rows = _rows(n)
    ax.set_xlim(-0.6, PER_ROW - 0.4)
    ax.set_ylim(-(rows - 1) - 0.55, 0.55)
    ax.axis("off")
    for i, (kind, label) in enumerate(layers):
        x, y = i % PER_ROW, -(i // PER_ROW)
        ax.text(x, y, label, ha="center", va="center", fontsize=FONT, color="white", fontweight="bold",
                bbox=dict(boxstyle="round,pad=0.35", fc=_COLORS[kind], ec="none"))
        if i == n - 1:
            continue
        if (i + 1) % PER_ROW:
            ax.annotate("", xy=(x + 0.62, y), xytext=(x + 0.38, y), arrowprops=dict(arrowstyle="->", color="0.35", lw=1))
        else:  # the next box starts the next row: an arrow back to its left end
            ax.annotate("", xy=(0, y - 0.62), xytext=(x, y - 0.38),
                        arrowprops=dict(arrowstyle="->", color="0.35", lw=1, connectionstyle="angle,angleA=180,angleB=90"))
    ax.set_title(f"{title} — {count_parameters(module):,} trainable parameters", fontsize=10, loc="left")


def plot_architecture(module: nn.Module, title: str, input_label: str = "inputs", output_label: str = "output"):
    """One row of boxes: inputs → layers → output, with the parameter count in the title."""
    return plot_architectures([(module, title, input_label, output_label)])


def plot_architectures(items):
    """Several networks, one panel each at the same scale: [(module, title, input_label, output_label)].

    One box per dense block (Linear with its activation and dropout), at most `PER_ROW` boxes a row, on a
    figure as wide as the house figures' print width: labels stay about 7.7 pt in the PDF, however deep
    the network."""
    if not items:
        raise ValueError("give at least one (module, title, input_label, output_label)")
    rows = [_rows(len(blocks(m)) + 2) for m, *_ in items]
    fig, axes = new_figure(len(items), 1, width=FIG_WIDTH, height=sum(ROW_HEIGHT * r + 0.45 for r in rows),
                           gridspec_kw={"height_ratios": rows})
    axes = [axes] if len(items) == 1 else list(axes)
    for ax, (module, title, inp, out) in zip(axes, items):
        _draw(ax, module, title, inp, out)
    return fig


def module_of(estimator, d_in: int, d_out: int) -> nn.Module:
    """The torch module an (unfitted) net or pipeline would train, built from its own parameters."""
    net = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    if getattr(net, "module_", None) is not None:
        return net.module_
    kwargs = {k.removeprefix("module__"): v for k, v in net.get_params(deep=False).items() if k.startswith("module__")}
    return net.module(d_in=d_in, d_out=d_out, **kwargs)
