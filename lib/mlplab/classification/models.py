"""Estimator builders for the maintenance task, and the two MLP levers that are not layers:
per-class decision thresholds tuned on a validation split of the training rows, and seed ensembles.

Every estimator is prep -> [resample] -> model in one imblearn pipeline, so scaling statistics,
bin edges and synthetic rows come from training rows only (from the training fold under CV).
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split
from sklearn.pipeline import make_pipeline as sk_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.validation import check_is_fitted, validate_data

from mlplab.classification import ENCODINGS
from mlplab.classification.features import CATEGORICAL, documented_rules, numeric_columns
from mlplab.errors import UserError
from mlplab.preprocess import PiecewiseLinearEncoding, make_preprocessor
from mlplab.resample import make_pipeline
from mlplab.training import MLPClassifier



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
    """Numeric columns standardized (or piecewise-linear encoded), `type` one-hot; the rest dropped."""
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


def mlp(hidden=(64, 32), activation="relu", dropout=0.0, optimizer="adam", lr=1e-3, epochs=50, batch_size=256,
        weight_decay=0.0, batch_norm=False, early_stopping=0, valid_fraction=0.0, encoding="standard",
        lr_schedule=None, loss="cross_entropy", seed=0) -> MLPClassifier:
    """The skorch net; `encoding="periodic"` switches on the model's periodic embedding, `loss="focal"`
    the focal loss."""
    if early_stopping and not valid_fraction:
        valid_fraction = 0.1
    if loss not in LOSSES:
        raise UserError(f"parameter loss={loss!r}: expected one of {', '.join(LOSSES)}")
    return MLPClassifier(criterion=LOSSES[loss], module__hidden=tuple(hidden), module__activation=activation, module__dropout=dropout,
                         module__batch_norm=bool(batch_norm),
                         module__embedding="periodic" if encoding == "periodic" else None,
                         optimizer=optimizer, lr=lr, max_epochs=int(epochs), batch_size=int(batch_size),
                         optimizer__weight_decay=weight_decay, early_stopping=int(early_stopping),
                         valid_fraction=valid_fraction, lr_schedule=lr_schedule or None, seed=int(seed), verbose=0)


def mlp_pipeline(features: str, strategy: str = "smote", encoding: str = "standard", n_bins: int = 16, seed: int = 0,
                 **net):
    """prep -> resample (training rows only) -> net, named steps prep/resample/net."""
    return make_pipeline(mlp(encoding=encoding, seed=seed, **net), strategy,
                         preprocessor=preprocessor(features, encoding, n_bins), seed=seed)


def baseline(name: str, features: str, seed: int = 0, strategy: str = "none", max_iter: int = 100):
    """majority class, logistic regression (balanced) and HistGradientBoosting (balanced) pipelines."""
    if name == "majority":
        model = DummyClassifier(strategy="most_frequent")
    elif name == "logreg":
        model = LogisticRegression(max_iter=2000, class_weight="balanced")
    elif name == "hgb":
        model = HistGradientBoostingClassifier(class_weight="balanced", max_iter=max_iter, random_state=seed)
    else:
        raise UserError(f"unknown baseline {name!r}: expected majority, logreg or hgb")
    if strategy == "class_weight" and name == "majority":
        strategy = "none"
    return make_pipeline(model, strategy, preprocessor=preprocessor(features), seed=seed)


def seed_ensemble(estimator, seeds) -> VotingClassifier:
    """Soft vote (mean class probabilities) of the same pipeline trained with different net seeds."""
    seeds = list(seeds)
    if not seeds:
        raise UserError("seed_ensemble: give at least one seed")
    members = [(f"seed{s}", clone(estimator).set_params(net__seed=int(s))) for s in seeds]
    return VotingClassifier(members, voting="soft")


def tune_offsets(proba: np.ndarray, y_codes: np.ndarray, grid=np.linspace(-4, 4, 33), rounds: int = 2) -> np.ndarray:
    """Per-class additive offsets on the log-probabilities maximizing macro-F1 (coordinate ascent).

    Why: argmax of a probability model trained on imbalanced data is not the macro-F1-optimal
    decision; shifting each class's log-probability moves its threshold. Ties keep 0 (no shift).
    """
    logp = np.log(np.clip(proba, 1e-12, None))
    present = np.unique(y_codes)
    offsets = np.zeros(proba.shape[1])

    def score(o):
        return f1_score(y_codes, (logp + o).argmax(1), labels=present, average="macro", zero_division=0)

    best = score(offsets)
    for _ in range(rounds):
        for k in range(proba.shape[1]):
            for g in grid:
                trial = offsets.copy()
                trial[k] = g
                s = score(trial)
                if s > best + 1e-9 or (abs(s - best) <= 1e-9 and abs(g) < abs(offsets[k])):
                    best, offsets = s, trial
    return offsets


class ThresholdTuned(ClassifierMixin, BaseEstimator):
    """Per-class log-probability offsets tuned for macro-F1 on training rows the model did not see, then
    the model refitted on all training rows (the offsets are kept). The test set is never seen.

    `cv` >= 2: offsets from out-of-fold probabilities of a stratified `cv`-fold split (every training row
    votes, at cv + 1 fits); `cv` = 0: from one stratified validation split of `valid_fraction` (2 fits,
    or 1 with `refit=False`, which keeps the model fitted on the rest).
    """

    def __init__(self, estimator=None, valid_fraction: float = 0.2, cv: int = 0, refit: bool = True, seed: int = 0):
        self.estimator = estimator
        self.valid_fraction = valid_fraction
        self.cv = cv
        self.refit = refit
        self.seed = seed

    def fit(self, X, y):
        y = np.asarray(y)
        rows = (lambda i: X.iloc[i]) if hasattr(X, "iloc") else (lambda i: X[i])
        if self.cv:
            if not isinstance(self.cv, (int, np.integer)) or self.cv < 2:
                raise UserError(f"ThresholdTuned: cv must be 0 or an integer >= 2, got {self.cv!r}")
            folds = StratifiedKFold(int(self.cv), shuffle=True, random_state=self.seed)
            proba = cross_val_predict(self.estimator, X, y, cv=folds, method="predict_proba")
            self.estimator_ = clone(self.estimator).fit(X, y)
            self.classes_ = np.asarray(self.estimator_.classes_)
            self.offsets_ = tune_offsets(proba, np.searchsorted(self.classes_, y))
            return self
        if not 0 < self.valid_fraction < 1:
            raise UserError(f"ThresholdTuned: valid_fraction must be in (0, 1), got {self.valid_fraction!r}")
        idx_fit, idx_val = train_test_split(np.arange(len(y)), test_size=self.valid_fraction, stratify=y,
                                            random_state=self.seed)
        self.estimator_ = clone(self.estimator).fit(rows(idx_fit), y[idx_fit])
        self.classes_ = np.asarray(self.estimator_.classes_)
        codes = np.searchsorted(self.classes_, y[idx_val])
        self.offsets_ = tune_offsets(self.estimator_.predict_proba(rows(idx_val)), codes)
        if self.refit:
            self.estimator_ = clone(self.estimator).fit(X, y)
        return self

    def predict_proba(self, X):
        check_is_fitted(self, "offsets_")
        return self.estimator_.predict_proba(X)

    def predict(self, X):
        logp = np.log(np.clip(self.predict_proba(X), 1e-12, None))
        return self.classes_[(logp + self.offsets_).argmax(1)]
