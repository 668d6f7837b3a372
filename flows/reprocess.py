"""The reprocess flow: re-derive posts from the raw documents already stored, with a diff.

No source is read again. Sources are taken in batches; each batch is parsed, compared with
what the warehouse holds, and written in one transaction with its rows of
`reprocess_changes`, so a crash leaves every post either old or new. `--stale` (the
default) picks posts written by another parser version, so re-running after a crash goes on
where it stopped; `--all` resumes an interrupted `--all` run of the same parser and filter.
A post whose output did not change keeps its rows and only takes the new parser version.
`dry_run` writes no row and only reports.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from flows import progress
from flows.ingest import outcomes_of, submit_parse
from flows.event_tagging import retag, tag_posts
from flows.interrupts import run_closed
from flows.runners import in_flight
from flows.steps import batches, group_posts, pipelined
from warehouse.corrections import apply_entity_corrections
from schemas import Failure, Post, RawDocument, RunReport, Settings
from tasks.version import parser_version
from warehouse import Writer
from warehouse import load as wh
from warehouse import runs
from warehouse.changes import content_hash, diff, read_states, state_of, summary


@flow(name="reprocess", log_prints=False, validate_parameters=False)
def reprocess(everything: bool = False, where: str | None = None, dry_run: bool = False,
              settings: Settings | None = None) -> tuple[RunReport, list[dict]]:
    """Re-derive stale (or all) posts from stored documents; return the run's report and its changes."""
    settings = settings or Settings()
    logger = get_run_logger()
    started = datetime.now(UTC)
    run_id = str(flow_run.get_id() or uuid.uuid4())
    version = parser_version(settings.parse)
    options = {"selection": "all" if everything else "stale", "where": where}
    counts: Counter[str] = Counter()
    failures_by_stage: Counter[str] = Counter()
    all_changes: list[dict] = []

    # A dry run writes no row, but it opens for writing like any run so an older warehouse is migrated.
    writer = Writer(settings.db, wait_seconds=settings.lock_wait_seconds, memory_limit=settings.memory_limit)
    with run_closed(writer, run_id, recorded=not dry_run):
        resumes = None if dry_run or not everything else runs.interrupted_run(writer.con, "reprocess", version, options)
        if not dry_run:
            runs.start_run(writer.con, run_id, flow_run.get_id(), "reprocess", started, version,
                         options | ({"resumes": resumes} if resumes else {}))
        candidates = wh.reprocess_candidates(writer.con, version=version, everything=everything, where=where,
                                             skip_run=resumes)
        counts["inputs"] = len(candidates)
        logger.info("reprocess %d sources in %s (parser %s%s%s)", len(candidates), settings.db, version,
                    f", resuming {resumes[:8]}" if resumes else "", ", dry run" if dry_run else "")

        def finish(submitted) -> None:
            nonlocal all_changes
            number, batch, now, unread, job = submitted
            outcomes = outcomes_of(writer, job)
            posts = [o.post for o in outcomes if o.post is not None]
            failures = unread + [o.failure for o in outcomes if o.failure is not None]
            changed, unchanged, changes = _compare(writer.con, batch, posts, failures, run_id, version)
            if not dry_run:
                wh.load_posts(writer.con, changed, run_id, now, changes=changes, restamp=unchanged, version=version,
                              tag=lambda con, ids: tag_posts(con, run_id, now, ids))
                runs.record_failures(writer.con, failures, run_id, now)
            all_changes += changes
            counts["posts"] += len(posts)
            counts["changed"] += len({c["post_id"] for c in changes})
            counts["unchanged"] += len(unchanged)
            failures_by_stage.update(f.stage.value for f in failures)
            logger.info("batch %d: %d re-derived, %d changed, %d unchanged, %d failed", number, len(posts),
                        len({c['post_id'] for c in changes}), len(unchanged), len(failures))
            counts["done"] += len(batch)
            if len(candidates) > settings.batch_size:
                progress.advance(counts["done"], len(candidates), sum(failures_by_stage.values()))

        def submit(numbered: tuple[int, list]):
            number, batch = numbered
            now = datetime.now(UTC)
            read = wh.read_documents(writer.con, [(uri, doc_id) for uri, doc_id, _ in batch])
            docs = [d for d in read if isinstance(d, RawDocument)]
            unread = [f for f in read if isinstance(f, Failure)]  # a stored file gone or damaged
            job = submit_parse(settings, docs, now=now, version=version) if docs else None
            return number, batch, now, unread, job

        pipelined(enumerate(batches(candidates, settings.batch_size), start=1), submit, finish, in_flight(settings))
        if not dry_run:
            apply_entity_corrections(writer.con)  # the user's merges first: an entity merged into is no orphan
            wh.drop_orphan_entities(writer.con)
            _, links = retag(writer.con, run_id, datetime.now(UTC))  # every post's links, as the events now are
            group_posts(writer.con, datetime.now(UTC), wrote=True)
            logger.info("events re-tagged: %d links added, %d removed, %d changed", links.added, links.removed,
                        links.changed)
        failed = sum(failures_by_stage.values())
        report = RunReport(
            run_id=run_id, flow_run_id=flow_run.get_id(), flow_name="reprocess", started_at=started,
            finished_at=datetime.now(UTC), parser_version=version,
            status="completed_with_failures" if failed else "completed",
            inputs_seen=counts["inputs"], posts_written=counts["posts"], posts_unchanged=counts["unchanged"],
            posts_changed=counts["changed"], failures=failed, failures_by_stage=dict(failures_by_stage),
            changes=summary(all_changes),
        )
        if not dry_run:
            runs.finish_run(writer.con, report)
    logger.info("reprocess done: %s", report.changes)
    create_markdown_artifact(key="reprocess-report", markdown=_markdown(report, all_changes, dry_run),
                             description="covpipe reprocess run")
    return report, all_changes


def _compare(con, batch: list[tuple[str, str, str | None]], posts: list[Post], failures: list[Failure],
             run_id: str, version: str) -> tuple[list[Post], list[str], list[dict]]:
    """The re-derived posts whose content changed, the ids of those that did not, and the
    rows of reprocess_changes: one per change, and one per stored post that now fails."""
    stored = wh.content_hashes(con, [p.post_id for p in posts])
    changed = [p for p in posts if stored.get(p.post_id, (None, None))[0] != content_hash(p)]
    changed_ids = {p.post_id for p in changed}
    unchanged = [p.post_id for p in posts if p.post_id not in changed_ids]
    old = read_states(con, list(changed_ids))
    stamp = {"run_id": run_id, "new_parser_version": version}
    changes = []
    for post in changed:
        before = stored.get(post.post_id, (None, None))
        rows = diff(old.get(post.post_id), state_of(post)) or [
            {"change": "details_changed", "old_value": None, "new_value": None,
             "item": "offsets, cues or rules" if before[0]
             else "first re-process of a post written before content hashes"}]
        changes += [r | stamp | {"post_id": post.post_id, "source_uri": post.source_uri,
                                 "old_parser_version": before[1]} for r in rows]
    previous = {uri: post_id for uri, _, post_id in batch if post_id is not None}
    for failure in failures:
        if failure.source_uri in previous:  # the old post stays: dropping it would lose data
            changes.append(stamp | {"post_id": previous[failure.source_uri], "source_uri": failure.source_uri,
                                    "change": "post_failed", "item": failure.stage.value, "old_value": None,
                                    "new_value": failure.reason, "old_parser_version": None})
    return changed, unchanged, changes


def _markdown(report: RunReport, changes: list[dict], dry_run: bool) -> str:
    kinds = Counter(c["change"] for c in changes)
    table = "".join(f"| {kind} | {n} |\n" for kind, n in kinds.most_common())
    return (
        f"# covpipe reprocess {report.run_id}{' (dry run)' if dry_run else ''}\n\n"
        f"Parser version `{report.parser_version}`, {report.status}: **{report.changes}**.\n\n"
        "| sources | re-derived | changed | unchanged | failures |\n|---|---|---|---|---|\n"
        f"| {report.inputs_seen} | {report.posts_written} | {report.posts_changed} | {report.posts_unchanged} "
        f"| {report.failures} |\n"
        + (f"\n| change | count |\n|---|---|\n{table}" if table else "")
    )
