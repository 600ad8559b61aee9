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
        "symbol_names": sorted(df["symbol"].unique().to_list())[:10],
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


def close_quantiles(frame) -> dict:
    return to_polars(frame).select(pl.col("close").quantile(0.5).alias("med"), pl.col("close").quantile(0.99).alias("p99"),
                                   pl.col("close").min().alias("lo"), pl.col("close").max().alias("hi")).row(0, named=True)


def coverage_caption(coverage: dict, synthetic: bool = False) -> str:
    full, n = coverage["symbols_full_history"], coverage["symbols"]
    from mlplab.regression.narrative import is_extract

    head = ""
    if not synthetic and is_extract(n, coverage["rows"]):
        from mlplab.references import nyse_published

        head = f"The extract holds {n:,} of the published file's {nyse_published()['symbols']:,} symbols. "
    if full == n:
        return head + "Every symbol trades on every day."
    return head + f"{full:,} of {n:,} symbols trade on every day; the others join later or leave early."


def trend_caption(frame, symbols) -> str:
    df = to_polars(frame).filter(pl.col("symbol").is_in(list(symbols)))
    ends = (df.sort("date").group_by("symbol").agg(pl.col("close").first().alias("a"), pl.col("close").last().alias("b"))
              .with_columns((pl.col("b") / pl.col("a")).alias("x")).sort("x"))
    lo, hi = ends.row(0, named=True), ends.row(-1, named=True)
    return (f"Over the period {lo['symbol']} ends at {lo['x']:.2f}× its first close and {hi['symbol']} at {hi['x']:.2f}×: "
            "price levels drift, which is why a model fitted to dollars meets levels in the test period it never saw.")


def sector_caption(sectors: pd.DataFrame) -> str:
    top = sectors.iloc[0]
    n = int(top["symbols"])
    if len(sectors) > 1 and sectors["rows"].nunique() == 1:  # a tie is no "most"
        return f"Each of the {len(sectors)} sectors holds {int(top['rows']):,} rows."
    return f"{top['sector']} holds the most rows ({int(top['rows']):,}, {n} symbol{'s' if n != 1 else ''})."


def volume_return_correlation(frame) -> float:
    """Pearson r of log(1 + volume) with the intraday return close/open - 1 (rows with open > 0)."""
    df = to_polars(frame).filter(pl.col("open") > 0)
    ret = (df["close"] / df["open"] - 1).to_numpy()
    vol = np.log1p(df["volume"].to_numpy())
    if len(ret) < 3 or np.ptp(ret) == 0 or np.ptp(vol) == 0:
        return 0.0
    return float(np.corrcoef(vol, ret)[0, 1])


def summary(corr: pd.DataFrame, coverage: dict, skew: dict) -> dict:
    """The EDA facts the results file keeps."""
    vol = corr.loc["volume", list(PRICES)]
    return {"collinearity_min_r": float(corr.loc[list(PRICES), list(PRICES)].min().min()),
            "volume_corr_range": [float(vol.min()), float(vol.max())], "skew_close": float(skew["close"]),
            "rows": coverage["rows"], "symbols": coverage["symbols"], "days": coverage["days"],
            "symbol_names": list(coverage.get("symbol_names") or [])}


def box_outliers(frame, columns=("close", "volume")) -> dict[str, float]:
    """Share of rows beyond the boxplot whiskers (1.5 × IQR beyond the quartiles, as plots.eda_nyse.plot_boxplots
    draws them; the log axis only displays them)."""
    out = {}
    for c in columns:
        x = to_polars(frame)[c].to_numpy().astype(float)
        x = x[x > 0]
        if len(x) == 0:
            out[c] = 0.0
            continue
        q1, q3 = np.quantile(x, [0.25, 0.75])
        lo, hi = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
        out[c] = float(np.mean((x < lo) | (x > hi)))
    return out
