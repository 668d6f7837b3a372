"""Metadata normalisation: title, authors, date, language, site, canonical URL, categories, tags.

Takes what the cleaners found (trafilatura's metadata for HTML, the chrome of a text dump)
and turns it into clean values: an author is a person, never the site or publisher; a
date is never in the future of the run; language comes from a detector on the body.
It must not look at the body beyond language detection and hashtags.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from urllib.parse import urlsplit

import py3langid

from tasks.events import fold
from tasks.normalize import normalize_line

_AUTHOR_SPLIT = re.compile(r"\s*(?:;|,|\bet\b|\band\b|&|\|)\s*")
_AUTHOR_NOISE = re.compile(
    r"^(par|by|de|texte|propos recueillis par|auteur|author|rédaction|publié par|written by)\s*:?\s+", re.I
)
_NOT_A_PERSON = re.compile(
    r"(rédaction|redaction|newsroom|staff|team|équipe|agence|afp|reuters|ap\b|admin|webmaster|contributor"
    r"|contributeur|invité|guest|anonyme|anonymous|inconnu|unknown|\.com|\.fr|\.org|www\.|https?:)",
    re.I,
)


def detect_language(text: str, hint: str | None = None) -> str | None:
    """ISO 639-1 code of the body; the page's declared language when the body is too short to tell."""
    sample = text[:5000]
    if len(sample.split()) < 8:
        return _language_code(hint)
    lang, _ = py3langid.classify(sample)
    return lang


def _language_code(tag: str | None) -> str | None:
    if not tag:
        return None
    code = tag.strip().lower().replace("_", "-").split("-")[0]
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


_TITLE_SUFFIX = re.compile(r"\s+[|–—\-:·»]\s+([^|–—:·»]+)$")


def clean_title(title: str | None, site_name: str | None = None) -> str | None:
    """The title without a trailing " - Site name" or " | Site name"."""
    if not title:
        return None
    title = normalize_line(title)
    site = fold(site_name or "")
    while site and (match := _TITLE_SUFFIX.search(title)):
        suffix = fold(match[1]).strip()
        if not suffix or not (suffix in site or site in suffix):
            break
        title = title[: match.start()]
    return title or None


def split_authors(raw: str | None, site_name: str | None = None, host: str | None = None) -> list[str]:
    """People named in an author field; site, publisher and agency names dropped."""
    if not raw:
        return []
    names: list[str] = []
    for part in _AUTHOR_SPLIT.split(normalize_line(raw)):
        part = _AUTHOR_NOISE.sub("", part).strip(" .,:;-")
        if not part or len(part) > 60 or _NOT_A_PERSON.search(part):
            continue
        if site_name and fold(part) == fold(site_name):
            continue
        if host and fold(part).replace(" ", "") in host.replace("www.", ""):
            continue
        if part not in names:
            names.append(part)
    return names


def parse_date(value: str | None, now: datetime) -> date | None:
    """An ISO date no later than the run's day (pages state future dates by mistake)."""
    if not value:
        return None
    try:
        parsed = date.fromisoformat(value[:10])
    except ValueError:
        return None
    return parsed if parsed <= now.date() else None


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname
    return host.lower() if host else None
