"""The air-quality notebook's sections as functions over the experiment core.

Protocol (holdout): one chronological split of the hours into fit, validation and test periods. Every
model is trained on the fit windows; the validation windows choose the ridge penalty, the network
configuration (`lstm_tuned`) and the recommendation; the test windows are scored, never chosen on.
Seeds vary only the networks' training randomness (initialization, batch order, dropout): the noise
rule's interval over them says how much a conclusion depends on that randomness, not on the test
period. One multi-horizon network forecasts every series at every horizon at once.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mlplab.airquality import models as mo
from mlplab.airquality.prepare import Prepared
from mlplab.experiment import fanout
from mlplab.experiment.protocol import OuterSplit, Protocol
from mlplab.experiment.record import Run
from mlplab.experiment.select import recommend
from mlplab.experiment.study import Study
from mlplab.experiment.verdict import compare_runs, record


@dataclass
class Setup(Study):
    """The core's study plus the prepared windows and each network's readable settings."""

    prep: Prepared | None = None
    settings: dict = field(default_factory=dict)   # network name -> readable settings

    @property
    def first(self) -> list[OuterSplit]:
        return self.splits[:1]


def load(data_path: str = ""):
    from mlplab.data.airquality import load_airquality

    return load_airquality(data_path or None)


def setup(prep: Prepared, seeds: Sequence[int], n_jobs: int = 1) -> Setup:
    seeds = [int(s) for s in seeds]
    parts = prep.parts
    splits = [OuterSplit(i, s, parts["fit"], parts["validation"], parts["test"]) for i, s in enumerate(seeds)]
    per = prep.periods
    protocol = Protocol(
        "holdout", 1,
        selection=("ridge penalty and network configuration chosen on the validation period's mean R² over the "
                   "horizons; every model trained on the fit period only"),
        seeds=tuple(seeds),
        validation=f"the hours from {per.index[per.bounds['validation'][0]]} to {per.index[per.bounds['validation'][1] - 1]}")
    task = mo.Forecast(prep.features, prep.horizons, prep.scaler.scale)
    return Setup(splits, task, protocol, n_jobs=n_jobs, prep=prep)


# ---- baselines ---------------------------------------------------------------------------------------

def ridge_penalty(st: Setup, alphas: Sequence[float]) -> tuple[float, dict[str, float]]:
    """The ridge penalty with the best validation mean R² (one fit each, on the fit period)."""
    jobs = []
    for a in alphas:
        jobs += fanout.jobs_for(f"ar_alpha_{a:g}", lambda info, a=a: mo.MaskedRidge(alpha=a), st.first, role="baseline",
                                keep_first=False, settings={"alpha": float(a)})
    runs = fanout.run(jobs, st.first, st.task, n_jobs=st.n_jobs)
    best = recommend(runs.values(), "r2_mean", higher_is_better=True)
    chosen = runs[best["model"]].settings["alpha"]
    return float(chosen), {f"{r.settings['alpha']:g}": r.mean("r2_mean", "validation") for r in runs.values()}


def baselines(st: Setup, alpha: float) -> dict[str, Run]:
    h = st.prep.horizons
    w = st.prep.window
    jobs = fanout.jobs_for("persistence", lambda info: mo.Persistence(h), st.splits, role="baseline",
                           label="persistence (last hour)", settings={"rule": "the last hour of the window"})
    jobs += fanout.jobs_for("seasonal_naive", lambda info: mo.SeasonalNaive(h), st.splits, role="baseline",
                            label="the same hour yesterday", settings={"rule": "the value 24 hours before the target"})
    jobs += fanout.jobs_for("linear_ar", lambda info: mo.MaskedRidge(alpha=alpha), st.splits, role="baseline",
                            label="the linear autoregression",
                            settings={"alpha": alpha, "inputs": f"every series over the last {w} hours"})
    return st.run(jobs)


# ---- networks ----------------------------------------------------------------------------------------

LEVER_LABELS = {"lstm_source": "the write-up's LSTM", "lstm_lr_high": "the write-up's LSTM at the higher learning rate",
                "lstm_bidirectional": "the bidirectional LSTM", "lstm_deep": "the two-layer LSTM",
                "gru": "the GRU", "lstm_centred": "the centred LSTM", "lstm_skip": "the LSTM with a linear skip"}


def levers(source: dict, *, high_lr: float) -> dict[str, dict]:
    """The write-up's network and each change it tried or proposed, one change per variant
    (its learning rate, a bidirectional encoder, a second layer, a GRU cell), and ours (centring, skip)."""
    return {"lstm_source": dict(source),
            "lstm_lr_high": {**source, "lr": float(high_lr)},
            "lstm_bidirectional": {**source, "bidirectional": True},
            "lstm_deep": {**source, "hidden": list(source["hidden"]) * 2},
            "gru": {**source, "cell": "gru"},
            "lstm_centred": {**source, "centring": "last"},
            "lstm_skip": {**source, "skip": True}}


def fit_networks(st: Setup, configs: dict[str, dict], *, splits=None, role: str = "variant",
                 labels: dict[str, str] | None = None) -> dict[str, Run]:
    jobs = []
    for name, s in configs.items():
        st.settings[name] = dict(s)
        jobs += fanout.jobs_for(name, lambda info, s=s: mo.net(s, seed=info.seed), splits or st.splits,
                                role="reference" if name == "lstm_source" else role,
                                label=(labels or LEVER_LABELS).get(name, mo.describe(s)), settings=dict(s),
                                curves=True, cost=float(s["epochs"]) * (2 if s.get("bidirectional") else 1))
    return st.run(jobs, splits)


def grid(fixed: dict, **values) -> dict[str, dict]:
    """Every combination of the grid's values on top of `fixed` (keys: net setting names)."""
    keys = [k for k, v in values.items() if v]
    out = {}
    for i, combo in enumerate(itertools.product(*(values[k] for k in keys))):
        out[f"search_{i + 1:02d}"] = {**fixed, **dict(zip(keys, combo))}
    return out


def cell_label(label: str) -> str:
    """A run's label as a table cell: 'the tuned network' -> 'tuned network' (never the run's identifier)."""
    return label[4:] if label.startswith("the ") else label


def candidate_label(name: str) -> str:
    """A search candidate as a reader names it: a lever by its label, a grid point by its number."""
    if name.startswith("search_"):
        return f"grid {int(name.split('_')[1])}"
    return cell_label(LEVER_LABELS.get(name, name))


def labelled(table: pd.DataFrame, labels: dict[str, str], column: str = "model") -> pd.DataFrame:
    """A table keyed by run names, shown with the runs' labels in `column`."""
    out = table.copy()
    out[column] = [cell_label(labels.get(n, n)) for n in out[column]]
    return out


def feature_view(table: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """`feature_table` with the models' labels in its headers ('R² tuned network', not 'R² lstm_tuned')."""
    names = {c.split(" ", 1)[1] for c in table.columns if c.startswith(("R² ", "RMSE "))}
    rename = {f"{m} {n}": f"{m} {cell_label(labels.get(n, n))}" for n in names for m in ("R²", "RMSE")}
    return table.rename(columns=rename)


def first_split(run: Run) -> Run:
    """The run restricted to its first split (a candidate beside single-split search fits)."""
    return Run(run.name, run.role, run.label, [run.first], dict(run.settings), dict(run.info))


def search(st: Setup, candidates: dict[str, dict], levers_run: dict[str, Run]) -> dict:
    """Fit every grid configuration once (first seed) and choose, among them and the levers' first-seed fits,
    the one with the best validation mean R² over the horizons."""
    fitted = fit_networks(st, candidates, splits=st.first, labels={n: mo.describe(s) for n, s in candidates.items()})
    pool = {**{n: first_split(r) for n, r in levers_run.items()}, **fitted}
    best = recommend(pool.values(), "r2_mean", higher_is_better=True)
    table = pd.DataFrame([{"candidate": candidate_label(n), "configuration": mo.describe(st.settings[n]),
                           "validation R² (mean)": r.mean("r2_mean", "validation"),
                           **{f"validation R² {mo.horizon_key(h)}": r.mean(f"r2_{mo.horizon_key(h)}", "validation")
                              for h in st.prep.horizons}} for n, r in pool.items()])
    table = table.sort_values("validation R² (mean)", ascending=False).reset_index(drop=True)
    return {"winner": best["model"], "settings": dict(st.settings[best["model"]]), "table": table,
            "validation_r2_mean": {n: r.mean("r2_mean", "validation") for n, r in pool.items()},
            "n_candidates": len(pool), "n_grid": len(candidates), "runner_up": best["runner_up"]}


def tuned(st: Setup, chosen: dict) -> Run:
    """`lstm_tuned`: the chosen configuration over every seed (a lever's runs are reused as they are)."""
    name = chosen["winner"]
    if name in st.runs and st.runs[name].n == len(st.splits):
        src = st.runs[name]
        run = Run("lstm_tuned", "tuned", "the tuned network", list(src.splits), dict(src.settings), {"same_as": name})
    else:
        run = fit_networks(st, {"lstm_tuned": chosen["settings"]}, role="tuned",
                           labels={"lstm_tuned": "the tuned network"})["lstm_tuned"]
        run.info["same_as"] = name
    st.runs["lstm_tuned"] = run
    st.settings["lstm_tuned"] = dict(chosen["settings"])
    return run


def ensembled(st: Setup, chosen: dict, size: int) -> dict:
    """The chosen configuration as one network (`lstm_single`) and as the mean of `size` networks seeded s, s + 1000,
    ... (`lstm_ensemble`), both over every seed; `lstm_tuned` becomes the one with the higher validation mean R²
    (mean over seeds). Averaging removes part of each network's training noise; the validation period decides
    whether that is worth `size` times the training."""
    single = st.runs["lstm_tuned"]
    st.runs["lstm_single"] = Run("lstm_single", "variant", "the tuned configuration, one network", list(single.splits),
                                 dict(single.settings), dict(single.info))
    st.settings["lstm_single"] = dict(chosen["settings"])
    scores = {"lstm_single": single.mean("r2_mean", "validation")}
    if size > 1:
        settings = dict(chosen["settings"])
        jobs = fanout.jobs_for("lstm_ensemble", lambda info: mo.ensemble_net(settings, seed=info.seed, size=size),
                               st.splits, role="variant", label=f"the tuned configuration, mean of {size} networks",
                               settings={**settings, "members": int(size)}, curves=True,
                               cost=float(settings["epochs"]) * size)
        ens = st.run(jobs)["lstm_ensemble"]
        st.settings["lstm_ensemble"] = {**settings, "members": int(size)}
        scores["lstm_ensemble"] = ens.mean("r2_mean", "validation")
    pick = max(scores, key=lambda n: (scores[n], n == "lstm_single"))  # a tie keeps the cheaper single network
    src = st.runs[pick]
    st.runs["lstm_tuned"] = Run("lstm_tuned", "tuned", "the tuned network", list(src.splits), dict(src.settings),
                                {"members": size if pick == "lstm_ensemble" else 1, "copy_of": pick,
                                 "configuration_of": chosen["winner"],
                                 **({"same_as": single.info["same_as"]} if pick == "lstm_single" else {})})
    st.settings["lstm_tuned"] = dict(st.settings[pick])
    return {"size": int(size), "chosen": pick, "validation_r2_mean": scores,
            "members": size if pick == "lstm_ensemble" else 1}


def recommendable(st: Setup) -> list[Run]:
    """Every model once for the recommendation: the search's candidates and the runs `lstm_tuned` copies are left
    out (it stands for them; a tie on the same scores would otherwise be broken by name)."""
    tuned = st.runs.get("lstm_tuned")
    twins = {tuned.info.get("same_as"), tuned.info.get("copy_of")} if tuned else set()
    return [r for n, r in st.runs.items() if not n.startswith("search_") and n not in twins]


# ---- results -----------------------------------------------------------------------------------------

def horizons_entry(run: Run, horizons) -> dict:
    """{"1": {"r2_mean", "r2": {feature}, "rmse": {feature}}, ...}: test values, mean over the seeds."""
    out = {}
    for h in horizons:
        key, hk = str(int(h)), mo.horizon_key(h)
        feats = run.splits[0].test["r2"][key]
        out[key] = {"r2_mean": run.mean(f"r2_{hk}"),
                    "r2": {f: float(np.nanmean([s.test["r2"][key][f] for s in run.splits])) for f in feats},
                    "rmse": {f: float(np.mean([s.test["rmse"][key][f] for s in run.splits])) for f in feats}}
    return out


def finish_runs(st: Setup) -> None:
    """Add the `horizons` key every model entry carries (schema: air_quality)."""
    for run in st.runs.values():
        run.info["horizons"] = horizons_entry(run, st.prep.horizons)


def verdicts(st: Setup) -> list[dict]:
    """The noise rule on test R² per horizon: the tuned network against every baseline, each lever against
    the write-up's network."""
    out = []
    hs = [mo.horizon_key(h) for h in st.prep.horizons]
    pairs = [("lstm_tuned", b) for b in ("linear_ar", "persistence", "seasonal_naive", "lstm_source")]
    pairs += [(n, "lstm_source") for n in st.runs if n in LEVER_LABELS and n != "lstm_source"]
    pairs += [("lstm_ensemble", "lstm_single")]
    for a, b in pairs:
        if a not in st.runs or b not in st.runs:
            continue
        for metric in ("r2_mean", *(f"r2_{h}" for h in hs)):
            v = compare_runs(st.runs[a], st.runs[b], metric, higher_is_better=True)
            out.append(record(f"{a} vs {b}", a, b, metric, v))
    return out


def find(verdict_list: list[dict], a: str, b: str, metric: str) -> dict | None:
    return next((v for v in verdict_list if v["a"] == a and v["b"] == b and v["metric"] == metric), None)


def goal(st: Setup, verdict_list: list[dict], source_r2: float) -> dict:
    """The issue's goal: lstm_tuned better than linear_ar at every horizon (noise rule on test R²) and above
    the write-up's best R² at 1 h (mean over seeds)."""
    per = {}
    for h in st.prep.horizons:
        hk = mo.horizon_key(h)
        v = find(verdict_list, "lstm_tuned", "linear_ar", f"r2_{hk}")
        per[str(h)] = {"tuned": st.runs["lstm_tuned"].mean(f"r2_{hk}"), "ar": st.runs["linear_ar"].mean(f"r2_{hk}"),
                       "tuned_std": st.runs["lstm_tuned"].std(f"r2_{hk}"), "word": v["word"], "low": v["low"],
                       "high": v["high"], "n": v["n"]}
    first = mo.horizon_key(min(st.prep.horizons))
    tuned_1h = st.runs["lstm_tuned"].mean(f"r2_{first}")
    beats_ar = all(p["word"] == "better" for p in per.values())
    return {"per_horizon": per, "source_r2": source_r2, "tuned_first_horizon": tuned_1h,
            "beats_source": tuned_1h > source_r2, "beats_ar_everywhere": beats_ar,
            "met": beats_ar and tuned_1h > source_r2, "baselines": naive_standing(st)}


def naive_standing(st: Setup) -> dict[str, dict]:
    """Per horizon, where the simplest forecasts stand (test mean R²: persistence, the same hour yesterday) and how
    our run of the write-up's LSTM does against the better of the two on each seed (a sentence quoting the
    write-up's number must say this: persistence alone may already clear it)."""
    out = {}
    for h in st.prep.horizons:
        key = f"r2_{mo.horizon_key(h)}"
        naive = {n: st.runs[n].values(key) for n in ("persistence", "seasonal_naive") if n in st.runs}
        if not naive:
            continue
        best = [max(v) for v in zip(*naive.values())]
        row = {n: float(np.mean(v)) for n, v in naive.items()}
        src = st.runs.get("lstm_source")
        if src is not None:
            vals = src.values(key)
            row.update(source=float(np.mean(vals)), source_below=int(sum(a < b for a, b in zip(vals, best))),
                       n=len(vals))
        out[str(h)] = row
    return out


def models_table(st: Setup, names: Sequence[str] | None = None) -> pd.DataFrame:
    """Test R² per horizon (mean ± std over the seeds) and validation mean R², one row per model."""
    rows = []
    for name in names or st.runs:
        run = st.runs[name]
        row = {"model": name, "validation R² (mean)": run.mean("r2_mean", "validation")}
        for h in st.prep.horizons:
            hk = mo.horizon_key(h)
            row[f"test R² {hk}"] = run.mean(f"r2_{hk}")
            row[f"± {hk}"] = round(run.std(f"r2_{hk}"), 3)
        rows.append(row)
    return pd.DataFrame(rows)


def feature_table(st: Setup, names: Sequence[str], horizon: int) -> pd.DataFrame:
    """Test R² and RMSE (series' unit) per feature at one horizon for the given models (seed means)."""
    from mlplab.data.airquality import UNITS

    key = str(int(horizon))
    rows = []
    for f in st.prep.features:
        row = {"series": f, "unit": UNITS.get(f, "")}
        for n in names:
            entry = st.runs[n].info["horizons"][key]
            row[f"R² {n}"] = entry["r2"][f]
            row[f"RMSE {n}"] = entry["rmse"][f]
        rows.append(row)
    return pd.DataFrame(rows)


def forecast_series(st: Setup, names: Sequence[str], feature: str, horizon: int):
    """(target hours, measured values, {name: forecasts}, {name: test RMSE}) of one series at one horizon, first seed,
    in the series' own unit. The runs keep their first split's targets and forecasts as deviations from the fit
    period's mean, in the unit (`models.Forecast.detail`); adding the mean back gives what was measured."""
    k, j = st.prep.horizons.index(int(horizon)), st.prep.features.index(feature)
    col = k * len(st.prep.features) + j
    first = st.runs[names[0]].detail
    times = pd.DatetimeIndex(first["origins"]) + pd.Timedelta(hours=int(horizon))
    mean = float(np.ravel(st.prep.scaler.mean)[j])
    truth = np.asarray(first["y_true"][:, col], dtype=float) + mean
    preds = {n: np.asarray(st.runs[n].detail["y_pred"][:, col], dtype=float) + mean for n in names}
    rmse = {n: st.runs[n].test["rmse"][str(int(horizon))][feature] for n in names}
    return times, truth, preds, rmse


def training_hours(prep: Prepared) -> pd.DataFrame:
    """The cleaned hourly frame restricted to the fit and validation periods (the EDA never reads the test hours)."""
    end = prep.periods.bounds["validation"][1]
    return prep.cleaned.frame.iloc[:end]


def results(st: Setup, *, notebook: str, profile: str, params: dict, provenance: dict, timings: dict, alpha: float,
            alpha_scores: dict, choice: dict, verdict_list: list[dict], goal_info: dict, rec: dict | None,
            report: dict, source: dict, ensemble_info: dict | None = None) -> dict:
    from mlplab.experiment import document

    names = [n for n in st.runs if not n.startswith("search_")]
    levers_rows = [{"model": n, "settings": st.settings.get(n, {}), "test_r2_mean": st.runs[n].mean("r2_mean"),
                    "test_r2_mean_std": st.runs[n].std("r2_mean"),
                    **{f"test_r2_{mo.horizon_key(h)}": st.runs[n].mean(f"r2_{mo.horizon_key(h)}") for h in st.prep.horizons}}
                   for n in LEVER_LABELS if n in st.runs]
    p = st.prep
    extra = {"cleaning": {"rows": report["rows"], "hours_added": report["hours_added"], "dropped": p.cleaned.dropped,
                          "missing": p.cleaned.missing, "missing_code": report["missing_code"], "filled_inputs": p.filled,
                          "observed_targets": p.observed_targets()},
             "periods": p.periods.frame({k: len(v) for k, v in p.parts.items()}).to_dict("records"),
             "features": list(p.features), "horizons": list(p.horizons), "window": p.window,
             "ar_alpha": {"chosen": alpha, "validation_r2_mean": alpha_scores},
             "search": {"winner": choice["winner"], "settings": choice["settings"], "n_candidates": choice["n_candidates"],
                        "n_grid": choice["n_grid"], "runner_up": choice["runner_up"],
                        "validation_r2_mean": choice["validation_r2_mean"]},
             "goal": goal_info, "levers": levers_rows, "source": source, "ensemble": ensemble_info or {},
             "network": "one multi-horizon network: every series at every horizon from one forward pass"}
    best_params = {"linear_ar": {"alpha": alpha},
                   "lstm_tuned": {**choice["settings"], "members": (ensemble_info or {}).get("members", 1)}}
    return document.build(notebook, profile=profile, params=params, provenance=provenance, protocol=st.protocol,
                          timings=timings, runs={n: st.runs[n] for n in names}, best_params=best_params, recommended=rec,
                          reason="no model was scored on the validation period", verdicts=verdict_list,
                          history=("lstm_tuned", "lstm_source"), extra=extra)
