"""Algerian Forest Fires (UCI): the file as published, or a cleaned single table with a Region column.

The published file (`Algerian_forest_fires_dataset_UPDATE.csv`) holds two region blocks, each under
a title line ("Bejaia Region Dataset", "Sidi-Bel Abbes Region Dataset") and its own copy of the
header; names and class labels carry stray spaces; one row (14/07/2012, Sidi-Bel Abbes) has DC and
ISI fused into one field ("14.6 9"). The loader reads it as published and records every repair it
makes (one entry per kind, with the lines), so the report can list them:

- title lines -> the `region` of the rows below them; the repeated header is checked and skipped;
- stray spaces stripped from names and values (class labels "fire   " -> "fire");
- a row with one field too few whose field holds two numbers separated by a space is split there;
- empty lines skipped.

A cleaned table (one header with a `Region` column: names, or the codes 0 = Bejaia and 1 =
Sidi-Bel Abbes of the widely shared cleaned copy) is read directly. Anything else that does not fit
(an unknown region title, a row of the wrong length that no repair explains, a value that is not a
number, a label other than fire / not fire, a date that does not exist, the same day twice in one
region) is a UserError naming the file and the line.

Canonical frame, one row per region and day: date, region, day, month, year, temperature (°C, noon
maximum), rh (%), ws (km/h), rain (mm), ffmc, dmc, dc, isi, bui, fwi, label ("fire" | "not fire"),
fire (1 | 0). The embedded default is the original UCI file itself (CC BY 4.0), shipped in the package.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from mlplab.data.io import canonical_name, display_path, sha256_file
from mlplab.data.provenance import Loaded, Provenance
from mlplab.data.resolve import explicit_path
from mlplab.errors import UserError

WEATHER = ("temperature", "rh", "ws", "rain")
FWI = ("ffmc", "dmc", "dc", "isi", "bui", "fwi")
NUMERIC = (*WEATHER, *FWI)
SOURCE_NAMES = {"temperature": "Temperature", "rh": "RH", "ws": "Ws", "rain": "Rain", "ffmc": "FFMC", "dmc": "DMC",
                "dc": "DC", "isi": "ISI", "bui": "BUI", "fwi": "FWI"}
UNITS = {"temperature": "°C", "rh": "%", "ws": "km/h", "rain": "mm", "ffmc": "index", "dmc": "index", "dc": "index",
         "isi": "index", "bui": "index", "fwi": "index"}
HEADER = ("day", "month", "year", *NUMERIC, "classes")
REGIONS = ("Bejaia", "Sidi-Bel Abbes")
REGION_CODES = {"0": "Bejaia", "1": "Sidi-Bel Abbes"}
LABELS = ("not fire", "fire")
COLUMNS = ("date", "region", "day", "month", "year", *NUMERIC, "label", "fire")
FILE_NAMES = ("Algerian_forest_fires_dataset_UPDATE.csv", "Algerian_forest_fires_dataset.csv",
              "Algerian_forest_fires_cleaned_dataset.csv", "Algerian_forest_fires_cleaned.csv")
EMBEDDED = Path(__file__).with_name("embedded") / "Algerian_forest_fires_dataset_UPDATE.csv"
EMBEDDED_NAME = "embedded:Algerian_forest_fires_dataset_UPDATE.csv (real data, CC BY 4.0)"
LAYOUTS = {"uci": "UCI original (two region blocks)", "clean": "cleaned single table with a Region column"}
_TITLE = re.compile(r"^\s*(?P<name>.+?)\s+region\s+dataset\s*[,;]*\s*$", re.IGNORECASE)
_FUSED = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s*$")


# ---- parsing ---------------------------------------------------------------------------------------

def _lines(data: bytes, path: Path) -> list[str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not a UTF-8 text file (byte {exc.start}); expected the UCI CSV") from None
    return text.splitlines()


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split(",")]


def _is_header(cells: list[str]) -> bool:
    return bool(cells) and canonical_name(cells[0]) == "day"


def _region_name(text: str, path: Path, line_no: int) -> str:
    key = canonical_name(text)
    for name in REGIONS:
        if canonical_name(name) == key:
            return name
    raise UserError(f"{path}: line {line_no}: unknown region {text.strip()!r}; expected one of {', '.join(REGIONS)}")


class _Repairs:
    """Repairs by kind, with the lines each touched (what the report lists)."""

    def __init__(self):
        self.items: dict[str, dict] = {}

    def add(self, kind: str, what: str, line: int) -> None:
        item = self.items.setdefault(kind, {"repair": kind, "what": what, "lines": []})
        item["lines"].append(line)

    def table(self) -> list[dict]:
        return [{**i, "count": len(i["lines"])} for i in self.items.values()]


def parse(data: bytes, path: Path) -> tuple[pd.DataFrame, dict]:
    """The file's bytes -> (canonical frame, report with layout and repairs). UserError on anything unexplained."""
    lines = _lines(data, path)
    repairs = _Repairs()
    first = next((i for i, ln in enumerate(lines) if ln.strip().strip(",")), None)
    if first is None:
        raise UserError(f"{path}: file is empty, expected the Algerian forest fires table")
    head = _cells(lines[first])
    names = [canonical_name(c) for c in head]
    layout = "clean" if _is_header(head) and "region" in names else "uci"
    rows: list[dict] = []
    header: list[str] | None = None
    region: str | None = None
    for i, raw in enumerate(lines):
        no = i + 1
        if not raw.strip().strip(","):
            if i > first:
                repairs.add("empty line skipped", "an empty line between the region blocks", no)
            continue
        title = _TITLE.match(raw)
        if title and layout == "uci":
            region = _region_name(title.group("name"), path, no)
            repairs.add("title line -> region", "a region title line; its rows get that region", no)
            continue
        cells = _cells(raw)
        if _is_header(cells):
            names = [canonical_name(c) for c in cells]
            expected = list(HEADER) + (["region"] if layout == "clean" else [])
            if sorted(names) != sorted(expected):
                missing = [c for c in expected if c not in names]
                extra = [c for c in names if c not in expected]
                raise UserError(f"{path}: line {no}: header {','.join(c.strip() for c in raw.split(','))!r} does not "
                                f"match the Algerian forest fires columns (missing: {', '.join(missing) or 'none'}; "
                                f"unexpected: {', '.join(extra) or 'none'})")
            if any(c != c.strip() for c in raw.split(",")):
                repairs.add("stray spaces in names",
                            "spaces around column names stripped (the name ' RH', with a leading space, became 'RH')", no)
            if header is not None:
                if names != header:
                    raise UserError(f"{path}: line {no}: the repeated header differs from the first one")
                repairs.add("repeated header skipped", "the second block's copy of the header", no)
            header = names
            continue
        if header is None:
            raise UserError(f"{path}: line {no}: data before any header line; expected a header starting with 'day'")
        if layout == "uci" and region is None:
            raise UserError(f"{path}: line {no}: data before any 'Region Dataset' title line; the region is unknown")
        if len(cells) == len(header) - 1:
            cells = _split_fused(cells, path, no, repairs)
        if len(cells) != len(header):
            raise UserError(f"{path}: line {no}: {len(cells)} fields, expected {len(header)} ({', '.join(header)})")
        record = dict(zip(header, cells))
        if any(c != c.strip() for c in raw.split(",")):
            repairs.add("stray spaces in values",
                        "spaces around values stripped (the value 'fire' followed by three spaces became 'fire')", no)
        if layout == "clean":
            record["region"] = _clean_region(record["region"], path, no, repairs)
        else:
            record["region"] = region
        record["line"] = no
        rows.append(record)
    if not rows:
        raise UserError(f"{path}: no data rows found")
    frame = _typed(rows, path)
    report = {"layout": LAYOUTS[layout], "layout_key": layout, "rows": int(len(frame)), "columns": list(COLUMNS),
              "repairs": repairs.table(), "regions": {r: int((frame["region"] == r).sum()) for r in REGIONS},
              "class_counts": {lab: int((frame["label"] == lab).sum()) for lab in LABELS},
              "days": int(frame["date"].nunique()), "first_day": str(frame["date"].min().date()),
              "last_day": str(frame["date"].max().date()), "warnings": [], "duplicates_dropped": 0}
    return frame, report


def _split_fused(cells: list[str], path: Path, no: int, repairs: _Repairs) -> list[str]:
    """One field too few: split the single field that holds two space-separated numbers, if exactly one does."""
    fused = [j for j, c in enumerate(cells) if _FUSED.match(c)]
    if len(fused) != 1:
        return cells
    j = fused[0]
    a, b = _FUSED.match(cells[j]).groups()
    repairs.add("fused field split", f"two numbers in one field ('{cells[j]}') split into two columns", no)
    return cells[:j] + [a, b] + cells[j + 1:]


def _clean_region(value: str, path: Path, no: int, repairs: _Repairs) -> str:
    text = value.strip()
    if text in REGION_CODES:
        repairs.add("region code -> name", "Region codes 0/1 read as Bejaia/Sidi-Bel Abbes", no)
        return REGION_CODES[text]
    return _region_name(text, path, no)


def _typed(rows: list[dict], path: Path) -> pd.DataFrame:
    out = []
    for r in rows:
        no = r["line"]
        values = {}
        for col in ("day", "month", "year", *NUMERIC):
            text = r[col]
            try:
                values[col] = float(text)
            except ValueError:
                shown = "an empty value" if not text else f"non-numeric value {text!r}"
                raise UserError(f"{path}: line {no}: column {SOURCE_NAMES.get(col, col)!r} has {shown}; "
                                "expected a number") from None
            if not np.isfinite(values[col]):
                raise UserError(f"{path}: line {no}: column {SOURCE_NAMES.get(col, col)!r} is {text!r}; expected a number")
        try:
            day = date(int(values["year"]), int(values["month"]), int(values["day"]))
        except ValueError:
            raise UserError(f"{path}: line {no}: day {r['day']}, month {r['month']}, year {r['year']} is not a date") from None
        label = " ".join(r["classes"].lower().split())
        if label not in LABELS:
            raise UserError(f"{path}: line {no}: column 'Classes' has {r['classes']!r}; expected 'fire' or 'not fire'")
        negative = [c for c in NUMERIC if values[c] < 0]
        if negative:
            raise UserError(f"{path}: line {no}: column {SOURCE_NAMES[negative[0]]!r} is negative "
                            f"({values[negative[0]]}); expected >= 0")
        out.append({"date": pd.Timestamp(day), "region": r["region"], "day": day.day, "month": day.month,
                    "year": day.year, **{c: values[c] for c in NUMERIC}, "label": label,
                    "fire": int(label == "fire"), "line": no})
    frame = pd.DataFrame(out)
    dup = frame.duplicated(["region", "date"], keep="first")
    if dup.any():
        r = frame[dup].iloc[0]
        raise UserError(f"{path}: line {int(r['line'])}: {r['region']} {r['date'].date()} appears twice; "
                        "expected one row per region and day")
    frame = frame.drop(columns="line").sort_values(["date", "region"], kind="stable").reset_index(drop=True)
    return frame[list(COLUMNS)]


# ---- sources -----------------------------------------------------------------------------------------

def _candidates(directory: Path) -> list[Path]:
    """Files in the data folder this loader would use: a known file name, else any CSV whose text names
    the dataset's columns (a 'day' header with FFMC and FWI)."""
    if not directory.is_dir():
        return []
    preferred = [directory / n for n in FILE_NAMES if (directory / n).is_file()]
    others = []
    for q in sorted(directory.iterdir()):
        if q.is_file() and q.suffix.lower() == ".csv" and q.name not in FILE_NAMES:
            try:
                head = q.open("rb").read(4096).decode("utf-8", errors="replace").lower()
            except OSError:
                continue
            if "ffmc" in head and "fwi" in head and "day" in head:
                others.append(q)
    return preferred + others


def locate(path: str | Path | None = None) -> Path | None:
    if path is not None:
        return explicit_path(path)
    from mlplab.data.io import data_dir

    found = _candidates(data_dir())
    return found[0] if found else None


def load_wildfire(path: str | Path | None = None) -> Loaded:
    """Load the forest-fires table: `path`, else the data folder, else the embedded original file."""
    file = locate(path)
    if file is not None:
        if file.is_dir():
            raise UserError(f"{file}: is a directory, expected the Algerian forest fires CSV")
        frame, report = parse(file.read_bytes(), file)
        prov = Provenance(source="file", path=display_path(file), rows=len(frame), sha256=sha256_file(file),
                          note=report["layout"])
        return Loaded(frame=frame, provenance=prov, report=report, file=file.resolve())
    data = EMBEDDED.read_bytes()
    frame, report = parse(data, Path(EMBEDDED_NAME))
    report["warnings"].append("no forest-fires file in the data folder: used the original UCI file shipped with the package")
    prov = Provenance(source="embedded", path=EMBEDDED_NAME, rows=len(frame), sha256=hashlib.sha256(data).hexdigest(),
                      note="the original UCI file (CC BY 4.0), shipped with the package")
    return Loaded(frame=frame, provenance=prov, report=report)


def fingerprint(path: str | Path | None = None) -> dict:
    """The runner's staleness input without parsing: the file and its sha256, or the embedded file."""
    file = locate(path)
    if file is not None and file.is_file():
        return {"wildfire": {"source": "file", "path": display_path(file), "sha256": sha256_file(file)}}
    return {"wildfire": {"source": "embedded", "sha256": sha256_file(EMBEDDED)}}


def summary_lines(ld: Loaded) -> list[str]:
    """`mlplab data check wildfire`: one fact per line, every repair included."""
    p, r = ld.provenance, ld.report
    lines = ["dataset:   wildfire", f"source:    {p.source}", f"path:      {p.path}", f"sha256:    {p.sha256}",
             f"layout:    {r['layout']}", f"rows:      {r['rows']:,} ({r['days']} days, {r['first_day']} .. {r['last_day']})",
             "regions:   " + ", ".join(f"{k} {v}" for k, v in r["regions"].items()),
             "classes:   " + ", ".join(f"{k} {v}" for k, v in r["class_counts"].items()),
             "repairs:   " + ("none" if not r["repairs"] else "")]
    for rep in r["repairs"]:
        shown = ", ".join(map(str, rep["lines"][:8])) + (" ..." if len(rep["lines"]) > 8 else "")
        lines.append(f"  - {rep['repair']} ({rep['count']}×: {rep['what']}; line {shown})")
    lines.append("warnings:  " + ("none" if not r["warnings"] else ""))
    lines += [f"  - {w}" for w in r["warnings"]]
    return lines
