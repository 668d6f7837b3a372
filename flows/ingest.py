"""The ingest flow: files in, warehouse rows out, on Prefect's embedded API by default.

Wiring only: read settings once, cut the inputs into batches, run the acquire and parse
tasks on each, and hand the results to the warehouse, which is written by this process
alone. Raw documents are stored before any parsing, so a parser crash loses nothing.
`process_documents` is the per-batch step that the poll flow (live sources) shares.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import TypeVar

import duckdb
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run

from flows import progress
from flows.interrupts import checkpoint, requested, run_closed
from flows.runners import in_flight
from schemas import Failure, KnownEvent, ParseOptions, ParseOutcome, RawDocument, RunReport, Settings
from tasks.acquire import acquire_file, discover_inputs
from tasks.events import bundled_events, event_key
from tasks.version import parser_version
from warehouse import Writer
from warehouse import load as wh
from warehouse import runs
from warehouse.sources import store_hints

log = logging.getLogger(__name__)
T = TypeVar("T")
# Batches carry megabytes of bytes: hashing them for Prefect's cache would cost more than the work.
_TASK = dict(cache_policy=NO_CACHE, persist_result=False)


@task(name="acquire-batch", **_TASK)
def acquire_batch(paths: list[Path], now: datetime) -> list[RawDocument | Failure]:
    return [acquire_file(p, now) for p in paths]


def parse_documents(docs: list[RawDocument], *, known_events: tuple[KnownEvent, ...], options: ParseOptions,
                    now: datetime, version: str) -> list[ParseOutcome]:
    """`tasks.parse.parse_batch`, imported where a batch is parsed: the flow's process does not load
    trafilatura (about a second of a small run's start) when workers parse for it."""
    from tasks.parse import parse_batch

    checkpoint()
    return parse_batch(docs, known_events=known_events, options=options, now=now, version=version, stop=requested)


parse_batch_task = task(parse_documents, name="parse-batch", **_TASK)


def submit_parse(settings: Settings, docs: list[RawDocument], **parameters) -> PrefectFuture:
    """Hand a batch to the flow's task runner."""
    return parse_batch_task.submit(docs, options=settings.parse, **parameters)


def batches(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of `size` items (the last one shorter)."""
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


@dataclass
class Tally:
    """What a run did so far: counts, and failures by stage (each failure recorded as it comes)."""

    writer: Writer
    run_id: str
    counts: Counter = field(default_factory=Counter)
    failures_by_stage: Counter = field(default_factory=Counter)

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        return self.writer.con

    def fail(self, failures: list[Failure]) -> None:
        runs.record_failures(self.con, failures, self.run_id, datetime.now(UTC))
        self.failures_by_stage.update(f.stage.value for f in failures)

    @property
    def failed(self) -> int:
        return sum(self.failures_by_stage.values())


@dataclass
class Submitted:
    """A batch whose documents are stored and whose parse task is on its way."""

    documents: int
    current: dict[str, tuple[str, str]]
    job: PrefectFuture | None
    now: datetime


def submit_documents(tally: Tally, raws: list[RawDocument], *, version: str, settings: Settings, now: datetime,
                     known_events: tuple[KnownEvent, ...]) -> Submitted:
    """Store a batch of raw documents (and their hints) and submit the parse of those that are new or changed.

    A document is parsed again only when its bytes, the parser or its source's hints changed.
    """
    con, run_id = tally.con, tally.run_id
    tally.counts["documents_new"] += wh.store_documents(con, raws, run_id, now)
    rehinted = store_hints(con, raws, run_id, now)
    current = wh.current_posts(con, [d.source_uri for d in raws])
    todo = [d for d in raws if current.get(d.source_uri) != (d.doc_id, version) or d.source_uri in rehinted]
    tally.counts["unchanged"] += len(raws) - len(todo)
    job = submit_parse(settings, todo, known_events=known_events, now=now, version=version) if todo else None
    return Submitted(len(raws), current, job, now)


def finish_documents(tally: Tally, submitted: Submitted) -> list[ParseOutcome]:
    """Wait for a submitted batch's parse and load its posts and failures."""
    if submitted.job is not None:
        tally.writer.release()  # readers (status, sql) get the file while the batch parses
    checkpoint()
    outcomes: list[ParseOutcome] = submitted.job.result() if submitted.job is not None else []
    current = submitted.current
    posts = [o.post for o in outcomes if o.post is not None]
    wh.load_posts(tally.con, posts, tally.run_id, submitted.now)
    tally.fail([o.failure for o in outcomes if o.failure is not None])
    tally.counts["posts"] += len(posts)
    tally.counts["posts_new"] += sum(p.source_uri not in current for p in posts)
    tally.counts["posts_changed"] += sum(p.source_uri in current and current[p.source_uri][0] != p.doc_id
                                         for p in posts)
    return outcomes


def process_documents(tally: Tally, raws: list[RawDocument], *, version: str, settings: Settings,
                      now: datetime) -> list[ParseOutcome]:
    """Store, parse and load one batch before returning (the poll flow's step)."""
    known = wh.known_events(tally.con)
    return finish_documents(tally, submit_documents(tally, raws, version=version, settings=settings, now=now,
                                                    known_events=known))


def report_of(tally: Tally, flow_name: str, started: datetime, version: str, **extra) -> RunReport:
    """The run's report from its tally."""
    counts = tally.counts
    return RunReport(
        run_id=tally.run_id, flow_run_id=flow_run.get_id(), flow_name=flow_name, started_at=started,
        finished_at=datetime.now(UTC), parser_version=version,
        status="completed_with_failures" if tally.failed else "completed",
        inputs_seen=counts["inputs"], documents_new=counts["documents_new"], posts_written=counts["posts"],
        posts_unchanged=counts["unchanged"], posts_new=counts["posts_new"], posts_changed=counts["posts_changed"],
        failures=tally.failed, failures_by_stage=dict(tally.failures_by_stage), **extra,
    )


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
        seed_bundled_events(writer.con, started)
        found = list(discover_inputs(Path(p) for p in paths))
        files = [f for f in found if isinstance(f, Path)]
        tally.counts["inputs"] = len(found)
        logger.info("ingest %d input files into %s (parser %s)", len(files), settings.db, version)
        tally.fail([f for f in found if isinstance(f, Failure)])
        total_batches = -(-len(files) // settings.batch_size)
        # Events known when the run starts: every batch sees the same, whichever finishes first.
        known = wh.known_events(writer.con)
        pending: deque[tuple[int, int, Submitted]] = deque()

        done = 0

        def finish_oldest() -> None:
            nonlocal done
            number, files_in_batch, submitted = pending.popleft()
            outcomes = finish_documents(tally, submitted)
            done += files_in_batch
            if total_batches > 1:
                progress.advance(done, len(files), tally.failed)
            logger.info(
                "batch %d/%d: %d files, %d parsed, %d unchanged, %d failed so far",
                number, total_batches, files_in_batch, sum(o.post is not None for o in outcomes),
                submitted.documents - len(outcomes), tally.failed,
            )

        for number, batch in enumerate(batches(files, settings.batch_size), start=1):
            now = datetime.now(UTC)
            acquired = acquire_batch(batch, now)
            checkpoint()
            tally.fail([d for d in acquired if isinstance(d, Failure)])
            raws = [d for d in acquired if isinstance(d, RawDocument)]
            pending.append((number, len(batch), submit_documents(
                tally, raws, version=version, settings=settings, now=now, known_events=known)))
            while len(pending) > in_flight(settings):
                finish_oldest()
        while pending:
            finish_oldest()
        report = report_of(tally, "ingest", started, version)
        runs.finish_run(writer.con, report)
    logger.info(
        "ingest done: %d inputs, %d new documents, %d posts written, %d unchanged, %d failed",
        report.inputs_seen, report.documents_new, report.posts_written, report.posts_unchanged, report.failures,
    )
    create_markdown_artifact(key="ingest-report", markdown=_markdown(report), description="covpipe ingest run")
    return report


def seed_bundled_events(con: duckdb.DuckDBPyConnection, now: datetime) -> None:
    wh.seed_events(con, bundled_events(), {e.name: event_key(e.name) for e in bundled_events()}, now)


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
