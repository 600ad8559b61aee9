"""Reading CSV files robustly (comma or tab, BOM or not) and writing them atomically."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import polars as pl

from mlplab.errors import UserError
from mlplab.experiment import atomic
from mlplab.experiment.paths import ENV, Paths

RAW_DIR_ENV = ENV["data_raw"]  # MLPLAB_DATA_DIR
CACHE_DIR_ENV = ENV["cache"]  # MLPLAB_CACHE_DIR


def data_dir() -> Path:
    """$MLPLAB_DATA_DIR, else data/raw under the project root found from the current directory
    (the current directory itself outside a project): the same folder the runner and the notebooks use."""
    return Paths.find().data_raw


def cache_dir() -> Path:
    """$MLPLAB_CACHE_DIR, else data/cache under the project root (git-ignored)."""
    return Paths.find().cache


def display_path(path: str | Path) -> str:
    """The path as results and the report may show it: relative to the project, else the file name."""
    return Paths.find().display(path)


def canonical_name(name: str) -> str:
    """'Air temperature [K]', 'Air_temperature_[K]' and 'air temperature k' all become 'air_temperature_k'."""
    text = name.strip().lstrip("\ufeff").lower()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def _first_line(path: Path) -> str:
    with path.open("rb") as fh:
        raw = fh.readline()
    return raw.decode("utf-8-sig", errors="replace")


def sniff_separator(path: Path) -> str:
    """Tab when the header has tabs and no commas outside quotes; comma otherwise."""
    line = _first_line(path)
    unquoted = re.sub(r'"[^"]*"', "", line)
    return "\t" if unquoted.count("\t") > unquoted.count(",") else ","


def header(path: Path) -> list[str]:
    """Column names of a CSV without reading it (for format detection)."""
    sep = sniff_separator(path)
    try:
        return pl.read_csv(path, separator=sep, n_rows=0, infer_schema=False).columns
    except Exception:  # unreadable files are reported by read_table, which names the cause
        return []


def _check_file(p: Path) -> None:
    if not p.exists():
        raise UserError(f"{p}: file not found")
    if p.is_dir():
        raise UserError(f"{p}: is a directory, expected a CSV file")
    if p.stat().st_size == 0:
        raise UserError(f"{p}: file is empty, expected a CSV with a header row and data rows")


def read_header(path: str | Path) -> list[str]:
    """Column names, with the same one-line errors as read_table: the cheap check the runner can
    afford before every run (a file the loader would use must fail before a notebook starts)."""
    p = Path(path)
    _check_file(p)
    try:
        cols = pl.read_csv(p, separator=sniff_separator(p), n_rows=0, infer_schema=False, encoding="utf8").columns
    except Exception as exc:  # polars raises several exception types; all mean "not a readable CSV"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"{p}: could not parse as CSV ({first})") from None
    if not cols or all(not c.strip() for c in cols):
        raise UserError(f"{p}: file is empty, expected a CSV with a header row and data rows")
    return [c.lstrip("\ufeff") for c in cols]


def read_table(path: str | Path) -> pl.DataFrame:
    """All columns as strings, so validation can name the first bad value instead of guessing types."""
    p = Path(path)
    _check_file(p)
    sep = sniff_separator(p)
    try:
        df = pl.read_csv(p, separator=sep, infer_schema=False, encoding="utf8")
    except Exception as exc:  # polars raises several exception types; all mean "not a readable CSV"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"{p}: could not parse as CSV ({first})") from None
    if df.width == 0 or all(not c.strip() for c in df.columns):
        raise UserError(f"{p}: file is empty, expected a CSV with a header row and data rows")
    if df.height == 0:
        raise UserError(f"{p}: has a header but no data rows")
    return df


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sha256_frame(frame: pd.DataFrame) -> str:
    """A stable digest of values, index and column names (cheap even at 851k rows)."""
    h = hashlib.sha256()
    h.update(",".join(map(str, frame.columns)).encode())
    h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return h.hexdigest()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV via polars: the 851k-row prices table in about a second instead of pandas' ten."""
    return pl.from_pandas(frame).write_csv().encode("utf-8")


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Kept for callers of the old name: see mlplab.experiment.atomic.write_bytes."""
    return atomic.write_bytes(path, data)


def atomic_write_parquet(path: str | Path, frame: pd.DataFrame) -> Path:
    """Parquet through a temp file and one rename (mlplab.experiment.atomic.write_with)."""
    return atomic.write_with(path, lambda tmp: frame.to_parquet(tmp, index=False))
