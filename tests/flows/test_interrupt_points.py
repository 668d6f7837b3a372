"""Where a signal stops a run: at once in our code, at the next checkpoint inside Prefect's engine;
either way the run is marked interrupted and the error the signal caused is not taken for a crash."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows import interrupts
from flows.interrupts import Terminated, checkpoint, run_closed, signal_of
from tests.conftest import query
from warehouse import Writer, runs

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def _run(db: Path) -> Writer:
    writer = Writer(db)
    runs.start_run(writer.con, "run-1", None, "ingest", NOW, "v1")
    return writer


def _signal_inside_prefects_engine(sent: int) -> None:
    """`sent` delivered while a frame that reads as Prefect's task engine runs."""
    code = compile("import os\ndef step(sent):\n    os.kill(os.getpid(), sent)\n    return sent\n",
                   "/venv/site-packages/prefect/task_engine.py", "exec")
    space: dict = {}
    exec(code, space)
    space["step"](sent)


def test_a_signal_in_our_code_stops_the_run_at_once(tmp_path: Path):
    db = tmp_path / "w.duckdb"
    with pytest.raises(Terminated):
        with run_closed(_run(db), "run-1"):
            os.kill(os.getpid(), signal.SIGTERM)
            pytest.fail("the signal did not stop the run")
    assert query(db, "SELECT status FROM runs") == [("interrupted",)]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler is the run's only


def test_a_signal_inside_prefects_engine_waits_for_the_next_checkpoint(tmp_path: Path):
    db = tmp_path / "w.duckdb"
    reached = []
    with pytest.raises(KeyboardInterrupt) as raised:
        with run_closed(_run(db), "run-1"):
            _signal_inside_prefects_engine(signal.SIGINT)
            reached.append("after the engine's step")
            assert interrupts.requested()
            checkpoint()
    assert reached and signal_of(raised.value) == signal.SIGINT
    assert query(db, "SELECT status FROM runs") == [("interrupted",)]
    assert not interrupts.requested()  # the next run starts afresh


def test_an_error_the_signal_caused_is_the_interruption_not_a_crash(tmp_path: Path):
    db = tmp_path / "w.duckdb"
    with pytest.raises(Terminated) as raised:
        with run_closed(_run(db), "run-1"):
            _signal_inside_prefects_engine(signal.SIGTERM)
            raise RuntimeError("Query interrupted")  # what DuckDB raises when a signal comes mid-query
    assert isinstance(raised.value.__cause__, RuntimeError)
    assert query(db, "SELECT status FROM runs") == [("interrupted",)]


def test_an_error_with_no_signal_is_a_crash(tmp_path: Path):
    db = tmp_path / "w.duckdb"
    with pytest.raises(RuntimeError):
        with run_closed(_run(db), "run-1"):
            raise RuntimeError("a bug")
    assert query(db, "SELECT status FROM runs") == [("crashed",)]
