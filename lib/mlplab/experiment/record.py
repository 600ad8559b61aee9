"""The run record: one model's scores on every outer split, and what the figures need.

A model is fitted once per outer split (or per seed on one fixed split) on that split's fit rows,
then scored on its validation rows (what selection looks at) and its test rows (what the report
shows). `Run` keeps every split's train/validation/test metrics, so the noise rule can pair two
models split by split, and the first split's predictions and curves for the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

ROLES = ("baseline", "reference", "tuned", "variant", "leaky_reference")
PARTS = ("train", "validation", "test")


@dataclass
class SplitResult:
    """One fit on one outer split. `validation` is empty for a model that cannot be validated (the
    lab's leaky protocol has its own split)."""

    split: int
    seed: int
    train: dict
    validation: dict
    test: dict
    seconds: float = 0.0
    settings: dict = field(default_factory=dict)   # what this split's fit used (e.g. the search's choice)
    detail: dict = field(default_factory=dict)     # predictions, probabilities, history (first split only)


@dataclass
class Run:
    """One named model over the outer splits."""

    name: str
    role: str
    label: str                                   # the name readers see ("tuned MLP")
    splits: list[SplitResult] = field(default_factory=list)
    settings: dict = field(default_factory=dict)  # configuration shared by every split
    info: dict = field(default_factory=dict)      # model-specific results kept in the results JSON

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, got {self.role!r}")

    # ---- access ---------------------------------------------------------------------------
    @property
    def first(self) -> SplitResult:
        if not self.splits:
            raise ValueError(f"model {self.name!r} has no fitted split")
        return self.splits[0]

    @property
    def train(self) -> dict:
        return self.first.train

    @property
    def validation(self) -> dict:
        return self.first.validation

    @property
    def test(self) -> dict:
        return self.first.test

    @property
    def detail(self) -> dict:
        return self.first.detail

    @property
    def history(self) -> pd.DataFrame | None:
        return self.first.detail.get("history")

    @property
    def n(self) -> int:
        return len(self.splits)

    @property
    def split_ids(self) -> list[int]:
        return [s.split for s in self.splits]

    @property
    def seconds(self) -> float:
        return float(sum(s.seconds for s in self.splits))

    def values(self, metric: str, part: str = "test") -> list[float]:
        """One value per split, in split order (for the noise rule's pairing)."""
        if part not in PARTS:
            raise ValueError(f"part must be one of {PARTS}, got {part!r}")
        out = []
        for s in self.splits:
            scores = getattr(s, part)
            if metric not in scores:
                raise KeyError(f"model {self.name!r} has no {part} {metric!r} on split {s.split}")
            out.append(float(scores[metric]))
        return out

    def mean(self, metric: str, part: str = "test") -> float:
        return float(np.mean(self.values(metric, part)))

    def std(self, metric: str, part: str = "test") -> float:
        v = self.values(metric, part)
        return float(np.std(v, ddof=1)) if len(v) > 1 else 0.0

    def has(self, part: str) -> bool:
        return bool(self.splits) and all(getattr(s, part) for s in self.splits)

    # ---- results document ---------------------------------------------------------------------
    def scalar_metrics(self, part: str) -> list[str]:
        scores = getattr(self.first, part)
        return [k for k, v in scores.items() if isinstance(v, (int, float, np.floating)) and not isinstance(v, bool)]

    def summary(self, part: str) -> dict:
        """Mean over splits of each scalar metric of `part` (empty when the part was not scored)."""
        if not self.has(part):
            return {}
        return {m: self.mean(m, part) for m in self.scalar_metrics(part)}

    def entry(self) -> dict[str, Any]:
        """This model in the results JSON (schema: mlplab.experiment.schema)."""
        test_metrics = self.scalar_metrics("test")
        out = {
            "role": self.role,
            "label": self.label,
            "train": self.train,
            "test": self.test,
            "validation": self.summary("validation"),
            "seeds": {"n": self.n, "mean": {m: self.mean(m) for m in test_metrics},
                      "std": {m: self.std(m) for m in test_metrics}},
            "per_split": {
                "split": self.split_ids,
                "seed": [s.seed for s in self.splits],
                "test": {m: self.values(m) for m in test_metrics},
                "validation": ({m: self.values(m, "validation") for m in self.scalar_metrics("validation")}
                               if self.has("validation") else {}),
                "train": {m: self.values(m, "train") for m in self.scalar_metrics("train")},
            },
            "settings": self.settings,
            "seconds": self.seconds,
        }
        chosen = [s.settings for s in self.splits]
        if any(chosen):
            out["chosen"] = chosen
        out.update(self.info)
        return out


def strip_details(run: Run, keep_first: bool = True) -> Run:
    """Drop predictions and histories (all splits, or all but the first) to keep workers' returns small."""
    for i, s in enumerate(run.splits):
        if i > 0 or not keep_first:
            s.detail = {}
    return run
