"""The tracking backends' names and the check that one is usable, without importing skorch or the
backends themselves (so `mlplab run` validates a profile in a fraction of a second)."""

from __future__ import annotations

import importlib.util

from mlplab.errors import UserError

BACKENDS = ("none", "mlflow", "wandb", "tensorboard")
EXTRA = {"mlflow": ("mlflow", "tracking"), "tensorboard": ("tensorboard", "tracking"), "wandb": ("wandb", "wandb")}


def check_backend(backend: str) -> None:
    """A one-line UserError for an unknown backend or a missing extra (before any fit starts)."""
    if backend not in BACKENDS:
        raise UserError(f"parameter tracking={backend!r}: expected one of {', '.join(BACKENDS)}")
    if backend == "none":
        return
    module, extra = EXTRA[backend]
    if importlib.util.find_spec(module) is None:
        raise UserError(f"parameter tracking={backend!r}: {module} is not installed; "
                        f"pip install 'mlplab[{extra}]'")
