"""Exploratory statistics of a text set, on the training (fit) documents only: class balance, lengths in tokens,
the share a truncation length cuts, and the words that tell the classes apart.

Telling words: the weighted log-odds ratio with an informative Dirichlet prior of Monroe, Colaresi and Quinn
(2008, "Fightin' Words"): for word w and class c against the rest, delta = log((y_cw + a_w) / (n_c + a0 - y_cw - a_w))
- log((y_rw + a_w) / (n_r + a0 - y_rw - a_w)), with the prior a_w proportional to the word's count in the whole
corpus (a0 = its total, scaled), and its z-score delta / sqrt(1/(y_cw + a_w) + 1/(y_rw + a_w)). The prior shrinks
rare words towards zero, so the list is not a parade of words seen three times.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd


def class_balance(labels_train, labels_test, classes) -> pd.DataFrame:
    tr, te = pd.Series(labels_train).value_counts(), pd.Series(labels_test).value_counts()
    return pd.DataFrame([{"class": c, "training documents": int(tr.get(c, 0)), "test documents": int(te.get(c, 0)),
                          "share of training": float(tr.get(c, 0) / max(1, tr.sum()))} for c in classes])


def length_summary(lengths: np.ndarray, labels: np.ndarray, classes) -> pd.DataFrame:
    rows = []
    for c in [*classes, None]:
        L = lengths if c is None else lengths[np.asarray(labels) == c]
        rows.append({"class": "all" if c is None else c, "documents": len(L), "mean": float(L.mean()),
                     "median": float(np.median(L)), "90th percentile": float(np.percentile(L, 90)),
                     "longest": int(L.max())})
    return pd.DataFrame(rows)


def cut_share(lengths: np.ndarray, length: int) -> float:
    """Share of the documents longer than `length` tokens (that truncation cuts)."""
    return float((np.asarray(lengths) > length).mean())


def kept_share(lengths: np.ndarray, length: int) -> float:
    """Share of all tokens that a truncation at `length` keeps."""
    L = np.asarray(lengths)
    return float(np.minimum(L, length).sum() / max(1, L.sum()))


def truncation_table(lengths: np.ndarray, candidates) -> pd.DataFrame:
    return pd.DataFrame([{"truncation length (tokens)": int(t), "documents cut": cut_share(lengths, t),
                          "tokens kept": kept_share(lengths, t)} for t in candidates])


def choose_length(lengths: np.ndarray, keep_tokens: float, candidates) -> int:
    """The shortest candidate that keeps at least `keep_tokens` of all training tokens (the longest otherwise)."""
    for t in sorted(candidates):
        if kept_share(lengths, t) >= keep_tokens:
            return int(t)
    return int(max(candidates))


def log_odds(docs, labels, classes, *, top: int = 10, min_count: int = 20) -> pd.DataFrame:
    """The `top` words with the highest z-score of the prior-weighted log-odds ratio for each class against the
    others (words seen at least `min_count` times in the documents given)."""
    labels = np.asarray(labels)
    per: dict = {c: Counter() for c in classes}
    for d, c in zip(docs, labels):
        per[c].update(d)
    total = Counter()
    for cnt in per.values():
        total.update(cnt)
    words = [w for w, n in total.items() if n >= min_count and any(ch.isalpha() for ch in w)]
    if not words:
        return pd.DataFrame(columns=["class", "word", "z-score", "count in class", "count elsewhere"])
    idx = {w: i for i, w in enumerate(words)}
    a = np.array([total[w] for w in words], dtype=float)
    a = a / a.sum() * 1_000.0          # prior mass: 1,000 pseudo-counts spread like the corpus
    a0 = a.sum()
    rows = []
    for c in classes:
        y_c = np.array([per[c][w] for w in words], dtype=float)
        y_r = np.array([total[w] for w in words], dtype=float) - y_c
        n_c, n_r = float(sum(per[c].values())), float(sum(total.values()) - sum(per[c].values()))
        delta = (np.log((y_c + a) / (n_c + a0 - y_c - a)) - np.log((y_r + a) / (n_r + a0 - y_r - a)))
        z = delta / np.sqrt(1 / (y_c + a) + 1 / (y_r + a))
        for i in np.argsort(-z)[:top]:
            rows.append({"class": c, "word": words[i], "z-score": float(z[i]), "count in class": int(y_c[i]),
                         "count elsewhere": int(y_r[i])})
    del idx
    return pd.DataFrame(rows)


def truncation(prep, keep_tokens: float, candidates) -> dict:
    """The sequence length both text chapters truncate to, chosen on the fit documents' lengths only
    (`prep`: mlplab.text.study.Prepared), with what it cuts and the table of the candidates."""
    L = prep.fit_lengths
    length = choose_length(L, keep_tokens, candidates)
    return {"length": length, "cut": cut_share(L, length), "kept": kept_share(L, length),
            "keep_tokens": float(keep_tokens), "table": truncation_table(L, sorted(set(candidates)))}
