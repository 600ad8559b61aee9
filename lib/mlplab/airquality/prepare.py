"""From the loaded table to model inputs: cleaning, chronological periods, scaling, gap filling, windows.

Decisions (stated in the report with their counts):
- a column missing in more than `max_missing_share` of the hours is dropped (NMHC(GT): 90 % missing);
- the hours are cut in time order into fit, validation and test periods (70/15/15 by default);
- every series is standardized with the mean and standard deviation of its observed fit-period values;
- inputs: a missing value is carried forward from the last observed hour of the SAME period (never
  across a period boundary); hours before a period's first observation get the fit mean (0 after
  scaling). Filling only looks back, so no input ever holds a later value;
- targets are never filled: a forecast is scored (and a network trained) only where the target hour
  was measured, since filled targets would reward persistence;
- a window (its input hours and all its target hours) lies inside one period, so none crosses a boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mlplab.errors import UserError

PERIODS = ("fit", "validation", "test")


@dataclass
class Cleaned:
    frame: pd.DataFrame            # hourly, the kept series, NaN where missing (original units)
    dropped: dict[str, float]      # column -> share of hours missing
    missing: dict[str, int]        # kept column -> missing hours


def clean(frame: pd.DataFrame, max_missing_share: float = 0.5) -> Cleaned:
    """Drop the columns missing in more than `max_missing_share` of the hours."""
    share = frame.isna().mean()
    dropped = {c: float(share[c]) for c in frame.columns if share[c] > max_missing_share}
    kept = frame.drop(columns=list(dropped))
    if kept.shape[1] == 0:
        raise UserError(f"parameter max_missing_share={max_missing_share}: every column is missing more often; none is left")
    return Cleaned(kept, dropped, {c: int(kept[c].isna().sum()) for c in kept.columns})


@dataclass
class Periods:
    """Row positions [start, stop) of the fit, validation and test periods."""

    bounds: dict[str, tuple[int, int]]
    index: pd.DatetimeIndex

    def frame(self, windows: dict[str, int] | None = None) -> pd.DataFrame:
        rows = []
        for name, (a, b) in self.bounds.items():
            row = {"period": name, "first hour": str(self.index[a]), "last hour": str(self.index[b - 1]), "hours": b - a}
            if windows is not None:
                row["windows"] = windows[name]
            rows.append(row)
        return pd.DataFrame(rows)


def periods(index: pd.DatetimeIndex, valid_share: float = 0.15, test_share: float = 0.15) -> Periods:
    n = len(index)
    a = int(round(n * (1 - valid_share - test_share)))
    b = int(round(n * (1 - test_share)))
    if not 0 < a < b < n:
        raise UserError(f"parameters valid_share={valid_share}, test_share={test_share}: leave no hours for one period")
    return Periods({"fit": (0, a), "validation": (a, b), "test": (b, n)}, index)


@dataclass
class Scaler:
    mean: np.ndarray
    scale: np.ndarray

    def transform(self, values: np.ndarray) -> np.ndarray:
        return (values - self.mean) / self.scale


def fit_scaler(fit_values: np.ndarray) -> Scaler:
    observed = np.isfinite(fit_values).sum(axis=0)
    if (observed < 2).any():
        raise UserError("the fit period has fewer than two observed hours of some series: cannot standardize it")
    std = np.nanstd(fit_values, axis=0)
    return Scaler(np.nanmean(fit_values, axis=0), np.where(std > 0, std, 1.0))


def fill_inputs(scaled: np.ndarray) -> tuple[np.ndarray, int]:
    """Carry the last observed value forward inside one period; leading gaps -> 0 (the fit mean)."""
    filled = pd.DataFrame(scaled).ffill().to_numpy()
    filled = np.where(np.isnan(filled), 0.0, filled)
    return filled, int(np.isnan(scaled).sum())


@dataclass
class Windows:
    """Inputs X (n, window, features), targets y (n, horizons × features; NaN = not measured), the forecast
    origins (the last input hour of each window) and row positions of each origin in the hourly frame."""

    X: np.ndarray
    y: np.ndarray
    origins: pd.DatetimeIndex
    rows: np.ndarray
    meta: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.y)


def make_windows(scaled: np.ndarray, filled: np.ndarray, start: int, index: pd.DatetimeIndex, window: int,
                 horizons) -> Windows:
    """Every window of one period: inputs `filled[o-window+1 .. o]`, targets `scaled[o+h]` for each horizon h,
    for every origin o such that all of them lie inside the period (positions relative to the period)."""
    horizons = tuple(int(h) for h in horizons)
    n, f = scaled.shape
    origins = np.arange(window - 1, n - max(horizons))
    if len(origins) == 0:
        raise UserError(f"a period of {n} hours is too short for a {window}-hour window and a {max(horizons)}-hour horizon")
    steps = np.arange(-(window - 1), 1)[None, :]
    X = filled[origins[:, None] + steps].astype(np.float32)                  # (n, window, features)
    y = np.concatenate([scaled[origins + h] for h in horizons], axis=1).astype(np.float32)
    return Windows(X, y, index[start + origins], start + origins)


@dataclass
class Prepared:
    """Everything the models need, per period, plus the facts the report states."""

    features: tuple[str, ...]
    horizons: tuple[int, ...]
    window: int
    scaler: Scaler
    parts: dict[str, Windows]
    periods: Periods
    filled: dict[str, int]
    cleaned: Cleaned

    def observed_targets(self) -> dict[str, int]:
        return {name: int(np.isfinite(w.y).sum()) for name, w in self.parts.items()}


def prepare(frame: pd.DataFrame, *, window: int = 24, horizons=(1, 6, 24), valid_share: float = 0.15,
            test_share: float = 0.15, max_missing_share: float = 0.5, max_hours: int = 0) -> Prepared:
    """`max_hours` > 0 keeps the first that many hours only (small runs; the report states it)."""
    if max_hours:
        frame = frame.iloc[:int(max_hours)]
    cleaned = clean(frame, max_missing_share)
    values = cleaned.frame.to_numpy(dtype=float)
    per = periods(cleaned.frame.index, valid_share, test_share)
    a, b = per.bounds["fit"]
    scaler = fit_scaler(values[a:b])
    scaled = scaler.transform(values)
    parts, filled = {}, {}
    for name, (lo, hi) in per.bounds.items():
        seg = scaled[lo:hi]
        seg_filled, filled[name] = fill_inputs(seg)
        parts[name] = make_windows(seg, seg_filled, lo, cleaned.frame.index, window, horizons)
    return Prepared(tuple(cleaned.frame.columns), tuple(int(h) for h in horizons), int(window), scaler, parts, per,
                    filled, cleaned)


# ---- exploratory tables ------------------------------------------------------------------------------

def autocorrelation(frame: pd.DataFrame, max_lag: int = 72) -> pd.DataFrame:
    """Autocorrelation of each series at lags 1..max_lag hours, on pairs of hours where both were measured."""
    out = {}
    for col in frame.columns:
        s = frame[col]
        out[col] = [float(s.corr(s.shift(lag))) for lag in range(1, max_lag + 1)]
    return pd.DataFrame(out, index=pd.RangeIndex(1, max_lag + 1, name="lag (hours)"))


def correlation(frame: pd.DataFrame) -> pd.DataFrame:
    """Pearson correlation of the series (pairwise over the hours where both were measured)."""
    return frame.corr()


def cleaning_table(report: dict, cleaned: Cleaned, filled: dict[str, int]) -> pd.DataFrame:
    """Per column: hours missing (coded -200 or absent), share, and what was done with it."""
    rows = []
    total = report["rows"]
    for col in report["columns"]:
        miss = report["missing"][col]
        action = "dropped" if col in cleaned.dropped else "kept"
        rows.append({"column": col, "missing hours": miss, "missing %": 100 * miss / total, "use": action})
    return pd.DataFrame(rows)
