"""`covpipe serve`: each source of sources.toml as a Prefect deployment on its cron schedule.

Prefect's embedded API runs no schedules, so serving needs a real server: the one Prefect's
settings name (PREFECT_API_URL), or one this module starts on loopback with its database
under the data folder and stops on exit. Wiring only: the runs themselves are the `poll`
flow, one source each, executed by Prefect's runner in subprocesses, one at a time
(DuckDB allows one writer). `covpipe worker` is a long-lived parse worker on that server:
it keeps the language model loaded for the runs that hand it their batches.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from schemas import Settings, SourcesConfig

log = logging.getLogger(__name__)


class ServerError(RuntimeError):
    """The Prefect server could not be started; the message says why and where its log is."""


@dataclass
class PrefectServer:
    """A `prefect server start` process this module started, and where it answers."""

    process: subprocess.Popen
    url: str
    log_path: Path

    @property
    def api_url(self) -> str:
        return self.url + "/api"

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the server and the processes it started (its own process group)."""
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def start_server(home: Path, *, port: int | None = None, ui: bool = True, timeout: float = 120.0) -> PrefectServer:
    """Start `prefect server start` on loopback, its SQLite database and log under `home`; wait until healthy."""
    home.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_API_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{home / 'prefect.db'}",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_UI_ENABLED="true" if ui else "false",
    )
    log_path = home / "server.log"
    with log_path.open("ab") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
    server = PrefectServer(process=process, url=f"http://127.0.0.1:{port}", log_path=log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"prefect server exited with status {process.returncode}; see {log_path}")
        try:
            if httpx.get(server.api_url + "/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    server.stop()
    raise ServerError(f"prefect server did not answer within {timeout:.0f} s; see {log_path}")


@contextlib.contextmanager
def prefect_api(home: Path, *, ui: bool = True) -> Iterator[tuple[str, PrefectServer | None]]:
    """The Prefect API to serve on: the configured one, else a server started here (stopped on exit)."""
    from prefect.settings import (
        PREFECT_API_URL,
        get_current_settings,
        temporary_settings,
    )

    configured = get_current_settings().api.url
    if configured:
        yield configured, None
        return
    server = start_server(home, ui=ui)
    try:
        os.environ["PREFECT_API_URL"] = server.api_url  # the runner's subprocesses inherit it
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield server.api_url, server
    finally:
        server.stop()


def deployments(config: SourcesConfig, sources_file: Path, db: Path) -> list:
    """One deployment of the poll flow per source, on the source's cron schedule (manual runs only without one)."""
    from prefect.deployments.runner import EntrypointType

    from flows.poll import poll

    return [
        poll.to_deployment(
            name=source.name, cron=source.schedule, entrypoint_type=EntrypointType.MODULE_PATH,
            parameters={"sources": [source.name], "sources_file": str(sources_file.resolve()), "db": str(db.resolve())},
            description=f"Poll {source.kind} source {source.name!r} ({source.url or source.path})",
            tags=["covpipe", source.kind],
        )
        for source in config.sources.values()
    ]


@contextlib.contextmanager
def parse_worker(env: dict[str, str], log_path: Path, *, timeout: float = 180.0) -> Iterator[subprocess.Popen]:
    """A `covpipe worker` process on the server `env` names, listening (its model loaded) within;
    stopped on exit. Its output goes to `log_path`."""
    from flows.runners import credentials, served_worker_ready

    with log_path.open("w") as sink:
        worker = subprocess.Popen([sys.executable, "-m", "flows.cli", "worker"], env=env, stdout=sink,
                                  stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[1])
    try:
        deadline = time.monotonic() + timeout
        asked = credentials(env.get("PREFECT_API_AUTH_STRING"), env.get("PREFECT_API_KEY"))
        while not served_worker_ready(env["PREFECT_API_URL"], asked):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise ServerError(f"covpipe worker did not start listening; see {log_path}")
            time.sleep(0.5)
        yield worker
    finally:
        worker.terminate()
        worker.wait(30)


def serve_parse_worker(settings: Settings) -> None:
    """Load the language model, then run the parse batches that runs hand to the Prefect server,
    one at a time, until interrupted (`covpipe worker`)."""
    from prefect.task_worker import serve

    from flows.ingest import parse_served_task
    from flows.runners import load_model
    from tasks.version import parser_version

    load_model(settings.parse.spacy_model)
    log.info("parse worker ready: parser %s", parser_version(settings.parse))  # the code loaded now
    serve(parse_served_task, limit=1)


def serve_sources(config: SourcesConfig, sources_file: Path, db: Path) -> None:
    """Serve every source's deployment until interrupted; runs go one at a time (one DuckDB writer)."""
    from prefect import serve

    serve(*deployments(config, sources_file, db), limit=1, print_starting_message=False)
