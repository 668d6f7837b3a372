"""A Prefect server on loopback that covpipe starts and stops: `prefect server start`, Prefect's
own command, in a process group of its own.

Two uses: `covpipe serve` needs a real server for schedules (its own SQLite database, services
on, stopped when serving stops); a run whose parse workers are processes needs one API that
the flow, its workers and Prefect's background threads all report to (no services, on
Prefect's own database, as the embedded API; stopped when the command exits). For the
second, the server is launched before Prefect is imported and named in PREFECT_API_URL, so
that every part of Prefect reads it from its settings; it starts while Prefect imports.
No Prefect import here.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx


class ServerError(RuntimeError):
    """The Prefect server could not be started; the message says why and where its log is."""


@dataclass
class PrefectServer:
    """A `prefect server start` process started here, and where it answers."""

    process: subprocess.Popen
    url: str
    log_path: Path

    @property
    def api_url(self) -> str:
        return self.url + "/api"

    def wait_ready(self, timeout: float = 120.0) -> PrefectServer:
        """Wait until the server answers its health check; stop it and raise ServerError if it does not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"prefect server exited with status {self.process.returncode}; see {self.log_path}")
            try:
                if httpx.get(self.api_url + "/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        self.stop()
        raise ServerError(f"prefect server did not answer within {timeout:.0f} s; see {self.log_path}")

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


DEFAULT_PORT = 4200  # Prefect's own


def port_taken(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def launch_server(home: Path, *, ui: bool = True, services: bool = True, own_database: bool = True,
                  port: int | None = None) -> PrefectServer:
    """Launch `prefect server start` on loopback, its log under `home` (and its SQLite database with
    `own_database`; else the one Prefect's settings name), without waiting for it. Without
    `services` it is the API alone, as Prefect's embedded one."""
    home.mkdir(parents=True, exist_ok=True)
    if port and port_taken(port):
        raise ServerError(f"port {port} on 127.0.0.1 is taken: is a Prefect server running there? Name it with "
                          f"PREFECT_API_URL=http://127.0.0.1:{port}/api, or choose PREFECT_SERVER_API_PORT")
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_SERVER_UI_ENABLED="true" if ui else "false")
    if own_database:
        env["PREFECT_API_DATABASE_CONNECTION_URL"] = f"sqlite+aiosqlite:///{home / 'prefect.db'}"
    log_path = home / "server.log"
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("ab") as sink:
        process = subprocess.Popen(command + ([] if services else ["--no-services"]), env=env, stdout=sink,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    return PrefectServer(process=process, url=f"http://127.0.0.1:{port}", log_path=log_path)


def start_server(home: Path, *, ui: bool = True, timeout: float = 120.0, **options) -> PrefectServer:
    """`launch_server`, then wait until it answers."""
    return launch_server(home, ui=ui, **options).wait_ready(timeout)


def configured_api_url() -> str | None:
    """The API Prefect would use, read without importing it: PREFECT_API_URL in the environment, else
    in the active profile of Prefect's profiles file."""
    if url := os.environ.get("PREFECT_API_URL"):
        return url
    import tomllib

    path = Path(os.environ.get("PREFECT_PROFILES_PATH", prefect_home() / "profiles.toml")).expanduser()
    try:
        profiles = tomllib.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active") or "ephemeral"
    return (profiles.get("profiles", {}).get(active) or {}).get("PREFECT_API_URL") or None


def prefect_home() -> Path:
    """PREFECT_HOME as Prefect reads it (without importing it)."""
    return Path(os.environ.get("PREFECT_HOME", "~/.prefect")).expanduser()
