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


def _wrap(text: str, width: int = 11) -> str:
    """Boxes sit one unit apart: longer labels would run into the arrows."""
    return "\n".join(textwrap.wrap(text.replace("_", " "), width, break_long_words=False)) or text


def _draw(ax, module: nn.Module, title: str, input_label: str, output_label: str, n_max: int) -> None:
    layers = [("io", _wrap(input_label))] + describe_layers(module) + [("io", _wrap(output_label))]
    n = len(layers)
    ax.set_xlim(-0.6, max(n, n_max) - 0.4)
    ax.set_ylim(-0.7, 0.7)
    ax.axis("off")
    for i, (kind, label) in enumerate(layers):
        ax.text(i, 0, label, ha="center", va="center", fontsize=7.5, color="white", fontweight="bold",
                bbox=dict(boxstyle="round,pad=0.35", fc=_COLORS[kind], ec="none"))
        if i < n - 1:
            ax.annotate("", xy=(i + 0.62, 0), xytext=(i + 0.38, 0),
                        arrowprops=dict(arrowstyle="->", color="0.35", lw=1))
    ax.set_title(f"{title} — {count_parameters(module):,} trainable parameters", fontsize=10, loc="left")


def plot_architecture(module: nn.Module, title: str, input_label: str = "inputs", output_label: str = "output"):
    """One row of boxes: inputs → layers → output, with the parameter count in the title."""
    return plot_architectures([(module, title, input_label, output_label)])


def plot_architectures(items):
    """Several networks, one row each, on a shared scale: [(module, title, input_label, output_label)]."""
    if not items:
        raise ValueError("give at least one (module, title, input_label, output_label)")
    lengths = [len(describe_layers(m)) + 2 for m, *_ in items]
    n_max = max(lengths)
    fig, axes = new_figure(len(items), 1, width=max(7.0, 0.95 * n_max), height=1.9 * len(items))
    axes = [axes] if len(items) == 1 else list(axes)
    for ax, (module, title, inp, out) in zip(axes, items):
        _draw(ax, module, title, inp, out, n_max)
    return fig


def module_of(estimator, d_in: int, d_out: int) -> nn.Module:
    """The torch module an (unfitted) net or pipeline would train, built from its own parameters."""
    net = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    if getattr(net, "module_", None) is not None:
        return net.module_
    kwargs = {k.removeprefix("module__"): v for k, v in net.get_params(deep=False).items() if k.startswith("module__")}
    return net.module(d_in=d_in, d_out=d_out, **kwargs)
