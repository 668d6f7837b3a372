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

from schemas import (
    Failure,
    KnownEvent,
    MediaType,
    Post,
    RawDocument,
    RunReport,
    SourceHints,
    Stage,
)
from warehouse.changes import content_hash
from warehouse.store import DocumentCorrupt, DocumentMissing, DocumentStore

log = logging.getLogger(__name__)

_STR = pa.string()
_STRS = pa.list_(pa.string())
_TS = pa.timestamp("us", tz="UTC")

DOCUMENTS = pa.schema(
    [("doc_id", _STR), ("byte_size", pa.int64()), ("media_type", _STR),
     ("first_source_uri", _STR), ("first_seen_at", _TS), ("run_id", _STR)]
)
POSTS = pa.schema(
    [("post_id", _STR), ("doc_id", _STR), ("source_uri", _STR), ("url", _STR), ("canonical_url", _STR),
     ("site_name", _STR), ("title", _STR), ("author", _STR), ("authors", _STRS), ("published_at", pa.date32()),
     ("language", _STR), ("description", _STR), ("categories", _STRS), ("tags", _STRS), ("hashtags", _STRS),
     ("captions", _STRS), ("body_text", _STR), ("body_chars", pa.int32()), ("encoding", _STR),
     ("parser_version", _STR), ("run_id", _STR), ("parsed_at", _TS), ("content_hash", _STR)]
)
EVENTS = pa.schema(
    [("event_id", _STR), ("name", _STR), ("event_key", _STR), ("aliases", _STRS), ("origin", _STR),
     ("first_seen_at", _TS)]
)
POST_EVENTS = pa.schema([("post_id", _STR), ("event_id", _STR), ("evidence", _STR), ("parser_version", _STR),
                         ("run_id", _STR)])
QUOTATIONS = pa.schema(
    [("quote_id", _STR), ("post_id", _STR), ("kind", _STR), ("text", _STR), ("char_start", pa.int32()),
     ("char_end", pa.int32()), ("open_mark", _STR), ("close_mark", _STR), ("is_block", pa.bool_()),
     ("continues_previous", pa.bool_()), ("context_before", _STR), ("context_after", _STR), ("speaker", _STR),
     ("speaker_entity_id", _STR), ("cue", _STR), ("cue_start", pa.int32()), ("cue_end", pa.int32()),
     ("attribution_rule", _STR), ("speaker_confidence", pa.float64()), ("speaker_phrase", _STR),
     ("parser_version", _STR), ("run_id", _STR)]
)
ENTITIES = pa.schema([("entity_id", _STR), ("name", _STR), ("type", _STR), ("parser_version", _STR), ("run_id", _STR)])
# Posts name one entity differently ("Monde", "Le Monde"): the fullest name wins, whatever the order of loads.
_FULLER_NAME = """ON CONFLICT (entity_id) DO UPDATE SET
    name = CASE WHEN row(len(string_split(excluded.name, ' ')), length(excluded.name), excluded.name)
                   > row(len(string_split(entities.name, ' ')), length(entities.name), entities.name)
                THEN excluded.name ELSE entities.name END,
    parser_version = excluded.parser_version, run_id = excluded.run_id"""


def _fullness(name: str) -> tuple[int, int, str]:
    """The order of `_FULLER_NAME`, for the names of one batch."""
    return len(name.split(" ")), len(name), name


MENTIONS = pa.schema(
    [("post_id", _STR), ("entity_id", _STR), ("surface", _STR), ("char_start", pa.int32()), ("char_end", pa.int32()),
     ("sentence_start", pa.int32()), ("sentence_end", pa.int32()), ("parser_version", _STR), ("run_id", _STR)]
)
ROLES = pa.schema(
    [("post_id", _STR), ("entity_id", _STR), ("role", _STR), ("organisation", _STR),
     ("organisation_entity_id", _STR), ("char_start", pa.int32()), ("char_end", pa.int32()),
     ("parser_version", _STR), ("run_id", _STR)]
)
CHANGES = pa.schema(
    [("run_id", _STR), ("post_id", _STR), ("source_uri", _STR), ("change", _STR), ("item", _STR),
     ("old_value", _STR), ("new_value", _STR), ("old_parser_version", _STR), ("new_parser_version", _STR)]
)
# Tables holding rows derived from one post, replaced together.
DERIVED = ("post_events", "mentions", "roles", "quotations", "posts")
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
    """Store raw documents not stored yet and record which source gave them; return how many were new.

    The bytes go to the document store, on disk before the rows that name them commit (a
    rolled-back batch leaves files no row names: harmless, and reused if the bytes come again).
    A stored document whose file was lost gets it back when the same bytes are acquired again.
    """
    if not docs:
        return 0
    first = {d.doc_id: d for d in reversed(docs)}  # the first source in the batch names a new document
    with transaction(con):
        existing = {i for (i,) in con.execute("SELECT doc_id FROM documents WHERE doc_id IN (SELECT unnest(?))",
                                              [list(first)]).fetchall()}
        DocumentStore.of(con).put((d.doc_id, d.content) for d in first.values())  # writes absent files only
        new = [d for d in first.values() if d.doc_id not in existing]
        new_rows = [dict(doc_id=d.doc_id, byte_size=len(d.content), media_type=d.media_type.value,
                         first_source_uri=d.source_uri, first_seen_at=d.acquired_at, run_id=run_id) for d in new]
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


def load_posts(con: duckdb.DuckDBPyConnection, posts: list[Post], run_id: str, now: datetime, *,
               changes: list[dict] = (), restamp: list[str] = (), version: str | None = None) -> None:
    """Replace each post and all its derived rows in one transaction; clear the failures of their sources.

    Re-processing also passes its `changes` (rows of reprocess_changes) and the ids of posts
    whose output did not change, which keep their rows and only take the new parser `version`.
    """
    ids = [p.post_id for p in posts]
    uris = [p.source_uri for p in posts]
    rows = [
        dict(post_id=p.post_id, doc_id=p.doc_id, source_uri=p.source_uri, url=p.url, canonical_url=p.canonical_url,
             site_name=p.site_name, title=p.title, author=p.author, authors=list(p.authors),
             published_at=p.published_at, language=p.language, description=p.description,
             categories=list(p.categories), tags=list(p.tags), hashtags=list(p.hashtags), captions=list(p.captions),
             body_text=p.body_text, body_chars=len(p.body_text), encoding=p.encoding,
             parser_version=p.parser_version, run_id=run_id, parsed_at=now, content_hash=content_hash(p))
        for p in posts
    ]
    stamp = lambda p: dict(post_id=p.post_id, parser_version=p.parser_version, run_id=run_id)  # noqa: E731
    links = {
        (p.post_id, event_id_for(e.key)): dict(event_id=event_id_for(e.key), evidence=e.evidence) | stamp(p)
        for p in posts for e in p.events
    }
    quotations = [
        q.model_dump() | dict(quote_id=quote_id_for(p.post_id, q.char_start, q.char_end)) | stamp(p)
        for p in posts for q in p.quotes
    ]
    mentions = [m.model_dump() | stamp(p) for p in posts for m in p.mentions]
    roles = [r.model_dump() | stamp(p) for p in posts for r in p.roles]
    fullest = sorted(((p, e) for p in posts for e in p.entities), key=lambda pe: _fullness(pe[1].name))
    entities = list({e.entity_id: e.model_dump() | dict(parser_version=p.parser_version, run_id=run_id)
                     for p, e in fullest}.values())
    with transaction(con):
        _insert(con, "entities", entities, ENTITIES, _FULLER_NAME)
        _add_events(
            con, [(KnownEvent(name=e.name), e.key, "hint" if e.evidence == "hint" else "hashtag")
                  for p in posts for e in p.events], now
        )
        for table in DERIVED:
            con.execute(f"DELETE FROM {table} WHERE post_id IN (SELECT unnest(?))", [ids])
        _insert(con, "posts", rows, POSTS)
        _insert(con, "post_events", list(links.values()), POST_EVENTS)
        _insert(con, "quotations", quotations, QUOTATIONS)
        _insert(con, "mentions", mentions, MENTIONS)
        _insert(con, "roles", roles, ROLES)
        if restamp:
            for table in DERIVED:
                con.execute(f"UPDATE {table} SET parser_version = ? WHERE post_id IN (SELECT unnest(?))",
                            [version, list(restamp)])
        _insert(con, "reprocess_changes", list(changes), CHANGES)
        con.execute("DELETE FROM failures WHERE source_uri IN (SELECT unnest(?))",
                    [uris + _sources(con, list(restamp))])


def _sources(con: duckdb.DuckDBPyConnection, post_ids: list[str]) -> list[str]:
    if not post_ids:
        return []
    rows = con.execute("SELECT source_uri FROM posts WHERE post_id IN (SELECT unnest(?))", [post_ids]).fetchall()
    return [uri for (uri,) in rows]


def reprocess_candidates(con: duckdb.DuckDBPyConnection, *, version: str, everything: bool, where: str | None,
                         skip_run: str | None) -> list[tuple[str, str, str | None]]:
    """(source_uri, doc_id, post_id) of the latest stored document of each source to re-derive.

    Stale sources are those whose post was written by another parser version, or whose
    document failed under another parser version. `where` is a SQL condition on posts;
    posts already written by `skip_run` (an interrupted run being resumed) are left out.
    """
    if where is not None and ";" in where:
        raise ValueError("--where takes one SQL condition on posts, without ';'")
    conditions = []
    if not everything:
        conditions.append(
            "(p.post_id IS NOT NULL AND p.parser_version <> $version"
            " OR p.post_id IS NULL AND f.doc_id = l.doc_id AND r.parser_version IS DISTINCT FROM $version)")
    if where:
        conditions.append(f"p.post_id IN (SELECT post_id FROM posts WHERE {where})")
    if skip_run:
        conditions.append("p.run_id IS DISTINCT FROM $skip_run")
    sql = f"""
        WITH latest AS (
            SELECT source_uri, arg_max(doc_id, last_seen_at) AS doc_id FROM document_versions GROUP BY source_uri)
        SELECT l.source_uri, l.doc_id, p.post_id
        FROM latest l
        LEFT JOIN posts p USING (source_uri)
        LEFT JOIN failures f USING (source_uri)
        LEFT JOIN runs r ON r.run_id = f.run_id
        WHERE (p.post_id IS NOT NULL OR f.source_uri IS NOT NULL) {''.join(f' AND {c}' for c in conditions)}
        ORDER BY l.source_uri
    """
    params = {"version": version} if not everything else {}
    if skip_run:
        params["skip_run"] = skip_run
    try:
        return con.execute(sql, params).fetchall()
    except duckdb.Error as exc:
        if where is None:
            raise
        raise ValueError(f"--where {where!r} is not a valid condition on posts: {exc}") from exc


def read_documents(con: duckdb.DuckDBPyConnection, items: list[tuple[str, str]]) -> list[RawDocument | Failure]:
    """The stored bytes of (source_uri, doc_id) pairs, as acquired, with the time they were last seen
    and the hints their source gave; a `Failure` (stage acquire) for a document whose file is gone or damaged.
    Any other `StoreError` (permissions, I/O) concerns the whole folder and is raised."""
    table = pa.Table.from_pylist([dict(source_uri=u, doc_id=d) for u, d in items],
                                 schema=pa.schema([("source_uri", _STR), ("doc_id", _STR)]))
    con.register("wanted", table)
    try:
        rows = con.execute(
            """
            SELECT w.source_uri, d.doc_id, d.media_type, v.last_seen_at, p.url,
                   h.source_name, h.origin, h.event, h.language, h.title, h.authors, h.published_at,
                   h.categories, h.tags
            FROM wanted w JOIN documents d USING (doc_id)
            JOIN document_versions v ON v.source_uri = w.source_uri AND v.doc_id = w.doc_id
            LEFT JOIN posts p ON p.source_uri = w.source_uri
            LEFT JOIN document_hints h ON h.source_uri = w.source_uri AND h.doc_id = w.doc_id
            ORDER BY w.source_uri
            """
        ).fetchall()
    finally:
        con.unregister("wanted")
    store = DocumentStore.of(con)
    found = {(uri, doc_id) for uri, doc_id, *_ in rows}
    read: list[RawDocument | Failure] = [
        Failure(source_uri=uri, doc_id=doc_id, stage=Stage.ACQUIRE, reason="stored document missing",
                detail=f"no row of documents or document_versions for {doc_id} from {uri}")
        for uri, doc_id in items if (uri, doc_id) not in found]
    for uri, doc_id, media, seen, url, *hints in rows:
        try:
            content = store.get(doc_id)
        except (DocumentMissing, DocumentCorrupt) as exc:  # one document; a StoreError stops the run
            read.append(Failure(source_uri=uri, doc_id=doc_id, stage=Stage.ACQUIRE, reason=exc.reason,
                                detail=str(exc)))
            continue
        read.append(RawDocument(
            doc_id=doc_id, source_uri=uri, content=content, media_type=MediaType(media), acquired_at=seen,
            url=url or (uri if uri.startswith(("http://", "https://")) else None),
            hints=hints_from_row(hints) if hints[1] else None))
    return read


def hints_from_row(row) -> SourceHints:
    """SourceHints from (source_name, origin, event, language, title, authors, published_at, categories, tags)."""
    source, origin, event, language, title, authors, published, categories, tags = row
    return SourceHints(source=source, origin=origin, event=event, language=language, title=title,
                       authors=tuple(authors or ()), published_at=published, categories=tuple(categories or ()),
                       tags=tuple(tags or ()))


def content_hashes(con: duckdb.DuckDBPyConnection, post_ids: list[str]) -> dict[str, tuple[str | None, str]]:
    """post_id -> (content_hash, parser_version) of stored posts."""
    if not post_ids:
        return {}
    rows = con.execute("SELECT post_id, content_hash, parser_version FROM posts WHERE post_id IN (SELECT unnest(?))",
                       [post_ids]).fetchall()
    return {pid: (h, v) for pid, h, v in rows}


def drop_orphan_entities(con: duckdb.DuckDBPyConnection) -> int:
    """Delete entities no mention, role or quote refers to any more (after re-processing)."""
    return con.execute(
        """
        DELETE FROM entities WHERE entity_id NOT IN (SELECT entity_id FROM mentions)
          AND entity_id NOT IN (SELECT organisation_entity_id FROM roles WHERE organisation_entity_id IS NOT NULL)
          AND entity_id NOT IN (SELECT speaker_entity_id FROM quotations WHERE speaker_entity_id IS NOT NULL)
        """
    ).fetchone()[0]


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
              started_at: datetime, parser_version: str, options: dict | None = None) -> None:
    """Record a new run. This process holds the only write lock, so a run still marked running
    was killed: it is marked crashed first."""
    con.execute("UPDATE runs SET status = 'crashed' WHERE status = 'running'")
    con.execute(
        "INSERT INTO runs (run_id, flow_run_id, flow_name, started_at, status, parser_version, options)"
        " VALUES (?, ?, ?, ?, 'running', ?, ?)",
        [run_id, flow_run_id, flow_name, started_at, parser_version, json.dumps(options or {})],
    )


def interrupted_run(con: duckdb.DuckDBPyConnection, flow_name: str, parser_version: str,
                    options: dict) -> str | None:
    """The latest run of `flow_name` with these options and parser version, if it crashed."""
    row = con.execute(
        "SELECT run_id, status, options FROM runs WHERE flow_name = ? AND parser_version = ?"
        " ORDER BY started_at DESC LIMIT 1",
        [flow_name, parser_version],
    ).fetchone()
    if row is None or row[1] not in ("running", "crashed"):
        return None
    stored = json.loads(row[2] or "{}")
    return row[0] if {k: v for k, v in stored.items() if k != "resumes"} == options else None


def finish_run(con: duckdb.DuckDBPyConnection, report: RunReport) -> None:
    con.execute(
        """
        UPDATE runs SET finished_at = ?, status = ?, inputs_seen = ?, documents_new = ?, posts_written = ?,
            posts_unchanged = ?, failures = ?, failures_by_stage = ?, posts_changed = ?, pages_fetched = ?,
            posts_new = ?
        WHERE run_id = ?
        """,
        [report.finished_at, report.status, report.inputs_seen, report.documents_new, report.posts_written,
         report.posts_unchanged, report.failures, json.dumps(report.failures_by_stage), report.posts_changed,
         report.pages_fetched, report.posts_new, report.run_id],
    )


def crash_run(con: duckdb.DuckDBPyConnection, run_id: str, at: datetime) -> None:
    """Mark a run that stopped on an exception; its loaded batches stay (each was one transaction).

    Called while another exception propagates, so a failure here is logged, not raised over it.
    """
    try:
        con.execute("UPDATE runs SET status = 'crashed', finished_at = ? WHERE run_id = ?", [at, run_id])
    except duckdb.Error:
        log.exception("could not mark run %s as crashed", run_id)
