"""The results contract: one JSON per notebook in report/_results/<notebook>.json, validated when it is
written and again when it is read (a corrupt or stale file names itself and what to do).

    {"notebook": NAME, "lab": 1, "profile": "full" | "quick" | ...,
     "params": {...},                                   # the parameters the notebook ran with
     "provenance": {"source": "file" | "kagglehub" | "embedded" | "sklearn",
                    "kind": "real" | "subset" | "synthetic",
                    "path": str,                         # relative to the project, or a file name
                    "rows": int, "sha256": str},
     "protocol": {"kind": "nested" | "holdout", "outer_splits": N, "selection": str, ...},
     "timings_s": {"total": float, <section>: float, ...},
     "models": {NAME: {"role": "baseline" | "reference" | "tuned" | "variant" | "leaky_reference",
                       "label": str,                     # the name prose uses
                       "train": {metric: value},         # first outer split
                       "test": {metric: value},          # first outer split
                       "validation": {metric: value},    # mean over outer splits: what selection saw
                       "seeds": {"n": int, "mean": {metric: value}, "std": {metric: value}},  # test, over splits
                       "per_split": {"split": [...], "seed": [...], "test": {metric: [...]},
                                     "validation": {metric: [...]}, "train": {metric: [...]}},
                       "settings": {...}, ...}},
     "best_params": {...},
     "recommended": {"model": NAME, "by": "validation", "metric": NAME, ...} | null,
     "reason": str,                                      # required when recommended is null
     "verdicts": [{"topic", "a", "b", "metric", "word", "mean_diff", "low", "high", "n", ...}],  # noise rule
     "history": {NAME: {column: [per-epoch values]}},   # optional
     "extra": {...}}                                     # notebook-specific facts for its own prose

Per notebook, NOTEBOOKS below lists the task kind, the models that must be present and the test
metrics every model must carry. `recommended.model` must be a non-leaky model with validation scores.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from mlplab.errors import UserError
from mlplab.experiment import atomic
from mlplab.experiment.paths import Paths
from mlplab.experiment.protocol import KINDS
from mlplab.experiment.record import ROLES
from mlplab.experiment.verdict import WORDS
from mlplab.metrics import CLASSIFICATION_METRICS, REGRESSION_METRICS

SOURCES = ("file", "kagglehub", "embedded", "sklearn")
DATA_KINDS = ("real", "subset", "synthetic")
REQUIRED_KEYS = ("notebook", "profile", "params", "provenance", "protocol", "timings_s", "models", "best_params",
                 "recommended")
PROVENANCE_KEYS = ("source", "kind", "path", "rows", "sha256")


@dataclass(frozen=True)
class NotebookSchema:
    lab: int
    kind: str                                # regression | classification | detection | forecasting
    required_models: tuple[str, ...]
    metrics: tuple[str, ...]                 # test metrics every model carries
    model_keys: tuple[str, ...] = ()         # extra keys every model carries (e.g. windows_detected)
    families: tuple[str, ...] = ()           # models that must appear under some key as an entry's `model`
                                             # (a notebook with one entry per model and label budget)


NOTEBOOKS: dict[str, NotebookSchema] = {
    "regression": NotebookSchema(1, "regression", ("naive", "ols", "ols_return", "lab_protocol", "mlp_baseline",
                                                   "mlp_tuned"), REGRESSION_METRICS),
    "classification": NotebookSchema(1, "classification", ("majority", "logreg", "hgb", "documented_rules",
                                                           "lab_protocol", "mlp_baseline", "mlp_tuned"),
                                     CLASSIFICATION_METRICS),
    "california": NotebookSchema(2, "regression", ("mean", "linear", "hgb", "mlp_source", "mlp_tuned"),
                                 REGRESSION_METRICS),
    "wildfire": NotebookSchema(2, "classification", ("majority", "logreg", "threshold_rule", "hgb", "mlp_source",
                                                     "mlp_tuned"), CLASSIFICATION_METRICS),
    "fashion_mnist": NotebookSchema(3, "classification", ("logreg", "mlp", "cnn_source", "cnn_tuned"),
                                    CLASSIFICATION_METRICS),
    "depth": NotebookSchema(3, "classification", ("plain_deep", "residual_deep", "plain_deep_bn", "residual_deep_bn",
                                                  "vgg16c", "resnet18", "resnext"), ("accuracy",)),
    # one entry per model and label budget: key <model>_k<k>, e.g. lite0_finetune_k100 (mlplab.transfer.steps)
    "transfer": NotebookSchema(3, "classification", (), CLASSIFICATION_METRICS, ("model", "regime", "budget"),
                               families=("logreg_pixels", "cnn_scratch", "lite0_features", "lite0_finetune",
                                         "lite0_random")),
    "taxi_anomaly": NotebookSchema(4, "detection", ("rolling_z", "seasonal_z", "conv_ae"), (),
                                   ("windows_detected", "false_alarms", "windows")),
    "air_quality": NotebookSchema(4, "forecasting", ("persistence", "seasonal_naive", "linear_ar", "lstm_source",
                                                     "lstm_tuned"), (), ("horizons",)),
    "imdb_sentiment": NotebookSchema(5, "classification", ("majority", "tfidf_logreg", "glove_logreg", "lstm_source",
                                                          "lstm_improved", "lstm_tuned"), ("accuracy", "f1", "roc_auc")),
    "newsgroups": NotebookSchema(5, "classification", ("majority", "tfidf_logreg", "tfidf_logreg_text_only",
                                                       "glove_logreg", "transformer_source", "transformer_tuned"),
                                 ("accuracy", "macro_f1")),
}


class ResultsError(UserError):
    """A results file that is missing, unreadable or breaks the contract."""


def results_path(name: str, root: str | Path | None = None) -> Path:
    paths = Paths.find(Path(root) if root else None)
    return paths.results / f"{name}.json"


def jsonable(obj: Any) -> Any:
    """Plain JSON types: numpy scalars/arrays to Python, NaN/inf to null, tuples to lists."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        v = float(obj)
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(obj, Path):
        return obj.as_posix()
    if hasattr(obj, "to_dict") and callable(obj.to_dict):
        return jsonable(obj.to_dict())
    if isinstance(obj, (str, int)) or obj is None:
        return obj
    return str(obj)


def validate(doc: dict) -> list[str]:
    """Every way `doc` breaks the contract (empty list: valid)."""
    if not isinstance(doc, dict):
        return ["not a JSON object"]
    problems = [f"missing key {k!r}" for k in REQUIRED_KEYS if k not in doc]
    if problems:
        return problems
    name = doc["notebook"]
    spec = NOTEBOOKS.get(name) if isinstance(name, str) else None
    if spec is None:
        return [f"unknown notebook {name!r} (known: {', '.join(NOTEBOOKS)})"]
    # wrong container types are breaches to report (a hand-edited or truncated file), not crashes
    problems = [f"{k} must be an object" for k in ("provenance", "timings_s", "models") if not isinstance(doc[k], dict)]
    verdicts = doc.get("verdicts") or []
    if not isinstance(verdicts, list) or not all(isinstance(v, dict) for v in verdicts):
        problems.append("verdicts must be a list of objects")
    if problems:
        return problems
    prov = doc["provenance"]
    problems += [f"provenance missing {k!r}" for k in PROVENANCE_KEYS if k not in prov]
    if prov.get("source") not in SOURCES:
        problems.append(f"provenance.source {prov.get('source')!r} not one of {', '.join(SOURCES)}")
    if prov.get("kind") not in DATA_KINDS:
        problems.append(f"provenance.kind {prov.get('kind')!r} not one of {', '.join(DATA_KINDS)}")
    if isinstance(prov.get("path"), str) and Path(prov["path"]).is_absolute():
        problems.append("provenance.path is absolute: the report shows paths relative to the project")
    protocol = doc["protocol"]
    if not isinstance(protocol, dict) or protocol.get("kind") not in KINDS:
        problems.append(f"protocol.kind must be one of {', '.join(KINDS)}")
    elif not isinstance(protocol.get("outer_splits"), int) or protocol["outer_splits"] < 1:
        problems.append("protocol.outer_splits must be an integer >= 1")
    elif not protocol.get("selection"):
        problems.append("protocol.selection must say what chose the hyperparameters")
    if "total" not in doc["timings_s"]:
        problems.append("timings_s missing 'total'")
    models = doc["models"]
    for req in spec.required_models:
        if req not in models:
            problems.append(f"models missing {req!r}")
    present = {e.get("model") for e in models.values() if isinstance(e, dict)}
    problems += [f"no model entry of {f!r} (an entry whose 'model' is {f!r})" for f in spec.families if f not in present]
    for mname, entry in models.items():
        problems += [f"models.{mname}: {p}" for p in _model_problems(entry, spec)]
    rec = doc["recommended"]
    if rec is None:
        if not doc.get("reason"):
            problems.append("recommended is null without a 'reason'")
    elif not isinstance(rec, dict) or rec.get("by") != "validation" or "metric" not in rec:
        problems.append("recommended must be {model, by: 'validation', metric} or null")
    else:
        chosen = models.get(rec.get("model")) if isinstance(rec.get("model"), str) else None
        if not isinstance(chosen, dict):
            problems.append(f"recommended.model {rec.get('model')!r} is not among the models")
        elif chosen.get("role") == "leaky_reference":
            problems.append(f"recommended.model {rec['model']!r} is a leaky reference")
        elif rec["metric"] not in (chosen.get("validation") or {}):
            problems.append(f"recommended.model {rec['model']!r} has no validation {rec['metric']!r}")
    for i, v in enumerate(doc.get("verdicts") or []):
        if v.get("word") not in WORDS:
            problems.append(f"verdicts[{i}].word {v.get('word')!r} not one of {', '.join(WORDS)}")
        for side in ("a", "b"):
            if v.get(side) not in models:
                problems.append(f"verdicts[{i}].{side} {v.get(side)!r} is not among the models")
    return problems


def _model_problems(entry: dict, spec: NotebookSchema) -> list[str]:
    if not isinstance(entry, dict):
        return ["not an object"]
    out = []
    if entry.get("role") not in ROLES:
        out.append(f"role {entry.get('role')!r} not one of {', '.join(ROLES)}")
    if not entry.get("label"):
        out.append("no label")
    for part in ("train", "test", "validation", "seeds"):
        if not isinstance(entry.get(part), dict):
            out.append(f"{part} missing")
    missing = [m for m in spec.metrics if m not in (entry.get("test") or {})]
    if missing:
        out.append(f"test missing {missing}")
    seeds = entry.get("seeds") if isinstance(entry.get("seeds"), dict) else {}
    if not isinstance(seeds.get("n"), int) or seeds.get("n", 0) < 1:
        out.append("seeds.n must be an integer >= 1")
    missing = [k for k in spec.model_keys if k not in entry]
    if missing:
        out.append(f"missing {missing}")
    return out


def stamp(doc: dict) -> dict:
    """The document as JSON types, with `lab` and `created` filled in."""
    doc = dict(doc)
    spec = NOTEBOOKS.get(doc.get("notebook"))
    if spec is not None:
        doc.setdefault("lab", spec.lab)
    doc.setdefault("created", datetime.now(timezone.utc).isoformat(timespec="seconds"))
    return jsonable(doc)


def write_results(doc: dict, root: str | Path | None = None) -> Path:
    """Validate, then write atomically: a failed check raises and leaves the previous file in place."""
    doc = stamp(doc)
    problems = validate(doc)
    if problems:
        raise ValueError(f"results document {doc.get('notebook')!r} invalid: " + "; ".join(problems))
    return atomic.write_json(results_path(doc["notebook"], root), doc)


def read_results(name: str, root: str | Path | None = None) -> dict:
    """Read and validate; any fault is a ResultsError naming the file and what to do."""
    path = results_path(name, root)
    shown = Paths.find(Path(root) if root else None).display(path)
    redo = f"run `mlplab run --only {name} --force` to rebuild it"
    if not path.is_file():
        raise ResultsError(f"{shown}: no results yet; run `mlplab run --only {name}`")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultsError(f"{shown}: unreadable ({exc.__class__.__name__}); {redo}") from None
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{shown}: not valid JSON (line {exc.lineno}: {exc.msg}); {redo}") from None
    problems = validate(doc)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ResultsError(f"{shown}: breaks the results contract: {problems[0]}{more}; {redo}")
    if doc["notebook"] != name:
        raise ResultsError(f"{shown}: holds the results of {doc['notebook']!r}, not {name!r}; {redo}")
    return doc
