"""The coverage report: its figures against the views, filtering, escaping, empty and error states."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from report import build_report, charts, labels
from report.render import context_after, context_before, safe_url
from tests.report.dom import parse
from tests.warehouse.test_views import QUOTES, ROWS, quote
from warehouse import connect
from warehouse.coverage import WarehouseOutdated, coverage
from warehouse.coverage_events import UnknownEvent

NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
HOSTILE = "<script>alert('x')</script>"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """The warehouse of tests/warehouse/test_views.py: VivaTech (p1, p2) and CES (p1, p3)."""
    path = tmp_path / "w.duckdb"
    con = connect(path)
    con.execute(ROWS)
    con.execute("INSERT INTO quotations VALUES " + ", ".join(QUOTES))
    con.execute("UPDATE posts SET url = 'https://example.org/p2', title = 'Deux' WHERE post_id = 'p2'")
    con.close()
    return path


def view(db: Path, sql: str) -> list[tuple]:
    con = connect(db, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def build(db: Path, tmp_path: Path, **options) -> tuple[str, object]:
    out = tmp_path / "report.html"
    summary = build_report(db, out, now=NOW, **options)
    return out.read_text("utf-8"), summary


def test_coverage_without_since_gives_the_figures_of_the_views(db: Path):
    con = connect(db, read_only=True)
    data = coverage(con)
    con.close()
    speakers = [(r["event"], r["rank"], r["speaker"], r["quotes"], r["posts"], r["roles"], r["organisations"])
                for e in data.events for r in data.by_event[e["event"]]["speakers"]]
    assert sorted(speakers) == sorted(view(db, "SELECT event, rank, speaker, quotes, posts, roles, organisations"
                                               " FROM report_top_speakers_per_event"))
    orgs = [(r["event"], r["rank"], r["name"], r["mentions"], r["posts"])
            for e in data.events for r in data.by_event[e["event"]]["mentioned"] if r["type"] == "ORG"]
    assert sorted(orgs) == sorted(view(db, "SELECT event, rank, organisation, mentions, posts"
                                           " FROM report_top_organisations_per_event"))
    posts = {e["event"]: e["posts"] for e in data.events}
    assert posts == dict(view(db, "SELECT event, sum(posts) FROM report_coverage_per_event_week GROUP BY event"))
    quotes = {e["event"]: e["quotes"] for e in data.events}
    assert quotes == dict(view(db, "SELECT event, sum(quotes) FROM report_quotes_by_event GROUP BY event"))
    assert [r["run_id"] for r in data.runs] == [r for (r,) in view(db, "SELECT run_id FROM report_run_history")]


def test_coverage_since_drops_earlier_posts(db: Path):
    con = connect(db, read_only=True)
    data = coverage(con, since=date(2026, 2, 15))
    con.close()
    assert [(e["event"], e["posts"], e["quotes"]) for e in data.events] == [("VivaTech", 1, 5)]
    assert [(r["speaker"], r["quotes"]) for r in data.by_event["VivaTech"]["speakers"]] == [
        ("Jean Dupont", 3), ("Clara Chapaz", 1), ("Nicolas Dufourcq", 1)]
    assert data.totals == {"posts": 1, "posts_without_event": 0, "event_posts": 1, "event_quotes": 5, "failures": 3}


def test_build_report_index_links_to_every_event_section(db: Path, tmp_path: Path):
    html, summary = build(db, tmp_path)
    page = parse(html)
    ids = {e.attrs["id"] for e in page.has_attr("id")}
    links = [a.attrs["href"] for a in page.find_all("nav")[0].find_all("a")]
    assert len(links) == 2 and all(href.startswith("#") and href[1:] in ids for href in links)
    sections = page.find_all("section", **{"class": "card event"})
    assert {s.attrs["data-event"] for s in sections} == {"VivaTech", "CES"} == set(summary.events)
    assert Counter(e.attrs["id"] for e in page.has_attr("id")).most_common(1)[0][1] == 1  # ids unique across SVGs
    figures = {row.attrs["data-event"]: int(row.find_all(data_figure="posts")[0].attrs["data-sort"])
               for row in page.find_all("tr") if "data-event" in row.attrs}
    assert figures == {"VivaTech": 2, "CES": 2}


def test_build_report_draws_titled_charts_and_sortable_tables(db: Path, tmp_path: Path):
    html, summary = build(db, tmp_path)
    page = parse(html)
    svgs = page.find_all("svg")
    assert len(svgs) == summary.charts == 1 + 2 * 4  # the index, and per event: timeline, speakers, orgs, people
    for svg in svgs:
        assert svg.attrs["role"] == "img" and svg.find_all("title")[0].all_text.strip()
    assert all(t.find_all("button") for t in page.find_all("table", **{"class": "sortable"}))
    assert "http://" not in html.replace("http://www.w3.org", "") and "<link" not in html  # nothing to fetch


def test_build_report_escapes_hostile_warehouse_strings(db: Path, tmp_path: Path):
    con = connect(db)
    con.execute("UPDATE posts SET title = $h, site_name = $h, url = 'javascript:alert(1)' WHERE post_id = 'p1'",
                {"h": HOSTILE})
    con.execute("UPDATE quotations SET text = $h, context_before = '<img src=x onerror=alert(1)>'"
                " WHERE quote_id = 'q1'", {"h": HOSTILE})
    con.execute("UPDATE entities SET name = '<b onclick=alert(1)>Evil</b>' WHERE entity_id = 'x_bpi'")
    con.close()
    html, _ = build(db, tmp_path)
    page = parse(html)
    assert len(page.find_all("script")) == 1  # the report's own sort script, nothing from the data
    assert not page.find_all("img") and not page.find_all("b")
    assert not any(e.attrs.get("onclick") or e.attrs.get("onerror") for e in page.find_all())
    assert not [a for a in page.find_all("a") if not a.attrs["href"].startswith(("#", "https://"))]
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "&lt;b onclick=alert(1)&gt;Evil&lt;/b&gt;" in html  # in the SVG of organisations too


def test_build_report_for_one_event_has_no_index(db: Path, tmp_path: Path):
    html, summary = build(db, tmp_path, event="ces")
    page = parse(html)
    assert summary.events == ["CES"] and not page.find_all("nav")
    assert [s.attrs["data-event"] for s in page.find_all("section", **{"class": "card event"})] == ["CES"]
    assert "Couverture de CES" in page.find_all("h1")[0].all_text
    assert [e.attrs["data-value"] for e in page.find_all("span", data_figure="posts")] == ["2"]


def test_build_report_since_counts_only_later_posts(db: Path, tmp_path: Path):
    html, summary = build(db, tmp_path, since=date(2026, 2, 15))
    page = parse(html)
    assert summary.events == ["VivaTech"] and summary.posts == 1
    assert page.find_all(data_since="2026-02-15")[0].all_text == "Billets publiés depuis le 15 févr. 2026"
    assert [e.attrs["data-value"] for e in page.find_all("span", data_figure="posts")] == ["1"]


def test_build_report_unknown_event_lists_the_known_ones(db: Path, tmp_path: Path):
    con = connect(db)  # an event of the events table that no post covers is no more reportable than a typo
    con.execute("INSERT INTO events (event_id, name, event_key, aliases, origin, first_seen_at) "
                "VALUES ('e3', 'Web Summit', 'websummit', [], 'user', now())")
    con.close()
    with pytest.raises(UnknownEvent, match=r"no post covers an event 'Web Summit'.*events with posts: CES, VivaTech"):
        build_report(db, tmp_path / "r.html", event="Web Summit")
    assert not (tmp_path / "r.html").exists()


def test_build_report_of_an_empty_warehouse_says_so(tmp_path: Path):
    connect(tmp_path / "empty.duckdb").close()
    html, summary = build(tmp_path / "empty.duckdb", tmp_path)
    page = parse(html)
    assert summary.events == [] and summary.charts == 0
    assert "Aucun billet ne couvre d’événement" in page.find_all(id="empty")[0].all_text
    assert "Aucune ingestion enregistrée." in build(tmp_path / "empty.duckdb", tmp_path, internal=True)[0]


def test_build_report_in_english(db: Path, tmp_path: Path):
    html, _ = build(db, tmp_path, lang="en")
    assert '<html lang="en">' in html and "Who was quoted" in html and "Qui a été cité" not in html
    with pytest.raises(ValueError, match="unknown language 'de'"):
        build_report(db, tmp_path / "r.html", lang="de")


def test_build_report_names_the_missing_views_of_an_old_warehouse(db: Path, tmp_path: Path):
    con = connect(db)
    con.execute("DROP VIEW report_run_history")
    con.close()
    with pytest.raises(WarehouseOutdated, match="report_run_history.*covpipe ingest"):
        build_report(db, tmp_path / "r.html")


def test_timeline_fills_every_period_and_keeps_the_total():
    rows = [{"day": date(2026, 1, 5), "site_name": "A", "posts": 2}, {"day": date(2026, 1, 8), "site_name": None,
                                                                       "posts": 1},
            {"day": date(2026, 1, 20), "site_name": "A", "posts": 1}]
    timeline = charts.timeline(rows, "fr")
    assert timeline.grain == "day" and len(timeline.periods) == 16
    assert [site for site, _ in timeline.series] == ["A", "Site inconnu"]
    assert sum(sum(values) for _, values in timeline.series) == 4
    assert charts.timeline([], "fr") is None


def test_timeline_groups_the_smallest_sites_as_others():
    rows = [{"day": date(2026, 1, 1) + (date(2026, 6, 1) - date(2026, 1, 1)) * (i % 2), "site_name": f"S{i}",
             "posts": 20 - i} for i in range(10)]
    timeline = charts.timeline(rows, "en")
    assert timeline.grain == "week"
    assert [s for s, _ in timeline.series][-1] == "Other sites" and len(timeline.series) == charts.MAX_SITES
    assert sum(sum(v) for _, v in timeline.series) == sum(r["posts"] for r in rows)


@pytest.mark.parametrize("url, kept", [
    ("https://example.org/a?b=1", True), ("http://example.org", True), ("javascript:alert(1)", False),
    ("JaVaScRiPt:alert(1)", False), ("data:text/html,x", False), ("/relative/path", False), (None, False),
    ("https://exa mple.org", False), ("//example.org", False), ("javascript://example.org/%0aalert(1)", False),
])
def test_safe_url_keeps_only_absolute_http_links(url, kept):
    assert safe_url(url) == (url if kept else None)


def test_numbers_and_dates_follow_the_language():
    assert labels.number(2000, "fr") == "2\u202f000" and labels.number(2000, "en") == "2,000"
    assert labels.day(date(2020, 2, 18), "fr") == "18 févr. 2020" and labels.day(None, "en") == "–"


def test_context_is_cut_at_a_word_with_an_ellipsis():
    long = "mot " * 100
    assert context_before(long).startswith("…mot") and len(context_before(long)) <= 141
    assert context_after(long).endswith("mot…") and context_after("court") == "court"


def test_quote_wall_shows_a_syndicated_quote_once(db: Path):
    con = connect(db)
    con.execute("INSERT INTO quotations VALUES " + quote("q11", "p2", "Clara Chapaz", "x_cc").replace(
        "'texte q11'", "'texte q1'"))
    con.close()
    con = connect(db, read_only=True)
    wall = coverage(con).by_event["VivaTech"]["quotes"]
    con.close()
    assert [q["text"] for q in wall if q["speaker"] == "Clara Chapaz"].count("texte q1") == 1


def test_the_client_report_holds_no_run_history_failure_nor_local_path(db: Path, tmp_path: Path):
    paths = [uri for (uri,) in view(db, "SELECT source_uri FROM failures")]
    assert paths
    client, _ = build(db, tmp_path)
    assert 'id="runs"' not in client and not any(p in client for p in paths)
    internal, _ = build(db, tmp_path, internal=True)
    assert 'id="runs"' in internal and any(p in internal for p in paths)
    assert ">completed<" not in internal and ("terminée" in internal or "arrêtée" in internal or "en cours" in internal)


def test_a_quote_in_copies_of_one_article_counts_once_in_the_report(tmp_path: Path):
    from tests.warehouse.test_load import tag_by_body
    from tests.warehouse.test_stories import ARTICLE, post
    from warehouse import load as wh
    from warehouse.stories import assign_stories

    con = connect(tmp_path / "w.duckdb")
    body = "VivaTech ouvre. " + ARTICLE
    wh.load_posts(con, [post(f"https://site{i}.example/1", body, 2 + i) for i in range(3)], "r1", NOW, tag=tag_by_body)
    assign_stories(con)
    con.close()
    con = connect(tmp_path / "w.duckdb", read_only=True)
    data = coverage(con)
    con.close()
    assert data.totals["event_posts"] == 3 and data.totals["event_quotes"] == 1
    assert [(e["event"], e["posts"], e["stories"], e["quotes"]) for e in data.events] == [("VivaTech", 3, 1, 1)]
