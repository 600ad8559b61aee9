"""The notebook's sections as functions, so each cell is one call and every step is testable."""

from __future__ import annotations

import pandas as pd

from mlplab.classification import experiment as ex
from mlplab.classification import models as mo
from mlplab.classification.features import split
from mlplab.data import load_maintenance
from mlplab.resample import STRATEGIES

NET_KEYS = ("hidden", "activation", "dropout", "optimizer", "lr", "epochs", "batch_size", "weight_decay",
            "batch_norm", "early_stopping", "valid_fraction", "lr_schedule", "loss")


def load(data_path: str = ""):
    return load_maintenance(data_path or None)


def mlp_builder(features: str, strategy: str, settings: dict, *, encoding: str = "standard", n_bins: int = 16,
                thresholds: bool = False, ensemble: int = 1, valid_fraction: float = 0.2, threshold_cv: int = 0):
    """seed -> pipeline (optionally a seed ensemble, optionally wrapped with per-class thresholds)."""
    net = {k: (tuple(v) if isinstance(v, list) and k == "hidden" else v) for k, v in settings.items() if k in NET_KEYS}

    def build(seed: int):
        est = mo.mlp_pipeline(features, strategy, encoding=encoding, n_bins=n_bins, seed=seed, **net)
        if ensemble > 1:
            est = mo.seed_ensemble(est, [seed * 100 + i for i in range(ensemble)])
        if thresholds:
            est = mo.ThresholdTuned(est, valid_fraction=valid_fraction, cv=threshold_cv, seed=seed)
        return est

    return build


def baseline_builder(name: str, features: str, strategy: str = "none", max_iter: int = 100):
    return lambda seed: mo.baseline(name, features, seed=seed, strategy=strategy, max_iter=max_iter)


def rules_builder():
    """seed -> the documented failure rules (no training): the reference ceiling of the inputs."""
    return lambda seed: mo.DocumentedRules()


def ablation(frame: pd.DataFrame, seeds, *, strategy: str, lab: dict, n_jobs: int, test_size: float,
             hgb_max_iter: int = 100):
    """HGB and the lab's MLP on raw vs raw+physics features over the split seeds."""
    runs, table = {}, {}
    for model, make in (("hgb", lambda f: baseline_builder("hgb", f, strategy, hgb_max_iter)),
                        ("mlp_baseline", lambda f: mlp_builder(f, strategy, lab))):
        for features in ("raw", "raw+physics"):
            name = model + ("_physics" if features == "raw+physics" else "_raw")
            runs[name] = ex.run_seeds(name, make(features), frame, features, seeds, test_size=test_size, n_jobs=n_jobs,
                                      settings={"features": features, "strategy": strategy})
        raw, phys = runs[model + "_raw"].seed_summary(), runs[model + "_physics"].seed_summary()
        table[model] = {"raw_mean": raw["mean"]["macro_f1"], "raw_std": raw["std"]["macro_f1"],
                        "physics_mean": phys["mean"]["macro_f1"], "physics_std": phys["std"]["macro_f1"],
                        "per_class_f1_raw": ex.per_class_seed_f1(runs[model + "_raw"]),
                        "per_class_f1_physics": ex.per_class_seed_f1(runs[model + "_physics"])}
    return runs, table


def ablation_frame(table: dict) -> pd.DataFrame:
    rows = []
    for model, d in table.items():
        rows.append({"model": model, "raw mean": d["raw_mean"], "raw std": d["raw_std"], "raw+physics mean": d["physics_mean"],
                     "raw+physics std": d["physics_std"], "change": d["physics_mean"] - d["raw_mean"]})
    return pd.DataFrame(rows)


def rebalancing(frame: pd.DataFrame, features: str, strategies, settings: dict, *, seed: int, n_jobs: int,
                test_size: float):
    """The same MLP under each strategy on one split; resampling inside the training rows only."""
    unknown = [s for s in strategies if s not in STRATEGIES]
    if unknown:
        from mlplab.errors import UserError

        raise UserError(f"parameter strategies: unknown {unknown}; expected values from {', '.join(STRATEGIES)}")
    builders = {f"mlp_{s}": mlp_builder(features, s, settings) for s in strategies}
    runs = ex.run_many(builders, frame, features, seed, test_size=test_size, n_jobs=n_jobs)
    table = pd.DataFrame([{"strategy": s, **{m: runs[f"mlp_{s}"].test[m] for m in ("macro_f1", "balanced_accuracy", "accuracy")}}
                          for s in strategies])
    return runs, table


def search_data(frame: pd.DataFrame, features: str, seed: int, test_size: float):
    """The training rows of the first split: the search never sees the test rows."""
    sp = split(frame, features, seed, test_size)
    return sp.X_train, sp.y_train


def tune(frame: pd.DataFrame, features: str, strategy: str, grid: dict, fixed: dict, *, method: str, cv: int,
         subsample: int, seed: int, n_jobs: int, test_size: float, encoding: str = "standard", n_bins: int = 16):
    """Halving (resource: epochs) or grid search of the MLP pipeline, scored by macro-F1 with stratified CV."""
    from mlplab.search import run_search

    X, y = search_data(frame, features, seed, test_size)
    grid = {k: v for k, v in grid.items() if v not in (None, [], ())}
    epochs = [int(e) for e in grid.pop("epochs", [])] or [int(fixed.get("epochs", 30))]
    settings = {k: v for k, v in fixed.items() if k in NET_KEYS}
    kwargs = {}
    if method == "halving":
        settings["epochs"] = max(epochs)
        kwargs["min_epochs"] = min(epochs) if len(epochs) > 1 else None
    else:
        grid["epochs"] = epochs
    est = mlp_builder(features, strategy, settings, encoding=encoding, n_bins=n_bins)(seed)
    result = run_search(est, X, y, grid, task="classification", method=method, cv=cv, n_jobs=n_jobs,
                        subsample=subsample or None, seed=seed, progress=False, refit=False, **kwargs)
    return result, len(y)


def network(frame: pd.DataFrame, features: str, settings: dict, *, seed: int, test_size: float,
            encoding: str = "standard", n_bins: int = 16):
    """(torch module, its input column count): the net a pipeline trains, for the architecture diagram.

    The input width depends on the encoding (one column per bin for piecewise-linear), so the
    preprocessing step is fitted on the first split's training rows, exactly as in training.
    """
    from sklearn.base import clone

    from mlplab.plots.architecture import module_of

    pipe = mlp_builder(features, "none", settings, encoding=encoding, n_bins=n_bins)(seed)
    sp = split(frame, features, seed, test_size)
    width = clone(pipe.named_steps["prep"]).fit_transform(sp.X_train, sp.y_train).shape[1]
    return module_of(pipe, width, len(set(sp.y_train))), width


def settings_from_search(best_params: dict, fixed: dict) -> dict:
    out = {k: v for k, v in fixed.items() if k in NET_KEYS}
    for k, v in best_params.items():
        out[k] = list(v) if isinstance(v, tuple) else v
    return out


def regularization(frame: pd.DataFrame, features: str, strategy: str, tuned: dict, *, dropout: float,
                   weight_decay: float, patience: int, valid_fraction: float, es_epochs: int, seed: int, n_jobs: int,
                   test_size: float, encoding: str = "standard", n_bins: int = 16):
    """The tuned network with no regularizer, each regularizer alone, and all combined (one split, with curves)."""
    plain = {**tuned, "dropout": 0.0, "weight_decay": 0.0, "batch_norm": False, "early_stopping": 0}
    alone = {"dropout": {"dropout": dropout}, "l2": {"weight_decay": weight_decay}, "batchnorm": {"batch_norm": True},
             "early_stopping": {"early_stopping": patience, "valid_fraction": valid_fraction, "epochs": es_epochs}}
    variants = {"mlp_tuned_plain": plain}
    variants.update({f"mlp_tuned_{k}": {**plain, **v} for k, v in alone.items()})
    variants["mlp_tuned_all_reg"] = {**plain, **{k: v for part in alone.values() for k, v in part.items()}}
    builders = {n: mlp_builder(features, strategy, s, encoding=encoding, n_bins=n_bins) for n, s in variants.items()}
    runs = ex.run_many(builders, frame, features, seed, test_size=test_size, n_jobs=n_jobs, curves=True)
    for n, r in runs.items():
        r.settings = variants[n]
    return runs


def net_settings(hidden, activation, dropout, optimizer, lr, epochs, batch_size) -> dict:
    """The lab's network from the notebook parameters (dropout: one rate for every layer, or a list)."""
    return dict(hidden=list(hidden), activation=activation, dropout=dropout, optimizer=optimizer, lr=float(lr),
                epochs=int(epochs), batch_size=int(batch_size))


LEVER_NAMES = {"standard": "tuned net, standardized inputs", "ple": "piecewise-linear encoding",
               "periodic": "periodic embedding", "thresholds": "supervised threshold encoding",
               "class_thresholds": "per-class threshold encoding"}


def levers(frame: pd.DataFrame, features: str, tuned: dict, *, strategy: str, encodings, encoding: str,
           thresholds: bool, ensemble: int, seeds, n_jobs: int, test_size: float, n_bins: int,
           valid_fraction: float, losses=(), try_ensemble: int = 1, threshold_cv: int = 0) -> tuple[dict, list[dict]]:
    """Each input encoding on the tuned network, each extra loss on `encoding`, then on `encoding` the
    per-class thresholds and the seed ensemble added in turn, all over the split seeds. The final
    configuration (fixed by the parameters, never picked on test scores) is `mlp_tuned`; with
    `try_ensemble` > 1 (and no ensemble in the final configuration) a k-seed ensemble of it is tried too."""
    plan = [(f"mlp_tuned_{e}", LEVER_NAMES[e], dict(encoding=e), {}) for e in encodings]
    plan += [(f"mlp_tuned_{encoding}_{loss}", f"{LEVER_NAMES[encoding]} + {loss} loss", dict(encoding=encoding),
              {"loss": loss}) for loss in losses]
    final = dict(encoding=encoding)
    label = LEVER_NAMES[encoding]
    if thresholds:
        final["thresholds"] = True
        label += " + per-class thresholds"
        plan.append((f"mlp_tuned_{encoding}_thr", label, dict(final), {}))
    if ensemble > 1:
        final["ensemble"] = int(ensemble)
        label += f" + {ensemble}-seed ensemble"
        plan.append(("mlp_tuned_ens", label, dict(final), {}))
    if not any(cfg == final and not over for _, _, cfg, over in plan):
        plan.append(("mlp_tuned_final", label, dict(final), {}))
    if try_ensemble > 1 and ensemble <= 1:
        plan.append(("mlp_tuned_ens", f"{label} + {try_ensemble}-seed ensemble", {**final, "ensemble": int(try_ensemble)}, {}))
    runs, rows = {}, []
    for name, label, cfg, over in plan:
        if cfg == final and not over:
            name = "mlp_tuned"
        settings = {**tuned, **over}
        build = mlp_builder(features, strategy, settings, n_bins=n_bins, valid_fraction=valid_fraction,
                            threshold_cv=threshold_cv, **cfg)
        r = ex.run_seeds(name, build, frame, features, seeds, test_size=test_size, n_jobs=n_jobs,
                         settings={**settings, **cfg, "strategy": strategy, "features": features})
        runs[name] = r
        s = r.seed_summary()
        rows.append({"lever": label, "model": name, "macro_f1_mean": s["mean"]["macro_f1"],
                     "macro_f1_std": s["std"]["macro_f1"], "per_seed": r.seed_values()})
    return runs, rows
