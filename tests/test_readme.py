"""The README's example queries run on a warehouse built from seeds/, and the docs' links resolve.

Every ```sql block of README.md is one query a newcomer copies into `covpipe sql`: each runs
here on a read-only, sandboxed connection (as `covpipe sql` opens it), on a warehouse built
from seeds/ by the plain functions the ingest flow calls, without Prefect and offline.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.event_tagging import seed_starter_events, tag_posts
from schemas import RawDocument, RunReport, Settings
from tasks.sources.acquire import acquire_file, discover_inputs
from tasks.parse import parse_batch
from tasks.version import parser_version
from tests.conftest import ROOT, SEEDS
from warehouse import connect
from warehouse import load as wh
from warehouse import runs
from warehouse.db import document_function
from warehouse.queries import run_sql

README = ROOT / "README.md"
DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]
_SQL_BLOCK = re.compile(r"^```sql\n(.*?)^```", re.MULTILINE | re.DOTALL)
_LINK = re.compile(r"\]\(([^)\s]+)\)")
# Tables the seeds leave empty (nothing fails, nothing was re-processed): their queries
# must run, but need return no row.
EMPTY_ON_SEEDS = ("FROM failures", "FROM reprocess_changes")


def sql_blocks(markdown: str) -> list[str]:
    """The text of every ```sql fenced block, in order."""
    return [block.strip() for block in _SQL_BLOCK.findall(markdown)]


QUERIES = sql_blocks(README.read_text("utf-8"))


def _query_id(query: str) -> str:
    table = re.search(r"\bFROM\s+(\w+)", query)
    return table[1] if table else query.split()[0]


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory) -> Path:
    """A warehouse holding seeds/, loaded as the ingest flow loads it, with a finished run."""
    db = tmp_path_factory.mktemp("readme") / "coverage.duckdb"
    settings = Settings(db=db)
    now = datetime.now(UTC)
    version = parser_version(settings.parse)
    run_id = str(uuid.uuid4())
    con = connect(db)
    try:
        runs.start_run(con, run_id, None, "ingest", now, version)
        files = [f for f in discover_inputs([SEEDS]) if isinstance(f, Path)]
        raws = [d for d in (acquire_file(f, now) for f in files) if isinstance(d, RawDocument)]
        wh.store_documents(con, raws, run_id, now)
        outcomes = parse_batch(raws, options=settings.parse, now=now, version=version)
        posts = [o.post for o in outcomes if o.post is not None]
        seed_starter_events(con, now)
        wh.load_posts(con, posts, run_id, now, tag=lambda c, ids: tag_posts(c, run_id, now, ids))
        runs.record_failures(con, [o.failure for o in outcomes if o.failure is not None], run_id, now)
        runs.finish_run(con, RunReport(run_id=run_id, flow_name="ingest", started_at=now, finished_at=datetime.now(UTC),
                                     parser_version=version, status="completed", inputs_seen=len(files),
                                     documents_new=len(raws), posts_written=len(posts)))
    finally:
        con.close()
    assert len(posts) == len(files) >= 2, "every seed should parse into a post"
    return db


def test_readme_sql_blocks_hold_the_tour_one_statement_each():
    assert len(QUERIES) >= 8, "the warehouse tour lost its example queries"
    for query in QUERIES:
        assert ";" not in query.rstrip(";"), f"one statement per ```sql block:\n{query}"


@pytest.mark.parametrize("query", QUERIES, ids=[f"{i}-{_query_id(q)}" for i, q in enumerate(QUERIES, 1)])
def test_readme_query_runs_read_only_on_the_seeded_warehouse(seeded_db: Path, query: str):
    con = connect(seeded_db, read_only=True)  # sandboxed, as `covpipe sql` opens it
    try:
        with document_function(con):
            result = run_sql(con, query)
    finally:
        con.close()
    assert result.columns
    if not any(table in query for table in EMPTY_ON_SEEDS):
        assert result.rows, f"no row from the seeds for:\n{query}"


def _anchors(markdown: str) -> set[str]:
    """GitHub's anchors for the headings of a Markdown text."""
    headings = re.findall(r"^#+\s+(.+?)\s*$", re.sub(r"^```.*?^```", "", markdown, flags=re.M | re.S), re.M)
    return {re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", h.lower())) for h in headings}


@pytest.mark.parametrize("page", DOCS, ids=[str(p.relative_to(ROOT)) for p in DOCS])
def test_docs_relative_links_point_to_existing_files(page: Path):
    text = page.read_text("utf-8")
    broken = []
    for target in _LINK.findall(text):
        if re.match(r"[a-z]+:", target):  # http(s), mailto: not checked offline
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(target)
        elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked.read_text("utf-8")):
            broken.append(target)
    assert not broken, f"{page.relative_to(ROOT)} links to what does not exist: {broken}"


def test_readme_stays_short_and_links_every_docs_page():
    text = README.read_text("utf-8")
    assert len(text.splitlines()) <= 250, "README.md is for a newcomer: at most 250 lines, the rest in docs/"
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert f"](docs/{page.name})" in text, f"README.md does not link docs/{page.name}"
