"""Errors a user can cause get one line that names the file and what to do, and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.warehouse.test_load import NOW, doc
from warehouse import load as wh
from warehouse.db import connect


@pytest.fixture()
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    con = connect(path)
    wh.store_documents(con, [doc("Un billet.".encode(), "/a.txt")], "r1", NOW)
    con.close()
    return path


def _one_line_error(args: list[str]) -> str:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    return lines[0]


@pytest.mark.parametrize("command", [["status"], ["sql", "SELECT 1"], ["export", "out"]])
def test_a_folder_for_db_is_named(tmp_path: Path, command):
    assert "is a folder" in _one_line_error([*command, "--db", str(tmp_path)])


@pytest.mark.parametrize("content", [b"not a database at all", None])
def test_a_damaged_warehouse_is_named(warehouse: Path, content):
    data = warehouse.read_bytes()
    warehouse.with_name(warehouse.name + ".wal").unlink(missing_ok=True)
    warehouse.write_bytes(content if content is not None else data[:10_000])  # a copy cut short
    assert str(warehouse.name) in _one_line_error(["status", "--db", str(warehouse)])


def test_a_folder_for_the_report_is_named(warehouse: Path, tmp_path: Path):
    assert "is a folder" in _one_line_error(["report", "--db", str(warehouse), "--out", str(tmp_path)])


def test_a_sources_error_keeps_the_source_name(tmp_path: Path, warehouse: Path):
    sources = tmp_path / "neg.toml"
    sources.write_text('[sources.blog]\nkind = "rss"\nurl = "https://example.org/feed"\n'
                       '[sources.blog.fetch]\nrequests_per_second = -1\n', "utf-8")
    line = _one_line_error(["ingest", "--source", "blog", "--sources", str(sources), "--db", str(warehouse)])
    assert "[sources.blog]" in line and "requests_per_second" in line


def test_a_folder_for_sources_is_named(tmp_path: Path, warehouse: Path):
    line = _one_line_error(["ingest", "--source", "blog", "--sources", str(tmp_path), "--db", str(warehouse)])
    assert "is a folder" in line


@pytest.mark.parametrize("failure", [
    OSError(28, "No space left on device"),
    __import__("duckdb").IOException('Could not write file "w.duckdb": No space left on device'),
])
@pytest.mark.parametrize("command", [["ingest", "IN"], ["reprocess"]])
def test_a_full_disk_is_one_line(tmp_path: Path, monkeypatch, failure, command):
    import flows.cli
    import flows.runners

    def full(*args, **kwargs):
        raise failure

    monkeypatch.setattr(flows.runners, "run_flow", full)
    monkeypatch.setattr(flows.cli, "_prepare_flow_run", lambda settings: None)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Un billet.")
    args = [a.replace("IN", str(tmp_path / "in")) for a in command]
    line = _one_line_error([*args, "--db", str(tmp_path / "w.duckdb")])
    assert "no space left on the disk of" in line and "free some space" in line


def test_a_prefect_api_that_does_not_start_is_one_line(tmp_path: Path, monkeypatch):
    import flows.cli
    import flows.runners
    from flows.prefect_server import ServerError

    def no_api(*args, **kwargs):
        raise ServerError("prefect server exited with status 1; see /tmp/prefect/server.log")

    monkeypatch.setattr(flows.runners, "run_flow", no_api)
    monkeypatch.setattr(flows.cli, "_prepare_flow_run", lambda settings: None)
    line = _one_line_error(["reprocess", "--db", str(tmp_path / "w.duckdb")])
    assert line == "error: prefect server exited with status 1; see /tmp/prefect/server.log"


def test_a_bug_in_a_run_keeps_its_traceback(tmp_path: Path, monkeypatch):
    import flows.cli
    import flows.runners

    def bug(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(flows.runners, "run_flow", bug)
    monkeypatch.setattr(flows.cli, "_prepare_flow_run", lambda settings: None)
    result = CliRunner().invoke(app, ["reprocess", "--db", str(tmp_path / "w.duckdb")])
    assert isinstance(result.exception, KeyError)


def test_a_full_disk_behind_another_error_is_still_named(tmp_path: Path, monkeypatch):
    import duckdb

    import flows.cli
    import flows.runners
    from warehouse import WarehouseError

    def full(*args, **kwargs):
        try:
            raise duckdb.IOException("Could not write file: No space left on device")
        except duckdb.IOException as exc:
            raise WarehouseError("could not take the warehouse back") from exc

    monkeypatch.setattr(flows.runners, "run_flow", full)
    monkeypatch.setattr(flows.cli, "_prepare_flow_run", lambda settings: None)
    line = _one_line_error(["reprocess", "--db", str(tmp_path / "w.duckdb")])
    assert "no space left on the disk of" in line


def _no_prefect(monkeypatch):
    """Fail the test if the command went as far as starting Prefect."""
    import flows.cli

    def started(settings):
        raise AssertionError("Prefect was started")

    monkeypatch.setattr(flows.cli, "_prepare_flow_run", started)


def test_a_mistyped_path_is_one_line_before_prefect(tmp_path: Path, monkeypatch):
    _no_prefect(monkeypatch)
    line = _one_line_error(["ingest", str(tmp_path / "missing.html"), "--db", str(tmp_path / "w.duckdb")])
    assert line == f"error: no such file or folder: {tmp_path / 'missing.html'}"


def test_an_unreadable_path_is_one_line_before_prefect(tmp_path: Path, monkeypatch):
    import flows.cli

    _no_prefect(monkeypatch)
    page = tmp_path / "p.html"
    page.write_text("<p>x</p>")
    monkeypatch.setattr(flows.cli.os, "access", lambda path, mode: False)  # a user without the right (root has it)
    line = _one_line_error(["ingest", str(page), "--db", str(tmp_path / "w.duckdb")])
    assert line == f"error: cannot read {page} (permission denied)"


@pytest.mark.parametrize("command", [["ingest", "IN"], ["reprocess"]])
def test_a_warehouse_another_run_holds_is_named_with_its_process_before_prefect(tmp_path: Path, monkeypatch,
                                                                                 command):
    import subprocess
    import sys

    from tests.conftest import ROOT

    _no_prefect(monkeypatch)
    db = tmp_path / "w.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from warehouse import Writer; w = Writer(sys.argv[1]); "
                               "print('ready', flush=True); time.sleep(60)", str(db)],
        stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "ready"
        monkeypatch.setenv("COVPIPE_LOCK_WAIT_SECONDS", "0.5")
        args = [a.replace("IN", str(tmp_path)) for a in command]
        line = _one_line_error([*args, "--db", str(db)])
        assert line.startswith(f"error: warehouse busy: process {holder.pid} is writing {db}")
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_ingest_into_a_damaged_warehouse_is_one_line(tmp_path: Path, monkeypatch):
    _no_prefect(monkeypatch)
    db = tmp_path / "w.duckdb"
    db.write_bytes(b"not a database at all")
    (tmp_path / "a.txt").write_text("Titre\n\nUn billet.")
    line = _one_line_error(["ingest", str(tmp_path / "a.txt"), "--db", str(db)])
    assert str(db) in line and "not a DuckDB file" in line


def test_a_run_names_its_first_failures(tmp_path: Path):
    from flows.reading import run_failures
    from schemas import Failure, Settings, Stage
    from warehouse import runs

    path = tmp_path / "w.duckdb"
    con = connect(path)
    runs.record_failures(con, [Failure(source_uri=f"http://127.0.0.1/{n}/", stage=Stage.ACQUIRE,
                                       reason="fetch failed: address 127.0.0.1 is not public") for n in range(7)],
                         "r1", NOW)
    con.close()
    shown = run_failures(Settings(db=path), "r1", 5)
    assert len(shown) == 5 and shown[0] == ("http://127.0.0.1/0/", "fetch failed: address 127.0.0.1 is not public")
    assert run_failures(Settings(db=path), "another run", 5) == []
