"""A study: one notebook's outer splits, its task and protocol, and the runs fitted so far.

Each lab's steps build one (`Study(splits, task, protocol, n_jobs=..., scheduler=...)`), hand it
jobs with `study.run(jobs)`, and read every fitted model back from `study.runs` by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlplab.experiment import fanout
from mlplab.experiment.protocol import OuterSplit, Protocol
from mlplab.experiment.record import Run


@dataclass
class Study:
    splits: list[OuterSplit]
    task: Any
    protocol: Protocol
    n_jobs: int = 1
    scheduler: str | None = None
    runs: dict[str, Run] = field(default_factory=dict)

    def run(self, jobs, splits=None) -> dict[str, Run]:
        """Fit the jobs (on `splits`, default the study's) and add their runs to `runs`."""
        out = fanout.run(jobs, splits or self.splits, self.task, n_jobs=self.n_jobs, scheduler=self.scheduler)
        self.runs.update(out)
        return out

    @property
    def ratio(self) -> float | None:
        """n_test / n_train of a split for the noise rule's correction when the splits' training rows
        overlap (nested protocol); None for one fixed holdout, where seeds vary training randomness only."""
        if self.protocol.kind == "holdout":
            return None
        return self.splits[0].test_train_ratio

    @property
    def seeds(self) -> list[int]:
        return [s.seed for s in self.splits]
