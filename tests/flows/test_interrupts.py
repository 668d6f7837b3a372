"""Ctrl-C and SIGTERM during an ingest: the run stops, says so in one line, marks itself
interrupted, keeps what it loaded and leaves no Prefect API or worker behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, query

pytestmark = pytest.mark.slow

_WORDS = ("salon", "conférence", "exposants", "visiteurs", "startups", "ministre", "région", "innovation")


@pytest.fixture(scope="module")
def posts(tmp_path_factory) -> Path:
    """Two hundred short invented posts, each its own document."""
    root = tmp_path_factory.mktemp("posts")
    for i in range(200):
        words = " ".join(_WORDS[(i + k) % len(_WORDS)] for k in range(8))
        (root / f"post-{i:03}.txt").write_text(
            f"Titre : Billet {i}\n\nLe salon numéro {i} a ouvert ses portes. « Nous attendons {i} visiteurs », "
            f"explique Anne Roy, directrice du salon. {words}.\n", "utf-8")
    return root


def servers_of(home: Path) -> list:
    """The Prefect API processes still running with this Prefect home (its `prefect server` or
    the embedded API Prefect starts itself)."""
    import psutil

    found = []
    for process in psutil.process_iter(["cmdline"]):
        try:
            command = " ".join(process.info["cmdline"] or [])
            if ("server" in command or "uvicorn" in command) and process.environ().get("PREFECT_HOME") == str(home):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


@pytest.mark.parametrize("runner, sent, code", [
    ("process", signal.SIGINT, 130),  # Ctrl-C in a terminal: the whole process group, workers included
    ("sequential", signal.SIGTERM, 143),  # a service manager stopping the command
])
def test_a_signal_stops_the_run_and_marks_it_interrupted(posts: Path, tmp_path: Path, runner, sent, code):
    db, home = tmp_path / "w.duckdb", tmp_path / "prefect"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVPIPE_") and k != "PREFECT_API_URL"}
    env |= {"PREFECT_HOME": str(home), "PREFECT_LOGGING_LEVEL": "INFO"}
    command = [sys.executable, "-m", "flows.cli", "ingest", str(posts), "--db", str(db), "--batch-size", "2",
               "--task-runner", runner, "--workers", "2"]
    # a shell without job control starts background commands with Ctrl-C ignored, which a child
    # inherits: the CLI gets it as from a terminal
    with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)
                          ) as proc:
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if "batch 2/" in line:
                break
        assert any("batch 2/" in line for line in seen), "".join(seen)[-3000:]
        if sent == signal.SIGINT:
            os.killpg(proc.pid, sent)
        else:
            proc.send_signal(sent)
        rest = proc.stdout.read()
        assert proc.wait(timeout=60) == code, rest[-3000:]
    told = [line for line in rest.splitlines() if line.startswith("interrupted:")]
    assert len(told) == 1 and "Traceback" not in rest, rest[-3000:]
    [(status, finished)] = query(db, "SELECT status, finished_at IS NOT NULL FROM runs")
    assert (status, finished) == ("interrupted", True)
    loaded = query(db, "SELECT count(*) FROM posts")[0][0]
    assert 2 <= loaded < 200  # the batches loaded before the signal stay; the run did not go on
    assert not servers_of(home)
