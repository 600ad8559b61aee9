"""The notebook's steps, one function per section, so each cell is a call plus a display."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from mlplab.regression import experiment as ex
from mlplab.regression import models
from mlplab.regression.features import TARGETS, Design, make_design, select_rows, split_frame

OTHER = {"close": "intraday_return", "intraday_return": "close"}
SHORT = {"close": "close", "intraday_return": "return"}


@dataclass
class Prepared:
    train: pd.DataFrame
    test: pd.DataFrame
    designs: dict  # target -> (train Design, test Design)
    target: str

    def d(self, target: str | None = None) -> tuple[Design, Design]:
        return self.designs[target or self.target]


def load(data_path: str = "", securities_path: str = ""):
    """Empty paths resolve as the data layer does (data dir, kagglehub, embedded default)."""
    from mlplab.data.nyse import load_nyse

    return load_nyse(data_path or None, securities_path or None)


def prepare(frame: pd.DataFrame, *, symbols: Sequence[str] = (), max_symbols: int = 0, date_start: str = "",
            date_end: str = "", split: str = "chronological", test_start: str = "2015-01-01", test_size: float = 0.2, seed: int = 0,
            target: str = "intraday_return", relative_inputs: Sequence[str] = ("high_rel", "low_rel")) -> Prepared:
    rows = select_rows(frame, symbols, date_start, date_end, max_symbols)
    train, test = split_frame(rows, split, test_start, test_size, seed)
    designs = {t: (make_design(train, t, relative_inputs), make_design(test, t, relative_inputs)) for t in TARGETS}
    return Prepared(train, test, designs, target)


def reference_models(prep: Prepared, *, mlp: dict, seeds: Sequence[int], lab_epochs: int, n_jobs: int,
                     lab_batch_size: int = 256) -> dict[str, ex.ModelRun]:
    """Everything that does not depend on the search, fitted in one parallel batch:
    naive, OLS on both formulations, the lab's unscaled MLP (one seed: the lab's single run), and the
    standardized MLP baseline over all seeds on the chosen target (`mlp_baseline`) and on the other
    one (`mlp_baseline_<close|return>`): the formulation comparison."""
    ret, close = prep.d("intraday_return"), prep.d("close")
    runs = {"naive": ex.fit_and_score("naive", models.naive_model(), *ret),
            "ols": ex.fit_and_score("ols", models.ols_model(), *close),
            "ols_return": ex.fit_and_score("ols_return", models.ols_model(), *ret)}
    lab = {"hidden": list(models.LAB_HIDDEN), "activation": "relu", "optimizer": "adam", "lr": models.LAB_LR,
           "epochs": lab_epochs, "batch_size": int(lab_batch_size), "scaled": False}
    jobs = [ex.Job("lab_protocol", lambda s: models.lab_protocol_model(batch_size=lab["batch_size"], epochs=lab_epochs,
                                                                      seed=s),
                   int(seeds[0]), "close", curves=True, keep=True, settings=lab, cost=lab_epochs / max(mlp["epochs"], 1) * max(1.0, mlp["batch_size"] / lab_batch_size) ** 0.5)]
    for target, name in ((prep.target, "mlp_baseline"), (OTHER[prep.target], f"mlp_baseline_{SHORT[OTHER[prep.target]]}")):
        jobs += ex.seed_jobs(name, lambda s, st=mlp: models.mlp_model(**st, seed=s), target, seeds,
                             settings={**mlp, "target": target})
    runs.update(ex.run_jobs(jobs, prep.designs, n_jobs=n_jobs))
    return runs


def mlp_settings(hidden, activation, optimizer, lr, batch_size, epochs, lr_schedule="") -> dict:
    return {"hidden": list(hidden), "activation": activation, "optimizer": optimizer, "lr": float(lr),
            "batch_size": int(batch_size), "epochs": int(epochs), "lr_schedule": lr_schedule}


def search(prep: Prepared, *, grid: dict, method: str, cv: int, n_jobs: int, subsample: int, seed: int,
           fixed: dict):
    return ex.tune(prep.d()[0], grid, method=method, cv=cv, n_jobs=n_jobs, subsample=subsample or None,
                   seed=seed, fixed=fixed)


def tuned_models(prep: Prepared, tuned: dict, seeds: Sequence[int], *, dropout: float, weight_decay: float,
                 patience: int, valid_fraction: float, early_stopping_epochs: int, n_jobs: int) -> dict[str, ex.ModelRun]:
    """The tuned MLP over all seeds and its regularized variants (first seed), in one parallel batch."""
    variants = ex.regularized_settings(tuned, dropout=dropout, weight_decay=weight_decay, patience=patience,
                                       valid_fraction=valid_fraction, early_stopping_epochs=early_stopping_epochs)
    jobs = ex.seed_jobs("mlp_tuned", lambda s, st=tuned: models.mlp_model(**st, seed=s), prep.target, seeds,
                        settings={**tuned, "target": prep.target})
    jobs += [ex.Job(n, lambda s, st=st: models.mlp_model(**st, seed=s), int(seeds[0]), prep.target, curves=True,
                    keep=True, settings=st) for n, st in variants.items()]
    return ex.run_jobs(jobs, prep.designs, n_jobs=n_jobs)
