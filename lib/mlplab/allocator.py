"""Keep freed memory in the process instead of handing it back to the OS after every training step.

Why: glibc serves large blocks with mmap and returns them to the OS when they are freed (and trims
the top of its heap). A CNN's training step allocates and frees tens of MB of activations and
gradients, so every step page-faults the same memory in again. On the 2-core development VM the
bench's lab row (`mlplab.bench.cnn_lab_ips`, 8,192 images), each in a fresh process, ran at 1,693 and
2,114 images/s with glibc's defaults and 2,549 and 2,591 with this setting (alternated); `mlplab bench`
reports the setting's part as `cnn_allocator_gain`. Raising glibc's mmap and trim thresholds (`mallopt`)
keeps the blocks for reuse. The price: the process keeps its peak memory instead of shrinking
between steps. The numbers a model computes do not change.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameter numbers (malloc.h)
THRESHOLD = 1 << 30  # 1 GiB: blocks below it come from the heap and stay there when freed
_STATE: list[bool] = []


def keep_freed_memory() -> bool:
    """Raise glibc's thresholds once per process (before a fit's first step). False where it does not
    apply: not Linux, or a C library without `mallopt` (musl)."""
    if _STATE:
        return _STATE[0]
    ok = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            ok = bool(libc.mallopt(M_MMAP_THRESHOLD, THRESHOLD)) and bool(libc.mallopt(M_TRIM_THRESHOLD, THRESHOLD))
        except (OSError, AttributeError):
            ok = False
    _STATE.append(ok)
    return ok
