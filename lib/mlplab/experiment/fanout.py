"""Fit many (model, outer split) jobs in parallel and group them into run records.

Why one fan-out for every lab: each model of a comparison must be fitted on exactly the same
splits with the same scoring, and the cheapest way to keep that true is one function that does it.
Backends: joblib's loky processes by default (one torch thread per worker, so two workers on two
cores do not fight over threads); with a Dask scheduler address (`scheduler="tcp://host:8786"`)
the same jobs run on a cluster through joblib's dask backend.

A job builds its estimator from `build(info)` where `info` has the outer split's index and the
job's seed, so a builder can look up what a search chose on that split. The first job of each
model (lowest split index) keeps predictions and, for nets, per-epoch curves for the figures
(a skorch net or a pipeline ending in one directly; any other wrapper through its own
`fit_recording(X, y, eval_sets)` and `history_frame()` methods).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from joblib import Parallel, delayed, parallel_config

from mlplab.errors import UserError
from mlplab.experiment.record import Run, SplitResult


@dataclass(frozen=True)
class SplitInfo:
    index: int
    seed: int


@dataclass
class Job:
    """Fit model `name` on outer split `split` with `seed`; score fit/validation/test rows."""

    name: str
    build: Callable[[SplitInfo], Any]
    split: int
    seed: int
    role: str = "variant"
    label: str = ""
    keep: bool = False          # keep predictions (and curves, for nets) of this fit
    curves: bool = False
    validate: bool = True
    cost: float = 1.0           # relative run time: the longest jobs start first
    settings: dict = field(default_factory=dict)
    describe: Callable[[Any], dict] | None = None   # fitted model -> what it chose (recorded per split)
    evaluate: Callable | None = None                 # custom fit-and-score (e.g. a leaky protocol)
    tracking: Any = None        # mlplab.experiment.tracking.Tracking: log this final fit (set by `run`)
    threads: int = 1            # torch threads of this fit (1 per worker when workers run in parallel)
    tune: Callable[[Any, Any], dict] | None = None   # (fitted model, split) -> what it chose on split.validation


def jobs_for(name: str, build: Callable[[SplitInfo], Any], splits: Sequence, *, role: str, label: str = "",
             settings: dict | None = None, keep_first: bool = True, curves: bool = False, cost: float = 1.0,
             describe: Callable | None = None, validate: bool = True, threads: int = 1,
             tune: Callable | None = None) -> list[Job]:
    """One job per outer split; the first keeps predictions (and curves when asked). `tune(model, split)`
    runs after the fit and may set a post-fit choice on the split's validation rows (e.g. test-time
    augmentation on or off); what it returns is recorded with the split's settings."""
    if not splits:
        raise UserError(f"{name}: no outer splits to fit on")
    return [Job(name, build, s.index, s.seed, role=role, label=label or name, keep=keep_first and i == 0,
                curves=curves and i == 0, validate=validate, cost=cost, settings=dict(settings or {}),
                describe=describe, threads=threads, tune=tune) for i, s in enumerate(splits)]


def quiet_worker_recycling() -> None:
    """Silence loky's "A worker stopped while some jobs were given to the executor" UserWarning, and only it.
    loky restarts, between two tasks, a worker whose memory grew by more than 300 MB since it started
    (`_MAX_MEMORY_LEAK_SIZE`); a worker that has trained a few torch networks always has, so the warning fired
    in the long chapters and landed in the book. The restart is by design and the queued jobs run on the new
    worker (joblib/joblib#883, joblib/loky#641); every other warning still shows."""
    warnings.filterwarnings("ignore", message=r"A worker stopped while some jobs were given to the executor",
                            category=UserWarning)


@contextlib.contextmanager
def backend(n_jobs: int = 1, scheduler: str | None = None, *, processes: bool = True):
    """joblib's backend for everything inside: loky with one thread per worker, or Dask.

    `scheduler`: None/"" → loky with `n_jobs` workers; "local" → a throwaway Dask LocalCluster of
    `n_jobs` single-threaded workers (tests, demos); any other string → the address of a running
    Dask scheduler (`dask-scheduler` prints it). Yields the n_jobs value to pass to joblib."""
    if not scheduler:
        quiet_worker_recycling()
        with parallel_config(backend="loky", n_jobs=n_jobs, inner_max_num_threads=1):
            yield n_jobs
        return
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise UserError("parameter scheduler: Dask is not installed; `pip install 'mlplab[dask]'` "
                        "or leave scheduler empty for local processes") from None
    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=max(1, int(n_jobs or 1)), threads_per_worker=1, processes=processes,
                               dashboard_address=None)
    failure = ""
    try:
        client = Client(cluster if cluster is not None else scheduler, timeout=10)
    except (OSError, ValueError) as exc:  # ValueError: a malformed address (no port, unknown scheme)
        if cluster is not None:
            cluster.close()
        what = "cannot reach a Dask scheduler there" if isinstance(exc, OSError) else "not a Dask scheduler address"
        failure = (f"parameter scheduler={scheduler!r}: {what} ({exc}); give tcp://host:port, 'local', "
                   "or leave it empty for local processes")
    if failure:  # raised outside the handler: the half-made client in the caught error's traceback can go now
        raise UserError(failure)
    try:
        with parallel_config(backend="dask"):
            yield -1
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def start_workers(n_jobs: int, scheduler: str | None = None) -> threading.Thread | None:
    """Start the local worker processes now, in the background, and have each import what a fit needs.

    Why: a fresh loky worker spends about 5 s (2 cores) importing torch, scikit-learn and skorch, and
    torch's first optimizer imports torch._dynamo for 2-3 s more. Started while the notebook loads its
    data and draws its EDA figures, that cost overlaps them instead of delaying the first fan-out (the
    later `run` calls reuse the same executor: same worker count, same backend settings). Returns the
    thread (tests join it); None when there is nothing to start (one job at a time, or Dask)."""
    n = workers(n_jobs, n_jobs or 1)
    if scheduler or n < 2:
        return None

    def warm() -> None:
        with backend(n, None):
            Parallel(n_jobs=n)(delayed(_import_for_fits)() for _ in range(n))

    thread = threading.Thread(target=warm, name="mlplab-start-workers", daemon=True)
    thread.start()
    return thread


def _import_for_fits() -> int:
    import torch

    import mlplab.training  # noqa: F401  (torch, scikit-learn, skorch)

    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1).zero_grad()  # imports torch._dynamo
    return os.getpid()


def workers(n_jobs: int, n_tasks: int) -> int:
    return max(1, min(int(n_jobs or 1), n_tasks, os.cpu_count() or 1))


def evaluate(job: Job, split, task) -> SplitResult:
    """Build, fit on split.fit, score fit/validation/test rows. Runs in a worker."""
    import torch

    previous = torch.get_num_threads()  # with n_jobs=1 the job runs in the caller's process: restore it
    torch.set_num_threads(max(1, int(job.threads)))
    try:
        return _evaluate(job, split, task)
    finally:
        torch.set_num_threads(previous)


def _evaluate(job: Job, split, task) -> SplitResult:
    info = SplitInfo(job.split, job.seed)
    if job.evaluate is not None:
        return job.evaluate(job, split, task)
    model = job.build(info)
    token = (job.tracking.attach(model, name=job.name, split=job.split, seed=job.seed, y=split.fit.y,
                                 settings=job.settings, label=job.label, role=job.role) if job.tracking else None)
    t0 = time.perf_counter()
    detail: dict = {}
    sets = {"test": (split.test.X, split.test.y)}
    if job.validate:
        sets["validation"] = (split.validation.X, split.validation.y)
    if job.curves and _is_net(model):
        from mlplab.training import fit_with_eval, history_frame

        fit_with_eval(model, split.fit.X, split.fit.y, eval_sets=sets)
        detail["history"] = history_frame(model)
    elif job.curves and hasattr(model, "fit_recording"):  # a wrapper that knows how to reach its net
        model.fit_recording(split.fit.X, split.fit.y, sets)
        detail["history"] = model.history_frame()
    else:
        task.fit(model, split.fit)
    seconds = time.perf_counter() - t0
    chosen = job.tune(model, split) if job.tune is not None else {}
    train = task.score(model, split.fit)
    validation = task.score(model, split.validation) if job.validate else {}
    test = task.score(model, split.test)
    if token:
        job.tracking.finish(token, {"train": train, "validation": validation, "test": test})
    if job.keep:
        detail.update(task.detail(model, split.test))
        detail["model"] = model
    settings = {**chosen, **(job.describe(model) if job.describe else {})}
    return SplitResult(job.split, job.seed, train, validation, test, seconds, settings, detail)


def _is_net(model) -> bool:
    from mlplab.training import _FastNet

    net = model.steps[-1][1] if hasattr(model, "steps") else model
    return isinstance(net, _FastNet)


def run(jobs: Sequence[Job], splits: Sequence, task, *, n_jobs: int = 1, scheduler: str | None = None,
        tracking=None) -> dict[str, Run]:
    """Run every job (longest first) and return {name: Run} in the order names first appear in `jobs`.

    `tracking` (mlplab.experiment.tracking.Tracking; default: the session `tracking.start` opened, if
    any) logs every net's final fit as one run, in the worker that fits it."""
    if not jobs:
        return {}
    from mlplab.experiment import tracking as _tracking

    tracking = tracking if tracking is not None else _tracking.current()
    if tracking is not None and tracking.enabled:
        jobs = [j if j.tracking is not None else replace(j, tracking=tracking) for j in jobs]
    by_index = {s.index: s for s in splits}
    missing = sorted({j.split for j in jobs} - set(by_index))
    if missing:
        raise UserError(f"jobs refer to outer split(s) {missing} that were not given")
    order = sorted(range(len(jobs)), key=lambda i: -jobs[i].cost)
    with backend(workers(n_jobs, len(jobs)), scheduler) as n:
        done = Parallel(n_jobs=n)(delayed(evaluate)(jobs[i], by_index[jobs[i].split], task) for i in order)
    results = dict(zip(order, done))
    runs: dict[str, Run] = {}
    for i, job in enumerate(jobs):
        run = runs.get(job.name)
        if run is None:
            run = runs[job.name] = Run(job.name, job.role, job.label or job.name, settings=dict(job.settings))
        run.splits.append(results[i])
    for run in runs.values():
        run.splits.sort(key=lambda s: s.split)
    return runs
