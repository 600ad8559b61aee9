"""Parameter checks shared by Lab 2's `validate_params` functions: each failure is one UserError line
naming the notebook's parameter, its value and what was expected."""

from __future__ import annotations

from numbers import Real

from mlplab.errors import UserError


class Checks:
    """`Checks(params, "california").positive_int("epochs")`: a check passes silently when the key is
    absent (the notebook's default applies) and raises a UserError otherwise."""

    def __init__(self, params: dict, lab: str):
        self.params = params
        self.lab = lab

    def need(self, cond: bool, key: str, expected: str) -> None:
        if not cond:
            raise UserError(f"{self.lab} parameter {key}={self.params.get(key)!r}: expected {expected}")

    def _has(self, key: str) -> bool:
        return key in self.params

    def positive_int(self, *keys: str, least: int = 1) -> None:
        for key in keys:
            if self._has(key):
                v = self.params[key]
                self.need(isinstance(v, int) and not isinstance(v, bool) and v >= least, key, f"an integer >= {least}")

    def fraction(self, *keys: str) -> None:
        for key in keys:
            if self._has(key):
                v = self.params[key]
                self.need(_number(v) and 0 < v < 1, key, "a fraction between 0 and 1")

    def rate(self, *keys: str) -> None:
        for key in keys:
            if self._has(key):
                v = self.params[key]
                self.need(_number(v) and 0 <= v < 1, key, "a rate in [0, 1)")

    def positive(self, *keys: str) -> None:
        for key in keys:
            if self._has(key):
                self.need(_number(self.params[key]) and self.params[key] > 0, key, "a positive number")

    def positive_list(self, *keys: str) -> None:
        for key in keys:
            if self._has(key):
                v = self.params[key]
                self.need(isinstance(v, list) and bool(v) and all(_number(x) and x > 0 for x in v), key,
                          "a non-empty list of positive numbers")

    def rates_list(self, *keys: str) -> None:
        for key in keys:
            if self._has(key):
                v = self.params[key]
                self.need(isinstance(v, list) and bool(v) and all(_number(x) and 0 <= x < 1 for x in v), key,
                          "a list of rates in [0, 1)")

    def ints_list(self, *keys: str, least: int = 2) -> None:
        for key in keys:
            if self._has(key):
                v = self.params[key]
                self.need(isinstance(v, list) and bool(v) and all(isinstance(x, int) and x >= least for x in v), key,
                          f"a non-empty list of integers >= {least}")

    def layers(self, *keys: str) -> None:
        for key in keys:
            if self._has(key):
                self.need(_layers(self.params[key]), key, "a non-empty list of positive layer widths, e.g. [128, 128]")

    def grid_layers(self, *keys: str) -> None:
        for key in keys:
            if self._has(key):
                v = self.params[key]
                self.need(isinstance(v, list) and bool(v) and all(_layers(h) for h in v), key,
                          "a list of layer-width lists, e.g. [[128, 128], [256, 256]]")

    def choice(self, key: str, options) -> None:
        if self._has(key):
            self.need(self.params[key] in options, key, f"one of {', '.join(map(str, options))}")

    def choices(self, key: str, options) -> None:
        if self._has(key):
            v = self.params[key]
            self.need(isinstance(v, list) and bool(v) and all(x in options for x in v), key,
                      f"a non-empty list from {', '.join(map(str, options))}")

    def seeds(self, key: str) -> None:
        if self._has(key):
            v = self.params[key]
            self.need(isinstance(v, list) and bool(v) and all(isinstance(x, int) and not isinstance(x, bool) for x in v)
                      and len(set(v)) == len(v), key, "a non-empty list of distinct integers")


def _number(v) -> bool:
    return isinstance(v, Real) and not isinstance(v, bool)


def _layers(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(w, int) and not isinstance(w, bool) and w > 0
                                                           for w in value)
