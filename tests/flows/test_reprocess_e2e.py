"""End to end: re-processing stored documents after a rule change, its diff, a kill mid-run and a resume."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import copy_warehouse, query

pytestmark = pytest.mark.slow

# Tables compared between warehouses, without the columns that name a run or a time.
COMPARED = {
    "posts": "EXCLUDE (run_id, parsed_at)", "post_events": "EXCLUDE (run_id, tagged_at)", "mentions": "EXCLUDE (run_id)",
    "roles": "EXCLUDE (run_id)", "quotations": "EXCLUDE (run_id)", "entities": "EXCLUDE (run_id)",
    "documents": "EXCLUDE (run_id)", "failures": "EXCLUDE (run_id, failed_at)",
}
# Run in a subprocess: the verb-of-saying list without one verb, under a parser version of its own.
DRIVER = """
import sys
import tasks.speech.speech_lexicon as lexicon
import flows.reprocess as reprocess
verbs = lexicon.speech_verbs() - {sys.argv.pop(1)}
lexicon.speech_verbs = lambda: verbs
reprocess.parser_version = lambda options: "rule-change"
from flows.cli import app
app()
"""


def snapshot(db: Path) -> dict[str, list]:
    return {t: query(db, f"SELECT * {cols} FROM {t} ORDER BY ALL") for t, cols in COMPARED.items()}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> Path:
    """Seven posts: the seeds and five distinct copies of the first one."""
    from tests.conftest import SEEDS

    root = tmp_path_factory.mktemp("corpus")
    seeds = sorted(SEEDS.glob("*.txt"))
    for seed in seeds:
        shutil.copy(seed, root / seed.name)
    text = seeds[0].read_text("utf-8")
    for n in range(5):
        (root / f"copy-{n}.txt").write_text(text + f"\nCopie numéro {n} de ce billet.\n", "utf-8")
    db = tmp_path_factory.mktemp("wh") / "w.duckdb"
    import flows.ingest  # noqa: F401  (Prefect's log handler binds outside CliRunner's streams)

    result = CliRunner().invoke(app, ["ingest", str(root), "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture(scope="module")
def verb(ingested: Path) -> str:
    """A cue verb that some posts use and others do not: removing it changes only those posts."""
    rows = query(ingested, "SELECT cue, count(DISTINCT post_id) AS n FROM quotes WHERE cue ~ '^\\w+$'"
                           " GROUP BY cue HAVING n < (SELECT count(*) FROM posts) ORDER BY n, cue")
    assert rows
    return rows[0][0]


def copy(db: Path, tmp_path: Path) -> Path:
    return copy_warehouse(db, tmp_path / "copy.duckdb")


def test_reprocess_without_a_parser_change_changes_nothing(ingested: Path, tmp_path: Path):
    db = copy(ingested, tmp_path)
    before = snapshot(db)
    stale = CliRunner().invoke(app, ["reprocess", "--db", str(db)])
    everything = CliRunner().invoke(app, ["reprocess", "--all", "--db", str(db)])
    assert stale.exit_code == 0 and "0 source(s) re-derived; no post changed" in stale.output
    assert everything.exit_code == 0 and "7 source(s) re-derived; no post changed" in everything.output
    assert snapshot(db) == before
    assert query(db, "SELECT count(*) FROM reprocess_changes") == [(0,)]


def test_a_stored_document_gone_is_a_failure_and_its_post_stays(ingested: Path, tmp_path: Path):
    from warehouse.store import store_root

    db = copy(ingested, tmp_path)
    [(uri, doc_id, post_id)] = query(db, "SELECT source_uri, doc_id, post_id FROM posts ORDER BY source_uri LIMIT 1")
    (store_root(db) / doc_id[:2] / f"{doc_id}.gz").unlink()
    result = CliRunner().invoke(app, ["reprocess", "--all", "--db", str(db)])
    assert result.exit_code == 1, result.output  # the run finishes; failures make the exit code 1
    assert "stored document missing" in result.output and "previous posts are kept" in result.output
    assert query(db, "SELECT source_uri, stage, reason FROM failures") == [(uri, "acquire", "stored document missing")]
    assert query(db, "SELECT post_id, change FROM reprocess_changes") == [(post_id, "post_failed")]
    assert query(db, "SELECT count(*) FROM posts") == query(ingested, "SELECT count(*) FROM posts")


def test_a_rule_change_touches_exactly_the_posts_whose_output_changes(ingested, verb, tmp_path, monkeypatch):
    import flows.reprocess
    import tasks.speech.speech_lexicon

    db = copy(ingested, tmp_path)
    before = snapshot(db)
    verbs = tasks.speech.speech_lexicon.speech_verbs()
    monkeypatch.setattr(tasks.speech.speech_lexicon, "speech_verbs", lambda: verbs - {verb})
    monkeypatch.setattr(flows.reprocess, "parser_version", lambda options: "rule-change")

    dry = CliRunner().invoke(app, ["reprocess", "--dry-run", "--db", str(db)])
    assert dry.exit_code == 0 and "dry run: 7 source(s) re-derived" in dry.output
    assert snapshot(db) == before

    result = CliRunner().invoke(app, ["reprocess", "--db", str(db)])
    assert result.exit_code == 0, result.output
    changed = {p for (p,) in query(db, "SELECT DISTINCT post_id FROM reprocess_changes")}
    used_verb = {p for (p,) in query(ingested, f"SELECT DISTINCT post_id FROM quotes WHERE cue = '{verb}'")}
    rewritten = {p for (p,) in query(db, "SELECT post_id FROM posts WHERE run_id = "
                                         "(SELECT run_id FROM runs WHERE flow_name = 'reprocess')")}
    quotes = "SELECT post_id, * EXCLUDE (run_id, parser_version) FROM quotations ORDER BY ALL"
    old, new = query(ingested, quotes), query(db, quotes)
    differing = {row[0] for row in set(old) ^ set(new)}
    assert changed and changed == rewritten == differing
    assert changed <= used_verb and len(changed) < 7
    kinds = {c for (c,) in query(db, "SELECT DISTINCT change FROM reprocess_changes")}
    assert kinds <= {"speaker_changed", "details_changed", "quote_added", "quote_removed"} and kinds
    assert f"{len(changed)} post" in result.output
    # every post now carries the new version, changed or not
    assert query(db, "SELECT DISTINCT parser_version FROM posts") == [("rule-change",)]
    again = CliRunner().invoke(app, ["reprocess", "--db", str(db)])
    assert "0 source(s) re-derived; no post changed" in again.output


def test_a_killed_reprocess_leaves_whole_posts_and_a_rerun_equals_a_clean_run(ingested, verb, tmp_path,
                                                                              monkeypatch):
    killed = copy(ingested, tmp_path)
    # its own Prefect home (not this process's embedded API database), and batch logs to watch
    env = os.environ | {"COVPIPE_BATCH_SIZE": "1", "PREFECT_HOME": str(tmp_path / "prefect"),
                        "PREFECT_LOGGING_LEVEL": "INFO"}
    command = [sys.executable, "-c", DRIVER, verb, "reprocess", "--db", str(killed)]

    # Its own process group, killed whole: the flow's embedded Prefect server would outlive it otherwise.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                               start_new_session=True)
    seen = []
    with process:
        for line in process.stdout:
            seen.append(line)
            if "batch 3:" in line:
                os.killpg(process.pid, signal.SIGKILL)
                break
        process.stdout.close()
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "".join(seen)

    # after the kill: every post is wholly old or wholly new
    mixed = query(killed, """
        SELECT p.post_id FROM posts p JOIN (
            SELECT post_id, parser_version FROM quotations UNION SELECT post_id, parser_version FROM mentions
        ) d USING (post_id) WHERE d.parser_version <> p.parser_version""")
    assert mixed == []
    versions = dict(query(killed, "SELECT parser_version, count(*) FROM posts GROUP BY ALL"))
    assert versions.get("rule-change", 0) >= 3 and sum(versions.values()) == 7

    rerun = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert query(killed, "SELECT status FROM runs WHERE flow_name = 'reprocess' ORDER BY started_at") == [
        ("crashed",), ("completed",)]

    # the same change, uninterrupted, in this process
    import flows.reprocess
    import tasks.speech.speech_lexicon

    clean = copy_warehouse(ingested, tmp_path / "clean.duckdb")
    verbs = tasks.speech.speech_lexicon.speech_verbs() - {verb}
    monkeypatch.setattr(tasks.speech.speech_lexicon, "speech_verbs", lambda: verbs)
    monkeypatch.setattr(flows.reprocess, "parser_version", lambda options: "rule-change")
    assert CliRunner().invoke(app, ["reprocess", "--db", str(clean)]).exit_code == 0
    assert snapshot(killed) == snapshot(clean)
    assert query(killed, "SELECT DISTINCT post_id, change, item FROM reprocess_changes ORDER BY ALL") == query(
        clean, "SELECT DISTINCT post_id, change, item FROM reprocess_changes ORDER BY ALL")


def test_a_speaker_correction_and_a_hidden_quote_survive_reprocess_all(ingested, tmp_path, monkeypatch):
    import flows.reprocess

    db = copy(ingested, tmp_path)
    [(wrong, post_id, text), (hidden, *_)] = query(
        db, "SELECT quote_id, post_id, text FROM quotes WHERE speaker IS NOT NULL ORDER BY quote_id LIMIT 2")
    runner = CliRunner()
    fixed = runner.invoke(app, ["correct", "speaker", wrong, "Jeanne Test", "--reason", "named in the caption",
                                "--db", str(db)])
    gone = runner.invoke(app, ["correct", "hide", hidden, "--db", str(db)])
    assert fixed.exit_code == 0 and gone.exit_code == 0, fixed.output + gone.output
    monkeypatch.setattr(flows.reprocess, "parser_version", lambda options: "rule-change")  # every post written again
    result = runner.invoke(app, ["reprocess", "--all", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert query(db, "SELECT DISTINCT parser_version FROM quotations") == [("rule-change",)]
    assert query(db, "SELECT speaker, attribution_rule FROM quotes WHERE post_id = ? AND text = ?",
                 [post_id, text]) == [("Jeanne Test", "corrected")]
    assert query(db, "SELECT count(*) FROM quotes WHERE quote_id = ?", [hidden]) == [(0,)]
    assert ("Jeanne Test", 1) in query(db, "SELECT speaker, quotes FROM report_quotes_by_speaker")


def test_a_changed_document_becomes_a_new_version(ingested: Path, tmp_path: Path):
    db = copy(ingested, tmp_path)
    page = tmp_path / "page.txt"
    from tests.conftest import SEEDS

    text = sorted(SEEDS.glob("*.txt"))[1].read_text("utf-8")
    page.write_text(text, "utf-8")
    CliRunner().invoke(app, ["ingest", str(page), "--db", str(db)])
    page.write_text(text + "\nMise à jour : le billet a été complété.\n", "utf-8")
    CliRunner().invoke(app, ["ingest", str(page), "--db", str(db)])
    versions = query(db, f"SELECT doc_id, is_current FROM document_history WHERE source_uri = '{page}' ORDER BY ALL")
    assert len(versions) == 2 and sorted(v[1] for v in versions) == [False, True]
    current = next(doc for doc, is_current in versions if is_current)
    assert query(db, f"SELECT doc_id FROM posts WHERE source_uri = '{page}'") == [(current,)]
    assert query(db, f"SELECT count(*) FROM documents WHERE doc_id IN (SELECT doc_id FROM document_history"
                     f" WHERE source_uri = '{page}')") == [(2,)]


def test_a_bad_where_condition_is_refused_before_any_run(ingested: Path, tmp_path: Path):
    db = copy(ingested, tmp_path)
    result = CliRunner().invoke(app, ["reprocess", "--where", "titl = 'x'", "--db", str(db)])
    assert result.exit_code == 2 and "is not a condition on posts" in result.output
    assert query(db, "SELECT count(*) FROM runs WHERE flow_name = 'reprocess'") == [(0,)]
