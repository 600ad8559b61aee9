"""The results store: one JSON per notebook in report/_results/ (plus optional parquet tables).

Contract (DESIGN.md), read by the comparison notebook, the report pages and the tests:

    {"notebook": "regression" | "classification",
     "profile": "full" | "quick" | ...,
     "params": {...},                       # the parameters the notebook ran with
     "provenance": {"source": "file|kagglehub|embedded", "path": str, "rows": int, "sha256": str},
     "timings_s": {"total": float, "search": float, ...},
     "models": {"<name>": {"train": {metric: value}, "test": {metric: value},
                           "seeds": {"n": int, "mean": {metric: value}, "std": {metric: value}}}},
     "best_params": {...}}

Optional extra keys (never required by readers): "extra" (free-form findings used by generated
prose), "history" (per-epoch curves of headline models), "created" (ISO timestamp).

Metrics — regression: rmse, mae, r2, mape, mse. Classification: accuracy, balanced_accuracy,
macro_f1, weighted_f1, per_class, confusion_matrix. Required model names below.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from mlplab.metrics import CLASSIFICATION_METRICS, REGRESSION_METRICS

REQUIRED_KEYS = ("notebook", "profile", "params", "provenance", "timings_s", "models", "best_params")
PROVENANCE_KEYS = ("source", "path", "rows", "sha256")
REQUIRED_MODELS = {
    "regression": ("naive", "ols", "lab_protocol", "mlp_baseline", "mlp_tuned"),
    "classification": ("majority", "logreg", "hgb", "lab_protocol", "mlp_baseline", "mlp_tuned"),
}
METRICS = {"regression": REGRESSION_METRICS, "classification": CLASSIFICATION_METRICS}


def results_dir(root: str | Path | None = None) -> Path:
    """report/_results under the project root (or $MLPLAB_RESULTS_DIR)."""
    env = os.environ.get("MLPLAB_RESULTS_DIR")
    if env:
        return Path(env)
    return Path(root or os.environ.get("MLPLAB_ROOT") or Path.cwd()) / "report" / "_results"


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        v = float(obj)
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "to_dict") and callable(obj.to_dict):
        return _jsonable(obj.to_dict())
    if isinstance(obj, (str, int, bool)) or obj is None:
        return obj
    return str(obj)


def validate(doc: dict) -> list[str]:
    """Problems with a results document (empty list = valid)."""
    problems = [f"missing key {k!r}" for k in REQUIRED_KEYS if k not in doc]
    if problems:
        return problems
    kind = doc["notebook"]
    if kind not in REQUIRED_MODELS:
        return [f"unknown notebook {kind!r}"]
    problems += [f"provenance missing {k!r}" for k in PROVENANCE_KEYS if k not in doc["provenance"]]
    if doc["provenance"].get("source") not in ("file", "kagglehub", "embedded"):
        problems.append(f"provenance.source {doc['provenance'].get('source')!r} not file|kagglehub|embedded")
    if "total" not in doc["timings_s"]:
        problems.append("timings_s missing 'total'")
    for name in REQUIRED_MODELS[kind]:
        model = doc["models"].get(name)
        if model is None:
            problems.append(f"models missing {name!r}")
            continue
        for split in ("train", "test"):
            missing = [m for m in METRICS[kind] if m not in model.get(split, {})]
            if missing:
                problems.append(f"models.{name}.{split} missing {missing}")
    return problems


def write_results(doc: dict, root: str | Path | None = None) -> Path:
    """Validate and write atomically (temp file + rename): a crash never leaves a half-written JSON."""
    doc = dict(doc)
    doc.setdefault("created", datetime.now(timezone.utc).isoformat(timespec="seconds"))
    doc = _jsonable(doc)
    problems = validate(doc)
    if problems:
        raise ValueError("results document invalid: " + "; ".join(problems))
    out_dir = results_dir(root)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{doc['notebook']}.json"
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{doc['notebook']}.", suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        json.dump(doc, fh, indent=2, sort_keys=False)
    os.replace(tmp, path)
    return path


def read_results(name: str, root: str | Path | None = None) -> dict:
    path = results_dir(root) / f"{name}.json"
    with open(path) as fh:
        return json.load(fh)


def model_entry(train: dict, test: dict, seeds: dict | None = None, **extra) -> dict:
    """One entry of doc['models']; `seeds` from metrics.summarize_seeds (n=1 when a single run)."""
    entry = {"train": train, "test": test}
    entry["seeds"] = seeds or {"n": 1, "mean": {k: v for k, v in test.items() if isinstance(v, (int, float))},
                               "std": {k: 0.0 for k, v in test.items() if isinstance(v, (int, float))}}
    entry.update(extra)
    return entry
