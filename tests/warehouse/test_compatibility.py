"""A fresh warehouse opens in DuckDB 1.x, the version the CLI and most tools analysts use still run."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import pytest

from tests.warehouse.test_stories import ARTICLE, post
from tests.warehouse.test_load import NOW
from warehouse import connect
from warehouse import load as wh


def cli() -> Path | None:
    spec = importlib.util.find_spec("duckdb_cli")
    binary = Path(spec.origin).parent / "duckdb" if spec and spec.origin else None
    return binary if binary and binary.exists() else None


@pytest.mark.skipif(cli() is None, reason="duckdb-cli (DuckDB 1.5) is not installed")
def test_duckdb_1_cli_opens_a_fresh_warehouse(tmp_path: Path):
    db = tmp_path / "w.duckdb"
    con = connect(db)
    wh.load_posts(con, [post("https://a.example/1", ARTICLE, 2)], "r1", NOW)
    con.close()
    version = subprocess.run([str(cli()), "--version"], capture_output=True, text=True, timeout=30).stdout
    assert version.startswith("v1.")
    done = subprocess.run([str(cli()), str(db), "-readonly", "-csv", "-noheader", "-c",
                           "SELECT count(*) FROM posts; SELECT speaker, quotes FROM report_quotes_by_speaker"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["1", "Anne Roy,1"]
