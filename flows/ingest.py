"""The ingest flow: files in, warehouse rows out, on Prefect's embedded API by default.

Wiring only: read settings once, cut the inputs into batches, run the acquire and parse
tasks on each, and hand the results to the warehouse, which is written by this process
alone. Raw documents are stored before any parsing, so a parser crash loses nothing. The
steps themselves are plain functions (`flows.steps`); `process_documents` is the per-batch
step that the poll flow (live sources) shares.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run

from flows import progress
from flows.event_tagging import event_count, retag_if_grown, seed_starter_events
from flows.interrupts import checkpoint, requested, run_closed
from flows.runners import in_flight
from flows.steps import Tally, batches, group_posts, load_batch, pipelined, report_of, store_batch
from schemas import Failure, ParseOptions, ParseOutcome, RawDocument, RunReport, Settings
from tasks.sources.acquire import acquire_file, discover_inputs
from tasks.version import parser_version
from warehouse import Writer
from warehouse import runs

log = logging.getLogger(__name__)
# Batches carry megabytes of bytes: hashing them for Prefect's cache would cost more than the work.
_TASK = dict(cache_policy=NO_CACHE, persist_result=False)


@task(name="acquire-batch", **_TASK)
def acquire_batch(paths: list[Path], now: datetime) -> list[RawDocument | Failure]:
    return [acquire_file(p, now) for p in paths]


def parse_documents(docs: list[RawDocument], *, options: ParseOptions, now: datetime,
                    version: str) -> list[ParseOutcome]:
    """`tasks.parse.parse_batch`, imported where a batch is parsed: the flow's process does not load
    trafilatura (about a second of a small run's start) when workers parse for it."""
    from tasks.parse import parse_batch

    checkpoint()
    return parse_batch(docs, options=options, now=now, version=version, stop=requested)


parse_batch_task = task(parse_documents, name="parse-batch", **_TASK)


def submit_parse(settings: Settings, docs: list[RawDocument], **parameters) -> PrefectFuture:
    """Hand a batch to the flow's task runner."""
    return parse_batch_task.submit(docs, options=settings.parse, **parameters)


def outcomes_of(writer: Writer, job: PrefectFuture | None) -> list[ParseOutcome]:
    """Wait for a batch's parse (readers get the warehouse meanwhile); no job, no outcome."""
    if job is None:
        return []
    writer.release()  # readers (status, sql) get the file while the batch parses
    checkpoint()
    return job.result()


def process_documents(tally: Tally, raws: list[RawDocument], *, version: str, settings: Settings,
                      now: datetime) -> list[ParseOutcome]:
    """Store, parse and load one batch before returning (the poll flow's step)."""
    stored = store_batch(tally, raws, version=version, now=now)
    job = submit_parse(settings, stored.todo, now=now, version=version) if stored.todo else None
    outcomes = outcomes_of(tally.writer, job)
    load_batch(tally, stored, outcomes)
    return outcomes


@flow(name="ingest", log_prints=False, validate_parameters=False)
def ingest(paths: list[str], settings: Settings | None = None) -> RunReport:
    """Ingest files and folders (recursively) into the warehouse; return the run's report."""
    settings = settings or Settings()
    logger = get_run_logger()
    started = datetime.now(UTC)
    run_id = str(flow_run.get_id() or uuid.uuid4())
    version = parser_version(settings.parse)

    writer = Writer(settings.db, wait_seconds=settings.lock_wait_seconds, memory_limit=settings.memory_limit)
    tally = Tally(writer, run_id)
    with run_closed(writer, run_id):
        runs.start_run(writer.con, run_id, flow_run.get_id(), "ingest", started, version)
        seed_starter_events(writer.con, started)
        events_before = event_count(writer.con)
        found = list(discover_inputs(Path(p) for p in paths))
        files = [f for f in found if isinstance(f, Path)]
        tally.counts["inputs"] = len(found)
        logger.info("ingest %d input files into %s (parser %s)", len(files), settings.db, version)
        tally.fail([f for f in found if isinstance(f, Failure)])
        total_batches = -(-len(files) // settings.batch_size)
        done = 0

        def submit(numbered: tuple[int, list[Path]]):
            number, batch = numbered
            now = datetime.now(UTC)
            acquired = acquire_batch(batch, now)
            checkpoint()
            tally.fail([d for d in acquired if isinstance(d, Failure)])
            stored = store_batch(tally, [d for d in acquired if isinstance(d, RawDocument)], version=version, now=now)
            job = submit_parse(settings, stored.todo, now=now, version=version) if stored.todo else None
            return number, len(batch), stored, job

        def finish(submitted) -> None:
            nonlocal done
            number, files_in_batch, stored, job = submitted
            outcomes = outcomes_of(writer, job)
            load_batch(tally, stored, outcomes)
            done += files_in_batch
            if total_batches > 1:
                progress.advance(done, len(files), tally.failed)
            logger.info("batch %d/%d: %d files, %d parsed, %d unchanged, %d failed so far", number, total_batches,
                        files_in_batch, sum(o.post is not None for o in outcomes), stored.documents - len(outcomes),
                        tally.failed)

        pipelined(enumerate(batches(files, settings.batch_size), start=1), submit, finish, in_flight(settings))
        retag_if_grown(writer.con, events_before, run_id, datetime.now(UTC))
        group_posts(writer.con, datetime.now(UTC), wrote=bool(tally.counts["posts"]))
        report = report_of(tally, "ingest", started, version, flow_run.get_id())
        runs.finish_run(writer.con, report)
    logger.info(
        "ingest done: %d inputs, %d new documents, %d posts written, %d unchanged, %d failed",
        report.inputs_seen, report.documents_new, report.posts_written, report.posts_unchanged, report.failures,
    )
    create_markdown_artifact(key="ingest-report", markdown=_markdown(report), description="covpipe ingest run")
    return report


def _markdown(report: RunReport) -> str:
    stages = "".join(f"| {stage} | {n} |\n" for stage, n in sorted(report.failures_by_stage.items()))
    return (
        f"# covpipe ingest {report.run_id}\n\n"
        f"Parser version `{report.parser_version}`, {report.status}, "
        f"{(report.finished_at - report.started_at).total_seconds():.1f} s.\n\n"
        "| inputs | new documents | posts written | unchanged | failures |\n|---|---|---|---|---|\n"
        f"| {report.inputs_seen} | {report.documents_new} | {report.posts_written} | {report.posts_unchanged} "
        f"| {report.failures} |\n"
        + (f"\n| stage | failures |\n|---|---|\n{stages}" if stages else "")
    )
