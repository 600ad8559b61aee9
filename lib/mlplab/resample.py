"""Rebalancing that only ever sees training-fold rows: samplers live inside imblearn pipelines.

`leaky_lab_protocol` reproduces the lab's flawed order (resample everything, then split) only so
the report can measure how much it inflates the scores.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from imblearn.combine import SMOTETomek
from imblearn.over_sampling import ADASYN, SMOTE, SMOTEN, SMOTENC
from imblearn.pipeline import Pipeline
from imblearn.under_sampling import RandomUnderSampler
from sklearn.base import BaseEstimator, clone
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

from mlplab.errors import UserError
from mlplab.strategies import STRATEGIES  # noqa: F401  (re-exported)

_NEIGHBOUR_BASED = ("smote", "smote_tomek", "adasyn")


def _check_strategy(strategy: str) -> None:
    if strategy not in STRATEGIES:
        raise UserError(f"resampling strategy '{strategy}' is unknown; expected one of {', '.join(STRATEGIES)}")


def _onehot_groups(X: np.ndarray) -> list[list[int]]:
    """Runs of at least two adjacent 0/1 columns whose every row holds exactly one 1 (one-hot blocks).

    Lone 0/1 columns (e.g. the step columns of a threshold encoding) are not categories of one
    variable: SMOTE interpolates them like any numeric column. Treating dozens of such flags as
    categorical made SMOTENC's neighbour search many times slower for no benefit. A block is found
    wherever it starts, also right after such flags."""
    n_cols = X.shape[1]
    binary = np.array([np.isin(X[:, j], (0.0, 1.0)).all() for j in range(n_cols)], dtype=bool)
    groups, i = [], 0
    while i < n_cols:
        if not binary[i]:
            i += 1
            continue
        total = X[:, i].copy()
        j = i
        found = None
        while j + 1 < n_cols and binary[j + 1] and (total + X[:, j + 1] <= 1).all():
            j += 1
            total += X[:, j]
            if (total == 1).all():
                found = j
                break
        if found is not None:
            groups.append(list(range(i, found + 1)))
            i = found + 1
        else:
            i += 1
    return groups


class FoldSampler(BaseEstimator):
    """One sampler per strategy that adapts to the training fold it is given.

    Why a wrapper: a CV fold of a rare class can hold fewer rows than SMOTE's k_neighbors; instead of
    crashing, k is lowered, and classes with a single row are left as they are. Categorical columns
    switch SMOTE to SMOTENC: `categorical_features` is a list of column indices/names, or "auto" to
    detect one-hot blocks in the fold, which are collapsed to one code per block for
    SMOTENC and expanded back afterwards.

    What the fold required is recorded on the fitted sampler, never warned: a search fits one clone
    per fold and candidate, so a warning would print the same sentence dozens of times into the
    report. Computed prose states the condition once from these attributes (or from
    `neighbour_shortfall` on the training labels):

    - `k_used_`: the k_neighbors actually used for this fold;
    - `k_lowered_for_`: {class: rows in the fold} for the classes with fewer than k_neighbors + 1
      rows, which made k drop to `k_used_` (empty when k was kept);
    - `not_oversampled_`: {class: rows} for classes with a single row, left as they are;
    - `fallback_`: "smote" when ADASYN could not weight the fold and SMOTE ran instead, else None.
    """

    def __init__(self, strategy: str = "smote", categorical_features=None, k_neighbors: int = 5, seed: int = 0):
        self.strategy = strategy
        self.categorical_features = categorical_features
        self.k_neighbors = k_neighbors
        self.seed = seed

    def fit(self, X, y):
        self.fit_resample(X, y)
        return self

    def fit_resample(self, X, y, **params):
        _check_strategy(self.strategy)
        if self.strategy == "undersample":
            return RandomUnderSampler(random_state=self.seed).fit_resample(X, y)
        if self.strategy not in _NEIGHBOUR_BASED:
            raise UserError(f"FoldSampler: strategy '{self.strategy}' adds no sampler; use make_resampler")
        counts = pd.Series(np.asarray(y)).value_counts()
        n_max = int(counts.max())
        minority = counts[counts < n_max]
        self.not_oversampled_ = {str(c): int(n) for c, n in minority.items() if n < 2}
        self.k_lowered_for_ = {}
        self.fallback_ = None
        target = {cls: n_max for cls, n in minority.items() if n >= 2}
        if not target:
            self.k_used_ = self.k_neighbors
            return X, y
        n_min = min(int(counts[c]) for c in target)
        k = self.k_neighbors
        if n_min - 1 < k:
            k = max(1, n_min - 1)
            self.k_lowered_for_ = {str(c): int(counts[c]) for c in target if counts[c] - 1 < self.k_neighbors}
        self.k_used_ = k
        return self._oversample(X, y, target, k)

    def _oversample(self, X, y, target, k):
        if self.strategy == "adasyn":
            self.sampler_ = ADASYN(sampling_strategy=target, n_neighbors=k, random_state=self.seed)
            try:
                return self.sampler_.fit_resample(X, y)
            except RuntimeError:  # no minority row has a majority neighbour: ADASYN's weights are 0/0
                self.fallback_ = "smote"  # recorded for the prose, not warned (see the class docstring)
                return self._delegate(self.categorical_features, X, y, target, k, strategy="smote")
        cats = self.categorical_features
        if isinstance(cats, str) and cats == "auto":
            return self._smote_onehot(X, y, target, k)
        if cats is not None and len(cats) > 0:
            n_cols = X.shape[1]
            if len(cats) >= n_cols:
                smote = SMOTEN(sampling_strategy=target, k_neighbors=k, random_state=self.seed)
            else:
                smote = SMOTENC(categorical_features=list(cats), sampling_strategy=target, k_neighbors=k,
                                random_state=self.seed)
        else:
            smote = SMOTE(sampling_strategy=target, k_neighbors=k, random_state=self.seed)
        self.sampler_ = smote if self.strategy == "smote" else SMOTETomek(smote=smote, random_state=self.seed)
        return self.sampler_.fit_resample(X, y)

    def _delegate(self, cats, X, y, target, k, strategy=None):
        inner = FoldSampler(strategy or self.strategy, cats, k, self.seed)
        out = inner._oversample(X, y, target, k)
        self.sampler_ = inner.sampler_
        return out

    def _smote_onehot(self, X, y, target, k):
        if isinstance(X, pd.DataFrame):
            non_numeric = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
            if non_numeric:
                return self._delegate(non_numeric, X, y, target, k)
        arr = np.asarray(X, dtype=np.float64)
        groups = _onehot_groups(arr)
        if not groups:
            return self._delegate(None, X, y, target, k)
        grouped = {c for g in groups for c in g}
        cont = [j for j in range(arr.shape[1]) if j not in grouped]
        codes = np.column_stack([arr[:, g].argmax(axis=1) if len(g) > 1 else arr[:, g[0]] for g in groups])
        packed = np.column_stack([arr[:, cont], codes])
        cat_idx = list(range(len(cont), packed.shape[1]))
        Xr, yr = self._delegate(cat_idx, packed, y, target, k)
        out = np.zeros((Xr.shape[0], arr.shape[1]), dtype=np.float64)
        out[:, cont] = Xr[:, : len(cont)]
        rows = np.arange(Xr.shape[0])
        for i, g in enumerate(groups):
            code = Xr[:, len(cont) + i].astype(int)
            if len(g) > 1:
                out[rows, np.asarray(g)[code]] = 1.0
            else:
                out[:, g[0]] = code
        if isinstance(X, np.ndarray) and X.dtype.kind == "f":
            out = out.astype(X.dtype, copy=False)  # keep float32 inputs float32
        if isinstance(X, pd.DataFrame):
            out = pd.DataFrame(out, columns=X.columns)
        return out, yr


def neighbour_shortfall(y, k_neighbors: int = 5) -> dict[str, int]:
    """{class: rows} for the minority classes of `y` with fewer than k_neighbors + 1 rows: where a
    neighbour-based sampler fitted on these labels lowers k (or skips a one-row class). Pure, so prose
    can state the condition once for a whole search (call it on the smallest training fold)."""
    counts = pd.Series(np.asarray(y)).value_counts()
    n_max = int(counts.max()) if len(counts) else 0
    return {str(c): int(n) for c, n in counts.items() if n < n_max and n - 1 < k_neighbors}


def make_resampler(strategy: str, categorical_features=None, k_neighbors: int = 5, seed: int = 0):
    """The sampler for a strategy, or None when the strategy adds no pipeline step."""
    _check_strategy(strategy)
    if strategy in ("none", "class_weight"):
        return None
    if strategy == "undersample":
        return RandomUnderSampler(random_state=seed)
    return FoldSampler(strategy, categorical_features=categorical_features, k_neighbors=k_neighbors, seed=seed)


def categorical_after_prep(preprocessor):
    """Where a ColumnTransformer puts its categorical outputs: indices for ordinal encoders,
    "auto" for one-hot (width only known after fit), None when it has no encoder."""
    if not isinstance(preprocessor, ColumnTransformer):
        return None
    offset, indices = 0, []
    for _, trans, cols in preprocessor.transformers:
        if trans == "drop":
            continue
        n = len(cols) if not isinstance(cols, (str, int)) else 1
        if isinstance(trans, OneHotEncoder):
            return "auto"
        if isinstance(trans, OrdinalEncoder):
            indices.extend(range(offset, offset + n))
        offset += n
    return indices or None


def make_pipeline(model, strategy: str = "none", preprocessor=None, categorical_features=None,
                  k_neighbors: int = 5, seed: int = 0) -> Pipeline:
    """prep -> resample -> net. The sampler runs at fit time only, on the rows the pipeline is
    fitted on (a training fold under CV); predict/score pass validation rows straight through."""
    _check_strategy(strategy)
    model = clone(model)
    if strategy == "class_weight":
        if "class_weight" not in model.get_params(deep=False):
            raise UserError(f"strategy 'class_weight': model {type(model).__name__} has no class_weight parameter")
        model.set_params(class_weight="balanced")
    if categorical_features is None and preprocessor is not None:
        categorical_features = categorical_after_prep(preprocessor)
    steps = []
    if preprocessor is not None:
        steps.append(("prep", clone(preprocessor)))
    sampler = make_resampler(strategy, categorical_features=categorical_features, k_neighbors=k_neighbors, seed=seed)
    if sampler is not None:
        steps.append(("resample", sampler))
    steps.append(("net", model))
    return Pipeline(steps)


def _row_hashes(X) -> np.ndarray:
    return pd.util.hash_pandas_object(pd.DataFrame(X).reset_index(drop=True), index=False).to_numpy()


def leaky_lab_protocol(X, y, strategy: str = "smote", test_size: float = 0.2, seed: int = 0,
                       categorical_features=None) -> dict:
    """The lab's FLAWED protocol: resample all rows, then split. Synthetic neighbours of test rows
    land in training and the test set becomes balanced and partly synthetic; kept only to measure
    the inflation. `test_is_synthetic` marks test rows that are not original rows."""
    sampler = make_resampler(strategy, categorical_features=categorical_features, seed=seed)
    if sampler is None:
        Xr, yr = X, y
    else:
        Xr, yr = sampler.fit_resample(X, y)
    original = set(_row_hashes(X).tolist())
    synthetic = np.array([h not in original for h in _row_hashes(Xr).tolist()])
    X_train, X_test, y_train, y_test, _, syn_test = train_test_split(
        Xr, yr, synthetic, test_size=test_size, random_state=seed, stratify=yr)
    return {"X_train": X_train, "X_test": X_test, "y_train": y_train, "y_test": y_test,
            "test_is_synthetic": np.asarray(syn_test, dtype=bool)}
