"""The IMDB notebook's sections as functions over the shared text study (mlplab.text.study).

Protocol (holdout, see mlplab.text.study): Stanford's movie-disjoint test half is the test set; a stratified 10 %
of the training reviews validates (reviews of one movie may fall on both sides of that cut: the original ids do not
name the movies, so validation may flatter a little more than test); the rest are the fit reviews, from which the
vocabulary is built. Budgets: the source's networks and each change to them train on the same `lever_train` fit
reviews for the same epochs; the search ranks its candidates on `search_train` fit reviews; the tuned network and
the baselines train on all fit reviews; the regularization study trains the tuned configuration without and with
each regularizer on `reg_train` fit reviews.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlplab.experiment.record import Run
from mlplab.experiment.verdict import compare_runs, record
from mlplab.text.eda import truncation  # noqa: F401  (the notebooks call steps.truncation)
from mlplab.text import study as S
from mlplab.text.study import tuned_settings  # noqa: F401  (the notebook calls steps.tuned_settings)

NB = "imdb_sentiment"
POSITIVE = "positive"
LEVER_LABELS = {"lstm_source": "BaseLSTM as specified", "lstm_improved": "ImprovedLSTM as specified",
                "lstm_bidirectional": "BaseLSTM with bidirectional layers",
                "lstm_pretrained": "BaseLSTM with a GloVe-initialised embedding",
                "lstm_improved_frozen": "ImprovedLSTM with GloVe frozen"}
LEVER_PAIRS = [("lstm_bidirectional", "lstm_source", "bidirectional layers alone"),
               ("lstm_pretrained", "lstm_source", "GloVe-initialised embedding alone"),
               ("lstm_improved", "lstm_source", "both changes: ImprovedLSTM"),
               ("lstm_improved_frozen", "lstm_improved", "GloVe frozen instead of fine-tuned")]
REG_LABELS = {"dropout": "dropout", "l2": "L2 weight decay", "word_dropout": "word dropout (augmentation)",
              "early_stopping": "early stopping"}
MAIN = ("majority", "tfidf_logreg", "glove_logreg", "lstm_source", "lstm_improved", "lstm_tuned")


def load(data_path: str = "", max_train: int = 0, max_test: int = 0):
    from mlplab.data.imdb import load_imdb
    from mlplab.data.textsets import with_subset

    return with_subset(load_imdb(data_path or None), max_train, max_test, seed=0)


def source_settings(*, length: int, keep: str, hidden: int, layers: int, dropout: float, lr: float, epochs: int,
                    batch_size: int) -> dict:
    """BaseLSTM: learned embedding, unidirectional LSTM layers with dropout after each, the final state, sigmoid."""
    return {"kind": "lstm", "embedding": "learned", "length": int(length), "keep": keep, "hidden": int(hidden),
            "layers": int(layers), "bidirectional": False, "pooling": "last", "dropout": float(dropout), "lr": float(lr),
            "epochs": int(epochs), "batch_size": int(batch_size)}


def levers(source: dict) -> dict[str, dict]:
    """The source's two networks and each of the improved network's changes alone (same budget)."""
    return {"lstm_source": dict(source),
            "lstm_improved": {**source, "bidirectional": True, "embedding": "glove"},
            "lstm_bidirectional": {**source, "bidirectional": True},
            "lstm_pretrained": {**source, "embedding": "glove"},
            "lstm_improved_frozen": {**source, "bidirectional": True, "embedding": "frozen"}}


def fit_levers(st: S.TextStudy, source: dict, n_fit: int) -> dict[str, Run]:
    roles = {n: ("reference" if n == "lstm_source" else "variant") for n in LEVER_LABELS}
    return S.fit_networks(st, levers(source), labels=LEVER_LABELS, n_fit=n_fit, roles=roles,
                          curves=("lstm_source", "lstm_improved"))


def search_candidates(fixed: dict, *, limit: int, seed: int, **grid) -> tuple[dict, int]:
    full = S.grid(fixed, **grid)
    return S.grid(fixed, limit=limit, seed=seed, **grid), len(full)


def reg_plan(tuned: dict, *, epochs: int, dropout: float, weight_decay: float, word_dropout: float,
             patience: int) -> dict[str, dict]:
    """The tuned configuration with every regularizer off (the reference) and with each one alone; early stopping's
    fair reference trains on the same 90 % of the fit reviews without stopping."""
    plain = {**tuned, "epochs": int(epochs), "dropout": 0.0, "weight_decay": 0.0, "word_dropout": 0.0}
    plan = {"lstm_reg_reference": {"settings": plain, "regularizer": None, "reference": None},
            "lstm_reg_dropout": {"settings": {**plain, "dropout": float(dropout)}, "regularizer": "dropout",
                                 "reference": "lstm_reg_reference"},
            "lstm_reg_l2": {"settings": {**plain, "weight_decay": float(weight_decay)}, "regularizer": "l2",
                            "reference": "lstm_reg_reference"},
            "lstm_reg_word_dropout": {"settings": {**plain, "word_dropout": float(word_dropout)},
                                      "regularizer": "word_dropout", "reference": "lstm_reg_reference"},
            "lstm_reg_es_reference": {"settings": {**plain, "valid_fraction": 0.1}, "regularizer": None,
                                      "reference": "lstm_reg_reference"},
            "lstm_reg_early_stopping": {"settings": {**plain, "early_stopping": int(patience), "valid_fraction": 0.1},
                                        "regularizer": "early_stopping", "reference": "lstm_reg_es_reference"}}
    return plan


def regularization(st: S.TextStudy, plan: dict, n_fit: int) -> dict[str, Run]:
    labels = {n: ("the tuned configuration without regularizers" if n == "lstm_reg_reference" else
                  "the same on 90 % of its fit reviews (early stopping's reference)" if n == "lstm_reg_es_reference" else
                  f"the tuned configuration with {REG_LABELS[p['regularizer']]} only") for n, p in plan.items()}
    runs = S.fit_networks(st, {n: p["settings"] for n, p in plan.items()}, labels=labels, n_fit=n_fit, curves=False)
    for n, p in plan.items():
        runs[n].info["regularization"] = {"regularizer": p["regularizer"], "reference": p["reference"],
                                          "fit_documents": len(st.parts(p["settings"], n_fit)[0].fit)}
    return runs


def reg_pairs(plan: dict) -> list[tuple]:
    return [(n, p["reference"], REG_LABELS[p["regularizer"]]) for n, p in plan.items() if p["regularizer"]]


def verdicts(st: S.TextStudy) -> list[dict]:
    """Every verdict the chapter and the conclusions read: the tuned network against every baseline and the
    source's networks (accuracy, F1, ROC AUC), the levers, the regularizers."""
    out = []
    for b in ("tfidf_logreg", "glove_logreg", "majority", "lstm_source", "lstm_improved"):
        if b in st.runs:
            for m in ("accuracy", "f1", "roc_auc"):
                out.append(record("tuned vs baseline", "lstm_tuned", b, m,
                                  compare_runs(st.runs["lstm_tuned"], st.runs[b], m, higher_is_better=True)))
    return out


def goal(st: S.TextStudy, verdict_list: list[dict], goal: float, maas: float) -> dict:
    t = st.runs["lstm_tuned"]
    v = next(x for x in verdict_list if x["a"] == "lstm_tuned" and x["b"] == "tfidf_logreg" and x["metric"] == "accuracy")
    vals = t.values("accuracy")
    return {"goal": goal, "maas": maas, "mean": float(np.mean(vals)), "per_seed": vals, "n_seeds": len(vals),
            "sd": t.std("accuracy"), "met": bool(len(vals) >= 3 and np.mean(vals) >= goal),
            "above_maas": bool(np.mean(vals) > maas), "tfidf": st.runs["tfidf_logreg"].mean("accuracy"),
            "vs_tfidf": v, "tuned_seconds": t.seconds / t.n, "tfidf_seconds": st.runs["tfidf_logreg"].first.seconds,
            "n_test": int(st.prep.corpus.n_test),
            "n_test_published": int((st.prep.corpus.report.get("subset_of") or {}).get("test", st.prep.corpus.n_test))}


def results(st: S.TextStudy, *, profile: str, params: dict, provenance: dict, timings: dict, extra: dict,
            verdict_list: list[dict], rec: dict | None) -> dict:
    from mlplab.experiment import document

    names = [n for n in st.runs if not n.startswith("search_")]
    best = {"tfidf_logreg": st.runs["tfidf_logreg"].first.settings, "glove_logreg": st.runs["glove_logreg"].first.settings,
            "lstm_tuned": dict(st.settings.get("lstm_tuned", {}))}
    return document.build(NB, profile=profile, params=params, provenance=provenance, protocol=st.protocol,
                          timings=timings, runs={n: st.runs[n] for n in names}, best_params=best, recommended=rec,
                          reason="no model was scored on the validation reviews", verdicts=verdict_list,
                          history=("lstm_tuned", "lstm_source", "lstm_improved"), extra=extra)


def lever_values(st: S.TextStudy) -> dict[str, list[float]]:
    return {st.runs[n].label: st.runs[n].values("accuracy") for n in LEVER_LABELS if n in st.runs}


def bins_for(lengths: np.ndarray) -> list[int]:
    """Length-bin edges at the training lengths' quintiles, rounded to tens of tokens."""
    q = np.unique((np.percentile(lengths, [20, 40, 60, 80]) // 10 * 10).astype(int))
    return [0, *[int(x) for x in q if x > 0]]


def search_view(table: pd.DataFrame, k: int = 8) -> pd.DataFrame:
    return table.head(k)[["configuration", "validation accuracy"]]
