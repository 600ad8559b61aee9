"""What every loader returns: the frame, where it came from, and what validation found."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Provenance:
    """Where the data came from; travels into the results JSON so every number is traceable.

    `path` is what the report shows, so never absolute: relative to the project root for a file
    inside it, else the file name (`Paths.display`); `embedded:...` for the embedded default.
    """

    source: str  # "file" | "kagglehub" | "embedded" | "sklearn"
    path: str
    rows: int
    sha256: str
    synthetic: bool = False
    note: str = ""
    kind: str = ""  # "real" | "subset" | "synthetic"; empty: "synthetic" when synthetic, else "real"

    def __post_init__(self):
        if not self.kind:
            object.__setattr__(self, "kind", "synthetic" if self.synthetic else "real")
        if self.kind not in ("real", "subset", "synthetic"):
            raise ValueError(f"provenance kind must be real, subset or synthetic, got {self.kind!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Loaded:
    """A canonical frame plus its provenance and validation report; `file` is the absolute path read
    (None when embedded), for code that needs the file itself, never for display."""

    frame: pd.DataFrame
    provenance: Provenance
    report: dict[str, Any] = field(default_factory=dict)
    file: Path | None = None
