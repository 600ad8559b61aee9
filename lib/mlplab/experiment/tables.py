"""Tables every lab shows, built from run records: scores over the outer splits and ablation ladders.

Column headers are words, not identifiers; model names are the runs' readable labels (the
identifier is kept in a narrow `id` column only where a reader must match it with the results file).
"""

from __future__ import annotations

import math

from collections.abc import Mapping, Sequence

import pandas as pd

from mlplab.experiment import verdict as V
from mlplab.experiment.prose import metric_name
from mlplab.experiment.record import Run


def score_table(runs: Mapping[str, Run], names: Sequence[str], metrics: Sequence[str], *,
                parts: Sequence[str] = ("validation", "test"), spread: bool = True, train: bool = False,
                ids: bool = True) -> pd.DataFrame:
    """One row per model: mean over the outer splits of each metric on each part (and the test SD)."""
    rows = []
    for name in names:
        r = runs[name]
        row = {"model": r.label}
        if ids:
            row["id"] = name
        for m in metrics:
            for part in (("train",) if train else ()) + tuple(parts):
                row[f"{part} {metric_name(m)}"] = r.mean(m, part) if r.has(part) else float("nan")
            if spread and r.n > 1:
                row[f"test {metric_name(m)} SD"] = r.std(m, "test")
        row["runs"] = r.n
        rows.append(row)
    return pd.DataFrame(rows)


def compare(runs: Mapping[str, Run], a: str, b: str, metric: str, *, higher_is_better: bool,
            test_train_ratio: float | None, part: str = "test") -> V.Verdict:
    return V.compare_runs(runs[a], runs[b], metric, higher_is_better=higher_is_better,
                          test_train_ratio=test_train_ratio, part=part)


def ladder(runs: Mapping[str, Run], steps: Sequence[tuple[str, str]], metric: str, *, higher_is_better: bool,
           test_train_ratio: float | None, topic: str = "ladder") -> tuple[pd.DataFrame, list[dict]]:
    """An ablation ladder: each rung (model, what it changes) against the rung before it.

    Returns the table and the verdict records (for the results' `verdicts`)."""
    rows, records = [], []
    prev = None
    for name, change in steps:
        r = runs[name]
        row = {"rung": change, "model": r.label, "validation": r.mean(metric, "validation") if r.has("validation")
               else float("nan"), "test": r.mean(metric), "test SD": r.std(metric)}
        if prev is None:
            row["change in test"], row["95 % interval"], row["n"], row["verdict"] = float("nan"), "–", r.n, "–"
        else:
            v = compare(runs, name, prev, metric, higher_is_better=higher_is_better, test_train_ratio=test_train_ratio)
            row["change in test"], row["95 % interval"], row["n"], row["verdict"] = v.mean_diff, _interval(v), v.n, v.word
            records.append(V.record(topic, name, prev, metric, v))
        rows.append(row)
        prev = name
    table = pd.DataFrame(rows).rename(columns={"validation": f"validation {metric_name(metric)}",
                                               "test": f"test {metric_name(metric)}",
                                               "test SD": f"test {metric_name(metric)} SD"})
    return table, records


def pairs_table(runs: Mapping[str, Run], pairs: Sequence[tuple], metric: str, *, higher_is_better: bool,
                test_train_ratio: float | None, topic: str, digits: int = 3) -> tuple[pd.DataFrame, list[dict]]:
    """Each (variant, reference[, row label]) pair: both test means, the paired difference with its 95 %
    interval, and the noise rule's verdict. The row label defaults to the variant's label."""
    rows, records = [], []
    what = metric_name(metric)
    for pair in pairs:
        a, b = pair[0], pair[1]
        label = pair[2] if len(pair) > 2 else runs[a].label
        v = compare(runs, a, b, metric, higher_is_better=higher_is_better, test_train_ratio=test_train_ratio)
        records.append(V.record(topic, a, b, metric, v))
        rows.append({"change": label, f"test {what}": runs[a].mean(metric), f"reference test {what}": runs[b].mean(metric),
                     "difference": V.signed(v.mean_diff, digits), "95 % interval": _interval(v, digits), "n": v.n,
                     "verdict": v.word})  # the difference signed like its interval ("+0.016", "+0.001 to +0.003")
    return pd.DataFrame(rows), records


CONTROL = "control"  # the word a control row shows and plots instead of a verdict counted among the results


def mark_controls(table: pd.DataFrame, records: list[dict], controls) -> tuple[pd.DataFrame, pd.DataFrame, list[dict]]:
    """Separate controls (e.g. early stopping's reference trained on the reduced rows) from the results of a
    pairs table: returns the table to show (control rows labelled "control: …", their verdict cell "control
    (word)"), the table of the counted rows only (for captions and sentences), and the records, the controls'
    topic suffixed "_control" so no conclusion counts them. Row order follows `records`."""
    controls = set(controls)
    is_control = [r["a"] in controls for r in records]
    shown = table.copy()
    for i, c in enumerate(is_control):
        if c:
            shown.loc[i, "change"] = f"{CONTROL}: {shown.loc[i, 'change']}"
            shown.loc[i, "verdict"] = f"{CONTROL} ({shown.loc[i, 'verdict']})"
    counted = table.loc[[not c for c in is_control]].reset_index(drop=True)
    out = [{**r, "topic": f"{r['topic']}_{CONTROL}"} if c else r for r, c in zip(records, is_control)]
    return shown, counted, out


def plot_records(records: list[dict]) -> list[dict]:
    """Records for plots.scores.plot_differences: a control's point is drawn as a control, not as a verdict."""
    return [{**r, "word": CONTROL} if r["topic"].endswith(f"_{CONTROL}") else r for r in records]


IDENTICAL = "identical on every run"  # the interval cell of a change that changed no score at all


def _interval(v: V.Verdict, digits: int = 3) -> str:
    if v.word == V.TOO_FEW:
        return "–"
    if v.diff_min == 0 and v.diff_max == 0:
        return IDENTICAL
    margin = getattr(v, "margin", float("nan"))
    if math.isfinite(margin) and margin > 0:  # an end that rounds onto the margin cannot show which side it is on
        while digits < 6 and any(round(abs(e), digits) == round(margin, digits) and abs(e) != margin
                                 for e in (v.low, v.high)):
            digits += 1
    return f"{V.signed(v.low, digits)} to {V.signed(v.high, digits)}"


def interval_cell(v: V.Verdict | dict | None, digits: int | None = None) -> str:
    """A verdict's 95 % interval as a table cell ('-0.012 to +0.004'; '–' without one), so every table
    that prints a verdict word also prints what it rests on. `digits` defaults to enough decimals to
    show the margin of parity with two significant digits (at least 3, at most 6)."""
    if v is None:
        return "–"
    v = v if isinstance(v, V.Verdict) else V.Verdict.from_dict(v)
    return _interval(v, _digits_for(v) if digits is None else digits)


def difference_cell(v: V.Verdict | dict) -> str:
    """The mean paired difference, signed, with the decimals of `interval_cell` (a row never reads 0.008 beside
    −0.0023 to +0.0183)."""
    v = v if isinstance(v, V.Verdict) else V.Verdict.from_dict(v)
    return V.signed(v.mean_diff, _digits_for(v))


def _digits_for(v: V.Verdict) -> int:
    margin = getattr(v, "margin", 0.0) or 0.0
    return 3 if not (margin > 0 and math.isfinite(margin)) else int(min(6, max(3, 1 - math.floor(math.log10(margin)))))
