"""Training-curve figures: panels, lines per split, labels, and clear errors."""

import matplotlib
import numpy as np
import pandas as pd
import pytest

from mlplab.plots.curves import plot_curves, plot_curves_compare


def _history(task, splits=("train", "valid", "test"), epochs=5):
    metrics = ["r2"] if task == "regression" else ["accuracy", "macro_f1"]
    data = {"epoch": np.arange(1, epochs + 1), "dur": np.full(epochs, 0.1)}
    for split in ("train", "valid", "test"):
        present = split in splits
        data[f"{split}_loss"] = np.linspace(1, 0.2, epochs) + 0.1 * (split != "train") if present else np.nan
        for m in metrics:
            data[f"{split}_{m}"] = np.linspace(0.2, 0.9, epochs) if present else np.nan
    data["valid_loss"] = np.array([1.0, 0.5, 0.3, 0.4, 0.45])[:epochs] if "valid" in splits else np.nan
    return pd.DataFrame(data)


def _lines(ax):
    return [line for line in ax.get_lines() if not line.get_label().startswith("lowest validation loss")]


def test_regression_curves_two_panels_three_splits():
    fig = plot_curves(_history("regression"), "regression", title="NYSE")
    assert isinstance(fig, matplotlib.figure.Figure)
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert [line.get_label() for line in _lines(ax)] == ["train (fit rows)", "stopping slice", "test"]
        assert ax.get_xlabel() == "epoch" and ax.get_ylabel()
    assert "standardized" in fig.axes[0].get_ylabel() and "R²" in fig.axes[1].get_ylabel()
    best = [line for line in fig.axes[0].get_lines() if line.get_label().startswith("lowest validation loss")]
    assert len(best) == 1 and best[0].get_label() == "lowest validation loss (epoch 3)"
    assert len(best) == 1 and best[0].get_xdata()[0] == 3  # the epoch of the minimum valid loss
    assert fig._suptitle.get_text() == "NYSE"


def test_classification_curves_skip_absent_splits():
    fig = plot_curves(_history("classification", splits=("train",)), "classification")
    assert len(fig.axes) == 3
    assert [len(_lines(ax)) for ax in fig.axes] == [1, 1, 1]
    assert [ax.get_ylabel().split()[0] for ax in fig.axes] == ["cross-entropy", "accuracy", "macro-F1"]
    assert all(len(ax.get_lines()) == 1 for ax in fig.axes)  # no best-valid marker without validation


def test_compare_overlays_one_line_per_model():
    histories = {"no reg": _history("regression"), "dropout 0.2": _history("regression")}
    fig = plot_curves_compare(histories, "r2", split="valid")
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["no reg", "dropout 0.2"]
    assert ax.get_ylabel() == "stopping slice R² (unitless)"


def test_curves_errors_name_the_problem():
    with pytest.raises(ValueError, match="task must be 'regression' or 'classification'"):
        plot_curves(_history("regression"), "ranking")
    with pytest.raises(ValueError, match="no values in column\\(s\\) validation_r2"):
        plot_curves_compare({"m": _history("regression", splits=("train",))}, "r2")
    with pytest.raises(ValueError, match="histories is empty"):
        plot_curves_compare({}, "r2")


def test_epoch_axes_carry_whole_epochs_only():
    """A 4-epoch run must not show a tick at epoch 1.5 (Matplotlib's default locator would)."""
    figs = [plot_curves(_history("regression", epochs=4), "regression"),
            plot_curves_compare({"a": _history("classification", epochs=4)}, "accuracy", "valid")]
    for fig in figs:
        for ax in fig.axes:
            fig.canvas.draw()
            ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
            assert ticks and all(float(t).is_integer() for t in ticks)
        matplotlib.pyplot.close(fig)


def test_each_part_keeps_its_colour_in_every_panel():
    import matplotlib.colors as mc
    import pandas as pd

    from mlplab.plots.curves import plot_curves

    h = pd.DataFrame({"epoch": [1, 2, 3], "train_loss": [1.0, 0.8, 0.7], "validation_loss": [1.1, 0.9, 0.85],
                      "test_loss": [1.2, 1.0, 0.9], "validation_r2": [0.1, 0.2, 0.3], "test_r2": [0.05, 0.15, 0.2]})
    fig = plot_curves(h, "regression")
    colours = {}
    for ax in fig.axes:
        for line in ax.get_lines():
            if line.get_label() in ("validation", "test", "train (fit rows)"):
                colours.setdefault(line.get_label(), set()).add(mc.to_hex(line.get_color()))
    assert colours and all(len(c) == 1 for c in colours.values()), colours  # the R² panel has no training curve
