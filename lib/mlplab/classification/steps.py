"""The maintenance notebook's sections as functions over the experiment core.

Protocol (nested): each split seed draws a stratified 80/20 outer split; its training rows are
divided into fit rows (80 %) and validation rows (20 %, stratified). Every model is trained on the
fit rows only; searches run their cross-validation, decision thresholds their out-of-fold fits and
early stopping its own slice inside the fit rows; the validation rows score every candidate for the
recommendation; the test rows are scored once per model and never chosen on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlplab.classification import HEADLINE, LEVERS  # noqa: F401  (the notebook reads steps.HEADLINE)
from mlplab.classification import models as mo
from mlplab.classification.features import LABEL, design_matrix
from mlplab.data import FAILURE_TYPES, load_maintenance
from mlplab.errors import UserError
from mlplab.experiment import fanout
from mlplab.experiment.protocol import Protocol, Rows, outer_splits, row_selector, stratified_indices
from mlplab.experiment.record import Run, SplitResult
from mlplab.experiment.regularize import LABELS as REG_LABELS
from mlplab.experiment.regularize import variants as reg_variants
from mlplab.experiment.search import choose_by_cv, run_search
from mlplab.experiment.study import Study
from mlplab.experiment.tasks import Classification
from mlplab.metrics import CLASSIFICATION_METRICS, classification_metrics
from mlplab.resample import STRATEGIES, leaky_lab_protocol

FEATURES = "raw+physics"   # the design matrix carries both; each model's preprocessor picks its columns
LEVER_LABELS = {"standard": "standardized inputs", "ple": "piecewise-linear encoding",
                "periodic": "periodic embedding", "thresholds": "threshold encoding",
                "class_thresholds": "per-class threshold encoding",
                "class_thresholds_focal": "per-class threshold encoding + focal loss",
                "standard_focal": "standardized inputs + focal loss"}
STRATEGY_LABELS = {"none": "no rebalancing", "class_weight": "class weights", "smote": "SMOTE",
                   "undersample": "random undersampling", "smote_tomek": "SMOTE-Tomek", "adasyn": "ADASYN"}


@dataclass
class Setup(Study):
    """The study plus this notebook's shared options (decision-threshold folds, encoding bins)."""

    threshold_cv: int = 5
    n_bins: int = 16


def load(data_path: str = ""):
    return load_maintenance(data_path or None)


def labels_of(y) -> list[str]:
    """The fixed class order (FAILURE_TYPES) restricted to classes that occur, so tables line up."""
    seen = set(np.asarray(y).astype(str).tolist())
    return [c for c in FAILURE_TYPES if c in seen] + sorted(seen - set(FAILURE_TYPES))


def setup(frame: pd.DataFrame, seeds, *, test_size: float, valid_size: float, n_jobs: int,
          scheduler: str = "", threshold_cv: int = 5, n_bins: int = 16) -> Setup:
    X = design_matrix(frame, FEATURES)
    y = frame[LABEL].astype(str).to_numpy()
    splits = outer_splits(stratified_indices(y, seeds, test_size=test_size, valid_size=valid_size), row_selector(X, y))
    protocol = Protocol.for_splits(
        "nested", splits,
        selection=("searches (successive halving on epochs or boosting iterations) and the choice of input encoding "
                   "and loss by stratified cross-validation on each outer split's fit rows; decision thresholds from "
                   "out-of-fold probabilities of the fit rows"),
        validation=f"{100 * valid_size:.0f} % of each outer split's training rows (stratified), never used for fitting")
    return Setup(splits, Classification(labels_of(y)), protocol, n_jobs, scheduler or None,
                 threshold_cv=threshold_cv, n_bins=n_bins)


def split_sizes(st: Setup) -> dict:
    s = st.splits[0]
    return {"fit": len(s.fit), "validation": len(s.validation), "test": len(s.test), "outer_splits": len(st.splits)}


# ---- the lab's network and its protocol -----------------------------------------------------------

def lab_settings(hidden, activation, dropout, optimizer, lr, epochs, batch_size) -> dict:
    return dict(hidden=list(hidden), activation=activation, dropout=dropout, optimizer=optimizer, lr=float(lr),
                epochs=int(epochs), batch_size=int(batch_size))


def mlp_builder(settings: dict, *, features: str, strategy: str = "none", encoding: str = "standard",
                loss: str = "cross_entropy", n_bins: int = 16, thresholds: int = 0):
    """info -> pipeline; `settings` may be {split index: settings} when a search chose them per split."""
    def build(info):
        s = settings[info.index] if _per_split(settings) else settings
        est = mo.mlp_pipeline(s, features=features, strategy=strategy, encoding=encoding, loss=loss, n_bins=n_bins,
                              seed=info.seed)
        return mo.with_thresholds(est, cv=thresholds, seed=info.seed) if thresholds else est
    return build


def _per_split(settings) -> bool:
    return bool(settings) and all(isinstance(k, int) for k in settings)


def leaky_evaluate(strategy: str, settings: dict, test_size: float):
    """The lab's order: resample ALL rows, then split; scored on its own (partly synthetic) test set."""
    def evaluate(job, split, task):
        X = pd.concat([split.fit.X, split.validation.X, split.test.X], ignore_index=True)
        y = np.concatenate([split.fit.y, split.validation.y, split.test.y])
        t0 = time.perf_counter()
        leak = leaky_lab_protocol(X, y, strategy=strategy, test_size=test_size, seed=job.seed,
                                  categorical_features="auto")
        est = mo.mlp_pipeline(settings, features="raw", strategy="none", seed=job.seed)
        from mlplab.training import fit_with_eval, history_frame

        fit_with_eval(est, leak["X_train"], leak["y_train"], eval_sets={"test": (leak["X_test"], leak["y_test"])})
        seconds = time.perf_counter() - t0
        y_te, p_te = np.asarray(leak["y_test"]), est.predict(leak["X_test"])
        syn = leak["test_is_synthetic"]
        labels = task.labels
        real = classification_metrics(y_te[~syn], p_te[~syn], labels)
        info = {"test_rows": int(len(y_te)), "synthetic_test_rows": int(syn.sum()),
                "synthetic_test_share": float(syn.mean()), "real_test_rows": int((~syn).sum()),
                "train_rows": int(len(leak["y_train"])), "strategy": strategy,
                "real_rows": {k: real[k] for k in CLASSIFICATION_METRICS},
                "real_rows_per_class_recall": {c: v["recall"] for c, v in real["per_class"].items()},
                "class_counts_after_resampling": {c: int((np.asarray(leak["y_train"]) == c).sum() + (y_te == c).sum())
                                                  for c in labels}}
        detail = {"history": history_frame(est), "leak": info} if job.keep else {}
        return SplitResult(job.split, job.seed, task.score(est, Rows(leak["X_train"], leak["y_train"])), {},
                           classification_metrics(y_te, p_te, labels), seconds, {}, detail)
    return evaluate


def lab_protocol(st: Setup, settings: dict, *, strategy: str, test_size: float) -> Run:
    """One run of the lab's protocol on the first split's rows (its own random split)."""
    first = st.splits[:1]
    job = fanout.Job("lab_protocol", lambda info: None, first[0].index, first[0].seed, role="leaky_reference",
                     label="the lab's protocol (resampling before the split)", keep=True, validate=False,
                     settings={**settings, "strategy": strategy, "features": "raw"},
                     evaluate=leaky_evaluate(strategy, settings, test_size))
    run = fanout.run([job], first, st.task, n_jobs=1)["lab_protocol"]
    run.info["leak"] = run.detail.get("leak", {})
    st.runs["lab_protocol"] = run
    return run


# ---- rebalancing, features: the lab's network under the honest protocol ---------------------------

def rows_per_epoch(st: Setup, strategy: str) -> dict:
    """{"rows_per_epoch": n} for a strategy whose resampled size is exact on the first split's fit rows: SMOTE
    ('auto') raises every class to the majority's count, random undersampling lowers every class to the minority's.
    A network's optimizer updates (epochs × batches) are counted on these rows, not on the fit rows (a SMOTE
    network trains on about six times more rows per epoch). Empty for the other strategies."""
    _, counts = np.unique(np.asarray(st.splits[0].fit.y), return_counts=True)
    if strategy == "smote":
        return {"rows_per_epoch": int(len(counts) * counts.max())}
    if strategy == "undersample":
        return {"rows_per_epoch": int(len(counts) * counts.min())}
    return {}


def rebalancing(st: Setup, lab: dict, strategies) -> dict[str, Run]:
    """The lab's network on raw features under each strategy (SMOTE = mlp_baseline), every split."""
    unknown = [s for s in strategies if s not in STRATEGIES]
    if unknown:
        raise UserError(f"parameter strategies: unknown {unknown}; expected values from {', '.join(STRATEGIES)}")
    jobs = []
    for s in strategies:
        name = "mlp_baseline" if s == "smote" else f"mlp_baseline_{s}"
        role = "baseline" if s == "smote" else "variant"
        label = "the lab's MLP (SMOTE inside the training rows)" if s == "smote" else \
            f"the lab's MLP with {STRATEGY_LABELS[s]}"
        jobs += fanout.jobs_for(name, mlp_builder(lab, features="raw", strategy=s), st.splits, role=role, label=label,
                                settings={**lab, "features": "raw", "strategy": s, **rows_per_epoch(st, s)},
                                curves=s == "smote",
                                cost=3.0 if s in ("smote", "smote_tomek", "adasyn") else 1.0)
    return st.run(jobs)


def physics(st: Setup, lab: dict) -> dict[str, Run]:
    """The feature rung (raw -> raw+physics, SMOTE) and the rebalancing rung (SMOTE -> none)."""
    jobs = fanout.jobs_for("mlp_baseline_physics", mlp_builder(lab, features=FEATURES, strategy="smote"), st.splits,
                           role="variant", label="the lab's MLP with physics features",
                           settings={**lab, "features": FEATURES, "strategy": "smote", **rows_per_epoch(st, "smote")},
                           cost=3.0)
    jobs += fanout.jobs_for("mlp_baseline_physics_none", mlp_builder(lab, features=FEATURES, strategy="none"),
                            st.splits, role="variant", label="the lab's MLP with physics features, no rebalancing",
                            settings={**lab, "features": FEATURES, "strategy": "none"})
    return st.run(jobs)


# ---- searches, one per outer split, on its fit rows only ------------------------------------------

def search_mlp(st: Setup, grid: dict, fixed: dict, *, method: str, cv: int, subsample: int, min_epochs: int,
               strategy: str = "none") -> dict:
    """{split: SearchResult} of the MLP on raw+physics, standardized inputs, `strategy` rebalancing."""
    out = {}
    grid = {k: v for k, v in grid.items() if v not in (None, [], ())}
    for sp in st.splits:
        est = mo.mlp_pipeline(fixed, features=FEATURES, strategy=strategy, seed=sp.seed)
        out[sp.index] = run_search(est, sp.fit.X, sp.fit.y, grid, task="classification", method=method, cv=cv,
                                   n_jobs=st.n_jobs, scheduler=st.scheduler, subsample=subsample or None,
                                   seed=sp.seed, min_resources=min_epochs if method == "halving" else None)
    return out


def search_baseline(st: Setup, name: str, grid: dict, *, method: str, cv: int, subsample: int,
                    min_resources: int | None = None, max_iter: int | None = None) -> dict:
    """{split: SearchResult} of logistic regression or HGB on raw+physics features."""
    out = {}
    fixed = {"max_iter": int(max_iter)} if max_iter else {}
    for sp in st.splits:
        est = mo.baseline(name, FEATURES, seed=sp.seed, **fixed)
        out[sp.index] = run_search(est, sp.fit.X, sp.fit.y, grid, task="classification", method=method, cv=cv,
                                   n_jobs=st.n_jobs, scheduler=st.scheduler, subsample=subsample or None,
                                   seed=sp.seed, min_resources=min_resources if method == "halving" else None)
    return out


def settings_from(result, fixed: dict) -> dict:
    """The search's best parameters (friendly names) over the fixed settings."""
    out = dict(fixed)
    for k, v in result.best_params.items():
        out[k] = list(v) if isinstance(v, tuple) else v
    return out


def choose_levers(st: Setup, settings: dict, levers, *, cv: int, subsample: int) -> dict:
    """{split: ChoiceResult}: the input encoding and loss of the searched net, chosen by inner CV on
    the fit rows (same folds for every lever)."""
    unknown = [lv for lv in levers if lv not in LEVERS]
    if unknown:
        raise UserError(f"parameter levers: unknown {unknown}; expected values from {', '.join(LEVERS)}")
    from mlplab.experiment.search import _subsample

    out = {}
    for sp in st.splits:
        X, y = sp.fit.X, sp.fit.y
        if subsample:
            X, y = _subsample(X, y, int(subsample), "classification", sp.seed)
        cands = {lv: mo.mlp_pipeline(settings[sp.index], features=FEATURES, encoding=LEVERS[lv][0], loss=LEVERS[lv][1],
                                     n_bins=st.n_bins, seed=sp.seed) for lv in levers}
        out[sp.index] = choose_by_cv(cands, X, y, task="classification", cv=cv, seed=sp.seed, n_jobs=st.n_jobs,
                                     scheduler=st.scheduler)
    return out


# ---- the headline comparison ----------------------------------------------------------------------

def _chosen_lever_builder(settings: dict, levers: dict, *, strategy: str, n_bins: int, thresholds: int):
    def build(info):
        enc, loss = LEVERS[levers[info.index].best]
        est = mo.mlp_pipeline(settings[info.index], features=FEATURES, strategy=strategy, encoding=enc, loss=loss,
                              n_bins=n_bins, seed=info.seed)
        return mo.with_thresholds(est, cv=thresholds, seed=info.seed) if thresholds else est
    return build


def _baseline_builder(name: str, searched: dict | None, *, thresholds: int):
    def build(info):
        params = {}
        if searched is not None:
            params = {k.removeprefix("net__"): v for k, v in searched[info.index].best_params_full.items()}
        est = mo.baseline(name, FEATURES, seed=info.seed)
        if params:
            est.set_params(**{f"net__{k}": v for k, v in params.items()})
        return mo.with_thresholds(est, cv=thresholds, seed=info.seed) if thresholds else est
    return build


def tuned_settings(searched: dict, fixed: dict) -> dict:
    """{split: settings} of the MLP: the fixed settings with each split's search winner over them."""
    return {i: settings_from(r, fixed) for i, r in searched.items()}


def headline(st: Setup, *, tuned: dict, mlp_searched: dict, levers: dict, hgb: dict, logreg: dict,
             strategy: str = "none", smote_variant: bool = True) -> dict[str, Run]:
    """Majority, searched logistic regression and HGB, the documented rules, and the MLP ladder
    (searched -> chosen encoding/loss -> + decision thresholds), every split. Every probabilistic
    headline model gets the same out-of-fold decision thresholds."""
    thr = st.threshold_cv
    mlp_settings = tuned
    jobs = fanout.jobs_for("majority", lambda info: mo.baseline("majority", FEATURES), st.splits, role="baseline",
                           label="the majority class", settings={"features": FEATURES})
    jobs += fanout.jobs_for("logreg", _baseline_builder("logreg", logreg, thresholds=thr), st.splits, role="baseline",
                            label="logistic regression", settings={"features": FEATURES, "thresholds": "out-of-fold"})
    jobs += fanout.jobs_for("hgb", _baseline_builder("hgb", hgb, thresholds=thr), st.splits, role="baseline",
                            label="gradient boosting (HGB)", cost=2.0,
                            settings={"features": FEATURES, "thresholds": "out-of-fold"})
    jobs += fanout.jobs_for("documented_rules", lambda info: mo.DocumentedRules(), st.splits, role="reference",
                            label="the documented failure rules", settings={"features": "raw"})
    base = {"features": FEATURES, "strategy": strategy}
    jobs += fanout.jobs_for("mlp_searched", mlp_builder(mlp_settings, features=FEATURES, strategy=strategy), st.splits,
                            role="variant", label="the searched MLP", settings={**base, "encoding": "standard"}, cost=2.0)
    jobs += fanout.jobs_for("mlp_tuned_net", _chosen_lever_builder(mlp_settings, levers, strategy=strategy,
                                                                   n_bins=st.n_bins, thresholds=0),
                            st.splits, role="variant", label="the tuned MLP without decision thresholds",
                            settings=base, curves=True, cost=2.0)
    jobs += fanout.jobs_for("mlp_tuned", _chosen_lever_builder(mlp_settings, levers, strategy=strategy,
                                                               n_bins=st.n_bins, thresholds=thr),
                            st.splits, role="tuned", label="the tuned MLP",
                            settings={**base, "thresholds": "out-of-fold"}, cost=6.0)
    if smote_variant and strategy != "smote":
        jobs += fanout.jobs_for("mlp_tuned_smote", _chosen_lever_builder(mlp_settings, levers, strategy="smote",
                                                                         n_bins=st.n_bins, thresholds=thr),
                                st.splits, role="variant", label="the tuned MLP with SMOTE",
                                settings={"features": FEATURES, "strategy": "smote", "thresholds": "out-of-fold",
                                          **rows_per_epoch(st, "smote")},
                                cost=12.0)
    runs = st.run(jobs)
    for name, searched in (("mlp_searched", mlp_searched), ("mlp_tuned_net", mlp_searched), ("mlp_tuned", mlp_searched),
                           ("mlp_tuned_smote", mlp_searched), ("hgb", hgb), ("logreg", logreg)):
        if name in runs:
            for s in runs[name].splits:
                s.settings = dict(searched[s.split].best_params)
                if name.startswith("mlp_tuned"):
                    s.settings["lever"] = levers[s.split].best
    return runs


# ---- regularization -------------------------------------------------------------------------------

def regularization(st: Setup, *, tuned: dict, levers: dict, lab: dict, dropout: float, weight_decay: float,
                   input_noise: float, patience: int, valid_fraction: float, strategy: str = "none",
                   which=("dropout", "l2", "batchnorm", "noise", "early_stopping")) -> dict[str, dict]:
    """Each regularizer alone on the tuned network (reference mlp_tuned_net) and on the lab's network
    without its dropout (reference mlp_baseline_plain; its dropout variant is mlp_baseline itself),
    same epoch cap, every split. Returns {variant: {"regularizer", "reference", "family"}}."""
    plan: dict[str, dict] = {}
    jobs = []
    tuned_plain = {i: {**s, "dropout": 0.0} for i, s in tuned.items()}
    for name, v in reg_variants("mlp_tuned_net", {}, reference="mlp_tuned_net", dropout=dropout,
                                weight_decay=weight_decay, input_noise=input_noise, patience=patience,
                                valid_fraction=valid_fraction, which=which).items():
        settings = {i: {**s, **v["settings"]} for i, s in tuned_plain.items()}
        plan[name] = {"regularizer": v["regularizer"], "reference": v["reference"], "family": "tuned"}
        jobs += fanout.jobs_for(name, _chosen_lever_builder(settings, levers, strategy=strategy, n_bins=st.n_bins,
                                                            thresholds=0),
                                st.splits, role="variant",
                                label=_reg_label("the tuned MLP", v["regularizer"]), curves=True, cost=2.0,
                                settings={"regularizer": v["regularizer"] or "none (early-stopping reference)"})
    lab_plain = {**lab, "dropout": 0.0}
    jobs += fanout.jobs_for("mlp_baseline_plain", mlp_builder(lab_plain, features="raw", strategy="smote"), st.splits,
                            role="variant", label="the lab's MLP without dropout", curves=True, cost=3.0,
                            settings={**lab_plain, "features": "raw", "strategy": "smote"})
    for name, v in reg_variants("mlp_baseline", lab_plain, reference="mlp_baseline_plain", dropout=lab["dropout"],
                                weight_decay=weight_decay, input_noise=input_noise, patience=patience,
                                valid_fraction=valid_fraction, which=which).items():
        if v["regularizer"] == "dropout":
            plan["mlp_baseline"] = {"regularizer": "dropout", "reference": "mlp_baseline_plain", "family": "lab"}
            continue  # the lab's own network: already fitted as mlp_baseline
        plan[name] = {"regularizer": v["regularizer"], "reference": v["reference"], "family": "lab"}
        jobs += fanout.jobs_for(name, mlp_builder(v["settings"], features="raw", strategy="smote"), st.splits,
                                role="variant", label=_reg_label("the lab's MLP", v["regularizer"]), curves=True,
                                cost=3.0, settings={**v["settings"], "features": "raw", "strategy": "smote"})
    st.run(jobs)
    for name, p in plan.items():
        st.runs[name].info["regularization"] = p
    return plan


def _reg_label(base: str, regularizer: str | None) -> str:
    if regularizer is None:
        return f"{base} trained on the rows left after the early-stopping slice"
    return f"{base} with {REG_LABELS[regularizer]}"


# ---- tables the chapter shows -----------------------------------------------------------------------



def ladder_steps(st: Setup) -> list[tuple[str, str]]:
    """The ablation ladder, one change per rung (names that exist in this run)."""
    steps = [("mlp_baseline", "the lab's MLP: raw features, SMOTE inside the training rows"),
             ("mlp_baseline_physics", "+ physics features"),
             ("mlp_baseline_physics_none", "− SMOTE (no rebalancing)"),
             ("mlp_searched", "+ hyperparameter search"),
             ("mlp_tuned_net", "+ input encoding and loss chosen by inner CV"),
             ("mlp_tuned", "+ out-of-fold decision thresholds")]
    return [(n, c) for n, c in steps if n in st.runs]


def rebalancing_pairs(strategies) -> list[tuple[str, str, str]]:
    out = []
    for s in strategies:
        if s == "none":
            continue
        name = "mlp_baseline" if s == "smote" else f"mlp_baseline_{s}"
        out.append((name, "mlp_baseline_none", STRATEGY_LABELS[s]))
    return out


def control_names(plan: dict) -> list[str]:
    """The controls of the regularization study (early stopping's references on the reduced rows): shown, never counted."""
    return [name for name, p in plan.items() if p["regularizer"] is None]


def regularization_pairs(plan: dict) -> list[tuple[str, str, str]]:
    out = []
    for name, p in plan.items():
        who = "tuned MLP" if p["family"] == "tuned" else "lab's MLP"
        if p["regularizer"] is None:
            label = f"{who}: the stopping slice held out, no stopping (not a regularizer)"
        elif p["regularizer"] == "early_stopping":
            label = f"{who}: early stopping (same reduced rows)"
        else:
            label = f"{who}: {REG_LABELS[p['regularizer']]}"
        out.append((name, p["reference"], label))
    return out


def report_table(metrics: dict) -> pd.DataFrame:
    """scikit-learn's classification report from a metrics dict, with the accuracy row."""
    pc = metrics["per_class"]
    rows = [{"class": c, **{k: v[k] for k in ("precision", "recall", "f1", "support")}} for c, v in pc.items()]
    df = pd.DataFrame(rows)
    present = df[df["support"] > 0]
    n = int(df["support"].sum())
    w = present["support"] / n
    rows += [{"class": "accuracy", "precision": np.nan, "recall": np.nan, "f1": metrics["accuracy"], "support": n},
             {"class": "macro average", "precision": present["precision"].mean(), "recall": present["recall"].mean(),
              "f1": metrics["macro_f1"], "support": n},
             {"class": "weighted average", "precision": float((present["precision"] * w).sum()),
              "recall": float((present["recall"] * w).sum()), "f1": metrics["weighted_f1"], "support": n}]
    out = pd.DataFrame(rows)
    out["support"] = out["support"].astype(int)
    return out


def confusion_pairs(metrics: dict, top: int = 6) -> pd.DataFrame:
    """The largest off-diagonal cells of the confusion matrix: which true class goes to which prediction."""
    labels = metrics["confusion_matrix"]["labels"]
    m = np.asarray(metrics["confusion_matrix"]["matrix"])
    rows = [{"true": labels[i], "predicted": labels[j], "rows": int(m[i, j]),
             "share of true class %": 100 * m[i, j] / max(1, m[i].sum())}
            for i in range(len(labels)) for j in range(len(labels)) if i != j and m[i, j] > 0]
    df = pd.DataFrame(rows, columns=["true", "predicted", "rows", "share of true class %"])
    return df.sort_values("rows", ascending=False).head(top).reset_index(drop=True)


def per_class_recall(runs: dict, names) -> pd.DataFrame:
    """Rows = models (labels), columns = classes: mean test recall over the outer splits."""
    out = {}
    for n in names:
        r = runs[n]
        classes = r.test["per_class"].keys()
        out[r.label] = {c: float(np.mean([s.test["per_class"][c]["recall"] for s in r.splits])) for c in classes}
    return pd.DataFrame(out).T.rename_axis("model").reset_index()


def lever_table(choices: dict, labels: dict) -> pd.DataFrame:
    """Inner-CV macro-F1 of every lever in every split (rows: levers; columns: splits)."""
    frames = {f"split {i}": c.table.set_index("name")["mean_test_score"] for i, c in choices.items()}
    out = pd.DataFrame(frames)
    out["mean"] = out.mean(axis=1)
    out = out.sort_values("mean", ascending=False)
    out.index = [labels.get(i, i) for i in out.index]
    return out.rename_axis("input encoding and loss").reset_index()


def baseline_search_table(results: dict, name: str) -> pd.DataFrame:
    """Per split: what the search of a baseline chose and its CV macro-F1."""
    from mlplab.experiment.prose import params_text

    return pd.DataFrame([{"split": i, "chosen": params_text(r.best_params), "CV macro-F1": r.best_score,
                          "configurations": r.n_candidates} for i, r in results.items()])


def headline_verdicts(st: Setup) -> list[dict]:
    """The comparisons the Lab 1 conclusions read (test macro-F1, paired over the outer splits)."""
    from mlplab.experiment.verdict import compare_runs, record

    runs = st.runs
    pairs = [("tuning", "mlp_searched", "mlp_baseline_physics_none"), ("mlp_vs_boosting", "mlp_tuned", "hgb"),
             ("mlp_vs_linear", "mlp_tuned", "logreg"), ("mlp_vs_rules", "mlp_tuned", "documented_rules"),
             ("features", "mlp_baseline_physics", "mlp_baseline"), ("thresholds", "mlp_tuned", "mlp_tuned_net"),
             ("smote_on_tuned", "mlp_tuned_smote", "mlp_tuned"), ("lab_vs_tuned", "mlp_tuned", "mlp_baseline")]
    return [record(topic, a, b, "macro_f1", compare_runs(runs[a], runs[b], "macro_f1", higher_is_better=True,
                                                          test_train_ratio=st.ratio))
            for topic, a, b in pairs if a in runs and b in runs]


def sizes_table(st: Setup) -> pd.DataFrame:
    rows = []
    for s in st.splits:
        rows.append({"outer split": s.index, "split seed": s.seed, "fit rows": len(s.fit),
                     "validation rows": len(s.validation), "test rows": len(s.test),
                     "failures in test": int((np.asarray(s.test.y) != "No Failure").sum())})
    return pd.DataFrame(rows)


def sizes_caption(st: Setup) -> str:
    n = [int((np.asarray(s.test.y) != "No Failure").sum()) for s in st.splits]
    held = f"{min(n)}" if min(n) == max(n) else f"{min(n)}–{max(n)}"
    return f"Each test part holds {held} failures: the rare classes have only a handful of test rows each."


def hgb_grid(learning_rate, max_leaf_nodes, min_samples_leaf, class_weight) -> dict:
    return {"learning_rate": list(learning_rate), "max_leaf_nodes": list(max_leaf_nodes),
            "min_samples_leaf": list(min_samples_leaf), "class_weight": [_none(v) for v in class_weight]}


def logreg_grid(C, class_weight) -> dict:
    return {"C": [float(c) for c in C], "class_weight": [_none(v) for v in class_weight]}


def _none(v):
    return None if v in ("none", None) else v


def search_caption(result) -> str:
    table = result.cv_results
    final = table[table["iter"] == table["iter"].max()] if "iter" in table else table
    return (f"{len(final)} configurations reached the last round; their CV macro-F1 spans "
            f"{final['mean_test_score'].min():.3f} to {final['mean_test_score'].max():.3f}.")


def levers_caption(choices: dict) -> str:
    best = pd.Series([c.best for c in choices.values()]).value_counts()
    return f"{LEVER_LABELS.get(best.index[0], best.index[0]).capitalize()} wins in {best.iloc[0]} of {len(choices)} splits."


def architectures(st: Setup) -> list:
    """(module, title, inputs, outputs) of the lab's network and the first split's tuned network."""
    from mlplab.plots.architecture import module_of

    out = []
    for name, title in (("mlp_baseline", "The lab's network"), ("mlp_tuned_net", "The tuned network (first split)")):
        pipe = st.runs[name].detail["model"]
        width = pipe.named_steps["prep"].transform(st.splits[0].fit.X.iloc[:2]).shape[1]
        n_classes = len(pipe.named_steps["net"].classes_)
        out.append((module_of(pipe, width, n_classes), title, f"{width} input columns", f"{n_classes} class logits"))
    return out


def arch_caption(arch) -> str:
    from mlplab.plots.architecture import count_parameters

    (a, ta, *_), (b, tb, *_) = arch
    return (f"The tuned network has {count_parameters(b):,} trainable parameters against {count_parameters(a):,} for "
            "the lab's.")


def report_caption(metrics: dict) -> str:
    pc = {c: v for c, v in metrics["per_class"].items() if v["support"] > 0}
    worst = min(pc, key=lambda c: pc[c]["f1"])
    return f"Accuracy {metrics['accuracy']:.3f}, macro-F1 {metrics['macro_f1']:.3f}; weakest class: {worst} (F1 {pc[worst]['f1']:.2f})."


def pairs_caption(pairs: pd.DataFrame) -> str:
    if pairs.empty:
        return "No test row is misclassified."
    top = pairs.iloc[0]
    return f"The largest: {top['rows']} {top['true']} rows predicted as {top['predicted']}."
