"""One answer to "where is ...?" for the whole package: the project root and the folders under it.

Why one object: the runner, the notebooks (run by papermill in a staging folder), the data
loaders and the tests all need the same folders, and each used to resolve them its own way. The
environment variables below are how `mlplab run` points a notebook kernel at its staging folder;
nothing else should need them.

| attribute  | default                      | environment override |
|------------|------------------------------|----------------------|
| root       | nearest parent holding analysis/ and params/ (else the current directory) | MLPLAB_ROOT |
| report     | root/report                  | MLPLAB_REPORT_DIR (a run's staging folder) |
| results    | report/_results              | MLPLAB_RESULTS_DIR |
| figures    | report/figures               | (follows report)   |
| generated  | root/report/_generated       | (follows report)   |
| state      | root/report/_results/.state  | –                  |
| data_raw   | root/data/raw                | MLPLAB_DATA_DIR    |
| cache      | root/data/cache              | MLPLAB_CACHE_DIR   |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mlplab.errors import UserError

ENV = {"root": "MLPLAB_ROOT", "report": "MLPLAB_REPORT_DIR", "results": "MLPLAB_RESULTS_DIR",
       "data_raw": "MLPLAB_DATA_DIR", "cache": "MLPLAB_CACHE_DIR"}


def _is_project(p: Path) -> bool:
    return (p / "analysis").is_dir() and (p / "params").is_dir()


def find_root(start: Path | None = None, *, required: bool = False) -> Path:
    """$MLPLAB_ROOT, else the nearest parent of `start` (default: cwd) that holds analysis/ and params/.

    `required=True` raises a UserError outside a project (the CLI's commands need one); otherwise the
    start folder itself is the root, so library calls in any folder still find ./data/raw.
    """
    env = os.environ.get(ENV["root"])
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for p in (here, *here.parents):
        if _is_project(p):
            return p
    if required:
        raise UserError(f"{here}: not inside an mlplab project (no analysis/ and params/ found above it)")
    return here


@dataclass(frozen=True)
class Paths:
    root: Path

    @classmethod
    def find(cls, start: Path | None = None, *, required: bool = False) -> Paths:
        return cls(find_root(start, required=required))

    def _env(self, key: str, default: Path) -> Path:
        value = os.environ.get(ENV[key])
        return Path(value) if value else default

    @property
    def report(self) -> Path:
        return self._env("report", self.root / "report")

    @property
    def results(self) -> Path:
        return self._env("results", self.report / "_results")

    @property
    def figures(self) -> Path:
        return self.report / "figures"

    @property
    def generated(self) -> Path:
        return self.root / "report" / "_generated"

    @property
    def state(self) -> Path:
        return self.root / "report" / "_results" / ".state"

    @property
    def analysis(self) -> Path:
        return self.root / "analysis"

    @property
    def params(self) -> Path:
        return self.root / "params"

    @property
    def data_raw(self) -> Path:
        return self._env("data_raw", self.root / "data" / "raw")

    @property
    def cache(self) -> Path:
        return self._env("cache", self.root / "data" / "cache")

    def display(self, path: str | Path) -> str:
        """A path as the report may show it: relative to the project when inside it, else the file name
        (a published report never shows the absolute paths of the machine that ran it)."""
        p = Path(path)
        try:
            return p.resolve().relative_to(self.root.resolve()).as_posix()
        except (ValueError, OSError):
            return p.name


def paths(start: Path | None = None) -> Paths:
    """The project's paths, resolved now (environment variables are read on every attribute access)."""
    return Paths.find(start)
