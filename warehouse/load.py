"""Bulk loads: raw documents, parsed posts and events, from Arrow batches (the tables'
schemas: `warehouse.tables`; runs and failures: `warehouse.runs`).

Every load of a batch is one transaction: a post and all its derived rows are replaced
together or not at all. Loads are idempotent (loading the same batch twice leaves the
same rows). Rows go in as Arrow tables, never row by row. This module never imports tasks:
a batch's post-event links are made in its transaction by the caller's `tag`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime

import duckdb
import pyarrow as pa

from schemas import (
    Failure,
    MediaType,
    Post,
    RawDocument,
    SourceHints,
    Stage,
)
from warehouse.changes import content_hash
from warehouse.outlets import domain_of
from warehouse.queries import posts_condition
from warehouse.store import DocumentCorrupt, DocumentMissing, DocumentStore
from warehouse.tables import (
    CHANGES,
    DERIVED,
    DOCUMENTS,
    ENTITIES,
    MENTIONS,
    POSTS,
    QUOTATIONS,
    ROLES,
    STR,
    TS,
    insert_rows,
    transaction,
)

log = logging.getLogger(__name__)

_FULLER_NAME = """ON CONFLICT (entity_id) DO UPDATE SET
    name = CASE WHEN row(len(string_split(excluded.name, ' ')), length(excluded.name), excluded.name)
                   > row(len(string_split(entities.name, ' ')), length(entities.name), entities.name)
                THEN excluded.name ELSE entities.name END,
    parser_version = excluded.parser_version, run_id = excluded.run_id"""


def _fullness(name: str) -> tuple[int, int, str]:
    """The order of `_FULLER_NAME`, for the names of one batch."""
    return len(name.split(" ")), len(name), name

def quote_id_for(post_id: str, start: int, end: int) -> str:
    return hashlib.sha256(f"quote:{post_id}:{start}:{end}".encode()).hexdigest()[:16]

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
        insert_rows(con, "documents", new_rows, DOCUMENTS)
        versions = pa.Table.from_pylist(
            [dict(source_uri=d.source_uri, doc_id=d.doc_id, seen_at=d.acquired_at) for d in docs],
            schema=pa.schema([("source_uri", STR), ("doc_id", STR), ("seen_at", TS)]),
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


def load_posts(con: duckdb.DuckDBPyConnection, posts: list[Post], run_id: str, now: datetime, *,
               changes: list[dict] = (), restamp: list[str] = (), version: str | None = None,
               tag: Callable[[duckdb.DuckDBPyConnection, list[str]], object] | None = None) -> None:
    """Replace each post and all its derived rows in one transaction; clear the failures of their sources.
    `tag(con, post_ids)` makes the posts' event links in that transaction, once they are stored.

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
             parser_version=p.parser_version, run_id=run_id, parsed_at=now, content_hash=content_hash(p),
             domain=domain_of(p.url, p.canonical_url, p.source_uri))
        for p in posts
    ]
    stamp = lambda p: dict(post_id=p.post_id, parser_version=p.parser_version, run_id=run_id)  # noqa: E731
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
        insert_rows(con, "entities", entities, ENTITIES, _FULLER_NAME)
        for table in DERIVED:
            con.execute(f"DELETE FROM {table} WHERE post_id IN (SELECT unnest(?))", [ids])
        insert_rows(con, "posts", rows, POSTS)
        insert_rows(con, "quotations", quotations, QUOTATIONS)
        insert_rows(con, "mentions", mentions, MENTIONS)
        insert_rows(con, "roles", roles, ROLES)
        if tag is not None:
            tag(con, ids)
        if restamp:
            for table in DERIVED:
                con.execute(f"UPDATE {table} SET parser_version = ? WHERE post_id IN (SELECT unnest(?))",
                            [version, list(restamp)])
        insert_rows(con, "reprocess_changes", list(changes), CHANGES)
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
    conditions = []
    if not everything:
        conditions.append(
            "(p.post_id IS NOT NULL AND p.parser_version <> $version"
            " OR p.post_id IS NULL AND f.doc_id = l.doc_id AND r.parser_version IS DISTINCT FROM $version)")
    if where:
        try:
            condition = posts_condition(where)
        except ValueError as exc:
            raise ValueError(f"--where {where!r} is not a valid condition on posts: {exc}") from exc
        conditions.append(f"p.post_id IN (SELECT post_id FROM posts WHERE {condition})")
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
                                 schema=pa.schema([("source_uri", STR), ("doc_id", STR)]))
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
