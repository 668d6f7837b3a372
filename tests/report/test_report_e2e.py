"""End to end: the report of a warehouse the real ingest flow built, opened in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from PIL import Image
from typer.testing import CliRunner

from report import build_report
from tests.conftest import SEEDS, SHARED, query
from tests.report.chromium import chromium_or_skip, dump_dom, screenshot
from tests.report.dom import parse

pytestmark = pytest.mark.slow
FR_PAGES = SHARED / "data" / "fr-web-pages" / "html"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    """Seeds, and the 40 French pages when ../shared is there, in one ingest (one Prefect start)."""
    import flows.ingest  # noqa: F401  (binds Prefect's log handler outside CliRunner's captured streams)
    from flows.cli import app

    path = tmp_path_factory.mktemp("report-wh") / "w.duckdb"
    inputs = [str(SEEDS)] + ([str(FR_PAGES)] if FR_PAGES.is_dir() else [])
    result = CliRunner().invoke(app, ["ingest", *inputs, "--db", str(path)])
    assert result.exit_code in (0, 1), result.output  # 1: some document failed, the run went on
    return path


@pytest.fixture(scope="module")
def rendered(db: Path, tmp_path_factory):
    chromium_or_skip()
    folder = tmp_path_factory.mktemp("report")
    summary = build_report(db, folder / "report.html", internal=True)  # the whole page, run history included
    return summary, parse(dump_dom(summary.out)), folder


def test_every_chart_renders_in_chromium(rendered):
    summary, dom, _folder = rendered
    figures = dom.find_all("figure", **{"class": "chart"})
    assert summary.charts >= 5 and len(figures) == summary.charts
    assert [f.attrs.get("data-rendered") for f in figures] == ["yes"] * len(figures)
    assert all(f.find_all("svg")[0].find_all("path") for f in figures)


def test_key_figures_equal_the_views(rendered, db: Path):
    _, dom, _ = rendered
    rows = {r.attrs["data-event"]: r for r in dom.find_all("nav")[0].find_all("tr") if "data-event" in r.attrs}

    def figure(row, key: str) -> int:
        return int(row.find_all(data_figure=key)[0].attrs["data-sort"])

    posts = dict(query(db, "SELECT event, sum(posts)::INT FROM report_coverage_per_event_week GROUP BY event"))
    assert {event: figure(row, "posts") for event, row in rows.items()} == posts
    quotes = dict(query(db, "SELECT event, sum(quotes)::INT FROM report_quotes_by_event GROUP BY event"))
    assert {event: figure(row, "quotes") for event, row in rows.items()} == {e: quotes.get(e, 0) for e in posts}
    assert {"VivaTech", "IAParis"} <= set(rows)
    for section in dom.find_all("section", **{"class": "card event"}):
        event = section.attrs["data-event"]
        shown = sorted((r.attrs["data-speaker"], int(r.find_all(data_figure="speaker-quotes")[0].attrs["data-sort"]))
                       for r in section.find_all("tr") if "data-speaker" in r.attrs)
        with duckdb.connect(str(db), read_only=True) as con:
            expected = con.execute("SELECT speaker, quotes::INT FROM report_top_speakers_per_event WHERE event = ?",
                                   [event]).fetchall()
        assert shown == sorted(expected)
        assert int(section.find_all("span", data_figure="posts")[0].attrs["data-value"]) == posts[event]
    last_run = query(db, "SELECT run_id FROM report_run_history LIMIT 1")[0][0]
    assert dom.find_all(data_last_run=last_run)


def test_tables_sort_in_chromium(rendered):
    summary, _, folder = rendered
    # The real page, with a click on the "Personne" header of its longest speakers table added at the end.
    clicked = folder / "clicked.html"
    clicked.write_text(summary.out.read_text("utf-8").replace("</body>", """<script>
var table = Array.from(document.querySelectorAll('table[data-table="speakers"]'))
  .reduce((a, b) => b.tBodies[0].rows.length > a.tBodies[0].rows.length ? b : a);
table.tHead.rows[0].cells[1].querySelector("button").click();
document.body.setAttribute("data-order", Array.from(table.tBodies[0].rows, r => r.cells[1].textContent).join("|"));
document.body.setAttribute("data-aria", table.tHead.rows[0].cells[1].getAttribute("aria-sort"));
</script></body>"""), "utf-8")
    body = parse(dump_dom(clicked)).find_all("body")[0]
    order = body.attrs["data-order"].split("|")
    assert len(order) > 1 and order == sorted(order, key=str.casefold) and body.attrs["data-aria"] == "ascending"


def test_screenshot_shows_the_report(rendered):
    summary, _, folder = rendered
    png = screenshot(summary.out, folder / "report.png")
    with Image.open(png) as image:
        assert image.size == (1280, 4000)
        assert len(image.convert("RGB").getcolors(maxcolors=1 << 20)) > 100  # text and charts, not a blank page


@pytest.mark.shared
def test_report_of_the_french_pages_counts_posts_without_event(rendered, db: Path):
    if not FR_PAGES.is_dir():
        pytest.skip(f"{FR_PAGES} is absent (../shared is not beside the project)")
    _, dom, _ = rendered
    without = query(db, "SELECT count(*) FROM posts p WHERE NOT EXISTS"
                        " (SELECT 1 FROM post_events pe WHERE pe.post_id = p.post_id)")[0][0]
    assert without >= 30
    assert f"{without} billets ne sont rattachés à aucun événement" in dom.find_all("nav")[0].all_text


def test_report_for_one_event_found_by_its_folded_name(db: Path, tmp_path: Path):
    summary = build_report(db, tmp_path / "vivatech.html", event="vivatech")
    assert summary.events == ["VivaTech"]
    assert summary.posts == query(db, "SELECT sum(posts)::INT FROM report_coverage_per_event_week"
                                      " WHERE event = 'VivaTech'")[0][0]


def test_report_command_writes_the_file_and_refuses_an_unknown_event(db: Path, tmp_path: Path):
    from flows.cli import app

    runner = CliRunner()
    written = runner.invoke(app, ["report", "--db", str(db), "--out", str(tmp_path / "r.html"), "--lang", "en"])
    assert written.exit_code == 0, written.output
    assert (tmp_path / "r.html").read_text("utf-8").startswith("<!DOCTYPE html>")
    unknown = runner.invoke(app, ["report", "--db", str(db), "--out", str(tmp_path / "x.html"), "--event", "Nope"])
    assert unknown.exit_code == 2
    assert "VivaTech" in unknown.output and not (tmp_path / "x.html").exists()
