"""Experiment tracking of the final fits: MLflow, Weights & Biases or TensorBoard, through skorch's own
callbacks (`MlflowLogger`, `WandbLogger`, `TensorBoard`).

What is tracked, for every lab that passes a `Tracking` to the fan-out:

- one run per FINAL fit of a network (model × outer split): its settings as parameters, every
  history column per epoch (skorch's logger for the backend, attached to the net), then the fit's
  train/validation/test scores as `final_<part>_<metric>` (the values the results JSON holds);
- one summary run per search (`log_search`): the grid's size, the winner and its CV score, and the
  table of candidates as an artifact; never one run per candidate;
- one summary run per notebook (`log_notebook`): its parameters, the mean test metrics of every
  model and the notebook's final figures and results JSON as artifacts.

Where the runs go (all under the project, git-ignored, unless told otherwise):

| backend     | store                                                                            |
|-------------|----------------------------------------------------------------------------------|
| mlflow      | $MLFLOW_TRACKING_URI when set, else `sqlite:///<root>/mlruns/mlflow.db` (artifacts in mlruns/artifacts) |
| tensorboard | event files under `runs/<notebook>/<group>/<run>/` (`tensorboard --logdir runs`)   |
| wandb       | `wandb/<group>/`; offline mode unless an API key is set (`wandb sync` uploads later) |

How the fan-out uses it (`fanout.run(..., tracking=...)`, or the session `start` opened): in each
worker `attach` puts a `FinalFitLogger` on the net(s) inside the job's model before the fit, and
`finish` logs the scores and closes the run after it. A wrapper that fits the net several times
before its final fit (out-of-fold decision thresholds) says how many with a `fits_before_final(y)`
method (`ThresholdTuned` is recognised); those earlier fits are not logged. Each worker process
opens its own runs; the parent creates the MLflow store and experiment first, so the workers only
add rows (SQLite serialises concurrent writers; tests/test_tracking.py runs two at once).
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
import numpy as np
from skorch.callbacks import Callback

from mlplab.errors import UserError
from mlplab.experiment.backends import BACKENDS, EXTRA, check_backend  # noqa: F401  (re-exported)
from mlplab.experiment.paths import Paths

MLFLOW_DIR = "mlruns"
TENSORBOARD_DIR = "runs"
WANDB_DIR = "wandb"
PARAM_CHARS = 500          # MLflow caps a parameter value at 6,000 characters; ours are short
_FITS: dict[str, int] = {}           # token -> fits seen in this process (the gate's counter)
_OPEN: dict[str, list] = {}          # token -> runs opened by its final fit(s), closed by `finish`
_CURRENT: list = [None]              # the notebook's session (see `start`)


# ---- the session -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tracking:
    """Where and how one notebook run tracks its fits. Picklable: it travels to the fan-out's workers."""

    backend: str = "none"
    notebook: str = ""
    root: str = ""            # the project root (absolute; used for local stores, never shown)
    group: str = ""           # one notebook run: "<notebook>-<UTC timestamp>-<id>"
    uri: str = ""             # MLflow tracking URI
    experiment: str = ""      # MLflow experiment / W&B project

    @property
    def enabled(self) -> bool:
        return self.backend != "none"

    @property
    def local_mlflow(self) -> bool:
        return self.uri.startswith("sqlite:///") and self.uri.endswith(f"/{MLFLOW_DIR}/mlflow.db")

    @property
    def tensorboard_dir(self) -> Path:
        return Path(self.root) / TENSORBOARD_DIR / self.notebook / self.group

    @property
    def wandb_dir(self) -> Path:
        return Path(self.root) / WANDB_DIR / self.group

    # ---- the fan-out's hook (runs in the worker) -----------------------------------------------
    def attach(self, model, *, name: str, split: int, seed: int, y=None, settings: dict | None = None,
               label: str = "", role: str = "") -> str | None:
        """Put a FinalFitLogger on every net inside `model` (before its fit); return the job's token."""
        if not self.enabled:
            return None
        nets = list(_nets(model))
        if not nets:
            return None
        token = f"{name}:{split}:{uuid.uuid4().hex}"
        skip = fits_before_final(model, y)
        params = {**(settings or {}), "model": name, "label": label or name, "role": role, "split": split, "seed": seed,
                  "notebook": self.notebook}
        for net in nets:
            gate = FinalFitLogger(tracking=self, name=f"{name} split {split}", params=params, token=token, skip=skip)
            existing = [cb for cb in (net.callbacks or []) if not _is_gate(cb)]
            net.set_params(callbacks=[*existing, ("tracking", gate)])
        return token

    def finish(self, token: str | None, scores: dict[str, dict]) -> list[str]:
        """Log {part: {metric: value}} of the fit as final_<part>_<metric> and close its run(s); run ids."""
        if not token:
            return []
        _FITS.pop(token, None)
        ids = []
        for run in _OPEN.pop(token, []):
            _log_metrics(self, run, final_metrics(scores))
            _close(self, run)
            ids.append(run["id"])
        return ids

    # ---- summary runs (the notebook's process) ----------------------------------------------
    def log_search(self, name: str, result, *, split: int = 0) -> str | None:
        """One summary run for a whole search (never one per candidate): its size, the winner, the table."""
        if not self.enabled:
            return None
        info = result.to_dict()
        params = {"model": name, "split": split, "kind": "search", "notebook": self.notebook,
                  **{k: info[k] for k in ("method", "scoring", "n_candidates", "n_fits", "cv_folds", "searched_rows")},
                  **{f"best_{k}": v for k, v in info["best_params"].items()}}
        run = _open(self, f"{name} search split {split}", params, kind="search")
        _log_metrics(self, run, {"best_cv_score": float(info["best_score"]), "search_seconds": float(info["seconds"])})
        table = getattr(result, "cv_results", None)
        if table is not None:
            path = Path(self.root) / MLFLOW_DIR / ".tmp" / f"{self.group}-{name}-{split}-search.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            table.to_csv(path, index=False)
            _log_files(self, run, [path], "search")
            path.unlink(missing_ok=True)
        _close(self, run)
        return run["id"]

    def log_notebook(self, doc: dict, figures: Path | None = None) -> str | None:
        """The notebook's summary run: parameters, each model's mean test metrics, figures and results JSON."""
        if not self.enabled:
            return None
        run = _open(self, f"{self.notebook} summary", doc.get("params", {}), kind="summary")
        metrics = {}
        for model, entry in doc.get("models", {}).items():
            for metric, value in (entry.get("seeds", {}).get("mean") or {}).items():
                if isinstance(value, (int, float)) and value is not None and np.isfinite(value):
                    metrics[f"{model}.test.{metric}"] = float(value)
        _log_metrics(self, run, metrics)
        files = sorted(Path(figures).glob("*.png")) if figures is not None and Path(figures).is_dir() else []
        _log_files(self, run, files, "figures")
        results = Paths(Path(self.root)).results / f"{doc.get('notebook', self.notebook)}.json"
        if results.is_file():
            _log_files(self, run, [results], "results")
        _close(self, run)
        return run["id"]

    def describe(self) -> dict:
        """Where this notebook's runs went (for the results `extra` and the book's appendix)."""
        if not self.enabled:
            return {"backend": "none"}
        out = {"backend": self.backend, "group": self.group, "notebook": self.notebook}
        out.update(_where(self))
        return out


def start(backend: str = "none", notebook: str = "", *, root: str | Path | None = None,
          experiment: str = "") -> Tracking:
    """Open the notebook's tracking session (the fan-out's default from now on) and prepare the store.

    `backend` is the notebook's `tracking` parameter. A missing extra is a one-line UserError."""
    check_backend(backend)
    base = Path(root) if root else Paths.find().root
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    uri = ""
    if backend == "mlflow":
        uri = os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{(base / MLFLOW_DIR / 'mlflow.db').resolve()}"
    tr = Tracking(backend, notebook, str(base.resolve()), f"{notebook}-{stamp}-{uuid.uuid4().hex[:6]}", uri,
                  experiment or f"mlplab-{notebook}")
    if backend == "mlflow":
        _mlflow_experiment(tr)
    elif backend == "wandb":
        tr.wandb_dir.mkdir(parents=True, exist_ok=True)
    _CURRENT[0] = tr if tr.enabled else None
    return tr


def current() -> Tracking | None:
    """The session `start` opened in this process (None when tracking is off)."""
    return _CURRENT[0]


def stop() -> None:
    _CURRENT[0] = None


# ---- which nets, which fit ------------------------------------------------------------------------

def _is_net(obj) -> bool:
    """Any skorch net (the package's fast nets and other labs' skorch subclasses alike)."""
    from skorch import NeuralNet

    return isinstance(obj, NeuralNet)


def _nets(model):
    """The nets a model will train, found through pipelines (last step), wrappers (`estimator`) and
    ensembles (`estimators`)."""
    if _is_net(model):
        yield model
        return
    if hasattr(model, "steps"):
        yield from _nets(model.steps[-1][1])
        return
    inner = getattr(model, "estimator", None)
    if inner is not None:
        yield from _nets(inner)
    for member in getattr(model, "estimators", None) or ():
        yield from _nets(member)


def fits_before_final(model, y=None) -> int:
    """How many times a wrapper fits its net before the final fit (those fits choose something, such
    as decision thresholds, and are not tracked)."""
    own = getattr(model, "fits_before_final", None)
    if callable(own):
        return int(own(y))
    from mlplab.experiment.thresholds import ThresholdTuned

    if isinstance(model, ThresholdTuned):
        if not model.cv:
            return 1
        counts = np.unique(np.asarray(y), return_counts=True)[1] if y is not None else np.array([model.cv])
        return int(min(model.cv, max(2, counts.min())))
    return 0


def _is_gate(cb) -> bool:
    obj = cb[1] if isinstance(cb, tuple) else cb
    return isinstance(obj, FinalFitLogger)


class FinalFitLogger(Callback):
    """Opens one tracked run when a final fit starts and forwards the epochs to skorch's logger of the
    backend (MlflowLogger, WandbLogger or TensorBoard). Fits before the final one (`skip`) pass through."""

    def __init__(self, tracking: Tracking | None = None, name: str = "", params: dict | None = None, token: str = "",
                 skip: int = 0):
        self.tracking = tracking
        self.name = name
        self.params = params
        self.token = token
        self.skip = skip

    def initialize(self):
        self.active_ = False
        self.inner_ = None
        return self

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        seen = _FITS[self.token] = _FITS.get(self.token, 0) + 1
        self.active_ = self.tracking is not None and self.tracking.enabled and seen > self.skip
        if not self.active_:
            return
        params = {**(self.params or {}), **_net_params(net)}
        run = _open(self.tracking, self.name, params, kind="fit")
        _OPEN.setdefault(self.token, []).append(run)
        self.inner_ = _skorch_logger(self.tracking, run).initialize()
        self.inner_.on_train_begin(net, X=X, y=y, **kwargs)

    def on_epoch_begin(self, net, **kwargs):
        if self.active_:
            self.inner_.on_epoch_begin(net, **kwargs)

    def on_epoch_end(self, net, **kwargs):
        if self.active_:
            self.inner_.on_epoch_end(net, **kwargs)

    def on_train_end(self, net, X=None, y=None, **kwargs):
        if self.active_:
            self.inner_.on_train_end(net, X=X, y=y, **kwargs)
            client = getattr(self.inner_, "client_", None)
            if isinstance(client, _BatchingClient):
                client.flush()
            self.active_ = False
            self.inner_ = None  # the fitted model travels back from the worker: no store handles in it


def _net_params(net) -> dict:
    keep = ("lr", "max_epochs", "batch_size", "optimizer", "lr_schedule", "early_stopping", "valid_fraction",
            "module__hidden", "module__dropout", "module__batch_norm", "module__activation", "module__embedding",
            "module__input_noise", "optimizer__weight_decay", "seed")
    params = net.get_params(deep=False)
    out = {k: params[k] for k in keep if k in params}
    out["optimizer"] = out["optimizer"] if isinstance(out.get("optimizer"), str) else getattr(out.get("optimizer"), "__name__", "")
    out["criterion"] = getattr(params.get("criterion"), "__name__", str(params.get("criterion")))
    return out


def final_metrics(scores: dict[str, dict]) -> dict[str, float]:
    """{part: {metric: value}} -> {"final_<part>_<metric>": value} for the scalar metrics."""
    out = {}
    for part, values in scores.items():
        for metric, value in (values or {}).items():
            if isinstance(value, (int, float, np.floating)) and not isinstance(value, bool) and np.isfinite(value):
                out[f"final_{part}_{metric}"] = float(value)
    return out


def _flat(params: dict) -> dict[str, str]:
    out = {}
    for k, v in (params or {}).items():
        text = json.dumps(v, default=str) if isinstance(v, (list, tuple, dict)) else str(v)
        out[re.sub(r"[^0-9A-Za-z_\-. /]", "_", str(k))] = text[:PARAM_CHARS]
    return out


# ---- backends ------------------------------------------------------------------------------------

def _mlflow_client(tr: Tracking):
    import logging

    with warnings.catch_warnings():  # mlflow imports tqdm.auto, which warns on stderr inside a notebook
        warnings.simplefilter("ignore")
        from mlflow.tracking import MlflowClient

    for name in ("mlflow", "alembic"):  # store creation logs INFO lines to stderr: not for the notebooks
        logging.getLogger(name).setLevel(logging.WARNING)
    # MLflow's own SQLAlchemy mapping warns about a deprecated loader: not ours to fix, noise on stderr
    warnings.filterwarnings("ignore", message=r".*noload.*", module=r"mlflow\..*")
    warnings.filterwarnings("ignore", message=r".*noload.*", module=r"sqlalchemy\..*")

    return MlflowClient(tracking_uri=tr.uri)


def _mlflow_experiment(tr: Tracking) -> str:
    """The experiment id, created (with the store) when missing; local stores keep artifacts beside the db."""
    client = _mlflow_client(tr)
    exp = client.get_experiment_by_name(tr.experiment)
    if exp is not None:
        return exp.experiment_id
    location = (Path(tr.root) / MLFLOW_DIR / "artifacts").resolve().as_uri() if tr.local_mlflow else None
    try:
        return client.create_experiment(tr.experiment, artifact_location=location)
    except Exception:  # noqa: BLE001 - created meanwhile by another process
        return client.get_experiment_by_name(tr.experiment).experiment_id


def _open(tr: Tracking, name: str, params: dict, *, kind: str) -> dict:
    flat = _flat(params)
    tags = {"mlplab.group": tr.group, "mlplab.notebook": tr.notebook, "mlplab.kind": kind}
    if tr.backend == "mlflow":
        from mlflow.entities import Param

        client = _mlflow_client(tr)
        run = _retry(lambda: client.create_run(_mlflow_experiment(tr), run_name=name, tags=tags))
        rid = run.info.run_id
        items = [Param(k, v) for k, v in flat.items()]
        for i in range(0, len(items), 100):
            _retry(lambda chunk=items[i:i + 100]: client.log_batch(rid, params=chunk))
        return {"id": rid, "client": client, "run": run, "name": name}
    if tr.backend == "tensorboard":
        from torch.utils.tensorboard import SummaryWriter

        slug = re.sub(r"[^0-9A-Za-z_.-]+", "_", name).strip("_")
        logdir = tr.tensorboard_dir / f"{slug}-{uuid.uuid4().hex[:6]}"
        writer = SummaryWriter(log_dir=str(logdir))
        writer.add_text("params", "\n".join(f"- **{k}**: `{v}`" for k, v in flat.items()), 0)
        writer.add_text("tags", json.dumps(tags), 0)
        return {"id": logdir.name, "writer": writer, "logdir": logdir, "name": name}
    if tr.backend == "wandb":
        import wandb

        os.environ.setdefault("WANDB_SILENT", "true")
        mode = os.environ.get("WANDB_MODE") or ("online" if os.environ.get("WANDB_API_KEY") else "offline")
        run = wandb.init(project=tr.experiment, group=tr.group, name=name, config=flat, tags=[kind, tr.notebook],
                         dir=str(tr.wandb_dir), mode=mode, reinit="create_new",
                         settings=wandb.Settings(console="off", silent=True))
        return {"id": run.id, "run": run, "name": name}
    raise ValueError(f"tracking backend {tr.backend!r} has no store")


def _skorch_logger(tr: Tracking, run: dict):
    from skorch.callbacks import MlflowLogger, TensorBoard, WandbLogger

    if tr.backend == "mlflow":
        return MlflowLogger(run=run["run"], client=_BatchingClient(run["client"]), create_artifact=False,
                            terminate_after_train=False)
    if tr.backend == "tensorboard":
        return TensorBoard(run["writer"], close_after_train=False)
    return WandbLogger(run["run"], save_model=False)


class _BatchingClient:
    """The MlflowClient skorch's MlflowLogger writes through, with its per-value `log_metric` calls
    collected and written in batches (same keys, values and steps): one SQLite commit per value
    made the logger cost more than the epoch it logged."""

    EVERY = 2000

    def __init__(self, client):
        self.client = client
        self.pending: dict[str, list] = {}

    def log_metric(self, run_id, key, value, step=None, timestamp=None):
        from mlflow.entities import Metric

        items = self.pending.setdefault(run_id, [])
        items.append(Metric(key, float(value), timestamp or int(time.time() * 1000), int(step or 0)))
        if len(items) >= self.EVERY:
            self.flush(run_id)

    def flush(self, run_id=None):
        for rid in [run_id] if run_id else list(self.pending):
            items = self.pending.pop(rid, [])
            for i in range(0, len(items), 1000):
                _retry(lambda chunk=items[i:i + 1000]: self.client.log_batch(rid, metrics=chunk))

    def set_terminated(self, run_id, *args, **kwargs):
        self.flush(run_id)
        return self.client.set_terminated(run_id, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.client, name)


def _log_metrics(tr: Tracking, run: dict, metrics: dict[str, float]) -> None:
    if not metrics:
        return
    if tr.backend == "mlflow":
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        items = [Metric(k, float(v), now, 0) for k, v in metrics.items()]
        for i in range(0, len(items), 500):
            _retry(lambda chunk=items[i:i + 500]: run["client"].log_batch(run["id"], metrics=chunk))
    elif tr.backend == "tensorboard":
        for k, v in metrics.items():
            run["writer"].add_scalar(k, float(v), 0)
    else:
        run["run"].summary.update({k: float(v) for k, v in metrics.items()})


def _log_files(tr: Tracking, run: dict, files, folder: str) -> None:
    files = [Path(f) for f in files]
    if not files:
        return
    if tr.backend == "mlflow":
        for f in files:
            _retry(lambda f=f: run["client"].log_artifact(run["id"], str(f), artifact_path=folder))
    elif tr.backend == "tensorboard":
        import matplotlib.image as mpimg

        for f in files:
            if f.suffix.lower() == ".png":
                image = mpimg.imread(f)
                run["writer"].add_image(f"{folder}/{f.stem}", image[..., :3], 0, dataformats="HWC")
            else:
                run["writer"].add_text(f"{folder}/{f.name}", f"`{f.name}` ({f.stat().st_size:,} bytes)", 0)
    else:
        import wandb

        images = {f"{folder}/{f.stem}": wandb.Image(str(f)) for f in files if f.suffix.lower() == ".png"}
        if images:
            run["run"].log(images)
        for f in files:
            if f.suffix.lower() != ".png":
                run["run"].save(str(f), base_path=str(f.parent), policy="now")


def _close(tr: Tracking, run: dict) -> None:
    if tr.backend == "mlflow":
        _retry(lambda: run["client"].set_terminated(run["id"]))
    elif tr.backend == "tensorboard":
        run["writer"].close()
    else:
        run["run"].finish()


def _retry(call, attempts: int = 8, wait: float = 0.25):
    """SQLite lets one writer at a time: a concurrent worker's write may find the store locked."""
    for i in range(attempts):
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - only 'database is locked' is retried
            if "locked" not in str(exc).lower() or i == attempts - 1:
                raise
            time.sleep(wait * (i + 1))
    return None


# ---- where runs went ------------------------------------------------------------------------------

def _shown_uri(uri: str, root: Path) -> str:
    if uri.startswith("sqlite:///"):
        return "sqlite:///" + Paths(root).display(uri.removeprefix("sqlite:///"))
    return re.sub(r"//[^/@]+@", "//***@", uri)  # never show credentials in a URI


def _where(tr: Tracking) -> dict:
    root = Path(tr.root)
    paths = Paths(root)
    if tr.backend == "mlflow":
        client = _mlflow_client(tr)
        exp = client.get_experiment_by_name(tr.experiment)
        runs = client.search_runs([exp.experiment_id], f"tags.`mlplab.group` = '{tr.group}'",
                                  max_results=5000) if exp else []
        shown = _shown_uri(tr.uri, root)
        return {"location": shown, "experiment": tr.experiment, "runs": len(runs),
                "view": f"mlflow ui --backend-store-uri {shown}" if tr.local_mlflow else "the MLflow server at that URI"}
    if tr.backend == "tensorboard":
        d = tr.tensorboard_dir
        runs = [p for p in d.iterdir() if p.is_dir()] if d.is_dir() else []
        return {"location": paths.display(d), "runs": len(runs), "view": f"tensorboard --logdir {TENSORBOARD_DIR}"}
    d = tr.wandb_dir / "wandb"
    runs = [p for p in d.glob("*run-*") if p.is_dir()] if d.is_dir() else []
    offline = any(p.name.startswith("offline-") for p in runs)
    return {"location": paths.display(tr.wandb_dir), "project": tr.experiment, "runs": len(runs),
            "mode": "offline" if offline else "online",
            "view": (f"wandb sync {paths.display(d)}/offline-run-*" if offline else "the W&B project page")}


def locations(root: str | Path | None = None, results: dict[str, dict] | None = None) -> dict[str, dict]:
    """Where each notebook's tracked runs went, from its results `extra["tracking"]` (what the book's
    appendix lists): {notebook: {backend, location, runs, view, ...}}. Notebooks that ran without
    tracking are left out. `results` defaults to every results JSON in report/_results/."""
    if results is None:
        folder = Paths(Path(root)).results if root else Paths.find().results
        results = {}
        for f in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            try:
                results[f.stem] = json.loads(f.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                continue
    out = {}
    for name, doc in results.items():
        info = (doc.get("extra") or {}).get("tracking") or {}
        if info.get("backend", "none") != "none":
            out[name] = info
    return out


def sentence(info: dict) -> str:
    """Where a notebook's tracked runs went, in words (from `Tracking.describe()`)."""
    if not info or info.get("backend", "none") == "none":
        return "Experiment tracking was off for this run (parameter `tracking`: mlflow, wandb or tensorboard)."
    names = {"mlflow": "MLflow", "wandb": "Weights & Biases", "tensorboard": "TensorBoard"}
    runs = info.get("runs", 0)
    text = (f"{runs} tracked run{'s' if runs != 1 else ''} (one per final network fit and one per search) and a summary "
            f"run with the figures and this results file went to {names[info['backend']]} at `{info.get('location')}`")
    if info["backend"] == "wandb" and info.get("mode") == "offline":
        text += " in offline mode (no API key was set)"
    return text + f"; to browse them: `{info.get('view')}`."
