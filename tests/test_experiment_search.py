"""The search entry point (mlplab.experiment.search) on a non-net estimator: grid and halving on a boosting
model's iterations, the folds each kind of data gets, choose_by_cv, serializable summaries."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import KFold, StratifiedKFold, TimeSeriesSplit, cross_val_score

from mlplab.errors import UserError
from mlplab.experiment.search import choose_by_cv, run_search
from mlplab.resample import make_pipeline


@pytest.fixture(scope="module")
def clf_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 3))
    y = np.digitize(X[:, 0] + 0.5 * X[:, 1] + 0.5 * rng.normal(size=150), [-0.6, 0.8])
    return X, y


def hgb(max_iter=9, **kwargs):
    return make_pipeline(HistGradientBoostingClassifier(max_iter=max_iter, early_stopping=False, random_state=0,
                                                        **kwargs), "none")


GRID = {"learning_rate": [0.05, 0.3], "max_leaf_nodes": [3, 7]}


def test_grid_search_on_a_boosting_pipeline(clf_data):
    X, y = clf_data
    res = run_search(hgb(), X, y, GRID, task="classification", cv=3, seed=4)
    assert (res.method, res.scoring, res.n_candidates, res.cv_folds, res.n_fits) == ("grid", "f1_macro", 4, 3, 12)
    assert res.searched_rows == 150 and res.notes == [] and res.best_estimator is None
    assert set(res.best_params) == {"learning_rate", "max_leaf_nodes"}
    assert res.best_params_full == {f"net__{k}": v for k, v in res.best_params.items()}
    table = res.cv_results
    top = table.loc[table["rank_test_score"] == 1].iloc[0]
    assert (top["learning_rate"], top["max_leaf_nodes"]) == (res.best_params["learning_rate"],
                                                             res.best_params["max_leaf_nodes"])
    assert res.best_score == pytest.approx(table["mean_test_score"].max())
    # the score is the stratified, shuffled 3-fold CV of the winner seeded by `seed`
    folds = StratifiedKFold(3, shuffle=True, random_state=4)
    manual = cross_val_score(hgb().set_params(**res.best_params_full), X, y, cv=folds, scoring="f1_macro")
    assert res.best_score == pytest.approx(manual.mean())


def test_halving_spends_max_iter_and_records_the_winners_budget(clf_data):
    X, y = clf_data
    res = run_search(hgb(max_iter=27), X, y, GRID, task="classification", method="halving", cv=3, factor=3)
    table = res.cv_results
    assert res.method == "halving"
    assert sorted(table["n_resources"].unique().tolist()) == [9, 27]     # 4 candidates at 9, the best 2 at 27
    assert table.groupby("n_resources").size().to_dict() == {9: 4, 27: 2}
    assert "max_iter" not in table.columns
    assert res.best_params["max_iter"] == 27 and res.best_params_full["net__max_iter"] == 27
    top = table.loc[table["rank_test_score"] == 1].iloc[0]
    assert top["n_resources"] == 27 and top["iter"] == table["iter"].max()
    assert res.best_score == pytest.approx(top["mean_test_score"])
    assert res.n_fits == 6 * 3
    with pytest.raises(UserError, match="uses 'max_iter' as its budget"):
        run_search(hgb(max_iter=27), X, y, {**GRID, "max_iter": [9, 27]}, task="classification", method="halving")


def test_halving_with_refit_fits_the_winner_on_all_rows(clf_data):
    X, y = clf_data
    res = run_search(hgb(max_iter=9), X, y, {"max_leaf_nodes": [3, 7, 15]}, task="classification",
                     method="halving", cv=2, subsample=90, refit=True)
    assert res.searched_rows == 90 and res.notes == ["searched on 90 of 150 rows (stratified subsample)"]
    net = res.best_estimator.named_steps["net"]
    assert net.max_iter == res.best_params["max_iter"] and net.max_leaf_nodes == res.best_params["max_leaf_nodes"]
    assert net.n_features_in_ == 3 and res.best_estimator.predict(X).shape == (150,)


class Spy(RegressorMixin, BaseEstimator):
    """Predicts the mean; records the row ids (column 0) of every fit."""

    seen: list = []

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def fit(self, X, y):
        Spy.seen.append(np.asarray(X)[:, 0].astype(int).tolist())
        self.mean_ = float(np.mean(y)) * self.alpha
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


@pytest.fixture
def reg_rows():
    rng = np.random.default_rng(1)
    X = np.column_stack([np.arange(100), rng.normal(size=100)])
    Spy.seen = []
    return X, X[:, 1] + rng.normal(size=100)


def test_ordered_rows_get_time_series_folds_on_the_most_recent_subsample(reg_rows):
    X, y = reg_rows
    res = run_search(Spy(), X, y, {"alpha": [0.5, 1.0]}, task="regression", cv=3, subsample=40, ordered=True,
                     refit=True)
    assert res.notes == ["searched on 40 of 100 rows (most recent subsample)"] and res.searched_rows == 40
    expected = [list(range(60, 100))[: len(tr)] for tr, _ in TimeSeriesSplit(3).split(np.zeros(40))]
    assert Spy.seen[:-1] == expected * 2          # both candidates, expanding windows from row 60
    assert [len(s) for s in expected] == [10, 20, 30]
    assert Spy.seen[-1] == list(range(100))       # the refit sees every given row
    assert "mean_test_rmse" in res.cv_results and res.best_score == -res.cv_results["mean_test_rmse"].min()


def test_unordered_regression_gets_shuffled_kfold(reg_rows):
    X, y = reg_rows
    res = run_search(Spy(), X, y, {"alpha": [1.0]}, task="regression", cv=4, seed=3)
    expected = [tr.tolist() for tr, _ in KFold(4, shuffle=True, random_state=3).split(X)]
    assert Spy.seen == expected and res.cv_folds == 4
    Spy.seen = []
    res = run_search(Spy(), X, y, {"alpha": [1.0]}, task="regression", cv=2, subsample=30, seed=3)
    assert res.notes == ["searched on 30 of 100 rows (random subsample)"]
    rows = sorted(Spy.seen[0] + Spy.seen[1])
    assert len(rows) == 30 and rows != list(range(70, 100))


def test_bad_grids_and_arguments_name_what_is_wrong(clf_data):
    X, y = clf_data
    with pytest.raises(UserError, match="parameter 'max_leafs' is not a parameter of HistGradientBoostingClassifier"):
        run_search(hgb(), X, y, {"max_leafs": [3]}, task="classification")
    with pytest.raises(UserError, match="parameter 'learning_rate' has an empty list"):
        run_search(hgb(), X, y, {"learning_rate": []}, task="classification")
    with pytest.raises(UserError, match="cv must be >= 2 folds, got 1"):
        run_search(hgb(), X, y, GRID, task="classification", cv=1)
    with pytest.raises(UserError, match="scoring 'r2' is not available for classification"):
        run_search(hgb(), X, y, GRID, task="classification", scoring="r2")
    with pytest.raises(UserError, match="method must be one of"):
        run_search(hgb(), X, y, GRID, task="classification", method="random")


def test_choose_by_cv_picks_the_best_candidate_on_identical_folds(clf_data):
    X, y = clf_data
    candidates = {"majority": DummyClassifier(), "shallow": hgb(max_leaf_nodes=2), "deeper": hgb(max_leaf_nodes=7)}
    res = choose_by_cv(candidates, X, y, task="classification", cv=3, seed=2)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=2).split(X, y))
    manual = {name: cross_val_score(est, X, y, cv=folds, scoring="f1_macro").mean()
              for name, est in candidates.items()}
    scores = dict(zip(res.table["name"], res.table["mean_test_score"]))
    assert scores == pytest.approx(manual)
    assert res.best == max(manual, key=manual.get) and res.best != "majority"
    assert res.table["rank"].tolist() == [1, 2, 3] and res.table["name"].iloc[0] == res.best
    assert (res.scoring, res.cv_folds) == ("f1_macro", 3)
    with pytest.raises(UserError, match="at least one candidate"):
        choose_by_cv({}, X, y, task="classification")


def test_summaries_are_json_serializable(clf_data):
    X, y = clf_data
    res = run_search(hgb(max_iter=9), X, y, {"learning_rate": np.array([0.1, 0.2]), "max_leaf_nodes": np.arange(3, 5)},
                     task="classification", method="halving", cv=2, subsample=100)
    d = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert d["best_params"] == res.best_params
    assert {type(v) for v in res.best_params.values()} <= {int, float}   # array grids give Python numbers
    assert set(d) == {"method", "scoring", "n_candidates", "n_fits", "cv_folds", "searched_rows", "seconds",
                      "best_score", "best_params", "notes"}
    assert d["notes"] == ["searched on 100 of 150 rows (stratified subsample)"]
    choice = choose_by_cv({"a": DummyClassifier(), "b": hgb()}, X, y, task="classification", cv=2)
    c = json.loads(json.dumps(choice.to_dict(), allow_nan=False))
    assert c["best"] == "b" and set(c["scores"]) == {"a", "b"} and c["cv_folds"] == 2
