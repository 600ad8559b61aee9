"""The California results document (report/_results/california.json) and the chapter's verdicts."""

from __future__ import annotations

import numpy as np

from mlplab.experiment import verdict as V

HEADLINE = ("mean", "linear", "hgb", "mlp_source", "mlp_tuned")
# (a, b) pairs the chapter states a verdict on, with the prose's topic
PAIRS = (("mlp_tuned", "hgb", "headline"), ("mlp_tuned", "mlp_source", "headline"),
         ("mlp_tuned", "linear", "headline"), ("hgb", "linear", "headline"))


def provenance(loaded) -> dict:
    """The loader's provenance for the results: real data whatever the source (file, scikit-learn or the
    real copy shipped with the package)."""
    out = loaded.provenance.to_dict()
    out.setdefault("kind", "real")
    return out


def verdicts(runs: dict, ratio: float) -> tuple[dict, list[dict]]:
    """({(a, b): Verdict}, results records) for the chapter's headline pairs (test RMSE, paired over splits)."""
    found, records = {}, []
    for a, b, topic in PAIRS:
        if a in runs and b in runs:
            v = V.compare_runs(runs[a], runs[b], "rmse", higher_is_better=False, test_train_ratio=ratio)
            found[(a, b)] = v
            records.append(V.record(topic, a, b, "rmse", v))
    return found, records


def goal(runs: dict, target: float, model: str = "mlp_tuned", reference: str = "hgb") -> dict:
    """The issue's goal on the model's mean test RMSE over the outer splits, and the gap to HGB."""
    r, h = runs[model], runs[reference]
    mean = r.mean("rmse")
    return {"target": float(target), "model": model, "label": r.label, "mlp_mean": mean,
            "per_split": r.values("rmse"), "met": bool(mean <= target), "hgb_mean": h.mean("rmse"),
            "gap_to_hgb": mean - h.mean("rmse"), "validation_mean": r.mean("rmse", "validation"),
            **({"linear_mean": runs["linear"].mean("rmse")} if "linear" in runs else {})}


def regularization_pairs(plan: dict) -> list[tuple[str, str, str]]:
    from mlplab.experiment.regularize import LABELS

    return [(name, p["reference"], LABELS[p["regularizer"]]) for name, p in plan.items() if p["regularizer"]]


def capped_extra(table) -> dict:
    return {row["id"]: {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items() if k != "id"}
            for row in table.to_dict("records")}
