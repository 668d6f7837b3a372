"""`covpipe serve`: each source of sources.toml as a Prefect deployment on its cron schedule.

Prefect's embedded API runs no schedules, so serving needs a real server: the one Prefect's
settings name (PREFECT_API_URL), or one this module starts on loopback with its database
under the data folder and stops on exit. Wiring only: the runs themselves are the `poll`
flow, one source each, executed by Prefect's runner in subprocesses, one at a time
(DuckDB allows one writer). `covpipe worker` is a long-lived worker on that server: with
Prefect, the parsers and the language model loaded, it runs the small ingests that the CLI
hands it (`flows.remote`) and parses the batches that other runs hand it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
    """A `covpipe worker` process on the server `env` names, listening (its model loaded, its
    deployment ready) within; stopped on exit. Its output goes to `log_path`."""
    from flows.remote import PrefectApi, worker_deployment
    from flows.runners import served_worker_ready

    with log_path.open("w") as sink:
        worker = subprocess.Popen([sys.executable, "-m", "flows.cli", "worker"], env=env, stdout=sink,
                                  stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[1])
    try:
        deadline = time.monotonic() + timeout
        with contextlib.closing(PrefectApi.from_env(env)) as api:  # env names the server
            while not (served_worker_ready(api) and worker_deployment(api)):
                if worker.poll() is not None or time.monotonic() > deadline:
                    raise ServerError(f"covpipe worker did not start listening; see {log_path}")
                time.sleep(0.5)
        yield worker
    finally:
        worker.terminate()
        worker.wait(STOP_SECONDS + 30)  # it lets the run under way finish


def serve_parse_worker(settings: Settings, ready: Callable[[str], None] = log.info) -> None:
    """Load the language model, then serve until interrupted (`covpipe worker`): the ingest flow's
    runs that a small `covpipe ingest` hands over (in this process, one at a time), and the parse
    batches that other runs hand to the Prefect server (one at a time)."""
    from prefect.task_worker import serve

    from flows.ingest import parse_served_task
    from flows.remote import FLOW_NAME
    from flows.runners import load_model
    from tasks.version import parser_version

    load_model(settings.parse.spacy_model)
    import tasks.parse  # noqa: F401  (trafilatura and the rules: not in the first run's time)
    # Prefect's task worker handles SIGTERM only in the main thread, and serves in another: stop
    # here (as on Ctrl-C) so the run under way finishes and the deployment goes.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    runs = IngestRuns.start()
    ready(f"ready: parser {parser_version(settings.parse)}, deployment {FLOW_NAME}/{runs.name}")
    try:
        serve(parse_served_task, limit=1)
    finally:
        runs.stop()


STOP_SECONDS = 300.0  # how long a stopping worker waits for the run under way (a handed run is one batch)


class IngestRuns:
    """The ingest flow, served as this worker's own deployment `ingest/worker-<code version>-<id>`
    and run in this process.

    A poller thread asks the server for the deployment's scheduled runs every POLL_SECONDS (which
    also keeps the deployment marked ready) and takes one, by moving it to Pending, only when no
    run is under way; a second thread runs it with Prefect's flow engine, where Prefect, the
    parsers and the model are loaded already. Prefect's own runner would start a new interpreter
    for every run and pay all of that again.
    """

    def __init__(self, deployment, name: str):
        self.deployment_id = deployment.apply()
        self.name = name
        self._stop = threading.Event()
        self._runs: queue.Queue = queue.Queue(maxsize=1)
        self._busy = threading.Event()
        self._poller = threading.Thread(target=self._poll, name="covpipe-poll-runs", daemon=True)
        self._executor = threading.Thread(target=self._execute, name="covpipe-ingest-runs", daemon=True)
        self._current = None  # the flow run under way

    @classmethod
    def start(cls) -> IngestRuns:
        import prefect.flow_engine  # noqa: F401  (imported now, not in the first run's time)
        from prefect.deployments.runner import EntrypointType

        from flows.ingest import ingest
        from flows.remote import FLOW_NAME, deployment_name

        assert ingest.name == FLOW_NAME
        name = deployment_name()
        deployment = ingest.to_deployment(
            name=name, entrypoint_type=EntrypointType.MODULE_PATH, enforce_parameter_schema=False,
            tags=["covpipe", "worker"],
            description="Ingest files in a running `covpipe worker` (paths as the worker sees them). "
                        "A small `covpipe ingest` runs here when this worker listens.",
        )
        runs = cls(deployment, name)
        forget_dead_workers()
        runs._poller.start()
        runs._executor.start()
        return runs

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """Stop taking runs, let the one under way finish (at most `timeout`; past that it is marked
        crashed, and dies with the process), and delete the deployment."""
        from prefect.client.orchestration import get_client
        from prefect.states import Crashed

        self._stop.set()
        self._poller.join(timeout)  # no run taken from here on: the executor drains what was taken
        if self._busy.is_set():
            log.info("waiting for the ingest run under way (at most %.0f s)", timeout)
        self._executor.join(timeout)
        with get_client(sync_client=True) as client:
            try:
                if self._executor.is_alive() and self._current is not None:
                    client.set_flow_run_state(self._current, Crashed(
                        message=f"covpipe worker stopped; the run did not end within {timeout:.0f} s"), force=True)
                client.delete_deployment(self.deployment_id)
            except Exception:  # best effort: the server marks an unpolled deployment not ready anyway
                log.warning("could not delete deployment %s", self.name, exc_info=True)

    def _poll(self) -> None:
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.objects import StateType
        from prefect.client.schemas.responses import SetStateStatus
        from prefect.states import Pending

        from flows.remote import POLL_SECONDS

        failing = False
        with get_client(sync_client=True) as client:
            while not self._stop.is_set():
                try:
                    scheduled = client.get_scheduled_flow_runs_for_deployments(
                        [self.deployment_id], scheduled_before=datetime.now(UTC) + timedelta(seconds=1))
                    for run in scheduled if not self._busy.is_set() else ():
                        if run.state is None or run.state.type is not StateType.SCHEDULED:
                            continue
                        if client.set_flow_run_state(run.id, Pending(), force=False).status is SetStateStatus.ACCEPT:
                            self._busy.set()
                            self._runs.put(run)
                            break
                    failing = False
                except Exception as exc:  # noqa: BLE001  the server restarting, a network blip: poll again
                    if not failing:  # once per outage, not twice a second
                        log.warning("polling the Prefect server for ingest runs failed (%s); retrying", exc)
                    failing = True
                self._stop.wait(POLL_SECONDS)

    def _execute(self) -> None:
        """Run what the poller took, until stopped with nothing taken."""
        from flows.remote import POLL_SECONDS

        while True:
            try:
                run = self._runs.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if self._stop.is_set() and not self._poller.is_alive():
                    return
                continue
            self._current = run.id
            try:
                execute_ingest_run(run)
            except BaseException as exc:  # noqa: BLE001  the engine failed outside the flow (Abort is one):
                crash(run.id, exc)  # the run must not stay Pending or Running; the worker goes on
            finally:
                self._current = None
                self._busy.clear()


STALE_AFTER = 120.0  # a worker's deployment not polled for this long (and so marked not ready) is a dead one's


def forget_dead_workers() -> None:
    """Delete the deployments of workers that were killed (marked not ready, not polled for
    STALE_AFTER): each worker has its own, and a clean stop deletes it, but a kill leaves it. A
    worker starting now has not polled yet, and is left alone."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterName,
        FlowFilter,
        FlowFilterName,
    )
    from prefect.client.schemas.objects import DeploymentStatus

    from flows.remote import DEPLOYMENT_PREFIX, FLOW_NAME

    try:
        with get_client(sync_client=True) as client:
            for deployment in client.read_deployments(
                    flow_filter=FlowFilter(name=FlowFilterName(any_=[FLOW_NAME])),
                    deployment_filter=DeploymentFilter(name=DeploymentFilterName(like_=DEPLOYMENT_PREFIX))):
                polled = deployment.last_polled
                if (deployment.name.startswith(DEPLOYMENT_PREFIX) and deployment.status is DeploymentStatus.NOT_READY
                        and polled is not None and polled < datetime.now(UTC) - timedelta(seconds=STALE_AFTER)):
                    client.delete_deployment(deployment.id)
    except Exception:  # housekeeping only
        log.warning("could not delete the deployments of stopped workers", exc_info=True)


def crash(flow_run_id, exc: BaseException) -> None:
    """Mark a run the engine could not see to its end as crashed, with the reason (best effort)."""
    from prefect.client.orchestration import get_client
    from prefect.states import Crashed

    log.error("ingest run %s could not run: %r", flow_run_id, exc)
    try:
        with get_client(sync_client=True) as client:
            client.set_flow_run_state(flow_run_id, Crashed(message=f"covpipe worker: {exc!r}"), force=True)
    except Exception:
        log.warning("could not mark ingest run %s as crashed", flow_run_id, exc_info=True)


def execute_ingest_run(run) -> None:
    """Run an ingest flow run in this process, parsing here with the model loaded. Parameters that
    are not valid fail the run with the reason."""
    from prefect.client.orchestration import get_client
    from prefect.flow_engine import run_flow
    from prefect.states import Failed

    from flows.ingest import ingest

    parameters = run.parameters or {}
    try:
        settings = Settings(**(parameters.get("settings") or {})).model_copy(update={"task_runner": "sequential"})
        paths = [str(p) for p in parameters.get("paths") or ()]
    except (ValueError, TypeError) as exc:
        with get_client(sync_client=True) as client:
            client.set_flow_run_state(run.id, Failed(message=f"parameters not valid: {exc}"), force=True)
        return
    state = run_flow(ingest, flow_run=run, parameters={"paths": paths, "settings": settings}, return_type="state")
    if not state.is_final():
        crash(run.id, RuntimeError(f"the flow engine left the run {state.type.value}"))


def serve_sources(config: SourcesConfig, sources_file: Path, db: Path) -> None:
    """Serve every source's deployment until interrupted; runs go one at a time (one DuckDB writer)."""
    from prefect import serve

    serve(*deployments(config, sources_file, db), limit=1, print_starting_message=False)
