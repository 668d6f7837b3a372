"""The three live kinds against a real WordPress (Debian's wordpress, mariadb-server, apache2 and
php-xml on loopback, bench/realwp.py); skipped with the reason where they cannot run.
`python -m bench.live_sources` measures the same with edits, revalidation and backoff."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bench import realwp
from tests.conftest import query

pytestmark = pytest.mark.slow

SOURCES = f"""
[fetch]
allow_private = true
requests_per_second = 50

[sources.rss]
kind = "rss"
url = "{realwp.BASE}/feed/"

[sources.wordpress]
kind = "wordpress"
url = "{realwp.BASE}"

[sources.sitemap]
kind = "sitemap"
url = "{realwp.BASE}/wp-sitemap.xml"
"""


@pytest.fixture(scope="module")
def site():
    if reason := realwp.reason_unavailable():
        pytest.skip(reason)
    try:
        base = realwp.start()
    except (subprocess.SubprocessError, OSError, RuntimeError) as exc:  # the machine's services, not covpipe
        realwp.stop()
        pytest.skip(f"WordPress did not start here: {exc}")
    yield base
    realwp.stop()


@pytest.mark.parametrize("kind", ["rss", "wordpress", "sitemap"])
def test_every_post_with_its_terms_once_and_an_unchanged_poll_costs_little(site, kind, tmp_path: Path):
    from flows.poll import poll

    sources = tmp_path / "sources.toml"
    sources.write_text(SOURCES, "utf-8")
    db = tmp_path / "w.duckdb"
    first = poll([kind], sources_file=str(sources), db=str(db))
    assert first.posts_new == realwp.POSTS and first.failures == 0
    rows = query(db, "SELECT title, categories, tags, author FROM posts")
    assert len(rows) == realwp.POSTS  # no home page, no tag, category or author archive
    for title, categories, tags, author in rows:
        n = int(title.split()[2])
        assert (sorted(categories), sorted(tags), author) == (
            sorted(["Salons", f"Conférences {n % 3}"]), sorted(["IA", f"Startup {n % 4}"]), "Marie Dupont")
    again = poll([kind], sources_file=str(sources), db=str(db))
    fetched = query(db, f"SELECT count(*) FROM fetches WHERE run_id = '{again.run_id}'")
    assert again.posts_written == 0 and again.pages_fetched == fetched[0][0] <= 3
    if kind == "rss":  # WordPress's feed sends validators: an unchanged feed is a real 304
        assert again.pages_not_modified == 1
