"""What the two text loaders share (mlplab.data.imdb, mlplab.data.newsgroups): the corpus they return, reading
archives without unpacking them, the embedded real subsets (JSON lines, xz) and stratified subsets.

A `Corpus` holds the training and test documents of the split the data came with (IMDB's movie-disjoint
halves, the newsgroups' by-date halves), their labels, where they came from (`provenance`, as every loader
of the package) and what was read (`report`: layout, counts per split and class, notes).
"""

from __future__ import annotations

import hashlib
import json
import lzma
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mlplab.errors import UserError
from mlplab.experiment import atomic

EMBEDDED_DIR = Path(__file__).parent / "embedded"


@dataclass
class Corpus:
    train_texts: list[str]
    train_labels: np.ndarray
    test_texts: list[str]
    test_labels: np.ndarray
    classes: tuple[str, ...]
    provenance: dict
    report: dict = field(default_factory=dict)
    train_meta: dict = field(default_factory=dict)   # per-document extras, e.g. {"rating": [...]}
    test_meta: dict = field(default_factory=dict)

    @property
    def n_train(self) -> int:
        return len(self.train_texts)

    @property
    def n_test(self) -> int:
        return len(self.test_texts)

    def counts(self) -> dict:
        return {part: {c: int((labels == c).sum()) for c in self.classes}
                for part, labels in (("train", self.train_labels), ("test", self.test_labels))}


def content_hash(records) -> str:
    """SHA-256 over (split, label, text) of every document in reading order: the same documents give the same hash
    whatever the layout they were read from (folders, archive, embedded)."""
    h = hashlib.sha256()
    for split, label, text in records:
        h.update(f"{split}\t{label}\t".encode())
        h.update(text.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def read_embedded(path: Path) -> list[dict]:
    try:
        with lzma.open(path, "rt", encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]
    except (OSError, lzma.LZMAError, json.JSONDecodeError) as exc:
        raise UserError(f"{path}: the embedded subset is unreadable ({type(exc).__name__}); reinstall mlplab") from None


def write_embedded(path: Path, records: list[dict]) -> Path:
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)
    return atomic.write_bytes(path, lzma.compress(text.encode("utf-8"), preset=9 | lzma.PRESET_EXTREME))


def stratified_take(labels: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Sorted positions of a stratified random `n` of the rows (all rows when n is 0 or not smaller)."""
    if not n or n >= len(labels):
        return np.arange(len(labels))
    from sklearn.model_selection import train_test_split

    keep, _ = train_test_split(np.arange(len(labels)), train_size=int(n), stratify=labels, random_state=int(seed))
    return np.sort(keep)


def with_subset(corpus: Corpus, max_train: int, max_test: int, seed: int = 0) -> Corpus:
    """A stratified subset of the loaded documents (0 keeps a part whole); provenance then says `subset`."""
    if max_train < 0 or max_test < 0:
        raise UserError(f"parameters max_train={max_train}, max_test={max_test}: expected counts >= 0 (0: all documents)")
    tr = stratified_take(corpus.train_labels, max_train, seed)
    te = stratified_take(corpus.test_labels, max_test, seed + 1)
    if len(tr) == corpus.n_train and len(te) == corpus.n_test:
        return corpus
    note = (f"stratified subset of {len(tr):,} of {corpus.n_train:,} training and {len(te):,} of {corpus.n_test:,} test "
            f"documents (seed {seed})")
    prov = {**corpus.provenance, "kind": "subset", "rows": int(len(tr) + len(te)),
            "note": "; ".join(filter(None, [corpus.provenance.get("note"), note]))}
    out = Corpus([corpus.train_texts[i] for i in tr], corpus.train_labels[tr], [corpus.test_texts[i] for i in te],
                 corpus.test_labels[te], corpus.classes, prov, dict(corpus.report),
                 {k: [v[i] for i in tr] for k, v in corpus.train_meta.items()},
                 {k: [v[i] for i in te] for k, v in corpus.test_meta.items()})
    out.report.update({"subset_of": {"train": corpus.n_train, "test": corpus.n_test}, "train": len(tr), "test": len(te),
                       "counts": out.counts()})
    return out


def count_lines(corpus: Corpus, what: str = "documents") -> list[str]:
    """`mlplab data check` lines: counts per split and class."""
    counts = corpus.counts()
    width = max(len(c) for c in corpus.classes)
    lines = [f"{what} per class (train / test):"]
    lines += [f"  {c:<{width}}  {counts['train'][c]:>7,}  {counts['test'][c]:>7,}" for c in corpus.classes]
    lines.append(f"  {'total':<{width}}  {corpus.n_train:>7,}  {corpus.n_test:>7,}")
    return lines
