"""Unicode normalisation of text that later stages index into.

Every offset stored in the warehouse refers to text that went through `normalize_text`,
so it must be idempotent and must never raise. It owns no knowledge of HTML or chrome.
"""

from __future__ import annotations

import re
import unicodedata

# Invisible characters that only break words and matching (soft hyphen, zero-width space,
# word joiner, BOM). The zero-width joiner stays: emoji sequences need it.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff\u200e\u200f"), None)
_LINE_BREAKS = {ord(c): "\n" for c in "\r\u2028\u2029\u0085\x0b\x0c"}
_SPACES = re.compile(r"[^\S\n]+")  # any run of white space but the newline
_BLANK_RUNS = re.compile(r"\n{3,}")


def normalize_text(text: str) -> str:
    """NFC, no invisible characters, one kind of space, paragraphs split by one blank line."""
    text = text.replace("\r\n", "\n").translate(_LINE_BREAKS).translate(_INVISIBLE)
    text = unicodedata.normalize("NFC", text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def normalize_line(text: str) -> str:
    """`normalize_text` folded onto one line, for titles, names and other metadata."""
    return " ".join(normalize_text(text).split())
