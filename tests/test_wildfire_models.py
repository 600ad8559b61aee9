"""Wildfire estimators and protocol: the sigmoid-output MLP (one logit, BCE), the one-feature rule,
day-grouped decision thresholds and the day-grouped outer splits against the random contrast."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from mlplab.data.wildfire import load_wildfire
from mlplab.experiment.tracking import fits_before_final
from mlplab.plots.architecture import count_parameters
from mlplab.wildfire import models as mo, steps
from mlplab.wildfire.features import design

SAMPLE = Path(__file__).parent / "data" / "wildfire" / "Algerian_forest_fires_dataset_UPDATE.csv"


@pytest.fixture(scope="module")
def data():
    frame = load_wildfire(SAMPLE).frame
    X, y = design(frame)
    return frame, X, y


def test_sigmoid_head_one_logit_bce(data):
    _, X, y = data
    pipe = mo.mlp_pipeline(mo.source_settings([16, 8], 0.2, 3, 32, 3e-3), "weather+fwi", seed=0).fit(X, y)
    net = pipe.named_steps["net"]
    assert net.module_.head.out_features == 1
    assert isinstance(net.criterion_, torch.nn.BCEWithLogitsLoss)
    assert count_parameters(net.module_) == (11 * 16 + 16) + 2 * 16 + (16 * 8 + 8) + 2 * 8 + (8 + 1)
    proba = pipe.predict_proba(X)
    assert proba.shape == (len(X), 2) and np.allclose(proba.sum(1), 1)
    logits = net.forward(pipe.named_steps["prep"].transform(X), training=False).numpy().ravel()
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-logits)), rtol=1e-5)
    clear = np.abs(logits) > 1e-5   # rows a float32 rounding difference between two batchings cannot flip
    np.testing.assert_array_equal(pipe.predict(X)[clear], (logits > 0).astype(int)[clear])
    assert list(net.classes_) == [0, 1]


def test_class_weight_becomes_pos_weight(data):
    _, X, y = data
    net = mo.net({"hidden": [4], "epochs": 1, "batch_size": 64}, seed=0).set_params(class_weight={0: 1.0, 1: 3.0})
    net.fit(mo.prep("weather").fit_transform(X), y)
    assert float(net.criterion_.pos_weight) == pytest.approx(3.0)


def test_threshold_rule_picks_feature_side_and_cut():
    X = pd.DataFrame({"a": np.arange(10.0), "b": np.r_[np.ones(5), np.zeros(5)]})
    y = np.r_[np.zeros(5, int), np.ones(5, int)]
    r = mo.ThresholdRule(features=("a", "b")).fit(X, y)
    assert r.fit_macro_f1_ == 1.0 and r.describe() == {"feature": "a", "side": ">=", "cut": 4.5}
    r2 = mo.ThresholdRule(features=("b",)).fit(X, y)
    assert r2.side_ == "<" and (r2.predict(X) == y).all()


def test_day_folds_and_thresholds_keep_days_together(data):
    _, X, y = data
    for train, test in mo.day_folds(X, y, 3, seed=0):
        assert not set(X["date"].iloc[train]) & set(X["date"].iloc[test])
    model = mo.with_thresholds(mo.baseline("logreg", "weather"), folds=3, seed=0).fit(X, y)
    assert 0 < model.threshold() < 1 and fits_before_final(model, y) == 3
    p = model.predict_proba(X)[:, 1]
    np.testing.assert_array_equal(model.predict(X), (p > model.threshold()).astype(int))


def test_grouped_splits_share_no_day_random_ones_do(data):
    _, X, y = data
    days = X["date"].to_numpy()
    grouped = steps.grouped_indices(y, days, [0, 1], folds=5, valid_folds=5)
    random = steps.random_indices(y, [0, 1], folds=5, valid_folds=5)
    assert len(grouped) == len(random) == 10
    assert steps.shared_days(grouped, days) == [0] * 10
    assert sum(steps.shared_days(random, days)) > 0
    for s in grouped:
        assert not set(days[s.fit]) & set(days[s.validation])
        assert len(set(s.fit) | set(s.validation) | set(s.test)) == len(y)
    again = steps.grouped_indices(y, days, [0, 1], folds=5, valid_folds=5)
    assert all(np.array_equal(a.test, b.test) for a, b in zip(grouped, again))


def test_misclassified_table_fits_the_pdf_and_keeps_the_prediction(data):
    from mlplab import reporting as rp

    frame = data[0]
    # worst case: many rows, both regions, every weather column at its widest value
    pool = frame[["date", "region"]].copy()
    pool["truth"] = frame["fire"].to_numpy()
    pool["prediction"] = 1 - pool["truth"]
    pool["p_fire"] = 0.4321
    wide = frame.copy()
    for col in ("temperature", "rh", "ws", "rain", "ffmc", "isi", "fwi"):
        wide[col] = 88.88 if col not in ("rh",) else 100.0
    wrong = steps.misclassified(pool, wide)
    assert list(wrong.columns) == ["date", "region", "truth", "predicted", "p(fire)", "T", "RH", "Ws", "Rain",
                                   "FFMC", "ISI", "FWI"]
    assert (wrong["predicted"] != wrong["truth"]).all() and set(wrong["predicted"]) == {"fire", "not fire"}
    assert wrong["T"].iloc[0] == 89 and wrong["RH"].iloc[0] == 100  # whole numbers, as published
    md = rp.table_markdown(wrong, "tbl-fire-errors", "caption", digits=2)
    assert rp.table_problems(md) == []
    table = rp.markdown_tables(md)[0]
    assert table.in_pdf and "predicted" in table.header and table.font_pt >= 8
