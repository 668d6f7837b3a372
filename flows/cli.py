"""`covpipe`: a thin shell over the flows and the warehouse.

Each command reads the settings once, calls one flow or one warehouse function, and turns
a known failure into a message that says what to do. The commands that run a flow are here;
those that read the warehouse are in `flows.reading`, the `events` commands in
`flows.event_commands`, and neither imports Prefect; the checks made before a run starts are
in `flows.checks`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from itertools import islice
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from flows import correct_commands, event_commands, outlet_commands, reading
from flows.checks import check_inputs, check_not_held, check_sources, check_where, run_failed
from flows.console import DbOption, err, fail, out, rich_table, settings_for
from schemas import Settings
from warehouse.queries import QueryResult

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Event-coverage pipeline: posts to DuckDB.")
for command in (reading.sql, reading.status, reading.schema, reading.export, reading.report):
    app.command()(command)
app.add_typer(event_commands.app, name="events")
app.add_typer(outlet_commands.app, name="outlets")
app.add_typer(correct_commands.app, name="correct")

# Prefect's embedded API, quiet and offline; a user's own settings win.
_PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",  # Prefect's client telemetry (and its first-run notice on a terminal)
    "PREFECT_SERVER_UI_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "60",
    "PREFECT_LOGGING_LEVEL": "INFO",
}


def _prefect_defaults() -> None:
    """Quiet offline Prefect settings, where the environment does not say otherwise."""
    for key, value in _PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)


class Runner(StrEnum):
    process = "process"
    dask = "dask"
    sequential = "sequential"


RunnerOption = Annotated[Runner | None, typer.Option(
    "--task-runner", help="Where parse batches run: worker processes (default; a run of one batch parses "
                          "in-process), Dask, or in-process.")]
WorkersOption = Annotated[int | None, typer.Option(
    "--workers", min=1, help="Parse workers (default: one per core; on a Dask cluster, batches in flight).")]
DaskOption = Annotated[str | None, typer.Option(
    "--dask-address", help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a new local cluster).")]


def _runner(task_runner: Runner | None, workers: int | None, dask_address: str | None) -> dict[str, Any]:
    if dask_address and task_runner not in (None, Runner.dask):
        raise fail("--dask-address goes with --task-runner dask")
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
    settings = settings_for(db, batch_size=batch_size, sources=sources, **_runner(task_runner, workers, dask_address))
    if bool(paths) == bool(source):
        raise fail("give PATHs to ingest files, or --source NAME to poll a source of "
                   f"{settings.sources}, not both")
    if source:
        check_sources(settings, source)
    else:
        check_inputs(paths)
    check_not_held(settings)
    if not source:
        from flows.unchanged import ingest_if_unchanged

        try:
            unchanged = ingest_if_unchanged(settings, paths)
        except Exception as exc:  # noqa: BLE001 (a damaged or busy warehouse, a full disk: one line; a bug: raised)
            run_failed(exc, settings)
        if unchanged is not None:
            out.print(f"nothing to do: {unchanged.inputs_seen} input(s) unchanged since their last parse "
                      f"(run {unchanged.run_id[:8]} recorded)")
            _print_run(unchanged, settings)
            return
        from flows.runners import for_inputs
        from tasks.sources.acquire import discover_inputs

        inputs = sum(1 for _ in islice(discover_inputs(paths), settings.batch_size + 1))
        settings = for_inputs(settings, inputs)

    def run():
        if source:
            from flows.poll import poll  # Prefect loads only for commands that run a flow
            from flows.runners import api_ready

            api_ready(settings)
            return poll(list(source), sources_file=str(settings.sources), db=str(settings.db))
        from flows.ingest import ingest as ingest_flow
        from flows.runners import run_flow

        return run_flow(ingest_flow, settings, paths=[str(p) for p in paths])

    _print_run(_flow_run(settings, run), settings, source)


def _flow_run(settings: Settings, run: Callable[[], Any], user_errors: tuple[type, ...] = ()) -> Any:
    """`run()` (a flow), with Prefect prepared. SIGTERM stops it as Ctrl-C does; either is one line and
    exit 130 or 143 (the run marks itself interrupted). Failures go through `checks.run_failed`."""
    from flows.interrupts import exit_code, signal_of, sigterm_as_interrupt

    try:
        with sigterm_as_interrupt(), _progress_bar():
            _prepare_flow_run(settings)
            return run()
    except BaseException as exc:
        if signal_of(exc) is not None:
            err.print(f"interrupted: the batches already loaded into {escape(str(settings.db))} are kept; "
                      "the run is marked interrupted (`covpipe status`)", soft_wrap=True)
            raise typer.Exit(exit_code(exc)) from None
        if not isinstance(exc, Exception):
            raise
        from flows.prefect_server import ServerError  # the run's Prefect API did not start: its log says why

        run_failed(exc, settings, (*user_errors, ServerError))


@contextmanager
def _progress_bar() -> Iterator[None]:
    """Within: a progress bar on the terminal for runs of more than one batch (documents done of the
    total, rate, time left, failures so far), instead of Prefect's log lines, which still go to
    its API (`PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL` set otherwise keeps them). Piped output
    keeps the log lines and draws no bar."""
    if not err.is_terminal:
        yield
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from flows import progress

    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")  # read when Prefect loads
    columns = (TextColumn("documents"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), TextColumn("{task.fields[failed]}"))
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("run", total=None, visible=False, rate="", failed="")

        def update(done: int, total: int, failed: int) -> None:
            speed = bar.tasks[0].speed
            bar.update(task, completed=done, total=total, visible=True, failed=f"{failed} failed",
                       rate=f"{speed:.1f}/s" if speed else "")

        with progress.listening(update):
            yield


def _print_run(report, settings: Settings, source: list[str] | None = None) -> None:
    """The run's counts as a table; exit 1 when documents failed, saying where to look."""
    table = Table(title=f"{'poll ' + ', '.join(source) if source else 'ingest'} into {settings.db}", show_header=True)
    columns = ("inputs", "new documents", "posts written", "unchanged", "failed")
    values = (report.inputs_seen, report.documents_new, report.posts_written, report.posts_unchanged, report.failures)
    if source:
        columns = ("fetches", "304 not modified", "not asked for", "new posts", "changed posts", *columns[3:])
        values = (report.pages_fetched, report.pages_not_modified, report.pages_skipped, report.posts_new,
                  report.posts_changed, *values[3:])
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
        for uri, reason in reading.run_failures(settings, report.run_id, _SHOWN_FAILURES):
            err.print(f"  {escape(uri)}: {escape(reason)}", soft_wrap=True, highlight=False)
        raise typer.Exit(1)


_SHOWN_FAILURES = 5


@app.command()
def serve(
    sources: SourcesOption = None,
    db: DbOption = None,
) -> None:
    """Run every source on its schedule, as Prefect deployments, until interrupted (Ctrl-C).

    Uses the Prefect server PREFECT_API_URL names; without one, starts `prefect server start`
    on 127.0.0.1:4200 (PREFECT_SERVER_API_PORT), with Prefect's home and database (PREFECT_HOME,
    ~/.prefect), its UI on (PREFECT_SERVER_UI_ENABLED=false turns it off), and stops it on exit.
    """
    settings = settings_for(db, sources=sources)
    config = check_sources(settings)
    if not config.sources:
        raise fail(f"{settings.sources} declares no source ([sources.NAME])")
    ui = os.environ.get("PREFECT_SERVER_UI_ENABLED", "true").lower() not in ("0", "false", "no")
    _prefect_defaults()
    from flows.prefect_server import DEFAULT_PORT, ServerError, prefect_home
    from flows.serve import prefect_api, serve_sources

    try:
        port = int(os.environ.get("PREFECT_SERVER_API_PORT") or DEFAULT_PORT)
        with prefect_api(prefect_home(), ui=ui, port=port) as (api_url, server):
            where = f"started {server.url} (log {server.log_path})" if server else f"using {api_url}"
            out.print(f"Prefect server: {where}")
            if server and ui:
                out.print(f"Prefect UI: {server.url}")
            for name, source in config.sources.items():
                out.print(f"  {name}: {source.kind}, {source.schedule or 'no schedule (run it from the UI)'}")
            out.print("Serving; Ctrl-C stops.", style="dim")
            serve_sources(config, settings.sources, settings.db)
    except ServerError as exc:
        raise fail(str(exc)) from exc


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
    settings = settings_for(db, batch_size=batch_size, **_runner(task_runner, workers, dask_address))
    if where is not None:
        check_where(settings, where)  # a typo fails now, not after Prefect has started
    check_not_held(settings)

    def run():
        from flows.reprocess import reprocess as reprocess_flow
        from flows.runners import run_flow

        return run_flow(reprocess_flow, settings, everything=all_posts, where=where, dry_run=dry_run)

    report, changes = _flow_run(settings, run, user_errors=(ValueError,))  # ValueError: --where DuckDB refuses
    out.print(f"{'dry run: ' if dry_run else ''}{report.inputs_seen} source(s) re-derived; {report.changes}")
    if changes:
        columns = ["source_uri", "change", "item", "old_value", "new_value"]
        rows = [tuple(c[k] for k in columns) for c in changes[:show]]
        out.print(rich_table(QueryResult(columns=columns, rows=rows)))
        if len(changes) > show:
            where_run = f"WHERE run_id = '{report.run_id}'" if not dry_run else ""
            out.print(f"{len(changes) - show} more; " + (
                f"`covpipe sql \"SELECT * FROM reprocess_changes {where_run}\"`" if not dry_run else "--show N"),
                style="dim")
    if report.failures:
        err.print(f"[yellow]{report.failures} document(s) failed; their previous posts are kept[/yellow]")
        raise typer.Exit(1)


def _prepare_flow_run(settings: Settings) -> None:
    """Before Prefect is imported: quiet offline Prefect defaults; the run's Prefect API starting;
    and the spaCy model loading meanwhile, when parsing runs in this process."""
    _prefect_defaults()
    from flows.runners import in_process, preload_workers, start_api

    start_api(settings)
    preload_workers(settings)
    if in_process(settings):
        from tasks.names.nlp import warm_up

        warm_up(settings.parse.spacy_model)


if __name__ == "__main__":
    app()
