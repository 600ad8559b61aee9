"""The house style: readable in the HTML site and the Typst PDF (size, dpi, fonts, units)."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

if "MPLBACKEND" not in os.environ:
    matplotlib.use("Agg")

import matplotlib.pyplot as plt
import seaborn as sns

PALETTE = "colorblind"
FIGSIZE = (7.0, 4.2)  # inches; fits a PDF text column at 100 % and an HTML page
DPI = 150

SYNTHETIC_TAG = " [synthetic embedded data]"


def apply_style() -> None:
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font_scale=0.95)
    plt.rcParams.update({
        "figure.figsize": FIGSIZE,
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
        "savefig.bbox": "tight",
        "axes.titlesize": 11,
        "axes.labelsize": 10,
        "legend.fontsize": 9,
        "figure.autolayout": False,
        "figure.constrained_layout.use": True,
    })


def new_figure(nrows: int = 1, ncols: int = 1, *, width: float | None = None, height: float | None = None,
               **kwargs):
    """A styled figure; width/height in inches default to the house size scaled by the grid."""
    apply_style()
    w = width or FIGSIZE[0]
    h = height or FIGSIZE[1] * (1 if nrows == 1 else 0.75 * nrows)
    return plt.subplots(nrows, ncols, figsize=(w, h), **kwargs)


def title_with_source(title: str, synthetic: bool) -> str:
    """Figures that depend on synthetic data say so in their title."""
    return title + (SYNTHETIC_TAG if synthetic else "")


def save_figure(fig, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path
