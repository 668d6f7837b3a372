import gzip
import hashlib
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from pydantic import ValidationError

from schemas import Settings
from warehouse import WarehouseBusy, WarehouseMissing, WarehouseOutdated, Writer, connect, migrate
from tests.conftest import read_in_another_process
from warehouse.db import document_function, migrations


def test_connect_applies_every_migration_once(tmp_path: Path):
    con = connect(tmp_path / "w.duckdb")
    versions = [v for (v,) in con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()]
    assert versions == [v for v, _, _ in migrations()]
    assert migrate(con) == []
    con.close()


def test_every_table_and_column_is_documented(tmp_path: Path):
    con = connect(tmp_path / "w.duckdb")
    bare = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns()"
        " WHERE NOT internal AND table_name <> 'schema_migrations' AND (comment IS NULL OR comment = '')"
        " AND table_name IN (SELECT table_name FROM duckdb_tables())"
    ).fetchall()
    assert bare == []
    views = con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal AND comment IS NULL").fetchall()
    assert views == []


def test_connect_read_only_refuses_a_missing_file(tmp_path: Path):
    with pytest.raises(WarehouseMissing, match="covpipe ingest"):
        connect(tmp_path / "absent.duckdb", read_only=True)


def test_second_writer_gets_warehouse_busy_after_a_bounded_wait(tmp_path: Path):
    path = tmp_path / "w.duckdb"
    connect(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('ready', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        start = time.monotonic()
        with pytest.raises(WarehouseBusy, match="warehouse busy"):
            connect(path, wait_seconds=1.0)
        assert 0.9 <= time.monotonic() - start < 10
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_a_run_lets_readers_in_while_it_waits_and_keeps_other_runs_out(tmp_path: Path):
    path = tmp_path / "w.duckdb"
    writer = Writer(path)
    try:
        writer.con.execute("INSERT INTO runs (run_id, flow_name, started_at, status, parser_version) "
                           "VALUES ('r1', 'ingest', now(), 'running', 'v')")
        assert read_in_another_process(path) == "WarehouseBusy"  # the run holds the file
        writer.release()  # a batch is being parsed
        assert read_in_another_process(path) == "1"  # a reader gets in, and sees what the run wrote
        with pytest.raises(WarehouseBusy):
            Writer(path, wait_seconds=0.5)  # another run does not
        assert writer.con.execute("SELECT count(*) FROM runs").fetchone() == (1,)  # the run takes the file back
    finally:
        writer.close()
    Writer(path, wait_seconds=0.5).close()  # once the run is over, the next one may start


def test_reporting_views_exist_and_answer(tmp_path: Path):
    from warehouse.db import create_views

    con = connect(tmp_path / "w.duckdb")
    names = create_views(con)
    assert {"report_quotes_by_speaker", "report_quotes_by_event", "report_quotes_by_organisation",
            "report_coverage_per_event_week"} <= set(names)
    for name in names:
        assert con.execute(f"SELECT * FROM {name}").fetchall() == []
    con.close()


def test_a_warehouse_of_the_first_schema_upgrades_in_place_without_losing_rows(tmp_path: Path):
    import duckdb

    path = tmp_path / "old.duckdb"
    old = duckdb.connect(str(path))
    version, name, sql = migrations()[0]
    old.execute(sql)
    old.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
                " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
    old.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
    old.execute("INSERT INTO posts (post_id, doc_id, source_uri, body_text, body_chars, parser_version, run_id,"
                " parsed_at) VALUES ('p1', 'd1', '/a.txt', 'Corps.', 6, 'v1', 'r1', now())")
    old.execute("INSERT INTO post_events VALUES ('p1', 'e1', 'title')")
    old.execute("INSERT INTO entities VALUES ('x1', 'Clara Chapaz', 'PERSON')")
    page = "<p>Clara Chapaz à VivaTech.</p>".encode() * 500
    doc_id = hashlib.sha256(page).hexdigest()
    old.execute("INSERT INTO documents VALUES (?, ?, ?, 'text/html', '/a.html', now(), 'r1')", [doc_id, page, len(page)])
    more = [f"<p>Billet {i}.</p>".encode() for i in range(300)]  # the migrations move documents 256 at a time
    old.executemany("INSERT INTO documents VALUES (?, ?, ?, 'text/html', '/b.html', now(), 'r1')",
                    [[hashlib.sha256(m).hexdigest(), m, len(m)] for m in more])
    old.execute("INSERT INTO runs (run_id, flow_name, started_at, status, parser_version)"
                " VALUES ('r1', 'ingest', now(), 'completed', 'v1')")
    old.close()
    with pytest.raises(WarehouseOutdated, match="run a command that writes"):
        connect(path, read_only=True)  # reading commands say how to upgrade, and do not guess

    con = connect(path)
    try:
        assert [v for (v,) in con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()] == [
            v for v, _, _ in migrations()]
        assert con.execute("SELECT post_id, body_text, content_hash FROM posts").fetchall() == [
            ("p1", "Corps.", None)]
        assert con.execute("SELECT post_id, parser_version, run_id FROM post_events").fetchall() == [
            ("p1", "v1", "r1")]
        assert con.execute("SELECT name, run_id FROM entities").fetchall() == [("Clara Chapaz", None)]
        assert con.execute("SELECT status, posts_changed FROM runs").fetchall() == [("completed", 0)]
        assert con.execute("SELECT count(*) FROM reprocess_changes").fetchone() == (0,)
        assert con.execute("SELECT byte_size FROM documents WHERE doc_id = ?", [doc_id]).fetchall() == [(len(page),)]
        stored = tmp_path / "old.documents" / doc_id[:2] / f"{doc_id}.gz"
        assert gzip.decompress(stored.read_bytes()) == page and stored.stat().st_size < len(page) / 10
        assert len(list((tmp_path / "old.documents").rglob("*.gz"))) == 301
        with document_function(con):
            assert con.execute("SELECT raw_document(doc_id) FROM documents ORDER BY byte_size DESC LIMIT 1"
                               ).fetchall() == [(page,)]
            assert con.execute("SELECT count(*) FROM documents WHERE raw_document(doc_id) IS NOT NULL"
                               ).fetchall() == [(301,)]
        with pytest.raises(duckdb.ConstraintException):
            con.execute("INSERT INTO documents SELECT * FROM documents")  # the key came through the rebuilds
    finally:
        con.close()


def test_the_writer_buffer_pool_is_capped_when_asked(tmp_path: Path):
    capped = connect(tmp_path / "w.duckdb", memory_limit="256MB")
    try:
        (limit,) = capped.execute("SELECT current_setting('memory_limit')").fetchone()
    finally:
        capped.close()
    reference = duckdb.connect()
    reference.execute("SET memory_limit = '256MB'")
    assert limit == reference.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert limit != duckdb.connect().execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert Settings.model_fields["memory_limit"].default is None  # opt-in: DuckDB's own default


@pytest.mark.parametrize("size", ["a lot", "0MB", "1B", "50%"])
def test_a_memory_limit_duckdb_cannot_work_with_is_refused_with_the_setting_named(size: str):
    with pytest.raises(ValidationError, match="memory_limit"):
        Settings(memory_limit=size)


def test_marking_a_crash_does_not_wait_on_a_reader(tmp_path: Path):
    path = tmp_path / "w.duckdb"
    writer = Writer(path)
    writer.release()
    reader = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(path)!r}, read_only=True); "
                               "print('ready', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "ready"
        start = time.monotonic()
        assert writer.at_once(wait_seconds=0.5) is None  # logged, not raised over the run's own error
        assert time.monotonic() - start < 10
    finally:
        reader.kill()
        reader.wait()
        reader.stdout.close()
        writer.close()
