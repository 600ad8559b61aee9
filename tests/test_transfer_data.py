"""The transfer chapter's data protocol and parameters: nested labelled draws per seed, fixed validation and
test images, and one-line errors for bad profiles or a missing extra."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from mlplab.data.fashion_mnist import CLASSES, load_fashion_mnist
from mlplab.errors import UserError
from mlplab.params import BY_NAME, notebook_defaults
from mlplab.transfer import data as D
from mlplab.transfer import steps, validate_params

from conftest import ROOT

NB = ROOT / "analysis" / "34_transfer.ipynb"


@pytest.fixture(scope="module")
def fashion():
    """The committed real sample of Fashion-MNIST (tests/data/fashion-mnist) as the chapter splits it."""
    return D.from_fashion(load_fashion_mnist(ROOT / "tests" / "data" / "fashion-mnist"), valid_images=50, max_test=60,
                          seed=0)


def test_fashion_parts_are_disjoint_stratified_and_named(fashion):
    d = fashion
    assert d.classes == CLASSES and d.channels == 1 and d.image_size == 28
    assert len(d.y_valid) == 50 and len(d.y_test) == 60
    assert set(np.unique(d.y_test, return_counts=True)[1]) == {6}  # 6 per class: stratified
    pool = {x.tobytes() for x in d.X_pool}
    assert not any(x.tobytes() in pool for x in d.X_valid)  # validation images never enter the labelled pool
    assert d.report["test_source"] == "official" and "stratified 60" in d.report["test_note"]


def test_labelled_sets_are_nested_per_seed_and_differ_between_seeds(fashion):
    y = fashion.y_pool
    by_k = D.labelled_positions(y, fashion.classes, [2, 5], seed=0)
    assert set(by_k[2]) < set(by_k[5])
    assert all((y[by_k[5]] == c).sum() == 5 for c in fashion.classes)
    other = D.labelled_positions(y, fashion.classes, [2, 5], seed=1)
    assert set(other[5]) != set(by_k[5])
    again = D.labelled_positions(y, fashion.classes, [2, 5], seed=0)
    assert all(np.array_equal(again[k], by_k[k]) for k in by_k)  # reproducible


def test_a_budget_beyond_a_class_is_one_line(fashion):
    with pytest.raises(UserError, match=r"budgets=\[2, 10000\]: class 'T-shirt/top' has .* fewer than the largest"):
        D.labelled_positions(fashion.y_pool, fashion.classes, [2, 10000], seed=0)
    with pytest.raises(UserError, match="valid_images=5: expected at least one image per class"):
        D.from_fashion(load_fashion_mnist(ROOT / "tests" / "data" / "fashion-mnist"), valid_images=5, max_test=0, seed=0)


def test_the_regimes_share_every_labelled_image(fashion):
    st = steps.setup(fashion, [0, 1, 2], [2, 4])
    splits = st.splits(4)
    assert [s.seed for s in splits] == [0, 1, 2]
    assert all(len(s.fit) == 40 and s.validation is splits[0].validation and s.test is splits[0].test for s in splits)
    F = np.arange(len(fashion.y_pool))[:, None].astype(float)  # a "feature" that is the pool position
    rows = {int(p): int(p) for p in range(len(fashion.y_pool))}
    feat = st.splits(4, F, F[:len(fashion.y_valid)], F[:len(fashion.y_test)], rows=rows)
    assert all(np.array_equal(f.fit.X[:, 0], st.labelled[s.seed][4]) for f, s in zip(feat, splits))
    assert all(np.array_equal(f.fit.y, s.fit.y) for f, s in zip(feat, splits))


def test_epochs_are_given_per_budget():
    assert steps.epochs_for([50, 10], [8, 20]) == {10: 20, 50: 8}
    with pytest.raises(UserError, match="one epoch count per budget"):
        steps.epochs_for([10, 50], [3])


def test_the_notebook_defaults_validate_and_name_the_models():
    defaults = notebook_defaults(NB)
    validate_params(defaults)
    assert set(steps.PARAMETERS) == set(defaults)
    assert BY_NAME["transfer"].lab == 3 and "transfer" in BY_NAME["lab3_conclusions"].needs
    assert steps.key("lite0_finetune", 50) == "lite0_finetune_k50"
    labels = {steps.model_label(m) for m in ("cnn_scratch", "logreg_pixels", "lite0_features", "lite0_finetune",
                                            "lite0_random", "lite2_finetune")}
    assert labels == {"the lab's CNN from scratch", "logistic regression on pixels", "frozen EfficientNet-Lite0 features",
                      "fine-tuned EfficientNet-Lite0", "EfficientNet-Lite0 from random initialization",
                      "fine-tuned EfficientNet-Lite2"}
    assert not any("_" in label for label in labels)


@pytest.mark.parametrize("change, words", [
    ({"budgets": [10, 10]}, "budgets=[10, 10]: expected a non-empty list of distinct positive integers"),
    ({"epochs": [3, 3]}, "epochs=[3, 3]: expected one epoch count per budget (3)"),
    ({"headline_budget": 7}, "headline_budget=7: expected one of the budgets"),
    ({"resolution": 100}, "resolution=100: expected a multiple of 32"),
    ({"variants": ["lite1", "lite2"]}, "variants=['lite1', 'lite2']: expected distinct Lite sizes starting with lite0"),
    ({"variants": ["lite0", "lite7"]}, "variants=['lite0', 'lite7']: expected a non-empty list from lite0, lite1, lite2"),
    ({"backbone_lr": 0}, "backbone_lr=0: expected a positive number"),
    ({"test_share": 1.5}, "test_share=1.5: expected a fraction between 0 and 1"),
    ({"data_path": 3}, "data_path=3: expected a folder path"),
])
def test_bad_parameters_are_one_line(change, words):
    params = {**notebook_defaults(NB), **change}
    with pytest.raises(UserError) as err:
        validate_params(params)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_without_the_extra_the_chapter_stops_with_exit_2_naming_it(monkeypatch, capsys):
    from mlplab.cli import main

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "efficientnet_lite_pytorch" else real(name, *a))
    monkeypatch.chdir(ROOT)
    assert main(["run", "--profile", "quick", "--only", "transfer"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "pip install 'mlplab[transfer]'" in err and "efficientnet-lite-pytorch" in err


def test_throughput_is_timed_by_the_wall_clock_and_estimated_for_idle_cores_from_cpu_time():
    import torch

    calls = []
    rate = steps.timed_rate(lambda: calls.append(sum(range(20_000))), images=8, repeats=3)
    assert len(calls) == 4  # one warm-up call, then the timed ones
    assert rate["wall"] > 0 and rate["idle"] > 0 and rate["threads"] == torch.get_num_threads()
    assert set(rate) == {"wall", "idle", "threads", "load"}
