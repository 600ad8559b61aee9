"""EDA aggregations of the price table in polars (fast on the 851k-row full file) and the findings
stated from them. Functions return pandas frames (for tables and seaborn) or plain dicts/strings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl

NUMERIC = ("open", "close", "low", "high", "volume")
PRICES = ("open", "close", "low", "high")
SKEW_LOG_THRESHOLD = 1.0


def to_polars(frame) -> pl.DataFrame:
    return frame if isinstance(frame, pl.DataFrame) else pl.from_pandas(frame)


def schema_table(frame) -> pd.DataFrame:
    """Per column: dtype, missing values, distinct values."""
    df = to_polars(frame)
    n = df.height
    nulls = df.null_count().row(0)
    uniq = df.select(pl.all().n_unique()).row(0)
    return pd.DataFrame({
        "column": df.columns,
        "dtype": [str(t) for t in df.dtypes],
        "missing": list(nulls),
        "missing_%": [100.0 * m / n if n else 0.0 for m in nulls],
        "distinct": list(uniq),
    })


def describe(frame) -> pd.DataFrame:
    """Descriptive statistics of the numeric columns plus skewness (decides log axes)."""
    df = to_polars(frame).select(NUMERIC)
    desc = df.describe().to_pandas().set_index("statistic")
    skew = df.select(pl.all().skew()).to_pandas().rename(index={0: "skew"})
    out = pd.concat([desc, skew]).drop(index=["null_count"], errors="ignore")
    return out.astype(float).rename_axis("statistic").reset_index()


def skewness(frame) -> dict[str, float]:
    return {k: float(v) for k, v in to_polars(frame).select([pl.col(c).skew() for c in NUMERIC]).row(0, named=True).items()}


def log_scaled(frame) -> list[str]:
    """Columns skewed enough to be drawn on a log axis."""
    return [c for c, s in skewness(frame).items() if abs(s) > SKEW_LOG_THRESHOLD]


def rows_per_symbol(frame) -> pd.DataFrame:
    df = to_polars(frame)
    return (df.group_by("symbol")
              .agg(pl.len().alias("rows"), pl.col("date").min().alias("first_date"),
                   pl.col("date").max().alias("last_date"), pl.col("close").median().alias("median_close"))
              .sort(["rows", "symbol"], descending=[True, False]).to_pandas())


def date_coverage(frame) -> pd.DataFrame:
    """Symbols traded per day: shows late listings (why 851,264 < 501 x 1,762)."""
    return (to_polars(frame).group_by("date").agg(pl.col("symbol").n_unique().alias("symbols"))
            .sort("date").to_pandas())


def coverage_summary(frame) -> dict:
    df = to_polars(frame)
    per_sym = df.group_by("symbol").agg(pl.len().alias("n"))
    n_days = df["date"].n_unique()
    return {
        "rows": df.height,
        "symbols": df["symbol"].n_unique(),
        "days": n_days,
        "date_min": str(df["date"].min())[:10],
        "date_max": str(df["date"].max())[:10],
        "symbols_full_history": int((per_sym["n"] == n_days).sum()),
        "rows_if_complete": int(df["symbol"].n_unique() * n_days),
    }


def correlations(frame) -> pd.DataFrame:
    df = to_polars(frame).select(NUMERIC).drop_nulls()
    m = np.corrcoef(df.to_numpy().T)
    return pd.DataFrame(m, index=list(NUMERIC), columns=list(NUMERIC))


def sector_breakdown(frame) -> pd.DataFrame | None:
    """Symbols and rows per GICS sector; None when no securities.csv was joined or no symbol matched it
    (the synthetic symbols have no sector)."""
    df = to_polars(frame)
    if "sector" not in df.columns or df["sector"].null_count() == df.height:
        return None
    return (df.with_columns(pl.col("sector").fill_null("(unknown)"))
              .group_by("sector").agg(pl.col("symbol").n_unique().alias("symbols"), pl.len().alias("rows"),
                                      pl.col("close").median().alias("median_close"))
              .sort("rows", descending=True).to_pandas())


def trend_symbols(frame, n: int = 4) -> list[str]:
    """A few symbols with full history spread over the price range (cheap to expensive)."""
    rps = rows_per_symbol(frame)
    full = rps[rps["rows"] == rps["rows"].max()].sort_values("median_close")
    pool = full if len(full) >= n else rps.sort_values("median_close")
    idx = np.unique(np.linspace(0, len(pool) - 1, min(n, len(pool))).round().astype(int))
    return pool["symbol"].iloc[idx].tolist()


def collinearity_finding(corr: pd.DataFrame) -> str:
    prices = corr.loc[list(PRICES), list(PRICES)].to_numpy()
    lowest = float(prices[np.triu_indices(len(PRICES), 1)].min())
    vol = corr.loc["volume", list(PRICES)]
    return (f"Collinearity: open, high, low and close correlate at least at r = {lowest:.4f} with each other, so "
            f"today's close is almost a linear function of today's open, high and low (the inputs are nearly "
            f"redundant and a linear model already explains most of the variance). Volume correlates "
            f"{'weakly' if vol.abs().max() < 0.3 else 'noticeably'} with prices (r between {vol.min():.3f} and "
            f"{vol.max():.3f}).")


def skew_finding(frame) -> str:
    s = skewness(frame)
    q = to_polars(frame).select(pl.col("close").quantile(0.5).alias("med"), pl.col("close").quantile(0.99).alias("p99"),
                                pl.col("close").min().alias("lo"), pl.col("close").max().alias("hi")).row(0, named=True)
    logged = [c for c, v in s.items() if abs(v) > SKEW_LOG_THRESHOLD]
    return (f"Prices are right-skewed (skewness of close {s['close']:.2f}, volume {s['volume']:.2f}): the median "
            f"close is \\${q['med']:,.2f}, the 99th percentile \\${q['p99']:,.2f}, the range \\${q['lo']:,.2f} – "
            f"\\${q['hi']:,.2f}. " + (f"Log axes are used for {', '.join(logged)}." if logged
                                       else "No column is skewed enough to need a log axis."))
