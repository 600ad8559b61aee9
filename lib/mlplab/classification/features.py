"""From the canonical maintenance frame to model inputs: leak-free columns, physics features, splits.

Why these drops: `target` is the binary failure label (knowing it tells the model "some failure"),
`udi` and `product_id` are identifiers. Physics features follow the documented AI4I 2020 process:
heat dissipation depends on the air/process temperature difference, power failures on the
mechanical power, overstrain on tool wear × torque.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlplab.errors import UserError
from mlplab.preprocess import stratified_split

LABEL = "failure_type"
DROPPED = ("udi", "product_id", "target")
RAW_NUMERIC = ("air_temperature_k", "process_temperature_k", "rotational_speed_rpm", "torque_nm", "tool_wear_min")
PHYSICS = ("temp_diff_k", "power_w", "wear_torque_min_nm")
CATEGORICAL = ("type",)
FEATURE_SETS = ("raw", "raw+physics")
WORDS = {"air_temperature_k": "air temperature", "process_temperature_k": "process temperature",
         "rotational_speed_rpm": "rotational speed", "torque_nm": "torque", "tool_wear_min": "tool wear",
         "temp_diff_k": "temperature difference", "power_w": "power", "wear_torque_min_nm": "wear × torque"}
UNITS = {"air_temperature_k": "K", "process_temperature_k": "K", "rotational_speed_rpm": "rpm", "torque_nm": "Nm",
         "tool_wear_min": "min", "temp_diff_k": "K", "power_w": "W", "wear_torque_min_nm": "min·Nm"}


def add_physics(frame: pd.DataFrame) -> pd.DataFrame:
    """Temperature difference (K), mechanical power torque × ω (W, ω in rad/s), tool wear × torque (min·Nm)."""
    out = frame.copy()
    out["temp_diff_k"] = out["process_temperature_k"] - out["air_temperature_k"]
    out["power_w"] = out["torque_nm"] * out["rotational_speed_rpm"] * 2 * np.pi / 60
    out["wear_torque_min_nm"] = out["tool_wear_min"] * out["torque_nm"]
    return out


# The documented AI4I 2020 failure process (DATA.md), as thresholds on the inputs.
OVERSTRAIN_LIMIT = {"L": 11_000.0, "M": 12_000.0, "H": 13_000.0}  # tool wear × torque, min·Nm, by product type
RULE_ORDER = ("Power Failure", "Heat Dissipation Failure", "Overstrain Failure", "Tool Wear Failure")


def documented_rules(X: pd.DataFrame, wear_window: tuple[float, float] = (200, 240)) -> np.ndarray:
    """The failure type the documented generation rules assign, with no training at all.

    A reference, not a model: it shows how far the inputs determine the label. Precedence: the
    deterministic thresholds first, in the order the Kaggle labels follow when several hold (power
    over heat dissipation over overstrain), then the tool-wear window (documented as 200–240 min; the
    failure time inside it is random, so most rows in the window do not fail). Random Failures are
    never predicted.
    """
    P = add_physics(X)
    limit = P["type"].astype(str).map(OVERSTRAIN_LIMIT).astype(float)
    fires = {
        "Power Failure": (P["power_w"] < 3_500) | (P["power_w"] > 9_000),
        "Heat Dissipation Failure": (P["temp_diff_k"] < 8.6) & (P["rotational_speed_rpm"] < 1_380),
        "Overstrain Failure": P["wear_torque_min_nm"] > limit,
        "Tool Wear Failure": P["tool_wear_min"].between(*wear_window),
    }
    out = np.full(len(P), "No Failure", dtype=object)
    for label in reversed(RULE_ORDER):  # the first rule in RULE_ORDER wins: written last
        out[fires[label].to_numpy()] = label
    return out


def numeric_columns(features: str) -> list[str]:
    if features not in FEATURE_SETS:
        raise UserError(f"parameter features={features!r}: expected one of {', '.join(FEATURE_SETS)}")
    return list(RAW_NUMERIC) + (list(PHYSICS) if features == "raw+physics" else [])


def design_matrix(frame: pd.DataFrame, features: str) -> pd.DataFrame:
    """The model inputs only: numeric columns (+ physics) and `type`; never the label or identifiers."""
    cols = numeric_columns(features)
    X = add_physics(frame) if features == "raw+physics" else frame
    return X[cols + list(CATEGORICAL)].reset_index(drop=True)


def cleaning_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per column: dtype, missing values, distinct values and what the pipeline does with it."""
    role = {c: "feature (scaled on training rows)" for c in RAW_NUMERIC}
    role.update({"type": "feature (one-hot L/M/H)", LABEL: "label",
                 "udi": "dropped: identifier", "product_id": "dropped: identifier",
                 "target": "dropped: binary failure label (leaks the answer)"})
    return pd.DataFrame({
        "column": frame.columns,
        "dtype": [str(frame[c].dtype) for c in frame.columns],
        "missing": [int(frame[c].isna().sum()) for c in frame.columns],
        "distinct": [int(frame[c].nunique()) for c in frame.columns],
        "use": [role.get(c, "unused") for c in frame.columns],
    })


def label_table(report: dict) -> pd.DataFrame:
    """The label-consistency report of the loader as a two-row table."""
    inc = report["label_inconsistencies"]
    return pd.DataFrame({
        "disagreement": ["failure type given, target = 0", "target = 1, failure type 'No Failure'"],
        "rows": [inc["failure_type_with_target_0"], inc["target_1_with_no_failure"]],
    })


def label_crosstab(frame: pd.DataFrame) -> pd.DataFrame:
    tab = pd.crosstab(frame[LABEL], frame["target"]).rename(columns=lambda c: f"target = {c}")
    return tab.reset_index().rename(columns={LABEL: "failure type"})


@dataclass
class Split:
    """One stratified split of the design matrix; `seed` identifies it."""

    X_train: pd.DataFrame
    X_test: pd.DataFrame
    y_train: np.ndarray
    y_test: np.ndarray
    seed: int


def split(frame: pd.DataFrame, features: str, seed: int, test_size: float = 0.2) -> Split:
    """Stratified split BEFORE any scaling or resampling (those live in the pipelines)."""
    if not 0 < test_size < 1:
        raise UserError(f"parameter test_size={test_size!r}: expected a fraction between 0 and 1")
    X = design_matrix(frame, features)
    y = frame[LABEL].astype(str).to_numpy()
    X_tr, X_te, y_tr, y_te = stratified_split(X, pd.Series(y, name=LABEL), test_size=test_size, seed=seed)
    return Split(X_tr.reset_index(drop=True), X_te.reset_index(drop=True), np.asarray(y_tr), np.asarray(y_te), seed)


def iqr_outliers(frame: pd.DataFrame, columns=RAW_NUMERIC + PHYSICS) -> pd.DataFrame:
    """Rows outside [Q1 − 1.5 IQR, Q3 + 1.5 IQR] per feature, and the failure share among them."""
    df = add_physics(frame) if "power_w" not in frame else frame
    rows = []
    failed = df[LABEL] != "No Failure"
    for c in columns:
        q1, q3 = df[c].quantile([0.25, 0.75])
        lo, hi = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
        out = (df[c] < lo) | (df[c] > hi)
        rows.append({"feature": c, "unit": UNITS[c], "low fence": lo, "high fence": hi, "outliers": int(out.sum()),
                     "outlier share %": 100 * out.mean(),
                     "failure rate in outliers %": 100 * failed[out].mean() if out.any() else np.nan,
                     "failure rate overall %": 100 * failed.mean()})
    return pd.DataFrame(rows)


def class_counts(frame: pd.DataFrame) -> pd.DataFrame:
    counts = frame[LABEL].value_counts()
    return pd.DataFrame({"failure type": counts.index, "rows": counts.to_numpy(),
                         "share %": 100 * counts.to_numpy() / counts.sum()})


def subsample_rows(frame: pd.DataFrame, max_rows: int, seed: int = 0) -> pd.DataFrame:
    """A stratified subsample (every class keeps its share, at least 2 rows each) for small runs; 0 = all rows."""
    if not max_rows or max_rows >= len(frame):
        return frame
    if max_rows < 100:
        raise UserError(f"parameter max_rows={max_rows}: expected 0 (all rows) or at least 100")
    y = frame[LABEL].astype(str)
    share = max_rows / len(frame)
    parts = [g.sample(max(2, round(len(g) * share)) if len(g) >= 2 else len(g), random_state=seed)
             for _, g in frame.groupby(y, sort=True)]
    return pd.concat(parts).sort_index().reset_index(drop=True)
