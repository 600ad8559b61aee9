"""Atomic file writes: a temp file in the same folder, then one rename.

Why: a run that is interrupted (Ctrl-C, a crash, a full disk) must never leave a file that looks
like a valid result. Every writer in the package goes through these functions.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def write_with(path: str | Path, writer: Callable[[str], None]) -> Path:
    """Call `writer(tmp_path)` and rename the temp file onto `path` only if it returns normally."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    os.close(fd)
    try:
        writer(tmp)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p


def write_bytes(path: str | Path, data: bytes) -> Path:
    return write_with(path, lambda tmp: Path(tmp).write_bytes(data))


def write_text(path: str | Path, text: str) -> Path:
    return write_with(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def write_json(path: str | Path, doc: Any, *, indent: int = 2, sort_keys: bool = False) -> Path:
    text = json.dumps(doc, indent=indent, sort_keys=sort_keys, allow_nan=False)
    return write_text(path, text + "\n")


def replace_dir(src: Path, dst: Path) -> None:
    """Swap a directory in with two renames; the old copy is removed only after the swap."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    trash = dst.with_name(f".{dst.name}.old")
    if trash.exists():
        shutil.rmtree(trash)
    if dst.exists():
        os.replace(dst, trash)
    os.replace(src, dst)
    if trash.exists():
        shutil.rmtree(trash)
