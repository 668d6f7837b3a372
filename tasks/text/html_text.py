"""Small readings of HTML elements and text that the cleaning steps share: a normalised,
casefolded form of a text, an element's class and id, its text length."""

from __future__ import annotations

import re
import unicodedata

# elements whose text is never a page's prose
SKIP_TAGS = {"script", "style", "noscript", "head", "meta", "title", "html", "body", "template", "svg"}

_SPACES = {ord(c): " " for c in "\u00a0\u202f\u2009\u2007\u00ad"}
_SPACES.update({0x2019: "'", 0x2018: "'", 0x02BC: "'"})


def norm(s: str) -> str:
    """NFKC, straight apostrophes, no exotic spaces, folded whitespace, casefold."""
    s = unicodedata.normalize("NFKC", s or "").translate(_SPACES)
    return " ".join(s.split()).casefold()


def attrs_text(el) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}".lower()


def class_tokens(el) -> set[str]:
    raw = f"{el.get('class') or ''} {el.get('id') or ''}"
    raw = re.sub(r"([a-z])([A-Z])", r"\1 \2", raw)  # camelCase -> words
    return {t for t in re.split(r"[\s_\-]+", raw.lower()) if t}


def text_len(el) -> int:
    return len(" ".join(el.text_content().split()))
