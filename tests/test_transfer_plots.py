"""The transfer chapter's figures: they draw what they are given, with units on the axes and no text under
8.5 points at their size (7 points or more once printed 15 cm wide)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from mlplab.plots import transfer as pt

matplotlib.use("Agg")


def texts(fig):
    out = []
    for ax in fig.axes:
        out += [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.get_xticklabels(), *ax.get_yticklabels(), *ax.texts]
        if ax.get_legend():
            out += ax.get_legend().get_texts()
    return [t for t in out if t.get_text()]


def smallest_printed_pt(fig) -> float:
    width_cm = fig.get_size_inches()[0] * 2.54
    return min(t.get_fontsize() for t in texts(fig)) * min(1.0, 15.0 / width_cm)


def test_learning_curve():
    pts = {"fine-tuned EfficientNet-Lite0": {"k": [10, 50, 250], "mean": [0.7, 0.8, 0.85], "model": "lite0_finetune",
                                            "values": [[0.69, 0.7, 0.71], [0.8] * 3, [0.85] * 3]},
           "the lab's CNN from scratch": {"k": [10, 50, 250], "mean": [0.6, 0.75, 0.84], "model": "cnn_scratch",
                                          "values": [[0.6] * 3, [0.75] * 3, [0.84] * 3]}}
    fig = pt.plot_learning_curve(pts)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and [t.get_text() for t in ax.get_xticklabels()] == ["10", "50", "250"]
    assert "fraction" in ax.get_ylabel() and "per class" in ax.get_xlabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(pts)
    assert smallest_printed_pt(fig) >= 7


def test_resolution_and_training_curves():
    study = pd.DataFrame({"resolution": [32, 64, 128], "validation accuracy": [0.7, 0.8, 0.84],
                          "features per s": [2000.0, 1000.0, 200.0], "fine-tuning per s": [500.0, 240.0, 55.0]})
    fig = pt.plot_resolution(study, chosen=64)
    assert fig.axes[1].get_yscale() == "log" and "pixels" in fig.axes[0].get_xlabel()
    assert smallest_printed_pt(fig) >= 7
    h = pd.DataFrame({"epoch": [1, 2, 3], "train_loss": [2.0, 1.0, 0.5], "validation_loss": [2.1, 1.2, 1.0],
                      "test_loss": [2.1, 1.3, 1.0], "train_accuracy": [0.3, 0.6, 0.8],
                      "validation_accuracy": [0.3, 0.5, 0.6], "test_accuracy": [0.3, 0.5, 0.6]})
    fig = pt.plot_training(h)
    assert [a.get_ylabel() for a in fig.axes] == ["cross-entropy loss (nats)", "accuracy (fraction)"]
    assert len(fig.axes[0].lines) == 4  # three parts and the best epoch's mark
    assert smallest_printed_pt(fig) >= 7
    fig.canvas.draw()
    box = fig.legends[0].get_window_extent(fig.canvas.get_renderer())  # one legend, below the panels
    assert not any(a.get_legend() for a in fig.axes)
    assert not any(box.overlaps(a.get_window_extent(fig.canvas.get_renderer())) for a in fig.axes)


@pytest.mark.parametrize("shape", [(28, 28), (3, 16, 16)])
def test_image_grids_take_grey_and_colour(shape):
    img = np.zeros(shape, dtype=np.uint8)
    fig = pt.plot_imagenet_examples([{"class": "Trouser", "image": img, "labels": [("jeans", 0.4), ("bolo tie", 0.1)]}] * 3,
                                    cols=3)
    assert "jeans 40 %" in fig.axes[0].get_xlabel() and smallest_printed_pt(fig) >= 7
    groups = [{"true": "Shirt", "predicted": "T-shirt/top", "count": 12, "images": [img] * 2, "confidence": [0.6, 0.7]}]
    fig = pt.plot_errors(groups, per_pair=3)
    assert fig.axes[0].get_title() == "p = 0.60" and smallest_printed_pt(fig) >= 7
    assert pt.as_shown(img).shape == ((28, 28) if len(shape) == 2 else (16, 16, 3))
