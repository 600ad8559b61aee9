"""Assemble and write one notebook's results document from its run records (schema: schema.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from mlplab.experiment.protocol import Protocol
from mlplab.experiment.record import Run
from mlplab.experiment.schema import write_results


def history_lists(history: pd.DataFrame | None) -> dict:
    """A per-epoch history as {column: [values]} with the columns that hold any value."""
    if history is None:
        return {}
    return {c: history[c].tolist() for c in history.columns if history[c].notna().any()}


def build(notebook: str, *, profile: str, params: dict, provenance: dict, protocol: Protocol, timings: dict,
          runs: Mapping[str, Run], best_params: dict, recommended: dict | None, reason: str = "",
          verdicts: Iterable[dict] = (), history: Iterable[str] = (), extra: dict | None = None) -> dict:
    doc = {
        "notebook": notebook, "profile": profile, "params": params, "provenance": provenance,
        "protocol": protocol.to_dict(), "timings_s": timings,
        "models": {name: run.entry() for name, run in runs.items()},
        "best_params": best_params, "recommended": recommended, "verdicts": list(verdicts),
        "history": {n: history_lists(runs[n].history) for n in history if n in runs and runs[n].history is not None},
        "extra": extra or {},
    }
    if recommended is None:
        doc["reason"] = reason or "no model was scored on validation rows"
    return doc


def save(doc: dict, root: str | Path | None = None) -> Path:
    return write_results(doc, root)
