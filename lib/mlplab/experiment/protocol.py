"""Outer splits, the validation slice inside them, and the protocol statement every results file carries.

Two protocols (DESIGN.md):
- "nested": repeated outer splits (e.g. stratified 80/20 with split seeds 0, 1, 2); everything that
  selects runs inside each split's training rows, so every split yields an honest test score.
- "holdout": one fixed test set (e.g. a chronological one); the seeds vary only the training
  randomness (initialization, batch order, dropout), so their spread says nothing about how the
  test period itself was drawn.

Inside each outer split the training rows are divided once more: fit rows, on which every model
is trained (and inside which searches run their cross-validation, early stopping its own slice and
decision thresholds their out-of-fold fits), and validation rows, on which every candidate is scored
for the recommendation. The test rows are scored, never chosen on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Callable

import numpy as np

from mlplab.errors import UserError

KINDS = ("nested", "holdout")


@dataclass(frozen=True)
class Protocol:
    kind: str
    outer_splits: int
    selection: str          # what chose the hyperparameters, in words (shown in the report)
    seeds: tuple[int, ...] = ()
    validation: str = ""    # which rows scored the candidates for the recommendation

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"protocol kind must be one of {KINDS}, got {self.kind!r}")
        if self.outer_splits < 1:
            raise ValueError(f"outer_splits must be >= 1, got {self.outer_splits}")

    @classmethod
    def for_splits(cls, kind: str, splits: list, *, selection: str, validation: str = "") -> "Protocol":
        """The statement of `splits` (OuterSplits or SplitIndexes): one outer split each, their seeds."""
        return cls(kind, len(splits), selection, tuple(int(s.seed) for s in splits), validation)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["seeds"] = list(self.seeds)
        return out


@dataclass
class Rows:
    """Model inputs and labels of one part of a split (the tabular labs; other labs pass their own
    objects with `X`, `y` and `len`)."""

    X: Any
    y: Any
    meta: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.y)


@dataclass
class OuterSplit:
    """One outer split: `fit` trains every model, `validation` scores candidates, `test` is reported."""

    index: int
    seed: int
    fit: Any
    validation: Any
    test: Any

    @property
    def n_train(self) -> int:
        return len(self.fit) + len(self.validation)

    @property
    def test_train_ratio(self) -> float:
        """n_test / n_train of this split, the Nadeau-Bengio correction's input; the models are trained
        on the fit rows, so those are n_train."""
        return len(self.test) / max(1, len(self.fit))


@dataclass(frozen=True)
class SplitIndex:
    """Row positions of one outer split."""

    index: int
    seed: int
    fit: np.ndarray
    validation: np.ndarray
    test: np.ndarray


def row_selector(X, y) -> Callable[[np.ndarray], Rows]:
    """positions -> Rows of X and y at those positions (a data frame's index renumbered from 0)."""
    def take(positions) -> Rows:
        return Rows(X.iloc[positions].reset_index(drop=True) if hasattr(X, "iloc") else X[positions], y[positions])
    return take


def outer_splits(index: list[SplitIndex], part: Callable[[np.ndarray], Any], *, test: Any = None) -> list[OuterSplit]:
    """One OuterSplit per SplitIndex, each part `part(positions)` (e.g. a `row_selector`). `test` given: every
    split's test part (a separate test set, which the index's test positions number, not X). Positions
    the splits share (a holdout's fit and validation rows) are taken once: the splits share those parts."""
    taken: dict[int, Any] = {}

    def rows(positions):
        if id(positions) not in taken:
            taken[id(positions)] = part(positions)
        return taken[id(positions)]

    return [OuterSplit(s.index, s.seed, rows(s.fit), rows(s.validation), rows(s.test) if test is None else test)
            for s in index]


def stratified_indices(y, seeds, *, test_size: float = 0.2, valid_size: float = 0.2) -> list[SplitIndex]:
    """Repeated stratified splits: per seed, test_size of all rows for test, then valid_size of the
    remaining training rows for validation (both stratified on y, so rare classes appear in each)."""
    y = np.asarray(y)
    _check_fraction("test_size", test_size)
    _check_fraction("valid_size", valid_size)
    seeds = _check_seeds(seeds)
    from sklearn.model_selection import train_test_split  # here: reading a results file needs no sklearn

    rows = np.arange(len(y))
    out = []
    for i, seed in enumerate(seeds):
        train, test = train_test_split(rows, test_size=test_size, random_state=seed, stratify=_stratify(y))
        fit, valid = train_test_split(train, test_size=valid_size, random_state=seed, stratify=_stratify(y[train]))
        out.append(SplitIndex(i, seed, np.sort(fit), np.sort(valid), np.sort(test)))
    return out


def holdout_indices(train_rows, test_rows, seeds, *, valid_rows=None, valid_size: float = 0.1,
                    ordered: bool = True, y=None) -> list[SplitIndex]:
    """One fixed test set, one fixed validation slice, one SplitIndex per seed (training randomness only).

    `valid_rows` given: those rows validate; else the last `valid_size` of the training rows
    (`ordered`, for time series) or a stratified random part of them (seeded by the first seed)."""
    seeds = _check_seeds(seeds)
    train_rows, test_rows = np.asarray(train_rows), np.asarray(test_rows)
    if valid_rows is None:
        _check_fraction("valid_size", valid_size)
        n_valid = max(1, int(round(len(train_rows) * valid_size)))
        if ordered:
            fit, valid = train_rows[:-n_valid], train_rows[-n_valid:]
        else:
            from sklearn.model_selection import train_test_split

            strat = None if y is None else _stratify(np.asarray(y)[train_rows])
            fit, valid = train_test_split(train_rows, test_size=n_valid, random_state=seeds[0], stratify=strat)
            fit, valid = np.sort(fit), np.sort(valid)
    else:
        valid = np.asarray(valid_rows)
        outside = np.setdiff1d(valid, train_rows)
        if len(outside):
            raise UserError(f"holdout split: {len(outside)} validation row(s) are not training rows "
                            f"(e.g. row {int(outside[0])}); validation rows must come from the training rows")
        fit = np.setdiff1d(train_rows, valid, assume_unique=False)
    if len(fit) == 0 or len(valid) == 0 or len(test_rows) == 0:
        raise UserError(f"holdout split: empty part (fit {len(fit)}, validation {len(valid)}, test {len(test_rows)} rows)")
    return [SplitIndex(i, s, fit, valid, test_rows) for i, s in enumerate(seeds)]


def _stratify(y: np.ndarray):
    """Labels to stratify on: y when every class has at least two rows. Classes with a single row are
    pooled into one group (or, when there is one such row, into the largest class), so that one
    singleton class does not turn stratification off for the rare classes that can be kept in every
    part. None (a plain random split) only with fewer than two rows."""
    if len(y) < 2:
        return None
    _, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    if counts.min() >= 2:
        return y
    single = counts[codes] < 2
    codes = codes.copy()
    codes[single] = len(counts) if single.sum() >= 2 else int(np.argmax(counts))
    return codes


def _check_fraction(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        raise UserError(f"parameter {name}={value!r}: expected a fraction between 0 and 1")


def _check_seeds(seeds) -> list[int]:
    if isinstance(seeds, (int, np.integer)):
        seeds = [seeds]
    try:
        seeds = list(seeds)
    except TypeError:
        raise UserError(f"parameter seeds={seeds!r}: expected a non-empty list of integers") from None
    if not seeds or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in seeds):
        raise UserError(f"parameter seeds={seeds!r}: expected a non-empty list of integers")
    if len(set(seeds)) != len(seeds):
        raise UserError(f"parameter seeds={seeds!r}: seeds must be distinct")
    return [int(s) for s in seeds]
