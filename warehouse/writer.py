"""A run's hold on the warehouse: one writing run at a time, readers let in between batches.

`Writer` is the connection a flow writes with. DuckDB gives a file to one process at a
time, so a run that kept it open would lock `status`, `sql` and `report` out for hours;
instead it closes the file while a batch parses and takes it back after, and an advisory
lock on `<db>.run-lock`, held from start to end, keeps a second run from slipping in.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

import duckdb

from warehouse.db import Held, WarehouseError, WarehouseUnreadable, connect, wait_while_held

log = logging.getLogger(__name__)

REACQUIRE_SECONDS = 600.0  # how long a run waits for the readers it let in


class Writer:
    """A run's writing connection, shared with readers: `release` closes the file while the run
    waits on other work (a batch being parsed), so `status`, `sql` and `report` can open it;
    the next use of `con` takes it back, waiting for those readers (they hold it seconds).
    Another run cannot slip in meanwhile: a run holds an advisory lock on `<db>.run-lock`
    from start to `close` (one writing run at a time, as before)."""

    def __init__(self, path: Path, *, wait_seconds: float = 10.0, memory_limit: str | None = None):
        self._path, self._memory_limit = Path(path), memory_limit
        self._lock = run_lock(self._path, wait_seconds)
        try:
            self._con: duckdb.DuckDBPyConnection | None = connect(path, wait_seconds=wait_seconds,
                                                                  memory_limit=memory_limit)
        except BaseException:
            self._lock.close()
            raise

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            self._con = self._take(REACQUIRE_SECONDS)
        return self._con

    def _take(self, wait_seconds: float) -> duckdb.DuckDBPyConnection:
        """The file again, already migrated by this run."""
        return connect(self._path, wait_seconds=wait_seconds, memory_limit=self._memory_limit, setup=False)

    def release(self) -> None:
        """Close the file until the next use of `con` (its writes are checkpointed first)."""
        if self._con is not None:
            con, self._con = self._con, None
            con.close()

    def at_once(self, wait_seconds: float = 5.0) -> duckdb.DuckDBPyConnection | None:
        """The connection if it can be had within `wait_seconds`, else None: for marking a run
        that crashed, which must neither wait on readers nor hide the error that stopped it."""
        if self._con is None:
            try:
                self._con = self._take(wait_seconds)
            except (WarehouseError, duckdb.Error, OSError):
                log.exception("could not take the warehouse back to mark the run as crashed")
                return None
        return self._con

    def close(self) -> None:
        """Close the file and end the run's hold on the warehouse."""
        try:
            self.release()
        finally:
            self._lock.close()


def lock_file(path: Path) -> Path:
    """`<db>.run-lock`: the file a run holds an advisory lock on (it contains the run's pid)."""
    return path.with_name(path.name + ".run-lock")


def run_lock(path: Path, wait_seconds: float):
    """An exclusive advisory lock on `<db>.run-lock`, waited for up to `wait_seconds`."""
    if path.is_dir():
        raise WarehouseUnreadable(path, "it is a folder; --db takes a DuckDB file")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock_file(path), "a+b")  # noqa: SIM115 (held for the run)

    def take():
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise Held from exc
        handle.truncate(0)
        handle.write(str(os.getpid()).encode())  # who holds it, for `run_holder`
        handle.flush()
        return handle

    try:
        return wait_while_held(take, path, wait_seconds)
    except BaseException:
        handle.close()
        raise


def run_holder(path: Path) -> int | None:
    """The process id of the run holding the warehouse at `path`, or None when no run holds it
    (a check for the CLI before it starts Prefect: it takes and releases the lock at once)."""
    lock = lock_file(Path(path))
    if not lock.is_file():
        return None
    with open(lock, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            text = handle.read().decode("ascii", "replace").strip()
            return int(text) if text.isdigit() else -1
        fcntl.flock(handle, fcntl.LOCK_UN)
    return None
