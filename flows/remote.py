"""A small ingest handed whole to a running `covpipe worker`, over Prefect's REST API.

The worker serves the ingest flow as a deployment named for the code it loaded
(`ingest/worker-<code version>`) and runs its flow runs in its own process, where Prefect,
the parsers and the language model are loaded already. The CLI creates the flow run and
waits for its end with plain HTTP requests: it never imports Prefect (about 5 s of a cold
start), so a small run costs little more than its parsing. The run's report is then read
from its `runs` row in the warehouse.

The run comes back to the CLI when the worker does not start it within CLAIM_SECONDS (busy
with another run, or stopping) and when the worker stops polling while it runs (killed; the
server notices within about a minute):
the CLI takes the flow run back through Prefect's orchestration, which lets only one side
move a scheduled run to Pending, so a run is never parsed twice. This module must not
import Prefect.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from schemas import ParseOptions, Settings

FLOW_NAME = "ingest"
DEPLOYMENT_PREFIX = "worker-"
POLL_SECONDS = 0.5  # how often the worker looks for runs, which also tells the server it is alive
# A worker is alive while the server marks its deployment ready. The server records each poll
# in the background and marks a deployment not ready 60 s after its last poll (Prefect's
# foreman); a record lags under load, so the CLI does not judge from a poll's age alone,
# but a deployment polled longer ago than this is gone even if the foreman is off.
STALE_SECONDS = 180.0
CLAIM_SECONDS = 5.0  # a run the worker has not started by then runs in the CLI's process
CHECK_SECONDS = 5.0  # how often a wait checks that the worker running the run is alive
WAIT_STEP_SECONDS = 0.1  # how often the CLI asks for the run's state
_PACKAGES = ("flows", "tasks", "schemas", "warehouse")
_TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


class WorkerRunFailed(RuntimeError):
    """The worker ran the flow and it failed: the state's message says why."""

    def __init__(self, flow_run_id: str, state: str, message: str | None):
        super().__init__(f"the ingest run on covpipe worker ended {state.lower()} (flow run {flow_run_id}): "
                         f"{message or 'no message'}")
        self.flow_run_id = flow_run_id


def code_version() -> str:
    """Short id of the code a run executes: every module and data file of covpipe's packages, and the
    parser version (which adds the parsing libraries and the model). A worker started before a
    change serves another deployment name, so no run goes to stale code."""
    from tasks.version import parser_version

    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(parser_version(ParseOptions()).encode())
    for package in _PACKAGES:
        for path in sorted((root / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def deployment_name() -> str:
    return DEPLOYMENT_PREFIX + code_version()


class PrefectApi:
    """Prefect's REST API at `url`, asked with the credentials Prefect's own client would send."""

    def __init__(self, url: str, headers: dict[str, str] | None = None, *, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None):
        self.url = url.rstrip("/")
        self.client = httpx.Client(base_url=self.url + "/", headers=headers or {}, timeout=timeout,
                                   transport=transport)

    @classmethod
    def from_env(cls) -> PrefectApi | None:
        """The server PREFECT_API_URL names (None without one), with PREFECT_API_AUTH_STRING or PREFECT_API_KEY."""
        from flows.runners import credentials

        url = os.environ.get("PREFECT_API_URL")
        if not url:
            return None
        return cls(url, credentials(os.environ.get("PREFECT_API_AUTH_STRING"), os.environ.get("PREFECT_API_KEY")))

    def get(self, path: str) -> Any:
        answer = self.client.get(path)
        answer.raise_for_status()
        return answer.json()

    def post(self, path: str, body: dict) -> Any:
        answer = self.client.post(path, json=body)
        answer.raise_for_status()
        return answer.json() if answer.content else None

    def set_state(self, flow_run_id: str, kind: str, message: str, *, force: bool = False) -> bool:
        """Propose a state; whether Prefect's orchestration accepted it."""
        answer = self.post(f"flow_runs/{flow_run_id}/set_state",
                           {"state": {"type": kind, "message": message}, "force": force})
        return answer["status"] == "ACCEPT"

    def close(self) -> None:
        self.client.close()


def worker_deployment(api: PrefectApi) -> str | None:
    """The id of the deployment a live `covpipe worker` of this code serves, if there is one."""
    try:
        answer = api.client.get(f"deployments/name/{FLOW_NAME}/{deployment_name()}")
        if answer.status_code == 404:
            return None
        answer.raise_for_status()
        deployment = answer.json()
        return deployment["id"] if _alive(deployment) else None
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None


def _alive(deployment: dict) -> bool:
    polled = deployment.get("last_polled")
    if deployment.get("status") != "READY" or not polled:
        return False
    return (datetime.now(UTC) - datetime.fromisoformat(polled)).total_seconds() <= STALE_SECONDS


def worker_for(settings: Settings, inputs: int) -> tuple[PrefectApi, str] | None:
    """Where to hand a whole run: a live worker of this code, when the run is one batch or less and
    no task runner was asked for (a large run is faster on this machine's worker processes)."""
    chosen = "task_runner" in settings.model_fields_set
    if chosen or settings.task_runner != "process" or not 0 < inputs <= settings.batch_size:
        return None
    api = PrefectApi.from_env()
    if api is None:
        return None
    deployment = worker_deployment(api)
    if deployment is None:
        api.close()
        return None
    return api, deployment


def run_parameters(paths: list[Path], settings: Settings) -> dict:
    """The flow run's parameters, as JSON, with absolute paths: the worker has its own working folder."""
    absolute = settings.model_copy(update={"db": settings.db.resolve(), "sources": settings.sources.resolve()})
    return {"paths": [str(Path(p).resolve()) for p in paths], "settings": absolute.model_dump(mode="json")}


def run_on_worker(api: PrefectApi, deployment_id: str, paths: list[Path], settings: Settings, *,
                  sleep: Callable[[float], None] = time.sleep) -> str | None:
    """Run the ingest of `paths` on the worker and wait for its end: the flow run's id once it
    completed, or None when the run was taken back (the caller then runs it itself).

    Raises WorkerRunFailed when the worker ran it and it failed (the warehouse busy, a bug...);
    the same run here would fail the same way.
    """
    run = api.post(f"deployments/{deployment_id}/create_flow_run",
                   {"parameters": run_parameters(paths, settings), "tags": ["covpipe", "cli"]})
    flow_run_id = run["id"]
    created = time.monotonic()
    checked = created
    while True:
        state = api.get(f"flow_runs/{flow_run_id}")["state"] or {"type": "SCHEDULED"}
        kind = state["type"]
        if kind == "COMPLETED":
            return flow_run_id
        if kind in _TERMINAL:
            raise WorkerRunFailed(flow_run_id, kind, state.get("message"))
        now = time.monotonic()
        if kind == "SCHEDULED" and now - created > CLAIM_SECONDS:
            if take_back(api, flow_run_id, f"covpipe worker did not start it within {CLAIM_SECONDS:.0f} s"):
                return None
        elif kind != "SCHEDULED" and now - checked > CHECK_SECONDS:
            checked = now
            if worker_deployment(api) is None:  # the worker stopped polling: it died with the run
                api.set_state(flow_run_id, "CRASHED", "covpipe worker stopped while running it; "
                                                      "the CLI ran it again", force=True)
                return None
        sleep(WAIT_STEP_SECONDS)


def take_back(api: PrefectApi, flow_run_id: str, reason: str) -> bool:
    """Take a scheduled run back from the worker: Pending is accepted for one side only, so either
    the CLI gets it (and cancels it, to run the ingest itself) or the worker already started it."""
    if not api.set_state(flow_run_id, "PENDING", reason):
        return False
    api.set_state(flow_run_id, "CANCELLED", reason + "; run by the CLI instead", force=True)
    return True
