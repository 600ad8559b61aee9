"""Embedded NYSE default: seeded geometric Brownian motion in the shape of Kaggle's prices.csv.

Full size: 501 symbols over the real 1,762 trading days 2010-01-04..2016-12-30, a minority of
symbols listed later so the total matches the real 851,264 rows. Vectorised: one (days x symbols)
matrix per quantity, no Python loop over rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlplab.data.calendar import trading_days

GENERATOR_VERSION = 1
N_SYMBOLS = 501
TARGET_ROWS = 851_264
LATE_SHARE = 0.072  # share of symbols listed after the first day (calibrated so totals land on TARGET_ROWS)
TRADING_DAYS_PER_YEAR = 252


def symbol_names(n: int) -> list[str]:
    """Three-letter tickers 'AAA', 'AAB', ... prefixed with 'S' so they never collide with real ones."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return ["S" + letters[i // 676 % 26] + letters[i // 26 % 26] + letters[i % 26] for i in range(n)]


def _listing_offsets(rng: np.random.Generator, n_symbols: int, n_days: int) -> np.ndarray:
    """First trading-day index per symbol; late listings scaled so the full size hits TARGET_ROWS."""
    first = np.zeros(n_symbols, dtype=np.int64)
    n_late = int(round(LATE_SHARE * n_symbols))
    if n_late == 0:
        return first
    late = rng.choice(n_symbols, size=n_late, replace=False)
    frac = rng.uniform(0.02, 0.98, size=n_late)
    missing_share = 1.0 - TARGET_ROWS / (N_SYMBOLS * 1762)  # 3.6% of the full panel is before listing
    frac *= missing_share * n_symbols / frac.sum()
    first[late] = np.clip(np.round(frac * n_days), 1, n_days - 20).astype(np.int64)
    return first


def simulate(n_symbols: int = N_SYMBOLS, seed: int = 0) -> pd.DataFrame:
    """Canonical frame (datetime dates, float columns), sorted by (date, symbol)."""
    if n_symbols < 1:
        raise ValueError(f"n_symbols must be >= 1, got {n_symbols}")
    rng = np.random.default_rng(seed)
    days = trading_days()
    n_days = len(days)
    dt = 1.0 / TRADING_DAYS_PER_YEAR

    # Per-symbol parameters: annual drift and volatility from realistic ranges, heavy-tailed start price.
    mu = rng.normal(0.08, 0.10, n_symbols)
    sigma = np.clip(rng.lognormal(np.log(0.27), 0.35, n_symbols), 0.10, 0.90)
    start = np.clip(rng.lognormal(np.log(38.0), 0.95, n_symbols), 2.0, None)
    base_volume = rng.lognormal(np.log(2.0e6), 0.9, n_symbols) * (sigma / 0.27) ** 1.5 * (38.0 / start) ** 0.25

    z = rng.standard_normal((n_days, n_symbols))
    log_ret = (mu - 0.5 * sigma**2) * dt + sigma * np.sqrt(dt) * z
    close = start * np.exp(np.cumsum(log_ret, axis=0))
    prev_close = np.vstack([start[None, :], close[:-1]])
    day_vol = sigma * np.sqrt(dt)
    open_ = prev_close * np.exp(0.25 * day_vol * rng.standard_normal((n_days, n_symbols)))
    hi_oc = np.maximum(open_, close)
    lo_oc = np.minimum(open_, close)
    high = hi_oc * np.exp(0.5 * day_vol * np.abs(rng.standard_normal((n_days, n_symbols))))
    low = lo_oc * np.exp(-0.5 * day_vol * np.abs(rng.standard_normal((n_days, n_symbols))))
    shock = np.abs(log_ret) / day_vol  # busy days trade more
    volume = base_volume * np.exp(0.35 * rng.standard_normal((n_days, n_symbols)) + 0.25 * shock - 0.25 * 0.8)

    first = _listing_offsets(rng, n_symbols, n_days)
    listed = np.arange(n_days)[:, None] >= first[None, :]
    d_idx, s_idx = np.nonzero(listed)  # row-major: sorted by day, then symbol
    names = np.array(symbol_names(n_symbols), dtype=object)

    def take(m: np.ndarray) -> np.ndarray:
        return np.round(m[d_idx, s_idx], 2)

    lo = np.maximum(take(low), 0.01)
    frame = pd.DataFrame({
        "date": days.to_numpy()[d_idx],
        "symbol": pd.array(names[s_idx], dtype="str"),
        "open": np.maximum(take(open_), lo),
        "close": np.maximum(take(close), lo),
        "low": lo,
        "high": np.maximum(take(high), lo),
        "volume": np.round(volume[d_idx, s_idx], -2),
    })
    return frame


def synth_nyse(n_symbols: int = N_SYMBOLS, seed: int = 0, rows: int | None = None) -> pd.DataFrame:
    """Kaggle prices.csv raw format: date as 'YYYY-MM-DD 00:00:00', float volume.

    `rows` keeps only that many rows: fewer symbols (and days) so tests stay tiny and the frame is
    still a valid panel rather than a cut-off in the middle of the symbol list.
    """
    if rows is not None:
        if rows < 1:
            raise ValueError(f"rows must be >= 1, got {rows}")
        n_symbols = min(n_symbols, max(1, int(np.ceil(rows / 250))))
    frame = simulate(n_symbols, seed)
    if rows is not None:
        frame = frame.iloc[:rows].reset_index(drop=True)
    day_text = frame["date"].dt.strftime("%Y-%m-%d 00:00:00") if len(frame) < 50_000 else _fast_dates(frame["date"])
    return frame.assign(date=day_text)[["date", "symbol", "open", "close", "low", "high", "volume"]]


def _fast_dates(dates: pd.Series) -> pd.Series:
    """Format each distinct day once (1,762 strings) and map, instead of 851k strftime calls."""
    codes, uniques = pd.factorize(dates, sort=True)
    text = np.asarray(pd.DatetimeIndex(uniques).strftime("%Y-%m-%d 00:00:00"), dtype=object)
    return pd.Series(pd.array(text[codes], dtype="str"), index=dates.index)
