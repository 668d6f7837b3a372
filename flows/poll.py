"""The poll flow: fetch what is new from live sources (sources.toml) and ingest it.

Wiring only: read the settings and the sources file once, list each source's pages
(feed, WordPress REST API, sitemap, URL list, folder), ask only for the pages that are new,
changed or failed last time (with a conditional GET), and hand the bytes to
`process_documents`, the per-batch step of file ingestion. Every fetch is a row of
`fetches`; a failed fetch is a row of `failures` and never stops the run. The listing and
parsing rules live in `tasks.sources.listings` and `tasks.parse`, the network in `tasks.sources.fetch`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from flows.event_tagging import event_count, retag_if_grown, seed_starter_events
from flows.ingest import acquire_batch, process_documents
from flows.interrupts import checkpoint, run_closed
from flows.listing import fetch_failure, list_source
from flows.steps import Tally, batches, group_posts, report_of
from schemas import (
    Failure,
    FetchRequest,
    FetchResult,
    MediaType,
    RawDocument,
    RunReport,
    Settings,
    Source,
    SourceItem,
    SourcesConfig,
    parse_sources,
)
from tasks.sources.acquire import acquire_bytes, discover_inputs
from tasks.sources.fetch import Fetcher
from tasks.version import parser_version
from warehouse import Writer
from warehouse import load as wh
from warehouse import runs
from warehouse import sources as crawl

_TASK = dict(cache_policy=NO_CACHE, persist_result=False)


def load_sources(path: Path) -> SourcesConfig:
    """The sources file at `path`, read once per run (relative paths in it are taken from its folder)."""
    return parse_sources(Path(path).read_text("utf-8"), base=Path(path).resolve().parent)


@task(name="fetch-pages", **_TASK)
def fetch_pages(fetcher: Fetcher, requests: list[FetchRequest]) -> list[FetchResult]:
    return fetcher.fetch_many(requests)


@flow(name="poll", log_prints=False, validate_parameters=False)
def poll(sources: list[str], sources_file: str | None = None, db: str | None = None) -> RunReport:
    """Poll sources of the sources file once: fetch what is new, ingest it, return the run's report."""
    settings = Settings(**{k: v for k, v in dict(db=db, sources=sources_file).items() if v is not None})
    config = load_sources(settings.sources)
    chosen = [config.get(name) for name in sources]  # an unknown name fails before any write
    logger = get_run_logger()
    started = datetime.now(UTC)
    run_id = str(flow_run.get_id() or uuid.uuid4())
    version = parser_version(settings.parse)

    writer = Writer(settings.db, wait_seconds=settings.lock_wait_seconds, memory_limit=settings.memory_limit)
    tally = Tally(writer, run_id)
    with run_closed(writer, run_id):
        runs.start_run(writer.con, run_id, flow_run.get_id(), "poll", started, version,
                     {"sources": [s.name for s in chosen], "sources_file": str(settings.sources)})
        seed_starter_events(writer.con, started)
        events_before = event_count(writer.con)
        for source in chosen:
            before = tally.counts.copy(), tally.failed
            poll_source(tally, source, settings=settings, version=version)
            done = tally.counts - before[0]
            logger.info("%s (%s): %d fetches (%d not modified), %d pages not asked for, %d posts written "
                        "(%d new, %d changed), %d failed", source.name, source.kind, done["fetched"],
                        done["not_modified"], done["skipped"], done["posts"],
                        done["posts_new"], done["posts_changed"], tally.failed - before[1])
        retag_if_grown(writer.con, events_before, run_id, datetime.now(UTC))
        group_posts(writer.con, datetime.now(UTC), wrote=bool(tally.counts["posts"]))
        report = report_of(tally, "poll", started, version, flow_run.get_id(), sources=tuple(s.name for s in chosen),
                           pages_fetched=tally.counts["fetched"], pages_not_modified=tally.counts["not_modified"],
                           pages_skipped=tally.counts["skipped"])
        runs.finish_run(writer.con, report)
    create_markdown_artifact(key="poll-report", markdown=_markdown(report), description="covpipe poll run")
    return report


def poll_source(tally: Tally, source: Source, *, settings: Settings, version: str) -> None:
    """List one source, fetch its new, changed and failed pages in batches, and ingest them."""
    if source.kind == "folder":
        _poll_folder(tally, source, settings=settings, version=version)
        return
    fetcher = Fetcher(source.fetch)
    listing = list_source(fetcher, source, tally.con)
    now = datetime.now(UTC)
    wanted = crawl.stale_items(tally.con, source.name, listing.items, revalidate=source.revalidate, now=now,
                               revalidate_hours=source.revalidate_hours, revalidate_days=source.revalidate_days)
    wanted += crawl.pending_items(tally.con, source.name, exclude={i.url for i in listing.items}, now=now,
                                  revalidate_hours=source.revalidate_hours, revalidate_days=source.revalidate_days)
    wanted = wanted[: source.max_items] if source.max_items else wanted
    crawl.store_items(tally.con, source.name, listing.items, now)
    _record(tally, source, listing.fetches + _drain(fetcher), {})
    tally.fail(listing.failures)
    tally.counts["inputs"] += len(wanted)
    tally.counts["skipped"] += len({i.url for i in listing.items} - {i.url for i in wanted})
    for batch in batches(wanted, settings.batch_size):
        now = datetime.now(UTC)
        known = crawl.validators(tally.con, [i.url for i in batch])
        requests = [FetchRequest(url=i.url, kind="page", etag=known.get(i.url, (None,) * 3)[0],
                                 last_modified=known.get(i.url, (None,) * 3)[1]) for i in batch]
        tally.writer.release()  # readers get the file while the pages are fetched
        results = fetch_pages(fetcher, requests)
        checkpoint()
        raws, failures, doc_ids, unchanged = [], [], {}, []
        for item, result in zip(batch, results, strict=True):
            if result.outcome == "ok":
                raw = acquire_bytes(result.content or b"", item.url, now, url=item.url,
                                    media_type=MediaType.TEXT if result.content_type == "text/plain" else MediaType.HTML)
                if isinstance(raw, Failure):
                    failures.append(raw)
                    continue
                raws.append(raw.model_copy(update={"hints": item.hints}))
                doc_ids[item.url] = raw.doc_id
            elif result.outcome == "not_modified" and known.get(item.url, (None,) * 3)[2]:
                unchanged.append((item, known[item.url][2]))
            elif result.outcome == "failed":
                failures.append(fetch_failure(result))
        rehinted = _rehinted(tally.con, unchanged)
        raws += [d for d in rehinted if isinstance(d, RawDocument)]
        failures += [d for d in rehinted if isinstance(d, Failure)]
        _record(tally, source, results + _drain(fetcher), doc_ids)
        tally.fail(failures)
        process_documents(tally, raws, version=version, settings=settings, now=now)


def _rehinted(con: duckdb.DuckDBPyConnection, unchanged: list[tuple[SourceItem, str]]) -> list[RawDocument | Failure]:
    """The stored documents of unchanged pages whose listing now says something else (a new tag, a new title),
    or the failure to read one back."""
    fresh = crawl.hints_changed(con, [(i.url, doc_id, i.hints) for i, doc_id in unchanged])
    changed = {i.url: i.hints for i, _ in unchanged if i.url in fresh}
    read = wh.read_documents(con, [(i.url, doc_id) for i, doc_id in unchanged if i.url in changed])
    return [d.model_copy(update={"hints": changed[d.source_uri]}) if isinstance(d, RawDocument) else d for d in read]


def _poll_folder(tally: Tally, source: Source, *, settings: Settings, version: str) -> None:
    found = list(discover_inputs([source.path]))
    files = [f for f in found if isinstance(f, Path)]
    tally.counts["inputs"] += len(found)
    tally.fail([f for f in found if isinstance(f, Failure)])
    hints = source.hints("folder")
    for batch in batches(files, settings.batch_size):
        now = datetime.now(UTC)
        acquired = acquire_batch(batch, now)
        tally.fail([d for d in acquired if isinstance(d, Failure)])
        raws = [d.model_copy(update={"hints": hints}) for d in acquired if isinstance(d, RawDocument)]
        process_documents(tally, raws, version=version, settings=settings, now=now)


def _record(tally: Tally, source: Source, results: list[FetchResult], doc_ids: dict[str, str]) -> None:
    crawl.record_fetches(tally.con, source.name, results, tally.run_id, doc_ids, source.fetch.retry_after_minutes)
    crawl.clear_fetch_failures(tally.con, [r.url for r in results if r.outcome != "failed"])
    tally.counts["fetched"] += len(results)
    tally.counts["not_modified"] += sum(r.outcome == "not_modified" for r in results)
    tally.counts["fetch_failed"] += sum(r.outcome == "failed" for r in results)


def _drain(fetcher: Fetcher) -> list[FetchResult]:
    """The robots.txt fetches the fetcher made on its own since the last call."""
    side, fetcher.side_fetches = fetcher.side_fetches, []
    return side


def _markdown(report: RunReport) -> str:
    stages = "".join(f"| {stage} | {n} |\n" for stage, n in sorted(report.failures_by_stage.items()))
    return (
        f"# covpipe poll {report.run_id}\n\n"
        f"Sources polled: {', '.join(f'`{s}`' for s in report.sources)}. Parser version `{report.parser_version}`, "
        f"{report.status}, {(report.finished_at - report.started_at).total_seconds():.1f} s.\n\n"
        "| pages fetched | not modified (304) | not asked for | new documents | new posts | changed posts | unchanged "
        "| failures |\n|---|---|---|---|---|---|---|---|\n"
        f"| {report.pages_fetched} | {report.pages_not_modified} | {report.pages_skipped} | {report.documents_new} "
        f"| {report.posts_new} "
        f"| {report.posts_changed} | {report.posts_unchanged} | {report.failures} |\n"
        + (f"\n| stage | failures |\n|---|---|\n{stages}" if stages else "")
        + "\nEvery fetch is in `fetches`; `SELECT url, status, error FROM fetches WHERE outcome = 'failed'`.\n"
    )
