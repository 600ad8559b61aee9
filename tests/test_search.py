"""Search: friendly grids, tidy results, halving on epochs, parallel and dask backends agree."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from matplotlib.figure import Figure
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline as SkPipeline

from mlplab.errors import UserError
from mlplab.plots.search import plot_search_scores, top_configs
from mlplab.resample import make_pipeline
from mlplab.preprocess import make_preprocessor
from mlplab.experiment.search import FRIENDLY, SearchResult, expand_grid, run_search
from mlplab.training import MLPClassifier, MLPRegressor

TIDY = ["mean_test_score", "std_test_score", "rank_test_score", "mean_fit_time"]


@pytest.fixture
def clf_data(seeded):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 4)).astype(np.float32)
    y = np.array([0] * 60 + [1] * 18 + [2] * 12)
    X[y == 1, 0] += 2.0
    X[y == 2, 1] -= 2.0
    return X, y


@pytest.fixture
def reg_data(seeded):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    return X, X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=80)


def tiny_net(max_epochs=9, **kwargs):
    return MLPClassifier(module__hidden=(8,), max_epochs=max_epochs, lr=0.05, batch_size=32, **kwargs)


def torch_threads(estimator, X, y):
    """A 'score' that reports how many torch threads the process running the fit uses."""
    return float(torch.get_num_threads())


def test_expand_grid_maps_friendly_names_and_prefixes_pipelines():
    net = tiny_net()
    grid = {"lr": [0.1], "hidden": [[64, 32], [16]], "epochs": 5, "dropout": [0.0, 0.2],
            "weight_decay": [0.0], "batch_norm": [False], "activation": ["relu"], "batch_size": [64]}
    full = expand_grid(grid, net)
    assert full == {"lr": [0.1], "module__hidden": [(64, 32), (16,)], "max_epochs": [5],
                    "module__dropout": [0.0, 0.2], "optimizer__weight_decay": [0.0],
                    "module__batch_norm": [False], "module__activation": ["relu"], "batch_size": [64]}
    piped = expand_grid({"lr": [0.1], "optimizer": [torch.optim.SGD], "resample__k_neighbors": [3]},
                        make_pipeline(net, "smote"))
    assert piped == {"net__lr": [0.1], "net__optimizer": [torch.optim.SGD], "resample__k_neighbors": [3]}
    assert set(FRIENDLY) == {"lr", "optimizer", "hidden", "activation", "batch_size", "epochs", "dropout",
                             "weight_decay", "batch_norm"}
    with pytest.raises(UserError, match="parameter 'lr' is not a parameter of Ridge"):
        expand_grid({"lr": [0.1]}, make_pipeline(Ridge()))
    with pytest.raises(UserError, match="model step must be named 'net'"):
        expand_grid({"C": [1.0]}, SkPipeline([("clf", LogisticRegression())]))
    with pytest.raises(UserError, match="parameter 'C' has an empty list"):
        expand_grid({"C": []}, LogisticRegression())


def test_grid_search_classification_returns_tidy_frame(clf_data, capsys):
    X, y = clf_data
    pipe = make_pipeline(LogisticRegression(max_iter=300), "smote", k_neighbors=3)
    res = run_search(pipe, X, y, {"C": [0.01, 0.1, 1.0]}, task="classification", cv=3, progress=False, refit=True)
    assert isinstance(res, SearchResult)
    assert list(res.cv_results.columns) == ["C", *TIDY]
    assert len(res.cv_results) == res.n_candidates == 3 and res.n_fits == 9
    assert res.scoring == "f1_macro" and res.method == "grid" and res.searched_rows == 90
    best_row = res.cv_results.loc[res.cv_results["rank_test_score"] == 1].iloc[0]
    assert res.best_params == {"C": best_row["C"]} and res.best_params_full == {"net__C": best_row["C"]}
    assert res.best_score == pytest.approx(best_row["mean_test_score"])
    assert res.best_estimator.named_steps["net"].C == best_row["C"]
    assert "fits" not in capsys.readouterr().err  # progress=False prints no bar


def test_progress_bar_counts_every_fit(clf_data, capsys):
    X, y = clf_data
    run_search(LogisticRegression(max_iter=300), X, y, {"C": [0.1, 1.0]}, task="classification", cv=3,
               progress=True, refit=False)
    assert "6/6" in capsys.readouterr().err


def test_regression_search_reports_rmse_and_refits_on_all_rows_after_subsample(reg_data):
    X, y = reg_data
    res = run_search(Ridge(), X, y, {"alpha": [0.01, 100.0]}, task="regression", cv=3, subsample=40,
                     progress=False, refit=True, ordered=True)
    assert res.scoring == "neg_root_mean_squared_error" and res.searched_rows == 40
    assert "searched on 40 of 80 rows (most recent subsample)" in res.notes[0]
    table = res.cv_results
    np.testing.assert_allclose(table["mean_test_rmse"], -table["mean_test_score"])
    assert (table["mean_test_rmse"] > 0).all() and res.best_params == {"alpha": 0.01}
    np.testing.assert_allclose(res.best_estimator.coef_, Ridge(alpha=0.01).fit(X, y).coef_)
    r2 = run_search(Ridge(), X, y, {"alpha": [0.01]}, task="regression", scoring="r2", progress=False, refit=False)
    assert r2.best_estimator is None and r2.best_score > 0.9 and "mean_test_rmse" not in r2.cv_results


def test_classification_subsample_is_stratified(clf_data):
    X, y = clf_data
    res = run_search(LogisticRegression(max_iter=300), X, y, {"C": [1.0]}, task="classification",
                     subsample=45, progress=False, refit=True)
    assert res.searched_rows == 45 and "stratified" in res.notes[0]
    assert res.best_estimator.coef_.shape == (3, 4)


def test_bad_arguments_name_the_parameter(clf_data):
    X, y = clf_data
    with pytest.raises(UserError, match="scoring 'r2' is not available for classification"):
        run_search(LogisticRegression(), X, y, {"C": [1.0]}, task="classification", scoring="r2")
    with pytest.raises(UserError, match="task must be one of"):
        run_search(LogisticRegression(), X, y, {"C": [1.0]}, task="ranking")
    with pytest.raises(UserError, match="uses 'epochs' as its budget; remove it from the grid"):
        run_search(tiny_net(), X, y, {"epochs": [3, 9]}, task="classification", method="halving")
    from sklearn.dummy import DummyClassifier

    with pytest.raises(UserError, match="needs a budget parameter; DummyClassifier has neither"):
        run_search(DummyClassifier(), X, y, {"strategy": ["prior"]}, task="classification", method="halving")


def test_halving_search_uses_max_epochs_as_resource(clf_data, capsys):
    X, y = clf_data
    res = run_search(tiny_net(max_epochs=9), X, y, {"lr": [0.001, 0.01, 0.05], "hidden": [[8], [4]]},
                     task="classification", method="halving", cv=2, factor=3, progress=True, refit=True)
    table = res.cv_results
    assert list(table.columns) == ["lr", "hidden", *TIDY, "iter", "n_resources"]  # epochs = n_resources
    assert sorted(table["n_resources"].unique()) == [3, 9]  # 6 candidates: 3 epochs, then the best 2 at 9
    assert len(table) == 6 + 2 and res.n_fits == 16
    assert "16/16" in capsys.readouterr().err  # the bar follows every halving round
    winner = table.loc[table["rank_test_score"] == 1].iloc[0]
    assert winner["n_resources"] == 9 and res.best_score == pytest.approx(winner["mean_test_score"])
    assert res.best_params == {"lr": winner["lr"], "hidden": winner["hidden"], "epochs": 9}
    assert res.best_estimator.max_epochs == 9 and len(res.best_estimator.history) == 9
    top = top_configs(table, k=5)
    assert len(top) == 5 and top["budget"].tolist()[:3] == [9, 9, 3]  # survivors first, once each
    assert top["rank"].is_monotonic_increasing and "rank_test_score" not in top  # readable headers
    fig = plot_search_scores(table)
    assert [ax.get_xlabel() for ax in fig.axes if ax.get_visible()] == ["learning rate", "layers"]
    assert sorted(t.get_text() for t in fig.axes[1].get_xticklabels()) == ["4", "8"]  # widths, not tuples
    assert fig.axes[0].get_legend() is None and fig.legends[0].get_title().get_text() == "epochs"  # below the panels


def test_halving_min_epochs_is_the_first_round(clf_data):
    X, y = clf_data
    pipe = make_pipeline(tiny_net(max_epochs=8), "none")
    res = run_search(pipe, X, y, {"lr": [0.005, 0.01, 0.02, 0.05]}, task="classification", method="halving", cv=2,
                     min_epochs=2, factor=4, progress=False, refit=False)
    assert res.cv_results["n_resources"].tolist() == [2, 2, 2, 2, 8]
    assert res.best_params_full["net__max_epochs"] == 8


def test_n_jobs_two_runs_one_torch_thread_per_worker(clf_data, capsys):
    X, y = clf_data
    res = run_search(LogisticRegression(max_iter=300), X, y, {"C": [0.1, 1.0]}, task="classification", cv=2,
                     n_jobs=2, scoring=torch_threads, progress=True, refit=False)
    assert res.cv_results["mean_test_score"].tolist() == [1.0, 1.0]
    assert "4/4" in capsys.readouterr().err  # worker completions reach the bar too


def test_dask_backend_matches_local_scores(clf_data, monkeypatch):
    # dask is in the dev extra (`make test` installs it); the default install still imports this module
    distributed = pytest.importorskip("distributed")
    made = []

    class Recording(distributed.Client):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    # the clients this search opens, not the process's default client: an earlier test's failed connection may
    # leave a half-made client registered until the garbage collector drops it
    monkeypatch.setattr("dask.distributed.Client", Recording)
    X, y = clf_data
    args = (make_pipeline(LogisticRegression(max_iter=300), "smote", k_neighbors=3), X, y, {"C": [0.1, 1.0]})
    local = run_search(*args, task="classification", progress=False, refit=False)
    dask = run_search(*args, task="classification", scheduler="local", n_jobs=2, progress=False, refit=False)
    np.testing.assert_allclose(dask.cv_results["mean_test_score"], local.cv_results["mean_test_score"])
    assert len(made) == 1 and made[0].status == "closed"  # the client it opened is closed again
    assert made[0].cluster.status.name == "closed"  # and so is its LocalCluster


def test_plot_and_top_configs_from_a_regression_search(reg_data):
    X, y = reg_data
    res = run_search(Ridge(), X, y, {"alpha": [0.01, 1.0, 100.0], "fit_intercept": [True, False]},
                     task="regression", progress=False, refit=False)
    fig = plot_search_scores(res.cv_results, score_label="RMSE (CV)")
    assert isinstance(fig, Figure)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_xlabel() for ax in visible] == ["alpha", "fit intercept"]
    assert visible[0].get_ylabel() == "RMSE (CV)"
    top = top_configs(res.cv_results, k=3)
    assert len(top) == 3 and top["rank"].tolist() == [1, 2, 3]
    assert "CV RMSE" in top.columns and top["CV RMSE"].astype(float).is_monotonic_increasing
    with pytest.raises(ValueError, match="not columns of cv_results"):
        plot_search_scores(res.cv_results, params=["lr"])


def test_real_nets_in_leak_free_pipeline_with_friendly_grid(seeded):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"temp": rng.normal(300, 2, 120), "torque": rng.normal(40, 10, 120),
                       "type": rng.choice(list("LMH"), 120)})
    y = np.where(df["torque"] > 52, "overstrain", "ok")
    pipe = make_pipeline(MLPClassifier(module__hidden=(8,), max_epochs=8, lr=0.05, batch_size=32),
                         "smote", preprocessor=make_preprocessor(["temp", "torque"], ["type"]), k_neighbors=3)
    res = run_search(pipe, df, y, {"hidden": [[8], [16, 8]], "dropout": [0.0, 0.2]}, task="classification",
                     method="halving", cv=2, factor=2, progress=False, refit=True)
    assert {"hidden", "dropout", "iter", "n_resources"} <= set(res.cv_results.columns)
    assert sorted(res.cv_results["n_resources"].unique()) == [2, 4, 8]  # 4 candidates, halved twice
    assert res.best_params_full["net__max_epochs"] == 8 and res.best_params["epochs"] == 8
    assert res.best_params["hidden"] in {(8,), (16, 8)}
    assert res.best_score > 0.6  # the rule is one threshold on torque: learnable even at this size
    assert len(res.best_estimator.named_steps["net"].history) == 8
    cw = make_pipeline(MLPClassifier(), "class_weight")
    assert cw.named_steps["net"].class_weight == "balanced"


def test_real_regressor_grid_in_time_order(reg_data):
    X, y = reg_data
    net = MLPRegressor(module__hidden=(8,), max_epochs=5, lr=0.01, batch_size=16)
    res = run_search(make_pipeline(net), X, y, {"lr": [0.001, 0.01], "weight_decay": [0.0, 1e-4]},
                     task="regression", cv=2, progress=False, refit=False)
    assert list(res.cv_results.columns) == ["lr", "weight_decay", *TIDY, "mean_test_rmse", "std_test_rmse"]
    assert len(res.cv_results) == 4 and res.n_fits == 8
    assert set(res.best_params_full) == {"net__lr", "net__optimizer__weight_decay"}


def test_top_configs_print_scores_in_positional_notation():
    table = pd.DataFrame({"rank_test_score": [1, 2], "mean_fit_time": [1.0, 1.0], "lr": [0.01, 0.1],
                          "mean_test_score": [0.163, 0.145], "std_test_score": [6.77e-05, 0.00136],
                          "params": [{}, {}]})
    top = top_configs(table.assign(enc__kind=["ple", "standard"]))
    assert top["encoding"].tolist() == ["piecewise-linear", "standardized"]  # readable values, not code values
    assert top["CV score"].tolist() == ["0.163", "0.145"] and top["CV score SD"].tolist() == ["0.000", "0.001"]
    rmse = top_configs(pd.DataFrame({"rank_test_score": [1, 2, 3], "mean_fit_time": [1.0] * 3, "lr": [0.01, 0.1, 1.0],
                                     "mean_test_rmse": [0.0087398, 0.0087573, 0.38], "std_test_rmse": [0.0018, 2e-6, 0.1],
                                     "params": [{}] * 3}))
    assert rmse["CV RMSE"].tolist() == ["0.008740", "0.008757", "0.380000"]  # one number of decimals per column
    assert rmse["CV RMSE SD"].tolist() == ["0.001800", "0.000002", "0.100000"]


def test_rank_note_explains_skipping_ranks_only():
    from mlplab.plots.search import rank_note

    assert rank_note(pd.DataFrame({"rank": [1, 2, 3]})) == ""
    assert "so the ranks skip" in rank_note(pd.DataFrame({"rank": [1, 2, 9, 10]}))


def test_search_plot_ticks_use_the_words_of_the_text():
    table = pd.DataFrame({"encoding": ["ple", "standard", "ple", "standard"], "lr": [0.01, 0.01, 0.1, 0.1],
                          "mean_test_score": [0.5, 0.6, 0.55, 0.65]})
    fig = plot_search_scores(table)
    assert sorted(t.get_text() for t in fig.axes[0].get_xticklabels()) == ["piecewise-linear", "standardized"]
