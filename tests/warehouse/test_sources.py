"""Crawl state: the fetch log, URL validators, listed items, and hints stored with documents."""

from __future__ import annotations

from datetime import date, timedelta

from schemas import FetchResult, SourceHints, SourceItem
from tests.warehouse.test_load import NOW, doc, table
from warehouse import load as wh
from warehouse import runs
from warehouse import sources as crawl

API = SourceHints(source="blog", origin="wordpress-api", title="Titre", authors=("Marie Dupont",),
                  published_at=date(2026, 2, 3), categories=("Salons",), tags=("IA",), event="VivaTech")


def result(url: str, outcome: str, **kw) -> FetchResult:
    return FetchResult(url=url, kind="page", outcome=outcome, fetched_at=NOW, **kw)


def test_url_states_keep_validators_across_304_and_failures(con):
    url = "https://blog.example.org/a/"
    crawl.record_fetches(con, "blog", [result(url, "ok", status=200, etag='"v1"', last_modified="Mon", byte_size=9)],
                         "r1", {url: "d" * 64})
    crawl.record_fetches(con, "blog", [result(url, "not_modified", status=304)], "r2")
    crawl.record_fetches(con, "blog", [result(url, "failed", error="timed out", error_kind="transient")], "r3")
    assert crawl.validators(con, [url]) == {url: ('"v1"', "Mon", "d" * 64)}
    assert table(con, "SELECT outcome, error, last_ok_at IS NOT NULL FROM url_states") == [("failed", "timed out", True)]
    assert table(con, "SELECT run_id, outcome, status, byte_size, doc_id IS NOT NULL FROM fetches ORDER BY run_id") == [
        ("r1", "ok", 200, 9, True), ("r2", "not_modified", 304, 0, False), ("r3", "failed", None, 0, False)]


def test_stale_items_are_new_failed_unstamped_or_restamped_and_pending_ones_come_back(con):
    hints = SourceHints(source="blog", origin="sitemap")
    items = [SourceItem(url=f"https://s.example/{n}", stamp=f"2026-02-0{n}", hints=hints) for n in range(1, 5)]
    assert crawl.stale_items(con, "blog", items) == items
    crawl.store_items(con, "blog", items, NOW)
    crawl.record_fetches(con, "blog", [result(items[0].url, "ok"), result(items[1].url, "failed"),
                                       result(items[2].url, "ok")], "r1")
    relisted = [items[0], items[1], items[2].model_copy(update={"stamp": "2026-03-01"}),
                SourceItem(url="https://s.example/9", hints=hints)]
    assert [i.url[-1] for i in crawl.stale_items(con, "blog", relisted)] == ["2", "3", "9"]
    assert [i.url[-1] for i in crawl.stale_items(con, "blog", relisted, revalidate=True)] == ["1", "2", "3", "9"]
    # 4 was listed and never fetched, 2 failed: both are pending for the next run, with their hints.
    assert [(i.url[-1], i.hints) for i in crawl.pending_items(con, "blog", exclude=set())] == [
        ("2", hints), ("4", hints)]


def test_hints_are_stored_per_version_and_read_back_with_the_document(con):
    a = doc(b"un", "https://blog.example.org/a/").model_copy(update={"hints": API})
    wh.store_documents(con, [a], "r1", NOW)
    assert crawl.store_hints(con, [a], "r1", NOW) == {a.source_uri}
    assert crawl.store_hints(con, [a], "r2", NOW) == set()
    [read] = wh.read_documents(con, [(a.source_uri, a.doc_id)])
    assert read.hints == API and read.url == a.source_uri
    retagged = API.model_copy(update={"tags": ("IA", "Santé")})
    assert crawl.hints_changed(con, [(a.source_uri, a.doc_id, retagged)]) == {a.source_uri}
    # Another source listing the same page does not take it over (no re-parse back and forth).
    other = SourceHints(source="plan", origin="sitemap")
    assert crawl.hints_changed(con, [(a.source_uri, a.doc_id, other)]) == set()
    assert crawl.store_hints(con, [a.model_copy(update={"hints": other})], "r3", NOW + timedelta(1)) == set()
    assert table(con, "SELECT source_name, categories, tags FROM document_hints") == [("blog", ["Salons"], ["IA"])]


def test_clear_fetch_failures_keeps_parse_failures(con):
    from schemas import Failure, Stage

    runs.record_failures(con, [Failure(source_uri="u1", stage=Stage.ACQUIRE, reason="timed out"),
                             Failure(source_uri="u2", stage=Stage.CLEAN, reason="no article text found")], "r1", NOW)
    crawl.clear_fetch_failures(con, ["u1", "u2"])
    assert table(con, "SELECT source_uri FROM failures") == [("u2",)]


def test_a_failing_url_waits_longer_after_each_failure_and_not_after_an_answer(con):
    hints = SourceHints(source="blog", origin="urls")
    item = SourceItem(url="https://s.example/hangs", hints=hints)
    crawl.store_items(con, "blog", [item], NOW)
    for failures in (1, 2, 3):
        crawl.record_fetches(con, "blog", [result(item.url, "failed", error="timed out")], f"r{failures}",
                             retry_after_minutes=60)
        waited = timedelta(minutes=60 * 2 ** (failures - 1))
        assert crawl.stale_items(con, "blog", [item], now=NOW + waited - timedelta(seconds=1)) == []
        assert crawl.pending_items(con, "blog", set(), now=NOW + waited - timedelta(seconds=1)) == []
        assert crawl.stale_items(con, "blog", [item], now=NOW + waited) == [item]
    crawl.record_fetches(con, "blog", [result(item.url, "ok")], "r4")
    assert table(con, "SELECT failures, retry_at FROM url_states") == [(0, None)]


def test_an_unstamped_page_is_revalidated_once_its_period_has_passed_while_it_is_recent(con):
    hints = SourceHints(source="blog", origin="feed")
    item = SourceItem(url="https://s.example/billet/", hints=hints)  # an RSS item: its pubDate is no stamp
    crawl.store_items(con, "blog", [item], NOW)
    crawl.record_fetches(con, "blog", [result(item.url, "ok")], "r1")
    assert crawl.stale_items(con, "blog", [item], now=NOW + timedelta(hours=23), revalidate_hours=24) == []
    assert crawl.stale_items(con, "blog", [item], now=NOW + timedelta(hours=24), revalidate_hours=24) == [item]
    # not listed any more (an older page of the feed), still revalidated
    assert crawl.pending_items(con, "blog", set(), now=NOW + timedelta(hours=24), revalidate_hours=24) == [item]
    # listed more than revalidate_days ago: left alone
    assert crawl.stale_items(con, "blog", [item], now=NOW + timedelta(days=31), revalidate_hours=24,
                             revalidate_days=30) == []
