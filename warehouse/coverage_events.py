"""Which events the report can show: the events some post covers, and the one a user asked for
("viva tech" finds VivaTech), for `warehouse.coverage`. Also `rows`, its query helper."""

from __future__ import annotations

import re
from typing import Any

import duckdb

KNOWN_EVENTS = """
SELECT e.name FROM events e
WHERE EXISTS (SELECT 1 FROM post_events pe WHERE pe.event_id = e.event_id)
ORDER BY e.name"""

# The event folded as events.event_key is: letters and digits, lower case, no accents.
RESOLVE_EVENT = """
SELECT name FROM events
WHERE (name = $event OR event_key = regexp_replace(lower(strip_accents($event)), '[^a-z0-9]', '', 'g'))
  AND EXISTS (SELECT 1 FROM post_events pe WHERE pe.event_id = events.event_id)
ORDER BY name = $event DESC, name LIMIT 1"""


class UnknownEvent(ValueError):
    def __init__(self, event: str, known: list[str]):
        listed = ", ".join(known) if known else "none yet"
        super().__init__(f"no post covers an event {event!r} in the warehouse; events with posts: {listed}")
        self.event, self.known = event, known


def rows(con: duckdb.DuckDBPyConnection, sql: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of `sql` as dicts; only the parameters the query names are bound."""
    named = set(re.findall(r"\$(\w+)", sql))
    cursor = con.execute(sql, {k: v for k, v in params.items() if k in named})
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def known_events(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Names of the events that at least one post covers."""
    return [r["name"] for r in rows(con, KNOWN_EVENTS)]


def resolve_event(con: duckdb.DuckDBPyConnection, event: str) -> str:
    """The canonical name of `event` ("viva tech" finds VivaTech) when posts cover it, or UnknownEvent."""
    found = rows(con, RESOLVE_EVENT, event=event)
    if not found:
        raise UnknownEvent(event, known_events(con))
    return found[0]["name"]
