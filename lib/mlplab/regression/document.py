"""The results document of the regression notebook (report/_results/regression.json).

Beyond the DESIGN contract it fills `extra` (keys documented in mlplab.regression) and `history`
(per-epoch curves of the headline MLPs) so the comparison chapter can state conclusions from the
JSON alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlplab.results import model_entry, write_results

UNITS = "USD of close price; return models converted with close_hat = open * (1 + r_hat)"


def curve_summary(history: pd.DataFrame | None) -> dict:
    """Best test epoch and the final train/test gap (loss in the model's target units) of one curve."""
    if history is None or history.empty:
        return {}
    out = {"epochs": int(history["epoch"].iloc[-1])}
    for col in ("train_loss", "valid_loss", "test_loss", "train_r2", "valid_r2", "test_r2"):
        if col in history and history[col].notna().any():
            out[f"final_{col}"] = float(history[col].dropna().iloc[-1])
    if "test_loss" in history and history["test_loss"].notna().any():
        out["best_test_epoch"] = int(history.loc[history["test_loss"].idxmin(), "epoch"])
    if "valid_loss" in history and history["valid_loss"].notna().any():
        out["best_valid_epoch"] = int(history.loc[history["valid_loss"].idxmin(), "epoch"])
    if "final_train_loss" in out and "final_test_loss" in out:
        out["final_gap_loss"] = out["final_test_loss"] - out["final_train_loss"]
    return out


def history_lists(history: pd.DataFrame | None) -> dict:
    if history is None or history.empty:
        return {}
    cols = [c for c in history.columns if c == "epoch" or c.endswith(("_loss", "_r2"))]
    return {c: [None if pd.isna(v) else float(v) for v in history[c]] for c in cols}


def regularization_rows(runs: dict) -> list[dict]:
    ref = runs["mlp_tuned"]
    rows = []
    for name, r in runs.items():
        if name == "mlp_tuned" or name.startswith("mlp_tuned_"):
            rows.append({"model": name, "train_rmse": r.train["rmse"], "test_rmse": r.test["rmse"],
                         "delta_test_rmse_vs_tuned": r.test["rmse"] - ref.test["rmse"],
                         "gap_test_over_train": r.test["rmse"] / r.train["rmse"],
                         "epochs_run": int(r.history["epoch"].iloc[-1]) if r.history is not None else None})
    return rows


def build_results(*, params: dict, provenance: dict, timings: dict, runs: dict, search, tuned_settings: dict,
                  quality: dict, train_rows: int, extra: dict) -> dict:
    models = {}
    for name, r in runs.items():
        models[name] = model_entry(r.train, r.test, r.seed_summary(), target=r.formulation,
                                   seconds=r.seconds, settings=r.settings or None)
    base, tuned = runs["mlp_baseline"].seed_summary(), runs["mlp_tuned"].seed_summary()
    doc_extra = {
        "units": UNITS,
        "search": {"method": search.method, "n_candidates": search.n_candidates, "n_fits": search.n_fits,
                   "searched_rows": search.searched_rows, "seconds": search.seconds, "scoring": search.scoring,
                   "best_cv_rmse_target": -search.best_score, "notes": search.notes,
                   "train_rows": int(train_rows)},
        "quality_bar": quality,
        "tuned_vs_baseline": {"baseline_rmse_mean": base["mean"]["rmse"], "tuned_rmse_mean": tuned["mean"]["rmse"],
                              "change_pct": 100 * (tuned["mean"]["rmse"] / base["mean"]["rmse"] - 1)},
        "regularization": regularization_rows(runs),
        "curves": {n: curve_summary(r.history) for n, r in runs.items() if r.history is not None},
        "seed_rmse": {n: [t["rmse"] for t in r.seed_tests] for n, r in runs.items() if len(r.seed_tests) > 1},
        **extra,
    }
    history = {n: history_lists(runs[n].history) for n in ("mlp_baseline", "mlp_tuned")
               if n in runs and runs[n].history is not None}
    best = dict(search.best_params)
    return {"notebook": "regression", "profile": params.get("profile", "full"), "params": params,
            "provenance": {k: provenance[k] for k in ("source", "path", "rows", "sha256")},
            "timings_s": timings, "models": models,
            "best_params": {"searched": best, "final": tuned_settings}, "extra": doc_extra, "history": history}


def save(doc: dict):
    return write_results(doc)


def eda_summary(corr: pd.DataFrame, coverage: dict, skew: dict) -> dict:
    prices = ["open", "close", "low", "high"]
    vol = corr.loc["volume", prices]
    return {"collinearity_min_r": float(corr.loc[prices, prices].min().min()),
            "volume_corr_range": [float(vol.min()), float(vol.max())], "skew_close": float(skew["close"]),
            "rows": coverage["rows"], "symbols": coverage["symbols"], "days": coverage["days"]}


def error_summary(d_test, pred_close, per_symbol: pd.DataFrame) -> dict:
    err = np.asarray(pred_close, float) - d_test.close
    return {"abs_residual_price_corr": float(np.corrcoef(np.abs(err), d_test.close)[0, 1]),
            "worst_symbol": str(per_symbol["symbol"].iloc[0]),
            "worst_symbol_share_pct": float(per_symbol["share of squared error %"].iloc[0])}


def formulation_summary(by_target: dict) -> dict:
    return {t: {"mean_rmse": r.seed_summary()["mean"]["rmse"], "std_rmse": r.seed_summary()["std"]["rmse"],
                "n": r.seed_summary()["n"]} for t, r in by_target.items()}


def per_seed_frame(runs: dict, names) -> pd.DataFrame:
    rows = [{"model": n, "seed": s, "rmse": t["rmse"]} for n in names if n in runs
            for s, t in zip(runs[n].seeds or [0], runs[n].seed_tests or [runs[n].test])]
    return pd.DataFrame(rows)

