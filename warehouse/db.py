"""The warehouse connection: one writer, migrations at open, a bounded wait on the file lock.

DuckDB allows one writing process per file; a second one fails at once on the lock. This
module turns that into a bounded wait and then `WarehouseBusy`, a message that says what
to do. It owns the connection; callers never open DuckDB themselves.

    WarehouseError
     ├── WarehouseBusy       another process holds the file (transient: retry later)
     ├── WarehouseMissing    read-only open of a file that does not exist (terminal)
     ├── WarehouseOutdated   read-only open of a file of an older schema (until a writing command upgrades it)
     └── StoreError          the raw documents' folder (warehouse.store)
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

from warehouse.errors import WarehouseError
from warehouse.store import DocumentStore, store_root

log = logging.getLogger(__name__)
_LOCK_ERROR = re.compile(r"lock|being used by another|conflicting", re.I)


class WarehouseBusy(WarehouseError):
    def __init__(self, path: Path, waited: float):
        super().__init__(
            f"warehouse busy: another process is writing {path} (waited {waited:.0f} s); "
            "try again when it finishes, or raise COVPIPE_LOCK_WAIT_SECONDS"
        )
        self.path, self.waited = path, waited


class WarehouseMissing(WarehouseError):
    def __init__(self, path: Path):
        super().__init__(f"no warehouse at {path}: run `covpipe ingest PATH --db {path}` first")
        self.path = path


class WarehouseUnreadable(WarehouseError):
    def __init__(self, path: Path, why: str):
        super().__init__(f"cannot open {path} as a warehouse: {why}")
        self.path = path


class WarehouseOutdated(WarehouseError):
    def __init__(self, path: Path, applied: int, latest: int):
        super().__init__(f"{path} has schema {applied} and this covpipe reads schema {latest}: run a command that "
                         f"writes (`covpipe ingest`, `covpipe reprocess --stale`) once to upgrade it in place")
        self.path, self.applied, self.latest = path, applied, latest


Migration = str | Callable[..., None]  # SQL, or migrate(con); not Callable[[DuckDBPyConnection], ...]: typing would
# cache the duckdb type until exit, and the duckdb bindings would then print "leaked instance" warnings


def migrations() -> list[tuple[int, str, Migration]]:
    """(version, name, step) of every numbered migration file, in order: the SQL of a `.sql`
    file, or the `migrate(con)` function of a `.py` file (for steps SQL cannot do)."""
    folder = resources.files("warehouse").joinpath("migrations")
    found: list[tuple[int, str, Migration]] = []
    for entry in folder.iterdir():
        match = re.fullmatch(r"(\d+)_(\w+)\.(sql|py)", entry.name)
        if not match:
            continue
        text = entry.read_text("utf-8")
        if match[3] == "py":
            namespace: dict = {"__name__": f"warehouse.migrations.m{match[1]}"}
            exec(compile(text, entry.name, "exec"), namespace)
            text = namespace["migrate"]
        found.append((int(match[1]), match[2], text))
    return sorted(found, key=lambda m: m[0])


# A read-only connection installs and loads no extension (nothing reaches for the network); a
# sandboxed one (user SQL: `covpipe sql`, `status`, `report`) touches no file but the warehouse,
# attaches no other database, and cannot change that: the configuration is locked.
# The storage format of a new warehouse: DuckDB 2.0's own cannot be opened by DuckDB 1.x (the
# CLI and the tools built on it); v1.2.0 is read by DuckDB 1.2 and later, and by 2.0.
STORAGE_VERSION = "v1.2.0"
_READ_ONLY = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
_SANDBOX = _READ_ONLY | {"enable_external_access": False, "allow_community_extensions": False,
                         "lock_configuration": True}


def connect(path: Path, *, read_only: bool = False, wait_seconds: float = 10.0,
            memory_limit: str | None = None, sandbox: bool | None = None,
            setup: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, waiting up to `wait_seconds` for another writer; migrate when writable
    (unless `setup` is false: a run taking back the file it already migrated).

    Read-only connections are sandboxed unless `sandbox=False` (export, whose SQL is ours and
    writes Parquet files); raw documents stay readable through `document_function`.

    `memory_limit` ("512MB", COVPIPE_MEMORY_LIMIT) caps DuckDB's buffer pool, which otherwise may grow to 80 % of the
    machine's memory as it keeps the blocks a long run writes. It is
    set on the open connection, so other connections of the process keep DuckDB's default.
    """
    path = Path(path)
    if path.is_dir():
        raise WarehouseUnreadable(path, "it is a folder; --db takes a DuckDB file")
    if read_only and not path.exists():
        raise WarehouseMissing(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    config = (_SANDBOX if sandbox is not False else _READ_ONLY) if read_only else {}
    if not read_only and not path.exists():  # a new file, in a format DuckDB 1.x readers open too
        config = config | {"storage_compatibility_version": STORAGE_VERSION}
    if memory_limit and config:
        config, memory_limit = config | {"memory_limit": memory_limit}, None  # set before the lock
    def take() -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=dict(config))
        except duckdb.IOException as exc:
            if _LOCK_ERROR.search(str(exc)):
                raise Held from exc
            why = next((line for line in str(exc).splitlines() if line.strip()), "unreadable")
            raise WarehouseUnreadable(path, f"{why} (truncated or not a DuckDB file?)") from exc

    con = wait_while_held(take, path, wait_seconds)
    if memory_limit:
        try:
            con.execute(f"SET memory_limit = '{memory_limit}'")  # a checked size (Settings), never user SQL
        except duckdb.Error as exc:
            con.close()
            raise WarehouseError(f"cannot cap DuckDB's memory at {memory_limit!r}: {exc}") from exc
    if read_only:
        _check_schema(con, path)
    elif setup:
        migrate(con)
        create_views(con)
    return con


class Held(Exception):
    """Another process holds what `wait_while_held` asked for."""


def wait_while_held(take, path: Path, wait_seconds: float):
    """`take()` again, with growing pauses, while it raises `Held`; `WarehouseBusy` after `wait_seconds`."""
    start, delay = time.monotonic(), 0.1
    while True:
        try:
            return take()
        except Held as exc:
            waited = time.monotonic() - start
            if waited >= wait_seconds:
                raise WarehouseBusy(path, waited) from exc.__cause__
            time.sleep(min(delay, max(wait_seconds - waited, 0.01)))
            delay = min(delay * 2, 1.0)


def _check_schema(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Refuse a read-only connection to a file of an older schema: its tables are not the ones documented,
    and raw documents may still sit where this code does not look."""
    latest = max(version for version, _, _ in migrations())
    try:
        [(applied,)] = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()
    except duckdb.CatalogException:
        applied = 0
    if applied < latest:
        con.close()
        raise WarehouseOutdated(path, applied, latest)


def remove(path: Path) -> None:
    """Delete a warehouse: its DuckDB file, write-ahead log, run lock and folder of raw documents
    (benchmarks start afresh)."""
    import shutil

    path = Path(path)
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
    path.with_name(path.name + ".run-lock").unlink(missing_ok=True)
    shutil.rmtree(store_root(path), ignore_errors=True)


@contextmanager
def document_function(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Within: SQL's `raw_document(doc_id)`, a stored document's raw bytes (BLOB) from the document store.

    Removed on the way out: a connection that still holds a Python function when the
    interpreter exits makes duckdb's bindings print a page of "leaked instance" warnings.
    """
    store = DocumentStore.of(con)
    con.create_function("raw_document", store.get, ["VARCHAR"], "BLOB")
    try:
        yield con
    finally:
        con.remove_function("raw_document")


def create_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """(Re)create the reporting views, one file each in warehouse/views; return their names."""
    folder = resources.files("warehouse").joinpath("views")
    names = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):  # base_* first: the views the others read
        if entry.name.endswith(".sql"):
            text = entry.read_text("utf-8")
            con.execute(text)
            names.append(re.search(r"CREATE OR REPLACE VIEW (\w+)", text)[1])
    return names


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the migrations not applied yet, each in its own transaction; return their versions."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    applied = {v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()}
    done = []
    for version, name, step in migrations():
        if version in applied:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            if callable(step):
                step(con)
            else:
                con.execute(step)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        log.info("applied migration %03d_%s", version, name)
        done.append(version)
    return done
