"""California Housing: three layouts, one schema (scikit-learn's).

Accepted sources, first found wins:
1. an explicit `path`, else a CSV in the data folder (data/raw/ or $MLPLAB_DATA_DIR), recognised by
   its header, in either layout:
   - scikit-learn's frame: `MedInc, HouseAge, AveRooms, AveBedrms, Population, AveOccup, Latitude,
     Longitude, MedHouseVal` (the target in $100,000, capped at 5.00001);
   - the Kaggle/Géron `housing.csv`: `longitude, latitude, housing_median_age, total_rooms,
     total_bedrooms, population, households, median_income, median_house_value, ocean_proximity`,
     raw counts per block group, mapped as AveRooms = total_rooms / households, AveBedrms =
     total_bedrooms / households (missing where total_bedrooms is), AveOccup = population /
     households, MedHouseVal = median_house_value / 100,000 (cap 500,001); `ocean_proximity`
     exists only there and is dropped so every layout yields the same columns;
2. `sklearn.datasets.fetch_california_housing`: its cache in scikit-learn's data home, or a
   download when the machine is online (skipped when $MLPLAB_OFFLINE is set);
3. the embedded default: the same real 20,640 rows shipped in the package (public domain), used
   only when no candidate file exists. A candidate file that fails validation is a UserError
   naming the file, never a silent fallback.

The capped target (block groups whose median value is at or above the census ceiling) is counted
in the report; the models keep those rows (as the published anchors do) and the analysis reports
their errors separately.
"""

from __future__ import annotations

import hashlib
import io
import lzma
import os
import socket
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

from mlplab.data import validate as v
from mlplab.data.io import display_path, read_header, read_table, sha256_file, sha256_frame
from mlplab.data.provenance import Loaded, Provenance
from mlplab.data.resolve import DatasetSpec, explicit_path, find_in_dir, half_of
from mlplab.errors import UserError

FEATURES = ("MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup", "Latitude", "Longitude")
TARGET = "MedHouseVal"
COLUMNS = (*FEATURES, TARGET)
CAP = 5.00001                      # the census ceiling, in $100,000 (500,001 dollars in housing.csv)
UNITS = {"MedInc": "$10,000", "HouseAge": "years", "AveRooms": "rooms per household",
         "AveBedrms": "bedrooms per household", "Population": "people", "AveOccup": "people per household",
         "Latitude": "degrees north", "Longitude": "degrees east", TARGET: "$100,000"}
SKLEARN = tuple(c.lower() for c in COLUMNS)
GERON = ("longitude", "latitude", "housing_median_age", "total_rooms", "total_bedrooms", "population", "households",
         "median_income", "median_house_value")
FILE_NAMES = ("california_housing.csv", "housing.csv", "cal_housing.csv")
EMBEDDED = Path(__file__).with_name("embedded") / "california_housing.csv.xz"
EMBEDDED_NAME = "embedded:california_housing.csv (real data, public domain)"
OFFLINE_ENV = "MLPLAB_OFFLINE"
ONLINE_TIMEOUT_S = 2.0
# California's extent, with a margin: a file whose coordinates fall outside is not this dataset
# (e.g. latitude and longitude swapped).
BOUNDS = {"Latitude": (32.0, 42.5), "Longitude": (-124.8, -113.8)}
LAYOUTS = {"sklearn": "scikit-learn frame (MedInc ... MedHouseVal)",
           "geron": "Kaggle/Géron housing.csv (raw counts, mapped to scikit-learn's columns)"}


def _layout(cols: set[str]) -> str | None:
    if set(SKLEARN) <= cols:
        return "sklearn"
    if set(GERON) <= cols:
        return "geron"
    return None


def _looks_like(cols: set[str]) -> bool:
    return half_of(SKLEARN)(cols) or half_of(GERON)(cols)


def _require_layout(cols: set[str], path: Path) -> str:
    """The layout of a canonical header, or a UserError naming the file and what each layout misses."""
    layout = _layout(cols)
    if layout is None:
        missing_s = [c for c, k in zip(COLUMNS, SKLEARN) if k not in cols]
        missing_g = [c for c in GERON if c not in cols]
        raise UserError(f"{path}: not a California Housing table: missing {', '.join(missing_s)} for scikit-learn's "
                        f"layout, or {', '.join(missing_g)} for housing.csv")
    return layout


def check_header(path: Path) -> None:
    """A file the loader would use must have one layout's columns (UserError naming the file)."""
    from mlplab.data.io import canonical_name

    _require_layout({canonical_name(c) for c in read_header(path)}, path)


SPEC = DatasetSpec(name="california", handle="camnugent/california-housing-prices", names=FILE_NAMES,
                   accepts=lambda cols: _layout(cols) is not None, looks_like=_looks_like, check_header=check_header,
                   columns=", ".join(COLUMNS) + " (or housing.csv's)", embedded=EMBEDDED_NAME)


# ---- normalisation -----------------------------------------------------------------------------------

def normalize(raw: pl.DataFrame, path: Path) -> tuple[pd.DataFrame, dict]:
    """A string-typed table in either layout -> (frame with COLUMNS as float64, report)."""
    df, original = v.rename_canonical(raw, path)
    layout = _require_layout(set(df.columns), path)
    warnings: list[str] = []
    if layout == "sklearn":
        df = v.numeric(df, SKLEARN, path, original)
        frame = pd.DataFrame({c: df[k].to_numpy() for c, k in zip(COLUMNS, SKLEARN)})
        missing_bedrooms = 0
        dropped = [original[c] for c in df.columns if c not in SKLEARN]
    else:
        counts = [c for c in GERON if c != "total_bedrooms"]
        df = v.numeric(df, tuple(counts), path, original)
        bedrooms = df["total_bedrooms"].str.strip_chars()
        empty = bedrooms.is_null() | (bedrooms == "") | (bedrooms.str.to_lowercase() == "nan")
        values = bedrooms.cast(pl.Float64, strict=False)
        bad = ~empty & (values.is_null() | values.is_nan() | values.is_infinite())
        if bad.any():
            i = int(bad.arg_true()[0])
            raise UserError(f"{path}: column {original['total_bedrooms']!r} has non-numeric value {bedrooms[i]!r} at "
                            f"data row {i + 1} (line {i + 2}); expected a number or an empty cell")
        v.non_negative(df, ("households",), path, original)
        households = df["households"].to_numpy()
        if (households <= 0).any():
            i = int(np.flatnonzero(households <= 0)[0])
            raise UserError(f"{path}: column {original['households']!r} is {households[i]} at data row {i + 1} "
                            f"(line {i + 2}); expected a positive count (it divides rooms and people)")
        frame = pd.DataFrame({
            "MedInc": df["median_income"].to_numpy(), "HouseAge": df["housing_median_age"].to_numpy(),
            "AveRooms": df["total_rooms"].to_numpy() / households,
            "AveBedrms": values.fill_null(np.nan).to_numpy() / households,
            "Population": df["population"].to_numpy(), "AveOccup": df["population"].to_numpy() / households,
            "Latitude": df["latitude"].to_numpy(), "Longitude": df["longitude"].to_numpy(),
            TARGET: df["median_house_value"].to_numpy() / 100_000.0,
        })
        missing_bedrooms = int(empty.sum())
        if missing_bedrooms:
            warnings.append(f"{missing_bedrooms} rows without total_bedrooms: AveBedrms is missing there and is imputed "
                            "by the training rows' median inside every model's pipeline")
        dropped = [original[c] for c in df.columns if c not in GERON]
    frame = frame.astype("float64")
    _check_values(frame, path, original, layout)
    capped = int((frame[TARGET] >= CAP - 1e-9).sum())
    report = {"layout": LAYOUTS[layout], "layout_key": layout, "rows": int(len(frame)), "columns": list(COLUMNS),
              "capped_rows": capped, "cap": CAP, "missing_avebedrms": missing_bedrooms,
              "dropped_columns": dropped, "warnings": warnings, "duplicates_dropped": 0}
    return frame, report


def _check_values(frame: pd.DataFrame, path: Path, original: dict, layout: str) -> None:
    source_name = {"sklearn": {c: original.get(k, c) for c, k in zip(COLUMNS, SKLEARN)},
                   "geron": {"Latitude": original.get("latitude"), "Longitude": original.get("longitude"),
                             TARGET: original.get("median_house_value"), "MedInc": original.get("median_income")}}[layout]
    for col, (lo, hi) in BOUNDS.items():
        out = (frame[col] < lo) | (frame[col] > hi)
        if out.any():
            i = int(np.flatnonzero(out.to_numpy())[0])
            raise UserError(f"{path}: column {source_name.get(col, col)!r} has {frame[col].iloc[i]} at data row {i + 1} "
                            f"(line {i + 2}); expected {col.lower()} within California ({lo} to {hi})")
    for col in (TARGET, "MedInc"):
        bad = frame[col] <= 0
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise UserError(f"{path}: column {source_name.get(col, col)!r} has {frame[col].iloc[i]} at data row {i + 1} "
                            f"(line {i + 2}); expected a positive value")


# ---- sources -----------------------------------------------------------------------------------------

def _online(host: str = "ndownloader.figshare.com") -> bool:
    if os.environ.get(OFFLINE_ENV):
        return False
    try:
        socket.create_connection((host, 443), timeout=ONLINE_TIMEOUT_S).close()
        return True
    except OSError:
        return False


def _fetch_sklearn(download: bool) -> pd.DataFrame:
    """scikit-learn's frame (from its data home; downloading when `download`). Raises OSError when absent."""
    from sklearn.datasets import fetch_california_housing

    return fetch_california_housing(as_frame=True, download_if_missing=download).frame


def sklearn_frame() -> tuple[pd.DataFrame | None, str]:
    """(frame, "") from scikit-learn's cache or a download, else (None, why not)."""
    try:
        return _fetch_sklearn(download=False), ""
    except Exception as exc:  # noqa: BLE001 - absent cache (OSError) or a broken one: try the next source
        why = f"not in scikit-learn's data home ({type(exc).__name__})"
    if not _online():
        return None, why + "; offline, no download"
    try:
        return _fetch_sklearn(download=True), ""
    except Exception as exc:  # noqa: BLE001 - network, server or format: the embedded copy is the same data
        return None, why + f"; download failed ({type(exc).__name__})"


def embedded_bytes() -> bytes:
    return lzma.decompress(EMBEDDED.read_bytes())


def _from_frame(frame: pd.DataFrame, name: str) -> tuple[pd.DataFrame, dict]:
    text = pl.from_pandas(frame.astype(str))
    return normalize(text, Path(name))


def load_california(path: str | Path | None = None) -> Loaded:
    """Load California Housing: `path`, else the data folder, else scikit-learn, else the embedded copy."""
    if path is not None:
        file = explicit_path(path)
        check_header(file)
    else:
        from mlplab.data.io import data_dir

        file = find_in_dir(data_dir(), SPEC)
        if file is not None:
            check_header(file)
    if file is not None:
        frame, report = normalize(read_table(file), file)
        prov = Provenance(source="file", path=display_path(file), rows=len(frame), sha256=sha256_file(file),
                          note=report["layout"])
        return Loaded(frame=frame, provenance=prov, report=report, file=file.resolve())
    fetched, why = sklearn_frame()
    if fetched is not None:
        frame, report = _from_frame(fetched[list(COLUMNS)], "sklearn:fetch_california_housing")
        report["layout"] = "scikit-learn fetch_california_housing (data home)"
        prov = Provenance(source="sklearn", path="sklearn:fetch_california_housing", rows=len(frame),
                          sha256=sha256_frame(frame), note=report["layout"])
        return Loaded(frame=frame, provenance=prov, report=report)
    data = embedded_bytes()
    frame, report = normalize(pl.read_csv(io.BytesIO(data), infer_schema=False), Path(EMBEDDED_NAME))
    report["layout"] = "embedded copy of scikit-learn's frame (real data shipped with the package)"
    report["warnings"].insert(0, f"no California Housing file in the data folder; scikit-learn: {why}; "
                                 "used the real copy shipped with the package")
    prov = Provenance(source="embedded", path=EMBEDDED_NAME, rows=len(frame), sha256=hashlib.sha256(data).hexdigest(),
                      note="the real 20,640 rows (public domain), shipped with the package")
    return Loaded(frame=frame, provenance=prov, report=report)


def fingerprint(path: str | Path | None = None) -> dict:
    """What the runner's staleness check compares, without loading the table: the file and its sha256,
    scikit-learn's cache, or the embedded copy."""
    if path is not None:
        file = explicit_path(path)
    else:
        from mlplab.data.io import data_dir

        file = find_in_dir(data_dir(), SPEC)
    if file is not None:
        check_header(file)
        return {"california": {"source": "file", "path": display_path(file), "sha256": sha256_file(file)}}
    return {"california": {"source": "sklearn-or-embedded", "version": EMBEDDED_NAME}}


def summary_lines(ld: Loaded) -> list[str]:
    """`mlplab data check california`: one fact per line."""
    p, r, f = ld.provenance, ld.report, ld.frame
    lines = [f"dataset:   california", f"source:    {p.source}", f"path:      {p.path}", f"sha256:    {p.sha256}",
             f"layout:    {r['layout']}", f"rows:      {r['rows']:,}", f"columns:   {', '.join(r['columns'])}",
             f"target:    {TARGET} in $100,000: min {f[TARGET].min():.3f}, median {f[TARGET].median():.3f}, "
             f"max {f[TARGET].max():.5f}",
             f"capped:    {r['capped_rows']:,} rows at the census ceiling {CAP} ($500,001)",
             f"missing:   {int(f.isna().sum().sum()):,} values"]
    if r["dropped_columns"]:
        lines.append(f"dropped:   {', '.join(r['dropped_columns'])} (not in the common schema)")
    lines.append("warnings:  " + ("none" if not r["warnings"] else ""))
    lines += [f"  - {w}" for w in r["warnings"]]
    return lines
