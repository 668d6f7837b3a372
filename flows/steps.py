"""The steps of a run, as plain functions: no Prefect here.

A run cuts its inputs into batches (`batches`) and pipelines them (`pipelined`): each batch
is submitted (stored, and its parse handed to the task runner) while earlier ones parse,
and finished (its outcomes loaded) in order. `store_batch` and `load_batch` are the
warehouse side of a batch of new documents, `Tally` what the run did so far, `report_of`
its report. The flows (ingest, reprocess, poll) add the orchestration: Prefect tasks for
acquiring and parsing, the task runner, logs and artifacts. Tests call these directly.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import TypeVar

import duckdb

from flows.event_tagging import tag_posts
from schemas import Failure, ParseOutcome, RawDocument, RunReport
from warehouse import Writer
from warehouse import load as wh
from warehouse import runs
from warehouse.corrections import apply_entity_corrections
from warehouse.outlets import refresh_outlets
from warehouse.stories import assign_stories, ungrouped
from warehouse.sources import store_hints

T = TypeVar("T")
S = TypeVar("S")


def batches(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of `size` items (the last one shorter)."""
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def pipelined(items: Iterable[T], submit: Callable[[T], S], finish: Callable[[S], None], depth: int) -> None:
    """`submit` each item, and `finish` the oldest submitted whenever more than `depth` are in
    flight; then finish the rest, in order. Depth 0: each is finished before the next is submitted."""
    pending: deque[S] = deque()
    for item in items:
        pending.append(submit(item))
        while len(pending) > depth:
            finish(pending.popleft())
    while pending:
        finish(pending.popleft())


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
class Stored:
    """A batch whose documents are stored: those to parse, and the posts their sources had."""

    documents: int
    todo: list[RawDocument]
    current: dict[str, tuple[str, str]]
    now: datetime


def store_batch(tally: Tally, raws: list[RawDocument], *, version: str, now: datetime) -> Stored:
    """Store a batch of raw documents (and their hints); those to parse are the new or changed.

    A document is parsed again only when its bytes, the parser or its source's hints changed.
    """
    con, run_id = tally.con, tally.run_id
    tally.counts["documents_new"] += wh.store_documents(con, raws, run_id, now)
    rehinted = store_hints(con, raws, run_id, now)
    current = wh.current_posts(con, [d.source_uri for d in raws])
    todo = [d for d in raws if current.get(d.source_uri) != (d.doc_id, version) or d.source_uri in rehinted]
    tally.counts["unchanged"] += len(raws) - len(todo)
    return Stored(len(raws), todo, current, now)


def load_batch(tally: Tally, stored: Stored, outcomes: list[ParseOutcome]) -> None:
    """Load a parsed batch's posts and record its failures."""
    current = stored.current
    posts = [o.post for o in outcomes if o.post is not None]
    ids = [p.post_id for p in posts]
    before = wh.content_hashes(tally.con, ids)
    wh.load_posts(tally.con, posts, tally.run_id, stored.now,
                  tag=lambda con, ids: tag_posts(con, tally.run_id, stored.now, ids))
    tally.fail([o.failure for o in outcomes if o.failure is not None])
    tally.counts["posts"] += len(posts)
    tally.counts["posts_new"] += sum(p.source_uri not in current for p in posts)
    # Changed: the article or its metadata, not only the page's bytes (its chrome). The hashes the
    # load stored, read back rather than computed again.
    after = wh.content_hashes(tally.con, ids)
    tally.counts["posts_changed"] += sum(p.source_uri in current and current[p.source_uri][0] != p.doc_id
                                         and before.get(p.post_id, (None,))[0] != after[p.post_id][0] for p in posts)


def group_posts(con: duckdb.DuckDBPyConnection, now: datetime, wrote: bool) -> int:
    """Once a run's posts are stored (`wrote`), or when some have no story yet (a warehouse just
    migrated): copies into stories, domains into outlets. Returns the posts that changed story."""
    if not wrote and not ungrouped(con):
        return 0
    apply_entity_corrections(con)  # the machine's rows were written again: the user's merges and renames
    changed = assign_stories(con)
    refresh_outlets(con, now)
    return changed


def report_of(tally: Tally, flow_name: str, started: datetime, version: str, flow_run_id: str | None,
              **extra) -> RunReport:
    """The run's report from its tally."""
    counts = tally.counts
    return RunReport(
        run_id=tally.run_id, flow_run_id=flow_run_id, flow_name=flow_name, started_at=started,
        finished_at=datetime.now(UTC), parser_version=version,
        status="completed_with_failures" if tally.failed else "completed",
        inputs_seen=counts["inputs"], documents_new=counts["documents_new"], posts_written=counts["posts"],
        posts_unchanged=counts["unchanged"], posts_new=counts["posts_new"], posts_changed=counts["posts_changed"],
        failures=tally.failed, failures_by_stage=dict(tally.failures_by_stage), **extra,
    )
