"""A re-ingest of unchanged files is said and recorded without starting Prefect."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.unchanged import ingest_if_unchanged
from schemas import ParseOptions, Settings
from tasks.sources.acquire import acquire_file
from tasks.version import parser_version
from tests.warehouse.test_load import NOW, post
from warehouse import connect
from warehouse import load as wh


@pytest.fixture()
def parsed(tmp_path: Path) -> tuple[Path, Path]:
    """A folder of two files whose posts this parser version wrote, and the warehouse."""
    folder, db = tmp_path / "in", tmp_path / "w.duckdb"
    folder.mkdir()
    con = connect(db)
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(f"Titre {name}\n\nUn billet assez long pour être un billet.")
        raw = acquire_file(folder / name, NOW)
        wh.load_posts(con, [post(raw).model_copy(update={"parser_version": parser_version(ParseOptions())})],
                      "r0", NOW)
    con.close()
    return folder, db


def _runs(db: Path) -> int:
    con = connect(db, read_only=True)
    try:
        return con.execute("SELECT count(*) FROM runs").fetchone()[0]
    finally:
        con.close()


def test_unchanged_inputs_are_recorded_as_a_run_without_work(parsed):
    folder, db = parsed
    report = ingest_if_unchanged(Settings(db=db), [folder])
    assert (report.inputs_seen, report.posts_unchanged, report.posts_written, report.status) == (2, 2, 0, "completed")
    assert _runs(db) == 1


@pytest.mark.parametrize("change", ["edit", "add", "stale"])
def test_any_work_to_do_goes_to_the_flow_and_writes_nothing(parsed, change):
    folder, db = parsed
    if change == "edit":
        (folder / "b.txt").write_text("Titre\n\nUn autre billet, modifié depuis.")
    elif change == "add":
        (folder / "c.txt").write_text("Titre\n\nUn nouveau billet.")
    options = ParseOptions(min_body_chars=10) if change == "stale" else ParseOptions()  # another parser version
    assert ingest_if_unchanged(Settings(db=db, parse=options), [folder]) is None
    assert _runs(db) == 0


def test_covpipe_ingest_says_so_and_starts_no_prefect(parsed, monkeypatch):
    import flows.cli

    def started(settings):
        raise AssertionError("Prefect was started")

    monkeypatch.setattr(flows.cli, "_prepare_flow_run", started)
    folder, db = parsed
    result = CliRunner().invoke(app, ["ingest", str(folder), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "nothing to do: 2 input(s) unchanged" in result.output
