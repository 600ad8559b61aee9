"""Column checks shared by the loaders; every failure names the file, the column and the first bad row.

Row numbers in messages are 1-based data rows; the file line is one more (the header is line 1).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import polars as pl

from mlplab.errors import UserError
from mlplab.data.io import canonical_name

OHLC_TOLERANCE = 1e-6  # relative: float round-trips in re-saved copies must not count as violations


def rename_canonical(df: pl.DataFrame, path: Path, aliases: dict[str, str] | None = None) -> tuple[pl.DataFrame, dict[str, str]]:
    """Rename to canonical snake_case; return the frame and canonical -> original name (for messages)."""
    aliases = aliases or {}
    mapping: dict[str, str] = {}
    original: dict[str, str] = {}
    for col in df.columns:
        canon = canonical_name(col)
        canon = aliases.get(canon, canon)
        if canon in original:
            raise UserError(f"{path}: columns {original[canon]!r} and {col!r} both mean {canon!r}; keep one")
        mapping[col] = canon
        original[canon] = col
    return df.rename(mapping), original


def require_columns(df: pl.DataFrame, required: tuple[str, ...], path: Path, what: str) -> None:
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise UserError(
            f"{path}: missing required column(s) {', '.join(missing)} for {what} "
            f"(found: {', '.join(df.columns)})"
        )


def _row(i: int) -> str:
    return f"data row {i + 1} (line {i + 2})"


def numeric(df: pl.DataFrame, cols: tuple[str, ...], path: Path, original: dict[str, str]) -> pl.DataFrame:
    """Cast string columns to Float64; the first unparsable or empty cell is an error."""
    out = []
    for col in cols:
        text = df[col].str.strip_chars()
        values = text.cast(pl.Float64, strict=False)
        bad = values.is_null() | values.is_nan() | values.is_infinite()
        if bad.any():
            i = int(bad.arg_true()[0])
            raw = text[i]
            shown = "an empty value" if raw is None or raw == "" else f"non-numeric value {raw!r}"
            raise UserError(f"{path}: column {original.get(col, col)!r} has {shown} at {_row(i)}; expected a number")
        out.append(values.alias(col))
    return df.with_columns(out)


def non_negative(df: pl.DataFrame, cols: tuple[str, ...], path: Path, original: dict[str, str]) -> None:
    for col in cols:
        neg = df[col] < 0
        if neg.any():
            i = int(neg.arg_true()[0])
            raise UserError(
                f"{path}: column {original.get(col, col)!r} has negative value {df[col][i]} at {_row(i)}; "
                f"expected >= 0 ({int(neg.sum())} negative rows)"
            )


def integral(df: pl.DataFrame, col: str, path: Path, original: dict[str, str]) -> None:
    frac = (df[col] - df[col].round(0)).abs() > 1e-9
    if frac.any():
        i = int(frac.arg_true()[0])
        raise UserError(f"{path}: column {original.get(col, col)!r} has non-integer value {df[col][i]} at {_row(i)}; expected an integer")


def categorical(df: pl.DataFrame, col: str, allowed: tuple[str, ...], path: Path, original: dict[str, str]) -> pl.DataFrame:
    values = df[col].str.strip_chars()
    bad = values.is_null() | ~values.is_in(list(allowed))
    if bad.any():
        i = int(bad.arg_true()[0])
        unknown = sorted({str(v) for v in values.filter(bad).unique().to_list()})[:5]
        raise UserError(
            f"{path}: column {original.get(col, col)!r} has unknown value {values[i]!r} at {_row(i)} "
            f"(unknown: {', '.join(unknown)}); expected one of {', '.join(allowed)}"
        )
    return df.with_columns(values.alias(col))


_DATE_FORMATS = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "%Y-%m-%d"),
    (re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"), "%Y-%m-%d %H:%M:%S"),
    (re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"), "%Y-%m-%dT%H:%M:%S"),
    (re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$"), "%m/%d/%Y"),
    (re.compile(r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}$"), "%m/%d/%Y %H:%M"),  # spreadsheet re-saves
    (re.compile(r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2}$"), "%m/%d/%Y %H:%M:%S"),
)


def dates(df: pl.DataFrame, col: str, path: Path, original: dict[str, str]) -> tuple[pl.DataFrame, str]:
    """Parse one date column in a format detected from its first value; return the format used."""
    text = df[col].str.strip_chars()
    first = text[0] or ""
    fmt = next((f for rx, f in _DATE_FORMATS if rx.match(first)), None)
    if fmt is None:
        raise UserError(
            f"{path}: column {original.get(col, col)!r} has unrecognised date {first!r} at {_row(0)}; "
            "expected YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or M/D/YYYY"
        )
    parsed = text.str.strptime(pl.Datetime("ns"), fmt, strict=False)
    bad = parsed.is_null()
    if bad.any():
        i = int(bad.arg_true()[0])
        raise UserError(
            f"{path}: column {original.get(col, col)!r} has unparsable date {text[i]!r} at {_row(i)}; "
            f"expected the file's format {fmt}"
        )
    return df.with_columns(parsed.alias(col)), fmt


def ohlc_violations(open_: np.ndarray, close: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Mask of rows breaking low <= min(open, close) <= max(open, close) <= high beyond a relative tolerance."""
    tol = OHLC_TOLERANCE * np.maximum(np.abs(high), 1.0)
    lo_oc = np.minimum(open_, close)
    hi_oc = np.maximum(open_, close)
    return (low > lo_oc + tol) | (hi_oc > high + tol)
