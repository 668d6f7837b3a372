"""Test isolation: Prefect runs on a throwaway embedded API, offline, with its state in a temp folder."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

_PREFECT_HOME = tempfile.mkdtemp(prefix="covpipe-prefect-")
atexit.register(shutil.rmtree, _PREFECT_HOME, ignore_errors=True)
os.environ.update(
    PREFECT_HOME=_PREFECT_HOME,
    PREFECT_SERVER_ANALYTICS_ENABLED="false",
    PREFECT_SERVER_UI_ENABLED="false",
    PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="90",
    PREFECT_API_URL="",
    # Prefect stops its embedded server at exit, after pytest has closed the captured
    # streams its console handler writes to; at WARNING it has nothing to write then.
    PREFECT_LOGGING_LEVEL="WARNING",
)
for key in [k for k in os.environ if k.startswith("COVPIPE_")]:
    del os.environ[key]
# The suite parses in-process: worker processes would each load the language model, and a
# rule patched in a test would not reach them. tests/flows/test_runners_e2e.py runs the others.
os.environ["COVPIPE_TASK_RUNNER"] = "sequential"

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def seeds() -> Path:
    return SEEDS


def shared_or_skip(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is not beside the project)")
    return path


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of `sql` (with `params`) on the warehouse at `db`, opened read-only."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def copy_warehouse(db: Path, target: Path) -> Path:
    """A copy of the warehouse at `db`: its DuckDB file and its folder of raw documents."""
    from warehouse.store import store_root

    shutil.copy(db, target)
    if store_root(db).is_dir():
        shutil.copytree(store_root(db), store_root(target))
    return target


def read_in_another_process(path: Path) -> str:
    """What a reader process (as `covpipe status` is) gets from the warehouse: a count, or its error."""
    code = ("import sys; from warehouse import connect\n"
            "try:\n    print(connect(sys.argv[1], read_only=True, wait_seconds=1).execute("
            "'SELECT count(*) FROM runs').fetchone()[0])\n"
            "except Exception as exc:\n    print(type(exc).__name__)")
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60,
                          cwd=ROOT)
    return done.stdout.strip()
