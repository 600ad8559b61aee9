"""Experiment tracking read back from the stores: MLflow's SQLite store, TensorBoard event files and
W&B offline runs (two worker processes writing one MLflow store at once: the notebook test); one run per final fit (not per out-of-fold
fit), one per search, one summary; missing extras are a one-line error naming the extra."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from mlplab.errors import UserError
from mlplab.experiment import fanout, tracking
from mlplab.experiment.protocol import OuterSplit, Rows
from mlplab.experiment.search import run_search
from mlplab.experiment.tasks import Classification, Regression
from mlplab.experiment.thresholds import ThresholdTuned
from mlplab.training import MLPClassifier, MLPRegressor

ROOT = Path(__file__).resolve().parents[1]

EPOCHS = 4


@pytest.fixture(autouse=True)
def _no_session():
    yield
    tracking.stop()


def _splits(classify: bool = False, n_splits: int = 2):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(160, 3)).astype(np.float32)
    y = X[:, 0] + 0.3 * rng.normal(size=160)
    if classify:
        y = np.where(y > 0, "a", "b")
    return [OuterSplit(i, i, Rows(X[:100], y[:100]), Rows(X[100:130], y[100:130]), Rows(X[130:], y[130:]))
            for i in range(n_splits)]


def _regressor(info):
    return Pipeline([("s", StandardScaler()), ("net", MLPRegressor(max_epochs=EPOCHS, batch_size=32, seed=info.seed))])


def _fit_runs(client, exp_id, group):
    return client.search_runs([exp_id], f"tags.`mlplab.group` = '{group}' and tags.`mlplab.kind` = 'fit'")


def test_unknown_backend_and_missing_extra(monkeypatch):
    with pytest.raises(UserError, match="tracking='neptune': expected one of none, mlflow, wandb, tensorboard"):
        tracking.check_backend("neptune")
    real = importlib.util.find_spec

    def no_mlflow(name, *args, **kwargs):
        return None if name == "mlflow" else real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", no_mlflow)
    with pytest.raises(UserError) as info:
        tracking.start("mlflow", "nb")
    assert str(info.value).count("\n") == 0 and "pip install 'mlplab[tracking]'" in str(info.value)
    assert tracking.current() is None


def test_off_by_default_logs_nothing(tmp_path):
    tr = tracking.start("none", "nb", root=tmp_path)
    assert tracking.current() is None and not tr.enabled
    assert tr.attach(_regressor(fanout.SplitInfo(0, 0)), name="m", split=0, seed=0) is None
    assert "off" in tracking.sentence(tr.describe())


def test_mlflow_store_metrics_match(tmp_path, monkeypatch):
    """In-process here; two loky workers writing one store at once: tests/test_california_notebooks.py."""
    from mlflow.tracking import MlflowClient

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    tr = tracking.start("mlflow", "nb", root=tmp_path)
    assert tr.uri == f"sqlite:///{(tmp_path / 'mlruns' / 'mlflow.db').resolve()}"
    splits = _splits()
    jobs = fanout.jobs_for("mlp", _regressor, splits, role="tuned", curves=True, settings={"hidden": [64, 32]})
    runs = fanout.run(jobs, splits, Regression(), n_jobs=1)
    csplits = _splits(classify=True)
    cjobs = fanout.jobs_for("clf", lambda info: ThresholdTuned(MLPClassifier(max_epochs=EPOCHS, seed=info.seed), cv=3),
                            csplits, role="tuned")
    cruns = fanout.run(cjobs, csplits, Classification(["a", "b"]), n_jobs=1)
    client = MlflowClient(tr.uri)
    exp = client.get_experiment_by_name(tr.experiment)
    fits = _fit_runs(client, exp.experiment_id, tr.group)
    assert len(fits) == 4   # one per final fit: the 3 out-of-fold fits of each ThresholdTuned are not runs
    for r in fits:
        name, split = r.data.params["model"], int(r.data.params["split"])
        source = runs[name] if name == "mlp" else cruns[name]
        metric = "rmse" if name == "mlp" else "macro_f1"
        assert r.data.metrics[f"final_test_{metric}"] == pytest.approx(source.values(metric)[split])
        assert r.data.metrics[f"final_validation_{metric}"] == pytest.approx(source.values(metric, "validation")[split])
        history = client.get_metric_history(r.info.run_id, "train_loss")
        assert [m.step for m in history] == list(range(1, EPOCHS + 1))
        assert r.info.status == "FINISHED"
    curves = [r for r in fits if r.data.params["model"] == "mlp" and r.data.params["split"] == "0"][0]
    assert len(client.get_metric_history(curves.info.run_id, "test_loss")) == EPOCHS  # eval-set curves logged too
    result = run_search(_regressor(fanout.SplitInfo(0, 0)), splits[0].fit.X, splits[0].fit.y, {"lr": [1e-3, 1e-2]},
                        task="regression", cv=2)
    sid = tr.log_search("mlp", result, split=0)
    assert client.get_run(sid).data.params["n_candidates"] == "2"
    assert [a.path for a in client.list_artifacts(sid, "search")] == [f"search/{tr.group}-mlp-0-search.csv"]
    info = tr.describe()
    assert info["runs"] == 5 and info["location"] == "sqlite:///mlruns/mlflow.db"
    assert "mlflow ui" in tracking.sentence(info)


def test_mlflow_honours_the_tracking_uri(tmp_path, monkeypatch):
    uri = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    tr = tracking.start("mlflow", "nb", root=tmp_path / "project")
    assert tr.uri == uri and not tr.local_mlflow
    splits = _splits(n_splits=1)
    fanout.run(fanout.jobs_for("mlp", _regressor, splits, role="tuned"), splits, Regression(), n_jobs=1)
    assert (tmp_path / "elsewhere.db").is_file() and not (tmp_path / "project" / "mlruns").exists()
    assert tr.describe()["runs"] == 1


def test_tensorboard_event_files_read_back(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    tr = tracking.start("tensorboard", "nb", root=tmp_path)
    splits = _splits()
    runs = fanout.run(fanout.jobs_for("mlp", _regressor, splits, role="tuned"), splits, Regression(), n_jobs=1)
    dirs = sorted(p for p in tr.tensorboard_dir.iterdir() if p.is_dir())
    assert len(dirs) == 2
    for d in dirs:
        acc = EventAccumulator(str(d))
        acc.Reload()
        split = int(d.name.split("_split_")[1].split("-")[0])
        final = acc.Scalars("final_test_rmse")
        assert final[0].value == pytest.approx(runs["mlp"].values("rmse")[split], rel=1e-6)
        assert [e.step for e in acc.Scalars("Loss/train_loss")] == list(range(1, EPOCHS + 1))
    assert tr.describe()["runs"] == 2


def test_wandb_offline_without_key(tmp_path, monkeypatch):
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.delenv("WANDB_MODE", raising=False)
    tr = tracking.start("wandb", "nb", root=tmp_path)
    splits = _splits(n_splits=1)
    fanout.run(fanout.jobs_for("mlp", _regressor, splits, role="tuned"), splits, Regression(), n_jobs=1)
    info = tr.describe()
    assert info["runs"] == 1 and info["mode"] == "offline" and "wandb sync" in info["view"]
    assert "offline mode" in tracking.sentence(info)


def test_locations_from_results_documents(tmp_path):
    docs = {"a": {"extra": {"tracking": {"backend": "mlflow", "location": "sqlite:///mlruns/mlflow.db", "runs": 3}}},
            "b": {"extra": {"tracking": {"backend": "none"}}}, "c": {"extra": {}}}
    assert tracking.locations(results=docs) == {"a": docs["a"]["extra"]["tracking"]}


class _Wrapper:
    """A wrapper such as Lab 1's PriceModel: the net is inside `estimator`."""

    def __init__(self, estimator):
        self.estimator = estimator


class _Ensemble:
    def __init__(self, estimators):
        self.estimators = estimators


def test_nets_are_found_through_pipelines_wrappers_and_ensembles():
    a, b = MLPRegressor(), MLPRegressor()
    pipe = Pipeline([("s", StandardScaler()), ("net", a)])
    assert list(tracking._nets(_Wrapper(pipe))) == [a]
    assert list(tracking._nets(_Ensemble([pipe, b]))) == [a, b]
    assert list(tracking._nets(ThresholdTuned(_Wrapper(pipe)))) == [a]
    assert list(tracking._nets(StandardScaler())) == []
    y = np.array(["a"] * 10 + ["b"] * 2)
    assert tracking.fits_before_final(ThresholdTuned(pipe, cv=5), y) == 2   # folds limited by the rarest class
    assert tracking.fits_before_final(ThresholdTuned(pipe, cv=0), y) == 1
    assert tracking.fits_before_final(pipe, y) == 0


def test_any_skorch_net_is_tracked(tmp_path):
    """Not only the package's fast nets: a plain skorch NeuralNetRegressor gets the same run."""
    import torch
    from skorch import NeuralNetRegressor
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    tr = tracking.start("tensorboard", "nb", root=tmp_path)
    splits = _splits(n_splits=1)
    build = lambda info: NeuralNetRegressor(torch.nn.Linear(3, 1), max_epochs=EPOCHS, train_split=None,  # noqa: E731
                                            verbose=0)
    part = lambda p: Rows(p.X, p.y.reshape(-1, 1).astype(np.float32))  # noqa: E731
    splits = [OuterSplit(s.index, s.seed, part(s.fit), part(s.validation), part(s.test)) for s in splits]
    runs = fanout.run(fanout.jobs_for("linear_net", build, splits, role="tuned"), splits, Regression(), n_jobs=1)
    (d,) = [p for p in tr.tensorboard_dir.iterdir() if p.is_dir()]
    acc = EventAccumulator(str(d))
    acc.Reload()
    assert acc.Scalars("final_test_rmse")[0].value == pytest.approx(runs["linear_net"].values("rmse")[0], rel=1e-6)
    assert len(acc.Scalars("Loss/train_loss")) == EPOCHS


def test_profile_validation_imports_neither_skorch_nor_torch():
    """`mlplab run` validates every notebook's parameters before any starts, and writes the book's pages
    from the results files after each; both must stay light (the quick profile's 90-s budget)."""
    code = ("import sys; from pathlib import Path; from mlplab import pages, params as P, results, runner\n"
            f"root = Path({str(ROOT)!r}); specs = runner.select(None)\n"
            "defaults = {s.name: P.notebook_defaults(root / 'analysis' / s.source) for s in specs}\n"
            "P.resolve(specs, defaults, P.load_profile(root / 'params', 'full'), [], 'full')\n"
            "print(len(specs), ' '.join(m for m in ('skorch', 'torch', 'sklearn', 'mlflow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["16"]  # all sixteen notebooks validated, none of the heavy modules loaded
