"""Corrections that last: the user fixes what the machine got wrong, and the fix stays.

A correction is a row of `corrections` (with its time and reason). A quote's speaker, a
hidden quote and a dismissed failure are applied by the views over the machine's rows
(`quotes`, `open_failures`), so re-processing, which writes quotations again, keeps them. Two
entities merged and an entity renamed reach every table (mentions, roles, quotes), so they
are applied to the rows, at once and again at the end of every run that wrote posts
(`apply_entity_corrections`); withdrawing one takes effect when its posts are next
re-processed. A quote is found again by its post and its text
(`quote_key`), not by its offsets, which a parser change may move. Every function here takes
an open writable connection; `flows.correct_commands` is the command line.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import duckdb


class CorrectionError(ValueError):
    """A correction that cannot be made: an unknown quote, source or correction."""


def _quote(con: duckdb.DuckDBPyConnection, quote_id: str) -> tuple[str, str]:
    found = con.execute("SELECT post_id, quote_key(text) FROM quotations WHERE quote_id = ? AND kind = 'speech'",
                        [quote_id]).fetchall()
    if not found:
        raise CorrectionError(f"no quote {quote_id!r}: `covpipe sql \"SELECT quote_id, speaker, text FROM quotes\"` "
                              "lists them")
    return found[0]


def _add(con: duckdb.DuckDBPyConnection, now: datetime, **row) -> str:
    correction_id = uuid.uuid4().hex[:12]
    columns = ["correction_id", "created_at", *row]
    con.execute(f"INSERT INTO corrections ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [correction_id, now, *row.values()])
    return correction_id


def correct_speaker(con: duckdb.DuckDBPyConnection, quote_id: str, speaker: str | None, reason: str | None,
                    now: datetime) -> str:
    """The quote's speaker is `speaker` (None: nobody); linked to the entity of that name (its post's
    first), written as the entity writes it."""
    post_id, key = _quote(con, quote_id)
    entity = None
    if speaker:
        rows = con.execute("""
            SELECT e.entity_id, e.name FROM entities e
            WHERE lower(e.name) = lower(?)
            ORDER BY EXISTS (SELECT 1 FROM mentions m WHERE m.entity_id = e.entity_id AND m.post_id = ?) DESC,
                     e.type = 'PERSON' DESC, e.entity_id
            LIMIT 1""", [speaker, post_id]).fetchall()
        if rows:
            entity, speaker = rows[0]  # the entity's own spelling
    return _add(con, now, kind="speaker", post_id=post_id, quote_key=key, speaker=speaker,
                speaker_entity_id=entity, reason=reason)


def hide_quote(con: duckdb.DuckDBPyConnection, quote_id: str, reason: str | None, now: datetime) -> str:
    """The quote is no reported speech: left out of `quotes` and every report."""
    post_id, key = _quote(con, quote_id)
    return _add(con, now, kind="hide", post_id=post_id, quote_key=key, reason=reason)


def dismiss_failure(con: duckdb.DuckDBPyConnection, source_uri: str, reason: str | None, now: datetime) -> str:
    """The user has seen this failure: out of `open_failures` until the source fails again."""
    if not con.execute("SELECT 1 FROM failures WHERE source_uri = ?", [source_uri]).fetchall():
        raise CorrectionError(f"no failure for {source_uri!r}: `covpipe status` lists them")
    return _add(con, now, kind="dismiss", source_uri=source_uri, reason=reason)


def withdraw(con: duckdb.DuckDBPyConnection, correction_id: str, now: datetime) -> None:
    """Undo a correction; the row stays, marked withdrawn."""
    found = con.execute("UPDATE corrections SET withdrawn_at = ? WHERE correction_id = ? AND withdrawn_at IS NULL "
                        "RETURNING correction_id", [now, correction_id]).fetchall()
    if not found:
        raise CorrectionError(f"no correction {correction_id!r} in force: `covpipe correct list` lists them")


def correction_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(id, kind, what, speaker or name, reason, created_at, withdrawn_at) of every correction, newest first."""
    return con.execute("""
        SELECT correction_id, kind,
               coalesce(source_uri, post_id || ': ' || left(quote_key, 60), entity_id || ' -> ' || target_entity_id,
                        entity_id), coalesce(speaker, name), reason, created_at, withdrawn_at
        FROM corrections ORDER BY created_at DESC""").fetchall()


def _entity(con: duckdb.DuckDBPyConnection, ref: str) -> tuple[str, str]:
    """(entity_id, name) of an entity given by its id or its exact name (when one entity has it)."""
    rows = con.execute("SELECT entity_id, name FROM entities WHERE entity_id = ? OR lower(name) = lower(?) "
                       "ORDER BY entity_id = ? DESC", [ref, ref, ref]).fetchall()
    if not rows:
        raise CorrectionError(f"no entity {ref!r}: `covpipe sql \"SELECT entity_id, name, type FROM entities\"` "
                              "lists them")
    if len(rows) > 1 and rows[0][0] != ref:
        raise CorrectionError(f"{len(rows)} entities are named {ref!r}: give the entity_id")
    return rows[0]


def merge_entities(con: duckdb.DuckDBPyConnection, source: str, target: str, reason: str | None,
                   now: datetime) -> str:
    """`source` is `target`: its mentions, roles and quotes go to `target`, now and after every run."""
    (source_id, _), (target_id, _) = _entity(con, source), _entity(con, target)
    if source_id == target_id:
        raise CorrectionError("an entity is already itself")
    made = _add(con, now, kind="merge", entity_id=source_id, target_entity_id=target_id, reason=reason)
    apply_entity_corrections(con)
    return made


def rename_entity(con: duckdb.DuckDBPyConnection, entity: str, name: str, reason: str | None, now: datetime) -> str:
    """The entity's name is `name`, whatever the pages spell; its quotes' speaker too."""
    entity_id, _ = _entity(con, entity)
    made = _add(con, now, kind="rename", entity_id=entity_id, name=name, reason=reason)
    apply_entity_corrections(con)
    return made


def apply_entity_corrections(con: duckdb.DuckDBPyConnection) -> None:
    """Apply the merges and renames in force to the rows, in the order they were made: the runs
    write the machine's rows again, and call this at their end."""
    for kind, entity_id, target, name in con.execute(
            "SELECT kind, entity_id, target_entity_id, name FROM corrections WHERE kind IN ('merge', 'rename') "
            "AND withdrawn_at IS NULL ORDER BY created_at").fetchall():
        if kind == "merge":
            con.execute("UPDATE mentions SET entity_id = ? WHERE entity_id = ?", [target, entity_id])
            con.execute("UPDATE roles SET entity_id = ? WHERE entity_id = ?", [target, entity_id])
            con.execute("UPDATE roles SET organisation_entity_id = ? WHERE organisation_entity_id = ?", [target, entity_id])
            con.execute("UPDATE quotations SET speaker_entity_id = ?, speaker = coalesce((SELECT name FROM entities "
                        "WHERE entity_id = ?), speaker) WHERE speaker_entity_id = ?", [target, target, entity_id])
        else:
            con.execute("UPDATE entities SET name = ? WHERE entity_id = ?", [name, entity_id])
            con.execute("UPDATE quotations SET speaker = ? WHERE speaker_entity_id = ?", [name, entity_id])
