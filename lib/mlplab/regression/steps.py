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


def baselines(prep: Prepared, *, lab_epochs: int, batch_size: int, seed: int = 0) -> dict[str, ex.ModelRun]:
    """naive, OLS on both formulations, and the lab's unscaled MLP (one seed: it is the lab's single run)."""
    ret, close = prep.d("intraday_return"), prep.d("close")
    runs = {"naive": ex.fit_and_score("naive", models.naive_model(), *ret),
            "ols": ex.fit_and_score("ols", models.ols_model(), *close),
            "ols_return": ex.fit_and_score("ols_return", models.ols_model(), *ret)}
    lab = {"hidden": list(models.LAB_HIDDEN), "lr": models.LAB_LR, "epochs": lab_epochs, "batch_size": batch_size,
           "scaled": False}
    runs["lab_protocol"] = ex.fit_and_score("lab_protocol", models.lab_protocol_model(
        batch_size=batch_size, epochs=lab_epochs, seed=seed), *close, curves=True, settings=lab)
    return runs


def mlp_settings(hidden, activation, optimizer, lr, batch_size, epochs, lr_schedule="") -> dict:
    return {"hidden": list(hidden), "activation": activation, "optimizer": optimizer, "lr": float(lr),
            "batch_size": int(batch_size), "epochs": int(epochs), "lr_schedule": lr_schedule}


def mlp_baselines(prep: Prepared, settings: dict, seeds: Sequence[int], n_jobs: int) -> dict[str, ex.ModelRun]:
    """The standardized 64-32 MLP on the chosen target (`mlp_baseline`) and on the other one
    (`mlp_baseline_<close|return>`), each over all seeds: the formulation comparison."""
    out = {}
    for target, name in ((prep.target, "mlp_baseline"), (OTHER[prep.target], f"mlp_baseline_{SHORT[OTHER[prep.target]]}")):
        out[name] = ex.run_seeds(name, lambda s, st=settings: models.mlp_model(**st, seed=s), *prep.d(target),
                                 seeds, n_jobs=n_jobs, settings={**settings, "target": target})
    return out


def search(prep: Prepared, *, grid: dict, method: str, cv: int, n_jobs: int, subsample: int, seed: int,
           fixed: dict):
    return ex.tune(prep.d()[0], grid, method=method, cv=cv, n_jobs=n_jobs, subsample=subsample or None,
                   seed=seed, fixed=fixed)


def tuned(prep: Prepared, settings: dict, seeds: Sequence[int], n_jobs: int) -> ex.ModelRun:
    return ex.run_seeds("mlp_tuned", lambda s, st=settings: models.mlp_model(**st, seed=s), *prep.d(), seeds,
                        n_jobs=n_jobs, settings={**settings, "target": prep.target})


def regularized(prep: Prepared, tuned_settings: dict, *, dropout: float, weight_decay: float, patience: int,
                valid_fraction: float, early_stopping_epochs: int, seed: int, n_jobs: int) -> dict[str, ex.ModelRun]:
    variants = ex.regularized_settings(tuned_settings, dropout=dropout, weight_decay=weight_decay,
                                       patience=patience, valid_fraction=valid_fraction,
                                       early_stopping_epochs=early_stopping_epochs)
    jobs = {n: (lambda st=st: models.mlp_model(**st, seed=seed)) for n, st in variants.items()}
    return ex.run_many(jobs, *prep.d(), n_jobs=n_jobs, settings=variants)
