"""The sections both Lab 5 chapters share, on the experiment core: preparation (tokens, vocabulary from the fit
documents only, GloVe matrix), the holdout splits at each truncation, the task, the baselines and the networks
from readable settings, searches on the validation documents, tables and verdicts.

Protocol (holdout): the data set's own test documents (IMDB's movie-disjoint test half, the newsgroups' later
messages) are scored once per model and never chosen on. A stratified random share of the training documents
are the validation rows: the baselines' C, every search and the recommendation are decided on them. The rest
are the fit rows every model trains on; the vocabulary is built from them alone, so validation and test words
unseen in fitting are unknown alike. One fixed split: seeds vary only the networks' training randomness (and the
noise rule pairs seeds without the Nadeau-Bengio correction). Deterministic baselines are fitted once and the
same scores stand for every seed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.utils.validation import check_is_fitted

from mlplab.data.textsets import Corpus, stratified_take
from mlplab.experiment import fanout
from mlplab.experiment.protocol import OuterSplit, Protocol, Rows
from mlplab.experiment.record import Run, SplitResult
from mlplab.experiment.select import recommend
from mlplab.experiment.study import Study
from mlplab.experiment.tasks import Task
from mlplab.text import glove as G
from mlplab.text.tokenize import tokenize_all
from mlplab.text.vocab import Vocabulary, build_vocabulary, encode, lengths

METRIC = "accuracy"
EMBEDDINGS = {"learned": "learned embedding", "glove": "fine-tuned GloVe", "frozen": "frozen GloVe"}
POOL_WORDS = {"last": "last state", "max": "max pooling", "mean": "mean pooling", "attention": "attention pooling"}
NET_KEYS = ("kind", "embedding", "length", "keep", "hidden", "layers", "bidirectional", "pooling", "dropout", "width",
            "heads", "ff", "word_dropout", "lr", "weight_decay", "optimizer", "epochs", "batch_size", "warmup",
            "early_stopping", "valid_fraction", "grad_clip")


# ---- preparation ---------------------------------------------------------------------------------------

@dataclass
class Prepared:
    corpus: Corpus
    train_tokens: list
    test_tokens: list
    vocab: Vocabulary
    matrix: np.ndarray            # GloVe embedding matrix of the vocabulary
    known: np.ndarray             # ids whose row is GloVe's own vector
    glove: dict                   # coverage and source
    fit_idx: np.ndarray           # positions among the training documents
    valid_idx: np.ndarray
    texts_train: list             # the texts the models read (a variant may have stripped headers)
    texts_test: list
    _cache: dict = field(default_factory=dict)

    @property
    def train_lengths(self) -> np.ndarray:
        return lengths(self.train_tokens)

    @property
    def test_lengths(self) -> np.ndarray:
        return lengths(self.test_tokens)

    @property
    def fit_lengths(self) -> np.ndarray:
        return self.train_lengths[self.fit_idx]

    def ids(self, length: int, keep: str = "head") -> tuple[np.ndarray, np.ndarray]:
        key = ("ids", int(length), keep)
        if key not in self._cache:
            self._cache[key] = (encode(self.vocab, self.train_tokens, int(length), keep),
                                encode(self.vocab, self.test_tokens, int(length), keep))
        return self._cache[key]


def validation_positions(labels: np.ndarray, valid_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(fit, validation) positions: a stratified random `valid_size` share of the training documents validates."""
    n_valid = int(round(len(labels) * valid_size))
    from sklearn.model_selection import train_test_split

    fit, valid = train_test_split(np.arange(len(labels)), test_size=n_valid, stratify=labels, random_state=int(seed))
    return np.sort(fit), np.sort(valid)


def prepare(corpus: Corpus, *, valid_size: float, seed: int, min_count: int, vectors: G.Vectors,
            texts_train: list | None = None, texts_test: list | None = None, fit_idx=None, valid_idx=None) -> Prepared:
    tr = texts_train if texts_train is not None else corpus.train_texts
    te = texts_test if texts_test is not None else corpus.test_texts
    if fit_idx is None:
        fit_idx, valid_idx = validation_positions(corpus.train_labels, valid_size, seed)
    train_tokens, test_tokens = tokenize_all(tr), tokenize_all(te)
    vocab = build_vocabulary([train_tokens[i] for i in fit_idx], min_count=min_count)
    matrix, known, info = G.embedding_matrix(vocab, vectors, seed=seed)
    return Prepared(corpus, train_tokens, test_tokens, vocab, matrix, known, info, fit_idx, valid_idx, list(tr), list(te))


# ---- the task ------------------------------------------------------------------------------------------

class TextTask(Task):
    """Accuracy, macro-F1 and the per-class scores and confusion matrix; with two classes also F1 of the
    positive class and ROC AUC (from the predicted probabilities)."""

    kind = "classification"
    headline = METRIC
    higher_is_better = True

    def __init__(self, classes, positive: str | None = None):
        self.classes = list(classes)
        self.positive = positive
        self.metrics = ("accuracy", "macro_f1") + (("f1", "roc_auc") if positive else ())

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_memo"}

    def _predict(self, model, part):
        """A model's predictions on one part, kept for the next call on the same model and part: the fan-out
        scores the test part and then keeps its details, and a network's pass over the test documents is the
        costly step of its evaluation."""
        memo = getattr(self, "_memo", None)
        if memo is not None and memo[0] is model and memo[1] is part.X:
            return memo[2]
        out = self._predict_now(model, part)
        self._memo = (model, part.X, out)
        return out

    def _predict_now(self, model, part):
        proba = np.asarray(model.predict_proba(part.X))
        order = [str(c) for c in model.classes_]
        pred = np.asarray(model.classes_, dtype=object)[proba.argmax(axis=1)]
        return proba, order, pred

    def score(self, model, part) -> dict:
        from sklearn import metrics as skm

        from mlplab.metrics import classification_metrics

        proba, order, pred = self._predict(model, part)
        y = np.asarray(part.y, dtype=object)
        out = classification_metrics(y, pred, self.classes)
        out = {k: out[k] for k in ("accuracy", "macro_f1", "per_class", "confusion_matrix")}
        if self.positive:
            out["f1"] = float(skm.f1_score(y, pred, pos_label=self.positive, zero_division=0))
            p = proba[:, order.index(self.positive)]
            out["roc_auc"] = float(skm.roc_auc_score(y == self.positive, p)) if len(set(y)) == 2 else 0.5
        return out

    def detail(self, model, part) -> dict:
        proba, order, pred = self._predict(model, part)
        return {"y_true": np.asarray(part.y, dtype=object), "y_pred": pred, "proba": proba, "classes": order}


# ---- splits --------------------------------------------------------------------------------------------

def splits_for(prep: Prepared, seeds, X_train, X_test, n_fit: int = 0) -> list[OuterSplit]:
    """One OuterSplit per seed over the same fit (optionally a stratified `n_fit` of them), validation and
    test documents, with the inputs X_train / X_test (token ids at one truncation, or texts)."""
    y_tr, y_te = prep.corpus.train_labels, prep.corpus.test_labels
    fit = prep.fit_idx
    if n_fit and n_fit < len(fit):
        fit = fit[stratified_take(y_tr[fit], n_fit, int(seeds[0]))]
    take = (lambda X, i: X[i]) if isinstance(X_train, np.ndarray) else (lambda X, i: [X[j] for j in i])
    fit_rows = Rows(take(X_train, fit), y_tr[fit])
    valid_rows = Rows(take(X_train, prep.valid_idx), y_tr[prep.valid_idx])
    test_rows = Rows(X_test, y_te)
    return [OuterSplit(i, int(s), fit_rows, valid_rows, test_rows) for i, s in enumerate(seeds)]


def protocol(seeds, valid_size: float, n_valid: int, what: str = "documents") -> Protocol:
    return Protocol("holdout", len(seeds),
                    selection=(f"the baselines' C, each search and the recommendation on the validation {what} "
                               "(accuracy); seeds vary only the networks' training randomness"),
                    seeds=tuple(int(s) for s in seeds),
                    validation=f"a stratified random {100 * valid_size:.0f} % of the training {what} ({n_valid:,}), never fitted on")


@dataclass
class TextStudy(Study):
    prep: Prepared | None = None
    settings: dict = field(default_factory=dict)
    positive: str | None = None

    @property
    def first(self) -> list[OuterSplit]:
        return self.splits[:1]

    def parts(self, settings: dict, n_fit: int = 0) -> list[OuterSplit]:
        key = ("parts", int(settings["length"]), settings.get("keep", "head"), int(n_fit))
        if key not in self.prep._cache:
            X_tr, X_te = self.prep.ids(int(settings["length"]), settings.get("keep", "head"))
            self.prep._cache[key] = splits_for(self.prep, self.seeds, X_tr, X_te, n_fit)
        return self.prep._cache[key]


def setup(prep: Prepared, seeds, *, valid_size: float, n_jobs: int, positive: str | None = None,
          what: str = "documents") -> TextStudy:
    seeds = [int(s) for s in seeds]
    X_tr = np.asarray(prep.texts_train, dtype=object)
    splits = splits_for(prep, seeds, X_tr, np.asarray(prep.texts_test, dtype=object))
    return TextStudy(splits, TextTask(prep.corpus.classes, positive), protocol(seeds, valid_size, len(prep.valid_idx), what),
                     n_jobs=n_jobs, prep=prep, positive=positive)


def replicate(run: Run, splits) -> Run:
    """A deterministic model's one fit standing for every seed (same scores; the first split keeps its details)."""
    first = run.splits[0]
    extra = [replace(first, split=s.index, seed=s.seed, detail={}) for s in splits[1:]]
    return Run(run.name, run.role, run.label, [first, *extra], dict(run.settings), dict(run.info))


# ---- baselines -----------------------------------------------------------------------------------------

class ChosenC(ClassifierMixin, BaseEstimator):
    """A feature step and one logistic regression per C fitted on the fit rows; `choose` keeps the C with the
    best accuracy on validation rows (run by the fan-out's `tune` hook, after fitting, never on test rows)."""

    def __init__(self, features=None, Cs=(1.0,), max_iter: int = 1000):
        self.features = features
        self.Cs = Cs
        self.max_iter = max_iter

    def fit(self, X, y):
        from sklearn.linear_model import LogisticRegression

        self.features_ = clone(self.features).fit(X, y)
        Z = self.features_.transform(X)
        self.models_ = {float(c): LogisticRegression(C=float(c), max_iter=self.max_iter).fit(Z, y) for c in self.Cs}
        self.C_ = float(self.Cs[0])
        self.classes_ = self.models_[self.C_].classes_
        return self

    def choose(self, X, y) -> dict:
        Z = self.features_.transform(X)
        scores = {c: float(np.mean(m.predict(Z) == np.asarray(y, dtype=object))) for c, m in self.models_.items()}
        self.C_ = max(scores, key=lambda c: (scores[c], -c))  # ties: the stronger penalty
        return {"C": self.C_, "validation_accuracy_by_C": {f"{c:g}": s for c, s in scores.items()}}

    @property
    def n_iter_(self):
        check_is_fitted(self, "models_")
        return self.models_[self.C_].n_iter_

    def predict_proba(self, X):
        check_is_fitted(self, "models_")
        return self.models_[self.C_].predict_proba(self.features_.transform(X))

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class MeanVectors(TransformerMixin, BaseEstimator):
    """A document as the mean GloVe vector of its tokens that GloVe knows (zeros when it knows none), standardized."""

    def __init__(self, matrix=None, known=None):
        self.matrix = matrix
        self.known = known

    def fit(self, X, y=None):
        Z = self._mean(X)
        self.mu_, self.sd_ = Z.mean(axis=0), Z.std(axis=0) + 1e-6
        return self

    def _mean(self, X):
        """Mean of the known tokens' vectors per row, as a sparse count matrix times the embedding matrix (memory
        linear in the tokens, not tokens × dimensions)."""
        from scipy import sparse

        X = np.asarray(X)
        known = np.asarray(self.known)
        rows, cols = np.nonzero(known[X])
        counts = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, X[rows, cols])),
                                   shape=(len(X), len(known)))
        sums = counts @ np.asarray(self.matrix, dtype=np.float32)
        return np.asarray(sums) / np.clip(np.asarray(counts.sum(axis=1)), 1, None)

    def transform(self, X):
        check_is_fitted(self, "mu_")
        return (self._mean(X) - self.mu_) / self.sd_


def tfidf_features():
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=200_000, sublinear_tf=True, dtype=np.float32)


def _choose(model, split) -> dict:
    return model.choose(split.validation.X, split.validation.y)


def baselines(st: TextStudy, *, Cs, glove_length: int, suffix: str = "", label_suffix: str = "",
              parts=None, majority: bool = True) -> dict[str, Run]:
    """Majority class, TF-IDF (word uni- and bigrams) + logistic regression and mean GloVe + logistic regression,
    each fitted once (deterministic) and standing for every seed; C chosen on the validation rows."""
    from sklearn.dummy import DummyClassifier

    text_splits = parts or st.splits
    jobs = []
    if majority:
        jobs += fanout.jobs_for("majority", lambda info: DummyClassifier(strategy="most_frequent"), text_splits[:1],
                                role="baseline", label="majority class", settings={"rule": "the most frequent class"})
    jobs += fanout.jobs_for(f"tfidf_logreg{suffix}", lambda info: ChosenC(tfidf_features(), tuple(Cs)), text_splits[:1],
                            role="baseline", label=f"TF-IDF + logistic regression{label_suffix}", tune=_choose, cost=3.0,
                            settings={"features": "word uni- and bigrams, min_df 2, at most 200,000, sublinear tf",
                                      "Cs": list(Cs)})
    out = fanout.run(jobs, text_splits[:1], st.task, n_jobs=st.n_jobs)
    if not suffix:
        covered = st.prep.known
        id_splits = st.parts({"length": glove_length, "keep": "head"})
        g = fanout.jobs_for("glove_logreg", lambda info: ChosenC(MeanVectors(st.prep.matrix, covered), tuple(Cs)),
                            id_splits[:1], role="baseline", label="mean GloVe vector + logistic regression", tune=_choose,
                            settings={"features": f"the mean GloVe vector of the first {glove_length:,} tokens",
                                      "Cs": list(Cs)})
        out.update(fanout.run(g, id_splits[:1], st.task, n_jobs=1))
    out = {n: replicate(r, st.splits) for n, r in out.items()}
    st.runs.update(out)
    return out


# ---- networks ------------------------------------------------------------------------------------------

def net(settings: dict, *, matrix: np.ndarray, seed: int = 0, curve_rows: int = 5_000):
    """The TextClassifier of readable settings (see NET_KEYS)."""
    from mlplab.models.text import LSTMClassifier, TextClassifier, TransformerClassifier

    unknown = sorted(set(settings) - set(NET_KEYS))
    if unknown:
        raise ValueError(f"unknown network setting(s) {unknown}; expected from {', '.join(NET_KEYS)}")
    s = dict(settings)
    emb = s.get("embedding", "learned")
    module = {"word_dropout": float(s.get("word_dropout", 0.0)), "dropout": float(s.get("dropout", 0.0)),
              "layers": int(s.get("layers", 1))}
    if emb == "learned":
        module.update(vocab_size=int(matrix.shape[0]), embed_dim=int(matrix.shape[1]))
    else:
        module.update(vectors=matrix, freeze=emb == "frozen")
    if s.get("kind", "lstm") == "lstm":
        cls = LSTMClassifier
        module.update(hidden=int(s.get("hidden", 64)), bidirectional=bool(s.get("bidirectional", False)),
                      pooling=s.get("pooling", "last"))
    else:
        cls = TransformerClassifier
        module.update(width=int(s.get("width", 0)), heads=int(s.get("heads", 5)), ff=int(s.get("ff", 200)),
                      max_len=max(512, int(s["length"])), pooling=s.get("pooling", "mean"))
    kwargs = {f"module__{k}": v for k, v in module.items()}
    return TextClassifier(cls, optimizer=s.get("optimizer", "adam"), lr=float(s.get("lr", 1e-3)),
                          max_epochs=int(s.get("epochs", 3)), batch_size=int(s.get("batch_size", 64)),
                          optimizer__weight_decay=float(s.get("weight_decay", 0.0)), warmup=float(s.get("warmup", 0.0)),
                          early_stopping=int(s.get("early_stopping", 0)),
                          valid_fraction=float(s.get("valid_fraction", 0.1 if s.get("early_stopping") else 0.0)),
                          grad_clip=float(s.get("grad_clip", 1.0)), seed=int(seed), curve_rows=int(curve_rows), **kwargs)


def cost(settings: dict, n_fit: int) -> float:
    per = (2.0 if settings.get("bidirectional") else 1.0) * int(settings.get("layers", 1)) * int(settings.get("hidden", 64)) / 64
    if settings.get("kind") == "transformer":
        per = int(settings.get("layers", 4)) * (1 + int(settings.get("ff", 200)) / 400)
    return float(per * int(settings.get("epochs", 1)) * min(int(settings["length"]), 400) * n_fit / 1e6)


def fit_networks(st: TextStudy, configs: dict[str, dict], *, labels: dict[str, str], n_fit: int = 0,
                 roles: dict[str, str] | None = None, first_only: bool = False, curves=True) -> dict[str, Run]:
    """Every configuration on every seed (or the first), grouped by truncation (each group one fan-out).
    `curves`: True, False or the names whose first seed records per-epoch curves (each costs a pass over
    the held-out documents every epoch)."""
    groups: dict[tuple, list] = {}
    for name, s in configs.items():
        groups.setdefault((int(s["length"]), s.get("keep", "head")), []).append(name)
    out = {}
    for (length, keep), names in groups.items():
        splits = st.parts({"length": length, "keep": keep}, n_fit)
        splits = splits[:1] if first_only else splits
        jobs = []
        for name in names:
            s = configs[name]
            st.settings[name] = dict(s)
            jobs += fanout.jobs_for(name, lambda info, s=s: net(s, matrix=st.prep.matrix, seed=info.seed), splits,
                                    role=(roles or {}).get(name, "variant"), label=labels.get(name, describe(s)),
                                    settings=dict(s), curves=curves if isinstance(curves, bool) else name in curves,
                                    cost=cost(s, len(splits[0].fit)))
        out.update(fanout.run(jobs, splits, st.task, n_jobs=st.n_jobs))
    st.runs.update(out)
    return out


def grid(fixed: dict, *, limit: int = 0, seed: int = 0, **values) -> dict[str, dict]:
    """Every combination of the grid's values on top of `fixed`; with `limit`, a seeded random `limit` of them
    (a random search over the grid), in grid order."""
    keys = [k for k, v in values.items() if v]
    combos = list(itertools.product(*(values[k] for k in keys)))
    if limit and limit < len(combos):
        keep = np.sort(np.random.default_rng(seed).choice(len(combos), int(limit), replace=False))
        combos = [combos[i] for i in keep]
    out = {}
    for i, combo in enumerate(combos):
        out[f"search_{i + 1:02d}"] = {**fixed, **dict(zip(keys, combo))}
    return out


def search(st: TextStudy, candidates: dict[str, dict], *, n_fit: int, n_grid: int) -> dict:
    """Fit every candidate once (first seed) on `n_fit` fit documents; the best validation accuracy wins."""
    runs = fit_networks(st, candidates, labels={n: describe(s) for n, s in candidates.items()}, n_fit=n_fit,
                        first_only=True, curves=False)
    best = recommend(runs.values(), METRIC, higher_is_better=True)
    table = pd.DataFrame([{"candidate": n, "configuration": describe(st.settings[n], epochs=False),
                           "validation accuracy": r.mean(METRIC, "validation"), "minutes": r.seconds / 60}
                          for n, r in runs.items()]).sort_values("validation accuracy", ascending=False)
    for n in runs:
        st.runs.pop(n, None)
    return {"winner": best["model"], "settings": dict(st.settings[best["model"]]), "table": table.reset_index(drop=True),
            "n_candidates": len(runs), "n_grid": int(n_grid), "fit_documents": int(n_fit or len(st.prep.fit_idx)),
            "runner_up": best["runner_up"]}


def tuned_choosing(st: TextStudy, name: str, settings: dict, key: str, values, *, label: str, default=None,
                   role: str = "tuned") -> tuple[Run, dict]:
    """The tuned network, with one lever chosen at the tuned network's own budget: the first seed is fitted once
    per value of `key` (all fit documents, the tuned epochs and early stopping, side by side), the best validation
    accuracy wins, and the winner is fitted on the remaining seeds; its first-seed fit is the tuned network's.
    Why not on the search's subset: a short budget favours what learns fast (max pooling scored 0.425 against
    mean pooling's 0.532 there, and 0.873 against 0.847 at the full budget, on validation messages). Costs no
    wall time on two workers: the first round fills both, the second runs the other two seeds."""
    values = list(dict.fromkeys(values)) or [settings.get(key, default)]
    configs = {v: {**settings, key: v} for v in values}
    splits = st.parts({"length": int(settings["length"]), "keep": settings.get("keep", "head")})
    first = []
    for v, c in configs.items():
        first += fanout.jobs_for(f"{name}@{v}", lambda info, c=c: net(c, matrix=st.prep.matrix, seed=info.seed),
                                 splits[:1], role=role, label=label, settings=dict(c), curves=True,
                                 cost=cost(c, len(splits[0].fit)))
    tried = fanout.run(first, splits[:1], st.task, n_jobs=st.n_jobs)
    scores = {v: tried[f"{name}@{v}"].mean(METRIC, "validation") for v in values}
    won = max(values, key=lambda v: (scores[v], -values.index(v)))  # a tie goes to the first value
    chosen = configs[won]
    rest = fanout.run(fanout.jobs_for(name, lambda info: net(chosen, matrix=st.prep.matrix, seed=info.seed),
                                      splits[1:], role=role, label=label, settings=dict(chosen), keep_first=False,
                                      cost=cost(chosen, len(splits[0].fit))), splits[1:], st.task,
                      n_jobs=st.n_jobs) if len(splits) > 1 else {}
    head = tried[f"{name}@{won}"]
    run = Run(name, role, label, [head.splits[0], *(rest[name].splits if rest else [])], dict(chosen), dict(head.info))
    st.settings[name] = dict(chosen)
    st.runs[name] = run
    return run, {"key": key, "values": values, "validation": {str(v): float(scores[v]) for v in values},
                 "won": won, "seed": int(splits[0].seed), "fit_documents": len(splits[0].fit)}


def describe(s: dict, *, epochs: bool = True) -> str:
    """'bidirectional LSTM 1 × 64, GloVe fine-tuned, max pooling, first 256 tokens, dropout 0.2, lr 0.001, 3 epochs'."""
    if s.get("kind", "lstm") == "lstm":
        head = (f"{'bidirectional ' if s.get('bidirectional') else ''}LSTM {s.get('layers', 1)} × {s.get('hidden', 64)}, "
                f"{EMBEDDINGS[s.get('embedding', 'learned')]}, {POOL_WORDS[s.get('pooling', 'last')]}")
    else:
        w = s.get("width") or "embedding"
        k = int(s.get("layers", 4))
        head = (f"Transformer {k} layer{'s' if k != 1 else ''}, width {w}, {s.get('heads')} heads, feed-forward {s.get('ff')}, "
                f"{EMBEDDINGS[s.get('embedding', 'frozen')]}, {POOL_WORDS[s.get('pooling', 'mean')]}")
    parts = [head, f"{'last' if s.get('keep') == 'tail' else 'first'} {int(s['length']):,} tokens",
             f"dropout {s.get('dropout', 0):g}"]
    if s.get("word_dropout"):
        parts.append(f"word dropout {s['word_dropout']:g}")
    if s.get("weight_decay"):
        parts.append(f"weight decay {s['weight_decay']:g}")
    if s.get("warmup"):
        parts.append(f"warm-up {100 * s['warmup']:.0f} %")
    e = int(s.get("epochs", 1))
    parts += [f"learning rate {s.get('lr', 1e-3):g}", f"batch {s.get('batch_size', 64)}"]
    if epochs:  # a search table leaves them out: every candidate trains the search's epochs, which its text states
        parts.append(f"{e} epoch{'s' if e != 1 else ''}")
    if s.get("early_stopping"):
        parts.append(f"early stopping (patience {s['early_stopping']})")
    return ", ".join(parts)


def tuned_settings(winner: dict, epochs: int, patience: int) -> dict:
    """The search's winner for all fit documents: `epochs` at most; with `patience` > 0 early stopping watches a
    tenth of the fit documents and keeps the best epoch's weights (the epoch count is then chosen on held-out fit
    rows, not fixed in advance)."""
    out = {**winner, "epochs": int(epochs)}
    if patience:
        out.update(early_stopping=int(patience), valid_fraction=0.1)
    return out


def tuned(st: TextStudy, name: str, chosen: dict, *, label: str) -> Run:
    """The search's winner on every seed, trained on all fit documents."""
    return fit_networks(st, {name: chosen["settings"]}, labels={name: label}, roles={name: "tuned"})[name]


# ---- tables, verdicts, error analysis ---------------------------------------------------------------------

NAMES = {"accuracy": "accuracy", "macro_f1": "macro-F1", "f1": "F1 (positive)", "roc_auc": "ROC AUC"}


def pairs_view(table: pd.DataFrame, records: list[dict]) -> pd.DataFrame:
    """A pairs table as the book prints it: the difference and its interval in the shared cells (the decimals the
    margin needs, "identical on every run" for a change that changed nothing), and the number of seeds."""
    from mlplab.experiment.tables import difference_cell, interval_cell

    out = table.copy()
    out["difference"] = [difference_cell(r) for r in records]
    out["95 % interval"] = [interval_cell(r) for r in records]
    # the number of seeds, once: a pairs table already has it as "n"
    seeds = [r["n"] for r in records]
    if "n" in out:
        return out.rename(columns={"n": "seeds"}).assign(seeds=seeds)
    out.insert(len(out.columns) - 1, "seeds", seeds)
    return out


def models_table(st: TextStudy, names, metrics=("accuracy", "macro_f1")) -> pd.DataFrame:
    metric_name = NAMES.get
    rows = []
    for n in names:
        r = st.runs[n]
        row = {"model": r.label, "validation accuracy": r.mean("accuracy", "validation")}
        for m in metrics:
            row[f"test {metric_name(m)}"] = r.mean(m)
        seeds = r.n if r.role != "baseline" else 1
        row["SD"] = round(r.std("accuracy"), 4) if seeds > 1 else float("nan")   # "–": no spread over one fit
        row["seeds"] = seeds
        rows.append(row)
    return pd.DataFrame(rows)


def pairs(st: TextStudy, pairs_list, *, topic: str, metric: str = METRIC, digits: int = 3):
    from mlplab.experiment.tables import pairs_table

    present = [p for p in pairs_list if p[0] in st.runs and p[1] in st.runs]
    return pairs_table(st.runs, present, metric, higher_is_better=True, test_train_ratio=None, topic=topic,
                       digits=digits)


def length_bins(st: TextStudy, names, edges) -> pd.DataFrame:
    """Test accuracy (first seed) per bin of document length in tokens, for each model."""
    L = st.prep.test_lengths
    bins = pd.cut(L, bins=list(edges) + [np.inf], right=False)
    rows = []
    labels = [f"{int(a):,}–{int(b) - 1:,}" if np.isfinite(b) else f"{int(a):,}+" for a, b in zip(edges, list(edges[1:]) + [np.inf])]
    for n in names:
        d = st.runs[n].detail
        ok = np.asarray(d["y_true"]) == np.asarray(d["y_pred"])
        for code, lab in enumerate(labels):
            m = np.asarray(bins.codes) == code
            if m.any():
                rows.append({"model": st.runs[n].label, "length (tokens)": lab, "documents": int(m.sum()),
                             "accuracy": float(ok[m].mean())})
    return pd.DataFrame(rows)


def per_class(run: Run) -> pd.DataFrame:
    pc = run.test["per_class"]
    return pd.DataFrame([{"class": c, "precision": v["precision"], "recall": v["recall"], "f1": v["f1"],
                          "support": v["support"]} for c, v in pc.items()])


def confident_mistakes(st: TextStudy, name: str, k: int = 6, limit: int = 300) -> pd.DataFrame:
    """The test documents the model got wrong with the highest probability for its (wrong) answer (first seed)."""
    from mlplab.text.tokenize import excerpt

    d = st.runs[name].detail
    proba, y, pred = np.asarray(d["proba"]), np.asarray(d["y_true"]), np.asarray(d["y_pred"])
    conf = proba.max(axis=1)
    wrong = np.flatnonzero(y != pred)
    top = wrong[np.argsort(-conf[wrong], kind="stable")][:k]
    return pd.DataFrame([{"true": y[i], "predicted": pred[i], "probability": float(conf[i]),
                          "excerpt": excerpt(st.prep.texts_test[i], limit)} for i in top])


def parameter_table(st: TextStudy, names) -> pd.DataFrame:
    from mlplab.models.text import count_parameters

    rows = []
    for n in names:
        c = count_parameters(st.runs[n].detail["model"].module_)
        rows.append({"model": st.runs[n].label, "total parameters": c["total"], "trainable": c["trainable"],
                     "frozen": c["total"] - c["trainable"]})
    return pd.DataFrame(rows)


def recommendable(st: TextStudy, exclude=()) -> list[Run]:
    return [r for n, r in st.runs.items() if not n.startswith("search_") and n not in exclude]


def recommended(st: TextStudy, exclude=()) -> dict | None:
    return recommend(recommendable(st, exclude), METRIC, higher_is_better=True)
