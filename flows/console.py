"""What the CLI's commands share: where they print, the --db option, settings, read-only
connections and tables of results. No Prefect import."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from schemas import Settings
from warehouse import WarehouseError, connect
from warehouse.queries import QueryResult

# Piped output is read by people in wide windows or by tools: no 80-column squeeze there.
out = Console(width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 200)

DbOption = Annotated[Path | None, typer.Option("--db", help="DuckDB file (default: COVPIPE_DB or data/coverage.duckdb).")]


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def settings_for(db: Path | None, **overrides: Any) -> Settings:
    """The settings (environment and defaults) with the options given on the command line."""
    values = {k: v for k, v in overrides.items() if v is not None}
    if db is not None:
        values["db"] = db
    return Settings(**values)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print `message` (rich markup) as the one line of an error; the exit to raise."""
    err.print(f"[red]error:[/red] {message}", soft_wrap=True)
    return typer.Exit(code)


def read_only(settings: Settings, sandbox: bool = True):
    """A read-only connection (sandboxed: no file but the warehouse), or exit 2 with the reason
    (no warehouse yet, another writer)."""
    try:
        return connect(settings.db, read_only=True, wait_seconds=settings.lock_wait_seconds, sandbox=sandbox)
    except WarehouseError as exc:
        raise fail(escape(str(exc))) from exc


def first_line(exc: Exception) -> str:
    """The first line of an error's text, escaped for rich ("[sources.blog]" is no markup)."""
    return escape(next((line for line in str(exc).splitlines() if line.strip()), type(exc).__name__))


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _excel(value: Any) -> str:
    if isinstance(value, float | Decimal) and not isinstance(value, bool):
        return str(value).replace(".", ",")
    return cell(value)


def rich_table(result: QueryResult, title: str | None = None) -> Table:
    table = Table(title=title)
    for column in result.columns:
        table.add_column(column, overflow="fold")
    for row in result.rows:
        table.add_row(*("[dim]NULL[/dim]" if v is None else escape(cell(v)) for v in row))
    return table


def print_result(result: QueryResult, format: Format, excel: bool = False) -> None:
    """JSON, CSV (with `excel`: what a French Excel opens as is: ";" between fields, a UTF-8 BOM,
    CRLF line ends, decimal commas), or a table where NULL reads NULL."""
    if format is Format.json:
        records = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1, default=str) + "\n")
    elif format is Format.csv:
        stream = sys.stdout.buffer if excel and hasattr(sys.stdout, "buffer") else None
        if stream is not None:
            sys.stdout.flush()
            stream.write("\ufeff".encode())
            text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
        else:
            text = sys.stdout
        writer = csv.writer(text, delimiter=";" if excel else ",", lineterminator="\r\n" if excel else "\n")
        writer.writerow(result.columns)
        writer.writerows([_excel(v) if excel else cell(v) for v in row] for row in result.rows)
        if stream is not None:
            text.detach()
    else:
        out.print(rich_table(result))
        out.print(f"{len(result.rows)} row(s)", style="dim")


def print_rows(title: str, columns: tuple[str, ...], rows: list[tuple], right: tuple[str, ...] = ()) -> None:
    """A titled table of rows (NULL as an empty cell), the columns named in `right` aligned right."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column, justify="right" if column in right else "left")
    for row in rows:
        table.add_row(*(escape(str(v)) if v is not None else "" for v in row))
    out.print(table)
