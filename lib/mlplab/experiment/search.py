"""The search entry point of every lab: grid or successive halving, leak-free CV, local or Dask.

Any scikit-learn estimator (a skorch net, HistGradientBoosting, a pipeline ending in either)
plugs in the same way. Grids for the package's nets are written with short names ("lr", "hidden",
...) and routed to skorch's `module__`/`optimizer__` parameters; other estimators take their own
parameter names. Both get the "net__" prefix when the estimator is a pipeline (its model step is
named "net"). Successive halving spends a budget resource (a net's epochs, a boosting model's
iterations) that grows by `factor` each round for the surviving third. Scores are "higher is
better" (sklearn convention); regression tables add the RMSE back as a positive number.

Callers pass only training rows: the search never sees a test row.
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
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV, KFold, StratifiedKFold, TimeSeriesSplit
from sklearn.model_selection import ParameterGrid, train_test_split
from sklearn.model_selection import _search as _search_module
from sklearn.pipeline import Pipeline as SkPipeline
from sklearn.utils import _safe_indexing
from tqdm import tqdm  # plain text bar: widgets do not survive papermill + Quarto

from mlplab.errors import UserError
from mlplab.experiment.fanout import backend as _backend

FRIENDLY = {"lr": "lr", "optimizer": "optimizer", "hidden": "module__hidden", "activation": "module__activation",
            "batch_size": "batch_size", "epochs": "max_epochs", "dropout": "module__dropout",
            "weight_decay": "optimizer__weight_decay", "batch_norm": "module__batch_norm"}
_UNFRIENDLY = {v: k for k, v in FRIENDLY.items()}
TASKS = ("regression", "classification")
SCORINGS = {"regression": ("neg_root_mean_squared_error", "r2", "neg_mean_absolute_error"),
            "classification": ("f1_macro", "balanced_accuracy", "accuracy", "f1_weighted")}
DEFAULT_SCORING = {"regression": "neg_root_mean_squared_error", "classification": "f1_macro"}
METHODS = ("grid", "halving")


def _prefix(estimator) -> str:
    return "net__" if isinstance(estimator, SkPipeline) else ""


def _target(estimator):
    if not isinstance(estimator, SkPipeline):
        return estimator
    if "net" not in estimator.named_steps:
        raise UserError(f"search: the pipeline's model step must be named 'net' (steps are "
                        f"{list(estimator.named_steps)}); build it with mlplab.resample.make_pipeline")
    return estimator.named_steps["net"]


def _is_net(model) -> bool:
    from mlplab.training import _FastNet

    return isinstance(model, _FastNet)


def _full_key(key: str, estimator) -> str:
    prefix = _prefix(estimator)
    if prefix and "__" in key and key.split("__", 1)[0] in estimator.named_steps:
        return key  # already routed to a pipeline step
    target = _target(estimator)
    inner = FRIENDLY.get(key, key) if _is_net(target) else key
    if "__" not in inner and inner not in target.get_params(deep=False):
        hint = f"; friendly names are {', '.join(FRIENDLY)}" if _is_net(target) else ""
        raise UserError(f"search grid: parameter '{key}' is not a parameter of {type(target).__name__}{hint}")
    return prefix + inner


def _values(key: str, values) -> list:
    if not isinstance(values, (list, np.ndarray)):
        values = [values]
    if len(values) == 0:
        raise UserError(f"search grid: parameter '{key}' has an empty list of values")
    # YAML lists -> hashable layer tuples; numpy scalars (a grid given as an array) -> Python numbers,
    # so best_params and SearchResult.to_dict stay plain JSON
    return [tuple(v) if isinstance(v, list) else v.item() if isinstance(v, np.generic) else v for v in values]


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
    cv_folds: int = 0

    def to_dict(self) -> dict:
        """What the results JSON keeps of a search (the table itself is shown, not stored)."""
        return {"method": self.method, "scoring": self.scoring, "n_candidates": self.n_candidates,
                "n_fits": self.n_fits, "cv_folds": self.cv_folds, "searched_rows": self.searched_rows,
                "seconds": self.seconds, "best_score": self.best_score,
                "best_params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.best_params.items()},
                "notes": list(self.notes)}


def _cv(task: str, cv, seed: int, ordered: bool = False):
    """Stratified folds (classification), expanding time-series folds (ordered rows) or shuffled folds."""
    if not isinstance(cv, (int, np.integer)):
        return cv
    if cv < 2:
        raise UserError(f"run_search: cv must be >= 2 folds, got {cv}")
    if ordered:
        return TimeSeriesSplit(n_splits=int(cv))
    if task == "regression":
        return KFold(n_splits=int(cv), shuffle=True, random_state=seed)
    return StratifiedKFold(n_splits=int(cv), shuffle=True, random_state=seed)


def _subsample(X, y, n: int, task: str, seed: int, ordered: bool = False):
    """Ordered rows: the most recent n; classification: stratified rows; else random rows (original order kept)."""
    n_rows = len(y)
    if n >= n_rows:
        return X, y
    if ordered:
        idx = np.arange(n_rows - n, n_rows)
    elif task == "regression":
        idx = np.sort(np.random.default_rng(seed).choice(n_rows, n, replace=False))
    else:
        from mlplab.experiment.protocol import _stratify

        idx, _ = train_test_split(np.arange(n_rows), train_size=n, random_state=seed, stratify=_stratify(np.asarray(y)))
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


def _resource(estimator, resource: str | None) -> str:
    """The halving budget parameter: given, else a net's max_epochs or a boosting model's max_iter."""
    target = _target(estimator)
    if resource is None:
        params = target.get_params(deep=False)
        resource = "max_epochs" if "max_epochs" in params else "max_iter" if "max_iter" in params else None
        if resource is None:
            raise UserError(f"run_search: method 'halving' needs a budget parameter; {type(target).__name__} "
                            "has neither max_epochs nor max_iter (pass resource=...)")
    return _prefix(estimator) + (FRIENDLY.get(resource, resource) if _is_net(target) else resource)


def run_search(estimator, X, y, grid: dict, *, task: str, method: str = "grid", cv=3, scoring=None,
               n_jobs: int = 1, scheduler: str | None = None, subsample=None, seed: int = 0,
               progress: bool = False, min_resources=None, resource: str | None = None, factor: int = 3,
               refit: bool = False, min_epochs=None, ordered: bool = False) -> SearchResult:
    """Grid or successive-halving search on the given (training) rows; with `refit` the best
    configuration is refitted on ALL given rows even when the search ran on a subsample.

    Halving rounds use min_resources * factor**i of the budget (sklearn's schedule), so the winner's
    budget is its last round's: pick the estimator's maximum = min_resources * factor**k to end on it.
    `scheduler`: None for local processes, a Dask scheduler address (or "local") for a cluster.
    `ordered`: the rows are in time order (expanding time-series folds, most recent subsample).
    """
    if min_epochs is not None and min_resources is None:
        min_resources = min_epochs
    if task not in TASKS:
        raise UserError(f"run_search: task must be one of {TASKS}, got '{task}'")
    if method not in METHODS:
        raise UserError(f"run_search: method must be one of {METHODS}, got '{method}'")
    scoring = scoring or DEFAULT_SCORING[task]
    if isinstance(scoring, str) and scoring not in SCORINGS[task]:
        raise UserError(f"run_search: scoring '{scoring}' is not available for {task}; "
                        f"choose one of {', '.join(SCORINGS[task])}")
    full_grid = expand_grid(grid, estimator)
    splitter = _cv(task, cv, seed, ordered)
    notes = []
    X_s, y_s = X, y
    if subsample is not None:
        X_s, y_s = _subsample(X, y, int(subsample), task, seed, ordered)
        kind = "most recent" if ordered else "stratified" if task == "classification" else "random"
        notes.append(f"searched on {len(y_s):,} of {len(y):,} rows ({kind} subsample)")
    n_candidates = len(ParameterGrid(full_grid))
    n_splits = splitter.get_n_splits(X_s, y_s)
    common = dict(scoring=scoring, cv=splitter, refit=False, error_score="raise")
    if method == "grid":
        search = GridSearchCV(estimator, full_grid, **common)
        total = n_candidates * n_splits
    else:
        resource = _resource(estimator, resource)
        if resource in full_grid:
            raise UserError(f"run_search: method 'halving' uses '{friendly_name(resource)}' as its budget; remove it "
                            "from the grid and set its maximum on the estimator")
        max_epochs = estimator.get_params().get(resource)
        if not isinstance(max_epochs, (int, np.integer)):
            raise UserError(f"run_search: method 'halving' needs an estimator with an integer '{resource}' "
                            f"({type(_target(estimator)).__name__} has none)")
        min_res = "exhaust" if min_resources is None else int(min_resources)
        search = HalvingGridSearchCV(estimator, full_grid, resource=resource, max_resources=int(max_epochs),
                                     min_resources=min_res, factor=factor, random_state=seed, **common)
        first = (max(1, int(max_epochs) // factor ** floor(log(n_candidates, factor)))
                 if min_res == "exhaust" else min_res)
        total = _halving_total(n_candidates, first, int(max_epochs), factor) * n_splits
    t0 = time.perf_counter()
    with _backend(n_jobs, scheduler) as jobs, _fit_progress(total, progress):
        search.set_params(n_jobs=jobs)
        search.fit(X_s, y_s)
    best_full = dict(search.best_params_)
    if method == "halving":  # the winner was scored with its last round's budget: that is its setting
        best_full[resource] = int(search.cv_results_["n_resources"][search.best_index_])
    best_estimator = clone(estimator).set_params(**best_full).fit(X, y) if refit else None
    seconds = time.perf_counter() - t0
    table = _tidy(search.cv_results_, scoring, method, resource=getattr(search, "resource", None))
    return SearchResult(
        best_params={friendly_name(k): v for k, v in best_full.items()}, best_params_full=best_full,
        best_score=float(search.best_score_), best_estimator=best_estimator, cv_results=table,
        n_candidates=n_candidates, n_fits=len(table) * n_splits, seconds=seconds, searched_rows=len(y_s),
        method=method, scoring=scoring if isinstance(scoring, str) else getattr(scoring, "__name__", str(scoring)),
        notes=notes, cv_folds=int(n_splits))


@dataclass
class ChoiceResult:
    """Named configurations compared by the same inner CV folds; `best` has the highest mean score."""

    best: str
    table: pd.DataFrame      # name, mean_test_score, std_test_score, rank
    scoring: str
    cv_folds: int
    seconds: float

    def to_dict(self) -> dict:
        return {"best": self.best, "scoring": self.scoring, "cv_folds": self.cv_folds, "seconds": self.seconds,
                "scores": {r["name"]: r["mean_test_score"] for r in self.table.to_dict("records")}}


def choose_by_cv(candidates: dict, X, y, *, task: str, cv=3, scoring=None, seed: int = 0, n_jobs: int = 1,
                 scheduler: str | None = None, ordered: bool = False) -> ChoiceResult:
    """Score each named estimator with the same CV folds of the given (training) rows; the choice
    among levers (encodings, losses, augmentation on/off) that a grid cannot express."""
    from sklearn.model_selection import cross_val_score

    if not candidates:
        raise UserError("choose_by_cv: give at least one candidate configuration")
    scoring = scoring or DEFAULT_SCORING[task]
    splitter = _cv(task, cv, seed, ordered)
    folds = list(splitter.split(X, y))
    t0 = time.perf_counter()
    rows = []
    with _backend(n_jobs, scheduler) as jobs:
        for name, est in candidates.items():
            scores = cross_val_score(est, X, y, cv=folds, scoring=scoring, n_jobs=jobs, error_score="raise")
            rows.append({"name": name, "mean_test_score": float(np.mean(scores)),
                         "std_test_score": float(np.std(scores))})
    table = pd.DataFrame(rows)
    table["rank"] = table["mean_test_score"].rank(ascending=False, method="min").astype(int)
    table = table.sort_values(["rank", "name"]).reset_index(drop=True)
    return ChoiceResult(str(table["name"].iloc[0]), table, scoring, len(folds), time.perf_counter() - t0)
