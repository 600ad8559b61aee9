"""Which file a loader reads: an explicit path, else the data dir, else kagglehub, else the embedded default.

Why this is its own step: the loaders and the runner's staleness check must agree on the source
without loading the table. `locate` decides (cheaply: file names and CSV headers only) and is loud:
a file the loader would use and whose header does not fit raises a UserError naming it; the
embedded default is used only when no candidate file exists at all, and its note says what was
looked for where.

Candidates in the data dir, first wins:
1. a preferred file name (`prices-split-adjusted.csv`, ...), whatever its header;
2. any other CSV/TSV whose header has every column the dataset needs (format by header, not name);
3. any other CSV/TSV whose header looks like the dataset (at least half of those columns): used, so
   its validation error reaches the user instead of a silent synthetic run.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mlplab.data.io import canonical_name, data_dir, display_path, header, sha256_file
from mlplab.errors import UserError

NO_KAGGLEHUB_ENV = "MLPLAB_NO_KAGGLEHUB"
ONLINE_TIMEOUT_S = 2.0
TABLE_SUFFIXES = (".csv", ".tsv", ".txt")


@dataclass(frozen=True)
class DatasetSpec:
    """What `locate` needs to know about one dataset (each loader module defines one)."""

    name: str
    handle: str  # Kaggle dataset handle for kagglehub
    names: tuple[str, ...]  # preferred file names, in order
    accepts: Callable[[set[str]], bool]  # canonical header has every needed column
    looks_like: Callable[[set[str]], bool]  # canonical header resembles the dataset
    check_header: Callable[[Path], None]  # raises UserError naming the file and the expected columns
    columns: str  # the needed columns, for messages
    embedded: str  # the embedded default and its generator version, e.g. "synth_nyse v1 seed 0"


@dataclass(frozen=True)
class Source:
    """A resolved source: kind 'file' | 'kagglehub' | 'embedded', the file (None when embedded),
    a version (kagglehub dataset version, or the embedded generator), and notes on how it was found."""

    kind: str
    path: Path | None
    version: str = ""
    notes: tuple[str, ...] = field(default=())

    def fingerprint(self) -> dict[str, str]:
        """What the runner's staleness check compares: the file's sha256, or the embedded generator."""
        fp = {"source": self.kind}
        if self.path is not None:
            fp["path"] = display_path(self.path)
            fp["sha256"] = sha256_file(self.path)
        if self.version:
            fp["version"] = self.version
        return fp


def canonical_header(path: Path) -> set[str]:
    return {canonical_name(c) for c in header(path)}


def candidates(directory: Path, spec: DatasetSpec) -> list[Path]:
    """Files in `directory` the loader would use, best first (see the module docstring)."""
    if not directory.is_dir():
        return []
    preferred = [directory / n for n in spec.names if (directory / n).is_file()]
    others = sorted(q for q in directory.iterdir()
                    if q.is_file() and q.suffix.lower() in TABLE_SUFFIXES and q.name not in spec.names)
    heads = {q: canonical_header(q) for q in others}
    full = [q for q in others if spec.accepts(heads[q])]
    partial = [q for q in others if q not in full and spec.looks_like(heads[q])]
    return preferred + full + partial


def find_in_dir(directory: Path, spec: DatasetSpec) -> Path | None:
    found = candidates(directory, spec)
    return found[0] if found else None


def _kagglehub_version(folder: Path) -> str:
    """kagglehub caches each dataset version as .../versions/<n>/ and returns that folder."""
    if folder.parent.name == "versions" and folder.name.isdigit():
        return folder.name
    return "unknown"


def kagglehub_file(spec: DatasetSpec) -> tuple[Path | None, str, str]:
    """Try kagglehub; return (file or None, version, why not). Never raises: kagglehub is a
    convenience, not a requirement."""
    if os.environ.get(NO_KAGGLEHUB_ENV):
        return None, "", f"kagglehub skipped ({NO_KAGGLEHUB_ENV} is set)"
    try:
        import kagglehub  # noqa: PLC0415 — optional dependency
    except ImportError:
        return None, "", "kagglehub not installed"
    try:
        socket.create_connection(("www.kaggle.com", 443), timeout=ONLINE_TIMEOUT_S).close()
    except OSError as exc:
        return None, "", f"kagglehub skipped (offline: {type(exc).__name__})"
    try:
        folder = Path(kagglehub.dataset_download(spec.handle))
    except Exception as exc:  # network, auth, API changes: all mean "use the next source"
        return None, "", f"kagglehub download of {spec.handle} failed ({type(exc).__name__}: {str(exc)[:120]})"
    found = find_in_dir(folder, spec)
    if found is None:
        for sub in sorted(p for p in folder.rglob("*") if p.is_dir()):
            found = find_in_dir(sub, spec)
            if found is not None:
                break
    if found is None:
        return None, "", f"kagglehub download of {spec.handle} has no usable file"
    return found, _kagglehub_version(folder), ""


def explicit_path(path: str | Path) -> Path:
    """A path given by the user: as is when it exists, else relative to the project root (notebooks run
    in report/, the runner resolves `data_path` from the root); a missing file is a UserError."""
    from mlplab.experiment.paths import Paths  # noqa: PLC0415

    p = Path(path).expanduser()
    if not p.is_absolute() and not p.exists():
        alt = Paths.find().root / p
        if alt.exists():
            p = alt
    if not p.exists():
        raise UserError(f"{p}: file not found")
    return p


def locate(spec: DatasetSpec, path: str | Path | None = None) -> Source:
    """The source the loader will read; header faults of that file raise a UserError here."""
    if path is not None:
        p = explicit_path(path)
        spec.check_header(p)
        return Source("file", p)
    d = data_dir()
    found = find_in_dir(d, spec)
    if found is not None:
        spec.check_header(found)
        return Source("file", found)
    where = display_path(d)
    notes = [f"no {' or '.join(spec.names)} and no other CSV with the columns {spec.columns} in {where}/"
             if d.is_dir() else f"no data folder {where}/"]
    found, version, why = kagglehub_file(spec)
    if found is not None:
        spec.check_header(found)
        return Source("kagglehub", found, version=f"{spec.handle} version {version}", notes=tuple(notes))
    notes.append(why)
    return Source("embedded", None, version=spec.embedded, notes=tuple(notes))


def half_of(needed: Iterable[str]) -> Callable[[set[str]], bool]:
    """A `looks_like` predicate: at least half of the needed columns present (and at least two)."""
    needed = frozenset(needed)
    least = max(2, (len(needed) + 1) // 2)
    return lambda cols: len(needed & cols) >= least
