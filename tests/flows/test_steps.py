"""The steps of a run as plain functions: batches, the pipeline of submitted batches, store and load."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.steps import Tally, batches, load_batch, pipelined, report_of, store_batch
from schemas import MediaType, ParseOutcome, Post, RawDocument
from tasks.sources.acquire import document_id
from warehouse import Writer

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def test_batches_cut_in_order_the_last_shorter():
    assert list(batches(list(range(7)), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batches([], 3)) == []


@pytest.mark.parametrize("depth", [0, 1, 3])
def test_the_pipeline_keeps_at_most_depth_batches_in_flight_and_finishes_in_order(depth):
    events, in_flight, most = [], set(), 0

    def submit(item):
        nonlocal most
        in_flight.add(item)
        most = max(most, len(in_flight))
        events.append(("submit", item))
        return item

    def finish(item):
        in_flight.discard(item)
        events.append(("finish", item))

    pipelined(range(5), submit, finish, depth)
    assert [i for kind, i in events if kind == "finish"] == list(range(5))
    assert most == depth + 1 and not in_flight


def _doc(text: str, uri: str) -> RawDocument:
    content = text.encode()
    return RawDocument(doc_id=document_id(content), source_uri=uri, content=content, media_type=MediaType.TEXT,
                       acquired_at=NOW)


def _post(d: RawDocument, body: str = "Corps.") -> Post:
    return Post(post_id="p-" + d.source_uri, doc_id=d.doc_id, source_uri=d.source_uri, body_text=body,
                parser_version="v1")


def _parsed(d: RawDocument, body: str = "Corps.") -> ParseOutcome:
    return ParseOutcome(doc_id=d.doc_id, source_uri=d.source_uri, post=_post(d, body))


def test_a_stored_batch_is_parsed_once_per_version_and_its_load_is_counted(tmp_path: Path):
    writer = Writer(tmp_path / "w.duckdb")
    try:
        tally = Tally(writer, "run-1")
        a, b = _doc("un", "/a.txt"), _doc("deux", "/b.txt")
        stored = store_batch(tally, [a, b], version="v1", now=NOW)
        assert [d.source_uri for d in stored.todo] == ["/a.txt", "/b.txt"]
        load_batch(tally, stored, [_parsed(a), _parsed(b)])
        again = store_batch(tally, [a, _doc("deux, changé", "/b.txt")], version="v1", now=NOW)
        assert [d.source_uri for d in again.todo] == ["/b.txt"]  # a: same bytes, same parser
        assert [d.source_uri for d in store_batch(tally, [a], version="v2", now=NOW).todo] == ["/a.txt"]
        report = report_of(tally, "ingest", NOW, "v1", None)
        assert (report.documents_new, report.posts_written, report.posts_new, report.posts_unchanged) == (3, 2, 2, 1)
    finally:
        writer.close()


def test_new_bytes_around_the_same_article_are_not_a_changed_post(tmp_path: Path):
    writer = Writer(tmp_path / "w.duckdb")
    try:
        tally = Tally(writer, "run-1")
        first = _doc("<p>Le billet.</p><aside>Derniers billets : un</aside>", "/a.html")
        load_batch(tally, store_batch(tally, [first], version="v1", now=NOW), [_parsed(first, "Le billet.")])
        chrome = _doc("<p>Le billet.</p><aside>Derniers billets : un, deux</aside>", "/a.html")
        load_batch(tally, store_batch(tally, [chrome], version="v1", now=NOW), [_parsed(chrome, "Le billet.")])
        assert report_of(tally, "poll", NOW, "v1", None).posts_changed == 0
        edited = _doc("<p>Le billet, corrigé.</p>", "/a.html")
        load_batch(tally, store_batch(tally, [edited], version="v1", now=NOW), [_parsed(edited, "Le billet, corrigé.")])
        assert report_of(tally, "poll", NOW, "v1", None).posts_changed == 1
    finally:
        writer.close()
