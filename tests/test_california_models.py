"""California estimators and protocol pieces: the clip, the encodings, the skew transform, network
shapes and parameter counts, the fixed random splits, the search budget."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from torch import nn

from mlplab.california import models as mo, steps
from mlplab.california.features import LogSkewed, design, skewed_columns
from mlplab.data.california import load_california
from mlplab.plots.architecture import count_parameters

SAMPLE = Path(__file__).parent / "data" / "california" / "california_housing.csv"


@pytest.fixture(scope="module")
def frame():
    return load_california(SAMPLE).frame


def test_log_skewed_transforms_the_long_tails(frame):
    X, _ = design(frame)
    t = LogSkewed(2.0).fit(X)
    expected = [c for c in X.columns if stats.skew(X[c]) > 2.0]
    assert t.skewed_ == expected and "Population" in expected and "Latitude" not in expected
    out = t.transform(X)
    j = list(X.columns).index("Population")
    np.testing.assert_allclose(out[:, j], np.log1p(X["Population"]))
    k = list(X.columns).index("Latitude")
    np.testing.assert_allclose(out[:, k], X["Latitude"])
    assert skewed_columns(frame, 2.0) == t.skewed_


def test_numeric_encoding_widths(frame):
    X, _ = design(frame)
    assert mo.NumericEncoding("standard").fit(X).transform(X).shape == (len(X), 8)
    ple = mo.NumericEncoding("ple", n_bins=8).fit(X).transform(X)
    assert ple.shape == (len(X), 64) and ple.min() >= 0 and ple.max() <= 1


def test_clipped_predictions_stay_in_the_training_range():
    X = np.arange(20, dtype=float).reshape(-1, 1)
    y = np.clip(X.ravel(), 2, 10)
    m = mo.Clipped(mo.LinearRegression()).fit(X, y)
    pred = m.predict(np.array([[-100.0], [5.0], [100.0]]))
    assert pred[0] == 2 and pred[2] == 10 and 2 < pred[1] < 10
    assert m.unclipped(np.array([[100.0]]))[0] > 10


def test_network_shapes_and_parameter_counts(frame):
    X, y = design(frame)
    settings = {"hidden": [16, 8], "epochs": 2, "batch_size": 64}
    pipe = mo.mlp_pipeline(settings, encoding="ple", n_bins=4, seed=0).fit(X, y)
    net = pipe.named_steps["net"]
    assert net.n_features_in_ == 32
    assert count_parameters(net.module_) == (32 * 16 + 16) + (16 * 8 + 8) + (8 + 1)
    src = mo.source_pipeline(mo.source_settings([16, 16], 0.2, 2, 64), seed=0).fit(X, y)
    module = src.named_steps["net"].module_
    kinds = [type(m) for m in module.blocks]
    assert kinds.count(nn.BatchNorm1d) == 2 and kinds.count(nn.Dropout) == 2 and module.head.out_features == 1
    assert count_parameters(module) == (8 * 16 + 16) + 2 * 16 + (16 * 16 + 16) + 2 * 16 + (16 + 1)
    assert src.predict(X).shape == (len(X),)


def test_random_splits_are_fixed_disjoint_and_shuffled():
    a = steps.random_indices(1000, [0, 1, 2])
    b = steps.random_indices(1000, [0, 1, 2])
    for s, t in zip(a, b):
        np.testing.assert_array_equal(s.fit, t.fit)
        parts = [set(s.fit), set(s.validation), set(s.test)]
        assert sum(map(len, parts)) == 1000 and len(set().union(*parts)) == 1000
        assert len(s.test) == 200 and len(s.validation) == 160
        assert not np.all(np.diff(s.fit) > 0)   # shuffled order: the last fit rows are not a region
    assert not np.array_equal(a[0].test, a[1].test)


def test_search_budget_matches_sklearn_halving():
    assert steps.halving_rounds(8, 3, 60, 20) == [(8, 20), (3, 60)]
    b = steps.budget({"a": [1, 2], "b": [1, 2], "c": [1, 2]}, method="halving", cv=3, factor=3, max_resource=450)
    assert b["rounds"] == [[8, 150], [3, 450]] and b["fits"] == 33 and b["candidates"] == 8
    g = steps.budget({"a": [1, 2]}, method="grid", cv=2, factor=3, max_resource=10)
    assert g["rounds"] == [[2, 10]] and g["fits"] == 4


def test_subsample_marks_the_provenance(frame):
    small, prov = steps.subsample(frame, 100, seed=0, provenance={"kind": "real", "rows": len(frame)})
    assert len(small) == 100 and prov["kind"] == "subset" and prov["rows"] == 100
    same, prov2 = steps.subsample(frame, 0, seed=0, provenance={"kind": "real"})
    assert same is frame and prov2["kind"] == "real"


def test_by_income_decile_and_capped_errors(frame):
    X, y = design(frame)
    res = pd.DataFrame({"MedInc": X["MedInc"], "Latitude": X["Latitude"], "Longitude": X["Longitude"], "truth": y,
                        "prediction": np.full(len(y), y.mean())})
    res["residual"] = res["truth"] - res["prediction"]
    res["capped"] = res["truth"] >= 5.0
    table = steps.by_income_decile(res)
    assert table["rows"].sum() == len(res) and list(table["decile"]) == list(range(1, 11))
    assert table["capped rows"].sum() == int(res["capped"].sum())


def test_seed_ensemble_averages_members(frame):
    X, y = design(frame)
    net = mo.mlp_pipeline({"hidden": [8], "epochs": 2, "batch_size": 64}, seed=0)
    ens = mo.ensemble(net, size=3, seed=5, seed_param="net__seed").fit(X, y)
    assert [m.named_steps["net"].seed for m in ens.estimators_] == [5, 1005, 2005]
    preds = ens.member_predictions(X)
    np.testing.assert_allclose(ens.predict(X), preds.mean(axis=0))
    assert ens.spread(X) > 0
    hgb = mo.ensemble(mo.hgb_model(max_iter=5), size=2, seed=0, seed_param="random_state").fit(X, y)
    assert hgb.spread(X) == 0.0   # no random element: identical members
    assert mo.ensemble(net, size=1, seed=0, seed_param="net__seed") is net
