"""Raw documents on disk, content-addressed: the bytes that `documents` rows describe.

Each document is one gzip file named by its SHA-256, `<warehouse>.documents/ab/ab12….gz`
beside the DuckDB file (`data/coverage.duckdb` keeps its pages in `data/coverage.documents/`),
so `zcat` reads any of them. Files are written whole (temporary file, fsync, rename) before the
row that names them commits, are never rewritten, and are checked against their name on read.
DuckDB held the bytes until migration 005: every checkpoint then rewrote the table's growing
row group, and the writer's memory grew with the corpus. This module owns the folder; it knows
nothing of SQL beyond the path of the connection's database.

    WarehouseError (warehouse.db)
     └── StoreError            the store cannot write or read (disk full, permissions): stops the run
          ├── DocumentMissing  no file for a stored document (deleted, or the folder not copied
          │                    or renamed with the DuckDB file): that document fails, the run goes on
          └── DocumentCorrupt  the file is not whole gzip, or its bytes do not hash to its name: idem
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from collections.abc import Iterable
from pathlib import Path

import duckdb

from warehouse.errors import WarehouseError

GZIP_LEVEL = 6  # 5 x smaller than the pages, 5 ms a page; 9 gains under 1 %, 1 loses 16 %


class StoreError(WarehouseError):
    """The document store cannot be written or read; the message names the folder and the cause."""


class DocumentMissing(StoreError):
    reason = "stored document missing"

    def __init__(self, doc_id: str, path: Path):
        super().__init__(f"stored document {doc_id} is missing: no file {path}. The folder is named after the "
                         "DuckDB file: copy, move or rename the two together")
        self.doc_id, self.path = doc_id, path


class DocumentCorrupt(StoreError):
    reason = "stored document corrupt"

    def __init__(self, doc_id: str, path: Path, reason: str):
        super().__init__(f"stored document {doc_id} is corrupt: {path}: {reason}")
        self.doc_id, self.path = doc_id, path


def store_root(db: Path) -> Path:
    """The folder of a warehouse file's documents: `x.duckdb` -> `x.documents`."""
    db = Path(db)
    return db.with_name(f"{db.stem if db.suffix else db.name}.documents")


class DocumentStore:
    """Gzip files named by the SHA-256 of their content, under `root`."""

    def __init__(self, root: Path):
        self.root = Path(root)

    @classmethod
    def of(cls, con: duckdb.DuckDBPyConnection) -> DocumentStore:
        """The store beside the connection's database file."""
        [(path,)] = con.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
        if path is None:
            raise StoreError("an in-memory warehouse has no document store: open a file")
        return cls(store_root(Path(path)))

    def path(self, doc_id: str) -> Path:
        """Where a document's file is: a folder per first two hex digits keeps folders small."""
        return self.root / doc_id[:2] / f"{doc_id}.gz"

    def put(self, items: Iterable[tuple[str, bytes]]) -> int:
        """Write the documents whose file is absent (new, or lost since), durably: on disk, names
        included, before this returns. Return how many were written."""
        written, synced = 0, set()
        try:
            for doc_id, content in items:
                target = self.path(doc_id)
                if target.is_file():
                    continue
                synced |= _make_folders(target.parent)
                partial = target.with_name(f".{target.name}.tmp")  # a retry after a crash overwrites it
                try:
                    with open(partial, "wb") as out:
                        out.write(gzip.compress(content, GZIP_LEVEL, mtime=0))
                        out.flush()
                        os.fsync(out.fileno())
                    os.replace(partial, target)
                except BaseException:
                    partial.unlink(missing_ok=True)
                    raise
                synced.add(target.parent)
                written += 1
            for folder in synced:  # the new names themselves survive a crash
                _fsync(folder)
        except OSError as exc:
            raise StoreError(f"cannot write the document store {self.root}: {exc} (is the disk full, or the "
                             "folder read-only?)") from exc
        return written

    def get(self, doc_id: str) -> bytes:
        """The document's bytes as acquired; `StoreError` when they cannot be given back exactly."""
        path = self.path(doc_id)
        try:
            content = gzip.decompress(path.read_bytes())
        except FileNotFoundError:
            raise DocumentMissing(doc_id, path) from None
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise DocumentCorrupt(doc_id, path, f"not whole gzip data ({exc})") from exc
        except OSError as exc:  # permissions, I/O: the file may be fine
            raise StoreError(f"cannot read stored document {doc_id} at {path}: {exc}") from exc
        if hashlib.sha256(content).hexdigest() != doc_id:
            raise DocumentCorrupt(doc_id, path, "its bytes do not hash to its name")
        return content


def _make_folders(folder: Path) -> set[Path]:
    """Create `folder` and its missing parents; return the parents whose entries changed (to fsync)."""
    missing = []
    while not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        new.mkdir(exist_ok=True)
    return {new.parent for new in missing}


def _fsync(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
