"""Model builders, dollar-scale scoring, parallel seeds and the search wiring, on tiny data."""

import numpy as np
import pandas as pd
import pytest

from mlplab.errors import UserError
from mlplab.regression import experiment as ex
from mlplab.regression import models, steps


@pytest.fixture
def prep(seeded):
    rng = np.random.default_rng(0)
    dates = pd.bdate_range("2014-06-02", periods=150)
    rows = []
    for sym, p0 in (("LOW", 8.0), ("MID", 60.0), ("HIGH", 400.0)):
        opens = p0 * np.exp(np.cumsum(rng.normal(0, 0.01, len(dates))))
        r = rng.normal(0, 0.01, len(dates))
        close = opens * (1 + r)
        high = np.maximum(opens, close) * (1 + np.abs(rng.normal(0, 0.004, len(dates))))
        low = np.minimum(opens, close) * (1 - np.abs(rng.normal(0, 0.004, len(dates))))
        rows.append(pd.DataFrame({"date": dates, "symbol": sym, "open": opens, "close": close, "low": low, "high": high,
                                  "volume": rng.lognormal(14, 0.5, len(dates))}))
    frame = pd.concat(rows)
    return steps.prepare(frame, test_start="2014-12-01")


def test_naive_and_ols_are_scored_in_dollars(prep):
    naive = ex.fit_and_score("naive", models.naive_model(), *prep.d("intraday_return"))
    d_test = prep.d()[1]
    assert naive.test["rmse"] == pytest.approx(np.sqrt(np.mean((d_test.close - d_test.open) ** 2)))
    ols = ex.fit_and_score("ols_return", models.ols_model(), *prep.d("intraday_return"))
    assert ols.test["rmse"] < naive.test["rmse"]  # high/low carry information about the close
    close_ols = ex.fit_and_score("ols", models.ols_model(), *prep.d("close"))
    assert close_ols.formulation == "close" and close_ols.pred_test.shape == d_test.close.shape


def test_lab_protocol_has_no_scaling_and_the_baseline_does():
    lab = models.lab_protocol_model(batch_size=64, epochs=1)
    assert lab.scale_target is False and lab.module__hidden == (64, 32) and lab.lr == 1e-3 and lab.max_epochs == 1
    pipe = models.mlp_model(hidden=[16], epochs=1, batch_size=32)
    assert list(pipe.named_steps) == ["scale", "net"] and pipe.named_steps["net"].scale_target is True
    es = models.net(early_stopping=3, valid_fraction=0.2)
    assert es.early_stopping == 3 and es.valid_fraction == 0.2


def test_run_jobs_groups_seeds_and_keeps_the_first_run(prep):
    st = steps.mlp_settings([8], "relu", "adam", 0.01, 64, 2)
    jobs = ex.seed_jobs("m", lambda s: models.mlp_model(**st, seed=s), "intraday_return", [3, 4], settings=st)
    jobs.append(ex.Job("c", lambda s: models.mlp_model(**st, seed=s), 0, "close", keep=True))
    runs = ex.run_jobs(jobs, prep.designs, n_jobs=1)
    m = runs["m"]
    assert m.seeds == [3, 4] and len(m.seed_tests) == 2 and m.seed_tests[0] == m.test
    assert m.history is not None and len(m.history) == 2 and m.pred_test is not None
    assert runs["c"].formulation == "close" and runs["c"].history is None
    assert m.seed_summary()["n"] == 2 and m.seed_summary()["std"]["rmse"] >= 0
    with pytest.raises(UserError, match="seeds"):
        ex.seed_jobs("m", None, "close", [])


def test_same_seed_same_result(prep):
    st = steps.mlp_settings([8], "relu", "adam", 0.01, 64, 2)
    a, b = (ex.run_jobs([ex.Job("m", lambda s: models.mlp_model(**st, seed=s), 7, "intraday_return")],
                        prep.designs)["m"] for _ in range(2))
    assert a.test["rmse"] == pytest.approx(b.test["rmse"], rel=1e-6)


def test_regularized_settings_variants():
    tuned = {"hidden": [8], "epochs": 5, "lr": 0.01}
    v = ex.regularized_settings(tuned, dropout=0.2, weight_decay=1e-4, patience=2, valid_fraction=0.1,
                                early_stopping_epochs=9)
    assert set(v) == {"mlp_tuned_dropout", "mlp_tuned_l2", "mlp_tuned_batchnorm", "mlp_tuned_early_stopping",
                      "mlp_tuned_all_reg"}
    assert v["mlp_tuned_dropout"] == {**tuned, "dropout": 0.2}
    assert v["mlp_tuned_early_stopping"]["epochs"] == 9 and v["mlp_tuned_early_stopping"]["valid_fraction"] == 0.1
    allr = v["mlp_tuned_all_reg"]
    assert allr["dropout"] == 0.2 and allr["weight_decay"] == 1e-4 and allr["batch_norm"] and allr["early_stopping"] == 2


def test_halving_search_on_recent_rows_and_settings(prep):
    fixed = steps.mlp_settings([8], "relu", "adam", 0.01, 64, 2)
    res = steps.search(prep, grid={"lr": [0.01, 0.003], "hidden": [[8], [4]], "lr_schedule": ["", "cosine"],
                                   "epochs": [1, 3]},
                       method="halving", cv=2, n_jobs=1, subsample=200, seed=0, fixed=fixed)
    assert res.searched_rows == 200 and res.n_candidates == 8 and res.best_estimator is None
    assert set(res.cv_results["lr_schedule"]) == {"constant", "cosine"}
    best = ex.settings_from_search(res.best_params, fixed)
    assert best["epochs"] in (1, 3) and isinstance(best["hidden"], list)
    assert best["lr_schedule"] in ("", "cosine") and best["batch_size"] == 64
    models.mlp_model(**best)  # the merged settings build a model


def test_tuned_models_runs_seeds_and_variants(prep):
    st = steps.mlp_settings([8], "relu", "adam", 0.01, 64, 2)
    runs = steps.tuned_models(prep, st, [0, 1], dropout=0.1, weight_decay=1e-4, patience=1, valid_fraction=0.2,
                              early_stopping_epochs=4, n_jobs=1)
    assert runs["mlp_tuned"].seeds == [0, 1]
    assert all(runs[n].history is not None for n in runs)
    assert runs["mlp_tuned_early_stopping"].history["valid_loss"].notna().all()


def test_reference_models_on_the_close_target(prep):
    prep.target = "close"
    st = steps.mlp_settings([8], "relu", "adam", 0.01, 64, 2)
    runs = steps.reference_models(prep, mlp=st, seeds=[0], lab_epochs=1, n_jobs=1)
    assert set(runs) == {"naive", "ols", "ols_return", "lab_protocol", "mlp_baseline", "mlp_baseline_return"}
    assert runs["mlp_baseline"].formulation == "close" and runs["mlp_baseline_return"].formulation == "intraday_return"
    assert runs["lab_protocol"].settings["scaled"] is False and runs["lab_protocol"].history is not None
