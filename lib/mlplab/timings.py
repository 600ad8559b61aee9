"""Wall-clock seconds per notebook section, for the results' `timings_s` and the appendix."""

from __future__ import annotations

import contextlib
import time


class Timings(dict):
    """`with timings("search"): ...` adds that section's seconds; `finish()` adds `total` since creation."""

    def __init__(self):
        super().__init__()
        self._t0 = time.perf_counter()

    @contextlib.contextmanager
    def __call__(self, section: str):
        t = time.perf_counter()
        try:
            yield
        finally:
            self[section] = self.get(section, 0.0) + time.perf_counter() - t

    def finish(self) -> dict:
        self["total"] = time.perf_counter() - self._t0
        return dict(self)
