"""Bulk loads: raw documents, parsed posts, events and failures, from Arrow batches.

Every load of a batch is one transaction: a post and all its derived rows are replaced
together or not at all. Loads are idempotent (loading the same batch twice leaves the
same rows). Rows go in as Arrow tables, never row by row. This module never imports tasks.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

import duckdb
import pyarrow as pa

from schemas import Failure, KnownEvent, Post, RawDocument, RunReport

log = logging.getLogger(__name__)

_STR = pa.string()
_STRS = pa.list_(pa.string())
_TS = pa.timestamp("us", tz="UTC")

DOCUMENTS = pa.schema(
    [("doc_id", _STR), ("content", pa.binary()), ("byte_size", pa.int64()), ("media_type", _STR),
     ("first_source_uri", _STR), ("first_seen_at", _TS), ("run_id", _STR)]
)
POSTS = pa.schema(
    [("post_id", _STR), ("doc_id", _STR), ("source_uri", _STR), ("url", _STR), ("canonical_url", _STR),
     ("site_name", _STR), ("title", _STR), ("author", _STR), ("authors", _STRS), ("published_at", pa.date32()),
     ("language", _STR), ("description", _STR), ("categories", _STRS), ("tags", _STRS), ("hashtags", _STRS),
     ("captions", _STRS), ("body_text", _STR), ("body_chars", pa.int32()), ("encoding", _STR),
     ("parser_version", _STR), ("run_id", _STR), ("parsed_at", _TS)]
)
EVENTS = pa.schema(
    [("event_id", _STR), ("name", _STR), ("event_key", _STR), ("aliases", _STRS), ("origin", _STR),
     ("first_seen_at", _TS)]
)
POST_EVENTS = pa.schema([("post_id", _STR), ("event_id", _STR), ("evidence", _STR)])
QUOTATIONS = pa.schema(
    [("quote_id", _STR), ("post_id", _STR), ("kind", _STR), ("text", _STR), ("char_start", pa.int32()),
     ("char_end", pa.int32()), ("open_mark", _STR), ("close_mark", _STR), ("is_block", pa.bool_()),
     ("continues_previous", pa.bool_()), ("context_before", _STR), ("context_after", _STR), ("speaker", _STR),
     ("speaker_entity_id", _STR), ("cue", _STR), ("cue_start", pa.int32()), ("cue_end", pa.int32()),
     ("attribution_rule", _STR), ("confidence", pa.float64()), ("parser_version", _STR), ("run_id", _STR)]
)
ENTITIES = pa.schema([("entity_id", _STR), ("name", _STR), ("type", _STR)])
MENTIONS = pa.schema(
    [("post_id", _STR), ("entity_id", _STR), ("surface", _STR), ("char_start", pa.int32()), ("char_end", pa.int32()),
     ("sentence_start", pa.int32()), ("sentence_end", pa.int32()), ("parser_version", _STR), ("run_id", _STR)]
)
ROLES = pa.schema(
    [("post_id", _STR), ("entity_id", _STR), ("role", _STR), ("organisation", _STR),
     ("organisation_entity_id", _STR), ("char_start", pa.int32()), ("char_end", pa.int32()),
     ("parser_version", _STR), ("run_id", _STR)]
)
FAILURES = pa.schema(
    [("source_uri", _STR), ("doc_id", _STR), ("stage", _STR), ("reason", _STR), ("detail", _STR),
     ("run_id", _STR), ("failed_at", _TS)]
)


def quote_id_for(post_id: str, start: int, end: int) -> str:
    return hashlib.sha256(f"quote:{post_id}:{start}:{end}".encode()).hexdigest()[:16]


def event_id_for(key: str) -> str:
    return hashlib.sha256(f"event:{key}".encode()).hexdigest()[:16]


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], schema: pa.Schema, tail: str = "") -> None:
    if not rows:
        return
    incoming = pa.Table.from_pylist(rows, schema=schema)
    con.register("incoming", incoming)
    try:
        # Table names come from this module's constants, never from data.
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming {tail}")
    finally:
        con.unregister("incoming")


def store_documents(
    con: duckdb.DuckDBPyConnection, docs: list[RawDocument], run_id: str, now: datetime
) -> int:
    """Store raw documents not stored yet and record which source gave them; return how many were new."""
    if not docs:
        return 0
    rows = {
        d.doc_id: dict(doc_id=d.doc_id, content=d.content, byte_size=len(d.content), media_type=d.media_type.value,
                       first_source_uri=d.source_uri, first_seen_at=d.acquired_at, run_id=run_id)
        for d in reversed(docs)
    }
    ids = list(rows)
    with transaction(con):
        existing = {i for (i,) in con.execute("SELECT doc_id FROM documents WHERE doc_id IN (SELECT unnest(?))", [ids]).fetchall()}
        new_rows = [r for i, r in rows.items() if i not in existing]
        _insert(con, "documents", new_rows, DOCUMENTS)
        versions = pa.Table.from_pylist(
            [dict(source_uri=d.source_uri, doc_id=d.doc_id, seen_at=d.acquired_at) for d in docs],
            schema=pa.schema([("source_uri", _STR), ("doc_id", _STR), ("seen_at", _TS)]),
        )
        con.register("incoming_versions", versions)
        try:
            con.execute(
                """
                INSERT INTO document_versions (source_uri, doc_id, first_seen_at, last_seen_at, run_id)
                SELECT source_uri, doc_id, min(seen_at), max(seen_at), ? FROM incoming_versions
                GROUP BY source_uri, doc_id
                ON CONFLICT (source_uri, doc_id) DO UPDATE
                SET last_seen_at = excluded.last_seen_at, run_id = excluded.run_id
                """,
                [run_id],
            )
        finally:
            con.unregister("incoming_versions")
    return len(new_rows)


def current_posts(con: duckdb.DuckDBPyConnection, source_uris: list[str]) -> dict[str, tuple[str, str]]:
    """source_uri -> (doc_id, parser_version) of the posts already parsed from those sources."""
    if not source_uris:
        return {}
    rows = con.execute(
        "SELECT source_uri, doc_id, parser_version FROM posts WHERE source_uri IN (SELECT unnest(?))",
        [source_uris],
    ).fetchall()
    return {uri: (doc, version) for uri, doc, version in rows}


def seed_events(con: duckdb.DuckDBPyConnection, events: Iterable[KnownEvent], keys: dict[str, str], now: datetime) -> int:
    """Add bundled events the table lacks; `keys` maps each name to its event key."""
    return _add_events(con, [(e, keys[e.name], "known") for e in events], now)


def _add_events(con: duckdb.DuckDBPyConnection, events: list[tuple[KnownEvent, str, str]], now: datetime) -> int:
    have = {k for (k,) in con.execute("SELECT event_key FROM events").fetchall()}
    rows, seen = [], set()
    for event, key, origin in events:
        if key in have or key in seen:
            continue
        seen.add(key)
        rows.append(dict(event_id=event_id_for(key), name=event.name, event_key=key, aliases=list(event.aliases),
                         origin=origin, first_seen_at=now))
    _insert(con, "events", rows, EVENTS)
    return len(rows)


def known_events(con: duckdb.DuckDBPyConnection) -> tuple[KnownEvent, ...]:
    rows = con.execute("SELECT name, aliases FROM events ORDER BY first_seen_at, name").fetchall()
    return tuple(KnownEvent(name=name, aliases=tuple(aliases or ())) for name, aliases in rows)


def load_posts(con: duckdb.DuckDBPyConnection, posts: list[Post], run_id: str, now: datetime) -> None:
    """Replace each post and its event links in one transaction; clear the failures of their sources."""
    if not posts:
        return
    ids = [p.post_id for p in posts]
    uris = [p.source_uri for p in posts]
    rows = [
        dict(post_id=p.post_id, doc_id=p.doc_id, source_uri=p.source_uri, url=p.url, canonical_url=p.canonical_url,
             site_name=p.site_name, title=p.title, author=p.author, authors=list(p.authors),
             published_at=p.published_at, language=p.language, description=p.description,
             categories=list(p.categories), tags=list(p.tags), hashtags=list(p.hashtags), captions=list(p.captions),
             body_text=p.body_text, body_chars=len(p.body_text), encoding=p.encoding,
             parser_version=p.parser_version, run_id=run_id, parsed_at=now)
        for p in posts
    ]
    links = {
        (p.post_id, event_id_for(e.key)): dict(post_id=p.post_id, event_id=event_id_for(e.key), evidence=e.evidence)
        for p in posts for e in p.events
    }
    quotations = [
        q.model_dump() | dict(quote_id=quote_id_for(p.post_id, q.char_start, q.char_end), post_id=p.post_id,
                              parser_version=p.parser_version, run_id=run_id)
        for p in posts for q in p.quotes
    ]
    stamp = lambda p: dict(post_id=p.post_id, parser_version=p.parser_version, run_id=run_id)  # noqa: E731
    mentions = [m.model_dump() | stamp(p) for p in posts for m in p.mentions]
    roles = [r.model_dump() | stamp(p) for p in posts for r in p.roles]
    entities = list({e.entity_id: e.model_dump() for p in posts for e in p.entities}.values())
    with transaction(con):
        _insert(con, "entities", entities, ENTITIES, "ON CONFLICT (entity_id) DO NOTHING")
        _add_events(
            con, [(KnownEvent(name=e.name), e.key, "hashtag") for p in posts for e in p.events], now
        )
        for table in ("post_events", "mentions", "roles", "quotations", "posts"):
            con.execute(f"DELETE FROM {table} WHERE post_id IN (SELECT unnest(?))", [ids])
        _insert(con, "posts", rows, POSTS)
        _insert(con, "post_events", list(links.values()), POST_EVENTS)
        _insert(con, "quotations", quotations, QUOTATIONS)
        _insert(con, "mentions", mentions, MENTIONS)
        _insert(con, "roles", roles, ROLES)
        con.execute("DELETE FROM failures WHERE source_uri IN (SELECT unnest(?))", [uris])


def record_failures(con: duckdb.DuckDBPyConnection, failures: list[Failure], run_id: str, now: datetime) -> None:
    """Record the current failure of each source, replacing an older one."""
    if not failures:
        return
    latest = {
        f.source_uri: dict(source_uri=f.source_uri, doc_id=f.doc_id, stage=f.stage.value, reason=f.reason,
                           detail=f.detail, run_id=run_id, failed_at=now)
        for f in failures
    }
    with transaction(con):
        con.execute("DELETE FROM failures WHERE source_uri IN (SELECT unnest(?))", [list(latest)])
        _insert(con, "failures", list(latest.values()), FAILURES)


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, flow_run_id: str | None, flow_name: str,
              started_at: datetime, parser_version: str) -> None:
    con.execute(
        "INSERT INTO runs (run_id, flow_run_id, flow_name, started_at, status, parser_version)"
        " VALUES (?, ?, ?, ?, 'running', ?)",
        [run_id, flow_run_id, flow_name, started_at, parser_version],
    )


def finish_run(con: duckdb.DuckDBPyConnection, report: RunReport) -> None:
    con.execute(
        """
        UPDATE runs SET finished_at = ?, status = ?, inputs_seen = ?, documents_new = ?, posts_written = ?,
            posts_unchanged = ?, failures = ?, failures_by_stage = ?
        WHERE run_id = ?
        """,
        [report.finished_at, report.status, report.inputs_seen, report.documents_new, report.posts_written,
         report.posts_unchanged, report.failures, json.dumps(report.failures_by_stage), report.run_id],
    )


def crash_run(con: duckdb.DuckDBPyConnection, run_id: str, at: datetime) -> None:
    """Mark a run that stopped on an exception; its loaded batches stay (each was one transaction).

    Called while another exception propagates, so a failure here is logged, not raised over it.
    """
    try:
        con.execute("UPDATE runs SET status = 'crashed', finished_at = ? WHERE run_id = ?", [at, run_id])
    except duckdb.Error:
        log.exception("could not mark run %s as crashed", run_id)
