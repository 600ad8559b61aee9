"""The NYSE notebook's sections as functions over the experiment core.

Protocol (holdout): one chronological test period (from `test_start`), one validation period at the
end of the training years (from `valid_start`), fit rows before it. Every model is trained on the
fit rows; the search's time-series folds and early stopping's slice lie inside them; the validation
period scores every candidate for the recommendation; the test period is scored, never chosen on.
The seeds vary only the training randomness (initialization, batch order, dropout).
The lab's own protocol (a random 80/20 split of all rows) runs beside it as a leaky reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlplab.errors import UserError
from mlplab.experiment import fanout
from mlplab.experiment.protocol import OuterSplit, Protocol, Rows
from mlplab.experiment.record import Run
from mlplab.experiment.regularize import LABELS as REG_LABELS
from mlplab.experiment.regularize import variants as reg_variants
from mlplab.experiment.search import run_search
from mlplab.experiment.study import Study
from mlplab.regression import models as mo
from mlplab.regression.features import make_design, select_rows

COLUMNS = ("date", "symbol", "open", "high", "low", "close", "volume")
TARGET_LABELS = {"close": "close price", "intraday_return": "intraday return"}


@dataclass
class Setup(Study):
    """The study plus the price rows, the MLPs' target and the scale-free inputs."""

    frame: pd.DataFrame | None = None
    target: str = "intraday_return"
    inputs: tuple[str, ...] = ("high_rel", "low_rel")


def load(data_path: str = "", securities_path: str = ""):
    """Empty paths resolve as the data layer does (data dir, kagglehub, embedded default)."""
    from mlplab.data.nyse import load_nyse

    return load_nyse(data_path or None, securities_path or None)


def setup(frame: pd.DataFrame, seeds: Sequence[int], *, symbols=(), max_symbols: int = 0, date_start: str = "",
          date_end: str = "", test_start: str = "2015-01-01", valid_start: str = "2014-07-01",
          target: str = "intraday_return", inputs=("high_rel", "low_rel"), n_jobs: int = 1,
          scheduler: str = "") -> Setup:
    rows = select_rows(frame, symbols, date_start, date_end, max_symbols)[list(COLUMNS)].reset_index(drop=True)
    dates = rows["date"]
    t0, v0 = pd.Timestamp(test_start), pd.Timestamp(valid_start)
    if not v0 < t0:
        raise UserError(f"parameter valid_start={valid_start!r}: must come before test_start={test_start!r}")
    fit, valid, test = (dates < v0).to_numpy(), ((dates >= v0) & (dates < t0)).to_numpy(), (dates >= t0).to_numpy()
    for name, mask in (("fit", fit), ("validation", valid), ("test", test)):
        if not mask.any():
            raise UserError(f"parameters valid_start={valid_start!r}, test_start={test_start!r}: the {name} period is "
                            f"empty (data span {dates.min().date()} to {dates.max().date()})")
    part = lambda m: Rows(rows[m].reset_index(drop=True), rows.loc[m, "close"].to_numpy(dtype=float))  # noqa: E731
    seeds = [int(s) for s in seeds]
    if not seeds or len(set(seeds)) != len(seeds):
        raise UserError(f"parameter seeds={seeds!r}: expected a non-empty list of distinct integers")
    splits = [OuterSplit(i, s, part(fit), part(valid), part(test)) for i, s in enumerate(seeds)]
    protocol = Protocol(
        "holdout", 1,
        selection=(f"successive-halving search with expanding time-series folds on the fit rows (before {v0.date()}; "
                   "with search_subsample, the most recent of them)"),
        seeds=tuple(seeds),
        validation=f"the trading days from {v0.date()} to the day before {t0.date()}, never used for fitting")
    return Setup(splits, mo.PriceTask(), protocol, n_jobs, scheduler or None, frame=rows, target=target,
                 inputs=tuple(inputs))


def periods(st: Setup) -> pd.DataFrame:
    """Rows and dates of the fit, validation and test periods."""
    s = st.splits[0]
    out = []
    for name, part in (("fit", s.fit), ("validation", s.validation), ("test", s.test)):
        d = part.X["date"]
        out.append({"period": name, "rows": len(part), "first day": str(d.min().date()), "last day": str(d.max().date()),
                    "symbols": int(part.X["symbol"].nunique())})
    return pd.DataFrame(out)


def mlp_settings(hidden, activation, optimizer, lr, batch_size, epochs, lr_schedule="") -> dict:
    return {"hidden": list(hidden), "activation": activation, "optimizer": optimizer, "lr": float(lr),
            "batch_size": int(batch_size), "epochs": int(epochs), "lr_schedule": lr_schedule}


def baselines(st: Setup, *, mlp: dict) -> dict[str, Run]:
    """Naive, OLS on both formulations, and the standardized lab-architecture MLP on both targets."""
    inputs = st.inputs
    other = "close" if st.target == "intraday_return" else "intraday_return"
    jobs = fanout.jobs_for("naive", lambda info: mo.naive_model(), st.splits, role="baseline",
                           label="the naive forecast (close = open)", settings={"target": "intraday_return",
                                                                                "inputs": "none"})
    jobs += fanout.jobs_for("ols", lambda info: mo.ols_model("close"), st.splits, role="baseline",
                            label="least squares on prices", settings={"target": "close",
                                                                       "inputs": mo.inputs_of("close")})
    jobs += fanout.jobs_for("ols_return", lambda info: mo.ols_model("intraday_return", inputs), st.splits,
                            role="baseline", label="least squares on the return",
                            settings={"target": "intraday_return", "inputs": mo.inputs_of("intraday_return", inputs)})
    for target, name, label in ((st.target, "mlp_baseline", "the baseline MLP"),
                                (other, f"mlp_baseline_{'close' if other == 'close' else 'return'}",
                                 f"the baseline MLP on the {TARGET_LABELS[other]}")):
        jobs += fanout.jobs_for(name, lambda info, t=target: mo.mlp_model(mlp, target=t, inputs=inputs, seed=info.seed),
                                st.splits, role="baseline" if name == "mlp_baseline" else "variant", label=label,
                                settings={**mlp, "target": target, "inputs": mo.inputs_of(target, inputs)},
                                curves=True, cost=2.0)
    return st.run(jobs)


def lab_protocol(st: Setup, *, epochs: int, batch_size: int, test_size: float = 0.2) -> Run:
    """The lab's network and split: a random 80/20 split of all rows (test days between training days)."""
    rows = st.frame
    rng = np.random.default_rng(st.splits[0].seed)
    is_test = np.zeros(len(rows), dtype=bool)
    is_test[rng.choice(len(rows), int(round(test_size * len(rows))), replace=False)] = True
    part = lambda m: Rows(rows[m].reset_index(drop=True), rows.loc[m, "close"].to_numpy(dtype=float))  # noqa: E731
    split = OuterSplit(0, st.splits[0].seed, part(~is_test), Rows(rows.iloc[:0], np.empty(0)), part(is_test))
    settings = {"hidden": list(mo.LAB_HIDDEN), "activation": "relu", "optimizer": "adam", "lr": mo.LAB_LR,
                "epochs": int(epochs), "batch_size": int(batch_size), "target": "close",
                "inputs": mo.inputs_of("close"), "scaling": "none", "split": f"random {100 * (1 - test_size):.0f}/{100 * test_size:.0f}"}
    jobs = fanout.jobs_for("lab_protocol", lambda info: mo.lab_model(epochs=epochs, batch_size=batch_size,
                                                                     seed=info.seed),
                           [split], role="leaky_reference", label="the lab's protocol (unscaled MLP, random split)",
                           settings=settings, curves=True, validate=False)
    run = st.run(jobs, splits=[split])["lab_protocol"]
    run.info["split"] = {"kind": "random", "test_size": test_size, "train_rows": len(split.fit),
                         "test_rows": len(split.test)}
    return run


def search(st: Setup, *, grid: dict, fixed: dict, method: str, cv: int, subsample: int, min_epochs: int | None):
    """The MLP's search on the fit rows' design matrix (time-ordered folds, most recent rows)."""
    grid = {k: v for k, v in grid.items() if v not in (None, [], ())}
    if "lr_schedule" in grid:  # YAML has no None: "" means a constant learning rate
        grid["lr_schedule"] = [v or None for v in grid["lr_schedule"]]
    sp = st.splits[0]
    d = make_design(sp.fit.X, st.target, st.inputs)
    est = mo.mlp_estimator(fixed, seed=sp.seed)
    result = run_search(est, d.X, d.y, grid, task="regression", method=method, cv=cv, n_jobs=st.n_jobs,
                        scheduler=st.scheduler, subsample=subsample or None, seed=sp.seed, ordered=True,
                        min_resources=min_epochs if method == "halving" else None)
    if "lr_schedule" in result.cv_results:
        col = result.cv_results["lr_schedule"]
        result.cv_results["lr_schedule"] = col.where(col.notna(), "constant")
    return result


def settings_from(result, fixed: dict) -> dict:
    out = dict(fixed)
    for k, v in result.best_params.items():
        out[k] = list(v) if isinstance(v, tuple) else ("" if v is None and k == "lr_schedule" else v)
    return out


def tuned(st: Setup, settings: dict, *, dropout: float, weight_decay: float, input_noise: float, patience: int,
          valid_fraction: float, which=("dropout", "l2", "batchnorm", "noise", "early_stopping")) -> dict[str, dict]:
    """The tuned MLP and each regularizer alone on top of it (same epoch cap), every seed.
    Returns {variant: {"regularizer", "reference"}}."""
    inputs = st.inputs
    jobs = fanout.jobs_for("mlp_tuned", lambda info: mo.mlp_model(settings, target=st.target, inputs=inputs,
                                                                  seed=info.seed),
                           st.splits, role="tuned", label="the tuned MLP", curves=True, cost=3.0,
                           settings={**settings, "target": st.target, "inputs": mo.inputs_of(st.target, inputs)})
    plan = {}
    for name, v in reg_variants("mlp_tuned", settings, reference="mlp_tuned", dropout=dropout, weight_decay=weight_decay,
                                input_noise=input_noise, patience=patience, valid_fraction=valid_fraction,
                                which=which).items():
        plan[name] = {"regularizer": v["regularizer"], "reference": v["reference"]}
        label = (f"the tuned MLP with {REG_LABELS[v['regularizer']]}" if v["regularizer"]
                 else "the tuned MLP trained on the rows left after the early-stopping slice")
        jobs += fanout.jobs_for(name, lambda info, s=v["settings"]: mo.mlp_model(s, target=st.target, inputs=inputs,
                                                                                seed=info.seed),
                                st.splits, role="variant", label=label, curves=True, cost=3.0,
                                settings={**v["settings"], "target": st.target})
    st.run(jobs)
    for name, p in plan.items():
        st.runs[name].info["regularization"] = p
    return plan


def error_by_symbol(detail: dict, top: int = 15) -> pd.DataFrame:
    """Test RMSE, MAE and MAPE per symbol with its median close: where the dollars of error come from."""
    df = pd.DataFrame({"symbol": detail["symbol"], "close": detail["y_true"], "err": detail["y_pred"] - detail["y_true"]})
    g = df.groupby("symbol", sort=False)
    out = pd.DataFrame({
        "rows": g.size(),
        "median close": g["close"].median(),
        "rmse": g["err"].apply(lambda e: float(np.sqrt(np.mean(e ** 2)))),
        "mae": g["err"].apply(lambda e: float(np.mean(np.abs(e)))),
    })
    out["mape %"] = (df.assign(ape=(df["err"].abs() / df["close"]) * 100).groupby("symbol", sort=False)["ape"].mean())
    out["share of squared error %"] = 100 * g["err"].apply(lambda e: float(np.sum(e ** 2))) / float(np.sum(df["err"] ** 2))
    return out.sort_values("rmse", ascending=False).head(top).reset_index()


def other_baseline(target: str) -> str:
    return "mlp_baseline_close" if target == "intraday_return" else "mlp_baseline_return"


def inputs_label(st: Setup) -> str:
    return mo.inputs_of(st.target, st.inputs)


def headline_verdicts(st: Setup) -> list[dict]:
    """The comparisons the Lab 1 conclusions read: tuned vs baseline MLP, baseline MLP vs least squares,
    the two formulations, the recommended model's rivals (paired over seeds, test RMSE)."""
    from mlplab.experiment.verdict import compare_runs, record

    runs = st.runs
    pairs = [("tuning", "mlp_tuned", "mlp_baseline"), ("mlp_vs_linear", "mlp_tuned", "ols_return"),
             ("mlp_vs_linear", "mlp_baseline", "ols_return"), ("linear", "ols", "naive"),
             ("formulation", "mlp_baseline", other_baseline(st.target)), ("formulation", "ols_return", "ols")]
    return [record(topic, a, b, "rmse", compare_runs(runs[a], runs[b], "rmse", higher_is_better=False))
            for topic, a, b in pairs if a in runs and b in runs]


def error_summary(detail: dict, per_symbol: pd.DataFrame) -> dict:
    err = detail["y_pred"] - detail["y_true"]
    from mlplab.regression.narrative import safe_corr

    top = per_symbol.loc[per_symbol["share of squared error %"].idxmax()]  # the largest share of the squared error
    return {"abs_residual_price_corr": safe_corr(np.abs(err), detail["y_true"]),
            "worst_symbol": str(top["symbol"]), "worst_symbol_share_pct": float(top["share of squared error %"])}


def control_names(plan: dict) -> list[str]:
    """The controls of the regularization study (early stopping's reference on the reduced rows): shown, never counted."""
    return [name for name, p in plan.items() if p["regularizer"] is None]


def regularization_pairs(plan: dict) -> list[tuple[str, str, str]]:
    """(variant, reference, row label) for the regularization table."""
    from mlplab.experiment.regularize import LABELS

    out = []
    for name, p in plan.items():
        if p["regularizer"] is None:
            out.append((name, p["reference"], "the stopping slice held out, no stopping (not a regularizer)"))
        elif p["regularizer"] == "early_stopping":
            out.append((name, p["reference"], "early stopping (same reduced rows)"))
        else:
            out.append((name, p["reference"], LABELS[p["regularizer"]]))
    return out


def models_table(st: Setup) -> pd.DataFrame:
    """Each model's target and inputs, read from its run settings."""
    rows = []
    for name, run in st.runs.items():
        s = run.settings
        if "target" not in s:
            continue
        rows.append({"model": run.label, "predicts": TARGET_LABELS.get(s["target"], s["target"]),
                     "inputs": s.get("inputs", ""), "split": s.get("split", "chronological")})
    return pd.DataFrame(rows)


def models_caption(st: Setup) -> str:
    text = f"The scale-free models read {mo.inputs_of(st.target, st.inputs)}"
    if "log_volume" not in st.inputs:
        text += "; volume enters only the models of the close price"
    return text + "."
