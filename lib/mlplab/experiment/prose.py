"""Building blocks of computed prose: numbers formatted once, verdicts turned into clauses.

Every sentence that states a result is assembled from these and from the numbers; a clause whose
condition does not hold is never printed (the callers branch on computed values, and the tests
cover each branch).
"""

from __future__ import annotations

import math

from mlplab.experiment.verdict import PAR, TOO_FEW, Verdict, interval_text, relation

METRIC_NAMES = {"rmse": "RMSE", "mae": "MAE", "r2": "R²", "mape": "MAPE", "mse": "MSE", "macro_f1": "macro-F1",
                "accuracy": "accuracy", "balanced_accuracy": "balanced accuracy", "weighted_f1": "weighted F1"}


def metric_name(metric: str) -> str:
    return METRIC_NAMES.get(metric, metric.replace("_", " "))


def num(value: float | None, digits: int = 3) -> str:
    """A number for prose: n/a for missing, thousands separators for large values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.1f}"
    return f"{value:.{digits}f}"


def pct(fraction: float, digits: int = 1) -> str:
    return f"{100 * fraction:.{digits}f} %"


def signed(value: float, digits: int = 3) -> str:
    return f"{value:+.{digits}f}"


def verdict_clause(a_label: str, b_label: str, v: Verdict, metric: str, *, digits: int = 3, unit: str = "",
                   scale: float = 1.0) -> str:
    """'the tuned MLP is better than HGB on test macro-F1 (+0.012; 95 % interval ...)'."""
    what = metric_name(metric)
    detail = interval_text(v, digits=digits, scale=scale, unit=unit)
    if v.word == TOO_FEW:
        return f"{a_label} and {b_label} cannot be told apart on {what} with {v.n} run{'s' if v.n != 1 else ''} " \
               f"(difference {detail})"
    verb = "is" if v.word != PAR else "is"
    return f"{a_label} {verb} {relation(v)} {b_label} on {what} (difference {detail})"


def capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def join(items: list[str], last: str = "and") -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]
