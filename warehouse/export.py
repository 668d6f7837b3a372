"""Export every table and view as Parquet, for other engines (Spark, pandas, another DuckDB).

Rows that belong to posts are partitioned by the event their post covers (Hive layout,
`event=VivaTech/…`); a post covering two events appears under both, and posts covering
none under `event=none`. Views that carry an `event` column are partitioned by it; the
others (entities, events, runs…) are written as one file each. Raw document bytes are
left out unless asked for (read from the document store): they are the bulk of the warehouse, and other
engines rarely want them.
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from warehouse.db import document_function

NO_EVENT = "none"
MARKER = ".covpipe-export"  # in every folder `export_to` wrote: the folders it may replace


class ExportRefused(ValueError):
    """The target folder holds files covpipe did not write (or is a file)."""


def export_to(con: duckdb.DuckDBPyConnection, folder: Path, *, with_content: bool = False,
              overwrite: bool = False) -> dict[str, int]:
    """Export into a new folder beside `folder`, then swap it in: a failed export leaves the
    previous one whole, and no file is left from an earlier export. A non-empty folder that
    is not an earlier export is refused unless `overwrite`."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ExportRefused(f"{folder} is a file: give a folder to export into")
    if folder.is_dir() and not (folder / MARKER).exists() and any(folder.iterdir()) and not overwrite:
        raise ExportRefused(f"{folder} holds files covpipe export did not write: give an empty or new folder, "
                            "or pass --overwrite to replace it")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent))
    old = staging.with_suffix(".old")
    try:
        written = export_parquet(con, staging, with_content=with_content)
        (staging / MARKER).write_text(f"written by covpipe export at {datetime.now(UTC).isoformat()}\n", "utf-8")
        if folder.exists():
            folder.rename(old)
        staging.rename(folder)
    except BaseException:
        if old.exists() and not folder.exists():
            old.rename(folder)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return written


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
