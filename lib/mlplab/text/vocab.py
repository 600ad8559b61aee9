"""The vocabulary and the token-id matrices the networks read.

Built from the training documents only (fit and validation rows never mix with the test rows here): a
token seen at least `min_count` times gets an id, the most frequent first, at most `max_size` of them.
Id 0 is padding (never a token), id 1 the unknown word (every rarer or unseen token). A document becomes
a row of ids of fixed width `length`: its first (`keep="head"`) or last (`keep="tail"`) `length` tokens,
then padding at the end. Networks find each document's length as its count of non-zero ids, so the
padding is never read (see mlplab.models.text).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PAD, UNK = 0, 1
SPECIALS = ("<pad>", "<unk>")
KEEPS = ("head", "tail")


@dataclass
class Vocabulary:
    words: list[str]          # id -> word; words[0] = "<pad>", words[1] = "<unk>"
    counts: np.ndarray        # training count per id (0 for the specials)
    min_count: int
    n_types_seen: int         # distinct training tokens before the cut
    n_tokens: int             # training tokens counted

    def __post_init__(self):
        self.index = {w: i for i, w in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    @property
    def unknown_share(self) -> float:
        """Share of the training tokens that map to the unknown-word id (below the minimum count)."""
        return float(1 - self.counts.sum() / max(1, self.n_tokens))

    def ids(self, tokens: Sequence[str]) -> list[int]:
        get = self.index.get
        return [get(t, UNK) for t in tokens]


def build_vocabulary(docs: Sequence[Sequence[str]], *, min_count: int = 2, max_size: int = 0) -> Vocabulary:
    """The vocabulary of `docs` (training documents' tokens): ids by descending count, ties alphabetical."""
    if min_count < 1:
        raise ValueError(f"min_count must be >= 1, got {min_count}")
    counter: Counter = Counter()
    for d in docs:
        counter.update(d)
    kept = sorted(((w, c) for w, c in counter.items() if c >= min_count), key=lambda wc: (-wc[1], wc[0]))
    if max_size:
        kept = kept[: max(0, int(max_size) - len(SPECIALS))]
    words = list(SPECIALS) + [w for w, _ in kept]
    counts = np.array([0, 0] + [c for _, c in kept], dtype=np.int64)
    return Vocabulary(words, counts, int(min_count), len(counter), int(sum(counter.values())))


def encode(vocab: Vocabulary, docs: Sequence[Sequence[str]], length: int, keep: str = "head") -> np.ndarray:
    """(n, length) int64 ids: each document's first or last `length` tokens, padded with 0 at the end.
    An empty document becomes a single unknown-word id (a network needs at least one token to read)."""
    if keep not in KEEPS:
        raise ValueError(f"keep must be one of {', '.join(KEEPS)}, got {keep!r}")
    if length < 1:
        raise ValueError(f"length must be >= 1, got {length}")
    out = np.zeros((len(docs), int(length)), dtype=np.int64)
    for i, d in enumerate(docs):
        ids = vocab.ids(d[-length:] if keep == "tail" else d[:length]) or [UNK]
        out[i, : len(ids)] = ids
    return out


def lengths(docs: Sequence[Sequence[str]]) -> np.ndarray:
    return np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
