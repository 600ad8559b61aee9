"""UCI Air Quality (De Vito et al. 2008, CC BY 4.0): hourly readings of a gas multisensor device and
reference analysers in an Italian city, March 2004 to April 2005.

Columns: `Date`, `Time`, then 13 measured series: the reference analysers' CO(GT) (mg/m³), NMHC(GT)
(µg/m³), C6H6(GT) (benzene, µg/m³), NOx(GT) (ppb) and NO2(GT) (µg/m³); five metal-oxide sensor
responses PT08.S1(CO) … PT08.S5(O3) (no unit); temperature T (°C), relative humidity RH (%) and
absolute humidity AH. Missing values are coded -200.

Accepted layouts (a file is recognised by its header, whatever its name):
- the original UCI `AirQualityUCI.csv`: `;` separator, `,` decimal mark, `Date` DD/MM/YYYY and `Time`
  HH.MM.SS, two empty trailing columns, trailing lines of separators only;
- a comma/dot export of the same table: `,` separator, `.` decimal mark, dates DD/MM/YYYY or
  YYYY-MM-DD, times HH.MM.SS or HH:MM:SS, missing values as -200 or empty cells; NMHC(GT) may be absent.

Sources, first found wins: an explicit `path`; a file in the data folder (data/raw/ or
$MLPLAB_DATA_DIR) named AirQualityUCI.csv, or any .csv/.txt whose header has the columns; the
embedded default (the original UCI file, shipped in the package with its attribution). A candidate
file that fails validation is a UserError naming the file, never a silent fallback.

The loaded frame keeps every row on a regular hourly grid (hours absent from the file are added as
missing and counted) and NaN for every missing value; what to drop or fill is the analysis' choice.
"""

from __future__ import annotations

import hashlib
import io
import lzma
from pathlib import Path

import numpy as np
import pandas as pd

from mlplab.data.io import display_path, sha256_file
from mlplab.data.provenance import Loaded, Provenance
from mlplab.data.resolve import explicit_path
from mlplab.errors import UserError
from mlplab.experiment.paths import Paths

SERIES = ("CO(GT)", "PT08.S1(CO)", "NMHC(GT)", "C6H6(GT)", "PT08.S2(NMHC)", "NOx(GT)", "PT08.S3(NOx)", "NO2(GT)",
          "PT08.S4(NO2)", "PT08.S5(O3)", "T", "RH", "AH")
OPTIONAL = ("NMHC(GT)",)
UNITS = {"CO(GT)": "mg/m³", "NMHC(GT)": "µg/m³", "C6H6(GT)": "µg/m³", "NOx(GT)": "ppb", "NO2(GT)": "µg/m³",
         "T": "°C", "RH": "%", "AH": "g/m³", **{c: "sensor response" for c in SERIES if c.startswith("PT08")}}
MISSING_CODE = -200.0
FILE_NAMES = ("AirQualityUCI.csv", "AirQuality.csv", "air_quality.csv")
SUFFIXES = (".csv", ".txt")
EMBEDDED = Path(__file__).with_name("embedded") / "AirQualityUCI.csv.xz"
EMBEDDED_NAME = "embedded:AirQualityUCI.csv (real data, UCI, CC BY 4.0)"
FORMATS = ("%d/%m/%Y %H.%M.%S", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H.%M.%S")
LAYOUTS = {";": "UCI original (; separator, decimal comma)", ",": "comma/dot export"}


def _key(name: str) -> str:
    return name.strip().lstrip("\ufeff").lower().replace(" ", "")


KEYS = {_key(c): c for c in ("Date", "Time", *SERIES)}


def _first_line(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            return fh.readline().decode("utf-8-sig", errors="replace")
    except OSError as exc:
        raise UserError(f"{path}: unreadable ({exc.strerror or exc})") from None


def _header(line: str) -> tuple[str, list[str]]:
    sep = ";" if line.count(";") > line.count(",") else ","
    return sep, [c for c in line.rstrip("\r\n").split(sep)]


def _looks_like(path: Path) -> bool:
    _, cols = _header(_first_line(path))
    keys = {_key(c) for c in cols}
    return "co(gt)" in keys and "date" in keys


def check_header(path: Path, line: str | None = None) -> str:
    """The separator of a file the loader would use; a UserError naming the file when columns are missing."""
    if path.is_dir():
        raise UserError(f"{path}: is a directory, expected a CSV file")
    if path.stat().st_size == 0:
        raise UserError(f"{path}: file is empty, expected the Air Quality table")
    sep, cols = _header(line if line is not None else _first_line(path))
    keys = {_key(c) for c in cols}
    missing = [c for c in ("Date", "Time", *SERIES) if _key(c) not in keys and c not in OPTIONAL]
    if missing:
        raise UserError(f"{path}: missing column(s) {', '.join(missing)}; expected the UCI Air Quality header "
                        f"Date;Time;CO(GT);PT08.S1(CO);...;T;RH;AH (or the same names comma-separated)")
    return sep


def _parse(path: Path, text: str, shown: str) -> tuple[pd.DataFrame, dict]:
    sep = check_header(path, text.split("\n", 1)[0].lstrip("\ufeff"))
    raw = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=True)
    raw.columns = [str(c).strip().lstrip("\ufeff") for c in raw.columns]
    empty_cols = [c for c in raw.columns if _key(c) not in KEYS and (raw[c].str.strip() == "").all()]
    extra = [c for c in raw.columns if _key(c) not in KEYS and c not in empty_cols]
    raw = raw.rename(columns={c: KEYS[_key(c)] for c in raw.columns if _key(c) in KEYS})
    cells = raw[[c for c in ("Date", "Time", *SERIES) if c in raw.columns]].apply(lambda s: s.str.strip())
    blank = (cells == "").all(axis=1)
    trailing = int(blank.sum())
    line_of = np.flatnonzero(~blank.to_numpy()) + 2
    cells = cells[~blank].reset_index(drop=True)
    if cells.empty:
        raise UserError(f"{shown}: has a header but no data rows")
    stamp = cells["Date"] + " " + cells["Time"]
    times = None
    for fmt in FORMATS:
        parsed = pd.to_datetime(stamp, format=fmt, errors="coerce")
        if parsed.notna().iloc[0]:
            times = parsed
            break
    if times is None or times.isna().any():
        i = 0 if times is None else int(np.flatnonzero(times.isna().to_numpy())[0])
        raise UserError(f"{shown}: Date/Time {cells['Date'].iloc[i]!r} {cells['Time'].iloc[i]!r} at line {line_of[i]} "
                        "is not a date and hour such as 10/03/2004 18.00.00 (or 2004-03-10 18:00:00)")
    values, minus200, empty = {}, {}, {}
    for col in SERIES:
        if col not in cells:
            continue
        text_col = cells[col].str.replace(",", ".", regex=False) if sep == ";" else cells[col]
        is_empty = text_col == ""
        num = pd.to_numeric(text_col.where(~is_empty, "nan"), errors="coerce")
        bad = num.isna() & ~is_empty | np.isinf(num)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise UserError(f"{shown}: column {col!r} has {cells[col].iloc[i]!r} at line {line_of[i]}; expected a number "
                            "(-200 or an empty cell for a missing value)")
        code = num == MISSING_CODE
        minus200[col], empty[col] = int(code.sum()), int(is_empty.sum())
        values[col] = num.mask(code).to_numpy(dtype=float)
    frame = pd.DataFrame(values, index=pd.DatetimeIndex(times, name="timestamp"))
    dup = frame.index.duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise UserError(f"{shown}: hour {frame.index[i]} at line {line_of[i]} appears twice; expected one row per hour")
    steps = frame.index.to_series().diff().iloc[1:]
    off = (steps <= pd.Timedelta(0)) | (steps % pd.Timedelta(hours=1) != pd.Timedelta(0))
    if off.any():
        i = int(np.flatnonzero(off.to_numpy())[0]) + 1
        raise UserError(f"{shown}: hour {frame.index[i]} at line {line_of[i]} follows {frame.index[i - 1]}; expected "
                        "rows in time order, one per hour")
    full = pd.date_range(frame.index[0], frame.index[-1], freq="h", name="timestamp")
    added = len(full) - len(frame)
    frame = frame.reindex(full)
    report = {"layout": LAYOUTS[sep], "rows": int(len(frame)), "rows_in_file": int(len(cells)), "hours_added": int(added),
              "columns": [c for c in SERIES if c in frame], "first": str(frame.index[0]), "last": str(frame.index[-1]),
              "missing_code": {c: minus200[c] for c in frame}, "empty_cells": {c: empty[c] for c in frame},
              "missing": {c: int(frame[c].isna().sum()) for c in frame}, "trailing_blank_rows": trailing,
              "dropped_columns": extra + empty_cols, "warnings": [], "duplicates_dropped": 0}
    return frame, report


def read_file(path: Path) -> tuple[pd.DataFrame, dict]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: unreadable ({exc.strerror or exc})") from None
    if not data.strip():
        raise UserError(f"{path}: file is empty, expected the Air Quality table")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return _parse(path, text.replace("\r\n", "\n"), str(path))


def find_file() -> tuple[Path | None, list[str]]:
    """The data folder's candidate (preferred names, then any table whose header fits), else None."""
    data = Paths.find().data_raw
    if not data.is_dir():
        return None, [f"no data folder {display_path(data)}/"]
    preferred = [data / n for n in FILE_NAMES if (data / n).is_file()]
    others = sorted(p for p in data.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES
                    and p.name not in FILE_NAMES and _looks_like(p))
    found = preferred + others
    if found:
        return found[0], []
    return None, [f"no {FILE_NAMES[0]} and no other CSV with the Air Quality columns in {display_path(data)}/"]


def load_airquality(path: str | Path | None = None) -> Loaded:
    """Load and validate the table (see the module docstring for the layouts and sources)."""
    if path:
        file, notes = explicit_path(path), []
    else:
        file, notes = find_file()
    if file is None:
        data = lzma.decompress(EMBEDDED.read_bytes())
        frame, report = _parse(EMBEDDED, data.decode("utf-8-sig").replace("\r\n", "\n"), EMBEDDED_NAME)
        digest, shown, source = hashlib.sha256(data).hexdigest(), EMBEDDED_NAME, "embedded"
    else:
        frame, report = read_file(file)
        digest, shown, source = sha256_file(file), display_path(file), "file"
    report["notes"] = notes
    prov = Provenance(source=source, path=shown, rows=int(len(frame)), sha256=digest, synthetic=False,
                      note="; ".join(notes), kind="real")
    return Loaded(frame, prov, report, file)


def summary_lines(ld: Loaded) -> list[str]:
    """`mlplab data check airquality`: one fact per line."""
    p, r = ld.provenance, ld.report
    lines = [f"dataset:   airquality (UCI Air Quality, hourly)", f"source:    {p.source}", f"path:      {p.path}",
             f"sha256:    {p.sha256}", f"layout:    {r['layout']}", f"rows:      {r['rows']:,} hours "
             f"({r['rows_in_file']:,} in the file, {r['hours_added']:,} missing hours added)",
             f"span:      {r['first']} .. {r['last']}", "missing values per column (-200 codes, empty cells):"]
    width = max(len(c) for c in r["columns"])
    lines += [f"  {c:<{width}}  {r['missing'][c]:>6,}  ({r['missing_code'][c]:,} coded -200, {r['empty_cells'][c]:,} empty)"
              for c in r["columns"]]
    if r["dropped_columns"]:
        lines.append(f"ignored columns: {', '.join(map(repr, r['dropped_columns']))}")
    lines += [f"note:      {n}" for n in r["notes"]]
    return lines
