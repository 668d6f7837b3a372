"""The documented schema (docs/warehouse.md) and the Parquet export."""

from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT
from tests.warehouse.test_load import NOW, doc, post, tag_by_body
from warehouse import load as wh
from warehouse.export import export_parquet
from warehouse.schema_doc import EXAMPLES, markdown


def test_docs_warehouse_md_is_the_generated_schema(con):
    written = (ROOT / "docs" / "warehouse.md").read_text("utf-8")
    assert written.rstrip("\n") == markdown(con).rstrip("\n"), (
        "docs/warehouse.md is stale: run `covpipe schema --format markdown > docs/warehouse.md`")


@pytest.mark.parametrize(("title", "sql"), EXAMPLES, ids=[t for t, _ in EXAMPLES])
def test_every_example_query_runs(con, title, sql):
    con.execute(sql).fetchall()


def test_export_with_content_writes_the_raw_bytes(con, tmp_path: Path):
    a = doc("Un billet accentué.".encode(), "/a.txt")
    wh.store_documents(con, [a], "r1", NOW)
    export_parquet(con, tmp_path, with_content=True)
    assert duckdb.connect().execute(f"SELECT doc_id, content FROM '{tmp_path}/documents/data.parquet'").fetchall() == [
        (a.doc_id, a.content)]


def test_export_with_content_stops_on_a_stored_document_gone(con, tmp_path: Path):
    from warehouse.store import DocumentStore

    a = doc(b"un", "/a.txt")
    wh.store_documents(con, [a], "r1", NOW)
    DocumentStore.of(con).path(a.doc_id).unlink()
    with pytest.raises(duckdb.Error, match=f"stored document {a.doc_id} is missing"):
        export_parquet(con, tmp_path / "out", with_content=True)
    assert export_parquet(con, tmp_path / "plain")["documents"] == 1  # without the bytes, nothing to read


def test_export_writes_every_relation_partitioned_by_event(con, tmp_path: Path):
    a, b, c = doc(b"un", "/a.txt"), doc(b"deux", "/b.txt"), doc(b"trois", "/c.txt")
    wh.store_documents(con, [a, b, c], "r1", NOW)
    wh.load_posts(con, [post(a, body="VivaTech"), post(b, body="VivaTech et IA Paris"), post(c)], "r1", NOW,
                  tag=tag_by_body)
    out = tmp_path / "export"
    written = export_parquet(con, out)

    relations = {n for (n,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE NOT internal AND table_name <> 'schema_migrations'"
        " UNION SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'").fetchall()}
    assert set(written) == relations
    read = duckdb.connect()
    posts = read.execute(
        f"SELECT event, source_uri FROM read_parquet('{out}/posts/*/*.parquet', hive_partitioning = true)"
        " ORDER BY ALL").fetchall()
    assert posts == [("IA Paris", "/b.txt"), ("VivaTech", "/a.txt"), ("VivaTech", "/b.txt"), ("none", "/c.txt")]
    documents = read.execute(f"DESCRIBE SELECT * FROM '{out}/documents/data.parquet'").fetchall()
    assert not {"content", "content_zlib"} & {row[0] for row in documents}
    assert read.execute(f"SELECT count(*) FROM '{out}/runs/data.parquet'").fetchone() == (0,)


def test_export_replaces_its_own_folder_and_refuses_one_it_did_not_write(con, tmp_path: Path):
    from warehouse.export import MARKER, ExportRefused, export_to

    a = doc(b"un", "/a.txt")
    wh.store_documents(con, [a], "r1", NOW)
    out = tmp_path / "export"
    export_to(con, out)
    (out / "posts" / "stale.parquet").write_bytes(b"from an earlier export")
    export_to(con, out)  # its own folder: replaced whole, nothing left from before
    assert (out / MARKER).exists() and not (out / "posts" / "stale.parquet").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".export")]  # no staging folder left behind

    mine = tmp_path / "mine"
    (mine / "posts").mkdir(parents=True)
    (mine / "posts" / "notes.txt").write_text("a user's file")
    with pytest.raises(ExportRefused, match="did not write"):
        export_to(con, mine)
    assert (mine / "posts" / "notes.txt").read_text() == "a user's file"
    export_to(con, mine, overwrite=True)
    assert (mine / MARKER).exists() and not (mine / "posts" / "notes.txt").exists()


def test_a_failed_export_leaves_the_previous_one_whole(con, tmp_path: Path):
    from warehouse.export import export_to
    from warehouse.store import DocumentStore

    a = doc(b"un", "/a.txt")
    wh.store_documents(con, [a], "r1", NOW)
    out = tmp_path / "export"
    export_to(con, out)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    DocumentStore.of(con).path(a.doc_id).unlink()
    with pytest.raises(duckdb.Error):
        export_to(con, out, with_content=True)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".export")]
