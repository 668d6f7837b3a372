"""Events the posts talk about that the user does not follow yet (`covpipe events suggest`).

Two passes over the stored posts. The first gathers candidate names: EVENT entities, an
event noun with its name ("le salon Eurosatory", "Festival d'Avignon", "les Assises de la
mer"), a name followed by a year ("Eurosatory 2026"), and event-like hashtags (#SalonDuVélo).
The second tags every post against those candidates with the coverage rules of
`tasks.event_coverage`, so a candidate counts the posts that name it in their title, in a
hashtag or at least twice in the body: the posts it would tag once adopted. Events already
followed or removed are left out.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

from tasks.event_coverage import EventSpec, PostText, Tagger
from tasks.events import event_key, looks_like_event

_NOUN = (r"salon|forum|sommet|congr[eè]s|festival|conf[eé]rence|rencontres|assises|journ[eé]es|foire|biennale"
         r"|championnat|troph[eé]es|semaine|mondial|exposition|expo|summit|show")
_NAME_WORD = r"[A-ZÀ-Þ0-9][\w'’&-]*"
_LINK = r"(?:de\s+la|de\s+l['’]|du|des|de|d['’]|pour\s+l['’]|pour\s+la|pour\s+le|sur\s+la|sur\s+le|of|on)"
_NOUN_NAME = re.compile(rf"\b(?P<noun>(?i:{_NOUN}))\b(?P<link>\s+(?i:{_LINK})\s*|\s+)"
                        rf"(?P<name>{_NAME_WORD}(?:\s+(?:{_LINK}\s*)?{_NAME_WORD}){{0,3}})")
_WITH_YEAR = re.compile(rf"(?<![\w.])(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})\s+(?:20\d\d)\b")
_NOT_NAMES = {  # capitalised words that start a sentence or a date, not an event
    "janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre", "novembre",
    "decembre", "en", "le", "la", "les", "l", "depuis", "dès", "des", "fin", "debut", "mi", "printemps", "ete",
    "automne", "hiver", "cette", "ce", "au", "a", "et", "de", "du", "pour", "avant", "apres", "jusqu", "since", "in",
    "the", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "annee", "an", "budget", "loi",
}


@dataclass(frozen=True)
class Suggestion:
    name: str
    posts: int
    sites: int
    example: str | None  # the title of a post that names it


def candidates(title: str | None, body: str) -> list[str]:
    """Event names written in one post."""
    found = []
    for text in (title or "", body):
        for match in _NOUN_NAME.finditer(text):
            name = match["name"]
            if match["noun"][0].isupper() or match["link"].strip():  # "Festival d'Avignon", "salon de Genève"
                name = f"{match['noun'][0].upper()}{match['noun'][1:]}{match['link'] if match['link'].strip() else ' '}{name}"
            found.append(" ".join(name.split()))
        found += [" ".join(m["name"].split()) for m in _WITH_YEAR.finditer(text)]
    return [n for n in found if _plausible(n)]


def _plausible(name: str) -> bool:
    words = [event_key(w) for w in name.split()]
    return bool(words) and words[0] not in _NOT_NAMES and words[-1] not in _NOT_NAMES and len(event_key(name)) >= 3


def suggest(posts: list[tuple], followed: list[str], event_entities: list[str],
            min_posts: int = 2) -> list[Suggestion]:
    """Candidate events named in the title, a hashtag or twice in the body of at least `min_posts`
    of `posts` (post_id, title, body, hashtags, url, site), leaving out the names of `followed`
    events (removed ones included); `event_entities` are the names of EVENT entities."""
    known = {event_key(n) for n in followed}
    forms: dict[str, Counter] = defaultdict(Counter)
    for _, title, body, hashtags, _, _ in posts:
        for name in candidates(title, body or "") + [h for h in hashtags or () if looks_like_event(h)]:
            if event_key(name) not in known:
                forms[event_key(name)][name] += 1
    for name in event_entities:
        if event_key(name) and event_key(name) not in known:
            forms[event_key(name)][name] += 1
    specs = [EventSpec(_best(c)) for c in forms.values()]
    names = {s.key: s.name for s in specs}
    tagger = Tagger(specs)
    hits: dict[str, set[str]] = defaultdict(set)
    sites: dict[str, set[str]] = defaultdict(set)
    example: dict[str, str] = {}
    for post_id, title, body, hashtags, url, site in posts:
        for tag in tagger.tag(PostText(post_id, title, body or "", tuple(hashtags or ()), url)):
            if tag.event_key not in names or not {"title", "hashtag", "body"} & set(tag.kinds):
                continue
            hits[tag.event_key].add(post_id)
            sites[tag.event_key].add(site or (urlsplit(url).hostname if url else None) or "")
            example.setdefault(tag.event_key, title)
    found = [Suggestion(names[k], len(v), len(sites[k] - {""}), example.get(k))
             for k, v in hits.items() if len(v) >= min_posts]
    return sorted(found, key=lambda s: (-s.posts, -s.sites, s.name))


def _best(forms: Counter) -> str:
    """The commonest spelling, the longer one on a tie."""
    return max(forms.items(), key=lambda f: (f[1], len(f[0])))[0]
