"""The California notebook's sections as functions over the experiment core.

Protocol (nested, fixed in advance): for each split seed, a random 80/20 outer split of all rows
(shuffled: the file is in geographic order); a random validation part of the training rows scores
every model for the recommendation; every model is fitted on the remaining fit rows, which keep
the shuffled order (so a net's early-stopping slice, the last rows, is a random part of them, not a
region). Searches run successive halving with K-fold cross-validation on the fit rows of each split,
with the same number of candidates, folds and rounds for the MLP and HGB.
"""

from __future__ import annotations

from math import ceil, floor, log

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from mlplab.california import models as mo
from mlplab.california.features import design
from mlplab.data.california import CAP, load_california
from mlplab.errors import UserError
from mlplab.experiment import fanout
from mlplab.experiment.protocol import Protocol, SplitIndex, outer_splits, row_selector
from mlplab.experiment.record import Run
from mlplab.experiment.regularize import LABELS as REG_LABELS
from mlplab.experiment.regularize import variants as reg_variants
from mlplab.experiment.search import run_search
from mlplab.experiment.study import Study
from mlplab.experiment.tasks import Regression

REGULARIZERS = ("dropout", "l2", "batchnorm", "noise", "early_stopping")


Setup = Study  # the chapter's outer splits, task, protocol and runs (mlplab.experiment.study)


def load(data_path: str = ""):
    return load_california(data_path or None)


def random_indices(n: int, seeds, *, test_size: float = 0.2, valid_size: float = 0.2) -> list[SplitIndex]:
    """Per seed: a shuffled test part of `test_size`, then a shuffled validation part of `valid_size`
    of the training rows; fit rows stay in shuffled order (no part is a geographic block)."""
    seeds = [int(s) for s in seeds]
    if not seeds or len(set(seeds)) != len(seeds):
        raise UserError(f"parameter seeds={seeds!r}: expected a non-empty list of distinct integers")
    for name, value in (("test_size", test_size), ("valid_size", valid_size)):
        if not 0 < value < 1:
            raise UserError(f"parameter {name}={value!r}: expected a fraction between 0 and 1")
    rows = np.arange(n)
    out = []
    for i, seed in enumerate(seeds):
        train, test = train_test_split(rows, test_size=test_size, random_state=seed, shuffle=True)
        fit, valid = train_test_split(train, test_size=valid_size, random_state=seed, shuffle=True)
        out.append(SplitIndex(i, seed, fit, valid, np.sort(test)))
    return out


def setup(frame: pd.DataFrame, seeds, *, test_size: float = 0.2, valid_size: float = 0.2, n_jobs: int = 1,
          scheduler: str = "") -> Setup:
    X, y = design(frame)
    splits = outer_splits(random_indices(len(y), seeds, test_size=test_size, valid_size=valid_size), row_selector(X, y))
    protocol = Protocol.for_splits(
        "nested", splits,
        selection=("successive-halving searches with cross-validation on each outer split's fit rows (same number of "
                   "candidates, folds and rounds for the MLP and HGB)"),
        validation=f"a random {100 * valid_size:.0f} % of each outer split's training rows, never used for fitting")
    return Study(splits, Regression(), protocol, n_jobs=n_jobs, scheduler=scheduler or None)


def subsample(frame: pd.DataFrame, max_rows: int, *, seed: int, provenance: dict) -> tuple[pd.DataFrame, dict]:
    """A random subsample of `max_rows` rows (0 or more than there are: all rows); provenance kind 'subset'."""
    if not max_rows or max_rows >= len(frame):
        return frame, provenance
    if max_rows < 50:
        raise UserError(f"parameter max_rows={max_rows}: expected 0 (all rows) or at least 50 rows")
    rows = np.sort(np.random.default_rng(seed).choice(len(frame), int(max_rows), replace=False))
    return frame.iloc[rows].reset_index(drop=True), {**provenance, "kind": "subset", "rows": int(max_rows)}


def sizes_table(st: Setup) -> pd.DataFrame:
    return pd.DataFrame([{"outer split": s.index, "split seed": s.seed, "fit rows": len(s.fit),
                          "validation rows": len(s.validation), "test rows": len(s.test),
                          "capped test rows": int((np.asarray(s.test.y) >= CAP - 1e-9).sum())} for s in st.splits])


def split_sizes(st: Setup) -> dict:
    s = st.splits[0]
    return {"fit": len(s.fit), "validation": len(s.validation), "test": len(s.test), "outer_splits": len(st.splits),
            "seeds": [sp.seed for sp in st.splits]}


# ---- baselines ---------------------------------------------------------------------------------------

def baselines(st: Setup, *, skew_threshold: float) -> dict[str, Run]:
    jobs = fanout.jobs_for("mean", lambda info: mo.clipped(mo.mean_model()), st.splits, role="baseline",
                           label="the mean", settings={"inputs": "none"})
    jobs += fanout.jobs_for("linear", lambda info: mo.clipped(mo.linear_model(skew_threshold)), st.splits,
                            role="baseline", label="linear regression",
                            settings={"inputs": "standardized, skewed columns logged"})
    return st.run(jobs)


# ---- searches, one per outer split, same budget for both models ------------------------------------

def halving_rounds(n_candidates: int, factor: int, max_resource: int, min_resource: int) -> list[tuple[int, int]]:
    """(candidates, budget) per round of scikit-learn's successive halving (without aggressive elimination)."""
    n_required = 1 + floor(log(n_candidates, factor)) if n_candidates > 1 else 1
    n_possible = 1 + floor(log(max(1, max_resource // max(1, min_resource)), factor))
    return [(ceil(n_candidates / factor ** i), min_resource * factor ** i) for i in range(min(n_required, n_possible))]


def budget(grid: dict, *, method: str, cv: int, factor: int, max_resource: int) -> dict:
    """What a search costs in candidates, folds and rounds (the numbers that must match between models).
    Halving ends on `max_resource`: the first round gets max_resource / factor^(rounds - 1)."""
    n = int(np.prod([len(v) for v in grid.values()])) if grid else 1
    if method == "halving":
        n_rounds = 1 + floor(log(n, factor)) if n > 1 else 1
        lowest = max(1, int(max_resource) // factor ** (n_rounds - 1))
        rounds = halving_rounds(n, factor, int(max_resource), lowest)
    else:
        rounds = [(n, int(max_resource))]
    return {"candidates": n, "cv_folds": int(cv), "method": method, "factor": int(factor), "rounds": [list(r) for r in rounds],
            "fits": int(sum(c for c, _ in rounds) * cv)}


def search_mlp(st: Setup, grid: dict, fixed: dict, *, method: str, cv: int, factor: int, min_epochs: int,
               subsample: int, n_bins: int, skew_threshold: float) -> dict:
    """{split: SearchResult}: the MLP's encoding, widths and learning rate on each split's fit rows."""
    grid = {k: v for k, v in grid.items() if v not in (None, [], ())}
    out = {}
    for sp in st.splits:
        est = mo.mlp_pipeline(fixed, n_bins=n_bins, skew_threshold=skew_threshold, seed=sp.seed)
        out[sp.index] = run_search(est, sp.fit.X, sp.fit.y, grid, task="regression", method=method, cv=cv,
                                   n_jobs=st.n_jobs, scheduler=st.scheduler, subsample=subsample or None, seed=sp.seed,
                                   factor=factor, min_resources=min_epochs if method == "halving" else None)
        out[sp.index].cv_results = out[sp.index].cv_results.rename(columns={"enc__kind": "encoding"})
    return out


def search_hgb(st: Setup, grid: dict, *, max_iter: int, method: str, cv: int, factor: int, min_iter: int,
               subsample: int) -> dict:
    """{split: SearchResult}: HGB's learning rate and tree size, same folds, candidates and rounds."""
    out = {}
    for sp in st.splits:
        est = mo.hgb_model(seed=sp.seed, max_iter=int(max_iter))
        out[sp.index] = run_search(est, sp.fit.X, sp.fit.y, grid, task="regression", method=method, cv=cv,
                                   n_jobs=st.n_jobs, scheduler=st.scheduler, subsample=subsample or None, seed=sp.seed,
                                   factor=factor, min_resources=min_iter if method == "halving" else None)
    return out


def mlp_choice(result, fixed: dict, epochs: int) -> dict:
    """The search winner as {settings, encoding}: its widths, learning rate and encoding over the fixed
    settings, trained for the full `epochs` (the search compared candidates on shorter budgets)."""
    settings = dict(fixed)
    encoding = "standard"
    for k, v in result.best_params.items():  # readable names (search.friendly_name)
        if k == "enc__kind":
            encoding = v
        elif k == "hidden":
            settings["hidden"] = [int(w) for w in v]
        elif k != "epochs":
            settings[k] = v
    settings["epochs"] = int(epochs)
    return {"settings": settings, "encoding": encoding}


def readable_choice(choice: dict) -> dict:
    """A split's MLP choice as the readable parameters the prose shows."""
    s = choice["settings"]
    return {"encoding": choice["encoding"], "hidden": list(s.get("hidden", [])), "dropout": s.get("dropout", 0.0),
            "lr": s.get("lr"), "epochs": s.get("epochs")}


def hgb_choice(result, max_iter: int) -> dict:
    params = {k: v for k, v in result.best_params_full.items() if k != "max_iter"}
    return {**params, "max_iter": int(max_iter)}


# ---- the headline models -----------------------------------------------------------------------------

def headline(st: Setup, *, mlp: dict, hgb: dict, source: dict, n_bins: int, skew_threshold: float,
             ensemble: int = 1) -> dict[str, Run]:
    """HGB and the tuned MLP (each split with its own search's choice), and the source's MLP, every split.
    `mlp`: {split: {settings, encoding}}; `hgb`: {split: params}. With `ensemble` > 1 the tuned MLP and HGB
    alike are the mean of that many fits with different seeds (the same option for both)."""
    def tuned(info):
        c = mlp[info.index]
        net = mo.mlp_pipeline(c["settings"], encoding=c["encoding"], n_bins=n_bins, skew_threshold=skew_threshold,
                              seed=info.seed)
        return mo.clipped(mo.ensemble(net, size=ensemble, seed=info.seed, seed_param="net__seed"))

    def boosted(info):
        model = mo.hgb_model(seed=info.seed, **hgb[info.index])
        return mo.clipped(mo.ensemble(model, size=ensemble, seed=info.seed, seed_param="random_state"))

    members = {"ensemble": ensemble} if ensemble > 1 else {}
    jobs = fanout.jobs_for("hgb", boosted, st.splits, role="baseline", label="gradient boosting (HGB)",
                           settings={"inputs": "raw features", **members}, cost=1.0, describe=_spread)
    jobs += fanout.jobs_for("mlp_source", lambda info: mo.clipped(mo.source_pipeline(source, seed=info.seed)),
                            st.splits, role="reference", label="the source's MLP", curves=True,
                            settings={**source, "inputs": "standardized raw features"}, cost=4.0)
    jobs += fanout.jobs_for("mlp_tuned", tuned, st.splits, role="tuned", label="the tuned MLP", curves=True,
                            settings={"inputs": "searched encoding, skewed columns logged", **members},
                            cost=3.0 * ensemble, describe=_spread)
    runs = st.run(jobs)
    for s in runs["mlp_tuned"].splits:
        c = mlp[s.split]
        s.settings = {**c["settings"], "encoding": c["encoding"], **s.settings}
    for s in runs["hgb"].splits:
        s.settings = {**hgb[s.split], **s.settings}
    return runs


def _spread(model) -> dict:
    """The number of seed-ensemble members of a fitted (clipped) model; empty for a single model."""
    inner = getattr(model, "estimator_", model)
    return {"ensemble_members": len(inner.estimators_)} if hasattr(inner, "estimators_") else {}


def member_spread(run: Run, part) -> float | None:
    """Mean |member − ensemble| of the first split's fitted seed ensemble on `part` (None: not an ensemble)."""
    inner = run.detail["model"].estimator_
    return inner.spread(part.X) if hasattr(inner, "spread") else None


def regularization(st: Setup, *, mlp: dict, n_bins: int, skew_threshold: float, dropout: float, weight_decay: float,
                   input_noise: float, patience: int, valid_fraction: float, epochs: int,
                   which=REGULARIZERS) -> dict[str, dict]:
    """The tuned network without any regularizer (`mlp_tuned_plain`, the reference) and each regularizer
    alone on it, every split, all with the same epoch cap `epochs` (shorter than the tuned MLP's final fits
    to keep the full profile within its time budget; the study compares variants with each other only).
    Returns {variant: {"regularizer", "reference"}} (reference: mlp_tuned_plain, or for early stopping the
    plain network trained on the rows its slice leaves)."""
    from mlplab.experiment.regularize import OFF

    def plain(info):
        c = mlp[info.index]
        return mo.clipped(mo.mlp_pipeline({**c["settings"], **OFF, "epochs": int(epochs)}, encoding=c["encoding"],
                                          n_bins=n_bins, skew_threshold=skew_threshold, seed=info.seed))

    plan = {}
    jobs = fanout.jobs_for("mlp_tuned_plain", plain, st.splits, role="variant", curves=True, cost=3.0,
                           label="the tuned MLP without regularization", settings={"regularizer": "none"})
    for name, v in reg_variants("mlp_tuned", {}, reference="mlp_tuned_plain", dropout=dropout, weight_decay=weight_decay,
                                input_noise=input_noise, patience=patience, valid_fraction=valid_fraction,
                                which=which).items():
        def build(info, extra=v["settings"]):
            c = mlp[info.index]
            return mo.clipped(mo.mlp_pipeline({**c["settings"], **extra, "epochs": int(epochs)}, encoding=c["encoding"],
                                              n_bins=n_bins, skew_threshold=skew_threshold, seed=info.seed))

        reg = v["regularizer"]
        label = (f"the tuned MLP with {REG_LABELS[reg]} only" if reg
                 else "the unregularized tuned MLP trained on the rows left after the early-stopping slice")
        plan[name] = {"regularizer": reg, "reference": v["reference"]}
        jobs += fanout.jobs_for(name, build, st.splits, role="variant", label=label, curves=True, cost=3.0,
                                settings={k: val for k, val in v["settings"].items() if val not in (0, 0.0, False)}
                                or {"regularizer": "none"})
    st.run(jobs)
    for name, p in plan.items():
        st.runs[name].info["regularization"] = p
    return plan


# ---- error analysis (first split's test rows) ----------------------------------------------------------

def residual_frame(st: Setup, run: Run) -> pd.DataFrame:
    """The first split's test rows with truth, prediction, residual (truth − prediction) and capped flag."""
    X = st.splits[0].test.X
    d = run.detail
    out = X[["MedInc", "Latitude", "Longitude"]].copy()
    out["truth"] = d["y_true"]
    out["prediction"] = d["y_pred"]
    out["residual"] = out["truth"] - out["prediction"]
    out["capped"] = out["truth"] >= CAP - 1e-9
    return out


def by_income_decile(res: pd.DataFrame) -> pd.DataFrame:
    """RMSE and mean residual per decile of median income (test rows of the first split)."""
    dec = pd.qcut(res["MedInc"], 10, labels=False, duplicates="drop")
    g = res.groupby(dec)
    out = pd.DataFrame({
        "decile": g.size().index + 1,
        "income from": g["MedInc"].min().to_numpy(), "income to": g["MedInc"].max().to_numpy(),
        "rows": g.size().to_numpy(),
        "capped rows": g["capped"].sum().astype(int).to_numpy(),
        "RMSE": g["residual"].apply(lambda r: float(np.sqrt(np.mean(r ** 2)))).to_numpy(),
        "mean residual": g["residual"].mean().to_numpy(),
    })
    return out


def capped_errors(st: Setup, names) -> pd.DataFrame:
    """Per model, on the first split's test rows: RMSE on the capped rows, on the rest, and the capped
    rows' share of the squared error."""
    rows = []
    for name in names:
        run = st.runs[name]
        res = residual_frame(st, run)
        sq = res["residual"] ** 2
        cap = res["capped"]
        rows.append({"model": run.label, "id": name, "capped rows": int(cap.sum()),
                     "RMSE capped": float(np.sqrt(sq[cap].mean())) if cap.any() else float("nan"),
                     "RMSE other rows": float(np.sqrt(sq[~cap].mean())),
                     "mean residual capped": float(res.loc[cap, "residual"].mean()) if cap.any() else float("nan"),
                     "share of squared error %": float(100 * sq[cap].sum() / sq.sum()) if sq.sum() > 0 else 0.0})
    return pd.DataFrame(rows)


def architectures(st: Setup) -> list[tuple]:
    """(module, title, input label, output label) of the source's network and the tuned MLP, first split."""
    out = []
    for name, title in (("mlp_source", "the source's network"), ("mlp_tuned", "the tuned MLP")):
        pipe = st.runs[name].detail["model"].estimator_
        pipe = pipe.estimators_[0] if hasattr(pipe, "estimators_") else pipe   # a seed ensemble: its first member
        net = pipe.named_steps["net"]
        enc = pipe.named_steps["enc"]
        kind = "piecewise-linear encoded" if enc.kind == "ple" else "standardized"
        out.append((net.module_, title, f"{net.n_features_in_} {kind} inputs", "value ($100,000)"))
    return out
