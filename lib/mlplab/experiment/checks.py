"""Parameter checks for every notebook's `validate_params`: each failure is one UserError line,
`<notebook> parameter KEY=VALUE: expected ...`, naming the parameter, its value and what was expected.

A check passes silently when its key is absent (the notebook's default applies). Each check has a
generic wording of what it expects; `expected=` says more where a notebook has more to say (an
example, what 0 means, why a bound).
"""

from __future__ import annotations

from numbers import Real
from typing import Any, Callable

from mlplab.errors import UserError


class Checks:
    """`Checks(params, "california").integer("epochs")` raises a UserError when `epochs` is present and not a
    positive integer."""

    def __init__(self, params: dict, lab: str):
        self.params = params
        self.lab = lab

    def need(self, cond: bool, key: str, expected: str) -> None:
        if not cond:
            raise UserError(f"{self.lab} parameter {key}={self.params.get(key)!r}: expected {expected}")

    def rule(self, *keys: str, ok: Callable[[Any], bool], expected: str) -> None:
        """Any condition on a value: `ok(value)` must hold (an `ok` that raises TypeError or ValueError fails)."""
        for key in keys:
            if key in self.params:
                try:
                    good = bool(ok(self.params[key]))
                except (TypeError, ValueError):
                    good = False
                self.need(good, key, expected)

    def each(self, *keys: str, ok: Callable[[Any], bool], expected: str) -> None:
        """A non-empty list whose every item passes `ok`."""
        self.rule(*keys, ok=lambda v: isinstance(v, list) and bool(v) and all(ok(x) for x in v), expected=expected)

    # ---- single values ----------------------------------------------------------------------------

    def integer(self, *keys: str, least: int = 1, most: int | None = None, zero: bool = False,
                expected: str | None = None) -> None:
        """An integer from `least` to `most` (`zero`: 0 too, e.g. "0: none")."""
        if expected is None:
            expected = (f"an integer from {least} to {most}" if most is not None
                        else "a positive integer" if least == 1 else f"an integer >= {least}")
        self.rule(*keys, ok=lambda v: is_int(v) and ((least <= v and (most is None or v <= most)) or (zero and v == 0)),
                  expected=expected)

    def fraction(self, *keys: str, expected: str = "a fraction between 0 and 1") -> None:
        self.rule(*keys, ok=lambda v: is_number(v) and 0 < v < 1, expected=expected)

    def rate(self, *keys: str, expected: str = "a rate in [0, 1)") -> None:
        self.rule(*keys, ok=lambda v: is_number(v) and 0 <= v < 1, expected=expected)

    def positive(self, *keys: str, expected: str = "a positive number") -> None:
        self.rule(*keys, ok=lambda v: is_number(v) and v > 0, expected=expected)

    def non_negative(self, *keys: str, expected: str = "a number >= 0") -> None:
        self.rule(*keys, ok=lambda v: is_number(v) and v >= 0, expected=expected)

    def between(self, *keys: str, low: float, high: float, expected: str | None = None) -> None:
        self.rule(*keys, ok=lambda v: is_number(v) and low <= v <= high,
                  expected=expected or f"a number from {low} to {high}")

    def choice(self, *keys: str, options, expected: str | None = None) -> None:
        self.rule(*keys, ok=lambda v: v in options, expected=expected or f"one of {', '.join(map(str, options))}")

    def boolean(self, *keys: str) -> None:
        self.rule(*keys, ok=lambda v: isinstance(v, bool), expected="true or false")

    def date(self, *keys: str, expected: str = "a date like 2015-01-01") -> None:
        import pandas as pd

        self.rule(*keys, ok=lambda v: pd.Timestamp(v) is not pd.NaT, expected=expected)

    def layers(self, *keys: str, empty: bool = False, expected: str | None = None) -> None:
        """A list of positive layer widths (`empty`: the empty list too, no hidden layer)."""
        expected = expected or ("a list of positive widths (may be empty)" if empty
                                else "a non-empty list of positive layer widths, e.g. [128, 128]")
        self.rule(*keys, ok=lambda v: is_layers(v) or (empty and v == []), expected=expected)

    def tracking(self, key: str = "tracking") -> None:
        """A tracking backend (mlplab.experiment.tracking), its extra installed."""
        from mlplab.experiment.backends import BACKENDS, check_backend

        self.choice(key, options=BACKENDS)
        if key in self.params:
            check_backend(self.params[key])

    def device(self, key: str = "device") -> None:
        self.rule(key, ok=lambda v: isinstance(v, str) and (v in ("auto", "cpu") or v.startswith("cuda")),
                  expected="auto, cpu or cuda[:N]")

    # ---- lists ------------------------------------------------------------------------------------

    def seeds(self, *keys: str) -> None:
        self.ints_list(*keys, least=0, distinct=True, expected="a non-empty list of distinct integers >= 0")

    def ints_list(self, *keys: str, least: int = 1, most: int | None = None, distinct: bool = False,
                  expected: str | None = None) -> None:
        expected = expected or ("a non-empty list of positive integers" if least == 1
                                else f"a non-empty list of integers >= {least}")
        self.each(*keys, ok=lambda x: is_int(x) and x >= least and (most is None or x <= most), expected=expected)
        if distinct:
            self.rule(*keys, ok=lambda v: len(set(v)) == len(v), expected=expected)

    def positive_list(self, *keys: str, expected: str = "a non-empty list of positive numbers") -> None:
        self.each(*keys, ok=lambda x: is_number(x) and x > 0, expected=expected)

    def rates_list(self, *keys: str, expected: str = "a list of rates in [0, 1)") -> None:
        self.each(*keys, ok=lambda x: is_number(x) and 0 <= x < 1, expected=expected)

    def grid_layers(self, *keys: str,
                    expected: str = "a list of layer-width lists, e.g. [[128, 128], [256, 256]]") -> None:
        self.each(*keys, ok=is_layers, expected=expected)

    def choices(self, *keys: str, options, expected: str | None = None) -> None:
        self.each(*keys, ok=lambda x: x in options,
                  expected=expected or f"a non-empty list from {', '.join(map(str, options))}")


def is_int(v) -> bool:
    """An integer, not a boolean."""
    return isinstance(v, int) and not isinstance(v, bool)


def is_number(v) -> bool:
    """A real number, not a boolean."""
    return isinstance(v, Real) and not isinstance(v, bool)


def is_layers(value) -> bool:
    """A non-empty list of positive layer widths."""
    return isinstance(value, list) and bool(value) and all(is_int(w) and w > 0 for w in value)
