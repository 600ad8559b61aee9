"""The split/seed fan-out (mlplab.experiment.fanout): one Run per model, splits in order, details on the
first split only, the same results in one process, two loky workers and a Dask cluster."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression

from mlplab.errors import UserError
from mlplab.experiment import fanout
from mlplab.experiment.fanout import Job, jobs_for
from mlplab.experiment.protocol import OuterSplit, Rows, stratified_indices
from mlplab.experiment.tasks import Classification, Regression
from mlplab.metrics import classification_metrics, regression_metrics
from mlplab.training import MLPClassifier

TASK = Classification(labels=[0, 1])


def make_splits(n=120, seeds=(0, 1, 2), regression=False):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    signal = X[:, 0] + 0.5 * X[:, 1] + 0.7 * rng.normal(size=n)
    y = signal if regression else (signal > 0.3).astype(int)
    idx = stratified_indices((signal > 0.3).astype(int), list(seeds))
    return [OuterSplit(s.index, s.seed, Rows(X[s.fit], y[s.fit]), Rows(X[s.validation], y[s.validation]),
                       Rows(X[s.test], y[s.test])) for s in idx]


SPLITS = make_splits()


def build_dummy(info):
    return DummyClassifier(strategy="most_frequent")


def build_logreg(info):
    return LogisticRegression(C=1.0 + info.index)   # what the split's search would have chosen


def build_mlp(info):
    return MLPClassifier(module__hidden=(8,), max_epochs=2, batch_size=32, lr=0.05, seed=info.seed)


def describe_c(model):
    return {"C": float(model.C)}


def standard_jobs():
    return (jobs_for("dummy", build_dummy, SPLITS, role="baseline", label="majority class")
            + jobs_for("logreg", build_logreg, SPLITS, role="baseline", describe=describe_c, cost=2.0)
            + jobs_for("mlp", build_mlp, SPLITS, role="tuned", label="tuned MLP", curves=True, cost=3.0))


def assert_same(runs, reference):
    """Same metrics, settings, predictions and curves; probabilities equal up to BLAS rounding (a worker
    process may sum in another order than the test process)."""
    assert scores(runs) == scores(reference)
    for name in reference:
        np.testing.assert_allclose(runs[name].detail["proba"], reference[name].detail["proba"], rtol=0, atol=1e-5)


def scores(runs):
    """What a run computed, comparable across backends (no fitted models, no timings, no probabilities)."""
    out = {}
    for name, run in runs.items():
        for s in run.splits:
            out[name, s.split] = (s.seed, s.train, s.validation, s.test, s.settings)
        d = run.detail
        out[name, "pred"] = d["y_pred"].tolist()
        if run.history is not None:
            out[name, "history"] = run.history.drop(columns="dur").round(6).fillna(-1.0).to_dict("list")
    return out


@pytest.fixture(scope="module")
def serial_runs():
    return fanout.run(standard_jobs(), SPLITS, TASK, n_jobs=1)


def test_runs_grouped_by_name_with_splits_in_order(serial_runs):
    runs = serial_runs
    assert list(runs) == ["dummy", "logreg", "mlp"]
    assert [(r.role, r.label) for r in runs.values()] == [("baseline", "majority class"), ("baseline", "logreg"),
                                                         ("tuned", "tuned MLP")]
    for run in runs.values():
        assert run.split_ids == [0, 1, 2] and run.n == 3
        assert [s.seed for s in run.splits] == [0, 1, 2]


def test_metrics_on_train_validation_and_test_are_the_models_scores(serial_runs):
    logreg = serial_runs["logreg"]
    for split, result in zip(SPLITS, logreg.splits):
        model = LogisticRegression(C=1.0 + split.index).fit(split.fit.X, split.fit.y)
        for part in ("fit", "validation", "test"):
            rows = getattr(split, part)
            expected = classification_metrics(rows.y, model.predict(rows.X), [0, 1])
            assert getattr(result, "train" if part == "fit" else part) == expected
    dummy = serial_runs["dummy"].splits[1]
    assert dummy.test["accuracy"] == pytest.approx(np.mean(SPLITS[1].test.y == 0))
    assert dummy.test["per_class"]["1"]["recall"] == 0.0


def test_details_only_on_the_first_split(serial_runs):
    for run in serial_runs.values():
        first, *rest = run.splits
        assert all(s.detail == {} for s in rest)
        np.testing.assert_array_equal(first.detail["y_true"], SPLITS[0].test.y)
        assert len(first.detail["y_pred"]) == len(SPLITS[0].test.y)
        assert first.detail["proba"].shape == (len(SPLITS[0].test.y), 2)
        assert first.detail["classes"] == ["0", "1"]
        assert hasattr(first.detail["model"], "predict")
    assert serial_runs["dummy"].history is None and serial_runs["logreg"].history is None


def test_net_curves_have_validation_and_test_columns(serial_runs):
    hist = serial_runs["mlp"].history
    assert hist["epoch"].tolist() == [1, 2]
    for col in ("train_loss", "validation_loss", "test_loss", "validation_macro_f1", "test_accuracy"):
        assert hist[col].notna().all(), col
    assert hist["valid_loss"].isna().all()     # the net held out no rows of its own
    assert serial_runs["mlp"].splits[1].detail == {}


def test_describe_callback_is_recorded_per_split(serial_runs):
    assert [s.settings for s in serial_runs["logreg"].splits] == [{"C": 1.0}, {"C": 2.0}, {"C": 3.0}]
    assert all(s.settings == {} for s in serial_runs["dummy"].splits)
    assert serial_runs["logreg"].entry()["chosen"] == [{"C": 1.0}, {"C": 2.0}, {"C": 3.0}]


def test_tune_and_describe_are_merged_into_the_split_settings():
    def tune(model, split):
        return {"validation_rows": len(split.validation)}

    jobs = jobs_for("logreg", build_logreg, SPLITS[:2], role="baseline", describe=describe_c, tune=tune)
    runs = fanout.run(jobs, SPLITS, TASK)
    assert [s.settings for s in runs["logreg"].splits] == [
        {"validation_rows": len(SPLITS[0].validation), "C": 1.0},
        {"validation_rows": len(SPLITS[1].validation), "C": 2.0}]


def test_validate_false_leaves_validation_empty_and_no_validation_curve():
    jobs = (jobs_for("logreg", build_logreg, SPLITS, role="leaky_reference", validate=False)
            + jobs_for("mlp", build_mlp, SPLITS[:1], role="variant", curves=True, validate=False))
    runs = fanout.run(jobs, SPLITS, TASK)
    assert all(s.validation == {} for s in runs["logreg"].splits)
    assert not runs["logreg"].has("validation") and runs["logreg"].summary("validation") == {}
    assert runs["logreg"].has("test")
    hist = runs["mlp"].history
    assert hist["validation_loss"].isna().all() and hist["test_loss"].notna().all()


def test_jobs_given_out_of_order_come_back_in_split_order():
    jobs = jobs_for("logreg", build_logreg, SPLITS, role="baseline")
    jobs = [jobs[2], jobs[0], jobs[1]]
    runs = fanout.run(jobs, SPLITS, TASK)
    assert runs["logreg"].split_ids == [0, 1, 2]
    # details stay with split 0's job (jobs_for marked it), wherever it sits in the list
    assert len(runs["logreg"].detail["y_pred"]) == len(SPLITS[0].test.y)
    assert runs["logreg"].splits[1].detail == {} and runs["logreg"].splits[2].detail == {}


def test_missing_splits_and_empty_inputs():
    jobs = jobs_for("logreg", build_logreg, SPLITS, role="baseline")
    with pytest.raises(UserError, match=r"outer split\(s\) \[1, 2\] that were not given"):
        fanout.run(jobs, SPLITS[:1], TASK)
    with pytest.raises(UserError, match="logreg: no outer splits"):
        jobs_for("logreg", build_logreg, [], role="baseline")
    assert fanout.run([], SPLITS, TASK) == {}


def test_custom_evaluate_replaces_fit_and_score():
    from mlplab.experiment.record import SplitResult

    def leaky(job, split, task):
        return SplitResult(job.split, job.seed, {}, {}, {"accuracy": 0.5 + job.split}, settings={"leaky": True})

    jobs = [Job("lab", build_dummy, s.index, s.seed, role="leaky_reference", evaluate=leaky) for s in SPLITS]
    run = fanout.run(jobs, SPLITS, TASK)["lab"]
    assert run.values("accuracy") == [0.5, 1.5, 2.5]
    assert run.role == "leaky_reference" and run.label == "lab"


def test_regression_task_scores_in_the_units_it_is_given():
    splits = make_splits(regression=True, seeds=(0, 1))
    task = Regression(units=lambda part, pred: (np.asarray(part.y) * 10, pred * 10))
    runs = fanout.run(jobs_for("ols", lambda info: LinearRegression(), splits, role="baseline"), splits, task)
    model = LinearRegression().fit(splits[0].fit.X, splits[0].fit.y)
    expected = regression_metrics(splits[0].test.y * 10, model.predict(splits[0].test.X) * 10)
    assert runs["ols"].test == pytest.approx(expected)
    np.testing.assert_allclose(runs["ols"].detail["y_true"], splits[0].test.y * 10)
    assert not task.higher_is_better and Regression(headline="r2").higher_is_better


def test_two_loky_workers_give_the_same_results(serial_runs):
    parallel = fanout.run(standard_jobs(), SPLITS, TASK, n_jobs=2)
    assert_same(parallel, serial_runs)


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_results(serial_runs):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        on_cluster = fanout.run(standard_jobs(), SPLITS, TASK, scheduler=cluster.scheduler_address)
    assert_same(on_cluster, serial_runs)


@pytest.mark.slow
def test_dask_scheduler_local_gives_the_same_results(serial_runs):
    pytest.importorskip("dask.distributed")
    jobs = [j for j in standard_jobs() if j.name == "logreg"]
    local = fanout.run(jobs, SPLITS, TASK, scheduler="local", n_jobs=1)
    assert_same(local, {"logreg": serial_runs["logreg"]})


def test_unreachable_or_malformed_scheduler_is_a_user_error(monkeypatch):
    distributed = pytest.importorskip("dask.distributed")
    real = distributed.Client
    monkeypatch.setattr(distributed, "Client", lambda address, timeout: real(address, timeout=1))
    jobs = jobs_for("dummy", build_dummy, SPLITS[:1], role="baseline")
    with pytest.raises(UserError, match=r"parameter scheduler='tcp://127\.0\.0\.1:9': cannot reach"):
        fanout.run(jobs, SPLITS, TASK, scheduler="tcp://127.0.0.1:9")
    for bad in ("no-port-here", "http://127.0.0.1:8786"):
        with pytest.raises(UserError, match=rf"parameter scheduler='{bad}'"):
            fanout.run(jobs, SPLITS, TASK, scheduler=bad)


def test_workers_never_exceed_tasks_or_cores():
    assert fanout.workers(8, 3) <= 3
    assert fanout.workers(0, 5) == 1 and fanout.workers(None, 5) == 1
    assert fanout.workers(2, 1) == 1


def _worker_state(_):
    import os
    import sys

    return os.getpid(), "torch._dynamo" in sys.modules


def test_start_workers_warms_the_executor_the_fan_out_reuses():
    """The notebooks start the workers while their data load; the first fan-out must land on those
    same processes, with torch's lazily imported parts already loaded (or the start bought nothing)."""
    from joblib import Parallel, delayed

    assert fanout.start_workers(1) is None and fanout.start_workers(2, scheduler="local") is None
    thread = fanout.start_workers(2)
    thread.join(timeout=120)
    assert not thread.is_alive()
    with fanout.backend(2) as n:
        warmed = Parallel(n_jobs=n)(delayed(_worker_state)(i) for i in range(8))
    assert all(dynamo for _, dynamo in warmed)  # a fresh worker imports torch but not torch._dynamo
