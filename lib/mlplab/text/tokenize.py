"""Cleaning and tokenizing: one regex over lower-cased text, chosen to match GloVe's own tokenization.

GloVe 6B was fitted on text split by the Stanford tokenizer, lower-cased: "don't" is "do" + "n't",
"film's" is "film" + "'s". The tokenizer here does the same for those endings, keeps letters-and-digit
words (inner hyphens split) and the two punctuation marks that carry sentiment ("!", "?"); other
punctuation is dropped. Markup is removed first: IMDB's `<br />` line breaks and any other tag, HTML
entities (`&amp;`), and e-mail addresses (the newsgroups' From lines hold many, which GloVe does not
know). The tokenizer is a function of one document's text only: nothing is learned, so it can run on
every split at once without leaking anything.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

TAG = re.compile(r"<[^>]{0,200}>")
BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
EMAIL = re.compile(r"\S+@\S+")
TOKEN = re.compile(r"[a-z0-9]+(?=n't)|n't|'(?:s|re|ve|ll|d|m)\b|[a-z0-9]+|[!?]")
SPACES = re.compile(r"\s+")
# typographic quotes and apostrophes: straight ones around "'s" were set as an opening quote after an opening quote
TOKENIZER_TEXT = ("lower-cased words and numbers (a regular expression: letters and digits, inner hyphens and "
                  "apostrophes split, “n’t”, “’s”, “’re”, “’ve”, “’ll”, “’d”, “’m” kept as tokens of "
                  "their own as in GloVe), plus “!” and “?”; other punctuation dropped")


def clean(text: str) -> str:
    """Markup removed, entities decoded, typographic apostrophes straightened, lower case."""
    text = BREAK.sub(" ", text)
    text = TAG.sub(" ", text)
    text = html.unescape(text).replace("\u2019", "'").replace("`", "'")
    return EMAIL.sub(" ", text).lower()


def tokenize(text: str) -> list[str]:
    return TOKEN.findall(clean(text))


def tokenize_all(texts: Iterable[str]) -> list[list[str]]:
    return [TOKEN.findall(clean(t)) for t in texts]


def excerpt(text: str, limit: int = 300) -> str:
    """A document as a reader sees it in a table: markup removed, whitespace collapsed, at most `limit`
    characters, cut at a word boundary with an ellipsis."""
    flat = SPACES.sub(" ", html.unescape(TAG.sub(" ", BREAK.sub(" ", text)))).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:.") + "…"
