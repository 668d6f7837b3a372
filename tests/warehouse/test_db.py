import subprocess
import sys
import time
from pathlib import Path

import pytest

from warehouse import WarehouseBusy, WarehouseMissing, connect, migrate
from warehouse.db import migrations


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


def test_reporting_views_exist_and_answer(tmp_path: Path):
    from warehouse.db import create_views

    con = connect(tmp_path / "w.duckdb")
    names = create_views(con)
    assert {"report_quotes_by_speaker", "report_quotes_by_event", "report_quotes_by_organisation",
            "report_coverage_per_event_week"} <= set(names)
    for name in names:
        assert con.execute(f"SELECT * FROM {name}").fetchall() == []
    con.close()
