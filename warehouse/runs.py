"""Each run's row in `runs` (started, finished, crashed or interrupted, resumed) and the failures it records."""

from __future__ import annotations

import json
import logging
from datetime import datetime

import duckdb

from schemas import Failure, RunReport
from warehouse.tables import FAILURES, insert_rows, transaction

log = logging.getLogger(__name__)


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
        insert_rows(con, "failures", list(latest.values()), FAILURES)


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
    """The latest run of `flow_name` with these options and parser version, if it did not finish."""
    row = con.execute(
        "SELECT run_id, status, options FROM runs WHERE flow_name = ? AND parser_version = ?"
        " ORDER BY started_at DESC LIMIT 1",
        [flow_name, parser_version],
    ).fetchone()
    if row is None or row[1] not in ("running", "crashed", "interrupted"):
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


def crash_run(con: duckdb.DuckDBPyConnection, run_id: str, at: datetime, status: str = "crashed") -> None:
    """Mark a run that stopped on an exception (`crashed`) or from outside (`interrupted`: Ctrl-C,
    SIGTERM); its loaded batches stay (each was one transaction).

    Called while another exception propagates, so a failure here is logged, not raised over it.
    """
    try:
        con.execute("UPDATE runs SET status = ?, finished_at = ? WHERE run_id = ?", [status, at, run_id])
    except duckdb.Error:
        log.exception("could not mark run %s as %s", run_id, status)
