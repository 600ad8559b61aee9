"""The recommendation on validation (mlplab.experiment.select) and one-regularizer variants
(mlplab.experiment.regularize)."""

from __future__ import annotations

import pytest

from mlplab.experiment.record import Run, SplitResult
from mlplab.experiment.regularize import LABELS, OFF, REGULARIZERS, plain, variants
from mlplab.experiment.select import candidates, recommend


def run(name, valid, test=None, role="variant", splits=(0, 1, 2), metric="macro_f1"):
    """A run whose validation scores are `valid` (one per split) and test scores `test`."""
    test = test if test is not None else [0.5 if v is None else v - 0.05 for v in valid]
    return Run(name, role, name, splits=[
        SplitResult(s, s, {metric: 0.9}, {metric: v} if v is not None else {}, {metric: t})
        for s, v, t in zip(splits, valid, test)])


def test_recommend_picks_the_best_validation_mean_not_the_best_test():
    runs = [run("a", [0.60, 0.62, 0.61], test=[0.90, 0.90, 0.90]),   # best on test: must not matter
            run("b", [0.70, 0.69, 0.71], test=[0.50, 0.50, 0.50]),
            run("c", [0.65, 0.66, 0.64])]
    rec = recommend(runs, "macro_f1", higher_is_better=True)
    assert rec == {"model": "b", "by": "validation", "metric": "macro_f1", "validation": pytest.approx(0.70),
                   "test": pytest.approx(0.50), "candidates": ["b", "c", "a"], "runner_up": "c", "outer_splits": 3}


def test_recommend_lower_is_better():
    runs = [run("a", [10.0, 11.0, 12.0], metric="rmse"), run("b", [9.0, 9.5, 9.0], metric="rmse"),
            run("c", [20.0, 20.0, 20.0], metric="rmse")]
    rec = recommend(runs, "rmse", higher_is_better=False)
    assert (rec["model"], rec["runner_up"], rec["candidates"]) == ("b", "a", ["b", "a", "c"])
    assert rec["validation"] == pytest.approx(27.5 / 3)
    assert recommend(runs, "rmse", higher_is_better=True)["model"] == "c"


def test_leaky_references_are_never_recommended():
    runs = [run("lab_protocol", [0.99, 0.99, 0.99], role="leaky_reference"), run("b", [0.7, 0.7, 0.7]),
            run("c", [0.6, 0.6, 0.6], role="baseline")]
    rec = recommend(runs, "macro_f1", higher_is_better=True)
    assert rec["model"] == "b" and "lab_protocol" not in rec["candidates"]


def test_only_models_scored_on_the_same_splits_compete():
    runs = [run("two_splits", [0.95, 0.95], splits=(0, 1)), run("a", [0.6, 0.6, 0.6]), run("b", [0.7, 0.7, 0.7])]
    rec = recommend(runs, "macro_f1", higher_is_better=True)
    assert rec["candidates"] == ["b", "a"] and rec["model"] == "b"
    unvalidated = run("no_validation", [None, None, None])
    assert [r.name for r in candidates([*runs, unvalidated], "macro_f1")] == ["a", "b"]


def test_ties_break_by_name_and_a_single_candidate_has_no_runner_up():
    rec = recommend([run("zeta", [0.7] * 3), run("alpha", [0.7] * 3)], "macro_f1", higher_is_better=True)
    assert rec["model"] == "alpha" and rec["runner_up"] == "zeta"
    assert recommend([run("only", [0.7] * 3)], "macro_f1", higher_is_better=True)["runner_up"] is None


def test_no_candidate_gives_none():
    assert recommend([], "macro_f1", higher_is_better=True) is None
    assert recommend([run("lab", [0.9] * 3, role="leaky_reference")], "macro_f1", higher_is_better=True) is None
    assert recommend([run("a", [None] * 3)], "macro_f1", higher_is_better=True) is None
    assert recommend([run("a", [0.5] * 3)], "accuracy", higher_is_better=True) is None


SETTINGS = {"hidden": (32, 16), "epochs": 40, "lr": 0.003, "batch_size": 64, "dropout": 0.3, "weight_decay": 1e-4,
            "batch_norm": True, "input_noise": 0.1, "early_stopping": 5, "valid_fraction": 0.2}


def differing(a: dict, b: dict) -> set:
    return {k for k in a.keys() | b.keys() if a.get(k) != b.get(k)}


@pytest.fixture
def ladder():
    return variants("mlp", SETTINGS, reference="mlp_plain", dropout=0.2, weight_decay=1e-3, input_noise=0.05,
                    patience=4, valid_fraction=0.15)


def test_plain_switches_every_regularizer_off_and_keeps_the_rest():
    base = plain(SETTINGS)
    assert base == {"hidden": (32, 16), "epochs": 40, "lr": 0.003, "batch_size": 64, **OFF}
    assert SETTINGS["dropout"] == 0.3                     # the caller's settings are not changed


def test_each_variant_differs_from_its_reference_in_one_regularizer_only(ladder):
    base = plain(SETTINGS)
    assert set(ladder) == {f"mlp_{r}" for r in REGULARIZERS} | {"mlp_es_reference"}
    expected = {"dropout": ({"dropout"}, 0.2), "l2": ({"weight_decay"}, 1e-3), "batchnorm": ({"batch_norm"}, True),
                "noise": ({"input_noise"}, 0.05)}
    for reg, (keys, value) in expected.items():
        v = ladder[f"mlp_{reg}"]
        assert v["regularizer"] == reg and v["reference"] == "mlp_plain"
        assert differing(v["settings"], base) == keys
        assert v["settings"][next(iter(keys))] == value
    for v in ladder.values():
        assert v["settings"]["epochs"] == 40 and v["settings"]["hidden"] == (32, 16)
    assert set(LABELS) == set(REGULARIZERS)


def test_early_stopping_has_a_reference_on_the_same_reduced_rows(ladder):
    es, ref = ladder["mlp_early_stopping"], ladder["mlp_es_reference"]
    assert es["regularizer"] == "early_stopping" and es["reference"] == "mlp_es_reference"
    assert es["settings"]["early_stopping"] == 4 and es["settings"]["valid_fraction"] == 0.15
    assert es["settings"]["epochs"] == SETTINGS["epochs"]                 # same epoch cap, not a longer one
    assert differing(es["settings"], ref["settings"]) == {"early_stopping"}
    assert ref["settings"]["valid_fraction"] == 0.15 and ref["settings"]["early_stopping"] == 0
    assert ref["regularizer"] is None and ref["reference"] == "mlp_plain"
    assert differing(ref["settings"], plain(SETTINGS)) == {"valid_fraction"}


def test_a_subset_of_regularizers():
    out = variants("net", {"epochs": 5}, reference="net_ref", dropout=0.1, weight_decay=0.0, input_noise=0.0,
                   patience=2, valid_fraction=0.1, which=("dropout", "l2"))
    assert set(out) == {"net_dropout", "net_l2"}        # no early-stopping reference without early stopping


def test_unknown_regularizer_is_a_value_error():
    with pytest.raises(ValueError, match=r"unknown regularizer\(s\) \['mixup'\]"):
        variants("mlp", SETTINGS, reference="r", dropout=0.1, weight_decay=0.1, input_noise=0.1, patience=1,
                 valid_fraction=0.1, which=("dropout", "mixup"))
