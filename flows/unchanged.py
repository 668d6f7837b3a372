"""`covpipe ingest` of files that are all unchanged: said, and recorded, without Prefect.

A file whose bytes and parser version match its post is not parsed again by the ingest flow
either; finding that out should not cost the seconds Prefect's embedded API takes to start.
So before any flow, the CLI reads the inputs (as the flow would: `acquire_file`) and stops
at the first that is new, changed, stale or unreadable; when none is, it records a run of
unchanged posts in the warehouse and the flow never starts. Imports no Prefect.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

from schemas import RawDocument, RunReport, Settings
from tasks.sources.acquire import acquire_file, discover_inputs
from tasks.version import parser_version
from warehouse import Writer
from warehouse import load as wh
from warehouse import runs

_CHUNK = 256  # files compared per query


def ingest_if_unchanged(settings: Settings, paths: list[Path]) -> RunReport | None:
    """The run's report when every input is a file already parsed, unchanged, by this parser
    version (the run is recorded); None when there is work to do, and nothing is written."""
    if not settings.db.is_file():
        return None
    files = list(discover_inputs(paths))
    if not files or not all(isinstance(f, Path) for f in files):
        return None  # no input, or a path the flow will record as a failure
    version = parser_version(settings.parse)
    started = datetime.now(UTC)
    writer = Writer(settings.db, wait_seconds=settings.lock_wait_seconds, memory_limit=settings.memory_limit)
    try:
        it = iter(files)
        while chunk := list(islice(it, _CHUNK)):
            docs = [acquire_file(f, started) for f in chunk]
            if not all(isinstance(d, RawDocument) and d.hints is None for d in docs):
                return None
            current = wh.current_posts(writer.con, [d.source_uri for d in docs])
            if any(current.get(d.source_uri) != (d.doc_id, version) for d in docs):
                return None
        run_id = str(uuid.uuid4())
        runs.start_run(writer.con, run_id, None, "ingest", started, version)
        report = RunReport(run_id=run_id, flow_name="ingest", started_at=started, finished_at=datetime.now(UTC),
                           parser_version=version, status="completed", inputs_seen=len(files),
                           posts_unchanged=len(files))
        runs.finish_run(writer.con, report)
        return report
    finally:
        writer.close()
