"""End to end: the real ingest flow, on Prefect's embedded API, into a temporary warehouse."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import query

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    from tests.conftest import SEEDS

    shutil.copytree(SEEDS, root / "seeds")
    bad = root / "bad"
    bad.mkdir()
    (bad / "empty.html").write_bytes(b"")
    (bad / "binary.html").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 10)
    (bad / "undecodable.txt").write_bytes(random.Random(1).randbytes(5000).replace(b"\x00", b"a"))
    (bad / "no-article.html").write_bytes(b"<html><body><nav><a href='/'>Accueil</a></nav></body></html>")
    (bad / "huge.html").write_bytes(b"<html><body>" + b"<p>Un paragraphe.</p>" * 1_000_000 + b"</body></html>")
    return root


@pytest.fixture(scope="module")
def runs(corpus: Path, tmp_path_factory):
    db = tmp_path_factory.mktemp("wh") / "w.duckdb"
    # Prefect binds its console log handler when first imported: import it here, outside
    # CliRunner's captured streams, or its exit-time logging writes to a closed file.
    import flows.ingest  # noqa: F401

    runner = CliRunner()
    first = runner.invoke(app, ["ingest", str(corpus), "--db", str(db)])
    snapshot = _snapshot(db)
    second = runner.invoke(app, ["ingest", str(corpus), "--db", str(db)])
    return db, first, second, snapshot


def _snapshot(db: Path) -> dict[str, list]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        volatile = {"posts": " EXCLUDE (run_id, parsed_at)", "documents": " EXCLUDE (run_id)"}
        return {
            t: con.execute(f"SELECT *{volatile.get(t, '')} FROM {t} ORDER BY ALL").fetchall()
            for t in ("posts", "documents", "post_events", "events", "failures")
        } | {"failures": con.execute("SELECT source_uri, stage, reason FROM failures ORDER BY ALL").fetchall()}
    finally:
        con.close()


def test_ingest_loads_the_seeds_with_metadata_and_events(runs):
    db, first, _, _ = runs
    rows = query(db, "SELECT title, language, categories FROM posts ORDER BY source_uri")
    assert rows == [
        ("Oser l’IA : une belle déclaration de Clara Chapaz #VivaTech", "fr",
         ["interview émotionnelle", "l'humain dans le marketing"]),
        ("La small data sur la route de l’Himalaya ? #IAParis", "fr", ["interview émotionnelle"]),
    ]
    events = query(db, "SELECT p.title[:8], e.name FROM post_events JOIN events e USING (event_id) "
                       "JOIN posts p USING (post_id) ORDER BY 1")
    assert events == [("La small", "IAParis"), ("Oser l’I", "VivaTech")]


def test_ingest_records_each_bad_document_and_goes_on(runs):
    db, first, _, _ = runs
    failures = dict(query(db, "SELECT regexp_extract(source_uri, '[^/]+$'), stage || ': ' || reason FROM failures"))
    assert failures["empty.html"] == "decode: empty document"
    assert failures["binary.html"].startswith("decode: binary content: looks like a PDF file")
    assert failures["undecodable.txt"].startswith("decode: undecodable bytes")
    assert re.fullmatch(r"clean: (no article text found|article text too short \(\d+ characters\))",
                        failures["no-article.html"])
    assert failures["huge.html"].startswith("decode: document is 20.0 MB, over the parse limit")
    assert len(failures) == 5
    # raw bytes are kept even for documents that failed, so nothing is lost
    assert query(db, "SELECT count(*) FROM documents") == [(7,)]
    assert first.exit_code == 1 and "5 document(s) failed" in first.output


def test_ingest_records_the_run(runs):
    db, *_ = runs
    rows = query(db, "SELECT status, inputs_seen, documents_new, posts_written, failures FROM runs ORDER BY started_at")
    assert rows[0] == ("completed_with_failures", 7, 7, 2, 5)
    assert rows[1] == ("completed_with_failures", 7, 0, 0, 5)


def test_ingest_twice_leaves_the_same_rows(runs):
    db, _, second, snapshot = runs
    assert second.exit_code == 1
    assert _snapshot(db) == snapshot


def test_status_and_sql_read_the_warehouse(runs):
    db, *_ = runs
    runner = CliRunner()
    status = runner.invoke(app, ["status", "--db", str(db)])
    assert status.exit_code == 0 and "posts" in status.output
    out = runner.invoke(app, ["sql", "SELECT count(*) AS n FROM posts", "--db", str(db), "--format", "csv"])
    assert out.exit_code == 0 and out.output.splitlines() == ["n", "2"]
    refused = runner.invoke(app, ["sql", "DELETE FROM posts", "--db", str(db)])
    assert refused.exit_code == 2 and query(db, "SELECT count(*) FROM posts") == [(2,)]
