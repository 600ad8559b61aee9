"""Metrics with the names the results contract uses (see results.py).

Regression: rmse, mae, r2, mape, mse. Classification: accuracy, balanced_accuracy, macro_f1,
weighted_f1, per_class, confusion_matrix. Values are plain floats/lists so they go to JSON as-is.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

REGRESSION_METRICS = ("rmse", "mae", "r2", "mape", "mse")
CLASSIFICATION_METRICS = ("accuracy", "balanced_accuracy", "macro_f1", "weighted_f1")


def regression_metrics(y_true, y_pred) -> dict[str, float]:
    """MAPE is in percent and ignores rows whose true value is 0 (undefined there)."""
    from sklearn import metrics as skm  # here: schema and pages read these names without sklearn

    y_true = np.asarray(y_true, dtype=float).ravel()
    y_pred = np.asarray(y_pred, dtype=float).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} values but y_pred has {y_pred.size}")
    mse = float(skm.mean_squared_error(y_true, y_pred))
    nz = y_true != 0
    mape = float(np.mean(np.abs((y_true[nz] - y_pred[nz]) / y_true[nz])) * 100) if nz.any() else float("nan")
    return {
        "rmse": float(np.sqrt(mse)),
        "mae": float(skm.mean_absolute_error(y_true, y_pred)),
        "r2": float(skm.r2_score(y_true, y_pred)),
        "mape": mape,
        "mse": mse,
    }


def classification_metrics(y_true, y_pred, labels: Sequence | None = None) -> dict:
    """Headline scores plus per-class precision/recall/F1/support and the confusion matrix.

    `labels` fixes the class order (and includes classes absent from this split) so train and
    test results line up.
    """
    from sklearn import metrics as skm  # here: schema and pages read these names without sklearn

    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if labels is None:
        labels = sorted(set(y_true.tolist()) | set(y_pred.tolist()))
    labels = list(labels)
    p, r, f, s = skm.precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    present = [lab for lab in labels if lab in set(y_true.tolist())]
    return {
        "accuracy": float(skm.accuracy_score(y_true, y_pred)),
        "balanced_accuracy": float(skm.recall_score(y_true, y_pred, labels=present, average="macro", zero_division=0)),
        "macro_f1": float(skm.f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)),
        "weighted_f1": float(skm.f1_score(y_true, y_pred, labels=present, average="weighted", zero_division=0)),
        "per_class": {
            str(lab): {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
            for i, lab in enumerate(labels)
        },
        "confusion_matrix": {
            "labels": [str(lab) for lab in labels],
            "matrix": skm.confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        },
    }


def summarize_seeds(runs: Sequence[dict], keys: Sequence[str]) -> dict:
    """Mean and sample std over seeds for the scalar metrics in `keys`."""
    out = {"n": len(runs), "mean": {}, "std": {}}
    for k in keys:
        vals = np.array([run[k] for run in runs], dtype=float)
        out["mean"][k] = float(vals.mean()) if len(vals) else float("nan")
        out["std"][k] = float(vals.std(ddof=1)) if len(vals) > 1 else 0.0
    return out
