"""The recommendation: the best model on the validation rows, never on the test rows.

Candidates are the models that were scored on every outer split's validation rows (so every
candidate saw the same validation rows), excluding leaky references. A model's own early stopping
and decision thresholds use slices of its fit rows, never these validation rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from mlplab.experiment.record import Run

EXCLUDED_ROLES = ("leaky_reference",)


def candidates(runs: Iterable[Run], metric: str) -> list[Run]:
    runs = [r for r in runs if r.role not in EXCLUDED_ROLES and r.has("validation")
            and metric in r.validation]
    if not runs:
        return []
    splits = max((tuple(r.split_ids) for r in runs), key=len)
    return [r for r in runs if tuple(r.split_ids) == splits]


def recommend(runs: Iterable[Run], metric: str, higher_is_better: bool) -> dict | None:
    """{"model", "by": "validation", "metric", "validation", "test", "candidates", "runner_up"} or None."""
    pool = candidates(runs, metric)
    if not pool:
        return None
    sign = 1.0 if higher_is_better else -1.0
    ranked = sorted(pool, key=lambda r: (-sign * r.mean(metric, "validation"), r.name))
    best = ranked[0]
    return {"model": best.name, "by": "validation", "metric": metric,
            "validation": best.mean(metric, "validation"), "test": best.mean(metric, "test"),
            "candidates": [r.name for r in ranked], "runner_up": ranked[1].name if len(ranked) > 1 else None,
            "outer_splits": best.n}
