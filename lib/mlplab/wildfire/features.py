"""Feature sets, the design matrix and the EDA tables of the wildfire chapter.

Two feature sets, both with the region (a 0/1 column: Sidi-Bel Abbes = 1):
- `weather`: noon temperature, relative humidity, wind speed and rain of the day;
- `weather+fwi`: the same plus the six Fire Weather Index components (FFMC, DMC, DC, ISI, BUI,
  FWI), which are computed from the weather of the day and of the days before.
The date is carried in X (column `date`) so that folds can be grouped by day; no model sees it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlplab.data.wildfire import FWI, LABELS, REGIONS, SOURCE_NAMES, UNITS, WEATHER

FEATURE_SETS = {"weather": (*WEATHER, "region_sba"), "weather+fwi": (*WEATHER, *FWI, "region_sba")}
SET_LABELS = {"weather": "weather only", "weather+fwi": "weather + FWI indices"}
NAMES = {**SOURCE_NAMES, "region_sba": "region (Sidi-Bel Abbes)"}
MEANING = {"temperature": "noon temperature", "rh": "relative humidity", "ws": "wind speed", "rain": "rain",
           "ffmc": "fine fuel moisture code", "dmc": "duff moisture code", "dc": "drought code",
           "isi": "initial spread index", "bui": "buildup index", "fwi": "fire weather index",
           "region_sba": "region (Sidi-Bel Abbes = 1)"}


def design(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """(X: every feature of both sets plus `date` and `region`, y: 1 = fire, 0 = not fire, as in the source)."""
    X = frame[["date", "region", *WEATHER, *FWI]].copy()
    X["region_sba"] = (frame["region"] == REGIONS[1]).astype(float)
    return X.reset_index(drop=True), frame["fire"].to_numpy(dtype=np.int64)


def class_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows per region and class, with the fire share."""
    t = pd.crosstab(frame["region"], frame["label"]).reindex(columns=list(LABELS), fill_value=0)
    t["rows"] = t.sum(axis=1)
    t["fire share %"] = 100 * t["fire"] / t["rows"]
    t.loc["both regions"] = [t["not fire"].sum(), t["fire"].sum(), t["rows"].sum(),
                             100 * t["fire"].sum() / t["rows"].sum()]
    out = t.reset_index().rename(columns={"region": "region"})
    out.columns.name = None
    return out.astype({"not fire": int, "fire": int, "rows": int})


def by_class(frame: pd.DataFrame) -> pd.DataFrame:
    """Median of every feature per class and the ratio fire / not fire."""
    med = frame.groupby("label")[[*WEATHER, *FWI]].median().reindex(list(LABELS))
    out = med.T.reset_index().rename(columns={"index": "feature"})
    out.insert(1, "unit", [UNITS[c] for c in out["feature"]])
    out["feature"] = [SOURCE_NAMES[c] for c in out["feature"]]
    out.columns.name = None
    return out.rename(columns={"not fire": "median, not fire", "fire": "median, fire"})


def separation(frame: pd.DataFrame) -> pd.DataFrame:
    """Per feature, the ROC AUC of the feature alone for 'fire' (0.5: no signal; 1 or 0: perfect order)."""
    from sklearn.metrics import roc_auc_score

    y = frame["fire"].to_numpy()
    rows = [{"feature": SOURCE_NAMES[c], "column": c, "set": "FWI index" if c in FWI else "weather",
             "AUC alone": float(roc_auc_score(y, frame[c].to_numpy()))} for c in (*WEATHER, *FWI)]
    out = pd.DataFrame(rows)
    out["strength"] = (out["AUC alone"] - 0.5).abs() * 2
    return out.sort_values("strength", ascending=False).reset_index(drop=True)


def repairs_table(report: dict) -> pd.DataFrame:
    rows = []
    for r in report["repairs"]:
        lines = r["lines"]
        shown = ", ".join(map(str, lines[:6])) + (f" … ({len(lines)} lines)" if len(lines) > 6 else "")
        rows.append({"repair": r["repair"], "what": r["what"], "lines": shown})
    return pd.DataFrame(rows, columns=["repair", "what", "lines"])
