"""The wildfire notebook's sections as functions over the experiment core.

Headline protocol (nested, fixed in advance): `repeats` × `folds`-fold stratified cross-validation
grouped by day (StratifiedGroupKFold on the date): both regions' rows of a day are always in the
same fold. In each outer split, one day-grouped fold of the training rows (1/`valid_folds`) is the
validation part, the rest the fit rows; searches and decision thresholds use day-grouped folds of
the fit rows only. The contrast runs the same sizes with a random stratified split of rows
(StratifiedKFold): a test day's twin row of the other region, and its neighbouring days, can then
be training rows. It is shown beside the headline, never chosen on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, check_cv

from mlplab.data.wildfire import load_wildfire
from mlplab.errors import UserError
from mlplab.experiment import fanout
from mlplab.experiment.protocol import OuterSplit, Protocol, SplitIndex, outer_splits, row_selector
from mlplab.experiment.record import Run
from mlplab.experiment.search import run_search
from mlplab.experiment.study import Study
from mlplab.experiment.tasks import Classification
from mlplab.wildfire import models as mo
from mlplab.wildfire.features import SET_LABELS, design

SUFFIX = {"weather+fwi": "", "weather": "_weather"}
LABELS = {"majority": "the majority class", "logreg": "logistic regression", "threshold_rule": "the one-feature threshold",
          "hgb": "gradient boosting (HGB)", "mlp_source": "the source's MLP", "mlp_tuned": "the tuned MLP"}
HEADLINE = ("majority", "logreg", "threshold_rule", "hgb", "mlp_source", "mlp_tuned")


@dataclass(kw_only=True)
class Setup(Study):
    """The study plus what the day-grouped protocol needs: each row's day, the split indices, the folds
    of the decision thresholds and of the searches."""

    days: np.ndarray
    index: list[SplitIndex]
    threshold_folds: int = 3
    inner_folds: int = 3


def load(data_path: str = ""):
    return load_wildfire(data_path or None)


def name_of(model: str, features: str) -> str:
    return model + SUFFIX[features]


def label_of(model: str, features: str) -> str:
    return LABELS[model] + ("" if features == "weather+fwi" else " (weather only)")


# ---- splits ------------------------------------------------------------------------------------------

def _check(repeat_seeds, folds: int, valid_folds: int) -> list[int]:
    seeds = [int(s) for s in repeat_seeds]
    if not seeds or len(set(seeds)) != len(seeds):
        raise UserError(f"parameter repeat_seeds={repeat_seeds!r}: expected a non-empty list of distinct integers")
    if folds < 3 or valid_folds < 3:
        raise UserError(f"parameters folds={folds}, valid_folds={valid_folds}: expected integers >= 3")
    return seeds


def grouped_indices(y, days, repeat_seeds, *, folds: int = 5, valid_folds: int = 5) -> list[SplitIndex]:
    """Repeated stratified K-fold grouped by day; inside each training part, one day-grouped fold of
    1/valid_folds is the validation part. SplitIndex.seed = 100 × repeat seed + fold (nets' seeds)."""
    seeds = _check(repeat_seeds, folds, valid_folds)
    y, days = np.asarray(y), np.asarray(days)
    if len(np.unique(days)) < folds:
        raise UserError(f"parameter folds={folds}: only {len(np.unique(days))} distinct days to group")
    out = []
    for seed in seeds:
        outer = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
        for f, (train, test) in enumerate(outer.split(np.zeros(len(y)), y, days)):
            inner = StratifiedGroupKFold(n_splits=valid_folds, shuffle=True, random_state=seed)
            fit_pos, val_pos = next(inner.split(np.zeros(len(train)), y[train], days[train]))
            out.append(SplitIndex(len(out), 100 * seed + f, np.sort(train[fit_pos]), np.sort(train[val_pos]),
                                  np.sort(test)))
    return out


def random_indices(y, repeat_seeds, *, folds: int = 5, valid_folds: int = 5) -> list[SplitIndex]:
    """The contrast: the same repeated stratified K-fold and validation part, of rows instead of days."""
    seeds = _check(repeat_seeds, folds, valid_folds)
    y = np.asarray(y)
    out = []
    for seed in seeds:
        for f, (train, test) in enumerate(StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y)):
            inner = StratifiedKFold(valid_folds, shuffle=True, random_state=seed)
            fit_pos, val_pos = next(inner.split(np.zeros(len(train)), y[train]))
            out.append(SplitIndex(len(out), 100 * seed + f, np.sort(train[fit_pos]), np.sort(train[val_pos]),
                                  np.sort(test)))
    return out


def shared_days(index: list[SplitIndex], days) -> list[int]:
    """Per split, how many test days also have a row among the training rows (0 when grouped by day)."""
    days = np.asarray(days)
    return [int(len(np.intersect1d(days[s.test], days[np.concatenate([s.fit, s.validation])]))) for s in index]


def setup(frame: pd.DataFrame, repeat_seeds, *, folds: int = 5, valid_folds: int = 5, inner_folds: int = 3,
          threshold_folds: int = 3, n_jobs: int = 1, scheduler: str = "", grouped: bool = True) -> Setup:
    X, y = design(frame)
    days = X["date"].to_numpy()
    index = (grouped_indices(y, days, repeat_seeds, folds=folds, valid_folds=valid_folds) if grouped
             else random_indices(y, repeat_seeds, folds=folds, valid_folds=valid_folds))
    how = "grouped by day (both regions' rows of a day in one fold)" if grouped else "of rows (stratified, not grouped)"
    protocol = Protocol(
        "nested", len(index),
        selection=(f"grid searches with {inner_folds}-fold cross-validation grouped by day on each outer split's fit "
                   f"rows (same number of candidates for the MLP, HGB and logistic regression); decision thresholds "
                   f"from out-of-fold probabilities of {threshold_folds} day-grouped folds of the fit rows"),
        seeds=tuple(int(s) for s in repeat_seeds),
        validation=f"one of {valid_folds} folds of each outer split's training rows, {how}")
    return Setup(outer_splits(index, row_selector(X, y)), Classification([0, 1]), protocol, n_jobs=n_jobs,
                 scheduler=scheduler or None, days=days, index=index, threshold_folds=threshold_folds,
                 inner_folds=inner_folds)


def split_sizes(st: Setup, folds: int, repeats: int) -> dict:
    s = st.splits[0]
    return {"fit": len(s.fit), "validation": len(s.validation), "test": len(s.test), "outer_splits": len(st.splits),
            "folds": folds, "repeats": repeats}


def sizes_table(st: Setup, days) -> pd.DataFrame:
    shared = shared_days(st.index, days)
    return pd.DataFrame([{"outer split": s.index, "fit rows": len(s.fit), "validation rows": len(s.validation),
                          "test rows": len(s.test), "test fire share %": 100 * float(np.mean(s.test.y)),
                          "test days with a training row": n} for s, n in zip(st.splits, shared)])


# ---- searches ----------------------------------------------------------------------------------------

def _inner_cv(sp: OuterSplit, folds: int):
    return check_cv(mo.day_folds(sp.fit.X, sp.fit.y, folds, sp.seed))


def search(st: Setup, model: str, features: str, grid: dict, *, fixed: dict | None = None) -> dict:
    """{split: SearchResult} of one model family on one feature set, day-grouped folds of the fit rows."""
    out = {}
    for sp in st.splits:
        if model == "mlp":
            est = mo.mlp_pipeline(fixed or {}, features, seed=sp.seed)
        else:
            est = mo.baseline(model, features, seed=sp.seed, **(fixed or {}))
        out[sp.index] = run_search(est, sp.fit.X, sp.fit.y, grid, task="classification", method="grid",
                                   cv=_inner_cv(sp, st.inner_folds), n_jobs=st.n_jobs, scheduler=st.scheduler,
                                   seed=sp.seed)
    return out


def budgets(grids: dict, folds: int) -> dict:
    """Candidates and folds of each family's search (what must match between the families)."""
    return {k: {"candidates": int(np.prod([len(v) for v in g.values()])), "cv_folds": int(folds)} for k, g in grids.items()}


def settings_from(result, fixed: dict) -> dict:
    out = dict(fixed)
    for k, v in result.best_params.items():
        out[k] = [int(w) for w in v] if k == "hidden" else v
    return out


def baseline_params(result) -> dict:
    return {k.removeprefix("net__"): v for k, v in result.best_params_full.items()}


# ---- the models ----------------------------------------------------------------------------------------

def _threshold_describe(model) -> dict:
    return {"threshold": model.threshold()} if hasattr(model, "threshold") else {}


def models(st: Setup, features: str, *, source: dict, mlp: dict, hgb: dict, logreg: dict,
           hgb_fixed: dict | None = None) -> dict[str, Run]:
    """Every model of the chapter on one feature set, every outer split. `mlp`: {split: settings};
    `hgb`, `logreg`: {split: SearchResult}. Every probabilistic model gets the same day-grouped
    decision thresholds."""
    thr = st.threshold_folds
    keep = {s.index for s in st.splits if s.index < _folds_of_first_repeat(st)}

    def thresholded(build):
        return lambda info: mo.with_thresholds(build(info), folds=thr, seed=info.seed)

    specs = [
        ("majority", "baseline", lambda info: mo.baseline("majority", features), False, 1.0),
        ("logreg", "baseline", thresholded(lambda info: mo.baseline("logreg", features, seed=info.seed,
                                                                      **baseline_params(logreg[info.index]))), True, 1.0),
        ("threshold_rule", "baseline", lambda info: mo.rule(features), False, 1.0),
        ("hgb", "baseline", thresholded(lambda info: mo.baseline("hgb", features, seed=info.seed,
                                                                   **(hgb_fixed or {}),
                                                                   **baseline_params(hgb[info.index]))), True, 2.0),
        ("mlp_source", "reference", thresholded(lambda info: mo.mlp_pipeline(source, features, seed=info.seed)), True, 4.0),
        ("mlp_tuned", "tuned", thresholded(lambda info: mo.mlp_pipeline(mlp[info.index], features, seed=info.seed)), True, 4.0),
    ]
    jobs = []
    for model, role, build, thresholds, cost in specs:
        name = name_of(model, features)
        role = role if features == "weather+fwi" else "variant"
        settings = {"features": SET_LABELS[features], "thresholds": "day-grouped out-of-fold" if thresholds else "none"}
        js = fanout.jobs_for(name, build, st.splits, role=role, label=label_of(model, features), settings=settings,
                             curves=model in ("mlp_source", "mlp_tuned"), cost=cost,
                             describe=_threshold_describe if thresholds else (_rule_describe if model == "threshold_rule" else None))
        for j in js:
            j.keep = j.split in keep
        jobs += js
    runs = st.run(jobs)
    for model, searched in (("mlp_tuned", None), ("hgb", hgb), ("logreg", logreg)):
        run = runs[name_of(model, features)]
        for s in run.splits:
            chosen = mlp[s.split] if searched is None else baseline_params(searched[s.split])
            s.settings = {**{k: v for k, v in chosen.items() if k in ("hidden", "dropout", "lr", "epochs", "C",
                                                                      "learning_rate", "max_leaf_nodes", "class_weight")},
                          **s.settings}
    return runs


def _rule_describe(model) -> dict:
    return model.describe()


def _folds_of_first_repeat(st: Setup) -> int:
    """Outer splits of the first repeat (their test folds cover every row once)."""
    first = st.index[0].seed // 100
    return sum(1 for s in st.index if s.seed // 100 == first)


def contrast(st_random: Setup, *, source: dict, hgb_params: dict) -> dict[str, Run]:
    """The fixed models (the source's MLP and HGB with fixed parameters, both thresholded) on the random split."""
    thr = st_random.threshold_folds
    jobs = fanout.jobs_for("mlp_source_random", lambda info: mo.with_thresholds(
        mo.mlp_pipeline(source, "weather+fwi", seed=info.seed), folds=thr, seed=info.seed), st_random.splits,
        role="leaky_reference", label="the source's MLP, random split", settings={"protocol": "random rows"}, cost=4.0)
    jobs += fanout.jobs_for("hgb_fixed_random", lambda info: mo.with_thresholds(
        mo.baseline("hgb", "weather+fwi", seed=info.seed, **hgb_params), folds=thr, seed=info.seed), st_random.splits,
        role="leaky_reference", label="HGB with fixed parameters, random split", settings={"protocol": "random rows"})
    return st_random.run(jobs)


def fixed_hgb(st: Setup, hgb_params: dict) -> dict[str, Run]:
    """HGB with the fixed parameters of the contrast, on the grouped splits (its pair in the contrast table)."""
    thr = st.threshold_folds
    jobs = fanout.jobs_for("hgb_fixed", lambda info: mo.with_thresholds(
        mo.baseline("hgb", "weather+fwi", seed=info.seed, **hgb_params), folds=thr, seed=info.seed), st.splits,
        role="variant", label="HGB with fixed parameters", settings={"protocol": "grouped by day", **hgb_params})
    return st.run(jobs)


def contrast_table(runs: dict, pairs=(("mlp_source", "mlp_source_random"), ("hgb_fixed", "hgb_fixed_random")),
                   metric: str = "macro_f1") -> pd.DataFrame:
    rows = []
    for grouped, random in pairs:
        g, r = runs[grouped], runs[random]
        rows.append({"model": g.label, "grouped by day": g.mean(metric), "grouped SD": g.std(metric),
                     "random rows": r.mean(metric), "random SD": r.std(metric),
                     "random − grouped": r.mean(metric) - g.mean(metric)})
    return pd.DataFrame(rows)


# ---- pooled predictions of the first repeat (every row once) -------------------------------------------

def pooled(st: Setup, frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """The test predictions of the first repeat's folds (every row predicted once), with date and region."""
    run = st.runs[name]
    parts = []
    for s, idx in zip(run.splits, st.index):
        if not s.detail or "y_pred" not in s.detail:
            continue
        d = s.detail
        rows = frame.iloc[idx.test]
        part = pd.DataFrame({"date": rows["date"].to_numpy(), "region": rows["region"].to_numpy(),
                             "truth": d["y_true"], "prediction": d["y_pred"], "split": s.split})
        if "proba" in d:
            classes = [str(c) for c in d["classes"]]
            part["p_fire"] = np.asarray(d["proba"])[:, classes.index(str(mo.POSITIVE))]
            if s.settings.get("threshold") is not None:  # the split's own decision threshold, chosen on its fit rows
                part["threshold"] = float(s.settings["threshold"])
        parts.append(part)
    if not parts:
        raise ValueError(f"{name}: no kept predictions (the first repeat's splits keep them)")
    return pd.concat(parts, ignore_index=True).sort_values(["date", "region"]).reset_index(drop=True)


def misclassified(pool: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """The rows the model got wrong, with the day's weather and indices (what a reader checks).

    Short headers and the data's own precision (whole degrees, % and km/h) keep the table inside the
    PDF's text block at a readable size; `ERROR_COLUMNS` names the units for the caption. Every row
    is from 2012 (the data's one season), so the date shows day and month only."""
    wrong = pool[pool["truth"] != pool["prediction"]]
    cols = ["date", "region", "temperature", "rh", "ws", "rain", "ffmc", "isi", "fwi"]
    out = wrong.merge(frame[cols], on=["date", "region"], how="left")
    out["truth"] = out["truth"].map(mo.CLASS_NAMES)
    out["prediction"] = out["prediction"].map(mo.CLASS_NAMES)
    out["date"] = out["date"].dt.strftime("%d %b").str.lstrip("0")
    for col in ("temperature", "rh", "ws"):  # whole numbers in the published file
        out[col] = out[col].round().astype("Int64")
    if "p_fire" in out:
        out["p_fire"] = out["p_fire"].round(2)  # two decimals: the threshold beside it says why the call went wrong
    if "threshold" in out:
        out["threshold"] = out["threshold"].round(2)
    keep = (["date", "region", "truth", "prediction"] + [c for c in ("p_fire", "threshold") if c in out] + cols[2:])
    return out[keep].rename(columns={"p_fire": "p(fire)", "prediction": "predicted", "temperature": "T",
                                     "rh": "RH", "ws": "Ws", "rain": "Rain", "ffmc": "FFMC", "isi": "ISI",
                                     "fwi": "FWI"})


ERROR_COLUMNS = ("threshold is the decision threshold the row's split chose on its fit rows (a row is called fire "
                 "when p(fire) reaches it); T is the noon temperature (°C), RH the relative humidity (%), Ws the wind speed (km/h), Rain "
                 "the day's rain (mm); FFMC, ISI and FWI are fire-weather indices; dates are of 2012.")


def report_table(pool: pd.DataFrame) -> pd.DataFrame:
    """Precision, recall, F1 and support per class and overall (pooled first-repeat test predictions)."""
    from mlplab.metrics import classification_metrics

    m = classification_metrics(pool["truth"].to_numpy(), pool["prediction"].to_numpy(), [0, 1])
    rows = [{"class": mo.CLASS_NAMES[int(c)], **{k: v for k, v in vals.items()}} for c, vals in m["per_class"].items()]
    rows.append({"class": "macro average", "precision": np.mean([r["precision"] for r in rows]),
                 "recall": np.mean([r["recall"] for r in rows]), "f1": m["macro_f1"], "support": int(len(pool))})
    rows.append({"class": "accuracy", "precision": np.nan, "recall": np.nan, "f1": m["accuracy"], "support": int(len(pool))})
    return pd.DataFrame(rows)


def per_class_f1(run: Run) -> dict[str, float]:
    """Mean test F1 per class over the outer splits."""
    out = {}
    for c in ("0", "1"):
        out[mo.CLASS_NAMES[int(c)]] = float(np.mean([s.test["per_class"][c]["f1"] for s in run.splits]))
    return out


def architectures(st: Setup, features: str = "weather+fwi") -> list[tuple]:
    out = []
    for model, title in (("mlp_source", "the source's network"), ("mlp_tuned", "the tuned MLP")):
        fitted = st.runs[name_of(model, features)].detail["model"]
        net = fitted.estimator_.named_steps["net"]
        out.append((net.module_, title, f"{net.n_features_in_} standardized inputs", "p(fire) (sigmoid)"))
    return out


def feature_set_frame(runs: dict, pairs) -> pd.DataFrame:
    """Mean test macro-F1 of each model on both feature sets (for the figure)."""
    return pd.DataFrame({"model": [runs[a].label for a, _, _ in pairs],
                         "weather only": [runs[b].mean("macro_f1") for _, b, _ in pairs],
                         "weather + FWI": [runs[a].mean("macro_f1") for a, _, _ in pairs]})
