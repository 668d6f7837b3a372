"""`covpipe`: a thin shell over the flows and the warehouse.

Each command reads the settings once, calls one flow or one warehouse function, and turns
a known failure into a message that says what to do. Commands that need no flow (`sql`,
`status`) never import Prefect, so they answer in well under a second.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import sys
import time
from datetime import date, datetime
from enum import StrEnum
from itertools import islice
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from schemas import Settings
from warehouse import WarehouseError, connect
from warehouse.queries import QueryResult, run_sql
from warehouse.queries import status as warehouse_status

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Event-coverage pipeline: posts to DuckDB.")
# Piped output is read by people in wide windows or by tools: no 80-column squeeze there.
out = Console(width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 200)

DbOption = Annotated[Path | None, typer.Option("--db", help="DuckDB file (default: COVPIPE_DB or data/coverage.duckdb).")]

# Prefect's embedded API, quiet and offline; a user's own settings win.
_PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_UI_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "60",
    "PREFECT_LOGGING_LEVEL": "INFO",
}


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _prefect_defaults() -> None:
    """Quiet offline Prefect settings, where the environment does not say otherwise."""
    for key, value in _PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)


def _settings(db: Path | None, **overrides: Any) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    if db is not None:
        values["db"] = db
    return Settings(**values)


class Runner(StrEnum):
    process = "process"
    dask = "dask"
    sequential = "sequential"
    served = "served"


RunnerOption = Annotated[Runner | None, typer.Option(
    "--task-runner", help="Where parse batches run: worker processes (default), Dask, in-process, or a "
                          "`covpipe worker` on the Prefect server (served; a small run uses one when it listens).")]
WorkersOption = Annotated[int | None, typer.Option(
    "--workers", min=1, help="Parse workers (default: one per core; on a Dask cluster, batches in flight).")]
DaskOption = Annotated[str | None, typer.Option(
    "--dask-address", help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a new local cluster).")]


def _runner(task_runner: Runner | None, workers: int | None, dask_address: str | None) -> dict[str, Any]:
    if dask_address and task_runner not in (None, Runner.dask):
        err.print("[red]error:[/red] --dask-address goes with --task-runner dask")
        raise typer.Exit(2)
    runner = Runner.dask if dask_address else task_runner
    return {"task_runner": runner.value if runner else None, "workers": workers, "dask_address": dask_address}


SourcesOption = Annotated[Path | None, typer.Option(
    "--sources", help="Sources file (default: COVPIPE_SOURCES or sources.toml).")]


@app.command()
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(  # readable: checked by _check_inputs, in one line
        help="Files or folders (walked recursively).", readable=False)] = None,
    source: Annotated[list[str] | None, typer.Option(
        "--source", help="Poll this source of the sources file once (repeatable), instead of PATHs.")] = None,
    sources: SourcesOption = None,
    db: DbOption = None,
    batch_size: Annotated[int | None, typer.Option(help="Documents per task.")] = None,
    task_runner: RunnerOption = None,
    workers: WorkersOption = None,
    dask_address: DaskOption = None,
) -> None:
    """Ingest HTML pages (.html, .htm, .html.gz) and text dumps (.txt), or poll sources (--source NAME)."""
    settings = _settings(db, batch_size=batch_size, sources=sources, **_runner(task_runner, workers, dask_address))
    if bool(paths) == bool(source):
        err.print("[red]error:[/red] give PATHs to ingest files, or --source NAME to poll a source of "
                  f"{settings.sources}, not both")
        raise typer.Exit(2)
    if source:
        _check_sources(settings, source)
    else:
        _check_inputs(paths)
    _check_not_held(settings)
    if not source:
        from flows.unchanged import ingest_if_unchanged

        try:
            unchanged = ingest_if_unchanged(settings, paths)
        except Exception as exc:  # noqa: BLE001 (a damaged or busy warehouse, a full disk: one line; a bug: raised)
            _run_failed(exc, settings)
        if unchanged is not None:
            out.print(f"nothing to do: {unchanged.inputs_seen} input(s) unchanged since their last parse "
                      f"(run {unchanged.run_id[:8]} recorded)")
            _print_run(unchanged, settings)
            return
        from flows.runners import for_inputs
        from tasks.acquire import discover_inputs

        inputs = sum(1 for _ in islice(discover_inputs(paths), settings.batch_size + 1))
        handed = _ingest_on_worker(settings, paths, inputs)
        if handed == "done":
            return
        # taken back from a busy or stopped worker: parse here rather than queue batches for it
        settings = settings.model_copy(update={"task_runner": "sequential"}) if handed == "taken back" else (
            for_inputs(settings, inputs))
    _prepare_flow_run(settings)
    try:
        if source:
            from flows.poll import (
                poll,  # Prefect loads only for commands that run a flow
            )

            report = poll(list(source), sources_file=str(settings.sources), db=str(settings.db))
        else:
            from flows.ingest import ingest as ingest_flow
            from flows.runners import run_flow

            report = run_flow(ingest_flow, settings, paths=[str(p) for p in paths])
    except Exception as exc:  # noqa: BLE001 (what is not the user's to fix is raised again)
        _run_failed(exc, settings)
    _print_run(report, settings, source)


def _check_inputs(paths: list[Path]) -> None:
    """Every path given exists and can be read: a typo costs a second, not a run."""
    for path in paths:
        if not path.exists():
            err.print(f"[red]error:[/red] no such file or folder: {escape(str(path))}", soft_wrap=True)
            raise typer.Exit(2)
        if not os.access(path, os.R_OK | (os.X_OK if path.is_dir() else 0)):
            err.print(f"[red]error:[/red] cannot read {escape(str(path))} (permission denied)", soft_wrap=True)
            raise typer.Exit(2)


def _check_not_held(settings: Settings) -> None:
    """No other run holds the warehouse (waiting up to COVPIPE_LOCK_WAIT_SECONDS), checked before
    Prefect starts; the run takes the lock itself when it opens the warehouse."""
    from warehouse.writer import run_holder

    deadline = time.monotonic() + settings.lock_wait_seconds
    while (pid := run_holder(settings.db)) is not None:
        if time.monotonic() >= deadline:
            err.print(f"[red]error:[/red] warehouse busy: process {pid} is writing {escape(str(settings.db))} "
                      f"(waited {settings.lock_wait_seconds:.0f} s); try again when it finishes, or raise "
                      "COVPIPE_LOCK_WAIT_SECONDS", soft_wrap=True)
            raise typer.Exit(2)
        time.sleep(0.2)


def _run_failed(exc: Exception, settings: Settings, user_errors: tuple[type, ...] = ()) -> None:
    """A run stopped by what the user can fix (a busy or damaged warehouse, a full disk, or
    `user_errors`): one line, exit 2. Anything else is a bug and keeps its traceback."""
    if _disk_full(exc):
        err.print(f"[red]error:[/red] no space left on the disk of {escape(str(settings.db))}; free some space "
                  "and run again (the batches already loaded are kept, the rest is done again)", soft_wrap=True)
    elif isinstance(exc, (WarehouseError, *user_errors)):
        err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
    else:
        raise exc
    raise typer.Exit(2) from exc


def _disk_full(exc: BaseException | None) -> bool:
    """Whether a full disk is behind `exc` (an OSError, or DuckDB's message), through its causes."""
    seen = 0
    while exc is not None and seen < 10:
        if getattr(exc, "errno", None) == errno.ENOSPC or "No space left on device" in str(exc):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _print_run(report, settings: Settings, source: list[str] | None = None) -> None:
    """The run's counts as a table; exit 1 when documents failed, saying where to look."""
    table = Table(title=f"{'poll ' + ', '.join(source) if source else 'ingest'} into {settings.db}", show_header=True)
    columns = ("inputs", "new documents", "posts written", "unchanged", "failed")
    values = (report.inputs_seen, report.documents_new, report.posts_written, report.posts_unchanged, report.failures)
    if source:
        columns = ("fetches", "not modified", "new posts", "changed posts", *columns[3:])
        values = (report.pages_fetched, report.pages_not_modified, report.posts_new, report.posts_changed,
                  *values[3:])
    for column in columns:
        table.add_column(column, justify="right")
    table.add_row(*map(str, values))
    out.print(table)
    if report.failures:
        stages = ", ".join(f"{n} at {s}" for s, n in sorted(report.failures_by_stage.items()))
        err.print(
            f"[yellow]{report.failures} document(s) failed ({stages}); "
            f"see `covpipe sql \"SELECT * FROM failures\" --db {settings.db}`[/yellow]"
        )
        raise typer.Exit(1)


def _ingest_on_worker(settings: Settings, paths: list[Path], inputs: int) -> str:
    """Hand a small ingest to a live `covpipe worker` of this code, without importing Prefect, and
    print its report: "done", "absent" (no such worker), or "taken back" (the worker did not
    start the run, or died during it: the caller makes it)."""
    import httpx

    from flows.remote import (
        Outcome,
        WorkerRunFailed,
        create_run,
        take_back,
        wait_for_run,
        worker_for,
    )

    found = worker_for(settings, inputs)
    if found is None:
        return "absent"
    api, deployment_id = found
    flow_run_id = None
    try:
        flow_run_id = create_run(api, deployment_id, paths, settings)
        outcome = wait_for_run(api, deployment_id, flow_run_id)
    except WorkerRunFailed as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    except httpx.HTTPError as exc:
        if flow_run_id is not None:  # it exists: the worker may make it, so this process does not
            err.print(f"[red]error:[/red] the Prefect server failed ({exc}); flow run {flow_run_id} may still "
                      "run on covpipe worker")
            raise typer.Exit(2) from exc
        err.print(f"[yellow]covpipe worker unreachable ({exc}); running the ingest here[/yellow]")
        return "taken back"
    except KeyboardInterrupt:
        if flow_run_id is not None and take_back(api, flow_run_id, "interrupted in the CLI"):
            err.print("interrupted: the run was not started")
        elif flow_run_id is not None:
            err.print(f"interrupted: flow run {flow_run_id} goes on in covpipe worker")
        raise typer.Exit(130) from None
    finally:
        api.close()
    if outcome is Outcome.taken_back:
        err.print("[yellow]covpipe worker did not start the run or stopped during it; running it here[/yellow]")
        return "taken back"
    from warehouse.queries import run_report

    con = _read_only(settings)
    try:
        report = run_report(con, flow_run_id)
    except (LookupError, ValueError) as exc:  # the worker wrote another file (other mounts?)
        err.print(f"[red]error:[/red] flow run {flow_run_id} completed on covpipe worker, but {settings.db} "
                  f"has no report of it: {exc}")
        raise typer.Exit(2) from exc
    finally:
        con.close()
    out.print(f"ran on covpipe worker: flow run {flow_run_id}", style="dim")
    _print_run(report, settings)
    return "done"


def _check_sources(settings: Settings, names: list[str] | None = None):
    """The sources file, read and checked, or exit 2 with what to fix."""
    from schemas import SourcesError, parse_sources

    path = settings.sources
    try:
        config = parse_sources(path.read_text("utf-8"), base=path.resolve().parent)
        for name in names or ():
            config.get(name)
    except FileNotFoundError as exc:
        err.print(f"[red]error:[/red] no sources file at {path}: copy sources.example.toml to {path}, "
                  "or pass --sources FILE")
        raise typer.Exit(2) from exc
    except IsADirectoryError as exc:
        err.print(f"[red]error:[/red] --sources takes a TOML file; {path} is a folder", soft_wrap=True)
        raise typer.Exit(2) from exc
    except (OSError, UnicodeDecodeError) as exc:
        err.print(f"[red]error:[/red] cannot read {path}: {exc}", soft_wrap=True)
        raise typer.Exit(2) from exc
    except (SourcesError, KeyError) as exc:  # escaped: "[sources.blog]" is not rich markup
        err.print(f"[red]error:[/red] {escape(f'{path}: {exc.args[0]}')}", soft_wrap=True)
        raise typer.Exit(2) from exc
    return config


@app.command()
def serve(
    sources: SourcesOption = None,
    db: DbOption = None,
) -> None:
    """Run every source on its schedule, as Prefect deployments, until interrupted (Ctrl-C).

    Uses the Prefect server PREFECT_API_URL names; without one, starts `prefect server start`
    on 127.0.0.1 (its database in the warehouse's folder, under prefect-server/) and stops it on exit.
    """
    settings = _settings(db, sources=sources)
    config = _check_sources(settings)
    if not config.sources:
        err.print(f"[red]error:[/red] {settings.sources} declares no source ([sources.NAME])")
        raise typer.Exit(2)
    ui = os.environ.get("PREFECT_SERVER_UI_ENABLED", "true").lower() not in ("0", "false", "no")
    _prefect_defaults()
    from flows.serve import ServerError, prefect_api, serve_sources

    try:
        with prefect_api(settings.db.resolve().parent / "prefect-server", ui=ui) as (api_url, server):
            where = f"started {server.url} (log {server.log_path})" if server else f"using {api_url}"
            out.print(f"Prefect server: {where}")
            if server and ui:
                out.print(f"Prefect UI: {server.url}")
            for name, source in config.sources.items():
                out.print(f"  {name}: {source.kind}, {source.schedule or 'no schedule (run it from the UI)'}")
            out.print("Serving; Ctrl-C stops.", style="dim")
            serve_sources(config, settings.sources, settings.db)
    except ServerError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


@app.command()
def worker() -> None:
    """Keep Prefect, the parsers and the model loaded: run small ingests whole, parse other runs'
    batches; until interrupted (Ctrl-C).

    Listens on the Prefect server PREFECT_API_URL names (`prefect server start`, or the one
    `covpipe serve` starts). A `covpipe ingest` of one batch or less on that server hands it
    the whole run (about 3 s instead of 20); `--task-runner served` sends a run's batches to
    it. One run and one batch at a time; after a code change, restart it (until then, runs
    do their work themselves).
    """
    if not os.environ.get("PREFECT_API_URL"):
        err.print("[red]error:[/red] covpipe worker needs a Prefect server: start one (`prefect server start`) and "
                  "set PREFECT_API_URL, here and for the runs")
        raise typer.Exit(2)
    _prefect_defaults()
    from flows.serve import serve_parse_worker

    out.print(f"covpipe worker on {os.environ['PREFECT_API_URL']}; Ctrl-C stops.", style="dim")
    serve_parse_worker(_settings(None), ready=lambda text: out.print(text, style="dim"))


@app.command()
def reprocess(
    all_posts: Annotated[bool, typer.Option("--all/--stale",
                                            help="Every post, or only those another parser version wrote.")] = False,
    where: Annotated[str | None, typer.Option(help="SQL condition on posts, e.g. \"site_name = 'Le Monde'\".")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    db: DbOption = None,
    batch_size: Annotated[int | None, typer.Option(help="Documents per task.")] = None,
    show: Annotated[int, typer.Option(help="Changes to list in the terminal.")] = 30,
    task_runner: RunnerOption = None,
    workers: WorkersOption = None,
    dask_address: DaskOption = None,
) -> None:
    """Re-derive posts from the stored raw documents after a parser change, with a diff."""
    settings = _settings(db, batch_size=batch_size, **_runner(task_runner, workers, dask_address))
    if where is not None:
        _check_where(settings, where)  # a typo fails now, not after Prefect has started
    _check_not_held(settings)
    _prepare_flow_run(settings)
    from flows.reprocess import reprocess as reprocess_flow
    from flows.runners import run_flow

    try:
        report, changes = run_flow(reprocess_flow, settings, everything=all_posts, where=where, dry_run=dry_run)
    except Exception as exc:  # noqa: BLE001 (what is not the user's to fix is raised again)
        _run_failed(exc, settings, user_errors=(ValueError,))  # --where that DuckDB refuses
    out.print(f"{'dry run: ' if dry_run else ''}{report.inputs_seen} source(s) re-derived; {report.changes}")
    if changes:
        columns = ["source_uri", "change", "item", "old_value", "new_value"]
        rows = [tuple(c[k] for k in columns) for c in changes[:show]]
        out.print(_rich_table(QueryResult(columns=columns, rows=rows)))
        if len(changes) > show:
            where_run = f"WHERE run_id = '{report.run_id}'" if not dry_run else ""
            out.print(f"{len(changes) - show} more; " + (
                f"`covpipe sql \"SELECT * FROM reprocess_changes {where_run}\"`" if not dry_run else "--show N"),
                style="dim")
    if report.failures:
        err.print(f"[yellow]{report.failures} document(s) failed; their previous posts are kept[/yellow]")
        raise typer.Exit(1)


def _check_where(settings: Settings, where: str) -> None:
    import duckdb

    con = _read_only(settings)
    try:
        if ";" in where:
            raise ValueError("it must be one SQL condition, without ';'")
        con.execute(f"SELECT count(*) FROM posts WHERE {where}").fetchone()
    except (duckdb.Error, ValueError) as exc:
        err.print(f"[red]error:[/red] --where {where!r} is not a condition on posts: {exc}")
        raise typer.Exit(2) from exc
    finally:
        con.close()


def _prepare_flow_run(settings: Settings) -> None:
    """Check that a served run has a listening `covpipe worker`; quiet offline Prefect defaults; and
    the spaCy model loading while Prefect imports when parsing runs in this process."""
    _prefect_defaults()
    from flows.runners import in_process, served_worker_ready

    if settings.task_runner == "served" and not served_worker_ready():
        err.print("[red]error:[/red] --task-runner served needs a `covpipe worker` of this code listening on "
                  f"the Prefect server PREFECT_API_URL names ({os.environ.get('PREFECT_API_URL', 'unset')})")
        raise typer.Exit(2)
    if in_process(settings):
        from tasks.nlp import warm_up

        warm_up(settings.parse.spacy_model)


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run (read-only).")],
    db: DbOption = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
) -> None:
    """Run read-only SQL on the warehouse and print the result."""
    import duckdb

    from warehouse.db import document_function

    con = _read_only(_settings(db))
    try:
        with document_function(con):
            result = run_sql(con, query)
    except duckdb.PermissionException as exc:
        err.print(f"[red]refused:[/red] covpipe sql reads this warehouse only: no file, other database, "
                  f"extension or setting ({_first_line(exc)})", soft_wrap=True)
        raise typer.Exit(2) from exc
    except duckdb.Error as exc:
        refused = "read-only mode" in str(exc) or "configuration has been locked" in str(exc)
        err.print(f"[red]{'refused' if refused else 'SQL error'}:[/red] {_first_line(exc)}", soft_wrap=True)
        raise typer.Exit(2) from exc
    finally:
        con.close()
    _print_result(result, format)


@app.command()
def status(db: DbOption = None) -> None:
    """What the warehouse holds: posts, failures, last runs."""
    settings = _settings(db)
    con = _read_only(settings)
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
    for title in ("runs", "failures", "languages"):
        result = info[title]
        if result.rows:
            out.print(_rich_table(result, title=title.replace("runs", "last runs")))


class SchemaFormat(StrEnum):
    text = "text"
    markdown = "markdown"


@app.command()
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


@app.command()
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
        err.print(f"[red]error:[/red] unknown format {format!r}: parquet is the one export format")
        raise typer.Exit(2)
    import duckdb

    con = _read_only(_settings(db), sandbox=False)  # COPY writes the Parquet files; the SQL is ours
    try:
        written = export_to(con, folder, with_content=with_content, overwrite=overwrite)
    except ExportRefused as exc:
        err.print(f"[red]error:[/red] {exc}", soft_wrap=True)
        raise typer.Exit(2) from exc
    except (duckdb.Error, OSError) as exc:  # a stored document gone or damaged (--with-content), a full disk...
        err.print(f"[red]error:[/red] export stopped, {folder} unchanged: {_first_line(exc)}", soft_wrap=True)
        raise typer.Exit(2) from exc
    finally:
        con.close()
    table = Table(title=f"exported to {folder}")
    table.add_column("table or view")
    table.add_column("rows", justify="right")
    for name, rows in written.items():
        table.add_row(name, str(rows))
    out.print(table)


@app.command()
def report(
    out_path: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path("report.html"),
    event: Annotated[str | None, typer.Option(help="One event (e.g. VivaTech); default: every event, with an index.")
                     ] = None,
    since: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"],
                                                   help="Only posts published on or after this day.")] = None,
    lang: Annotated[str, typer.Option(help="Language of the labels: fr or en.")] = "fr",
    db: DbOption = None,
) -> None:
    """One self-contained HTML report (charts, sortable tables) of the events' coverage; opens offline."""
    from report import build_report
    from warehouse.coverage import UnknownEvent

    settings = _settings(db)
    if out_path.is_dir():
        err.print(f"[red]error:[/red] --out takes an HTML file; {out_path} is a folder (try {out_path / 'report.html'})",
                  soft_wrap=True)
        raise typer.Exit(2)
    try:
        summary = build_report(settings.db, out_path, event=event, since=since.date() if since else None, lang=lang)
    except (WarehouseError, UnknownEvent, ValueError) as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(2) from exc
    except OSError as exc:  # a folder missing on the way, no permission, a full disk
        err.print(f"[red]error:[/red] cannot write {out_path}: {exc.strerror or exc}", soft_wrap=True)
        raise typer.Exit(2) from exc
    out.print(f"{summary.out}: {len(summary.events)} event(s), {summary.posts} posts, {summary.quotes} quotes, "
              f"{summary.charts} charts, {summary.bytes / 1e6:.1f} MB in {summary.seconds:.1f} s")


def _read_only(settings: Settings, sandbox: bool = True):
    """A read-only connection (sandboxed: no file but the warehouse), or exit 2 with the reason
    (no warehouse yet, another writer)."""
    try:
        return connect(settings.db, read_only=True, wait_seconds=settings.lock_wait_seconds, sandbox=sandbox)
    except WarehouseError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(2) from exc


def _first_line(exc: Exception) -> str:
    """The first line of an error's text, escaped for rich ("[sources.blog]" is no markup)."""
    return escape(next((line for line in str(exc).splitlines() if line.strip()), type(exc).__name__))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _rich_table(result: QueryResult, title: str | None = None) -> Table:
    table = Table(title=title)
    for column in result.columns:
        table.add_column(column, overflow="fold")
    for row in result.rows:
        table.add_row(*(_cell(v) for v in row))
    return table


def _print_result(result: QueryResult, format: Format) -> None:
    if format is Format.json:
        records = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1, default=str) + "\n")
    elif format is Format.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(result.columns)
        writer.writerows([_cell(v) for v in row] for row in result.rows)
    else:
        out.print(_rich_table(result))
        out.print(f"{len(result.rows)} row(s)", style="dim")


if __name__ == "__main__":
    app()
