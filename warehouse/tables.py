"""The warehouse's tables as Arrow schemas, and the two ways rows go in: one transaction, one
bulk insert from an Arrow table (never row by row). No SQL of a query here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import pyarrow as pa

STR = pa.string()
STRS = pa.list_(pa.string())
TS = pa.timestamp("us", tz="UTC")

DOCUMENTS = pa.schema(
    [("doc_id", STR), ("byte_size", pa.int64()), ("media_type", STR),
     ("first_source_uri", STR), ("first_seen_at", TS), ("run_id", STR)]
)
POSTS = pa.schema(
    [("post_id", STR), ("doc_id", STR), ("source_uri", STR), ("url", STR), ("canonical_url", STR),
     ("site_name", STR), ("title", STR), ("author", STR), ("authors", STRS), ("published_at", pa.date32()),
     ("language", STR), ("description", STR), ("categories", STRS), ("tags", STRS), ("hashtags", STRS),
     ("captions", STRS), ("body_text", STR), ("body_chars", pa.int32()), ("encoding", STR),
     ("parser_version", STR), ("run_id", STR), ("parsed_at", TS), ("content_hash", STR), ("domain", STR)]
)
EVENTS = pa.schema(
    [("event_id", STR), ("name", STR), ("event_key", STR), ("aliases", STRS), ("origin", STR),
     ("first_seen_at", TS), ("hashtags", STRS), ("sites", STRS), ("removed_at", TS)]
)
EDITIONS = pa.schema([("event_id", STR), ("label", STR), ("starts_on", pa.date32()), ("ends_on", pa.date32())])
POST_EVENTS = pa.schema([("post_id", STR), ("event_id", STR), ("evidence", STR), ("parser_version", STR),
                         ("run_id", STR), ("evidence_kinds", STRS), ("body_mentions", pa.int32()),
                         ("edition", STR), ("tagged_at", TS)])
QUOTATIONS = pa.schema(
    [("quote_id", STR), ("post_id", STR), ("kind", STR), ("text", STR), ("char_start", pa.int32()),
     ("char_end", pa.int32()), ("open_mark", STR), ("close_mark", STR), ("is_block", pa.bool_()),
     ("continues_previous", pa.bool_()), ("context_before", STR), ("context_after", STR), ("speaker", STR),
     ("speaker_entity_id", STR), ("cue", STR), ("cue_start", pa.int32()), ("cue_end", pa.int32()),
     ("attribution_rule", STR), ("speaker_confidence", pa.float64()), ("speaker_phrase", STR),
     ("parser_version", STR), ("run_id", STR)]
)
ENTITIES = pa.schema([("entity_id", STR), ("name", STR), ("type", STR), ("parser_version", STR), ("run_id", STR)])
# Posts name one entity differently ("Monde", "Le Monde"): the fullest name wins, whatever the order of loads.
MENTIONS = pa.schema(
    [("post_id", STR), ("entity_id", STR), ("surface", STR), ("char_start", pa.int32()), ("char_end", pa.int32()),
     ("sentence_start", pa.int32()), ("sentence_end", pa.int32()), ("parser_version", STR), ("run_id", STR)]
)
ROLES = pa.schema(
    [("post_id", STR), ("entity_id", STR), ("role", STR), ("organisation", STR),
     ("organisation_entity_id", STR), ("char_start", pa.int32()), ("char_end", pa.int32()),
     ("parser_version", STR), ("run_id", STR)]
)
CHANGES = pa.schema(
    [("run_id", STR), ("post_id", STR), ("source_uri", STR), ("change", STR), ("item", STR),
     ("old_value", STR), ("new_value", STR), ("old_parser_version", STR), ("new_parser_version", STR)]
)
# Tables holding rows derived from one post, replaced together.
DERIVED = ("post_events", "mentions", "roles", "quotations", "posts")
FAILURES = pa.schema(
    [("source_uri", STR), ("doc_id", STR), ("stage", STR), ("reason", STR), ("detail", STR),
     ("run_id", STR), ("failed_at", TS)]
)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], schema: pa.Schema, tail: str = "") -> None:
    if not rows:
        return
    incoming = pa.Table.from_pylist(rows, schema=schema)
    con.register("incoming", incoming)
    try:
        # Table names come from this module's constants, never from data.
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming {tail}")
    finally:
        con.unregister("incoming")
