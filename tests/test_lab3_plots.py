"""Lab 3's figures: legends below the panels, never over the curves (Figures 8.7 and 9.1), and the
misclassified-images figure's caption counting the rows it shows (Figure 8.12)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlplab.fashion import narrative as nv
from mlplab.plots import depth as pd_
from mlplab.plots.curves import plot_curves


def _legend_clear_of_axes(fig) -> bool:
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    assert fig.legends and not any(ax.get_legend() for ax in fig.axes)
    box = fig.legends[0].get_window_extent(renderer)
    return not any(box.overlaps(ax.get_window_extent(renderer)) for ax in fig.axes)


def test_training_curves_have_one_legend_below_the_panels():
    h = pd.DataFrame({"epoch": range(1, 8), "train_loss": np.linspace(1.0, 0.3, 7),
                      "validation_loss": np.linspace(0.9, 0.35, 7), "train_accuracy": np.linspace(0.7, 0.97, 7),
                      "validation_accuracy": np.linspace(0.72, 0.92, 7), "train_macro_f1": np.linspace(0.7, 0.97, 7),
                      "validation_macro_f1": np.linspace(0.72, 0.92, 7)})
    fig = plot_curves(h, "classification")
    assert _legend_clear_of_axes(fig)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["train (fit rows)", "validation", "lowest validation loss (epoch 7)"]


def test_gradient_norm_and_depth_figures_keep_their_legends_off_the_curves():
    layers = [f"conv{i}" for i in range(1, 26)] + ["fc"]
    entries = {n: {"label": n, "layers": layers, "init": list(10.0 ** np.linspace(k, 0, 26)),
                   "trained": list(10.0 ** np.linspace(k / 2, 0, 26))}
               for n, k in (("plain_deep", -9), ("residual_deep", -0.3), ("plain_deep_bn", 1), ("residual_deep_bn", 0.2))}
    fig = pd_.plot_grad_norms(entries)
    assert _legend_clear_of_axes(fig) and len(fig.legends[0].get_texts()) == 4
    hist = pd.DataFrame({"epoch": [1, 2, 3], "train_loss": [2.3, 2.3, 2.3], "validation_loss": [2.3, 2.3, 2.3],
                         "train_accuracy": [0.1] * 3, "validation_accuracy": [0.1] * 3})
    assert _legend_clear_of_axes(pd_.plot_train_loss({n: (n, hist) for n in entries}))
    curves = pd_.plot_arch_curves({n: (n, hist) for n in ("vgg16c", "resnet18", "resnext")})
    assert _legend_clear_of_axes(curves) and len(curves.legends[0].get_texts()) == 6


def test_misclassified_caption_counts_the_rows_it_shows():
    groups = [{"true": "Shirt", "predicted": "T-shirt/top", "count": 1234, "images": [], "confidence": []}] * 6
    caption = nv.misclassified_caption(groups, "the tuned CNN", {})
    assert "one row for each of the 6 confused pairs of the errors table" in caption and "(1,234 images)" in caption
    four = nv.misclassified_caption(groups[:4], "the tuned CNN", {}, n_pairs=6)
    assert "one row for each of the 4 most frequent of the errors table's 6 confused pairs" in four
    assert "one row per confused pair" not in four


def test_library_noise_is_silenced_at_its_source_and_nothing_else():
    """loky's worker-recycling warning and NNPACK's unsupported-hardware message printed into chapters 8 and 9."""
    import warnings

    import torch

    import mlplab.models.cnn  # noqa: F401  (switches NNPACK off where the networks are defined)
    from mlplab.experiment import fanout

    assert torch._C._get_nnpack_enabled() is False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with fanout.backend(2):
            warnings.warn("A worker stopped while some jobs were given to the executor. This can be caused by a "
                          "too short worker timeout or by a memory leak.", UserWarning)
            warnings.warn("something else", UserWarning)
    assert [str(w.message) for w in caught] == ["something else"]


def test_glossary_defines_precision_recall_and_augmentation_for_any_data():
    from mlplab.glossary import terms

    t = terms()
    for term in ("precision", "recall", "data augmentation"):
        assert "examples" in t[term], term
        assert not t[term].startswith(("Of the images", "Of the rows", "Random changes to the training images"))
    assert "rows of a table, images, texts" in t["precision"]
    assert "shifts and flips of an image, noise added to a table's standardized inputs" in t["data augmentation"]


def test_text_curves_keep_one_legend_below_the_panels():
    """Lab 5's training curves: the legend sat on the test accuracy curve of the 20 Newsgroups figure."""
    from mlplab.plots.text import plot_text_curves

    h = pd.DataFrame({"epoch": range(1, 7), "train_loss": np.linspace(1.8, 0.1, 6),
                      "validation_loss": [0.9, 0.57, 0.55, 0.54, 0.6, 0.7], "test_loss": np.linspace(1.1, 1.2, 6),
                      "train_accuracy": np.linspace(0.73, 0.99, 6), "validation_accuracy": np.linspace(0.69, 0.85, 6),
                      "test_accuracy": [0.65, 0.74, 0.76, 0.75, 0.755, 0.755]})
    fig = plot_text_curves(h, "cross-entropy (nats)")
    assert _legend_clear_of_axes(fig)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["train (fit rows)", "validation", "test", "lowest validation loss"]


def test_augmentation_figure_from_read_only_images_warns_nothing():
    import warnings

    import numpy as np

    from mlplab.fashion import steps
    from mlplab.plots.fashion import plot_augmentation

    X = np.zeros((6, 28, 28), dtype=np.uint8)
    X.setflags(write=False)  # the IDX loader returns read-only arrays
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot_augmentation(X, steps.augmenter({"augment": "shift_flip"}))


def test_read_optional_finds_another_chapters_results_while_a_notebook_writes_into_staging(tmp_path, monkeypatch):
    import json

    from mlplab.conclusions import lab3

    book = tmp_path / "report" / "_results"
    book.mkdir(parents=True)
    staging = tmp_path / "report" / ".staging" / "depth" / "_results"
    staging.mkdir(parents=True)
    monkeypatch.setenv("MLPLAB_ROOT", str(tmp_path))
    monkeypatch.setenv("MLPLAB_RESULTS_DIR", str(staging))
    assert lab3.read_optional("fashion_mnist") is None  # that chapter has not run
    (book / "fashion_mnist.json").write_text(json.dumps({"notebook": "fashion_mnist"}))
    import pytest

    from mlplab.experiment.schema import ResultsError

    with pytest.raises(ResultsError, match="report/_results/fashion_mnist.json"):
        lab3.read_optional("fashion_mnist")  # found in the book's folder, and validated
