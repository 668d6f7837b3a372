"""Event names as parsing sees them: hashtags, the key that identifies an event, folding.

"VivaTech", "#VivaTech", "VIvaTech" and "Viva Tech" are one event: they share an
`event_key` (case, accents, spaces and punctuation ignored). Parsing knows no list of
events: which posts cover which events is decided from the stored posts and the user's
events (`tasks.event_coverage`, `warehouse.event_store`), so declaring an event changes no
parser version. `fold` is the comparison form the name stages share.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from schemas import EventRef

HASHTAG = re.compile(r"(?<![\w&#/])#([^\W\d_][\w-]*[^\W_]|[^\W\d_])")
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


def looks_like_event(hashtag: str) -> bool:
    """#VivaTech, #IAParis, #Paris2024 and #SalonDuLivre name events; #IA and #marketing do not."""
    letters = [c for c in hashtag if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    camel = upper >= 2 and upper < len(letters)
    return camel or bool(_YEAR.search(hashtag)) or bool(_EVENT_WORDS.search(hashtag) and upper >= 1)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def title_events(title: str | None, declared: str | None = None) -> list[EventRef]:
    """The events a post names for the entity stage: event-like hashtags of its title (#IAParis,
    not #marketing) and the event its source is declared to cover. Which events a post covers
    is decided later, from the user's events (`tasks.event_coverage`)."""
    found: dict[str, EventRef] = {}
    for tag in extract_hashtags(title or ""):
        key = event_key(tag)
        if key and looks_like_event(tag):
            found.setdefault(key, EventRef(name=tag, key=key, evidence="hashtag"))
    if declared and event_key(declared) and event_key(declared) not in found:
        found[event_key(declared)] = EventRef(name=declared.strip(), key=event_key(declared), evidence="hint")
    return list(found.values())
