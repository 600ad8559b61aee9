"""The two formulations of "predict today's close from today's open, high, low and volume".

`close` is the lab's: raw prices in, price out. Prices span $1 to $1,000+, so the fit is dominated
by the expensive symbols and an unscaled MLP sees inputs of wildly different size.
`intraday_return` is scale-free: inputs relative to the open (high/open - 1, low/open - 1, ...),
target close/open - 1. A model of it is the same for a $5 and a $500 stock; predictions are turned
back into prices with close_hat = open * (1 + r_hat), so every model is scored in dollars.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlplab.errors import UserError

TARGETS = ("close", "intraday_return")
SPLITS = ("chronological", "random")
PRICE_INPUTS = ("open", "high", "low", "volume")
RELATIVE_FEATURES = {
    "high_rel": lambda f: f["high"] / f["open"] - 1.0,
    "low_rel": lambda f: f["low"] / f["open"] - 1.0,
    "range_rel": lambda f: (f["high"] - f["low"]) / f["open"],
    "log_volume": lambda f: np.log1p(f["volume"]),
    "log_open": lambda f: np.log(f["open"]),
}
DEFAULT_RELATIVE_INPUTS = ("high_rel", "low_rel")


@dataclass
class Design:
    """Model inputs plus what is needed to score any prediction in dollars."""

    X: pd.DataFrame
    y: np.ndarray          # the target in the formulation's units
    open: np.ndarray
    close: np.ndarray
    symbol: np.ndarray
    date: np.ndarray
    target: str

    def __len__(self) -> int:
        return len(self.y)

    def to_close(self, pred) -> np.ndarray:
        return to_close(pred, self.open, self.target)

    def take(self, idx) -> "Design":
        idx = np.asarray(idx)
        return Design(self.X.iloc[idx].reset_index(drop=True), self.y[idx], self.open[idx], self.close[idx],
                      self.symbol[idx], self.date[idx], self.target)


def to_close(pred, open_, target: str) -> np.ndarray:
    """A prediction in the formulation's units -> predicted close in dollars."""
    pred = np.asarray(pred, dtype=float).ravel()
    if target == "close":
        return pred
    if target == "intraday_return":
        return np.asarray(open_, dtype=float) * (1.0 + pred)
    raise UserError(f"target must be one of {TARGETS}, got {target!r}")


def input_columns(target: str, relative_inputs: Sequence[str] = DEFAULT_RELATIVE_INPUTS) -> list[str]:
    if target == "close":
        return list(PRICE_INPUTS)
    if target == "intraday_return":
        unknown = [c for c in relative_inputs if c not in RELATIVE_FEATURES]
        if unknown or not relative_inputs:
            raise UserError(f"relative_inputs: {unknown or 'empty list'} not usable; choose from "
                            f"{', '.join(RELATIVE_FEATURES)}")
        return list(relative_inputs)
    raise UserError(f"target must be one of {TARGETS}, got {target!r}")


def make_design(frame: pd.DataFrame, target: str, relative_inputs: Sequence[str] = DEFAULT_RELATIVE_INPUTS) -> Design:
    """Inputs and target of one formulation, float32-friendly, in the frame's (time) order."""
    cols = input_columns(target, relative_inputs)
    if target == "close":
        X = frame[cols].astype("float64").reset_index(drop=True)
        y = frame["close"].to_numpy(dtype=float)
    else:
        X = pd.DataFrame({c: RELATIVE_FEATURES[c](frame).to_numpy(dtype=float) for c in cols})
        y = (frame["close"] / frame["open"] - 1.0).to_numpy(dtype=float)
    return Design(X=X, y=y, open=frame["open"].to_numpy(dtype=float), close=frame["close"].to_numpy(dtype=float),
                  symbol=frame["symbol"].to_numpy(), date=frame["date"].to_numpy(), target=target)


def select_rows(frame: pd.DataFrame, symbols: Sequence[str] = (), start: str = "", end: str = "",
                max_symbols: int = 0) -> pd.DataFrame:
    """Subset by symbols and an inclusive date range; empty values mean 'all'. `max_symbols` > 0
    keeps that many symbols with the longest history (ties by name): a small run on any data source.

    Rows with a non-positive open are dropped: the return target divides by it.
    """
    out = frame
    if symbols:
        wanted = [str(s).strip().upper() for s in symbols]
        present = set(out["symbol"].unique())
        missing = [s for s in wanted if s not in present]
        if missing:
            raise UserError(f"symbols: {missing} not in the data ({len(present)} symbols, e.g. "
                            f"{', '.join(sorted(present)[:5])})")
        out = out[out["symbol"].isin(wanted)]
    if max_symbols and max_symbols > 0:
        counts = out.groupby("symbol").size().reset_index(name="n").sort_values(["n", "symbol"], ascending=[False, True])
        out = out[out["symbol"].isin(counts["symbol"].head(int(max_symbols)))]
    if start:
        out = out[out["date"] >= pd.Timestamp(start)]
    if end:
        out = out[out["date"] <= pd.Timestamp(end)]
    out = out[out["open"] > 0]
    if out.empty:
        raise UserError(f"date_start={start!r}, date_end={end!r}, symbols={list(symbols)}: no rows left")
    return out.sort_values(["date", "symbol"], kind="stable").reset_index(drop=True)


def split_frame(frame: pd.DataFrame, method: str = "chronological", test_start: str = "2015-01-01",
                test_size: float = 0.2, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Chronological (honest) or random (the lab's protocol, leaks the future); both keep time order inside."""
    from mlplab.preprocess import chronological_split, random_split

    if method == "chronological":
        train, test = chronological_split(frame, "date", test_start=test_start)
    elif method == "random":
        train, test = random_split(frame, test_size=test_size, seed=seed)
        train, test = train.sort_values(["date", "symbol"], kind="stable"), test.sort_values(["date", "symbol"], kind="stable")
    else:
        raise UserError(f"split must be one of {SPLITS}, got {method!r}")
    return train.reset_index(drop=True), test.reset_index(drop=True)


def recent_rows(n_rows: int | None, n_total: int) -> np.ndarray:
    """Indices of the `n_rows` most recent rows (data are in time order): the search subsample."""
    if not n_rows or n_rows >= n_total:
        return np.arange(n_total)
    return np.arange(n_total - int(n_rows), n_total)
