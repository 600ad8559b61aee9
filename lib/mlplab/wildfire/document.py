"""The wildfire results document (report/_results/wildfire.json): verdicts, feature-set pairs, thresholds."""

from __future__ import annotations

from mlplab.experiment import verdict as V
from mlplab.wildfire.steps import HEADLINE, LABELS, name_of

PAIRS = (("mlp_tuned", "hgb"), ("mlp_tuned", "mlp_source"), ("mlp_tuned", "threshold_rule"), ("hgb", "threshold_rule"),
         ("mlp_tuned", "logreg"))


def provenance(loaded) -> dict:
    out = loaded.provenance.to_dict()
    out.setdefault("kind", "real")
    return out


def verdicts(runs: dict, ratio: float, features: str = "weather+fwi") -> tuple[dict, list[dict]]:
    """({(a, b): Verdict}, records) of the chapter's pairs on one feature set (test macro-F1, paired)."""
    found, records = {}, []
    for a, b in PAIRS:
        na, nb = name_of(a, features), name_of(b, features)
        if na in runs and nb in runs:
            v = V.compare_runs(runs[na], runs[nb], "macro_f1", higher_is_better=True, test_train_ratio=ratio)
            found[(na, nb)] = v
            records.append(V.record("headline" if features == "weather+fwi" else "weather only", na, nb, "macro_f1", v))
    return found, records


def feature_set_pairs(runs: dict) -> list[tuple[str, str, str]]:
    """(model with the FWI indices, the same on weather only, row label) for every model that ran on both."""
    return [(m, name_of(m, "weather"), LABELS[m]) for m in HEADLINE
            if m != "majority" and m in runs and name_of(m, "weather") in runs]


def thresholds(runs: dict, names) -> dict[str, list[float]]:
    """The decision threshold on p(fire) each split's fit chose, per model."""
    return {n: [float(s.settings["threshold"]) for s in runs[n].splits] for n in names
            if n in runs and all("threshold" in s.settings for s in runs[n].splits)}
