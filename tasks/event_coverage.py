"""Which posts cover which events: read from a post's stored text and metadata, never by parsing.

The events are the user's (the `events` table, `covpipe events`); this module decides, for
one post, which of them it covers and on what evidence, so that changing the events re-tags
stored posts in seconds. A post covers an event when

- its source is declared to cover it (`declared`: sources.toml's `event`),
- it comes from a site declared for the event (`site`),
- one of its hashtags is one of the event's hashtags or names (`hashtag`),
- its title names the event (`title`),
- its lead, the first 300 characters of the body, names it (`lead`),
- its body names it at least twice (`body`).

A mention that cites the event's organiser rather than the event ("selon le rapport du
Forum économique mondial", "d'après une étude du CES") is a citation and does not count. An
event-like hashtag in a title that names no declared event (#SalonDuVélo2026) is an event
too: the caller adds it to the table.

Editions: a link goes to the edition of the year written next to the event's name ("VivaTech
2025"), else to the edition whose dates contain the post's date, else to the only edition of
the post's year.

These are rules, not a learned model, on purpose: the user steers coverage by declaring
names, hashtags and sites, and must be able to predict what a declaration does. Each rule
has an invented post in tests/tasks/test_event_coverage.py.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from urllib.parse import urlsplit

from tasks.events import event_key, extract_hashtags, strip_accents, title_events

EVIDENCE = ("declared", "site", "hashtag", "title", "lead", "body")  # strongest first
LEAD_CHARS = 300
_WORDS = re.compile(r"[A-ZÀ-Þ]?[a-zß-ÿ]+|[A-ZÀ-Þ]+(?![a-zß-ÿ])|\d+")
# A mention after one of these, in the same sentence, cites the event's organiser: "selon le
# rapport du Forum économique mondial".
_CITING = re.compile(
    r"\b(?:selon|d'apres|rapport|etude|enquete|classement|barometre|indice|note|communique|publiee?s?\s+par"
    r"|citee?s?\s+par)\b[^.!?\n«»\"]{0,30}$", re.I)
_YEAR_AFTER = re.compile(r"\s*(?:['’]\s*)?((?:19|20)\d\d)\b")


class EventError(ValueError):
    """An event declaration that cannot be taken: one line, what to fix."""


_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}")
_EDITION = re.compile(r"(?P<label>[^=]+?)\s*(?:=\s*(?P<start>\S+?)\s*\.\.\s*(?P<end>\S+))?")


@dataclass(frozen=True)
class Edition:
    label: str
    starts_on: date | None = None
    ends_on: date | None = None

    @property
    def year(self) -> int | None:
        if self.starts_on:
            return self.starts_on.year
        match = re.search(r"(?:19|20)\d\d", self.label)
        return int(match[0]) if match else None


@dataclass(frozen=True)
class EventSpec:
    """An event as the user declared it."""
    name: str
    aliases: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    editions: tuple[Edition, ...] = ()

    @property
    def key(self) -> str:
        return event_key(self.name)

    @cached_property
    def keys(self) -> frozenset[str]:
        return frozenset(k for k in map(event_key, (self.name, *self.aliases, *self.hashtags)) if k)


@dataclass(frozen=True)
class PostText:
    """What tagging reads of a stored post."""
    post_id: str
    title: str | None
    body: str
    hashtags: tuple[str, ...] = ()
    url: str | None = None
    published_at: date | None = None
    declared: str | None = None  # the event its source is declared to cover


@dataclass(frozen=True)
class Tag:
    post_id: str
    event_key: str
    name: str
    evidence: str  # the strongest of `kinds`
    kinds: tuple[str, ...]
    mentions: int  # body mentions that are not citations
    edition: str | None = None


def declared(name: str, aliases=(), hashtags=(), sites=(), editions=()) -> EventSpec:
    """An event as the user writes it on the command line or in an events file, checked:
    editions "LABEL" or "LABEL=START..END" (ISO dates), sites as domains ("www." dropped)."""
    name = " ".join(str(name).split())
    if not event_key(name):
        raise EventError(f"event name {name!r} has no letter or digit")
    tags = tuple(dict.fromkeys(str(h).strip().lstrip("#") for h in hashtags))
    if bad := [h for h in tags if not re.fullmatch(r"\w[\w-]*", h)]:
        raise EventError(f"{name}: hashtag {bad[0]!r} is not a hashtag (letters, digits, _ or -)")
    domains = []
    for site in sites:
        host = re.sub(r"^[a-z]+://", "", str(site).strip().lower()).split("/")[0].removeprefix("www.")
        if not _DOMAIN.fullmatch(host):
            raise EventError(f"{name}: site {site!r} is not a domain (e.g. vivatech.com)")
        domains.append(host)
    return EventSpec(name, tuple(dict.fromkeys(" ".join(str(a).split()) for a in aliases if event_key(str(a)))),
                     tags, tuple(dict.fromkeys(domains)), tuple(_edition(name, str(e)) for e in editions))


def _edition(name: str, text: str) -> Edition:
    match = _EDITION.fullmatch(text.strip())
    if not match:
        raise EventError(f"{name}: edition {text!r} is not LABEL or LABEL=START..END")
    try:
        start, end = (date.fromisoformat(match[k]) if match[k] else None for k in ("start", "end"))
    except ValueError:
        raise EventError(f"{name}: edition {text!r}: dates are YYYY-MM-DD, e.g. 2026=2026-06-17..2026-06-20") from None
    if start and end and end < start:
        raise EventError(f"{name}: edition {text!r} ends before it starts")
    return Edition(match["label"], start, end)


def host_matches(url: str | None, site: str) -> bool:
    host = (urlsplit(url).hostname or "") if url and "//" in url else ""
    site = site.lower().removeprefix("www.")
    return host == site or host.endswith("." + site)


class Tagger:
    """Tags posts against a fixed list of events. Each text is screened first: an event whose
    names cannot occur in it (no first word of its names is in the text, or the warehouse's
    screen found none) costs nothing more; the others are matched with their own patterns."""

    def __init__(self, events: list[EventSpec]):
        self.events = list(events)
        self._by_key = {k: i for i, e in enumerate(self.events) for k in e.keys}
        self._patterns: dict[int, re.Pattern[str]] = {}
        self._parts: dict[str, set[int]] = {}  # first word of a name, folded -> events
        for i, event in enumerate(self.events):
            names = sorted((a for a in (event.name, *event.aliases) if _WORDS.findall(a)), key=len, reverse=True)
            if names:
                self._patterns[i] = re.compile("|".join(_alias_pattern(a) for a in names))
            for name in names:
                self._parts.setdefault(strip_accents(_WORDS.findall(name)[0]).lower(), set()).add(i)

    def screen(self) -> str | None:
        """A pattern (RE2, as DuckDB's regexp_extract_all takes it) that finds every name of every
        event, and more, in accent-stripped text; `tag(post, seen=...)` takes what it found."""
        names = [_words(a) for e in self.events for a in (e.name, *e.aliases)]
        parts = [r"[\s\-'’]*".join(w) if len(w) == 1 and w[0].isupper() else "(?i:" + r"[\s\-'’]*".join(w) + ")"
                 for w in names if w]
        return "|".join(sorted(set(parts), key=len, reverse=True)) or None

    def _candidates(self, texts: list[str], seen) -> set[int]:
        if seen is not None:
            return {self._by_key[k] for k in map(event_key, seen) if k in self._by_key}
        low = "\n".join(texts).lower()
        return {i for part, events in self._parts.items() if part in low for i in events}

    def _mentions(self, text: str, candidates: set[int]) -> list[tuple[int, int, int]]:
        """(event index, start, end) of the names of `candidates` in accent-stripped `text`; where
        two overlap, the longer."""
        found = sorted(((i, m.start(), m.end()) for i in candidates for m in self._patterns[i].finditer(text)),
                       key=lambda f: (f[1], f[1] - f[2]))
        kept: list[tuple[int, int, int]] = []
        for mention in found:
            if not kept or mention[1] >= kept[-1][2]:
                kept.append(mention)
        return kept

    def tag(self, post: PostText, seen: list[str] | None = None, discover: bool = True) -> list[Tag]:
        """The events `post` covers, and undeclared event-like hashtags of its title as new events.
        `seen`: the names the warehouse's `screen` found in its title and body (None: look);
        `discover` false: the events of the list only."""
        title, body = strip_accents(post.title or ""), strip_accents(post.body) if post.body else ""
        candidates = self._candidates([title, body], seen) & self._patterns.keys()
        kinds: dict[int, set[str]] = {}
        counts: Counter = Counter()
        years: dict[int, list[int]] = {}
        for text, where in ((title, "title"), (body, "body")):
            for i, start, end in self._mentions(text, candidates) if candidates else ():
                if where == "body" and _CITING.search(text, max(0, start - 45), start):
                    continue
                year = _YEAR_AFTER.match(text, end)
                if year:
                    years.setdefault(i, []).append(int(year[1]))
                if where == "title":
                    kinds.setdefault(i, set()).add("title")
                else:
                    counts[i] += 1
                    if start < LEAD_CHARS:
                        kinds.setdefault(i, set()).add("lead")
        for i, n in counts.items():
            if n >= 2:
                kinds.setdefault(i, set()).add("body")
        for tag in post.hashtags:
            i = self._by_key.get(event_key(tag))
            if i is not None:
                kinds.setdefault(i, set()).add("hashtag")
        for i, event in enumerate(self.events):
            if event.sites and any(host_matches(post.url, site) for site in event.sites):
                kinds.setdefault(i, set()).add("site")
        if post.declared and event_key(post.declared) in self._by_key:
            kinds.setdefault(self._by_key[event_key(post.declared)], set()).add("declared")
        tags = [self._tag(post, i, found, counts[i], years.get(i, [])) for i, found in kinds.items()]
        return sorted(tags, key=lambda t: t.event_key) + (self._new_events(post) if discover else [])

    def _new_events(self, post: PostText) -> list[Tag]:
        """Event-like hashtags of the title, and the declared event, that no event of the list
        names, judged by the same rules as if they were followed (the post tagged again once they
        are gets the same links)."""
        names = [e.name for e in title_events(post.title, post.declared) if e.key not in self._by_key]
        if not names:
            return []
        post = replace(post, hashtags=tuple(dict.fromkeys((*post.hashtags, *extract_hashtags(post.title or "")))))
        return Tagger([EventSpec(name) for name in names]).tag(post, discover=False)

    def _tag(self, post: PostText, i: int, found: set[str], mentions: int, years: list[int]) -> Tag:
        event = self.events[i]
        ordered = tuple(k for k in EVIDENCE if k in found)
        return Tag(post.post_id, event.key, event.name, ordered[0], ordered, mentions,
                   edition_for(event.editions, years, post.published_at))


def edition_for(editions: tuple[Edition, ...], years: list[int], published: date | None) -> str | None:
    """The edition of the year named with the event, else the one whose dates hold the post's
    date, else the only one of the post's year."""
    for year in years:
        match = [e for e in editions if e.year == year]
        if len(match) == 1:
            return match[0].label
    if published is None:
        return None
    held = [e for e in editions if e.starts_on and e.ends_on and e.starts_on <= published <= e.ends_on]
    if len(held) == 1:
        return held[0].label
    same_year = [e for e in editions if e.year == published.year]
    return same_year[0].label if len(same_year) == 1 else None


def _words(alias: str) -> list[str]:
    """The words of a name, accent-stripped: "Salon du Vélo" -> Salon, du, Velo; "VivaTech" -> Viva, Tech."""
    return [strip_accents(w) for w in _WORDS.findall(alias.replace("#", " ")) if w]


def _alias_pattern(alias: str) -> str:
    """A pattern over accent-stripped text; a one-word acronym (CES, MWC) matches in capitals only,
    as "ces" is a French word."""
    words = _words(alias)
    body = r"[\s\-'’]*".join(map(re.escape, words))
    inner = rf"(?<!\w)#?{body}(?!\w)"
    return inner if len(words) == 1 and words[0].isupper() else f"(?i:{inner})"
