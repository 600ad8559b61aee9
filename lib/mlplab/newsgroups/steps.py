"""The 20 Newsgroups notebook's sections as functions over the shared text study (mlplab.text.study).

Protocol (holdout, see mlplab.text.study): the by-date test messages (posted later than the training ones) are the
test set; a stratified 10 % of the training messages validates; the rest are the fit messages the vocabulary comes
from. Two variants of the same messages: as published (headers, signatures and quotes included) and text only
(scikit-learn's `remove=('headers', 'footers', 'quotes')`); the validation cut is the same for both. The
specified Transformer, the unfreezing lever and the tuned Transformer run on every seed on the as-published variant;
the tuned configuration also on the text-only variant (`text_only_seeds`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlplab.experiment.verdict import compare_runs, record
from mlplab.models.text import transformer_parameters
from mlplab.text.eda import truncation  # noqa: F401  (the notebooks call steps.truncation)
from mlplab.text import study as S
from mlplab.text.study import tuned_settings  # noqa: F401  (the notebook calls steps.tuned_settings)

NB = "newsgroups"
LABELS = {"transformer_source": "the Transformer as specified", "transformer_unfrozen": "the same, GloVe fine-tuned",
          "transformer_tuned": "the tuned Transformer",
          "transformer_tuned_text_only": "the tuned Transformer, text-only variant"}
MAIN = ("majority", "tfidf_logreg", "glove_logreg", "transformer_source", "transformer_unfrozen", "transformer_tuned")
TEXT_ONLY = ("tfidf_logreg_text_only", "transformer_tuned_text_only")


def load(data_path: str = "", max_train: int = 0, max_test: int = 0):
    from mlplab.data.newsgroups import load_newsgroups
    from mlplab.data.textsets import with_subset

    return with_subset(load_newsgroups(data_path or None), max_train, max_test, seed=0)


def source_settings(*, length: int, keep: str, width: int, heads: int, layers: int, ff: int, dropout: float, lr: float,
                    epochs: int, batch_size: int) -> dict:
    """The source's Transformer: frozen GloVe, sinusoidal positions, `layers` encoder layers, mean pooling, a linear
    head; dropout 0 as in the source."""
    return {"kind": "transformer", "embedding": "frozen", "length": int(length), "keep": keep, "width": int(width),
            "heads": int(heads), "layers": int(layers), "ff": int(ff), "dropout": float(dropout), "lr": float(lr),
            "epochs": int(epochs), "batch_size": int(batch_size)}


def networks(st: S.TextStudy, source: dict, n_fit: int = 0) -> dict:
    """The specified Transformer and its one lever on the same `n_fit` fit messages (0: all) and seeds."""
    configs = {"transformer_source": dict(source), "transformer_unfrozen": {**source, "embedding": "glove"}}
    roles = {"transformer_source": "reference", "transformer_unfrozen": "variant"}
    return S.fit_networks(st, configs, labels=LABELS, roles=roles, n_fit=n_fit)


def search_candidates(fixed: dict, *, limit: int, seed: int, width, heads, **grid) -> tuple[dict, int]:
    """The grid's combinations whose heads divide the width (the embedding's dimension when width is 0)."""
    dim = fixed.get("dim", 50)
    full = S.grid({k: v for k, v in fixed.items() if k != "dim"}, width=width, heads=heads, **grid)
    ok = {n: s for n, s in full.items() if (s["width"] or dim) % s["heads"] == 0}
    names = list(ok)
    if limit and limit < len(names):
        keep = np.sort(np.random.default_rng(seed).choice(len(names), int(limit), replace=False))
        names = [names[i] for i in keep]
    return {f"search_{i + 1:02d}": ok[n] for i, n in enumerate(names)}, len(ok)


def parameters(st: S.TextStudy, names, source_counts: dict, source_sizes: dict) -> pd.DataFrame:
    """Total and trainable parameters of each fitted Transformer (counted on the module and by the formula), and the
    source's reported counts beside the formula's for the sizes they decompose into."""
    from mlplab.models.text import count_parameters

    rows = []
    for n in names:
        m = st.runs[n].detail["model"].module_
        c = count_parameters(m)
        s = st.settings[n]
        f = transformer_parameters(vocab=m.embedding.num_embeddings, dim=m.embedding.embedding_dim,
                                   width=int(s.get("width") or m.embedding.embedding_dim), ff=int(s["ff"]),
                                   layers=int(s["layers"]), classes=len(st.prep.corpus.classes))
        rows.append({"network": st.runs[n].label, "total": c["total"], "trainable": c["trainable"],
                     "formula total": f["total"], "formula trainable": f["trainable"] + (f["embedding"] if s.get("embedding") != "frozen" else 0)})
    f = transformer_parameters(**source_sizes)
    rows.append({"network": "the source (as reported)", "total": source_counts["total"],
                 "trainable": source_counts["trainable"], "formula total": f["total"], "formula trainable": f["trainable"]})
    return pd.DataFrame(rows)


def verdicts(st: S.TextStudy) -> list[dict]:
    out = []
    for b in ("tfidf_logreg", "glove_logreg", "majority", "transformer_source", "transformer_unfrozen"):
        if b in st.runs:
            for m in ("accuracy", "macro_f1"):
                out.append(record("tuned vs baseline", "transformer_tuned", b, m,
                                  compare_runs(st.runs["transformer_tuned"], st.runs[b], m, higher_is_better=True)))
    for m in ("accuracy", "macro_f1"):
        out.append(record("unfreezing", "transformer_unfrozen", "transformer_source", m,
                          compare_runs(st.runs["transformer_unfrozen"], st.runs["transformer_source"], m,
                                       higher_is_better=True)))
    return out


def goal(st: S.TextStudy, verdict_list: list[dict], goal: float) -> dict:
    t = st.runs["transformer_tuned"]
    v = next(x for x in verdict_list if x["a"] == "transformer_tuned" and x["b"] == "tfidf_logreg"
             and x["metric"] == "accuracy")
    vals = t.values("accuracy")
    return {"goal": goal, "mean": float(np.mean(vals)), "per_seed": vals, "n_seeds": len(vals), "sd": t.std("accuracy"),
            "met": bool(len(vals) >= 3 and np.mean(vals) > goal), "tfidf": st.runs["tfidf_logreg"].mean("accuracy"),
            "source": st.runs["transformer_source"].mean("accuracy"), "vs_tfidf": v,
            "tuned_seconds": t.seconds / t.n, "tfidf_seconds": st.runs["tfidf_logreg"].first.seconds}


def text_only_entry(st: S.TextStudy) -> dict:
    out = {}
    for n in TEXT_ONLY:
        if n in st.runs:
            r = st.runs[n]
            out[n] = {"accuracy": r.mean("accuracy"), "macro_f1": r.mean("macro_f1"), "seeds": r.n}
    return out


def bins_for(lengths: np.ndarray) -> list[int]:
    q = np.unique((np.percentile(lengths, [20, 40, 60, 80]) // 10 * 10).astype(int))
    return [0, *[int(x) for x in q if x > 0]]


def confusions(run, k: int = 8) -> pd.DataFrame:
    """The k most frequent (true, predicted) pairs of the first seed's test predictions."""
    d = run.detail
    t, p = np.asarray(d["y_true"]), np.asarray(d["y_pred"])
    wrong = t != p
    if not wrong.any():
        return pd.DataFrame(columns=["true group", "predicted as", "messages", "% of the true group"])
    pairs = pd.DataFrame({"true group": t[wrong], "predicted as": p[wrong]}).value_counts().rename("messages").reset_index()
    pairs = pairs.sort_values(["messages", "true group"], ascending=[False, True]).head(k)
    support = pd.Series(t).value_counts()
    pairs["% of the true group"] = 100 * pairs["messages"] / pairs["true group"].map(support)
    return pairs.reset_index(drop=True)


def results(st: S.TextStudy, *, profile: str, params: dict, provenance: dict, timings: dict, extra: dict,
            verdict_list: list[dict], rec: dict | None) -> dict:
    from mlplab.experiment import document

    names = [n for n in st.runs if not n.startswith("search_")]
    best = {"tfidf_logreg": st.runs["tfidf_logreg"].first.settings, "glove_logreg": st.runs["glove_logreg"].first.settings,
            "transformer_tuned": dict(st.settings.get("transformer_tuned", {}))}
    return document.build(NB, profile=profile, params=params, provenance=provenance, protocol=st.protocol,
                          timings=timings, runs={n: st.runs[n] for n in names}, best_params=best, recommended=rec,
                          reason="no model was scored on the validation messages", verdicts=verdict_list,
                          history=("transformer_tuned", "transformer_source"), extra=extra)
