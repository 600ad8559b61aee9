"""NAB NYC taxi: the half-hourly passenger counts and NAB's labelled anomaly windows.

The Numenta Anomaly Benchmark (Lavin & Ahmad 2015; github.com/numenta/NAB, MIT licence since
December 2024) ships `data/realKnownCause/nyc_taxi.csv` (`timestamp,value`, 10,320 rows, every 30
minutes from 2014-07-01 to 2015-01-31) and, separately, its labels: `labels/combined_windows.json`
(anomaly windows, [start, end] pairs keyed by "realKnownCause/nyc_taxi.csv") and
`labels/combined_labels.json` (the labelled timestamps). NAB builds each window around its label, so
a window's midpoint is its label.

Accepted layouts, first found wins (every file named `nyc_taxi.csv`: all NAB series share the
`timestamp,value` header, so the name identifies this one):
1. an explicit `path`;
2. the data folder (data/raw/ or $MLPLAB_DATA_DIR), searched recursively: a flat copy (`nyc_taxi.csv`
   beside `nyc_taxi_windows.json`/`nyc_taxi_labels.json` or NAB's `combined_*.json`), a clone or
   archive of NAB's repository (`.../data/realKnownCause/nyc_taxi.csv` with `.../labels/`), or
   Kaggle's `boltzmannbrain/nab` download unpacked there;
3. kagglehub `boltzmannbrain/nab` (series only: that dataset has no labels);
4. the embedded default: the same real series and NAB's windows and labels, shipped in the package.

Labels are looked for beside the series, in NAB's `labels/` folder above it and in the data folder.
Without a windows file, NAB's windows for this series (fixed benchmark metadata, embedded) are used;
without a labels file, each window's midpoint. The report says which.
A candidate file that fails validation is a UserError naming the file, never a silent fallback.
"""

from __future__ import annotations

import hashlib
import json
import lzma
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlplab.data.io import display_path, read_table, sha256_file
from mlplab.data.provenance import Provenance
from mlplab.data.resolve import DatasetSpec, explicit_path, kagglehub_file
from mlplab.errors import UserError
from mlplab.experiment.paths import Paths

SERIES_FILE = "nyc_taxi.csv"
NAB_KEY = "realKnownCause/nyc_taxi.csv"
WINDOW_FILES = ("nyc_taxi_windows.json", "combined_windows.json")
LABEL_FILES = ("nyc_taxi_labels.json", "combined_labels.json")
HANDLE = "boltzmannbrain/nab"
STEP = pd.Timedelta(minutes=30)
EMBEDDED_DIR = Path(__file__).with_name("embedded")
EMBEDDED_SERIES = EMBEDDED_DIR / "nyc_taxi.csv.xz"
EMBEDDED_WINDOWS = EMBEDDED_DIR / "nyc_taxi_windows.json"
EMBEDDED_LABELS = EMBEDDED_DIR / "nyc_taxi_labels.json"
EMBEDDED_NAME = "embedded:nyc_taxi.csv (real data, NAB, MIT licence)"
# NAB's description of the five labelled anomalies of this series (the README of realKnownCause).
EVENTS = {"2014-11-01": "NYC marathon", "2014-11-27": "Thanksgiving", "2014-12-25": "Christmas",
          "2015-01-01": "New Year", "2015-01-27": "snow storm"}


@dataclass
class TaxiData:
    """The series (`timestamp`, `value`), the labelled windows (`start`, `end`, `label`, `name`), where
    both came from, and what validation found."""

    frame: pd.DataFrame
    windows: pd.DataFrame
    provenance: Provenance
    report: dict[str, Any] = field(default_factory=dict)
    file: Path | None = None


def _never(cols: set[str]) -> bool:
    return False


def check_header(path: Path) -> None:
    _series_frame(path, read_table(path).to_pandas(), header_only=True)


SPEC = DatasetSpec(name="nab", handle=HANDLE, names=(SERIES_FILE,), accepts=_never, looks_like=_never,
                   check_header=check_header, columns="timestamp, value", embedded=EMBEDDED_NAME)


# ---- the series --------------------------------------------------------------------------------------

def _series_frame(path: Path | str, raw: pd.DataFrame, header_only: bool = False) -> pd.DataFrame:
    cols = {c.strip().lstrip("\ufeff").lower(): c for c in raw.columns}
    missing = [c for c in ("timestamp", "value") if c not in cols]
    if missing:
        raise UserError(f"{path}: missing column(s) {', '.join(missing)}; expected NAB's header timestamp,value "
                        f"(found: {', '.join(map(str, raw.columns))})")
    if header_only:
        return raw
    text_t = raw[cols["timestamp"]].astype("string").str.strip()
    times = pd.to_datetime(text_t, format="ISO8601", errors="coerce")
    if times.isna().any():
        i = int(np.flatnonzero(times.isna().to_numpy())[0])
        raise UserError(f"{path}: column 'timestamp' has {text_t.iloc[i]!r} at data row {i + 1} (line {i + 2}); "
                        "expected a date and time such as 2014-07-01 00:00:00")
    text_v = raw[cols["value"]].astype("string").str.strip()
    values = pd.to_numeric(text_v, errors="coerce")
    bad = values.isna() | ~np.isfinite(values.astype(float)) | (values < 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise UserError(f"{path}: column 'value' has {text_v.iloc[i]!r} at data row {i + 1} (line {i + 2}); "
                        "expected a non-negative count of passengers")
    steps = times.diff().iloc[1:]
    irregular = steps != STEP
    if irregular.any():
        i = int(np.flatnonzero(irregular.to_numpy())[0]) + 1
        raise UserError(f"{path}: timestamp {text_t.iloc[i]!r} at data row {i + 1} (line {i + 2}) follows "
                        f"{text_t.iloc[i - 1]!r}; expected one row every 30 minutes, in order, without gaps")
    return pd.DataFrame({"timestamp": times.dt.tz_localize(None).astype("datetime64[ns]").to_numpy(),
                         "value": values.astype(float).to_numpy()})


def read_series(path: Path) -> pd.DataFrame:
    if path.suffix == ".xz":
        with lzma.open(path, "rt", encoding="utf-8") as fh:
            return _series_frame(path.name, pd.read_csv(fh, dtype=str, keep_default_na=False))
    return _series_frame(path, read_table(path).to_pandas())


# ---- the labels --------------------------------------------------------------------------------------

def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: unreadable ({exc.__class__.__name__})") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None


def _entry(path: Path, doc: Any, what: str) -> list:
    """NAB's {"<folder>/nyc_taxi.csv": [...]} mapping (one key, or the combined file of every series)."""
    if not isinstance(doc, dict):
        raise UserError(f"{path}: expected NAB's {what} mapping {{\"{NAB_KEY}\": [...]}}, got a {type(doc).__name__}")
    keys = [k for k in doc if isinstance(k, str) and k.replace("\\", "/").endswith(SERIES_FILE)]
    if len(keys) != 1:
        raise UserError(f"{path}: expected one key ending in {SERIES_FILE} (NAB's \"{NAB_KEY}\"), found "
                        f"{len(keys)} among {len(doc)} keys")
    value = doc[keys[0]]
    if not isinstance(value, list) or not value:
        raise UserError(f"{path}: entry {keys[0]!r} must be a non-empty list of {what}")
    return value


def _timestamp(path: Path, text: Any, where: str) -> pd.Timestamp:
    value = pd.NaT
    if isinstance(text, str):
        try:
            value = pd.Timestamp(text)
        except ValueError:
            pass
    if pd.isna(value):
        raise UserError(f"{path}: {where} is {text!r}; expected a timestamp such as \"2014-10-30 15:30:00.000000\"")
    return value


def read_windows(path: Path) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    out = []
    for i, pair in enumerate(_entry(path, _json(path), "[start, end] windows")):
        if not (isinstance(pair, list) and len(pair) == 2):
            raise UserError(f"{path}: window {i + 1} is {pair!r}; expected [start, end]")
        start, end = (_timestamp(path, t, f"window {i + 1}") for t in pair)
        if not start < end:
            raise UserError(f"{path}: window {i + 1} ends ({pair[1]}) before it starts ({pair[0]})")
        out.append((start, end))
    return sorted(out)


def read_labels(path: Path) -> list[pd.Timestamp]:
    return sorted(_timestamp(path, t, f"label {i + 1}") for i, t in enumerate(_entry(path, _json(path), "timestamps")))


def label_windows(windows, labels, frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """One row per window: start, end, label (the label inside it, else its midpoint) and the event's name."""
    first, last = frame["timestamp"].iloc[0], frame["timestamp"].iloc[-1]
    rows = []
    for k, (start, end) in enumerate(windows):
        if start < first or end > last:
            raise UserError(f"{where}: window {start} to {end} lies outside the series ({first} to {last})")
        if k and start <= windows[k - 1][1]:
            raise UserError(f"{where}: windows {k} and {k + 1} overlap")
        inside = [t for t in (labels or []) if start <= t <= end]
        if labels is not None and len(inside) != 1:
            raise UserError(f"{where}: window {start} to {end} holds {len(inside)} labels; expected exactly one")
        label = inside[0] if inside else start + (end - start) / 2
        rows.append({"start": start, "end": end, "label": label,
                     "name": EVENTS.get(str(label.date()), f"window {k + 1}")})
    if labels is not None:
        outside = [t for t in labels if not any(s <= t <= e for s, e in windows)]
        if outside:
            raise UserError(f"{where}: label {outside[0]} lies in no window")
    return pd.DataFrame(rows)


# ---- where the files are -----------------------------------------------------------------------------

def _label_candidates(series: Path | None, names: tuple[str, ...]) -> list[Path]:
    """Beside the series, in NAB's labels/ folder above it (up to three levels), then in the data folder."""
    dirs: list[Path] = []
    if series is not None:
        dirs.append(series.parent)
        dirs += [p / "labels" for p in list(series.parents)[:4]]
    data = Paths.find().data_raw
    dirs.append(data)
    found = [d / n for d in dirs for n in names if (d / n).is_file()]
    if not found and data.is_dir():
        found = [p for n in names for p in sorted(data.rglob(n)) if p.is_file()]
    return list(dict.fromkeys(found))


def _label_file(given, series: Path | None, embedded: Path, names: tuple[str, ...]) -> Path | None:
    """The user's file, else (embedded series) the embedded one, else the first found near the series, else None."""
    if given:
        return explicit_path(given)
    if series is None:
        return embedded
    found = _label_candidates(series, names)
    return found[0] if found else None


def find_series() -> tuple[str, Path | None, str, list[str]]:
    """(source, file or None, version, notes): the data folder, then kagglehub, then the embedded copy."""
    data = Paths.find().data_raw
    if data.is_dir():
        found = sorted(data.rglob(SERIES_FILE), key=lambda p: (len(p.parts), str(p)))
        if found:
            return "file", found[0], "", []
    notes = [f"no {SERIES_FILE} in {display_path(data)}/" if data.is_dir() else f"no data folder {display_path(data)}/"]
    file, version, why = kagglehub_file(SPEC)
    if file is not None:
        return "kagglehub", file, f"{HANDLE} version {version}", notes
    return "embedded", None, EMBEDDED_NAME, notes + [why]


def load_nab_taxi(path: str | Path | None = None, windows_path: str | Path | None = None,
                  labels_path: str | Path | None = None) -> TaxiData:
    """Load and validate the series and its windows (see the module docstring for the sources)."""
    if path:
        source, file, version, notes = "file", explicit_path(path), "", []
    else:
        source, file, version, notes = find_series()
    series_file = file if file is not None else EMBEDDED_SERIES
    frame = read_series(series_file)
    wfile = _label_file(windows_path, file, EMBEDDED_WINDOWS, WINDOW_FILES)
    lfile = _label_file(labels_path, file, EMBEDDED_LABELS, LABEL_FILES)
    if wfile is None:
        wfile = EMBEDDED_WINDOWS
        notes.append("no windows file (nyc_taxi_windows.json or NAB's combined_windows.json) found: NAB's windows "
                     "for this series are used (benchmark metadata shipped in the package)")
    windows = read_windows(wfile)
    labels = read_labels(lfile) if lfile is not None else None
    if lfile is None:
        notes.append("no labels file found: each window's midpoint is its label (NAB centres windows on labels)")
    where = display_path(wfile) if wfile != EMBEDDED_WINDOWS else "embedded:nyc_taxi_windows.json"
    table = label_windows(windows, labels, frame, where)
    if file is None:
        digest = hashlib.sha256(lzma.decompress(EMBEDDED_SERIES.read_bytes())).hexdigest()
        shown = EMBEDDED_NAME
    else:
        digest, shown = sha256_file(file), display_path(file)
    labels_shown = ("window midpoints" if lfile is None else
                    "embedded:nyc_taxi_labels.json" if lfile == EMBEDDED_LABELS else display_path(lfile))
    report = {"rows": int(len(frame)), "columns": ["timestamp", "value"], "layout": "NAB timestamp,value",
              "first": str(frame["timestamp"].iloc[0]), "last": str(frame["timestamp"].iloc[-1]),
              "min": float(frame["value"].min()), "max": float(frame["value"].max()),
              "windows": int(len(table)), "windows_source": where, "labels_source": labels_shown,
              "version": version, "notes": notes, "warnings": [], "duplicates_dropped": 0}
    prov = Provenance(source=source, path=shown, rows=int(len(frame)), sha256=digest, synthetic=False,
                      note="; ".join(notes), kind="real")
    return TaxiData(frame, table, prov, report, file)


def summary_lines(data: TaxiData) -> list[str]:
    """`mlplab data check nab`: one fact per line."""
    p, r = data.provenance, data.report
    lines = [f"dataset:   nab (NYC taxi passengers per 30 minutes)", f"source:    {p.source}", f"path:      {p.path}",
             f"sha256:    {p.sha256}", f"rows:      {r['rows']:,}", f"span:      {r['first']} .. {r['last']}",
             f"values:    {r['min']:,.0f} .. {r['max']:,.0f} passengers per 30 minutes",
             f"windows:   {r['windows']} from {r['windows_source']}; labels from {r['labels_source']}"]
    lines += [f"  {w.start} .. {w.end}  label {w.label}  ({w.name})" for w in data.windows.itertuples()]
    lines += [f"note:      {n}" for n in r["notes"]]
    return lines
