"""The one noise rule: is model A better than, worse than, or on a par with model B, or is it undecided?

Every chapter of every lab calls `compare` (or `compare_runs`); "better", "worse", "on a par" and
"undecided" come only from here, so the same pair of results gets the same word everywhere.

The rule: take the paired differences d_i = a_i - b_i of the two models over the same outer splits
(or seeds on one fixed split), and a two-sided 95 % Student-t interval on their mean. When the
training sets of the splits overlap (repeated random splits, cross-validation) the variance is
Nadeau and Bengio's corrected one, (1/n + n_test/n_train) * s² instead of s²/n (Nadeau & Bengio,
2003, "Inference for the Generalization Error"): the plain t-test treats overlapping splits as
independent and calls too many differences real. With one fixed test set and seeds that vary only
the training randomness, the interval covers that randomness only, and the caller says so.

The words:
- "better" / "worse": the interval excludes 0 (in the metric's good direction);
- "on a par": the whole interval lies inside the metric's equivalence margin (`MARGINS`), fixed in
  advance: the data rule out any difference a reader would care about. An interval that merely
  contains 0 does not show equivalence;
- "undecided": the interval contains 0 and reaches past the margin: these runs cannot tell;
- "too few runs": fewer than 3 paired values.

Each verdict also counts the pairs that went each way (`n_better`, `n_worse`) and the range of the
differences: that describes the runs (the prose says "worse on 3 of 3 splits"), it is not a second
test; the word still comes from the interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

BETTER, WORSE, PAR, UNDECIDED, TOO_FEW = "better", "worse", "on a par", "undecided", "too few runs"
WORDS = (BETTER, WORSE, PAR, UNDECIDED, TOO_FEW)
MIN_RUNS = 3
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Margin:
    """The equivalence margin of one metric: `value` in the metric's units, or, when `relative`, as a
    fraction of the reference model's mean (|mean of B|)."""

    value: float
    relative: bool
    label: str     # how the book states it, e.g. "±0.01" or "±1 % of the reference"
    why: str


_SCORE = ("one point on a 0–1 score (one percentage point of accuracy): a smaller difference changes no "
          "ranking or decision the book draws, and it is about the sampling error of a score on a test set of a "
          "few thousand rows")
_ERROR = ("1 % of the reference model's error: errors (RMSE, MAE, losses) have the data's units and scale, so "
          "a fixed number would mean something else on each data set; 1 % is below what a user of the "
          "predictions would notice")

# One table for the whole book (the glossary and each lab's protocol section print it).
MARGINS: dict[str, Margin] = {
    **{m: Margin(0.01, False, "±0.01", _SCORE) for m in (
        "accuracy", "balanced_accuracy", "macro_f1", "f1", "weighted_f1", "roc_auc", "pr_auc",
        "average_precision", "r2", "recall", "precision", "accuracy_gap")},
    **{m: Margin(0.01, True, "±1 % of the reference", _ERROR) for m in (
        "rmse", "mae", "mse", "log_loss", "loss", "loss_spread")},
    "gradient_log10": Margin(0.1, False, "±0.1 (a factor of 1.26)",
                             "a tenth of an order of magnitude of the gradient ratio: far below the "
                             "orders of magnitude that separate a vanishing gradient from a healthy one"),
    "detections": Margin(0.5, False, "±0.5 windows",
                         "half a labelled window: a detector finds a window or not"),
    "false_alarms": Margin(0.5, False, "±0.5 alarms", "half an alarm: alarms are counted one by one"),
}


def margin_of(metric: str) -> Margin:
    """The declared margin of `metric`, or of the metric it qualifies ("r2_6h", "r2_mean" and
    "r2_return" are R²; "rmse_return" is an RMSE). An unknown metric is an error: every compared
    metric has its margin declared."""
    if metric in MARGINS:
        return MARGINS[metric]
    base = max((k for k in MARGINS if metric.startswith(k + "_")), key=len, default=None)
    if base is None:
        raise ValueError(f"no equivalence margin declared for metric {metric!r}: add it to "
                         f"mlplab.experiment.verdict.MARGINS (known: {', '.join(sorted(MARGINS))})")
    return MARGINS[base]


def margin_for(metric: str, reference: Sequence[float] | float | None = None) -> float:
    """The equivalence margin of `metric` in its units (relative margins scale with the reference
    model's mean)."""
    m = margin_of(metric)
    if not m.relative:
        return m.value
    if reference is None:
        raise ValueError(f"the margin of {metric!r} is relative to the reference model: give its values")
    ref = float(np.mean(np.asarray(reference, dtype=float)))
    return m.value * abs(ref)


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
    margin: float = float("nan")   # equivalence margin, in the metric's units
    n_better: int = 0         # pairs in which A did better than B (in the metric's good direction)
    n_worse: int = 0          # pairs in which A did worse
    diff_min: float = float("nan")  # smallest and largest paired difference a - b
    diff_max: float = float("nan")

    @property
    def decided(self) -> bool:
        return self.word in (BETTER, WORSE)

    @property
    def unit(self) -> str:
        """What the paired values are: outer splits (overlapping training sets, corrected) or seeds."""
        return "splits" if self.corrected else "seeds"

    def to_dict(self) -> dict:
        out = asdict(self)
        for key in ("low", "high", "mean_diff", "margin", "diff_min", "diff_max"):
            if isinstance(out[key], float) and math.isnan(out[key]):
                out[key] = None
        return out

    @classmethod
    def from_dict(cls, d: dict) -> "Verdict":
        """A verdict record of a results file (see `record`) back as a Verdict."""
        nan = float("nan")
        get = lambda k: nan if d.get(k) is None else float(d[k])  # noqa: E731
        return cls(d["word"], int(d["n"]), get("mean_diff"), get("low"), get("high"), bool(d["higher_is_better"]),
                   bool(d.get("corrected", False)), d.get("test_train_ratio"), float(d.get("confidence", CONFIDENCE)),
                   get("margin"), int(d.get("n_better", 0)), int(d.get("n_worse", 0)), get("diff_min"),
                   get("diff_max"))


def compare(a: Sequence[float], b: Sequence[float], *, higher_is_better: bool, margin: float,
            test_train_ratio: float | None = None, confidence: float = CONFIDENCE) -> Verdict:
    """Verdict on A against B from paired values (same splits or seeds, same order).

    `margin` is the equivalence margin in the metric's units (`margin_for(metric, b)`);
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
    if not (isinstance(margin, (int, float)) and math.isfinite(margin) and margin >= 0):
        raise ValueError(f"margin must be a finite number >= 0, got {margin!r}")
    d = a_arr - b_arr
    n = len(d)
    mean = float(d.mean()) if n else float("nan")
    good = d if higher_is_better else -d
    counts = dict(margin=float(margin), n_better=int((good > 0).sum()), n_worse=int((good < 0).sum()),
                  diff_min=float(d.min()) if n else float("nan"), diff_max=float(d.max()) if n else float("nan"))
    corrected = test_train_ratio is not None
    if n < MIN_RUNS:
        return Verdict(TOO_FEW, n, mean, float("nan"), float("nan"), higher_is_better, corrected, test_train_ratio,
                       confidence, **counts)
    var = float(d.var(ddof=1))
    factor = (1.0 / n + test_train_ratio) if corrected else 1.0 / n
    from scipy import stats  # here, not at import: `mlplab run` validates profiles without scipy

    half = float(stats.t.ppf(0.5 + confidence / 2, df=n - 1)) * math.sqrt(var * factor)
    low, high = mean - half, mean + half
    if low > 0 or high < 0:
        a_larger = low > 0
        word = BETTER if a_larger == higher_is_better else WORSE
    elif -margin <= low and high <= margin:
        word = PAR
    else:
        word = UNDECIDED
    return Verdict(word, n, mean, low, high, higher_is_better, corrected, test_train_ratio, confidence, **counts)


def interval_text(v: Verdict, digits: int = 3, scale: float = 1.0, unit: str = "") -> str:
    """'+0.012 (95 % interval −0.004 to +0.028, 3 splits)' — the numbers behind a verdict."""
    runs = f"{v.n} {'run' if v.n == 1 else 'runs'}"
    if v.word == TOO_FEW:
        return f"{signed(v.mean_diff * scale, digits)}{unit} ({runs}: too few to call)"
    pct = f"{round(v.confidence * 100)} %"
    return (f"{signed(v.mean_diff * scale, digits)}{unit} ({pct} interval {signed(v.low * scale, digits)} to "
            f"{signed(v.high * scale, digits)}{unit}, {runs})")


def signed(value: float, digits: int = 3) -> str:
    """A signed number ('+0.012', '-0.004'); the book's display step sets the minus sign in type. A value that
    would print as '-0.000' or '+0.000' without being zero gets the decimals that show it ('-0.0003', at most three
    more): a grader reading '-0.000 to +0.052' cannot tell whether the interval crosses zero."""
    if value and math.isfinite(value):
        extra = 0
        while round(abs(value), digits + extra) == 0 and extra < 3:
            extra += 1
        if round(abs(value), digits + extra) == 0:
            return f"{0:.{digits}f}"  # zero to every shown decimal: no sign to misread
        digits += extra
    return f"{value:+.{digits}f}"


def margin_text(margin: float) -> str:
    """A margin as the prose states it: two significant digits ('0.01', '0.0045')."""
    return f"{margin:.2g}"


def relation(v: Verdict) -> str:
    """The verdict as a relation of A to B inside a sentence: 'better than', 'worse than', 'on a par with'."""
    return {BETTER: "better than", WORSE: "worse than", PAR: "on a par with",
            UNDECIDED: "in an undecided comparison with", TOO_FEW: "compared, on too few runs to call, with"}[v.word]


def sign_count(v: Verdict, unit: str | None = None) -> str:
    """What the runs show, for an undecided verdict: 'worse on 3 of 3 splits, by 0.137 to 0.252'.
    Description only: the verdict word comes from the interval."""
    unit = unit or v.unit
    sing = unit[:-1] if unit.endswith("s") else unit
    of = f"{v.n} {sing if v.n == 1 else unit}"
    if v.n_better == v.n:
        return f"better on {v.n_better} of {of}"
    if v.n_worse == v.n:
        return f"worse on {v.n_worse} of {of}"
    ties = v.n - v.n_better - v.n_worse
    tied = f", equal on {ties}" if ties else ""
    return f"better on {v.n_better} and worse on {v.n_worse} of {of}{tied}"


def undecided_text(v: Verdict, digits: int = 3, unit: str | None = None) -> str:
    """Why an undecided verdict stays undecided: the sign count, the interval and the margin it would
    have to fit in, e.g. 'worse on 3 of 3 splits, by 0.137 to 0.252; the 95 % interval (−0.003 to
    +0.380) is wider than the ±0.006 margin of parity, so 3 splits cannot settle it'."""
    unit = unit or v.unit
    by = ""
    if v.n_better == v.n or v.n_worse == v.n:
        lo, hi = sorted((abs(v.diff_min), abs(v.diff_max)))
        by = f", by {lo:.{digits}f} to {hi:.{digits}f}"
    pct = f"{round(v.confidence * 100)} %"
    # every run one way and still undecided puzzles a reader unless the widening is named
    widened = (", widened because the splits' training sets overlap," if v.corrected and by else "")
    return (f"{sign_count(v, unit)}{by}; the {pct} interval ({signed(v.low, digits)} to {signed(v.high, digits)})"
            f"{widened} reaches past the ±{margin_text(v.margin)} margin of parity, so {v.n} {unit} cannot settle it")


def compare_runs(a, b, metric: str, *, higher_is_better: bool, test_train_ratio: float | None = None,
                 part: str = "test", margin_metric: str | None = None) -> Verdict:
    """The noise rule on two run records (mlplab.experiment.record.Run), paired split by split; the
    margin is `metric`'s (or `margin_metric`'s when the values are another quantity of the same kind)."""
    if a.split_ids != b.split_ids:
        raise ValueError(f"{a.name} and {b.name} were not fitted on the same outer splits "
                         f"({a.split_ids} vs {b.split_ids}): they cannot be paired")
    ref = b.values(metric, part)
    return compare(a.values(metric, part), ref, higher_is_better=higher_is_better,
                   margin=margin_for(margin_metric or metric, ref), test_train_ratio=test_train_ratio)


def record(topic: str, a: str, b: str, metric: str, v: Verdict, part: str = "test") -> dict:
    """One entry of the results' `verdicts` list (what the comparison chapters read)."""
    return {"topic": topic, "a": a, "b": b, "metric": metric, "part": part, **v.to_dict()}


def margins_table():
    """The equivalence margins as a table for the book (metric, margin, why)."""
    import pandas as pd

    from mlplab.experiment.prose import metric_name

    seen: dict[tuple, list[str]] = {}
    for name, m in MARGINS.items():
        seen.setdefault((m.label, m.why), []).append(metric_name(name))
    return pd.DataFrame([{"metrics": ", ".join(names), "margin of parity": label, "why": why}
                         for (label, why), names in seen.items()])
