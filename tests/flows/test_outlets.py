"""`covpipe outlets`: list the outlets, name one; a bad domain gets one line and exit 2."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from flows.cli import app
from tests.warehouse.test_stories import OTHER, post
from warehouse import load as wh
from warehouse.db import connect
from warehouse.outlets import refresh_outlets
from tests.warehouse.test_load import NOW


def test_outlets_list_and_rename(tmp_path: Path):
    db = tmp_path / "w.duckdb"
    con = connect(db)
    wh.load_posts(con, [post("https://www.lemonde.fr/a", OTHER, 2, "Le Monde.fr")], "r1", NOW)
    refresh_outlets(con, NOW)
    con.close()
    runner = CliRunner()
    done = runner.invoke(app, ["outlets", "rename", "lemonde.fr", "Le Monde", "--db", str(db)])
    assert done.exit_code == 0, done.output
    listed = runner.invoke(app, ["outlets", "list", "--db", str(db)])
    assert "Le Monde" in listed.output and "user" in listed.output
    bad = runner.invoke(app, ["outlets", "rename", "inconnu.example", "X", "--db", str(db)])
    assert bad.exit_code == 2 and "no post comes from inconnu.example" in bad.output
