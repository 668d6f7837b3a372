"""Checks made before a run starts Prefect, and the one-line errors of a run: what the user can
fix costs a second and one line (exit 2), not a run and a traceback. No Prefect import."""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.markup import escape

from flows.console import fail, read_only
from schemas import Settings
from warehouse import WarehouseError


def check_inputs(paths: list[Path]) -> None:
    """Every path given exists and can be read: a typo costs a second, not a run."""
    for path in paths:
        if not path.exists():
            raise fail(f"no such file or folder: {escape(str(path))}")
        if not os.access(path, os.R_OK | (os.X_OK if path.is_dir() else 0)):
            raise fail(f"cannot read {escape(str(path))} (permission denied)")


RUN_LOCK_GRACE = 1.0  # seconds a command waits for another run by default: runs last minutes, not seconds


def check_not_held(settings: Settings) -> None:
    """No other run holds the warehouse, checked before Prefect starts (the run takes the lock
    itself when it opens the warehouse). Another run holds it for minutes, so a command waits
    RUN_LOCK_GRACE seconds for it, or COVPIPE_LOCK_WAIT_SECONDS when that is set (to queue
    behind it)."""
    from warehouse.writer import run_holder

    wait = settings.lock_wait_seconds if "lock_wait_seconds" in settings.model_fields_set else RUN_LOCK_GRACE
    deadline = time.monotonic() + wait
    while (pid := run_holder(settings.db)) is not None:
        if time.monotonic() >= deadline:
            raise fail(f"warehouse busy: process {pid} is writing {escape(str(settings.db))} (waited {wait:.0f} s); "
                       "try again when it finishes, or set COVPIPE_LOCK_WAIT_SECONDS to wait for it")
        time.sleep(0.2)


def run_failed(exc: Exception, settings: Settings, user_errors: tuple[type, ...] = ()) -> None:
    """A run stopped by what the user can fix (a busy or damaged warehouse, a full disk, or
    `user_errors`): one line, exit 2. Anything else is a bug and keeps its traceback."""
    if disk_full(exc):
        raise fail(f"no space left on the disk of {escape(str(settings.db))}; free some space and run again "
                   "(the batches already loaded are kept, the rest is done again)") from exc
    if isinstance(exc, (WarehouseError, *user_errors)):
        raise fail(escape(str(exc))) from exc
    raise exc


def disk_full(exc: BaseException | None) -> bool:
    """Whether a full disk is behind `exc` (an OSError, or DuckDB's message), through its causes."""
    seen = 0
    while exc is not None and seen < 10:
        if getattr(exc, "errno", None) == errno.ENOSPC or "No space left on device" in str(exc):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def check_sources(settings: Settings, names: list[str] | None = None):
    """The sources file, read and checked, or exit 2 with what to fix."""
    from schemas import SourcesError, parse_sources

    path = settings.sources
    try:
        config = parse_sources(path.read_text("utf-8"), base=path.resolve().parent)
        for name in names or ():
            config.get(name)
    except FileNotFoundError as exc:
        raise fail(f"no sources file at {path}: copy sources.example.toml to {path}, or pass --sources FILE") from exc
    except IsADirectoryError as exc:
        raise fail(f"--sources takes a TOML file; {path} is a folder") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read {path}: {exc}") from exc
    except (SourcesError, KeyError) as exc:  # escaped: "[sources.blog]" is not rich markup
        raise fail(escape(f"{path}: {exc.args[0]}")) from exc
    return config


def check_where(settings: Settings, where: str) -> None:
    """--where is one condition on posts, as DuckDB's parser and binder judge it."""
    from warehouse.queries import check_condition

    con = read_only(settings)
    try:
        check_condition(con, where)
    except ValueError as exc:
        raise fail(f"--where {escape(repr(where))} is not a condition on posts: {escape(str(exc))}") from exc
    finally:
        con.close()


@contextmanager
def writing(settings: Settings) -> Iterator:
    """The warehouse's writable connection for a short command (events, outlets, corrections), once
    no run holds it; a warehouse that cannot be opened is one line and exit 2."""
    from warehouse import Writer

    check_not_held(settings)
    try:
        writer = Writer(settings.db, wait_seconds=settings.lock_wait_seconds)
    except WarehouseError as exc:
        raise fail(escape(str(exc))) from exc
    try:
        yield writer.con
    finally:
        writer.close()
