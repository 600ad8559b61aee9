"""Hyperparameter search with friendly parameter names, leak-free CV and parallel/cluster backends.

Grids are written with short names ("lr", "hidden", ...) and routed to skorch's `module__`/
`optimizer__` parameters, behind a "net__" prefix when the estimator is a pipeline. Scores are
always "higher is better" (sklearn convention); regression tables add the RMSE back as a positive
number in `mean_test_rmse`/`std_test_rmse`.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from math import ceil, floor, log

import joblib
import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.experimental import enable_halving_search_cv  # noqa: F401  (registers HalvingGridSearchCV)
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV, StratifiedKFold, TimeSeriesSplit
from sklearn.model_selection import ParameterGrid, train_test_split
from sklearn.model_selection import _search as _search_module
from sklearn.pipeline import Pipeline as SkPipeline
from sklearn.utils import _safe_indexing
from tqdm import tqdm  # plain text bar: widgets do not survive papermill + Quarto

from mlplab.errors import UserError

FRIENDLY = {"lr": "lr", "optimizer": "optimizer", "hidden": "module__hidden", "activation": "module__activation",
            "batch_size": "batch_size", "epochs": "max_epochs", "dropout": "module__dropout",
            "weight_decay": "optimizer__weight_decay", "batch_norm": "module__batch_norm"}
_UNFRIENDLY = {v: k for k, v in FRIENDLY.items()}
TASKS = ("regression", "classification")
SCORINGS = {"regression": ("neg_root_mean_squared_error", "r2", "neg_mean_absolute_error"),
            "classification": ("f1_macro", "balanced_accuracy", "accuracy", "f1_weighted")}
DEFAULT_SCORING = {"regression": "neg_root_mean_squared_error", "classification": "f1_macro"}
METHODS = ("grid", "halving")
BACKENDS = (None, "dask")


def _prefix(estimator) -> str:
    return "net__" if isinstance(estimator, SkPipeline) else ""


def _target(estimator):
    if not isinstance(estimator, SkPipeline):
        return estimator
    if "net" not in estimator.named_steps:
        raise UserError(f"search: the pipeline's model step must be named 'net' (steps are "
                        f"{list(estimator.named_steps)}); build it with mlplab.resample.make_pipeline")
    return estimator.named_steps["net"]


def _full_key(key: str, estimator) -> str:
    prefix = _prefix(estimator)
    if prefix and "__" in key and key.split("__", 1)[0] in estimator.named_steps:
        return key  # already routed to a pipeline step
    inner = FRIENDLY.get(key, key)
    if "__" not in inner and inner not in _target(estimator).get_params(deep=False):
        raise UserError(f"search grid: parameter '{key}' is not a parameter of {type(_target(estimator)).__name__}; "
                        f"friendly names are {', '.join(FRIENDLY)}")
    return prefix + inner


def _values(key: str, values) -> list:
    if not isinstance(values, (list, np.ndarray)):
        values = [values]
    if len(values) == 0:
        raise UserError(f"search grid: parameter '{key}' has an empty list of values")
    return [tuple(v) if isinstance(v, list) else v for v in values]  # YAML lists -> hashable layer tuples


def expand_grid(grid: dict, estimator) -> dict:
    """Friendly keys -> full keys; "net__" is added when the estimator is a pipeline."""
    if not isinstance(grid, dict) or not grid:
        raise UserError(f"search grid must be a non-empty mapping of parameter -> values, got {grid!r}")
    return {_full_key(k, estimator): _values(k, v) for k, v in grid.items()}


def friendly_name(full_key: str) -> str:
    key = full_key.removeprefix("net__")
    return _UNFRIENDLY.get(key, key)


@dataclass
class SearchResult:
    best_params: dict
    best_params_full: dict
    best_score: float
    best_estimator: object
    cv_results: pd.DataFrame
    n_candidates: int
    n_fits: int
    seconds: float
    searched_rows: int
    method: str
    scoring: str
    notes: list = field(default_factory=list)


def _cv(task: str, cv, seed: int):
    if not isinstance(cv, (int, np.integer)):
        return cv
    if cv < 2:
        raise UserError(f"run_search: cv must be >= 2 folds, got {cv}")
    if task == "regression":
        return TimeSeriesSplit(n_splits=int(cv))
    return StratifiedKFold(n_splits=int(cv), shuffle=True, random_state=seed)


def _subsample(X, y, n: int, task: str, seed: int):
    """Classification: stratified rows, kept in their original order; regression: the most recent n rows."""
    n_rows = len(y)
    if n >= n_rows:
        return X, y
    if task == "regression":
        idx = np.arange(n_rows - n, n_rows)
    else:
        idx, _ = train_test_split(np.arange(n_rows), train_size=n, random_state=seed, stratify=np.asarray(y))
        idx = np.sort(idx)
    return _safe_indexing(X, idx), _safe_indexing(y, idx)


def _tidy(cv_results: dict, scoring: str, method: str, resource: str | None = None) -> pd.DataFrame:
    raw = pd.DataFrame(cv_results)
    params = {c: friendly_name(c.removeprefix("param_")) for c in raw.columns
              if c.startswith("param_") and c != f"param_{resource}"}  # the resource is n_resources
    keep = list(params) + ["mean_test_score", "std_test_score", "rank_test_score", "mean_fit_time"]
    if method == "halving":
        keep += ["iter", "n_resources"]
    out = raw[keep].rename(columns=params)
    for col in params.values():
        out[col] = out[col].map(lambda v: v.item() if hasattr(v, "item") else v)
    if method == "halving":
        out["rank_test_score"] = _halving_rank(out)
    if scoring == "neg_root_mean_squared_error":
        out["mean_test_rmse"] = -out["mean_test_score"]
        out["std_test_rmse"] = out["std_test_score"]
    return out


def _halving_rank(table: pd.DataFrame) -> pd.Series:
    """Later rounds first (more epochs, survivors), then by score; rank 1 is the search's winner.
    sklearn ranks all rounds' scores together, which mixes budgets."""
    within = table.groupby("iter")["mean_test_score"].rank(ascending=False, method="min")
    sizes = table["iter"].value_counts().sort_index(ascending=False)
    offset = sizes.cumsum().shift(fill_value=0)
    return (within + table["iter"].map(offset)).astype(int)


def _halving_total(n_candidates: int, min_res: int, max_res: int, factor: int) -> int:
    """Fits per fold across iterations, mirroring sklearn's schedule (without aggressive elimination)."""
    n_required = 1 + floor(log(n_candidates, factor))
    n_possible = 1 + floor(log(max(1, max_res // min_res), factor))
    return sum(ceil(n_candidates / factor**i) for i in range(min(n_required, n_possible)))


@contextlib.contextmanager
def _fit_progress(total: int | None, enabled: bool):
    """A tqdm bar over CV fits. Only the search's own joblib.Parallel (the one in sklearn's
    BaseSearchCV.fit) reports to it, so parallelism inside an estimator's fit is not counted."""
    if not enabled:
        yield None
        return
    bar = tqdm(total=total, desc="fits", unit="fit")
    base = _search_module.Parallel

    class CountingParallel(base):
        def print_progress(self):
            seen = getattr(self, "_mlplab_seen", 0)
            if self.n_completed_tasks < seen:  # a new call on the same Parallel (next halving round)
                seen = 0
            if self.n_completed_tasks > seen:
                bar.update(self.n_completed_tasks - seen)
            self._mlplab_seen = self.n_completed_tasks
            return super().print_progress()

    _search_module.Parallel = CountingParallel
    try:
        yield bar
    finally:
        _search_module.Parallel = base
        bar.close()


@contextlib.contextmanager
def _backend(backend, n_jobs: int, dask_address, dask_processes: bool):
    """loky workers start with one BLAS/OpenMP/torch thread each (OMP_NUM_THREADS=1 before torch loads);
    dask workers get the same from distributed's pre-spawn environment (or share our process)."""
    if backend is None:
        with joblib.parallel_config(backend="loky", n_jobs=n_jobs, inner_max_num_threads=1):
            yield n_jobs
        return
    from dask.distributed import Client, LocalCluster

    cluster = None
    if dask_address is None:
        workers = n_jobs if n_jobs and n_jobs > 0 else None
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=dask_processes,
                               dashboard_address=None)
    client = Client(dask_address or cluster)
    try:
        with joblib.parallel_config(backend="dask"):
            yield -1
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_search(estimator, X, y, grid: dict, *, task: str, method: str = "grid", cv=3, scoring=None,
               n_jobs: int = 1, backend=None, dask_address=None, subsample=None, seed: int = 0,
               progress: bool = True, min_epochs=None, factor: int = 3, refit: bool = True,
               dask_processes: bool = True) -> SearchResult:
    """Grid or successive-halving search (resource = max_epochs); the best configuration is refitted
    on ALL given rows even when the search ran on a subsample.

    Halving rounds use min_epochs * factor**i epochs (sklearn's schedule), so the winner's "epochs"
    is its last round's budget: pick max_epochs = min_epochs * factor**k to end exactly on it.
    """
    if task not in TASKS:
        raise UserError(f"run_search: task must be one of {TASKS}, got '{task}'")
    if method not in METHODS:
        raise UserError(f"run_search: method must be one of {METHODS}, got '{method}'")
    if backend not in BACKENDS:
        raise UserError(f"run_search: backend must be None or 'dask', got '{backend}'")
    scoring = scoring or DEFAULT_SCORING[task]
    if isinstance(scoring, str) and scoring not in SCORINGS[task]:
        raise UserError(f"run_search: scoring '{scoring}' is not available for {task}; "
                        f"choose one of {', '.join(SCORINGS[task])}")
    full_grid = expand_grid(grid, estimator)
    splitter = _cv(task, cv, seed)
    notes = []
    X_s, y_s = X, y
    if subsample is not None:
        X_s, y_s = _subsample(X, y, int(subsample), task, seed)
        notes.append(f"searched on {len(y_s)} of {len(y)} rows "
                     f"({'stratified' if task == 'classification' else 'most recent'} subsample); "
                     f"best configuration refitted on all {len(y)} rows")
    n_candidates = len(ParameterGrid(full_grid))
    n_splits = splitter.get_n_splits(X_s, y_s)
    common = dict(scoring=scoring, cv=splitter, refit=False, error_score="raise")
    if method == "grid":
        search = GridSearchCV(estimator, full_grid, **common)
        total = n_candidates * n_splits
    else:
        resource = _prefix(estimator) + "max_epochs"
        if resource in full_grid:
            raise UserError("run_search: method 'halving' uses the epochs as its resource; remove 'epochs' "
                            "from the grid and set max_epochs on the estimator")
        max_epochs = estimator.get_params().get(resource)
        if not isinstance(max_epochs, (int, np.integer)):
            raise UserError(f"run_search: method 'halving' needs an estimator with an integer '{resource}' "
                            f"({type(_target(estimator)).__name__} has none)")
        min_res = "exhaust" if min_epochs is None else int(min_epochs)
        search = HalvingGridSearchCV(estimator, full_grid, resource=resource, max_resources=int(max_epochs),
                                     min_resources=min_res, factor=factor, random_state=seed, **common)
        first = (max(1, int(max_epochs) // factor ** floor(log(n_candidates, factor)))
                 if min_res == "exhaust" else min_res)
        total = _halving_total(n_candidates, first, int(max_epochs), factor) * n_splits
    t0 = time.perf_counter()
    with _backend(backend, n_jobs, dask_address, dask_processes) as jobs, _fit_progress(total, progress):
        search.set_params(n_jobs=jobs)
        search.fit(X_s, y_s)
    best_full = dict(search.best_params_)
    best_estimator = clone(estimator).set_params(**best_full).fit(X, y) if refit else None
    seconds = time.perf_counter() - t0
    table = _tidy(search.cv_results_, scoring, method, resource=getattr(search, "resource", None))
    return SearchResult(
        best_params={friendly_name(k): v for k, v in best_full.items()}, best_params_full=best_full,
        best_score=float(search.best_score_), best_estimator=best_estimator, cv_results=table,
        n_candidates=n_candidates, n_fits=len(table) * n_splits, seconds=seconds, searched_rows=len(y_s),
        method=method, scoring=scoring if isinstance(scoring, str) else getattr(scoring, "__name__", str(scoring)),
        notes=notes)
