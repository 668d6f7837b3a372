"""Read-side queries: what the warehouse holds, and ad-hoc SQL for the CLI.

Ad-hoc SQL runs on a read-only connection, so a typo cannot change the warehouse.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import duckdb

from schemas import RunReport


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]


def run_sql(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> QueryResult:
    cursor = con.execute(sql, params or [])
    columns = [d[0] for d in cursor.description or []]
    return QueryResult(columns=columns, rows=cursor.fetchall() if columns else [])


def status(con: duckdb.DuckDBPyConnection, last_runs: int = 5) -> dict[str, Any]:
    """Counts of what the warehouse holds, the last runs and the failures to look at."""
    count = lambda table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: E731
    tables = ("documents", "posts", "events", "post_events", "entities", "mentions", "roles", "quotes", "failures")
    counts = {t: count(t) for t in tables}
    runs = run_sql(
        con,
        "SELECT left(run_id, 8) AS run, flow_name AS flow, strftime(started_at, '%Y-%m-%d %H:%M') AS started,"
        " round(epoch(finished_at - started_at), 1) AS seconds, status, parser_version AS parser,"
        " inputs_seen AS inputs, posts_written AS written, posts_unchanged AS unchanged, failures"
        " FROM runs ORDER BY started_at DESC LIMIT ?",
        [last_runs],
    )
    failures = run_sql(
        con, "SELECT stage, reason, count(*) AS documents FROM open_failures GROUP BY ALL ORDER BY documents DESC, stage"
    )
    languages = run_sql(con, "SELECT language, count(*) AS posts FROM posts GROUP BY ALL ORDER BY posts DESC LIMIT 5")
    waiting = run_sql(
        con, "SELECT url, failures AS \"failures in a row\", strftime(retry_at, '%Y-%m-%d %H:%M') AS \"not before\","
             " error FROM url_states WHERE outcome = 'failed' AND retry_at > now() ORDER BY retry_at LIMIT 10")
    return dict(counts=counts, runs=runs, failures=failures, languages=languages, waiting=waiting)


def run_report(con: duckdb.DuckDBPyConnection, run_id: str) -> RunReport:
    """The report of a finished run, from its `runs` row (a run made in another process)."""
    result = run_sql(con, "SELECT * FROM runs WHERE run_id = ?", [run_id])
    if not result.rows:
        raise LookupError(f"no run {run_id} in the warehouse")
    row = dict(zip(result.columns, result.rows[0], strict=True))
    row["failures_by_stage"] = json.loads(row["failures_by_stage"] or "{}")
    return RunReport.model_validate({k: v for k, v in row.items() if k in RunReport.model_fields and v is not None})


def posts_condition(where: str) -> str:
    """`where` as one SQL condition on posts, judged by DuckDB's own parser (a ';' or a comment
    inside a string literal is the literal's), wrapped so that nothing after it in a query can
    be commented out or joined to it. ValueError when it is not one condition."""
    wrapped = f"({where}\n)"
    try:
        statements = duckdb.extract_statements(f"SELECT post_id FROM posts WHERE {wrapped}")
    except duckdb.Error as exc:
        raise ValueError(_first_line(exc)) from exc
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        raise ValueError("it must be one SQL condition on posts")
    return wrapped


def check_condition(con: duckdb.DuckDBPyConnection, where: str) -> int:
    """How many posts `where` selects; ValueError, with DuckDB's reason, when it is not a condition
    on posts (a syntax error, an unknown column)."""
    try:
        return con.execute(f"SELECT count(*) FROM posts WHERE {posts_condition(where)}").fetchone()[0]
    except duckdb.Error as exc:
        raise ValueError(_first_line(exc)) from exc


def _first_line(exc: Exception) -> str:
    return next((line for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
