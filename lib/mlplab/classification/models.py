"""Estimators of the maintenance task: the documented failure rules, the supervised threshold
encoding, the focal loss, and the builders of every model in the comparison.

Every estimator is prep -> [resample] -> model in one imblearn pipeline, so scaling statistics,
bin edges and synthetic rows come from training rows only (from the training fold under CV).
Decision thresholds (mlplab.experiment.thresholds) wrap whole pipelines, for every model alike.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline as sk_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.validation import check_is_fitted, validate_data

from mlplab.classification import ENCODINGS
from mlplab.classification.features import CATEGORICAL, documented_rules, numeric_columns
from mlplab.errors import UserError
from mlplab.experiment.thresholds import ThresholdTuned
from mlplab.preprocess import PiecewiseLinearEncoding, make_preprocessor
from mlplab.resample import make_pipeline
from mlplab.training import MLPClassifier, net_kwargs



class DocumentedRules(ClassifierMixin, BaseEstimator):
    """The documented failure rules as a classifier: the reference ceiling of what the inputs determine.

    The thresholds are the documented ones; `fit` only chooses the tool-wear window (whole minutes
    inside 190-260) that maximizes Tool Wear F1 on the TRAINING rows no other rule claims (the
    documented 200-240 min when the training rows hold no tool-wear failure). Why: the
    documented 200-240 min window flags every worn tool, and most of them are replaced without
    failing, so a narrower window is the better rule and the fair ceiling for a trained model.
    """

    def __init__(self, fit_window: bool = True):
        self.fit_window = fit_window

    def fit(self, X, y):
        y = np.asarray(y).astype(str)
        self.classes_ = np.array(sorted(set(y.tolist())), dtype=object)
        self.wear_window_ = (200.0, 240.0)
        if self.fit_window and "Tool Wear Failure" in self.classes_:
            free = documented_rules(X, wear_window=(np.inf, np.inf)) == "No Failure"
            wear = np.asarray(X["tool_wear_min"], dtype=float)[free]
            hit = y[free] == "Tool Wear Failure"
            best = -1.0
            for lo in range(190, 261):
                for hi in range(lo, 261):
                    pred = (wear >= lo) & (wear <= hi)
                    tp = np.sum(pred & hit)
                    f1 = 2 * tp / (pred.sum() + hit.sum()) if tp else 0.0
                    if f1 > best + 1e-12:
                        best, self.wear_window_ = f1, (float(lo), float(hi))
        return self

    def predict(self, X):
        check_is_fitted(self, "wear_window_")
        return documented_rules(X, wear_window=self.wear_window_)


def exact_cuts(x: np.ndarray, y: np.ndarray, max_leaves: int, min_samples_leaf: int, seed: int) -> np.ndarray:
    """Split thresholds of a shallow class-balanced tree on one feature, at float64 precision.

    scikit-learn's trees cast inputs to float32, which merges values that differ only in the last
    bits. The tree is therefore fitted on the ranks of the distinct values (exact in float32) and
    each rank cut is mapped back to the midpoint of the two float64 values it separates. This
    matters here: the generator compared the float64 temperature difference with 8.6 K, so rows
    printed as 8.6 K fall on both sides of that limit.
    """
    values, rank = np.unique(x, return_inverse=True)
    if len(values) < 2:
        return np.empty(0)
    tree = DecisionTreeClassifier(max_leaf_nodes=int(max_leaves), min_samples_leaf=min_samples_leaf,
                                  class_weight="balanced", random_state=seed).fit(rank[:, None].astype(np.float64), y)
    lower = np.floor(tree.tree_.threshold[tree.tree_.feature >= 0]).astype(int)
    return np.unique((values[lower] + values[lower + 1]) / 2)


class ThresholdEncoding(TransformerMixin, BaseEstimator):
    """Standardized features plus 0/1 columns `x >= t` at supervised cut points t.

    Why: the failure modes of this process are thresholds (e.g. power outside 3,500-9,000 W), which
    trees find easily and smooth MLPs approximate badly. The cut points are split thresholds of
    shallow class-balanced decision trees fitted per feature on the TRAINING rows (the target-aware
    bins of Gorishniy et al., 2022), so the network receives candidate steps instead of having to
    learn them; the test rows never influence them. `per_class=False`: one multi-class tree per
    feature with at most `n_bins` leaves. `per_class=True`: one tree per feature and class (that
    class against the rest, 3 leaves), so each rare class gets the cuts that bound it instead of
    sharing leaves that the frequent classes use up.
    """

    CLASS_LEAVES = 3  # per class and feature: a band (two cuts) or one step

    def __init__(self, n_bins: int = 16, per_class: bool = False, min_samples_leaf: int = 5, seed: int = 0):
        self.n_bins = n_bins
        self.per_class = per_class
        self.min_samples_leaf = min_samples_leaf
        self.seed = seed

    def fit(self, X, y):
        if not isinstance(self.n_bins, (int, np.integer)) or self.n_bins < 2:
            raise UserError(f"ThresholdEncoding: n_bins must be an integer >= 2, got {self.n_bins!r}")
        if y is None:
            raise UserError("ThresholdEncoding needs the labels at fit time (supervised cut points)")
        X = validate_data(self, X, dtype=np.float64, reset=True)
        y = np.asarray(y)
        self.scaler_ = StandardScaler().fit(X)
        self.cuts_ = []
        for j in range(X.shape[1]):
            if self.per_class:
                cuts = [exact_cuts(X[:, j], y == k, self.CLASS_LEAVES, self.min_samples_leaf, self.seed)
                        for k in np.unique(y)]
                self.cuts_.append(np.unique(np.concatenate(cuts)))
            else:
                self.cuts_.append(exact_cuts(X[:, j], y, self.n_bins, self.min_samples_leaf, self.seed))
        return self

    def transform(self, X):
        check_is_fitted(self, "cuts_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        steps = [(X[:, [j]] >= cuts).astype(np.float64) for j, cuts in enumerate(self.cuts_) if len(cuts)]
        return np.hstack([self.scaler_.transform(X), *steps])


class FocalLoss(torch.nn.Module):
    """Multi-class focal loss (Lin et al., 2017): cross-entropy scaled by (1 - p_true)^gamma, so rows
    the net already classifies confidently (most 'No Failure' rows) weigh little; `weight` as in
    CrossEntropyLoss (skorch passes the net's class weights)."""

    def __init__(self, gamma: float = 2.0, weight=None):
        super().__init__()
        if not gamma >= 0:
            raise UserError(f"FocalLoss: gamma must be >= 0, got {gamma!r}")
        self.gamma = float(gamma)
        self.register_buffer("weight", None if weight is None else torch.as_tensor(weight, dtype=torch.float32))

    def forward(self, logits, target):
        logp = torch.log_softmax(logits, dim=1).gather(1, target[:, None]).squeeze(1)
        loss = -((1 - logp.exp()) ** self.gamma) * logp
        if self.weight is not None:
            w = self.weight[target]
            return (loss * w).sum() / w.sum()
        return loss.mean()


LOSSES = {"cross_entropy": torch.nn.CrossEntropyLoss, "focal": FocalLoss}


def preprocessor(features: str, encoding: str = "standard", n_bins: int = 16) -> ColumnTransformer:
    """Numeric columns standardized (or encoded), `type` one-hot; every other column dropped."""
    if encoding not in ENCODINGS:
        raise UserError(f"parameter encoding={encoding!r}: expected one of {', '.join(ENCODINGS)}")
    numeric = numeric_columns(features)
    if encoding in ("standard", "periodic"):
        return make_preprocessor(numeric, CATEGORICAL)
    if encoding in ("thresholds", "class_thresholds"):
        num = ThresholdEncoding(n_bins, per_class=encoding == "class_thresholds")
    else:
        num = sk_pipeline(StandardScaler(), PiecewiseLinearEncoding(n_bins))
    return ColumnTransformer([("num", num, numeric),
                              ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), list(CATEGORICAL))],
                             remainder="drop", sparse_threshold=0.0)


def net(settings: dict, *, encoding: str = "standard", loss: str = "cross_entropy", seed: int = 0) -> MLPClassifier:
    """The skorch classifier from readable settings; `encoding="periodic"` switches on the model's
    periodic embedding, `loss="focal"` the focal loss. Its outputs are one logit per class; the
    softmax turns them into class probabilities (predict_proba) and the loss is computed on them."""
    if loss not in LOSSES:
        raise UserError(f"parameter loss={loss!r}: expected one of {', '.join(LOSSES)}")
    kwargs = net_kwargs({**settings, "embedding": "periodic" if encoding == "periodic" else None})
    return MLPClassifier(criterion=LOSSES[loss], seed=int(seed), verbose=0, **kwargs)


def mlp_pipeline(settings: dict, *, features: str, strategy: str = "none", encoding: str = "standard",
                 loss: str = "cross_entropy", n_bins: int = 16, seed: int = 0):
    """prep -> [resample, training rows only] -> net, steps named prep/resample/net."""
    return make_pipeline(net(settings, encoding=encoding, loss=loss, seed=seed), strategy,
                         preprocessor=preprocessor(features, encoding, n_bins), seed=seed)


BASELINES = ("majority", "logreg", "hgb")


def baseline(name: str, features: str, *, seed: int = 0, strategy: str = "none", **params):
    """Majority class, logistic regression or HistGradientBoosting in the same prep pipeline;
    `params` go to the model (the search sets them through `net__...`)."""
    if name == "majority":
        model = DummyClassifier(strategy="most_frequent")
    elif name == "logreg":
        model = LogisticRegression(max_iter=3000, **params)
    elif name == "hgb":
        model = HistGradientBoostingClassifier(random_state=seed, **params)
    else:
        raise UserError(f"unknown baseline {name!r}: expected one of {', '.join(BASELINES)}")
    if strategy == "class_weight" and name == "majority":
        strategy = "none"
    return make_pipeline(model, strategy, preprocessor=preprocessor(features), seed=seed)


def with_thresholds(estimator, *, cv: int = 5, seed: int = 0) -> ThresholdTuned:
    """Per-class decision thresholds from out-of-fold probabilities of the fit rows."""
    return ThresholdTuned(estimator, cv=cv, seed=seed)
