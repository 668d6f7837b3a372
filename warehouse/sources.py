"""The crawl state of live sources: fetches, URL validators, listed items and document hints.

Owns the SQL of `fetches` (an append-only log), `url_states` (what the next conditional
GET sends, and which URLs failed last time), `source_items` (what each listing said) and
`document_hints` (the hints parsing used, read back by re-processing). Rows go in as Arrow
tables; this module never imports tasks or Prefect.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from schemas import FetchResult, RawDocument, SourceHints, SourceItem
from warehouse.load import hints_from_row
from warehouse.tables import STR, STRS, TS, insert_rows, transaction

FETCHES = pa.schema(
    [("run_id", STR), ("source_name", STR), ("url", STR), ("kind", STR), ("outcome", STR),
     ("status", pa.int32()), ("final_url", STR), ("content_type", STR), ("byte_size", pa.int64()),
     ("elapsed_seconds", pa.float64()), ("attempts", pa.int32()), ("error", STR), ("error_kind", STR),
     ("doc_id", STR), ("fetched_at", TS)]
)
URL_STATES = pa.schema(
    [("url", STR), ("etag", STR), ("last_modified", STR), ("doc_id", STR), ("outcome", STR),
     ("status", pa.int32()), ("error", STR), ("last_fetched_at", TS), ("last_ok_at", TS), ("failures", pa.int32())]
)
ITEMS = pa.schema([("source_name", STR), ("url", STR), ("stamp", STR), ("hints", STR), ("listed_at", TS)])
HINTS = pa.schema(
    [("source_uri", STR), ("doc_id", STR), ("source_name", STR), ("origin", STR), ("event", STR),
     ("language", STR), ("title", STR), ("authors", STRS), ("published_at", pa.date32()),
     ("categories", STRS), ("tags", STRS), ("updated_at", TS), ("run_id", STR)]
)
# A 304 or a failure keeps what the last answer with content said; a failure keeps the last success time.
_URL_STATE_UPSERT = """ON CONFLICT (url) DO UPDATE SET
    etag = CASE WHEN excluded.outcome = 'ok' THEN excluded.etag ELSE coalesce(excluded.etag, url_states.etag) END,
    last_modified = CASE WHEN excluded.outcome = 'ok' THEN excluded.last_modified
                         ELSE coalesce(excluded.last_modified, url_states.last_modified) END,
    doc_id = coalesce(excluded.doc_id, url_states.doc_id),
    outcome = excluded.outcome, status = excluded.status, error = excluded.error,
    last_fetched_at = excluded.last_fetched_at, last_ok_at = coalesce(excluded.last_ok_at, url_states.last_ok_at),
    failures = CASE WHEN excluded.outcome = 'failed' THEN coalesce(url_states.failures, 0) + 1 ELSE 0 END"""
_MAX_WAIT_MINUTES = 7 * 24 * 60


def record_fetches(con: duckdb.DuckDBPyConnection, source_name: str, results: list[FetchResult], run_id: str,
                   doc_ids: dict[str, str] | None = None, retry_after_minutes: float = 60.0) -> None:
    """Log fetches and keep each URL's latest state; `doc_ids` maps page URLs to the document they gave.
    A URL that failed `n` times in a row waits `retry_after_minutes` x 2^(n-1) before it is asked again."""
    if not results:
        return
    doc_ids = doc_ids or {}
    rows = [dict(run_id=run_id, source_name=source_name, doc_id=doc_ids.get(r.url),
                 **r.model_dump(include={"url", "kind", "outcome", "status", "final_url", "content_type", "byte_size",
                                         "elapsed_seconds", "attempts", "error", "error_kind", "fetched_at"}))
            for r in results]
    states = {r.url: dict(url=r.url, etag=r.etag, last_modified=r.last_modified, doc_id=doc_ids.get(r.url),
                          outcome=r.outcome, status=r.status, error=r.error, last_fetched_at=r.fetched_at,
                          last_ok_at=r.fetched_at if r.outcome != "failed" else None,
                          failures=1 if r.outcome == "failed" else 0)
              for r in results}
    with transaction(con):
        insert_rows(con, "fetches", rows, FETCHES)
        insert_rows(con, "url_states", list(states.values()), URL_STATES, _URL_STATE_UPSERT)
        con.execute(
            "UPDATE url_states SET retry_at = CASE WHEN outcome = 'failed' THEN last_fetched_at"
            " + to_microseconds(CAST(least(? * pow(2, failures - 1), ?) * 60e6 AS BIGINT)) END"
            " WHERE url IN (SELECT unnest(?))", [retry_after_minutes, _MAX_WAIT_MINUTES, list(states)])


def validators(con: duckdb.DuckDBPyConnection, urls: list[str]) -> dict[str, tuple[str | None, str | None, str | None]]:
    """url -> (etag, last_modified, doc_id) from the last answers, for conditional GETs."""
    if not urls:
        return {}
    rows = con.execute("SELECT url, etag, last_modified, doc_id FROM url_states WHERE url IN (SELECT unnest(?))",
                       [urls]).fetchall()
    return {url: (etag, modified, doc_id) for url, etag, modified, doc_id in rows}


# When a failed URL may be asked again, and when a page without a stamp is due a revalidation:
# the conditions `stale_items` and `pending_items` share (u: url_states, s: source_items).
_RETRY_DUE = "u.outcome = 'failed' AND (u.retry_at IS NULL OR u.retry_at <= $now)"
_REVALIDATION_DUE = """u.outcome <> 'failed'
    AND u.last_fetched_at <= $now - to_microseconds(CAST($hours * 3600e6 AS BIGINT))
    AND coalesce(s.first_listed_at, $now) >= $now - to_microseconds(CAST($days * 86400e6 AS BIGINT))"""


def stale_items(con: duckdb.DuckDBPyConnection, source_name: str, listed: list[SourceItem], *,
                revalidate: bool = False, now: datetime | None = None, revalidate_hours: float = 24,
                revalidate_days: float = 30) -> list[SourceItem]:
    """The listed items worth a request, in listing order.

    A listed page is asked for when it was never fetched, its last fetch failed and its wait
    is over, the listing gives a stamp other than last time, or it gives none (a sitemap
    without lastmod, an RSS item's pubDate, which an edit leaves) and the page, first listed
    less than `revalidate_days` ago, was last fetched more than `revalidate_hours` ago: a
    conditional GET then decides. Call it before `store_items`, which records this listing's stamps.
    """
    if not listed:
        return []
    table = pa.Table.from_pylist([dict(url=i.url, stamp=i.stamp) for i in listed],
                                 schema=pa.schema([("url", STR), ("stamp", STR)]))
    con.register("listed", table)
    try:
        stale = {url for (url,) in con.execute(
            f"""
            SELECT l.url FROM listed l
            LEFT JOIN source_items s ON s.source_name = $source AND s.url = l.url
            LEFT JOIN url_states u ON u.url = l.url
            WHERE $revalidate OR u.url IS NULL OR {_RETRY_DUE}
               OR l.stamp IS NOT NULL AND s.stamp IS DISTINCT FROM l.stamp
               OR l.stamp IS NULL AND {_REVALIDATION_DUE}
            """, dict(source=source_name, revalidate=revalidate, now=now or datetime.now(UTC), hours=revalidate_hours,
                      days=revalidate_days)).fetchall()}
    finally:
        con.unregister("listed")
    return [i for i in listed if i.url in stale]


def pending_items(con: duckdb.DuckDBPyConnection, source_name: str, exclude: set[str],
                  now: datetime | None = None, revalidate_hours: float | None = None,
                  revalidate_days: float = 30) -> list[SourceItem]:
    """Items a source listed in earlier runs that were never fetched, or failed last time and
    waited long enough, or (with `revalidate_hours`) are due for revalidation as `stale_items`
    says, though this listing did not name them (an older page of a feed): with their hints."""
    now = now or datetime.now(UTC)
    rows = con.execute(
        f"""
        SELECT s.url, s.stamp, s.hints FROM source_items s LEFT JOIN url_states u USING (url)
        WHERE s.source_name = $source AND (
            u.url IS NULL OR {_RETRY_DUE} OR $hours IS NOT NULL AND s.stamp IS NULL AND {_REVALIDATION_DUE})
        ORDER BY s.last_listed_at DESC, s.url
        """, dict(source=source_name, now=now, hours=revalidate_hours, days=revalidate_days)).fetchall()
    return [SourceItem(url=url, stamp=stamp, hints=SourceHints.model_validate_json(hints))
            for url, stamp, hints in rows if url not in exclude]


def listed_before(con: duckdb.DuckDBPyConnection, source_name: str, urls: list[str]) -> bool:
    """Whether an earlier listing of the source named one of `urls`."""
    rows = con.execute("SELECT count(*) FROM source_items WHERE source_name = ? AND url IN (SELECT unnest(?))",
                       [source_name, urls]).fetchall()
    return rows[0][0] > 0


def url_outcome(con: duckdb.DuckDBPyConnection, url: str) -> str | None:
    """Outcome of the last fetch of `url` (ok, not_modified, failed), None when never fetched."""
    rows = con.execute("SELECT outcome FROM url_states WHERE url = ?", [url]).fetchall()
    return rows[0][0] if rows else None


def store_items(con: duckdb.DuckDBPyConnection, source_name: str, items: list[SourceItem], now: datetime) -> None:
    """Record what a listing said about its pages (stamp and hints), replacing what it said before."""
    rows = {i.url: dict(source_name=source_name, url=i.url, stamp=i.stamp, hints=i.hints.model_dump_json(),
                        listed_at=now) for i in items}
    if not rows:
        return
    con.register("incoming_items", pa.Table.from_pylist(list(rows.values()), schema=ITEMS))
    try:
        con.execute(
            """
            INSERT INTO source_items (source_name, url, stamp, hints, first_listed_at, last_listed_at)
            SELECT source_name, url, stamp, hints, listed_at, listed_at FROM incoming_items
            ON CONFLICT (source_name, url) DO UPDATE
            SET stamp = excluded.stamp, hints = excluded.hints, last_listed_at = excluded.last_listed_at
            """)
    finally:
        con.unregister("incoming_items")


def stored_hints(con: duckdb.DuckDBPyConnection, keys: list[tuple[str, str]]) -> dict[tuple[str, str], SourceHints]:
    """(source_uri, doc_id) -> the hints stored with that document version."""
    if not keys:
        return {}
    table = pa.Table.from_pylist([dict(source_uri=u, doc_id=d) for u, d in keys],
                                 schema=pa.schema([("source_uri", STR), ("doc_id", STR)]))
    con.register("wanted_hints", table)
    try:
        rows = con.execute(
            "SELECT h.* EXCLUDE (updated_at, run_id) FROM document_hints h JOIN wanted_hints w USING (source_uri, doc_id)"
        ).fetchall()
    finally:
        con.unregister("wanted_hints")
    return {(row[0], row[1]): hints_from_row(row[2:]) for row in rows}


def store_hints(con: duckdb.DuckDBPyConnection, docs: list[RawDocument], run_id: str, now: datetime) -> set[str]:
    """Store the hints each document came with; return the sources whose hints are new or changed."""
    incoming = {(d.source_uri, d.doc_id): d.hints for d in docs if d.hints is not None}
    if not incoming:
        return set()
    before = stored_hints(con, list(incoming))
    changed = {key: hints for key, hints in incoming.items() if _supersedes(before.get(key), hints)}
    rows = [dict(source_uri=uri, doc_id=doc_id, source_name=h.source, updated_at=now, run_id=run_id,
                 **h.model_dump(exclude={"source"}))
            for (uri, doc_id), h in changed.items()]
    insert_rows(con, "document_hints", rows, HINTS, """ON CONFLICT (source_uri, doc_id) DO UPDATE SET
        source_name = excluded.source_name, origin = excluded.origin, event = excluded.event,
        language = excluded.language, title = excluded.title, authors = excluded.authors,
        published_at = excluded.published_at, categories = excluded.categories, tags = excluded.tags,
        updated_at = excluded.updated_at, run_id = excluded.run_id""")
    return {uri for uri, _ in changed}


def hints_changed(con: duckdb.DuckDBPyConnection, items: list[tuple[str, str, SourceHints]]) -> set[str]:
    """The sources among (source_uri, doc_id, hints) whose stored hints these would replace."""
    before = stored_hints(con, [(uri, doc_id) for uri, doc_id, _ in items])
    return {uri for uri, doc_id, hints in items if _supersedes(before.get((uri, doc_id)), hints)}


def _supersedes(old: SourceHints | None, new: SourceHints) -> bool:
    """New hints replace old ones from the same source; a page two sources list keeps the first
    source's hints, so polling both does not re-parse it back and forth."""
    return old is None or (old.source == new.source and old != new)


def clear_fetch_failures(con: duckdb.DuckDBPyConnection, urls: list[str]) -> None:
    """Drop the acquire-stage failures of URLs that answered again (a parse failure stays)."""
    if urls:
        con.execute("DELETE FROM failures WHERE stage = 'acquire' AND source_uri IN (SELECT unnest(?))", [urls])
