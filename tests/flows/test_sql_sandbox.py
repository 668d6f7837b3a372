"""`covpipe sql` reads the warehouse and nothing else: every way out is refused in one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.warehouse.test_load import NOW, doc
from warehouse import load as wh
from warehouse.db import connect


@pytest.fixture()
def warehouses(tmp_path: Path) -> tuple[Path, Path]:
    paths = tmp_path / "w.duckdb", tmp_path / "other.duckdb"
    for path in paths:
        con = connect(path)
        wh.store_documents(con, [doc("Un billet.".encode(), "/a.txt")], "r1", NOW)
        con.close()
    return paths


def _documents(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT count(*) FROM documents").fetchone()[0]


@pytest.mark.parametrize("query", [
    "COPY (SELECT 'x') TO '{db}' (FORMAT csv)",
    "COPY (SELECT 'x') TO '{tmp}/out.csv' (FORMAT csv)",
    "ATTACH '{other}' AS o (READ_WRITE); DELETE FROM o.documents",
    "SELECT * FROM read_text('{other}')",
    "SELECT * FROM read_csv('/etc/passwd')",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "DELETE FROM documents",
    "EXPORT DATABASE '{tmp}/dump'",
])
def test_every_way_out_is_refused_and_both_warehouses_are_intact(warehouses, query):
    db, other = warehouses
    text = query.format(db=db, other=other, tmp=db.parent)
    files = sorted(db.parent.rglob("*"))
    result = CliRunner().invoke(app, ["sql", text, "--db", str(db)])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and result.output.startswith("refused:")
    assert _documents(db) == 1 and _documents(other) == 1
    assert sorted(db.parent.rglob("*")) == files


def test_reading_stays_open_raw_documents_included(warehouses):
    db, _ = warehouses
    result = CliRunner().invoke(app, ["sql", "SELECT octet_length(raw_document(doc_id)) AS n FROM documents",
                                      "--db", str(db), "--format", "csv"])
    assert result.exit_code == 0 and result.output.splitlines() == ["n", str(len("Un billet.".encode()))]


def test_csv_for_excel_and_null_in_a_table(warehouses):
    db, _ = warehouses
    query = "SELECT 1.5 AS x, NULL AS y, 'a;b' AS z"
    excel = CliRunner().invoke(app, ["sql", query, "--db", str(db), "--format", "csv", "--excel"])
    assert excel.exit_code == 0
    assert excel.stdout_bytes == "\ufeffx;y;z\r\n1,5;;\"a;b\"\r\n".encode()
    plain = CliRunner().invoke(app, ["sql", query, "--db", str(db), "--format", "csv"])
    assert plain.output == "x,y,z\n1.5,,a;b\n"
    table = CliRunner().invoke(app, ["sql", query, "--db", str(db)])
    assert "NULL" in table.output
    alone = CliRunner().invoke(app, ["sql", query, "--db", str(db), "--excel"])
    assert alone.exit_code == 2 and "--excel goes with --format csv" in alone.output
