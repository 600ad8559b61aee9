"""Estimators of the Fashion-MNIST comparison: pixel baselines and the CNNs.

- `logreg`: multinomial logistic regression on the 784 standardized pixels (pixels / 255, then
  each pixel standardized on the fit rows).
- `mlp`: the package's MLP on the same standardized pixels.
- CNNs: `mlplab.fashion.net.CNNClassifier` on the uint8 images (the network scales them).
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from mlplab.fashion.net import make_cnn
from mlplab.training import MLPClassifier, net_kwargs


def flatten_pixels(X) -> np.ndarray:
    """Images (N × 28 × 28 or N × 1 × 28 × 28, uint8) as N × 784 float32 rows in [0, 1]."""
    X = np.asarray(X)
    return X.reshape(len(X), -1).astype(np.float32) / np.float32(255.0)


class QuietLogisticRegression(LogisticRegression):
    """LogisticRegression that records instead of printing when lbfgs stops at `max_iter`
    (`converged_`), so no warning reaches the report; the results say whether it converged."""

    def fit(self, X, y, sample_weight=None):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            super().fit(X, y, sample_weight=sample_weight)
        self.converged_ = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
        return self


def pixels_pipeline(model) -> Pipeline:
    return Pipeline([("pixels", FunctionTransformer(flatten_pixels)), ("scale", StandardScaler()), ("net", model)])


def logreg(C: float = 1.0, max_iter: int = 200, seed: int = 0) -> Pipeline:
    return pixels_pipeline(QuietLogisticRegression(C=float(C), max_iter=int(max_iter), random_state=seed))


def mlp(settings: dict, seed: int = 0, device: str = "cpu") -> Pipeline:
    """The package's MLPClassifier on standardized pixels (settings: mlplab.training.NET_SETTINGS)."""
    return pixels_pipeline(MLPClassifier(seed=seed, train_metric_rows=5_000, device=device, **net_kwargs(settings)))


def cnn(settings: dict, seed: int = 0, device: str = "cpu"):
    """`device="auto"`: CUDA when present (the same notebook then trains on the GPU), else the CPU."""
    return make_cnn(settings, seed=seed, device=device)


def converged(model) -> dict:
    """What a fitted logistic regression reports about its optimizer (for the results)."""
    net = model.steps[-1][1] if hasattr(model, "steps") else model
    return {"converged": bool(getattr(net, "converged_", True)), "iterations": int(np.max(getattr(net, "n_iter_", [0])))}
