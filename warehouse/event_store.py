"""The events the user follows, as rows, and the post-event links made from them.

`events` holds each event (its names, hashtags and sites), `event_editions` its dated
editions, `post_events` the links. Which post covers which event is decided outside the
warehouse (`flows.event_tagging`, with the rules of `tasks.event_coverage`); this module
reads what tagging needs and writes what it decides. An event removed stays as a row with
`removed_at`, so a title hashtag does not bring it back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources

import duckdb

from warehouse.tables import EDITIONS, EVENTS, POST_EVENTS, insert_rows

__all__ = ["EventRow", "LinkCounts", "event_id_for", "event_rows", "mark_removed", "post_texts", "posts_for_suggestions", "save_event",
           "starter_events", "write_links"]

# The screen runs in DuckDB (RE2 over accent-stripped text, on every core): a body that names no
# event never reaches Python.
_POSTS = """
WITH screened AS (
    SELECT p.post_id, p.title, p.body_text, p.hashtags, coalesce(p.url, p.canonical_url) AS url, p.published_at,
           h.event AS declared, p.parser_version,
           CASE WHEN $screen IS NULL THEN []
                ELSE regexp_extract_all(strip_accents(coalesce(p.title, '') || chr(10) || p.body_text), $screen)
           END AS seen
    FROM posts p LEFT JOIN document_hints h ON h.source_uri = p.source_uri AND h.doc_id = p.doc_id
    WHERE $all OR p.post_id IN (SELECT unnest($ids))
)
SELECT post_id, title, CASE WHEN len(seen) > 0 OR contains(title, '#') OR declared IS NOT NULL THEN body_text END,
       hashtags, url, published_at, declared,
       parser_version, list_distinct(seen)
FROM screened
"""


def event_id_for(key: str) -> str:
    return hashlib.sha256(f"event:{key}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class EventRow:
    event_id: str
    name: str
    event_key: str
    aliases: tuple[str, ...]
    hashtags: tuple[str, ...]
    sites: tuple[str, ...]
    editions: tuple[tuple[str, date | None, date | None], ...]  # label, first day, last day
    removed: bool


@dataclass(frozen=True)
class LinkCounts:
    added: int
    removed: int
    changed: int


def starter_events() -> list[dict]:
    """The starter set a new warehouse is given (warehouse/data/starter_events.json): name, aliases."""
    data = json.loads(resources.files("warehouse").joinpath("data/starter_events.json").read_text("utf-8"))
    return data["events"]


def event_rows(con: duckdb.DuckDBPyConnection) -> list[EventRow]:
    """Every event, removed ones included, oldest first, with its editions."""
    editions: dict[str, list] = {}
    for event_id, label, starts, ends in con.execute(
            "SELECT event_id, label, starts_on, ends_on FROM event_editions ORDER BY starts_on, label").fetchall():
        editions.setdefault(event_id, []).append((label, starts, ends))
    rows = con.execute("SELECT event_id, name, event_key, aliases, hashtags, sites, removed_at IS NOT NULL "
                       "FROM events ORDER BY first_seen_at, name").fetchall()
    return [EventRow(event_id, name, key, tuple(aliases or ()), tuple(hashtags or ()), tuple(sites or ()),
                     tuple(editions.get(event_id, ())), removed)
            for event_id, name, key, aliases, hashtags, sites, removed in rows]


def save_event(con: duckdb.DuckDBPyConnection, row: EventRow, origin: str, now: datetime) -> None:
    """Write `row` in place of the event of its key (a removed one comes back), editions included."""
    con.execute("DELETE FROM event_editions WHERE event_id = ?", [row.event_id])
    con.execute("DELETE FROM events WHERE event_id = ?", [row.event_id])
    insert_rows(con, "events", [dict(event_id=row.event_id, name=row.name, event_key=row.event_key,
                                     aliases=list(row.aliases), origin=origin, first_seen_at=now,
                                     hashtags=list(row.hashtags), sites=list(row.sites), removed_at=None)], EVENTS)
    insert_rows(con, "event_editions", [dict(event_id=row.event_id, label=label, starts_on=starts, ends_on=ends)
                                        for label, starts, ends in row.editions], EDITIONS)


def mark_removed(con: duckdb.DuckDBPyConnection, event_id: str, now: datetime) -> None:
    con.execute("UPDATE events SET removed_at = ? WHERE event_id = ?", [now, event_id])


def post_texts(con: duckdb.DuckDBPyConnection, post_ids: list[str] | None, screen: str | None) -> Iterator[tuple]:
    """(post_id, title, body, hashtags, url, published_at, declared event, parser_version, seen) of
    the posts asked for (every post when None), streamed: `seen` are the matches of the regular
    expression `screen` (RE2) in the accent-stripped title and body, and the body is NULL when
    there are none and neither a title hashtag nor a declared event may name a new event."""
    reader = con.execute(_POSTS, dict(screen=screen, all=post_ids is None, ids=post_ids or []))
    while batch := reader.fetchmany(2048):
        yield from batch


def posts_for_suggestions(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple], list[str]]:
    """(post_id, title, body, hashtags, url, site) of every post, and the names of EVENT entities."""
    posts = con.execute("SELECT post_id, title, body_text, hashtags, coalesce(url, canonical_url), site_name "
                        "FROM posts").fetchall()
    return posts, [n for (n,) in con.execute("SELECT name FROM entities WHERE type = 'EVENT'").fetchall()]


def write_links(con: duckdb.DuckDBPyConnection, links: list[dict], new_events: list[dict], run_id: str,
                now: datetime, post_ids: list[str] | None = None) -> LinkCounts:
    """Replace the links of `post_ids` (of every post when None) with `links` (post_id, event_id,
    evidence, evidence_kinds, body_mentions, edition, parser_version), in the caller's transaction;
    add `new_events` (event_id, name, event_key, origin). A link that did not change keeps the
    run that made it."""
    where = "" if post_ids is None else " WHERE post_id IN (SELECT unnest(?))"
    params = [] if post_ids is None else [post_ids]
    old = {(p, e): (what, run, at) for p, e, *what, run, at in con.execute(
        "SELECT post_id, event_id, evidence, evidence_kinds, body_mentions, edition, run_id, tagged_at "
        "FROM post_events" + where, params).fetchall()}
    rows, changed = {}, 0
    for link in links:
        key = (link["post_id"], link["event_id"])
        what = [link["evidence"], list(link["evidence_kinds"]), link["body_mentions"], link["edition"]]
        kept = old.get(key)
        changed += kept is not None and kept[0] != what
        run, at = (kept[1], kept[2]) if kept and kept[0] == what else (run_id, now)
        rows[key] = link | dict(evidence_kinds=list(link["evidence_kinds"]), run_id=run, tagged_at=at)
    insert_rows(con, "events", [e | dict(aliases=[], hashtags=[], sites=[], first_seen_at=now, removed_at=None)
                                for e in new_events], EVENTS, "ON CONFLICT DO NOTHING")
    con.execute("DELETE FROM post_events" + where, params)
    insert_rows(con, "post_events", list(rows.values()), POST_EVENTS)
    return LinkCounts(len(rows.keys() - old.keys()), len(old.keys() - rows.keys()), changed)
