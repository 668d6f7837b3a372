"""The commands that read the warehouse (`sql`, `status`, `schema`, `export`, `report`): no flow,
no Prefect, an answer in well under a second."""

from __future__ import annotations

import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from flows.console import (
    DbOption,
    Format,
    err,
    fail,
    first_line,
    out,
    print_result,
    read_only,
    rich_table,
    settings_for,
)
from schemas import Settings
from warehouse import WarehouseError, connect
from warehouse.queries import run_sql
from warehouse.queries import status as warehouse_status


def sql(
    query: Annotated[str, typer.Argument(help="SQL to run (read-only).")],
    db: DbOption = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    excel: Annotated[bool, typer.Option("--excel", help="With --format csv: the CSV a French Excel opens "
                                        "(';', BOM, CRLF, decimal comma).")] = False,
) -> None:
    """Run read-only SQL on the warehouse and print the result."""
    import duckdb

    from warehouse.db import document_function

    con = read_only(settings_for(db))
    try:
        with document_function(con):
            result = run_sql(con, query)
    except duckdb.PermissionException as exc:
        err.print(f"[red]refused:[/red] covpipe sql reads this warehouse only: no file, other database, "
                  f"extension or setting ({first_line(exc)})", soft_wrap=True)
        raise typer.Exit(2) from exc
    except duckdb.Error as exc:
        refused = "read-only mode" in str(exc) or "configuration has been locked" in str(exc)
        err.print(f"[red]{'refused' if refused else 'SQL error'}:[/red] {first_line(exc)}", soft_wrap=True)
        raise typer.Exit(2) from exc
    finally:
        con.close()
    if excel and format is not Format.csv:
        raise fail("--excel goes with --format csv")
    print_result(result, format, excel)


def status(db: DbOption = None) -> None:
    """What the warehouse holds: posts, failures, last runs."""
    settings = settings_for(db)
    con = read_only(settings)
    try:
        info = warehouse_status(con)
    finally:
        con.close()
    counts = Table(title=f"warehouse {settings.db}")
    counts.add_column("table")
    counts.add_column("rows", justify="right")
    for name, n in info["counts"].items():
        counts.add_row(name, str(n))
    out.print(counts)
    titles = {"runs": "last runs", "failures": "failures", "waiting": "failing URLs waiting to be asked again",
              "languages": "languages"}
    for key, title in titles.items():
        result = info[key]
        if result.rows:
            out.print(rich_table(result, title=title))


def run_failures(settings: Settings, run_id: str, limit: int) -> list[tuple[str, str]]:
    """(source, reason) of the first failures a run recorded, for the lines a run prints; none
    when the warehouse cannot be read now."""
    try:
        con = connect(settings.db, read_only=True, wait_seconds=settings.lock_wait_seconds)
    except WarehouseError:
        return []
    try:
        return [tuple(r) for r in con.execute("SELECT source_uri, reason FROM failures WHERE run_id = ? "
                                              "ORDER BY failed_at, source_uri LIMIT ?", [run_id, limit]).fetchall()]
    finally:
        con.close()


class SchemaFormat(StrEnum):
    text = "text"
    markdown = "markdown"


def schema(
    format: Annotated[SchemaFormat, typer.Option("--format", "-f", help="text, or markdown (docs/warehouse.md).")]
    = SchemaFormat.text,
) -> None:
    """The warehouse schema with the meaning of every table, view and column."""
    from warehouse.schema_doc import describe, markdown

    con = connect(Path(":memory:"))
    try:
        if format is SchemaFormat.markdown:
            sys.stdout.write(markdown(con) + "\n")
            return
        for item in describe(con):
            table = Table(title=f"{item['kind']} {item['name']}", caption=item["comment"], caption_justify="left",
                          title_justify="left")
            for column in ("column", "type", "meaning"):
                table.add_column(column, overflow="fold")
            for column, kind, comment in item["columns"]:
                table.add_row(column, kind, comment or "")
            out.print(table)
    finally:
        con.close()


def export(
    folder: Annotated[Path, typer.Argument(help="Folder to write (one sub-folder per table and view).")],
    db: DbOption = None,
    format: Annotated[str, typer.Option("--format", help="Output format (parquet).")] = "parquet",
    with_content: Annotated[bool, typer.Option(help="Include the raw document bytes.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace a folder covpipe export did not write.")] = False,
) -> None:
    """Every table and view as Parquet, partitioned by event, for other engines (written aside, then swapped in)."""
    from warehouse.export import ExportRefused, export_to

    if format != "parquet":
        raise fail(f"unknown format {format!r}: parquet is the one export format")
    import duckdb

    con = read_only(settings_for(db), sandbox=False)  # COPY writes the Parquet files; the SQL is ours
    try:
        written = export_to(con, folder, with_content=with_content, overwrite=overwrite)
    except ExportRefused as exc:
        raise fail(str(exc)) from exc
    except (duckdb.Error, OSError) as exc:  # a stored document gone or damaged (--with-content), a full disk...
        raise fail(f"export stopped, {folder} unchanged: {first_line(exc)}") from exc
    finally:
        con.close()
    table = Table(title=f"exported to {folder}")
    table.add_column("table or view")
    table.add_column("rows", justify="right")
    for name, rows in written.items():
        table.add_row(name, str(rows))
    out.print(table)


def report(
    out_path: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path("report.html"),
    event: Annotated[str | None, typer.Option(help="One event (e.g. VivaTech); default: every event, with an index.")
                     ] = None,
    since: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"],
                                                   help="Only posts published on or after this day.")] = None,
    lang: Annotated[str, typer.Option(help="Language of the labels: fr or en.")] = "fr",
    internal: Annotated[bool, typer.Option("--internal", help="Add the run history and the failures (with local "
                                           "paths): the team's version, not the client's.")] = False,
    db: DbOption = None,
) -> None:
    """One self-contained HTML report (charts, sortable tables) of the events' coverage; opens offline."""
    from report import build_report
    from warehouse.coverage_events import UnknownEvent

    settings = settings_for(db)
    if out_path.is_dir():
        raise fail(f"--out takes an HTML file; {out_path} is a folder (try {out_path / 'report.html'})")
    try:
        summary = build_report(settings.db, out_path, event=event, since=since.date() if since else None, lang=lang,
                               internal=internal)
    except (WarehouseError, UnknownEvent, ValueError) as exc:
        raise fail(escape(str(exc))) from exc
    except OSError as exc:  # a folder missing on the way, no permission, a full disk
        raise fail(f"cannot write {out_path}: {exc.strerror or exc}") from exc
    out.print(f"{summary.out}: {len(summary.events)} event(s), {summary.posts} posts, {summary.quotes} quotes, "
              f"{summary.charts} charts, {summary.bytes / 1e6:.1f} MB in {summary.seconds:.1f} s")
