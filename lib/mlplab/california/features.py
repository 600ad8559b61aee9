"""The California design matrix and the EDA tables.

Inputs are the eight census features as loaded (scikit-learn's names). Two transformers live in
every model's pipeline, so their statistics come from the fit rows only:
- `LogSkewed`: log1p of the features whose skewness on the fit rows exceeds a threshold (the
  per-household averages and the population have long right tails from block groups with few
  households);
- median imputation (a no-op except for the Kaggle/Géron layout, where AveBedrms is missing in
  207 rows).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from mlplab.data.california import CAP, FEATURES, TARGET, UNITS

LABELS = {"MedInc": "median income", "HouseAge": "median house age", "AveRooms": "rooms per household",
          "AveBedrms": "bedrooms per household", "Population": "population", "AveOccup": "occupants per household",
          "Latitude": "latitude", "Longitude": "longitude", TARGET: "median house value"}


def design(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """(X with the eight features, y in $100,000)."""
    return frame[list(FEATURES)].reset_index(drop=True), frame[TARGET].to_numpy(dtype=float)


class LogSkewed(TransformerMixin, BaseEstimator):
    """log1p of the columns whose skewness on the training rows exceeds `threshold` (and whose
    minimum is >= 0); the other columns pass through. `skewed_` lists the transformed columns."""

    def __init__(self, threshold: float = 2.0):
        self.threshold = threshold

    def fit(self, X, y=None):
        names = list(X.columns) if hasattr(X, "columns") else None
        X = validate_data(self, X, dtype=np.float64, reset=True, ensure_all_finite="allow-nan")
        skew = np.array([stats.skew(col[~np.isnan(col)]) if np.isfinite(col).sum() > 2 else 0.0 for col in X.T])
        low = np.nanmin(X, axis=0)
        self.mask_ = (skew > self.threshold) & (low >= 0)
        self.skew_ = skew
        cols = names or [f"x{i}" for i in range(X.shape[1])]
        self.skewed_ = [c for c, m in zip(cols, self.mask_) if m]
        return self

    def transform(self, X):
        check_is_fitted(self, "mask_")
        X = validate_data(self, X, dtype=np.float64, reset=False, ensure_all_finite="allow-nan").copy()
        X[:, self.mask_] = np.log1p(np.clip(X[:, self.mask_], 0, None))
        return X

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "mask_")
        names = input_features if input_features is not None else getattr(self, "feature_names_in_", None)
        return np.asarray(names if names is not None else [f"x{i}" for i in range(len(self.mask_))], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # NaN passes through (skewness and minimum ignore it)
        return tags


def describe(frame: pd.DataFrame) -> pd.DataFrame:
    """Per column: unit, mean, median, min, max, skewness, missing values."""
    rows = []
    for col in (*FEATURES, TARGET):
        s = frame[col]
        rows.append({"column": col, "meaning": LABELS[col], "unit": UNITS[col], "mean": s.mean(), "median": s.median(),
                     "min": s.min(), "max": s.max(), "skewness": float(stats.skew(s.dropna())),
                     "missing": int(s.isna().sum())})
    return pd.DataFrame(rows)


def shown_columns(described: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """`describe` as the book prints it: each row in its column's own precision. Whole-number columns (house age
    in years, population, households) print whole numbers ('29 years', not '29.000'), every number of 1,000 or
    more gets thousands separators, the rest three decimals; so one table never shows 1166.000 beside 1,425."""
    out = described.copy()
    stats_ = ["mean", "median", "min", "max"]
    for c in stats_:
        out[c] = out[c].astype(object)
    for i, col in enumerate(described["column"]):
        values = frame[col].dropna()
        whole = bool(np.allclose(values, np.round(values)))
        for c in stats_:
            v = float(described.at[i, c])
            if whole and c != "mean" and v.is_integer():  # a median of an even count may fall halfway
                out.at[i, c] = f"{v:,.0f}"
            elif abs(v) >= 1000:
                out.at[i, c] = f"{v:,.0f}"
            else:
                out.at[i, c] = f"{v:.1f}" if whole else f"{v:.3f}"
    return out


def capped_summary(frame: pd.DataFrame) -> dict:
    """How many rows sit at the census ceiling, and how they differ from the rest."""
    at_cap = frame[TARGET] >= CAP - 1e-9
    rest = frame.loc[~at_cap]
    return {"rows": int(at_cap.sum()), "share": float(at_cap.mean()), "cap": CAP,
            "median_income_capped": float(frame.loc[at_cap, "MedInc"].median()) if at_cap.any() else float("nan"),
            "median_income_rest": float(rest["MedInc"].median()),
            "next_highest": float(rest[TARGET].max()) if len(rest) else float("nan")}


def correlations(frame: pd.DataFrame) -> pd.DataFrame:
    """Spearman (rank) correlation of each feature with the target, strongest first."""
    r = frame[list(FEATURES)].corrwith(frame[TARGET], method="spearman")
    out = pd.DataFrame({"feature": r.index, "meaning": [LABELS[c] for c in r.index], "spearman r": r.to_numpy()})
    return out.reindex(out["spearman r"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def skewed_columns(frame: pd.DataFrame, threshold: float) -> list[str]:
    """The features LogSkewed would transform, judged on these rows (the pipelines judge on their fit rows)."""
    return LogSkewed(threshold).fit(frame[list(FEATURES)]).skewed_
