"""NYSE prices (Kaggle dgawlik/nyse): load any variant into one canonical frame.

Canonical columns: date (datetime64[ns]), symbol (str), open, close, low, high, volume (float64),
plus sector when a securities.csv is found. Sorted by (date, symbol), duplicates dropped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

from mlplab.errors import UserError
from mlplab.data import validate as v
from mlplab.data.io import (atomic_write_parquet, cache_dir, data_dir, display_path, read_header, read_table,
                            sha256_file, sha256_frame)
from mlplab.data.provenance import Loaded, Provenance
from mlplab.data.resolve import DatasetSpec, Source, explicit_path, half_of, locate
from mlplab.data.nyse_generator import GENERATOR_VERSION, simulate

KAGGLE_HANDLE = "dgawlik/nyse"
FILE_NAMES = ("prices-split-adjusted.csv", "prices.csv")
SECURITIES_NAME = "securities.csv"
PRICE_COLUMNS = ("open", "close", "low", "high")
REQUIRED = ("date", "symbol", *PRICE_COLUMNS, "volume")
CANONICAL = REQUIRED
ALIASES = {"ticker": "symbol", "ticker_symbol": "symbol", "timestamp": "date"}


EMBEDDED_SEED = 0


def _is_prices(cols: set[str]) -> bool:
    return {ALIASES.get(c, c) for c in cols} >= set(REQUIRED)


def _looks_like_prices(cols: set[str]) -> bool:
    return half_of(REQUIRED)({ALIASES.get(c, c) for c in cols})


def _check_columns(df: pl.DataFrame, path: Path) -> tuple[pl.DataFrame, dict[str, str]]:
    """Canonical names and the required columns (the part of validation a header alone can fail)."""
    df, original = v.rename_canonical(df, path, ALIASES)
    if "gics_sector" in df.columns or "security" in df.columns:
        raise UserError(f"{path}: looks like securities.csv (has 'GICS Sector'), not a prices file; pass it as securities")
    v.require_columns(df, REQUIRED, path, "NYSE prices")
    return df, original


def check_header(path: Path) -> None:
    """The header checks of `normalize_prices` without reading the rows (UserError naming the file)."""
    cols = read_header(path)
    _check_columns(pl.DataFrame(schema=dict.fromkeys(cols, pl.String)), path)


SPEC = DatasetSpec(name="nyse", handle=KAGGLE_HANDLE, names=FILE_NAMES, accepts=_is_prices,
                   looks_like=_looks_like_prices, check_header=check_header, columns=",".join(REQUIRED),
                   embedded=f"synth_nyse generator v{GENERATOR_VERSION} seed {EMBEDDED_SEED}")


def _layout(date_format: str, volume_is_float: bool) -> str:
    if "%H" in date_format and volume_is_float:
        return "prices.csv (timestamps, float volume)"
    if date_format == "%Y-%m-%d" and not volume_is_float:
        return "prices-split-adjusted.csv (ISO dates, integer volume)"
    return f"re-saved copy (dates {date_format}, {'float' if volume_is_float else 'integer'} volume)"


def normalize_prices(raw: pl.DataFrame, path: Path) -> tuple[pd.DataFrame, dict]:
    """Validate a string-typed prices table and return the canonical pandas frame plus a report."""
    df, original = _check_columns(raw, path)
    df = df.select(REQUIRED)
    df, date_format = v.dates(df, "date", path, original)
    volume_is_float = bool(df["volume"].str.contains(r"[.eE]").any())
    df = v.numeric(df, (*PRICE_COLUMNS, "volume"), path, original)
    symbol = df["symbol"].str.strip_chars()
    empty = symbol.is_null() | (symbol == "")
    if empty.any():
        i = int(empty.arg_true()[0])
        raise UserError(f"{path}: column {original['symbol']!r} is empty at data row {i + 1} (line {i + 2}); expected a ticker")
    df = df.with_columns(symbol.alias("symbol"))
    v.non_negative(df, (*PRICE_COLUMNS, "volume"), path, original)

    warnings: list[str] = []
    df = df.sort(["date", "symbol"], maintain_order=True)  # stable: "first" still means first in the file
    repeated = (df["date"] == df["date"].shift(1)) & (df["symbol"] == df["symbol"].shift(1))
    dups = key_dups = 0
    if repeated.any():  # rare, so the exact (hashing) pass runs only when needed
        n0 = df.height
        df = df.unique(maintain_order=True)
        dups = n0 - df.height
        n1 = df.height
        df = df.unique(subset=["date", "symbol"], keep="first", maintain_order=True)
        key_dups = n1 - df.height
    if dups:
        warnings.append(f"{dups} duplicate rows dropped")
    if key_dups:
        warnings.append(f"{key_dups} rows with a repeated (date, symbol) but different values dropped (first kept)")
    frame = df.to_pandas()
    frame["date"] = frame["date"].astype("datetime64[ns]")
    frame["symbol"] = frame["symbol"].astype("str")
    for c in (*PRICE_COLUMNS, "volume"):
        frame[c] = frame[c].astype("float64")
    bad = v.ohlc_violations(*(frame[c].to_numpy() for c in ("open", "close", "low", "high")))
    n_bad = int(bad.sum())
    if n_bad:
        warnings.append(f"{n_bad} rows break low <= min(open, close) <= max(open, close) <= high (kept)")
    report = {
        "layout": _layout(date_format, volume_is_float),
        "date_format": date_format,
        "duplicates_dropped": dups,
        "duplicate_keys_dropped": key_dups,
        "ohlc_violations": n_bad,
        "warnings": warnings,
    }
    return frame, report


def find_securities(explicit: str | Path | None, prices_path: Path | None) -> Path | None:
    """An explicit file (missing: UserError), else securities.csv next to the prices file or in the data
    dir. A securities.csv found there is used, so a malformed one fails loudly in `read_sectors`."""
    if explicit is not None:
        p = Path(explicit)
        try:
            return explicit_path(p)
        except UserError:
            raise UserError(f"{p}: securities file not found") from None
    for folder in ([prices_path.parent] if prices_path else []) + [data_dir()]:
        p = folder / SECURITIES_NAME
        if p.is_file():
            return p
    return None


def resolve_sources(path: str | Path | None = None, securities: str | Path | None = None) -> dict[str, Source]:
    """What `load_nyse(path, securities)` would read, without reading it: prices and securities."""
    prices = locate(SPEC, path)
    sec = find_securities(securities, prices.path)
    return {"prices": prices, "securities": Source("file", sec) if sec else Source("none", None)}


def read_sectors(path: Path) -> pd.DataFrame:
    """symbol -> sector from securities.csv ('Ticker symbol', 'GICS Sector')."""
    df, _ = v.rename_canonical(read_table(path), path)
    v.require_columns(df, ("ticker_symbol", "gics_sector"), path, "securities (sector join)")
    df = (df.select(pl.col("ticker_symbol").str.strip_chars().alias("symbol"),
                    pl.col("gics_sector").str.strip_chars().alias("sector"))
            .filter(pl.col("symbol").is_not_null())
            .unique(subset=["symbol"], keep="first", maintain_order=True))
    out = df.to_pandas()
    return out.astype({"symbol": "str", "sector": "str"})


def _embedded(seed: int = 0) -> tuple[pd.DataFrame, str]:
    """The full-size synthetic frame, cached as parquet so repeat loads take well under a second."""
    path = cache_dir() / f"nyse_embedded_v{GENERATOR_VERSION}_seed{seed}.parquet"
    if path.is_file():
        try:
            frame = pd.read_parquet(path)
            frame["date"] = frame["date"].astype("datetime64[ns]")
            frame["symbol"] = frame["symbol"].astype("str")
            return frame, f"cached in {display_path(path)}"
        except Exception:  # a corrupt cache is rebuilt, never trusted
            path.unlink(missing_ok=True)
    frame = simulate(seed=seed)  # already canonical and sorted; synth_nyse adds only the CSV date text
    try:
        atomic_write_parquet(path, frame)
        note = f"generated and cached in {display_path(path)}"
    except OSError as exc:
        note = f"generated (cache not written to {display_path(path)}: {exc.strerror or type(exc).__name__})"
    return frame, note


def load_nyse(path: str | Path | None = None, securities: str | Path | None = None) -> Loaded:
    """Load NYSE prices: `path`, else the data dir, else kagglehub, else the embedded synthetic default
    (only when no candidate file exists; a candidate that fails validation raises a UserError)."""
    src = locate(SPEC, path)
    file = src.path
    if file is None:
        frame, cache_note = _embedded(EMBEDDED_SEED)
        report = {"layout": "embedded synthetic prices.csv", "date_format": "%Y-%m-%d %H:%M:%S",
                  "duplicates_dropped": 0, "duplicate_keys_dropped": 0,
                  "ohlc_violations": int(v.ohlc_violations(*(frame[c].to_numpy() for c in ("open", "close", "low", "high"))).sum()),
                  "warnings": ["SYNTHETIC embedded default: no NYSE file found (" + "; ".join(src.notes) + ")"]}
        prov_path, digest, synthetic = f"embedded:synth_nyse(seed={EMBEDDED_SEED})", sha256_frame(frame), True
        note = f"synthetic GBM prices, generator v{GENERATOR_VERSION}; {cache_note}"
    else:
        frame, report = normalize_prices(read_table(file), file)
        prov_path, digest, synthetic = display_path(file), sha256_file(file), False
        note = "; ".join(([src.version] if src.version else []) + list(src.notes))

    sec = find_securities(securities, file)
    if sec is not None:
        sectors = read_sectors(sec)
        if file is None:  # synthetic tickers: lend them real sectors by position, so sector plots still work
            symbols = sorted(frame["symbol"].unique())
            sectors = pd.DataFrame({"symbol": symbols,
                                    "sector": sectors["sector"].iloc[np.arange(len(symbols)) % len(sectors)].to_numpy()})
            report["warnings"].append(f"sectors of synthetic symbols assigned by position from {sec.name}")
        frame = frame.merge(sectors.astype({"symbol": "str", "sector": "str"}), on="symbol", how="left",
                            validate="many_to_one")
        missing = sorted(frame.loc[frame["sector"].isna(), "symbol"].unique())
        if missing:
            report["warnings"].append(f"{len(missing)} symbols have no sector in {sec.name}")
        report["sector_source"] = display_path(sec)
        report["symbols_without_sector"] = len(missing)

    report.update({
        "rows": int(len(frame)),
        "columns": list(frame.columns),
        "n_symbols": int(frame["symbol"].nunique()),
        "n_days": int(frame["date"].nunique()),
        "date_min": frame["date"].min().date().isoformat(),
        "date_max": frame["date"].max().date().isoformat(),
    })
    kind = ""
    if not synthetic:  # a file with fewer symbols or rows than the published one is an extract of it
        from mlplab.references import nyse_published

        pub = nyse_published()
        if report["n_symbols"] < pub["symbols"] or report["rows"] < pub["rows"]:
            kind = "subset"
            extract = (f"an extract of the Kaggle file: {report['n_symbols']:,} of its {pub['symbols']:,} symbols, "
                       f"{report['rows']:,} of its {pub['rows']:,} rows")
            note = "; ".join(x for x in (note, extract) if x)
    prov = Provenance(source=src.kind, path=prov_path, rows=int(len(frame)), sha256=digest, synthetic=synthetic, note=note,
                      kind=kind)
    return Loaded(frame=frame, provenance=prov, report=report, file=None if file is None else file.resolve())
