"""Language of a post: a detector on the body, the page's declared language only for short bodies.

Pages declare a wrong `lang` often enough (templates copied across editions) that the body
is the better witness whenever it is long enough to judge.
"""

from __future__ import annotations

import re

import py3langid


def detect_language(text: str, hint: str | None = None) -> str | None:
    """ISO 639-1 code of the body; the page's declared language when the body is too short to tell."""
    sample = text[:5000]
    if len(sample) < 200 and _language_code(hint):
        return _language_code(hint)
    lang, _ = py3langid.classify(sample)
    return lang


def _language_code(tag: str | None) -> str | None:
    if not tag:
        return None
    code = tag.strip().lower().replace("_", "-").split("-")[0]
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None
