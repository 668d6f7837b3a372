"""Post-event links from the stored posts and the user's events: the rules of
`tasks.event_coverage` applied to rows of `warehouse.event_store`.

Nothing here parses or imports Prefect: a batch's links are made in the transaction that
loads it (`tag_posts`, passed to `warehouse.load.load_posts`), and declaring, changing or
removing an event re-tags every stored post (`retag`), 10,000 posts in seconds
(bench/retag.py).
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from tasks.event_coverage import Edition, EventError, EventSpec, PostText, Tagger
from tasks.events import event_key
from warehouse import event_store as store
from warehouse.tables import transaction

__all__ = ["add_event", "event_count", "followed", "remove_event", "retag", "retag_if_grown", "seed_starter_events",
           "tag_posts"]


def followed(con: duckdb.DuckDBPyConnection, rows: list[store.EventRow] | None = None) -> list[EventSpec]:
    """The events followed (not removed), oldest first; `rows`: the events table, when read already."""
    return [EventSpec(r.name, r.aliases, r.hashtags, r.sites, tuple(Edition(*e) for e in r.editions))
            for r in (store.event_rows(con) if rows is None else rows) if not r.removed]


def tag_posts(con: duckdb.DuckDBPyConnection, run_id: str, now: datetime,
              post_ids: list[str] | None = None) -> tuple[int, store.LinkCounts]:
    """Make the links of `post_ids` (every post when None) again, in the caller's transaction;
    return the posts read and what changed."""
    rows = store.event_rows(con)
    removed = {r.event_key for r in rows if r.removed}
    tagger = Tagger(followed(con, rows))
    known = {e.key for e in tagger.events}
    links, new, read = [], {}, 0
    for post_id, title, body, hashtags, url, published, declared, version, seen in store.post_texts(
            con, post_ids, tagger.screen()):
        read += 1
        post = PostText(post_id, title, body or "", tuple(hashtags or ()), url, published, declared)
        for tag in tagger.tag(post, seen=seen):
            if tag.event_key in removed:
                continue
            event_id = store.event_id_for(tag.event_key)
            if tag.event_key not in known:
                new.setdefault(event_id, dict(event_id=event_id, name=tag.name, event_key=tag.event_key,
                                              origin="hint" if tag.evidence == "declared" else "hashtag"))
            links.append(dict(post_id=post_id, event_id=event_id, evidence=tag.evidence, evidence_kinds=tag.kinds,
                              body_mentions=tag.mentions, edition=tag.edition, parser_version=version))
    return read, store.write_links(con, links, list(new.values()), run_id, now, post_ids)


def retag(con: duckdb.DuckDBPyConnection, run_id: str, now: datetime) -> tuple[int, store.LinkCounts]:
    """`tag_posts` of every post, in a transaction of its own."""
    with transaction(con):
        return tag_posts(con, run_id, now)


def event_count(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(*) FROM events").fetchall()[0][0]


def retag_if_grown(con: duckdb.DuckDBPyConnection, events_before: int, run_id: str, now: datetime) -> None:
    """At the end of a run: when its posts added events (title hashtags, declared events), tag
    every post again, so the posts loaded before an event existed get its links too."""
    if event_count(con) > events_before:
        retag(con, run_id, now)


def seed_starter_events(con: duckdb.DuckDBPyConnection, now: datetime) -> int:
    """Give a new warehouse (no event row at all) the starter events; return how many."""
    if event_count(con):
        return 0
    starters = [EventSpec(e["name"], tuple(e.get("aliases", ()))) for e in store.starter_events()]
    for spec in starters:
        add_event(con, spec, now, origin="starter")
    return len(starters)


def add_event(con: duckdb.DuckDBPyConnection, spec: EventSpec, now: datetime, origin: str = "user") -> bool:
    """Follow `spec`, in place of the event of that name (a removed one comes back); True when new.
    A name that belongs to another followed event is an `EventError`."""
    rows = store.event_rows(con)
    for row in rows:
        if row.removed or row.event_key == spec.key:
            continue
        taken = spec.keys & {event_key(n) for n in (row.name, *row.aliases, *row.hashtags)}
        if taken:
            raise EventError(f"{spec.name!r}: the name {sorted(taken)[0]!r} already belongs to event {row.name!r}")
    known = next((r for r in rows if r.event_key == spec.key), None)
    store.save_event(con, store.EventRow(
        store.event_id_for(spec.key), spec.name, spec.key, spec.aliases, spec.hashtags, spec.sites,
        tuple((e.label, e.starts_on, e.ends_on) for e in spec.editions), False), origin, now)
    return known is None or known.removed


def remove_event(con: duckdb.DuckDBPyConnection, name: str, now: datetime) -> str:
    """Stop following the event named `name` or one of its aliases; return its name."""
    key = event_key(name)
    for row in store.event_rows(con):
        if not row.removed and key and key in {event_key(n) for n in (row.name, *row.aliases)}:
            store.mark_removed(con, row.event_id, now)
            return row.name
    raise EventError(f"no event named {name!r} (`covpipe events list` shows them)")
