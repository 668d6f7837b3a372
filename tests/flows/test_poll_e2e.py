"""End to end: polling live sources served on loopback (a WordPress-like site), run after run.

One warehouse goes through a sequence: first poll, second poll (nothing new), a new post
and an edited one, a 503-then-200 page and a slow page, the next run retrying the failure,
a closed REST API falling back to the feed, a sitemap index with a gzip sitemap, and a
re-process that keeps the sources' hints.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import copy_warehouse, query
from tests.flows.wpsite import Post, Site, SiteServer

pytestmark = pytest.mark.slow

STABLE = {  # the rows a poll that finds nothing new must leave as they are
    "posts": "EXCLUDE (run_id, parsed_at)", "documents": "", "document_versions": "", "document_hints": "",
    "post_events": "", "source_items": "", "quotations": "",
}


def snapshot(db: Path) -> dict[str, list]:
    return {t: query(db, f"SELECT * {cols} FROM {t} ORDER BY ALL") for t, cols in STABLE.items()}


def fetched(db: Path, run: str, kind: str | None = None) -> list[tuple]:
    """(path, outcome, status) of the fetches of a run."""
    where = f"run_id = '{run}'" + (f" AND kind = '{kind}'" if kind else "")
    return query(db, f"SELECT regexp_replace(url, '^http://[^/]+', ''), outcome, status FROM fetches WHERE {where}"
                     " ORDER BY 1")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    # Imported here, outside CliRunner's streams, which Prefect's log handler must not bind to.
    from flows.poll import poll

    blog = Site(posts=[Post("salon-ia", "VivaTech : l'IA pour tous", 3),
                       Post("small-data", "La small data sur la route #IAParis", 5, event="IA Paris"),
                       Post("bilan", "Le bilan du salon", 7)],
                flaky={"/flaky/": 1}, slow={"/slow/": 2}, slow_seconds=2.5)
    closed = Site(posts=[Post("fermee", "Une API fermée", 4, speaker="Jean Martin")], api_open=False)
    plan = Site(posts=[Post("plan-a", "Premier billet du plan", 2), Post("plan-b", "Second billet du plan", 6)])
    root = tmp_path_factory.mktemp("poll")
    db, sources = root / "w.duckdb", root / "sources.toml"
    with SiteServer(blog), SiteServer(closed), SiteServer(plan):
        sources.write_text(f"""
[fetch]
requests_per_second = 50
timeout_seconds = 1
retries = 1
backoff_seconds = 0.05
allow_private = true   # the sites are on loopback

[sources.blog]
kind = "wordpress"
url = "{blog.base}"
event = "VivaTech"
language = "fr"
per_page = 2

[sources.extras]
kind = "urls"
urls = ["{blog.base}/flaky/", "{blog.base}/slow/", "{blog.base}/private/page/", "{blog.base}/missing/"]

[sources.extras.fetch]
retry_after_minutes = 0  # failures are asked again at the next run (by default they wait an hour, then longer)

[sources.closed]
kind = "wordpress"
url = "{closed.base}"

[sources.plan]
kind = "sitemap"
url = "{plan.base}/sitemap_index.xml"
""", "utf-8")
        args = dict(sources_file=str(sources), db=str(db))
        steps = {}
        cli = CliRunner().invoke(app, ["ingest", "--source", "blog", "--sources", str(sources), "--db", str(db)])
        steps["first"] = (cli, blog.take(), snapshot(db))
        steps["second"] = (poll(["blog"], **args), blog.take(), snapshot(db))
        blog.posts.append(Post("nouveau", "Un nouveau billet", 9))
        blog.posts[0].revision = 1
        steps["third"] = (poll(["blog"], **args), blog.take())
        steps["extras"] = (poll(["extras"], **args), blog.take())
        steps["extras-again"] = (poll(["extras"], **args), blog.take())
        steps["others"] = (poll(["closed", "plan"], **args), closed.take() + plan.take())
        runs = [r for (r,) in query(db, "SELECT run_id FROM runs ORDER BY started_at")]
        yield db, steps, dict(zip(steps, runs, strict=True)), blog


def test_first_poll_fetches_every_post_with_the_api_hints(world):
    db, steps, runs, blog = world
    cli = steps["first"][0]
    assert cli.exit_code == 0, cli.output
    assert {path for path, _ in steps["first"][1]} >= {"/robots.txt", *(p.path for p in blog.posts[:3])}
    assert [(k, o) for k, o, *_ in query(db, f"SELECT kind, outcome FROM fetches WHERE run_id = '{runs['first']}'"
                                             " ORDER BY kind")] == [("json", "ok")] * 2 + [("page", "ok")] * 3 + [
        ("robots", "ok")]
    rows = query(db, "SELECT title, author, published_at, categories, tags, language FROM posts WHERE url LIKE "
                     "'%small-data%'")
    assert rows == [("La small data sur la route #IAParis", "Marie Dupont", date(2026, 2, 5),
                     ["Salons"], ["IA", "Startups"], "fr")]
    # The source's event reaches the post that does not name it.
    events = query(db, "SELECT e.name, pe.evidence FROM post_events pe JOIN events e USING (event_id)"
                       " JOIN posts p USING (post_id) WHERE p.url LIKE '%small-data%' ORDER BY 1")
    assert events == [("IAParis", "hashtag"), ("VivaTech", "declared")]


def test_second_poll_fetches_nothing_new_and_writes_no_rows(world):
    db, steps, runs, _ = world
    report, requests, after = steps["second"]
    assert after == steps["first"][2]
    assert (report.posts_written, report.documents_new, report.failures) == (0, 0, 0)
    assert [status for path, status in requests if path != "/robots.txt"] == [304]
    assert {(path, outcome) for path, outcome, _ in fetched(db, runs["second"]) if path != "/robots.txt"} == {
        ("/wp-json/wp/v2/posts?per_page=2&page=1&orderby=modified&order=desc&_embed=author%2Cwp%3Aterm",
         "not_modified")}


def test_a_new_post_and_an_edited_one_are_the_only_pages_fetched(world):
    db, steps, _, _ = world
    report, requests = steps["third"]
    pages = sorted(path for path, _ in requests if path.startswith("/2026/"))
    assert pages == ["/2026/02/nouveau/", "/2026/02/salon-ia/"]
    assert (report.posts_new, report.posts_changed, report.documents_new) == (1, 1, 2)
    history = query(db, "SELECT count(*) FROM document_versions WHERE source_uri LIKE '%salon-ia%'")
    assert history == [(2,)]
    assert query(db, "SELECT body_text LIKE '%Mise à jour numéro 1%' FROM posts WHERE url LIKE '%salon-ia%'") == [
        (True,)]


def test_a_503_is_retried_and_a_slow_page_times_out_without_stopping_the_run(world):
    db, steps, runs, _ = world
    report, requests = steps["extras"]
    rows = {path: (outcome, status) for path, outcome, status in fetched(db, runs["extras"], "page")}
    assert rows["/flaky/"] == ("ok", 200) and ("/flaky/", 503) in requests
    assert query(db, f"SELECT attempts, error FROM fetches WHERE run_id = '{runs['extras']}' AND url LIKE '%slow%'") == [
        (2, "timed out after 1 s (2 attempts)")]
    assert rows["/missing/"] == ("failed", 404)
    assert rows["/private/page/"] == ("failed", None)
    assert "/private/page/" not in {path for path, _ in requests}  # robots.txt disallows it
    assert report.status == "completed_with_failures" and report.posts_new == 1
    assert query(db, "SELECT count(*) FROM posts WHERE url LIKE '%flaky%'") == [(1,)]


def test_failures_are_retried_on_the_next_run(world):
    db, steps, runs, _ = world
    report, _ = steps["extras-again"]
    asked = {path for path, _, _ in fetched(db, runs["extras-again"], "page")}
    assert "/slow/" in asked and "/missing/" in asked
    # a page that answered and whose listing gives no date is revalidated once a day, not every run
    assert "/flaky/" not in asked and report.pages_skipped >= 1
    failures = dict(query(db, "SELECT regexp_replace(source_uri, '^http://[^/]+', ''), reason FROM failures"))
    assert "/slow/" not in failures and failures["/missing/"] == "fetch failed: HTTP 404"
    assert query(db, "SELECT count(*) FROM posts WHERE url LIKE '%slow%'") == [(1,)]


def test_a_closed_api_falls_back_to_the_feed_and_a_sitemap_index_is_followed(world):
    db, _, runs, _ = world
    kinds = query(db, f"SELECT source_name, kind, status FROM fetches WHERE run_id = '{runs['others']}'"
                      " AND kind <> 'robots' ORDER BY ALL")
    assert ("closed", "json", 401) in kinds and ("closed", "feed", 200) in kinds
    assert [k for k in kinds if k[0] == "plan" and k[1] == "sitemap"] == [("plan", "sitemap", 200)] * 2
    titles = {t for (t,) in query(db, "SELECT title FROM posts")}
    assert {"Une API fermée", "Premier billet du plan", "Second billet du plan"} <= titles
    assert query(db, "SELECT origin FROM document_hints WHERE source_uri LIKE '%fermee%'") == [("feed",)]


def test_reprocess_keeps_the_sources_hints(world, tmp_path):
    db, *_ = world
    copy = copy_warehouse(db, tmp_path / "copy.duckdb")
    before = query(copy, "SELECT url, categories, tags, published_at FROM posts ORDER BY url")
    result = CliRunner().invoke(app, ["reprocess", "--all", "--db", str(copy)])
    assert result.exit_code == 0, result.output
    assert query(copy, "SELECT url, categories, tags, published_at FROM posts ORDER BY url") == before
    assert query(copy, "SELECT count(*) FROM post_events WHERE evidence = 'declared'") == query(
        db, "SELECT count(*) FROM post_events WHERE evidence = 'declared'")
    assert query(copy, "SELECT count(*) FROM reprocess_changes") == [(0,)]
