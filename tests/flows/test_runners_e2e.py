"""End to end: the same ingest on worker processes and on a Dask cluster gives the in-process warehouse."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS, SHARED, query
from tests.flows.test_interrupts import servers_of
from tests.flows.test_reprocess_e2e import snapshot as _snapshot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Seeds, three French pages when ../shared is there, and two documents that fail."""
    root = tmp_path_factory.mktemp("corpus")
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, root / seed.name)
    pages = sorted((SHARED / "data" / "fr-web-pages" / "html").glob("*.html"))[:3]
    for page in pages:
        shutil.copy(page, root / page.name)
    (root / "empty.html").write_bytes(b"")
    (root / "no-article.html").write_bytes(b"<html><body><nav><a href='/'>Accueil</a></nav></body></html>")
    return root


def snapshot(db: Path) -> dict[str, list]:
    """Every derived table, and the documents without when each run first saw them."""
    return _snapshot(db) | {"documents": query(db, "SELECT * EXCLUDE (run_id, first_seen_at) FROM documents "
                                                   "ORDER BY ALL")}


def cli_env(tmp: Path, **env: str) -> dict[str, str]:
    """The environment of a CLI process with its own Prefect home (and so its own embedded API)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("COVPIPE_")}
    return base | {"PREFECT_HOME": str(tmp / "prefect"), "PREFECT_LOGGING_LEVEL": "INFO"} | env


def covpipe(tmp: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """The CLI in a process of its own, in batches of two."""
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=ROOT,
                          env=cli_env(tmp, **({"COVPIPE_BATCH_SIZE": "2"} | env)),
                          capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def in_process(corpus: Path, tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("sequential")
    result = covpipe(tmp, "ingest", str(corpus), "--db", str(tmp / "w.duckdb"), "--task-runner", "sequential")
    assert result.returncode == 1, result.stderr[-3000:]  # two documents fail, the run goes on
    # a duckdb type kept alive until exit (e.g. in typing's caches) makes its bindings print pages of warnings
    assert "nanobind: leaked" not in result.stderr
    return tmp / "w.duckdb"


def test_worker_processes_give_the_in_process_warehouse(corpus: Path, in_process: Path, tmp_path: Path):
    db = tmp_path / "w.duckdb"
    result = covpipe(tmp_path, "ingest", str(corpus), "--db", str(db), "--task-runner", "process", "--workers", "2")
    assert result.returncode == 1, result.stderr[-3000:]
    assert snapshot(db) == snapshot(in_process)
    assert query(db, "SELECT count(*) FROM posts")[0][0] >= 2
    # the flow and its workers reported to the one API the run started, which stopped with it
    assert "Starting temporary server" not in result.stderr
    assert not servers_of(tmp_path / "prefect")
    again = covpipe(tmp_path, "reprocess", "--all", "--db", str(db), "--task-runner", "process", "--workers", "2")
    assert again.returncode == 1, again.stderr[-3000:]  # the two failed documents fail again
    assert "no post changed" in again.stdout
    assert snapshot(db) == snapshot(in_process)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real `prefect server start` on loopback, for the runners that need one."""
    from flows.prefect_server import start_server

    started = start_server(tmp_path_factory.mktemp("server"), ui=False)
    yield started
    started.stop()


def test_a_dask_cluster_gives_the_in_process_warehouse(corpus: Path, in_process: Path, server, tmp_path: Path):
    from distributed import LocalCluster

    saved = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = server.api_url  # the cluster's workers report there too
    try:
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            db = tmp_path / "w.duckdb"
            result = covpipe(tmp_path, "ingest", str(corpus), "--db", str(db), "--dask-address",
                             cluster.scheduler_address, PREFECT_API_URL=server.api_url)
            workers = len(cluster.scheduler_info["workers"])
    finally:
        os.environ.pop("PREFECT_API_URL") if saved is None else os.environ.update(PREFECT_API_URL=saved)
    assert result.returncode == 1, result.stderr[-3000:]
    assert workers == 2
    assert snapshot(db) == snapshot(in_process)
    assert "Starting temporary server" not in result.stderr  # it ran against the real server


_FORKED = """
import os
from flows.runners import preload_workers, start_api, api_ready, task_runner_for
from schemas import Settings

settings = Settings(task_runner="process", workers=2)
start_api(settings)
preload_workers(settings)
api_ready(settings)
from tests.flows.worker_probe import probe

with task_runner_for(settings) as runner:
    parent, loaded = runner.submit(probe, {}).result()
print(type(runner).__name__, parent != os.getpid(), loaded)
"""


def test_parse_workers_are_forked_from_a_server_that_loaded_the_model(tmp_path: Path):
    result = subprocess.run([sys.executable, "-c", _FORKED], cwd=ROOT, env=cli_env(tmp_path),
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split()[-3:] == ["ForkedProcessPoolTaskRunner", "True", "True"]
