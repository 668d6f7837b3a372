import gzip
from datetime import UTC, date, datetime

import pytest

from schemas import Failure, MediaType, Post, RawDocument, Stage
from tasks.sources.acquire import document_id
from warehouse import load as wh
from warehouse import runs
from warehouse.event_store import event_id_for, write_links
from warehouse.store import DocumentStore

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def doc(content: bytes, uri: str) -> RawDocument:
    return RawDocument(doc_id=document_id(content), source_uri=uri, content=content, media_type=MediaType.TEXT,
                       acquired_at=NOW)


def post(d: RawDocument, body: str = "Corps du billet.") -> Post:
    return Post(post_id="p-" + d.source_uri, doc_id=d.doc_id, source_uri=d.source_uri, body_text=body,
                title="Titre", categories=("a", "b"), published_at=date(2026, 2, 1),
                parser_version="v1")


def table(con, sql):
    return con.execute(sql).fetchall()


def test_store_documents_keeps_each_content_once_and_every_version(con):
    a, a_again, b = doc(b"one", "/x.txt"), doc(b"one", "/copy.txt"), doc(b"two", "/x.txt")
    assert wh.store_documents(con, [a, a_again], "r1", NOW) == 1
    assert wh.store_documents(con, [a, b], "r2", NOW) == 1
    assert table(con, "SELECT count(*) FROM documents") == [(2,)]
    assert table(con, "SELECT source_uri, count(*) FROM document_versions GROUP BY 1 ORDER BY 1") == [
        ("/copy.txt", 1), ("/x.txt", 2)]


def test_store_documents_writes_gzip_files_that_read_back_exactly(con, tmp_path):
    pages = [doc(("<html><p>" + f"Billet {i} sur VivaTech. " * 4000 + "</p></html>").encode(), f"/p{i}.html")
             for i in range(40)]
    wh.store_documents(con, pages, "r1", NOW)
    files = sorted((tmp_path / "w.documents").rglob("*.gz"))
    assert [f.name for f in files] == sorted(f"{d.doc_id}.gz" for d in pages)
    assert gzip.decompress(files[0].read_bytes()) in {d.content for d in pages}  # zcat reads the store
    assert sum(f.stat().st_size for f in files) * 20 < sum(len(d.content) for d in pages)
    assert table(con, "SELECT sum(byte_size) FROM documents") == [(sum(len(d.content) for d in pages),)]
    wanted = [pages[3], pages[31]]
    read = wh.read_documents(con, [(d.source_uri, d.doc_id) for d in wanted])
    assert [(d.source_uri, d.content) for d in read] == [(d.source_uri, d.content) for d in wanted]


def test_read_documents_gives_a_failure_for_a_file_gone_or_damaged(con):
    gone, damaged, cut, kept = (doc(b"un", "/a.txt"), doc(b"deux", "/b.txt"), doc(b"trois" * 999, "/c.txt"),
                                doc(b"quatre", "/d.txt"))
    wh.store_documents(con, [gone, damaged, cut, kept], "r1", NOW)
    store = DocumentStore.of(con)
    store.path(gone.doc_id).unlink()
    store.path(damaged.doc_id).write_bytes(gzip.compress(b"autre chose"))
    whole = store.path(cut.doc_id).read_bytes()
    store.path(cut.doc_id).write_bytes(whole[: len(whole) // 2])
    read = wh.read_documents(con, [(d.source_uri, d.doc_id) for d in (gone, damaged, cut, kept)]
                             + [("/e.txt", "f" * 64)])  # never stored
    assert [(f.source_uri, f.stage, f.reason) for f in read if isinstance(f, Failure)] == [
        ("/e.txt", Stage.ACQUIRE, "stored document missing"), ("/a.txt", Stage.ACQUIRE, "stored document missing"),
        ("/b.txt", Stage.ACQUIRE, "stored document corrupt"), ("/c.txt", Stage.ACQUIRE, "stored document corrupt")]
    assert [d.content for d in read if isinstance(d, RawDocument)] == [b"quatre"]


def test_store_documents_restores_a_lost_file_when_the_bytes_come_again(con):
    page = doc(b"un billet", "/a.txt")
    wh.store_documents(con, [page], "r1", NOW)
    DocumentStore.of(con).path(page.doc_id).unlink()
    assert wh.store_documents(con, [page.model_copy(update={"source_uri": "/copie.txt"})], "r2", NOW) == 0
    [read] = wh.read_documents(con, [(page.source_uri, page.doc_id)])
    assert read.content == b"un billet"


def test_store_documents_rolled_back_leaves_no_row_and_a_reusable_file(con, monkeypatch):
    page = doc(b"un billet", "/a.txt")
    monkeypatch.setattr(wh, "insert_rows", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("disk full")))
    with pytest.raises(RuntimeError):
        wh.store_documents(con, [page], "r1", NOW)
    assert table(con, "SELECT count(*) FROM documents") == [(0,)]
    assert DocumentStore.of(con).path(page.doc_id).is_file()
    monkeypatch.undo()
    assert wh.store_documents(con, [page], "r1", NOW) == 1


def tag_by_body(con, ids):
    """A stand-in for flows.event_tagging: every post whose body names an event of NAMES covers it."""
    rows = con.execute("SELECT post_id, body_text FROM posts WHERE post_id IN (SELECT unnest(?))", [ids]).fetchall()
    links = [dict(post_id=p, event_id=event_id_for(key), evidence="body", evidence_kinds=["body"], body_mentions=1,
                  edition=None, parser_version="v1") for p, body in rows for key, name in NAMES.items() if name in body]
    new = [dict(event_id=event_id_for(k), name=n, event_key=k, origin="hashtag") for k, n in NAMES.items()]
    return write_links(con, links, new, "r-tag", NOW, ids)


NAMES = {"vivatech": "VivaTech", "iaparis": "IA Paris"}


def test_load_posts_makes_the_event_links_of_its_batch_and_replaces_them(con):
    d = doc(b"one", "/x.txt")
    wh.load_posts(con, [post(d, body="Au salon VivaTech.")], "r1", NOW, tag=tag_by_body)
    wh.load_posts(con, [post(d, body="Au salon VivaTech.")], "r2", NOW, tag=tag_by_body)
    assert table(con, "SELECT count(*), any_value(categories) FROM posts") == [(1, ["a", "b"])]
    assert table(con, "SELECT e.name, pe.evidence FROM post_events pe JOIN events e USING (event_id)") == [
        ("VivaTech", "body")]
    wh.load_posts(con, [post(d, body="Nouveau corps.")], "r3", NOW, tag=tag_by_body)
    assert table(con, "SELECT body_text, run_id FROM posts") == [("Nouveau corps.", "r3")]
    assert table(con, "SELECT count(*) FROM post_events") == [(0,)]


def test_a_failing_tag_rolls_the_batch_back(con):
    d = doc(b"one", "/x.txt")

    def broken(con, ids):
        raise RuntimeError("tagging failed")

    with pytest.raises(RuntimeError):
        wh.load_posts(con, [post(d, body="Au salon VivaTech.")], "r1", NOW, tag=broken)
    assert table(con, "SELECT count(*) FROM posts") == [(0,)]


def test_failures_hold_the_latest_state_per_source(con):
    d = doc(b"one", "/x.txt")
    runs.record_failures(con, [Failure(source_uri="/x.txt", stage=Stage.DECODE, reason="bad")], "r1", NOW)
    runs.record_failures(con, [Failure(source_uri="/x.txt", stage=Stage.CLEAN, reason="worse")], "r2", NOW)
    assert table(con, "SELECT stage, reason, run_id FROM failures") == [("clean", "worse", "r2")]
    wh.load_posts(con, [post(d)], "r3", NOW)
    assert table(con, "SELECT count(*) FROM failures") == [(0,)]


def test_the_fullest_name_of_an_entity_wins_within_and_across_loads(con):
    from schemas import Entity

    def naming(uri: str, name: str) -> Post:
        return post(doc(uri.encode(), uri)).model_copy(
            update={"entities": (Entity(entity_id="e1", name=name, type="ORG"),)})

    wh.load_posts(con, [naming("/a.txt", "Union européenne"), naming("/b.txt", "UE")], "r1", NOW)
    assert table(con, "SELECT name FROM entities") == [("Union européenne",)]
    wh.load_posts(con, [naming("/c.txt", "Union")], "r2", NOW)
    assert table(con, "SELECT name FROM entities") == [("Union européenne",)]


@pytest.mark.parametrize("where, selected", [
    ("title = 'a;b'", {"b"}),  # a ';' inside a literal is the literal's
    ("title = 'a;b' -- the one with a semicolon", {"b"}),  # a comment ends the condition, not the query
    ("title LIKE '%/*%'", set()),
    ("title <> 'a;b' OR title IS NULL", {"a"}),
])
def test_a_where_condition_is_judged_by_duckdbs_parser(con, where, selected):
    a, b = doc(b"<p>a</p>", "file:///a.html"), doc(b"<p>b</p>", "file:///b.html")
    wh.store_documents(con, [a, b], "run", NOW)
    wh.load_posts(con, [post(a).model_copy(update=dict(title=None)), post(b).model_copy(update=dict(title="a;b"))],
                  "run", NOW)
    found = wh.reprocess_candidates(con, version="v", everything=True, where=where, skip_run=None)
    assert {uri[-6] for uri, _, _ in found} == selected


@pytest.mark.parametrize("where", ["1=1; DROP TABLE posts", "1=1) OR (1=1; DELETE FROM posts", "titl = 'x'", "1=1 --\n)"])
def test_a_where_that_is_not_one_condition_on_posts_is_refused(con, where):
    from warehouse.queries import check_condition

    with pytest.raises(ValueError):
        check_condition(con, where)
    with pytest.raises(ValueError):
        wh.reprocess_candidates(con, version="v", everything=True, where=where, skip_run=None)
