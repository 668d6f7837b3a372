"""`covpipe events`: events declared as data re-tag the stored posts, without parsing (invented posts)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.event_tagging import add_event, remove_event, retag, seed_starter_events
from schemas import Post
from tasks.event_coverage import EventError, EventSpec, declared
from tests.warehouse.test_load import NOW, doc
from warehouse import load as wh
from warehouse.db import connect

FILLER = "Les allées se remplissent dès l'ouverture et les exposants déballent. " * 6
POSTS = {  # source_uri: (title, body, published_at)
    "/drones.html": ("Eurosatory 2026 : les drones partout", FILLER + "Au salon Eurosatory, on vole.", date(2026, 6, 16)),
    "/blindes.html": ("Les blindés de demain", "Le salon Eurosatory ouvre ses portes. " + FILLER,
                      date(2026, 6, 15)),
    "/bilan.html": ("Bilan de l'édition 2024", FILLER + "Eurosatory a reçu 2000 exposants. Eurosatory ferme.",
                    date(2024, 6, 21)),
    "/dette.html": ("La dette publique", "Selon le rapport du Forum économique mondial, la dette grimpe. " + FILLER,
                    date(2026, 1, 20)),
}


def post(uri: str) -> Post:
    title, body, published = POSTS[uri]
    d = doc(body.encode(), uri)
    return Post(post_id="p" + uri, doc_id=d.doc_id, source_uri=uri, url=f"https://blog.example{uri}",
                site_name="Blog", title=title, body_text=body, published_at=published, parser_version="v1")


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    con = connect(path)
    seed_starter_events(con, NOW)
    wh.load_posts(con, [post(uri) for uri in POSTS], "r1", NOW)
    retag(con, "r1", NOW)
    con.close()
    return path


def links(path: Path) -> set[tuple]:
    con = connect(path)
    try:
        return set(con.execute("SELECT pe.post_id, e.name, pe.evidence, pe.edition FROM post_events pe "
                               "JOIN events e USING (event_id)").fetchall())
    finally:
        con.close()


def covpipe(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_no_event_by_default_and_a_citation_is_no_coverage(db):
    assert links(db) == set()  # the starter set names the Forum économique mondial; the post only cites it


def test_adding_an_event_tags_the_stored_posts_with_their_edition(db):
    output = covpipe("events", "add", "Eurosatory", "--edition", "2024=2024-06-17..2024-06-21",
                     "--edition", "2026=2026-06-15..2026-06-19", "--db", str(db))
    assert "4 posts re-tagged" in output and "3 links added" in output
    assert links(db) == {("p/drones.html", "Eurosatory", "title", "2026"),
                         ("p/blindes.html", "Eurosatory", "lead", "2026"),
                         ("p/bilan.html", "Eurosatory", "body", "2024")}
    assert "Eurosatory" in covpipe("events", "list", "--db", str(db))


def test_removing_an_event_drops_its_links_and_a_title_hashtag_does_not_bring_it_back(db):
    con = connect(db)
    try:
        add_event(con, EventSpec("Salon du Vélo"), NOW)
        wh.load_posts(con, [post("/drones.html").model_copy(update=dict(title="Le #SalonDuVelo ouvre"))], "r2", NOW)
        retag(con, "r2", NOW)
        assert remove_event(con, "salon du velo", NOW) == "Salon du Vélo"
        retag(con, "r3", NOW)
        assert con.execute("SELECT count(*) FROM post_events").fetchone() == (0,)
        with pytest.raises(EventError, match="no event named"):
            remove_event(con, "Salon du Vélo", NOW)
    finally:
        con.close()


def test_an_unchanged_link_keeps_the_run_that_made_it(db):
    covpipe("events", "add", "Eurosatory", "--db", str(db))
    con = connect(db)
    try:
        first = con.execute("SELECT post_id, run_id FROM post_events ORDER BY 1").fetchall()
        posts, counts = retag(con, "later", NOW)
        assert (posts, counts.added, counts.removed, counts.changed) == (4, 0, 0, 0)
        assert con.execute("SELECT post_id, run_id FROM post_events ORDER BY 1").fetchall() == first
        assert con.execute("SELECT flow_name, status FROM runs WHERE run_id = ?", [first[0][1]]).fetchall() == [
            ("events add", "completed")]
    finally:
        con.close()


def test_a_name_owned_by_another_event_is_refused(db):
    con = connect(db)
    try:
        with pytest.raises(EventError, match="already belongs to event 'Forum économique mondial'"):
            add_event(con, declared("Davos 2026", aliases=["WEF"]), NOW)
    finally:
        con.close()


def test_the_starter_set_is_written_into_a_new_warehouse_only(db):
    con = connect(db)
    try:
        assert seed_starter_events(con, NOW) == 0
        assert con.execute("SELECT count(*) > 20, min(origin) FROM events").fetchone() == (True, "starter")
    finally:
        con.close()


def test_events_load_reads_a_file_and_checks_all_before_storing(db, tmp_path: Path):
    good = tmp_path / "events.toml"
    good.write_text('[[events]]\nname = "Eurosatory"\nhashtags = ["Eurosatory2026"]\n'
                    'editions = ["2026=2026-06-15..2026-06-19"]\nsites = ["www.eurosatory.com"]\n', "utf-8")
    assert "added Eurosatory" in covpipe("events", "load", str(good), "--db", str(db))
    bad = tmp_path / "bad.toml"
    bad.write_text('[[events]]\nname = "Salon du Vélo"\n[[events]]\nname = "X"\neditions = ["2026=2026-13-01..2026-06-19"]\n',
                   "utf-8")
    result = CliRunner().invoke(app, ["events", "load", str(bad), "--db", str(db)])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "dates are YYYY-MM-DD" in result.output
    assert "Salon du Vélo" not in covpipe("events", "list", "--db", str(db))


@pytest.mark.parametrize(("args", "message"), [
    (["--edition", "2026=2026-06-20..2026-06-19"], "ends before it starts"),
    (["--site", "not a domain"], "is not a domain"),
    (["--hashtag", "deux mots"], "is not a hashtag"),
])
def test_a_bad_declaration_is_one_line(db, args, message):
    result = CliRunner().invoke(app, ["events", "add", "Eurosatory", *args, "--db", str(db)])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and message in result.output


def test_suggest_lists_events_named_by_two_posts_with_the_command_that_adopts_them(db):
    output = covpipe("events", "suggest", "--db", str(db))
    assert "Eurosatory" in output and 'covpipe events add "Eurosatory"' in output
    covpipe("events", "add", "Eurosatory", "--db", str(db))
    assert "Eurosatory" not in covpipe("events", "suggest", "--db", str(db))


def test_an_event_a_later_post_brings_tags_the_posts_loaded_before_it(tmp_path: Path):
    from flows.event_tagging import event_count, retag_if_grown, tag_posts

    con = connect(tmp_path / "w.duckdb")
    try:
        before = event_count(con)
        first = post("/blindes.html").model_copy(update=dict(body_text="Le #SalonDuVelo ouvre. " + FILLER))
        second = post("/drones.html").model_copy(update=dict(title="Tout sur le #SalonDuVelo"))
        for p in (first, second):  # two batches: the event exists only once the second is loaded
            wh.load_posts(con, [p], "r1", NOW, tag=lambda c, ids: tag_posts(c, "r1", NOW, ids))
        assert con.execute("SELECT post_id FROM post_events").fetchall() == [("p/drones.html",)]
        retag_if_grown(con, before, "r1", NOW)
        assert sorted(con.execute("SELECT post_id, evidence FROM post_events").fetchall()) == [
            ("p/blindes.html", "lead"), ("p/drones.html", "title")]
    finally:
        con.close()
