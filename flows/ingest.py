"""The ingest flow: files in, warehouse rows out, on Prefect's embedded API by default.

Wiring only: read settings once, cut the inputs into batches, run the acquire and parse
tasks on each, and hand the results to the warehouse, which is written by this process
alone. Raw documents are stored before any parsing, so a parser crash loses nothing.
`process_documents` is the per-batch step that the poll flow (live sources) shares.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
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
from prefect.futures import PrefectDistributedFuture, PrefectFuture
from prefect.runtime import flow_run

from flows.runners import in_flight
from schemas import Failure, KnownEvent, ParseOptions, ParseOutcome, RawDocument, RunReport, Settings
from tasks.acquire import acquire_file, discover_inputs
from tasks.events import bundled_events, event_key
from tasks.version import parser_version
from warehouse import Writer
from warehouse import load as wh
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
    trafilatura (about a second of a small run's start) when workers parse for it.

    One batch at a time per process: a `covpipe worker` parses a served batch and its own run's
    batch in two threads, and shares one language model between them.
    """
    from tasks.parse import parse_batch

    with _ONE_PARSE:
        return parse_batch(docs, known_events=known_events, options=options, now=now, version=version)


_ONE_PARSE = threading.Lock()


parse_batch_task = task(parse_documents, name="parse-batch", **_TASK)
SERVED_WAIT_SECONDS = 900  # a served batch unfinished by then (queue included) is parsed by the flow
SERVED_CHECK_SECONDS = 30  # how often a wait checks that a worker still listens


class ParserMismatch(RuntimeError):
    """A served parse worker runs another parser version than the run's."""


def parse_served(docs: list[RawDocument], *, known_events: tuple[KnownEvent, ...], options: ParseOptions,
                 now: datetime, version: str) -> list[ParseOutcome]:
    """`parse_batch` in a long-lived `covpipe worker`. It refuses a batch of another parser
    version (the code changed on disk since it started): the flow then parses the batch itself."""
    served = parser_version(options)
    if served != version:
        raise ParserMismatch(f"the parse worker runs parser {served} and this run {version}: restart `covpipe worker`")
    return parse_documents(docs, known_events=known_events, options=options, now=now, version=version)


def _run_key(context, parameters) -> str:
    """The task run's own id as its result key: no reuse across runs, and no hashing of the documents'
    bytes (a task worker replaces NO_CACHE with Prefect's default policy, which hashes the inputs;
    no key at all makes Prefect 3.8 record one storage key and write under another)."""
    return _result_key(context.task_run.id)


def _result_key(task_run_id) -> str:
    return f"covpipe-parse-{task_run_id}"


# The worker persists results where the flow's process reads them (Prefect's local storage).
parse_served_task = task(parse_served, name="parse-batch-served", cache_key_fn=_run_key, persist_result=True)


@dataclass
class ParseJob:
    """A batch handed to the run's parse workers; `result()` waits for its outcomes."""

    future: PrefectFuture
    docs: list[RawDocument]
    parameters: dict

    def result(self) -> list[ParseOutcome]:
        if not isinstance(self.future, PrefectDistributedFuture):
            return self.future.result()
        try:
            return _served_result(self.future)
        except Exception as exc:  # parse_batch never raises on a document: the worker or its storage failed
            global _served_failed
            _served_failed = True  # this process's later batches stay here
            log.warning("served parse worker: %s; parsing this run's batches in the flow's process",
                        str(exc) or type(exc).__name__)
            _cancel(self.future.task_run_id)
            return parse_documents(self.docs, **self.parameters)
        finally:
            _forget(self.future.task_run_id)


_served_failed = False


def _served_result(future: PrefectDistributedFuture) -> list[ParseOutcome]:
    """The outcomes of a served batch, waiting while a worker of this code listens (at most SERVED_WAIT_SECONDS)."""
    from prefect.settings import get_current_settings

    from flows.remote import PrefectApi
    from flows.runners import credentials, served_worker_ready

    settings = get_current_settings().api  # profiles included, as the run's own client
    secret = lambda value: value.get_secret_value() if value is not None else None  # noqa: E731
    deadline = time.monotonic() + SERVED_WAIT_SECONDS
    with contextlib.closing(PrefectApi(settings.url, credentials(secret(settings.auth_string), secret(settings.key)))
                            ) as api:
        while True:
            try:
                return future.result(timeout=SERVED_CHECK_SECONDS)
            except TimeoutError:
                if time.monotonic() > deadline or not served_worker_ready(api):
                    raise TimeoutError("no covpipe worker finished the batch") from None


def _cancel(task_run_id) -> None:
    """Cancel a served batch the flow parses itself, so a worker does not parse it too."""
    from prefect.client.orchestration import get_client
    from prefect.states import Cancelled

    try:
        with get_client(sync_client=True) as client:
            client.set_task_run_state(task_run_id, Cancelled(), force=True)
    except Exception:  # best effort: the run goes on either way
        log.debug("could not cancel task run %s", task_run_id, exc_info=True)


def _forget(task_run_id) -> None:
    """Delete a served batch's stored parameters and result: Prefect keeps both otherwise."""
    from prefect.client.orchestration import get_client
    from prefect.settings import get_current_settings

    folder = Path(get_current_settings().results.local_storage_path)
    try:
        with get_client(sync_client=True) as client:
            states = client.read_task_run_states(task_run_id)
    except Exception:
        states = []
    stored = [f"parameters/{s.state_details.task_parameters_id}" for s in states
              if s.state_details.task_parameters_id] + [_result_key(task_run_id)]
    for key in stored:
        (folder / key).unlink(missing_ok=True)


def submit_parse(settings: Settings, docs: list[RawDocument], **parameters) -> ParseJob:
    """Hand a batch to the run's parse workers: a `covpipe worker` through the Prefect server when
    the run is served, else the flow's task runner."""
    parameters["options"] = settings.parse
    if settings.task_runner == "served" and not _served_failed:
        return ParseJob(parse_served_task.delay(docs, **parameters), docs, parameters)
    return ParseJob(parse_batch_task.submit(docs, **parameters), docs, parameters)


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
        wh.record_failures(self.con, failures, self.run_id, datetime.now(UTC))
        self.failures_by_stage.update(f.stage.value for f in failures)

    @property
    def failed(self) -> int:
        return sum(self.failures_by_stage.values())


@dataclass
class Submitted:
    """A batch whose documents are stored and whose parse task is on its way."""

    documents: int
    current: dict[str, tuple[str, str]]
    job: ParseJob | None
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
    try:
        wh.start_run(writer.con, run_id, flow_run.get_id(), "ingest", started, version)
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

        def finish_oldest() -> None:
            number, files_in_batch, submitted = pending.popleft()
            outcomes = finish_documents(tally, submitted)
            logger.info(
                "batch %d/%d: %d files, %d parsed, %d unchanged, %d failed so far",
                number, total_batches, files_in_batch, sum(o.post is not None for o in outcomes),
                submitted.documents - len(outcomes), tally.failed,
            )

        for number, batch in enumerate(batches(files, settings.batch_size), start=1):
            now = datetime.now(UTC)
            acquired = acquire_batch(batch, now)
            tally.fail([d for d in acquired if isinstance(d, Failure)])
            raws = [d for d in acquired if isinstance(d, RawDocument)]
            pending.append((number, len(batch), submit_documents(
                tally, raws, version=version, settings=settings, now=now, known_events=known)))
            while len(pending) > in_flight(settings):
                finish_oldest()
        while pending:
            finish_oldest()
        report = report_of(tally, "ingest", started, version)
        wh.finish_run(writer.con, report)
    except BaseException:
        if (con := writer.at_once()) is not None:
            wh.crash_run(con, run_id, datetime.now(UTC))
        raise
    finally:
        writer.close()
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
