"""Corrections: rows of their own, applied by the views, found again by the quote's text."""

from datetime import timedelta

import pytest

from tests.warehouse.test_load import NOW
from tests.warehouse.test_stories import ARTICLE, post
from warehouse import load as wh
from warehouse import runs
from warehouse.corrections import CorrectionError, correct_speaker, dismiss_failure, hide_quote, withdraw
from schemas import Failure, Stage


def quote_id(con) -> str:
    return con.execute("SELECT quote_id FROM quotes").fetchall()[0][0]


def test_a_corrected_speaker_replaces_the_machines_until_withdrawn(con):
    wh.load_posts(con, [post("https://a.example/1", ARTICLE, 2)], "r1", NOW)
    made = correct_speaker(con, quote_id(con), "Paul Martin", "the caption names him", NOW)
    assert con.execute("SELECT speaker, speaker_entity_id, attribution_rule, correction_id FROM quotes").fetchall() == [
        ("Paul Martin", None, "corrected", made)]
    correct_speaker(con, quote_id(con), "anne roy", None, NOW + timedelta(seconds=1))  # the latest wins
    assert con.execute("SELECT speaker, speaker_entity_id FROM quotes").fetchall() == [("Anne Roy", "anne")]
    withdraw(con, con.execute("SELECT correction_id FROM quotes").fetchall()[0][0], NOW + timedelta(seconds=2))
    assert con.execute("SELECT speaker FROM quotes").fetchall() == [("Paul Martin",)]


def test_a_correction_finds_its_quote_again_after_the_post_is_written_again(con):
    wh.load_posts(con, [post("https://a.example/1", ARTICLE, 2)], "r1", NOW)
    hide_quote(con, quote_id(con), "a slogan, not speech", NOW)
    moved = post("https://a.example/1", "Mise à jour : " + ARTICLE, 2)  # the quote's offsets move
    wh.load_posts(con, [moved], "r2", NOW)
    assert con.execute("SELECT count(*) FROM quotations WHERE kind = 'speech'").fetchall() == [(1,)]
    assert con.execute("SELECT count(*) FROM quotes").fetchall() == [(0,)]


def test_a_dismissed_failure_leaves_the_open_failures_until_it_fails_again(con):
    failure = Failure(source_uri="/x/typo.html", stage=Stage.ACQUIRE, reason="file not found")
    runs.record_failures(con, [failure], "r1", NOW)
    dismiss_failure(con, "/x/typo.html", "mistyped path", NOW + timedelta(minutes=1))
    assert con.execute("SELECT count(*) FROM open_failures").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM failures").fetchall() == [(1,)]  # nothing lost
    runs.record_failures(con, [failure], "r2", NOW + timedelta(hours=1))
    assert con.execute("SELECT count(*) FROM open_failures").fetchall() == [(1,)]


def test_a_correction_of_nothing_known_says_so(con):
    with pytest.raises(CorrectionError, match="no quote"):
        hide_quote(con, "nope", None, NOW)
    with pytest.raises(CorrectionError, match="no failure"):
        dismiss_failure(con, "/nowhere", None, NOW)
    with pytest.raises(CorrectionError, match="no correction"):
        withdraw(con, "nope", NOW)


def test_a_correction_holds_for_every_copy_of_the_story(con):
    from warehouse.stories import assign_stories

    wh.load_posts(con, [post(f"https://site{i}.example/1", ARTICLE, 2 + i) for i in range(2)], "r1", NOW)
    assign_stories(con)
    copy = con.execute("SELECT quote_id FROM quotes WHERE post_id = 'p-https://site1.example/1'").fetchall()[0][0]
    correct_speaker(con, copy, "Paul Martin", None, NOW)
    assert con.execute("SELECT DISTINCT speaker FROM quotes").fetchall() == [("Paul Martin",)]
    assert con.execute("SELECT speaker, quotes FROM report_quotes_by_speaker").fetchall() == [("Paul Martin", 1)]


def test_merged_and_renamed_entities_reach_every_table_and_survive_a_reload(con):
    from schemas import Entity, Mention
    from warehouse.corrections import apply_entity_corrections, merge_entities, rename_entity

    short = Entity(entity_id="roy", name="A. Roy", type="PERSON")
    base = post("https://a.example/1", ARTICLE, 2)
    at = ARTICLE.index("Anne Roy")
    written = base.model_copy(update=dict(entities=(base.entities[0], short), mentions=(
        Mention(entity_id="roy", surface="A. Roy", char_start=at, char_end=at + 8, sentence_start=0, sentence_end=10),)))
    wh.load_posts(con, [written], "r1", NOW)
    merge_entities(con, "roy", "Anne Roy", "the same person", NOW)
    rename_entity(con, "anne", "Anne Roy-Martin", None, NOW + timedelta(seconds=1))
    assert con.execute("SELECT DISTINCT entity_id FROM mentions").fetchall() == [("anne",)]
    assert con.execute("SELECT speaker FROM quotes").fetchall() == [("Anne Roy-Martin",)]
    wh.load_posts(con, [written], "r2", NOW)  # a run writes the machine's rows again
    apply_entity_corrections(con)  # and applies the corrections at its end
    assert con.execute("SELECT DISTINCT entity_id FROM mentions").fetchall() == [("anne",)]
    assert con.execute("SELECT name FROM entities WHERE entity_id = 'anne'").fetchall() == [("Anne Roy-Martin",)]
    with pytest.raises(CorrectionError, match="already itself"):
        merge_entities(con, "anne", "Anne Roy-Martin", None, NOW)


def test_the_latest_correction_wins_even_when_it_names_nobody(con):
    wh.load_posts(con, [post("https://a.example/1", ARTICLE, 2)], "r1", NOW)
    correct_speaker(con, quote_id(con), "Paul Martin", None, NOW)
    correct_speaker(con, quote_id(con), None, "a slogan on a banner", NOW + timedelta(seconds=1))
    assert con.execute("SELECT speaker, speaker_entity_id, attribution_rule FROM quotes").fetchall() == [
        (None, None, "corrected")]
