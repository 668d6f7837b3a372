"""A small ingest handed whole to a running `covpipe worker`, over Prefect's REST API.

Each worker serves the ingest flow as a deployment of its own, named for the code it loaded
and for itself (`ingest/worker-<code version>-<worker id>`), and runs its flow runs in its own
process, where Prefect, the parsers and the language model are loaded already. The CLI picks
a ready deployment of its own code, creates the flow run and waits for its end with plain
HTTP requests: it never imports Prefect (about 5 s of a cold start), so a small run costs
little more than its parsing. The run's report is then read from its `runs` row.

The run comes back to the CLI when the worker does not start it within CLAIM_SECONDS (busy
with another run, or stopping): Prefect's orchestration accepts Pending from Scheduled for
one side only, so either the CLI or the worker has it. When the worker dies during the run
(its deployment no longer ready: Prefect's server notices about a minute after the last
poll), the CLI marks the run crashed and makes it itself. When the server stops answering,
or the run has not ended within WAIT_SECONDS, the CLI gives up and names the flow run: it
may still finish on the worker, so the CLI does not make it a second time. This module must
not import Prefect.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import httpx

from schemas import ParseOptions, Settings

FLOW_NAME = "ingest"
DEPLOYMENT_PREFIX = "worker-"
POLL_SECONDS = 0.5  # how often the worker looks for runs, which also tells the server it is alive
# A worker is alive while the server marks its deployment ready (Prefect's foreman marks it not
# ready 60 s after its last poll). The record of a poll lags under load, so the CLI does not judge
# from its age alone, but a deployment polled longer ago than this is gone even if the foreman is off.
STALE_SECONDS = 180.0
CLAIM_SECONDS = 5.0  # a run the worker has not started by then runs in the CLI's process
CHECK_SECONDS = 5.0  # how often a wait checks that the worker running the run is alive
DEAD_CHECKS = 2  # consecutive answers saying the worker is gone before the CLI believes them
WAIT_SECONDS = 900.0  # a handed run (one batch) not ended by then is left to the worker
UNANSWERED_SECONDS = 30.0  # the server not answering for this long ends the wait
WAIT_STEP_SECONDS = 0.1  # how often the CLI asks for the run's state
_PACKAGES = ("flows", "tasks", "schemas", "warehouse")
_CODE_FILES = ("*.py", "*.sql", "*.j2", "*.css", "*.js", "*.toml", "*.json", "*.txt")
_TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


class WorkerRunFailed(RuntimeError):
    """The worker ran the flow and it failed, or the run's end is unknown: the message says which."""

    def __init__(self, flow_run_id: str, message: str):
        super().__init__(f"{message} (flow run {flow_run_id})")
        self.flow_run_id = flow_run_id


_ROOT = Path(__file__).resolve().parents[1]


@cache
def code_version(root: Path = _ROOT) -> str:
    """Short id of the code a run executes: the modules and data files of covpipe's packages under
    `root`, and the parser version (which adds the parsing libraries and the model). A worker
    started before a change serves another deployment name, so no run goes to stale code."""
    from tasks.version import parser_version

    digest = hashlib.sha256(parser_version(ParseOptions()).encode())
    files = {p for package in _PACKAGES for pattern in _CODE_FILES for p in (root / package).rglob(pattern)}
    for path in sorted(p for p in files if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def deployment_name(worker_id: str | None = None) -> str:
    """`worker-<code version>-<worker id>`: one deployment per worker process, so a worker's own
    deployment tells whether it is alive, whatever other workers do."""
    return f"{DEPLOYMENT_PREFIX}{code_version()}-{worker_id or uuid.uuid4().hex[:8]}"


class PrefectApi:
    """Prefect's REST API at `url`, asked with the credentials Prefect's own client would send, and
    retried as Prefect's client retries: a busy server (SQLite locked) answers 503 for a moment."""

    RETRY_STATUSES = frozenset({429, 502, 503, 504})
    RETRIES = 4  # back-off 0.25, 0.5, 1 and 2 s: about 4 s in all

    def __init__(self, url: str, headers: dict[str, str] | None = None, *, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None, sleep: Callable[[float], None] = time.sleep):
        self.url = url.rstrip("/")
        self.client = httpx.Client(base_url=self.url + "/", headers=headers or {}, timeout=timeout,
                                   transport=transport)
        self.sleep = sleep

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> PrefectApi | None:
        """The server PREFECT_API_URL names (None without one), with PREFECT_API_AUTH_STRING or PREFECT_API_KEY."""
        from flows.runners import credentials

        url = env.get("PREFECT_API_URL")
        if not url:
            return None
        return cls(url, credentials(env.get("PREFECT_API_AUTH_STRING"), env.get("PREFECT_API_KEY")))

    def request(self, method: str, path: str, body: dict | None = None, *, idempotent: bool = True) -> httpx.Response:
        """The answer, once it is not a retryable one (or the retries are spent). A connection lost
        after sending is retried only for an idempotent request: a proposed state may have been
        applied already."""
        for attempt in range(self.RETRIES + 1):
            try:
                answer = self.client.request(method, path, json=body)
            except httpx.TransportError:
                if not idempotent or attempt == self.RETRIES:
                    raise
            else:
                if answer.status_code not in self.RETRY_STATUSES or attempt == self.RETRIES:
                    return answer
            self.sleep(0.25 * 2**attempt)
        raise AssertionError("unreachable")

    def get(self, path: str) -> Any:
        answer = self.request("GET", path)
        answer.raise_for_status()
        return answer.json()

    def post(self, path: str, body: dict, *, idempotent: bool = True) -> Any:
        answer = self.request("POST", path, body, idempotent=idempotent)
        answer.raise_for_status()
        return answer.json() if answer.content else None

    def set_state(self, flow_run_id: str, kind: str, message: str, *, force: bool = False) -> bool:
        """Propose a state; whether Prefect's orchestration accepted it."""
        answer = self.post(f"flow_runs/{flow_run_id}/set_state",
                           {"state": {"type": kind, "message": message}, "force": force}, idempotent=False)
        return answer["status"] == "ACCEPT"

    def close(self) -> None:
        self.client.close()


def worker_deployment(api: PrefectApi) -> str | None:
    """The id of the deployment of a live `covpipe worker` of this code (the latest polled), if any."""
    body = {"flows": {"name": {"any_": [FLOW_NAME]}},
            "deployments": {"name": {"like_": f"{DEPLOYMENT_PREFIX}{code_version()}-"}},
            "sort": "UPDATED_DESC", "limit": 50}
    try:
        found = [d for d in api.post("deployments/filter", body)
                 if d["name"].startswith(f"{DEPLOYMENT_PREFIX}{code_version()}-") and _alive(d)]
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None
    return max(found, key=lambda d: d["last_polled"])["id"] if found else None


def _alive(deployment: dict) -> bool:
    polled = deployment.get("last_polled")
    if deployment.get("status") != "READY" or not polled:
        return False
    return (datetime.now(UTC) - datetime.fromisoformat(polled)).total_seconds() <= STALE_SECONDS


def worker_alive(api: PrefectApi, deployment_id: str) -> bool | None:
    """Whether the worker of `deployment_id` is alive: None when the server does not say."""
    try:
        answer = api.request("GET", f"deployments/{deployment_id}")
        if answer.status_code == 404:
            return False  # its worker stopped (and its runs went with the deployment)
        answer.raise_for_status()
        return _alive(answer.json())
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None


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


class Outcome(StrEnum):
    completed = "completed"
    taken_back = "taken back"  # the CLI has the run: it makes it itself


def create_run(api: PrefectApi, deployment_id: str, paths: list[Path], settings: Settings) -> str:
    """Create the flow run. Its idempotency key makes a retry after a lost answer get the same run."""
    body = {"parameters": run_parameters(paths, settings), "tags": ["covpipe", "cli"],
            "idempotency_key": f"covpipe-cli-{uuid.uuid4()}"}
    return api.post(f"deployments/{deployment_id}/create_flow_run", body)["id"]


def wait_for_run(api: PrefectApi, deployment_id: str, flow_run_id: str, *,
                 sleep: Callable[[float], None] = time.sleep) -> Outcome:
    """Wait for the handed run's end: completed, or taken back (the caller makes it itself).

    Raises WorkerRunFailed when the worker ran it and it failed (the warehouse busy...; the
    same run here would fail the same way), and when the run's end cannot be known (the server
    stopped answering, or WAIT_SECONDS passed): it may still finish on the worker.
    """
    created = last_answer = checked = time.monotonic()
    dead = 0
    while True:
        now = time.monotonic()
        if now - created > WAIT_SECONDS:
            raise WorkerRunFailed(flow_run_id, f"the ingest run on covpipe worker has not ended in {WAIT_SECONDS:.0f} s; "
                                               "it may still finish there")
        try:
            run = api.request("GET", f"flow_runs/{flow_run_id}")
            if run.status_code == 404:  # deleted with the deployment of a worker that stopped first
                return Outcome.taken_back
            run.raise_for_status()
            state = run.json()["state"] or {"type": "SCHEDULED"}
        except (httpx.HTTPError, ValueError) as exc:
            if now - last_answer > UNANSWERED_SECONDS:
                answer = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise WorkerRunFailed(flow_run_id, f"the Prefect server stopped answering ({answer}); the ingest run "
                                                   "may still finish on covpipe worker") from exc
            sleep(WAIT_STEP_SECONDS * 10)
            continue
        last_answer = now
        kind = state["type"]
        if kind == "COMPLETED":
            return Outcome.completed
        if kind in _TERMINAL:
            raise WorkerRunFailed(flow_run_id, f"the ingest run on covpipe worker ended {kind.lower()}: "
                                               f"{state.get('message') or 'no message'}")
        if kind == "SCHEDULED" and now - created > CLAIM_SECONDS:
            if take_back(api, flow_run_id, f"covpipe worker did not start it within {CLAIM_SECONDS:.0f} s"):
                return Outcome.taken_back
        elif kind != "SCHEDULED" and now - checked > CHECK_SECONDS:
            checked = now
            dead = dead + 1 if worker_alive(api, deployment_id) is False else 0
            if dead >= DEAD_CHECKS and api.set_state(flow_run_id, "CRASHED", "covpipe worker stopped while running "
                                                     "it; the CLI makes the run itself"):
                return Outcome.taken_back  # refused when the run ended meanwhile: the next read says how
        sleep(WAIT_STEP_SECONDS)


def take_back(api: PrefectApi, flow_run_id: str, reason: str) -> bool:
    """Take a scheduled run back from the worker: Pending is accepted for one side only, so either
    the CLI gets it (and cancels it, to run the ingest itself) or the worker already started it."""
    if not api.set_state(flow_run_id, "PENDING", reason):
        return False
    api.set_state(flow_run_id, "CANCELLED", reason + "; run by the CLI instead", force=True)
    return True
