"""The results document of the classification notebook (report/_results/classification.json).

Beyond the DESIGN contract it fills `extra` (keys documented in mlplab.classification) and
`history` (per-epoch curves of the headline MLPs) so the comparison chapter can state conclusions
from the JSON alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlplab.results import model_entry, write_results

CURVE_COLUMNS = ("epoch", "train_loss", "valid_loss", "test_loss", "train_accuracy", "train_macro_f1",
                 "valid_accuracy", "valid_macro_f1", "test_accuracy", "test_macro_f1")


def curve_summary(history: pd.DataFrame | None) -> dict:
    """Epochs run, final train/valid/test loss and macro-F1, best test-loss and best valid-loss epochs."""
    if history is None or history.empty:
        return {}
    out = {"epochs": int(history["epoch"].iloc[-1])}
    for col in CURVE_COLUMNS[1:]:
        if col in history and history[col].notna().any():
            out[f"final_{col}"] = float(history[col].dropna().iloc[-1])
    for split in ("test", "valid"):
        col = f"{split}_loss"
        if col in history and history[col].notna().any():
            out[f"best_{split}_epoch"] = int(history.loc[history[col].idxmin(), "epoch"])
    if "final_train_macro_f1" in out and "final_test_macro_f1" in out:
        out["final_gap_macro_f1"] = out["final_train_macro_f1"] - out["final_test_macro_f1"]
    return out


def history_lists(history: pd.DataFrame | None) -> dict:
    if history is None or history.empty:
        return {}
    return {c: [None if pd.isna(v) else float(v) for v in history[c]] for c in CURVE_COLUMNS if c in history}


def regularization_rows(runs: dict) -> list[dict]:
    """Each regularizer's train/test macro-F1, its change against the unregularized tuned net and its gap."""
    ref = runs["mlp_tuned_plain"].test["macro_f1"]
    rows = []
    for name, r in runs.items():
        rows.append({"model": name, "train_macro_f1": r.train["macro_f1"], "test_macro_f1": r.test["macro_f1"],
                     "test_balanced_accuracy": r.test["balanced_accuracy"],
                     "delta_test_macro_f1_vs_plain": r.test["macro_f1"] - ref,
                     "gap": r.train["macro_f1"] - r.test["macro_f1"],
                     "epochs_run": int(r.history["epoch"].iloc[-1]) if r.history is not None else None})
    return rows


RANDOM = "Random Failures"


def quality_verdict(tuned, trees: dict, bar: float = 0.68) -> dict:
    """Tuned MLP vs the bar and vs the best tree on the same features (seed means of test macro-F1)."""
    t = np.asarray(tuned.seed_values(), dtype=float)
    best_name = max(trees, key=lambda n: np.mean(trees[n].seed_values()))
    b = np.asarray(trees[best_name].seed_values(), dtype=float)
    out = {"bar": bar, "n_seeds": len(t), "tuned_per_seed": t.tolist(), "tuned_mean": float(t.mean()),
           "tuned_std": float(t.std(ddof=1)) if len(t) > 1 else 0.0, "best_tree": best_name,
           "tree_per_seed": b.tolist(), "tree_mean": float(b.mean()), "tree_std": float(b.std(ddof=1)) if len(b) > 1 else 0.0}
    out["meets_bar"] = bool(out["tuned_mean"] >= bar)
    out["not_below_tree"] = bool(out["tuned_mean"] >= out["tree_mean"])
    out["passes"] = out["meets_bar"] and out["not_below_tree"]
    out["delta_vs_tree"] = out["tuned_mean"] - out["tree_mean"]
    tests = [m for m in tuned.seed_tests if "per_class" in m]
    if tests and RANDOM in tests[0]["per_class"]:
        # Random Failures are random by construction: any F1 on them is chance, so say what it adds.
        out["random_failures_f1"] = float(np.mean([m["per_class"][RANDOM]["f1"] for m in tests]))
        out["random_failures_share"] = out["random_failures_f1"] / len(tests[0]["per_class"])
    return out


def build_results(*, params: dict, provenance: dict, timings: dict, runs: dict, best_params: dict,
                  extra: dict, headline=("mlp_baseline", "mlp_tuned")) -> dict:
    models = {}
    for name, r in runs.items():
        models[name] = model_entry(r.train, r.test, r.seed_summary(), seeds_used=list(r.seeds or []),
                                   settings=r.settings, fit_seconds=r.seconds)
    history = {n: history_lists(runs[n].history) for n in headline if n in runs and runs[n].history is not None}
    return {"notebook": "classification", "profile": params.get("profile", "full"), "params": params,
            "provenance": provenance, "timings_s": timings, "models": models, "best_params": best_params,
            "extra": extra, "history": history}


def save(doc: dict):
    return write_results(doc)
