"""Fit, score in dollars, repeat over seeds, search and regularize.

Every model is scored on the predicted CLOSE PRICE in dollars (a return prediction r is turned into
open * (1 + r)), so models of either formulation share one scale. Seeds run in parallel joblib
workers with one torch thread each; the first seed's run is the one shown (curves, residuals).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, parallel_config

from mlplab.errors import UserError
from mlplab.metrics import REGRESSION_METRICS, regression_metrics, summarize_seeds
from mlplab.regression.features import Design

REGULARIZERS = ("dropout", "l2", "batchnorm", "early_stopping")


@dataclass
class ModelRun:
    """One model's dollars-scale metrics; `seed_tests` holds every seed's test metrics."""

    name: str
    train: dict
    test: dict
    seconds: float
    formulation: str
    pred_train: np.ndarray | None = None
    pred_test: np.ndarray | None = None
    history: pd.DataFrame | None = None
    seed_tests: list = field(default_factory=list)
    seeds: list = field(default_factory=list)
    settings: dict = field(default_factory=dict)

    def seed_summary(self) -> dict:
        runs = self.seed_tests or [self.test]
        return summarize_seeds(runs, REGRESSION_METRICS)


def score(model, d_train: Design, d_test: Design) -> tuple[dict, dict, np.ndarray, np.ndarray]:
    """Train and test metrics of a fitted model on the close price in dollars."""
    p_train = d_train.to_close(model.predict(d_train.X))
    p_test = d_test.to_close(model.predict(d_test.X))
    return regression_metrics(d_train.close, p_train), regression_metrics(d_test.close, p_test), p_train, p_test


def fit_and_score(name: str, model, d_train: Design, d_test: Design, *, curves: bool = False,
                  settings: dict | None = None) -> ModelRun:
    """Fit on train; with `curves` the per-epoch test loss is recorded for the plots only."""
    t0 = time.perf_counter()
    history = None
    if curves:
        from mlplab.training import fit_with_eval, history_frame

        fit_with_eval(model, d_train.X, d_train.y, d_test.X, d_test.y)
        history = history_frame(model)
    else:
        model.fit(d_train.X, d_train.y)
    train, test, p_train, p_test = score(model, d_train, d_test)
    return ModelRun(name, train, test, time.perf_counter() - t0, d_train.target, p_train, p_test, history,
                    settings=dict(settings or {}))


@dataclass
class Job:
    """One fit: model `name` built by `builder(seed)` on the `target` formulation."""

    name: str
    builder: Callable[[int], object]
    seed: int
    target: str
    curves: bool = False
    keep: bool = False   # keep predictions (the run that is shown)
    settings: dict = field(default_factory=dict)
    cost: float = 1.0    # relative run time: the longest jobs start first so the workers finish together


def seed_jobs(name: str, builder: Callable[[int], object], target: str, seeds: Sequence[int], *,
              settings: dict | None = None, cost: float = 1.0) -> list[Job]:
    """One job per seed; the first seed records curves and keeps its predictions."""
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise UserError("seeds: give at least one seed (e.g. [0, 1, 2])")
    return [Job(name, builder, s, target, curves=i == 0, keep=i == 0, settings=dict(settings or {}), cost=cost)
            for i, s in enumerate(seeds)]


def _run_job(job: Job, d_train: Design, d_test: Design) -> ModelRun:
    import torch

    torch.set_num_threads(1)
    run = fit_and_score(job.name, job.builder(job.seed), d_train, d_test, curves=job.curves, settings=job.settings)
    if not job.keep:
        run.pred_train = run.pred_test = None
    return run


def run_jobs(jobs: Sequence[Job], designs: dict, *, n_jobs: int = 1) -> dict[str, ModelRun]:
    """Run every job in parallel (one torch thread per worker) and group the runs by model name.

    `designs` maps a target to its (train, test) Designs. Per model, the first seed's run is the one
    shown (curves, predictions) and carries every seed's test metrics; `seconds` is the summed fit time.
    """
    order = sorted(range(len(jobs)), key=lambda i: -jobs[i].cost)
    workers = max(1, min(int(n_jobs or 1), len(jobs), os.cpu_count() or 1))
    with parallel_config(backend="loky", inner_max_num_threads=1):
        done = Parallel(n_jobs=workers)(delayed(_run_job)(jobs[i], *designs[jobs[i].target]) for i in order)
    by_index = dict(zip(order, done))
    out: dict[str, ModelRun] = {}
    for i, job in enumerate(jobs):
        run = by_index[i]
        if job.name not in out:
            out[job.name] = run
            run.seed_tests, run.seeds = [], []
        head = out[job.name]
        head.seed_tests.append(run.test)
        head.seeds.append(job.seed)
        if run is not head:
            head.seconds += run.seconds
    return out


def tune(d_train: Design, grid: dict, *, method: str = "halving", cv: int = 3, n_jobs: int = 1,
         subsample: int | None = None, seed: int = 0, fixed: dict | None = None, progress: bool = False):
    """Search the MLP on the most recent `subsample` training rows with time-series CV.

    `grid` uses friendly names (lr, optimizer, hidden, batch_size, epochs, lr_schedule, ...). With halving the
    epochs are the resource: the grid's epochs give the smallest and largest budget. No refit here:
    the winner is refitted per seed on the whole training period by the caller.
    """
    from mlplab.regression.models import mlp_model
    from mlplab.search import run_search

    grid = {k: v for k, v in grid.items() if v not in (None, [], ())}
    if "lr_schedule" in grid:  # YAML has no None: "" means constant learning rate
        grid["lr_schedule"] = [v or None for v in grid["lr_schedule"]]
    epochs = [int(e) for e in grid.get("epochs", [])] or [int((fixed or {}).get("epochs", 10))]
    settings = dict(fixed or {})
    kwargs = {}
    if method == "halving":
        grid = {k: v for k, v in grid.items() if k != "epochs"}
        settings["epochs"] = max(epochs)
        kwargs["min_epochs"] = min(epochs) if len(epochs) > 1 else None
    estimator = mlp_model(**settings, seed=seed)
    result = run_search(estimator, d_train.X, d_train.y, grid, task="regression", method=method, cv=cv,
                        n_jobs=n_jobs, subsample=subsample, seed=seed, progress=progress, refit=False, **kwargs)
    if "lr_schedule" in result.cv_results:
        col = result.cv_results["lr_schedule"]
        result.cv_results["lr_schedule"] = col.where(col.notna(), "constant")
    return result


def settings_from_search(best_params: dict, fixed: dict) -> dict:
    """The search's friendly best parameters merged over the fixed settings, as `models.net` kwargs."""
    out = dict(fixed)
    for k, v in best_params.items():
        out[k] = list(v) if isinstance(v, tuple) else ("" if v is None and k == "lr_schedule" else v)
    return out


def regularized_settings(tuned: dict, *, dropout: float, weight_decay: float, patience: int,
                         valid_fraction: float, early_stopping_epochs: int | None = None) -> dict[str, dict]:
    """Each regularizer alone on top of the tuned settings, and all of them together.

    Early stopping watches a validation slice of the TRAINING rows (never the test set); it gets
    `early_stopping_epochs` (more room than the tuned budget) so it is the one deciding when to stop.
    """
    es_epochs = int(early_stopping_epochs or tuned.get("epochs", 20))
    alone = {
        "dropout": {"dropout": dropout},
        "l2": {"weight_decay": weight_decay},
        "batchnorm": {"batch_norm": True},
        "early_stopping": {"early_stopping": patience, "valid_fraction": valid_fraction, "epochs": es_epochs},
    }
    combined = {k: v for part in alone.values() for k, v in part.items()}
    variants = {f"mlp_tuned_{k}": {**tuned, **v} for k, v in alone.items()}
    variants["mlp_tuned_all_reg"] = {**tuned, **combined}
    return variants


def metrics_table(runs: dict[str, ModelRun], metrics: Sequence[str] = ("rmse", "mae", "r2", "mape")) -> pd.DataFrame:
    """One row per model: train and test metrics (dollars), seed mean ± std of test RMSE when repeated."""
    rows = []
    for name, r in runs.items():
        row = {"model": name, "target": r.formulation}
        row.update({f"train {m}": r.train[m] for m in metrics})
        row.update({f"test {m}": r.test[m] for m in metrics})
        s = r.seed_summary()
        row["seeds"] = s["n"]
        row["test rmse mean"] = s["mean"]["rmse"]
        row["test rmse std"] = s["std"]["rmse"]
        row["fit s"] = r.seconds
        rows.append(row)
    return pd.DataFrame(rows)


def for_display(table: pd.DataFrame) -> pd.DataFrame:
    """R² of the close sits at 0.9998-ish for every sensible model: show five decimals so models differ."""
    out = table.copy()
    for col in [c for c in out.columns if c.endswith(" r2")]:
        out[col] = out[col].map(lambda v: f"{v:.5f}")
    return out


def error_by_symbol(d_test: Design, pred_close: np.ndarray, top: int = 15) -> pd.DataFrame:
    """Test RMSE, MAE and MAPE per symbol with the symbol's median price: where the dollars of error come from."""
    df = pd.DataFrame({"symbol": d_test.symbol, "close": d_test.close, "err": pred_close - d_test.close})
    g = df.groupby("symbol", sort=False)
    out = pd.DataFrame({
        "rows": g.size(),
        "median close": g["close"].median(),
        "rmse": g["err"].apply(lambda e: float(np.sqrt(np.mean(e ** 2)))),
        "mae": g["err"].apply(lambda e: float(np.mean(np.abs(e)))),
    })
    out["mape %"] = (df.assign(ape=(df["err"].abs() / df["close"]) * 100).groupby("symbol", sort=False)["ape"].mean())
    out["share of squared error %"] = 100 * g["err"].apply(lambda e: float(np.sum(e ** 2))) / float(np.sum(df["err"] ** 2))
    return out.sort_values("rmse", ascending=False).head(top).reset_index()


def quality_bar(tuned: ModelRun, references: dict[str, ModelRun]) -> dict:
    """Per-seed ratio of the tuned MLP's test RMSE to each reference (deterministic OLS fits); bar: median <= 1."""
    rmses = [t["rmse"] for t in tuned.seed_tests or [tuned.test]]
    out = {"seeds": tuned.seeds or [0], "tuned_rmse": rmses}
    for name, ref in references.items():
        ratios = [r / ref.test["rmse"] for r in rmses]
        out[f"ratio_vs_{name}"] = ratios
        out[f"median_ratio_vs_{name}"] = float(np.median(ratios))
        out[f"passes_vs_{name}"] = bool(np.median(ratios) <= 1.0)
    return out
