"""Ctrl-C and SIGTERM during a run: it stops within seconds and says so in one line.

What stops a run from outside is a `KeyboardInterrupt` (Ctrl-C) or `Terminated` (SIGTERM,
raised as Ctrl-C is: `sigterm_as_interrupt` before the flow runs, `run_closed` while it
runs), or Prefect's `TerminationSignal`. Within a flow, a signal that arrives while
Prefect's engine is recording a task's state is held (`requested`) and raised at the next
`checkpoint` of the flow: raised there, the engine would fail on a task run it had not yet
created, and hide the interruption behind its own error. Anywhere else (our code, a wait
for a batch) it is raised at once. A batch parsing in a thread gives up between two
documents (`tasks.parse.parse_batch`'s `stop`).

The flow then marks its run `interrupted` (the batches loaded stay, the one in flight is
rolled back: each load is one transaction) and stops its parse workers at once, instead of
letting Prefect's process pool wait for the batches they are parsing. Worker processes
ignore SIGINT (`ignore_ctrl_c`): the terminal sends Ctrl-C to the whole process group,
and the flow stops them itself, without a traceback from each.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from warehouse import Writer
from warehouse import runs


def signal_of(exc: BaseException | None) -> int | None:
    """The signal behind `exc` when it is an interruption from outside (Ctrl-C or SIGTERM), or an
    error raised while one was handled, else None."""
    for _ in range(10):
        if exc is None:
            return None
        if isinstance(exc, KeyboardInterrupt):
            return getattr(exc, "signal", signal.SIGINT)
        if type(exc).__name__ == "TerminationSignal":  # prefect.exceptions: not imported where Prefect is not
            return getattr(exc, "signal", signal.SIGTERM)
        exc = exc.__cause__ or exc.__context__
    return None


def exit_code(exc: BaseException) -> int:
    """The shell's code for a process stopped by the signal behind `exc`: 130 for SIGINT, 143 for SIGTERM."""
    return 128 + (signal_of(exc) or signal.SIGINT)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Python would raise KeyboardInterrupt for Ctrl-C."""

    signal = signal.SIGTERM


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within: SIGTERM unwinds the program as Ctrl-C does (`finally` blocks and exit handlers
    run, so no Prefect API is left behind), as `Terminated`."""

    def terminated(signum, frame):
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def stop_workers() -> None:
    """Stop this process's multiprocessing children (the parse workers of a process pool) now,
    so that the pool's shutdown does not wait for the batches they are parsing."""
    for child in multiprocessing.active_children():
        child.terminate()
    for child in multiprocessing.active_children():
        child.join(5)


def ignore_ctrl_c() -> None:
    """In a parse worker: leave Ctrl-C to the flow's process, which stops the workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


_ROOT = str(Path(__file__).resolve().parents[1])
_requested: list[int] = []  # signals received during this process's run
# Where raising would interrupt Prefect's engine between two of its own steps
_ENGINE = ("/prefect/task_engine.py", "/prefect/flow_engine.py", "/prefect/task_runners.py", "/prefect/tasks.py")


def requested() -> bool:
    """Whether the run under way was asked to stop (Ctrl-C or SIGTERM)."""
    return bool(_requested)


def checkpoint() -> None:
    """Raise the interruption a signal asked for, if any (a place where the flow may stop)."""
    if _requested:
        raise _interruption(_requested[0])


def _interruption(signum: int) -> KeyboardInterrupt:
    return Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def _in_engine(frame: FrameType | None) -> bool:
    """Whether the innermost frames, up to the first of ours, include Prefect's engine."""
    while frame is not None:
        name = frame.f_code.co_filename
        if "site-packages" not in name and name.startswith(_ROOT):
            return False
        if any(part in name for part in _ENGINE):
            return True
        frame = frame.f_back
    return False



@contextmanager
def _stopping_on_signals() -> Iterator[None]:
    """Within (in the main thread): Ctrl-C and SIGTERM stop the run, raised at once or at the next
    checkpoint when they come while Prefect's engine is between two steps."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        _requested.append(signum)
        if not _in_engine(frame):
            raise _interruption(signum)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
        _requested.clear()


@contextmanager
def run_closed(writer: Writer, run_id: str, recorded: bool = True) -> Iterator[None]:
    """Within: a run's work, stopped by Ctrl-C or SIGTERM as the module says. On its way out the
    warehouse is closed; a run stopped by an exception is marked `crashed`, or `interrupted`
    when stopped from outside (its parse workers stopped first). `recorded`: whether the run
    has a row to mark (a dry run has none)."""
    try:
        with _stopping_on_signals():
            try:
                yield
            except BaseException as exc:
                if _requested and signal_of(exc) is None:  # e.g. DuckDB's "Query interrupted": the signal's doing
                    raise _interruption(_requested[0]) from exc
                raise
    except BaseException as exc:
        interrupted = signal_of(exc) is not None
        if interrupted:
            stop_workers()
        if recorded and (con := writer.at_once()) is not None:
            runs.crash_run(con, run_id, datetime.now(UTC), "interrupted" if interrupted else "crashed")
        raise
    finally:
        writer.close()
