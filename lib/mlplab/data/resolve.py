"""Where a dataset comes from when no path is given: data dir, then kagglehub, then the embedded default."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterable
from pathlib import Path

from mlplab.data.io import canonical_name, data_dir, header

NO_KAGGLEHUB_ENV = "MLPLAB_NO_KAGGLEHUB"
ONLINE_TIMEOUT_S = 2.0


def find_in_dir(directory: Path, names: Iterable[str], accepts: Callable[[set[str]], bool]) -> Path | None:
    """The preferred file names first, then any other CSV/TSV whose header fits (format by header, not name)."""
    if not directory.is_dir():
        return None
    for name in names:
        p = directory / name
        if p.is_file() and accepts({canonical_name(c) for c in header(p)}):
            return p
    others = sorted(q for q in directory.iterdir() if q.is_file() and q.suffix.lower() in (".csv", ".tsv", ".txt"))
    for p in others:
        if accepts({canonical_name(c) for c in header(p)}):
            return p
    return None


def kagglehub_file(handle: str, names: Iterable[str], accepts: Callable[[set[str]], bool]) -> tuple[Path | None, str]:
    """Try kagglehub; return (file or None, why not). Never raises: kagglehub is a convenience, not a requirement."""
    if os.environ.get(NO_KAGGLEHUB_ENV):
        return None, f"kagglehub skipped ({NO_KAGGLEHUB_ENV} is set)"
    try:
        import kagglehub  # noqa: PLC0415 — optional dependency
    except ImportError:
        return None, "kagglehub not installed"
    try:
        socket.create_connection(("www.kaggle.com", 443), timeout=ONLINE_TIMEOUT_S).close()
    except OSError as exc:
        return None, f"kagglehub skipped (offline: {type(exc).__name__})"
    try:
        folder = Path(kagglehub.dataset_download(handle))
    except Exception as exc:  # network, auth, API changes: all mean "use the next source"
        return None, f"kagglehub download of {handle} failed ({type(exc).__name__}: {str(exc)[:120]})"
    found = find_in_dir(folder, names, accepts)
    if found is None:
        for sub in sorted(p for p in folder.rglob("*") if p.is_dir()):
            found = find_in_dir(sub, names, accepts)
            if found is not None:
                break
    if found is None:
        return None, f"kagglehub download of {handle} has no usable file in {folder}"
    return found, ""


def locate(handle: str, names: tuple[str, ...], accepts: Callable[[set[str]], bool]) -> tuple[str, Path | None, list[str]]:
    """(source, path, notes): source is 'file', 'kagglehub' or 'embedded' (path None)."""
    notes: list[str] = []
    d = data_dir()
    found = find_in_dir(d, names, accepts)
    if found is not None:
        return "file", found, notes
    notes.append(f"no {' or '.join(names)} in {d}")
    found, why = kagglehub_file(handle, names, accepts)
    if found is not None:
        return "kagglehub", found, notes
    notes.append(why)
    return "embedded", None, notes
