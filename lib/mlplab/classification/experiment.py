"""Fit and score on stratified splits, repeat over split seeds, compare protocols, strategies and levers.

A "seed" here is a SPLIT seed: each seed draws its own stratified 80/20 split and seeds the model,
so mean ± std covers both the split and the initialization. Seeds run in parallel joblib workers
with one torch thread each; the first seed's run carries predictions, probabilities and curves.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, parallel_config

from mlplab.classification.features import Split, split
from mlplab.data import FAILURE_TYPES
from mlplab.errors import UserError
from mlplab.metrics import CLASSIFICATION_METRICS, classification_metrics, summarize_seeds
from mlplab.resample import leaky_lab_protocol

LABELS = list(FAILURE_TYPES)


@dataclass
class Run:
    """One model: metrics of the first seed's split, every seed's test metrics, and what the plots need."""

    name: str
    train: dict
    test: dict
    seconds: float
    classes: list = field(default_factory=list)
    y_test: np.ndarray | None = None
    pred_test: np.ndarray | None = None
    proba_test: np.ndarray | None = None
    history: pd.DataFrame | None = None
    seed_tests: list = field(default_factory=list)
    seeds: list = field(default_factory=list)
    settings: dict = field(default_factory=dict)

    def seed_summary(self) -> dict:
        return summarize_seeds(self.seed_tests or [self.test], CLASSIFICATION_METRICS)

    def seed_values(self, metric: str = "macro_f1") -> list[float]:
        return [t[metric] for t in self.seed_tests or [self.test]]

    def strip(self) -> Run:
        self.y_test = self.pred_test = self.proba_test = None
        return self


def labels_of(y) -> list[str]:
    """The fixed class order (FAILURE_TYPES) restricted to classes that occur, so tables line up."""
    seen = set(np.asarray(y).tolist())
    return [c for c in LABELS if c in seen] + sorted(seen - set(LABELS))


def fit_and_score(name: str, estimator, sp: Split, *, curves: bool = False, labels=None) -> Run:
    """Fit on the training rows; test rows are scored once (with `curves`, also per epoch for plots only)."""
    t0 = time.perf_counter()
    labels = labels or labels_of(np.r_[sp.y_train, sp.y_test])
    history = None
    if curves:
        from mlplab.training import fit_with_eval, history_frame

        fit_with_eval(estimator, sp.X_train, sp.y_train, sp.X_test, sp.y_test)
        history = history_frame(estimator)
    else:
        estimator.fit(sp.X_train, sp.y_train)
    p_train, p_test = estimator.predict(sp.X_train), estimator.predict(sp.X_test)
    proba = estimator.predict_proba(sp.X_test) if hasattr(estimator, "predict_proba") else None
    classes = [str(c) for c in getattr(estimator, "classes_", labels)]
    return Run(name, classification_metrics(sp.y_train, p_train, labels), classification_metrics(sp.y_test, p_test, labels),
               time.perf_counter() - t0, classes, np.asarray(sp.y_test), np.asarray(p_test), proba, history)


def _one(name, builder, frame, features, seed, test_size, curves, keep):
    import torch

    torch.set_num_threads(1)
    run = fit_and_score(name, builder(seed), split(frame, features, seed, test_size), curves=curves)
    return run if keep else run.strip()


def _jobs(n_jobs: int, n_tasks: int) -> int:
    return max(1, min(int(n_jobs or 1), n_tasks, os.cpu_count() or 1))


def run_seeds(name: str, builder: Callable[[int], object], frame: pd.DataFrame, features: str, seeds: Sequence[int],
              *, test_size: float = 0.2, n_jobs: int = 1, curves: bool = False, settings: dict | None = None) -> Run:
    """`builder(seed)` -> unfitted estimator; one stratified split per seed, fitted in parallel."""
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise UserError("parameter seeds: give at least one seed, e.g. [0, 1, 2]")
    t0 = time.perf_counter()
    with parallel_config(backend="loky", inner_max_num_threads=1):
        runs = Parallel(n_jobs=_jobs(n_jobs, len(seeds)))(
            delayed(_one)(name, builder, frame, features, s, test_size, curves and i == 0, i == 0)
            for i, s in enumerate(seeds))
    first = runs[0]
    first.seed_tests = [r.test for r in runs]
    first.seeds = seeds
    first.seconds = time.perf_counter() - t0
    first.settings = dict(settings or {})
    return first


def run_many(builders: dict[str, Callable[[int], object]], frame: pd.DataFrame, features: str, seed: int, *,
             test_size: float = 0.2, n_jobs: int = 1, curves: bool = False) -> dict[str, Run]:
    """Several single-split models in parallel (strategies, regularizers, levers on one seed)."""
    names = list(builders)
    with parallel_config(backend="loky", inner_max_num_threads=1):
        runs = Parallel(n_jobs=_jobs(n_jobs, len(names)))(
            delayed(_one)(n, builders[n], frame, features, seed, test_size, curves, True) for n in names)
    for r in runs:
        r.seeds, r.seed_tests = [seed], [r.test]
    return dict(zip(names, runs))


def lab_protocol(frame: pd.DataFrame, features: str, builder: Callable[[int], object], *, seed: int = 0,
                 test_size: float = 0.2, strategy: str = "smote") -> tuple[Run, dict]:
    """The lab's order: resample (SMOTE) ALL rows, then split. Returns its leaky run and the
    numbers that expose it: the synthetic share of its test set and its score on the real test rows."""
    from mlplab.classification.features import design_matrix, LABEL

    X = design_matrix(frame, features)  # `type` stays a string column: SMOTENC treats it as categorical
    y = frame[LABEL].astype(str).to_numpy()
    t0 = time.perf_counter()
    leak = leaky_lab_protocol(X, y, strategy=strategy, test_size=test_size, seed=seed, categorical_features="auto")
    est = builder(seed)
    est.fit(leak["X_train"], leak["y_train"])
    labels = labels_of(y)
    p_tr, p_te = est.predict(leak["X_train"]), est.predict(leak["X_test"])
    syn = leak["test_is_synthetic"]
    y_te = np.asarray(leak["y_test"])
    run = Run("lab_protocol", classification_metrics(leak["y_train"], p_tr, labels),
              classification_metrics(y_te, p_te, labels), time.perf_counter() - t0, labels, y_te, p_te)
    real = classification_metrics(y_te[~syn], p_te[~syn], labels)
    extra = {"test_rows": int(len(y_te)), "synthetic_test_rows": int(syn.sum()),
             "synthetic_test_share": float(syn.mean()), "real_test_rows": int((~syn).sum()),
             "train_rows": int(len(leak["y_train"])),
             "leaky_test_macro_f1": run.test["macro_f1"], "real_rows_macro_f1": real["macro_f1"],
             "real_rows_metrics": {k: real[k] for k in CLASSIFICATION_METRICS},
             "real_rows_per_class_recall": {c: v["recall"] for c, v in real["per_class"].items()},
             "synthetic_rows_macro_f1": classification_metrics(y_te[syn], p_te[syn], labels)["macro_f1"]
             if syn.any() else None,
             "class_counts_after_smote": {c: int((np.asarray(leak['y_train']) == c).sum() + (y_te == c).sum())
                                          for c in labels}}
    return run, extra


def summary_table(runs: dict[str, Run], metrics=("accuracy", "balanced_accuracy", "macro_f1", "weighted_f1")) -> pd.DataFrame:
    """One row per model: train and test metrics of the first seed, mean ± std of test macro-F1 over seeds."""
    rows = []
    for name, r in runs.items():
        row = {"model": name}
        row.update({f"train {m}": r.train[m] for m in metrics})
        row.update({f"test {m}": r.test[m] for m in metrics})
        s = r.seed_summary()
        row.update({"seeds": s["n"], "test macro_f1 mean": s["mean"]["macro_f1"], "test macro_f1 std": s["std"]["macro_f1"],
                    "fit s": r.seconds})
        rows.append(row)
    return pd.DataFrame(rows)


def per_class_table(runs: dict[str, Run], stat: str = "recall", split_: str = "test") -> pd.DataFrame:
    """Rows = models, columns = classes: one per-class statistic (recall, precision or f1)."""
    out = {name: {c: v[stat] for c, v in getattr(r, split_)["per_class"].items()} for name, r in runs.items()}
    return pd.DataFrame(out).T.rename_axis("model").reset_index()


def classification_report_table(metrics: dict) -> pd.DataFrame:
    """sklearn-style report from a classification_metrics dict: per class, then macro and weighted rows."""
    pc = metrics["per_class"]
    rows = [{"class": c, **{k: v[k] for k in ("precision", "recall", "f1", "support")}} for c, v in pc.items()]
    df = pd.DataFrame(rows)
    present = df[df["support"] > 0]
    n = int(df["support"].sum())
    w = present["support"] / n
    rows += [{"class": "macro avg (present classes)", "precision": present["precision"].mean(),
              "recall": present["recall"].mean(), "f1": metrics["macro_f1"], "support": n},
             {"class": "weighted avg", "precision": float((present["precision"] * w).sum()),
              "recall": float((present["recall"] * w).sum()), "f1": metrics["weighted_f1"], "support": n}]
    out = pd.DataFrame(rows)
    out["support"] = out["support"].astype(int)
    return out


def seeds_table(runs: dict[str, Run], metrics=("macro_f1", "balanced_accuracy", "accuracy")) -> pd.DataFrame:
    rows = []
    for name, r in runs.items():
        s = r.seed_summary()
        row = {"model": name, "seeds": s["n"]}
        for m in metrics:
            row[f"{m} mean"] = s["mean"][m]
            row[f"{m} std"] = s["std"][m]
        rows.append(row)
    return pd.DataFrame(rows).sort_values("macro_f1 mean", ascending=False).reset_index(drop=True)


def per_class_seed_f1(run: Run) -> dict[str, float]:
    """Mean test F1 per class over seeds."""
    tests = run.seed_tests or [run.test]
    classes = tests[0]["per_class"].keys()
    return {c: float(np.mean([t["per_class"][c]["f1"] for t in tests])) for c in classes}


def confusion_pairs(metrics: dict, top: int = 6) -> pd.DataFrame:
    """The largest off-diagonal cells of the confusion matrix: which true class goes to which prediction."""
    labels = metrics["confusion_matrix"]["labels"]
    m = np.asarray(metrics["confusion_matrix"]["matrix"])
    rows = [{"true": labels[i], "predicted": labels[j], "rows": int(m[i, j]),
             "share of true class %": 100 * m[i, j] / max(1, m[i].sum())}
            for i in range(len(labels)) for j in range(len(labels)) if i != j and m[i, j] > 0]
    df = pd.DataFrame(rows, columns=["true", "predicted", "rows", "share of true class %"])
    return df.sort_values("rows", ascending=False).head(top).reset_index(drop=True)
