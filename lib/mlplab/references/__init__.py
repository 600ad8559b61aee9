"""Published numbers the book may quote, from one cited data file (published.yml)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml


@lru_cache(maxsize=1)
def published() -> dict:
    """The labs' published numbers with their model and protocol (references/published.yml)."""
    text = resources.files("mlplab").joinpath("references/published.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def nyse_published() -> dict:
    """The size of the published NYSE file (Kaggle dgawlik/nyse): symbols, rows and trading days."""
    return published()["lab1"]["data"]["nyse"]
