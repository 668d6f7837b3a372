"""Export every table and view as Parquet, for other engines (Spark, pandas, another DuckDB).

Rows that belong to posts are partitioned by the event their post covers (Hive layout,
`event=VivaTech/…`); a post covering two events appears under both, and posts covering
none under `event=none`. Views that carry an `event` column are partitioned by it; the
others (entities, events, runs…) are written as one file each. Raw document bytes are
left out unless asked for (read from the document store): they are the bulk of the warehouse, and other
engines rarely want them.
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import duckdb

from warehouse.db import document_function

NO_EVENT = "none"


def relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, list[str]]]:
    """(name, 'table' or 'view', columns) of every user table and view."""
    rows = con.execute(
        """
        SELECT c.table_name, CASE WHEN v.view_name IS NULL THEN 'table' ELSE 'view' END, list(c.column_name ORDER BY c.column_index)
        FROM duckdb_columns() c LEFT JOIN duckdb_views() v ON v.view_name = c.table_name AND NOT v.internal
        WHERE NOT c.internal AND c.schema_name = 'main' AND c.table_name <> 'schema_migrations'
        GROUP BY ALL ORDER BY 1
        """
    ).fetchall()
    return [(name, kind, columns) for name, kind, columns in rows]


def export_parquet(con: duckdb.DuckDBPyConnection, folder: Path, *, with_content: bool = False) -> dict[str, int]:
    """Write each relation under `folder/<name>/`; return the rows written per relation (as COPY counts them)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    # Each COPY is fetched to the end: the function cannot go while a result is open.
    with document_function(con) if with_content else nullcontext():
        for name, _, columns in relations(con):
            select = f'SELECT * FROM "{name}"'
            if name == "documents" and with_content:  # raw bytes as acquired, from the document store
                select = 'SELECT *, raw_document(doc_id) AS content FROM "documents"'
            if "event" in columns:
                source, partition = f"SELECT * REPLACE (coalesce(event, '{NO_EVENT}') AS event) FROM ({select})", True
            elif "post_id" in columns:
                source = f"""
                    SELECT r.*, coalesce(e.name, '{NO_EVENT}') AS event FROM ({select}) r
                    LEFT JOIN post_events pe ON pe.post_id = r.post_id LEFT JOIN events e ON e.event_id = pe.event_id"""
                partition = True
            else:
                source, partition = select, False
            target = folder / name
            options = "FORMAT parquet, PARTITION_BY (event), OVERWRITE" if partition else "FORMAT parquet"
            path = target if partition else target / "data.parquet"
            target.mkdir(parents=True, exist_ok=True)
            quoted = str(path).replace("'", "''")
            (written[name],), = con.execute(f"COPY ({source}) TO '{quoted}' ({options})").fetchall()
    return written
