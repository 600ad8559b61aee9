"""The one noise rule: is model A better than, worse than, or on a par with model B?

Every chapter of every lab calls `compare`; "better", "worse" and "on a par" come only from here,
so the same pair of results gets the same word everywhere.

The rule: take the paired differences d_i = a_i - b_i of the two models over the same outer splits
(or seeds on one fixed split), and a two-sided 95 % Student-t interval on their mean. When the
training sets of the splits overlap (repeated random splits, cross-validation) the variance is
Nadeau and Bengio's corrected one, (1/n + n_test/n_train) * s² instead of s²/n (Nadeau & Bengio,
2003, "Inference for the Generalization Error"): the plain t-test treats overlapping splits as
independent and calls too many differences real. With one fixed test set and seeds that vary only
the training randomness, the interval covers that randomness only, and the caller says so.

"better"/"worse" only when the interval excludes 0 (in the metric's good direction); "on a par"
otherwise; with fewer than 3 paired values there are too few runs to call it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

BETTER, WORSE, PAR, TOO_FEW = "better", "worse", "on a par", "too few runs"
WORDS = (BETTER, WORSE, PAR, TOO_FEW)
MIN_RUNS = 3
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Verdict:
    """The outcome of one comparison; `word` is what the prose says."""

    word: str
    n: int
    mean_diff: float          # mean of a - b, in the metric's units
    low: float                # interval on mean(a - b); nan with too few runs
    high: float
    higher_is_better: bool
    corrected: bool           # Nadeau-Bengio correction applied
    test_train_ratio: float | None
    confidence: float = CONFIDENCE

    @property
    def decided(self) -> bool:
        return self.word in (BETTER, WORSE)

    def to_dict(self) -> dict:
        out = asdict(self)
        for key in ("low", "high", "mean_diff"):
            if isinstance(out[key], float) and math.isnan(out[key]):
                out[key] = None
        return out


def compare(a: Sequence[float], b: Sequence[float], *, higher_is_better: bool,
            test_train_ratio: float | None = None, confidence: float = CONFIDENCE) -> Verdict:
    """Verdict on A against B from paired values (same splits or seeds, same order).

    `test_train_ratio` = n_test / n_train of one split: give it when the splits' training sets
    overlap (repeated splits, CV) to apply the Nadeau-Bengio correction; None for seeds on one split.
    """
    a_arr, b_arr = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a_arr.shape != b_arr.shape or a_arr.ndim != 1:
        raise ValueError(f"paired values must be two 1-D sequences of equal length, got {a_arr.shape} and {b_arr.shape}")
    if not np.isfinite(a_arr).all() or not np.isfinite(b_arr).all():
        raise ValueError("paired values must be finite numbers")
    if test_train_ratio is not None and not test_train_ratio > 0:
        raise ValueError(f"test_train_ratio must be > 0 or None, got {test_train_ratio!r}")
    d = a_arr - b_arr
    n = len(d)
    mean = float(d.mean()) if n else float("nan")
    corrected = test_train_ratio is not None
    if n < MIN_RUNS:
        return Verdict(TOO_FEW, n, mean, float("nan"), float("nan"), higher_is_better, corrected, test_train_ratio,
                       confidence)
    var = float(d.var(ddof=1))
    factor = (1.0 / n + test_train_ratio) if corrected else 1.0 / n
    from scipy import stats  # here, not at import: `mlplab run` validates profiles without scipy

    half = float(stats.t.ppf(0.5 + confidence / 2, df=n - 1)) * math.sqrt(var * factor)
    low, high = mean - half, mean + half
    if low > 0 or high < 0:
        a_larger = low > 0
        word = BETTER if a_larger == higher_is_better else WORSE
    else:
        word = PAR
    return Verdict(word, n, mean, low, high, higher_is_better, corrected, test_train_ratio, confidence)


def interval_text(v: Verdict, digits: int = 3, scale: float = 1.0, unit: str = "") -> str:
    """'+0.012 (95 % interval −0.004 to +0.028, 3 splits)' — the numbers behind a verdict."""
    runs = f"{v.n} {'run' if v.n == 1 else 'runs'}"
    if v.word == TOO_FEW:
        return f"{v.mean_diff * scale:+.{digits}f}{unit} ({runs}: too few to call)"
    pct = f"{round(v.confidence * 100)} %"
    return (f"{v.mean_diff * scale:+.{digits}f}{unit} ({pct} interval {v.low * scale:+.{digits}f} to "
            f"{v.high * scale:+.{digits}f}{unit}, {runs})")


def relation(v: Verdict) -> str:
    """The verdict as a relation of A to B inside a sentence: 'better than', 'worse than', 'on a par with'."""
    return {BETTER: "better than", WORSE: "worse than", PAR: "on a par with",
            TOO_FEW: "not distinguishable (too few runs) from"}[v.word]


def compare_runs(a, b, metric: str, *, higher_is_better: bool, test_train_ratio: float | None = None,
                 part: str = "test") -> Verdict:
    """The noise rule on two run records (mlplab.experiment.record.Run), paired split by split."""
    if a.split_ids != b.split_ids:
        raise ValueError(f"{a.name} and {b.name} were not fitted on the same outer splits "
                         f"({a.split_ids} vs {b.split_ids}): they cannot be paired")
    return compare(a.values(metric, part), b.values(metric, part), higher_is_better=higher_is_better,
                   test_train_ratio=test_train_ratio)


def record(topic: str, a: str, b: str, metric: str, v: Verdict, part: str = "test") -> dict:
    """One entry of the results' `verdicts` list (what the comparison chapters read)."""
    return {"topic": topic, "a": a, "b": b, "metric": metric, "part": part, **v.to_dict()}
