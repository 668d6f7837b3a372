"""Events a post covers: hashtags, the title, and the table of known events.

"VivaTech", "#VivaTech", "VIvaTech" and "Viva Tech" are one event: they share an
`event_key` (case, accents, spaces and punctuation ignored). A post covers an event named
in its title or hashtags, or named repeatedly in its body; an unknown hashtag in the title
becomes a new event when it looks like an event name. This module reads no table itself:
the flow passes the known events in.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources

from schemas import EventRef, KnownEvent

HASHTAG = re.compile(r"(?<![\w&#/])#([^\W\d_][\w-]*[^\W_]|[^\W\d_])")
_CAMEL = re.compile(r"[A-ZÀ-Þ]?[a-zß-ÿ]+|[A-ZÀ-Þ]+(?![a-zß-ÿ])|\d+")
# Words that make a hashtag an event name rather than a topic (#TechSummit, #SalonDuLivre).
_EVENT_WORDS = re.compile(
    r"(summit|sommet|expo|salon|forum|conf|congr[eè]s|week|days?|fest|festival|show|meetup|hackathon|awards"
    r"|trophées|rencontres|assises|universit[ée]|keynote|live|world|tour|cup|open|games|jo|fair|foire)",
    re.I,
)
_YEAR = re.compile(r"(19|20)\d\d")


def fold(text: str) -> str:
    """Lower case without accents: the comparison form of names (short texts, names, are cached:
    the entity and speaker stages fold the same names again and again)."""
    return _fold_short(text) if len(text) <= 80 else strip_accents(text.casefold())


@lru_cache(maxsize=65536)
def _fold_short(text: str) -> str:
    return strip_accents(text.casefold())


def event_key(name: str) -> str:
    """The identity of an event name: letters and digits only, folded."""
    return "".join(c for c in fold(name) if c.isalnum())


def extract_hashtags(text: str) -> list[str]:
    """Hashtags in order of first appearance, without '#'."""
    seen: dict[str, None] = {}
    for match in HASHTAG.finditer(text):
        seen.setdefault(match.group(1), None)
    return list(seen)


@cache
def bundled_events() -> tuple[KnownEvent, ...]:
    """The events the table starts with (tasks/data/known_events.json)."""
    data = json.loads(resources.files("tasks").joinpath("data/known_events.json").read_text("utf-8"))
    return tuple(KnownEvent(name=e["name"], aliases=tuple(e["aliases"])) for e in data["events"])


def looks_like_event(hashtag: str) -> bool:
    """#VivaTech, #IAParis, #Paris2024 and #SalonDuLivre name events; #IA and #marketing do not."""
    letters = [c for c in hashtag if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    camel = upper >= 2 and upper < len(letters)
    return camel or bool(_YEAR.search(hashtag)) or bool(_EVENT_WORDS.search(hashtag) and upper >= 1)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _alias_pattern(alias: str) -> re.Pattern[str]:
    """A pattern over accent-stripped text; acronyms (CES, MWC) match in capitals only, as "ces" is a word."""
    words = [strip_accents(w) for w in _CAMEL.findall(alias.replace("#", " ")) if w]
    acronym = len(words) == 1 and words[0].isupper()
    body = r"[\s\-']*".join(map(re.escape, words))
    return re.compile(r"(?<![\w])#?" + body + r"(?![\w])", 0 if acronym else re.I)


@cache
def _patterns(event: KnownEvent) -> tuple[re.Pattern[str], ...]:
    return tuple(_alias_pattern(a) for a in (event.name, *event.aliases) if _CAMEL.findall(a))


def detect_events(
    title: str | None, body: str, hashtags: list[str], known: tuple[KnownEvent, ...]
) -> list[EventRef]:
    """The events a post covers, canonical names first seen in `known`."""
    title_f, body_f = strip_accents(title or ""), strip_accents(body)
    lead = body_f[:300]
    hashtag_keys = {event_key(h): h for h in hashtags}
    found: dict[str, EventRef] = {}
    for event in known:
        key = event_key(event.name)
        alias_keys = {event_key(a) for a in (event.name, *event.aliases)}
        patterns = _patterns(event)
        evidence = None
        if alias_keys & hashtag_keys.keys():
            evidence = "hashtag"
        elif any(p.search(title_f) for p in patterns):
            evidence = "title"
        elif len({m.start() for p in patterns for m in p.finditer(body_f)}) >= 2 or any(p.search(lead) for p in patterns):
            evidence = "body"
        if evidence and key not in found:
            found[key] = EventRef(name=event.name, key=key, evidence=evidence)
    known_keys = {event_key(a) for e in known for a in (e.name, *e.aliases)}
    for tag in extract_hashtags(title or ""):
        key = event_key(tag)
        if key and key not in known_keys and key not in found and looks_like_event(tag):
            found[key] = EventRef(name=tag, key=key, evidence="hashtag")
    return list(found.values())
