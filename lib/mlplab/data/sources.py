"""The source each dataset resolves to, without loading it: for the runner's staleness check.

Why: a notebook is stale when its input data changed, and "its input" is whatever the loader would
read — a file found by its header under any name, a kagglehub download, or the embedded default —
not a fixed list of file names. These functions ask the loaders' own resolution (`resolve.locate`),
so both always agree; a candidate file whose header does not fit raises the loader's UserError.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mlplab.data import maintenance, nyse
from mlplab.data.resolve import Source, locate
from mlplab.errors import UserError
from mlplab.experiment.paths import ENV

SPECS = {"nyse": nyse.SPEC, "maintenance": maintenance.SPEC}


@contextmanager
def _data_dir(directory: str | Path | None) -> Iterator[None]:
    """Resolve against `directory` instead of the default data dir (the runner passes its own)."""
    if directory is None:
        yield
        return
    key = ENV["data_raw"]
    saved = os.environ.get(key)
    os.environ[key] = str(directory)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = saved


def resolve_source(dataset: str, path: str | Path | None = None, *, directory: str | Path | None = None) -> Source:
    """The source `load_<dataset>(path)` would read: kind file|kagglehub|embedded, the file, a version."""
    if dataset not in SPECS:
        raise UserError(f"unknown dataset {dataset!r}; expected one of {', '.join(SPECS)}")
    with _data_dir(directory):
        return locate(SPECS[dataset], path)


def fingerprint(dataset: str, path: str | Path | None = None, *, securities: str | Path | None = None,
                directory: str | Path | None = None) -> dict:
    """{role: {source, path, sha256 | version}} for every input of the dataset (NYSE: prices and securities)."""
    with _data_dir(directory):
        if dataset == "nyse":
            found = nyse.resolve_sources(path, securities)
            return {role: src.fingerprint() for role, src in found.items()}
        return {dataset: resolve_source(dataset, path).fingerprint()}
