"""A small ingest handed whole to a `covpipe worker` over Prefect's REST API: found only when a
worker of this code is alive, taken back when the worker does not start it or dies with it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from flows import remote
from flows.remote import (
    PrefectApi,
    WorkerRunFailed,
    deployment_name,
    run_on_worker,
    run_parameters,
    worker_for,
)
from schemas import Settings
from tests.conftest import ROOT

DEPLOYMENT = "5f0f7b59-0000-4000-8000-000000000001"


class FakePrefect:
    """Just enough of Prefect's server: a deployment with its last poll, flow runs, and the one
    orchestration rule that matters here (Pending is accepted from Scheduled only)."""

    def __init__(self, name: str | None = None, polled_ago: float = 1.0, status: str = "READY"):
        self.name = name or deployment_name()
        self.polled = datetime.now(UTC) - timedelta(seconds=polled_ago)
        self.status = status
        self.runs: dict[str, dict] = {}
        self.states: list[tuple[str, str, bool]] = []  # (type, message, force) the CLI proposed
        self.worker = lambda run, reads: None  # what the worker does to a run at each read
        self.on_proposal = lambda run: None  # what the worker does just before the CLI proposes a state

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/api/")
        if request.method == "GET" and path.startswith("deployments/name/ingest/"):
            if path.rsplit("/", 1)[1] != self.name:
                return httpx.Response(404, json={"detail": "Deployment not found"})
            return httpx.Response(200, json={"id": DEPLOYMENT, "name": self.name, "status": self.status,
                                             "last_polled": self.polled.isoformat()})
        if request.method == "POST" and path == f"deployments/{DEPLOYMENT}/create_flow_run":
            run_id = f"run-{len(self.runs)}"
            self.runs[run_id] = {"id": run_id, "state": {"type": "SCHEDULED", "message": None},
                                 "parameters": json.loads(request.content)["parameters"], "reads": 0}
            return httpx.Response(201, json=self.runs[run_id])
        if match := re.fullmatch(r"flow_runs/([\w-]+)", path):
            run = self.runs[match[1]]
            run["reads"] += 1
            self.worker(run, run["reads"])
            return httpx.Response(200, json=run)
        if match := re.fullmatch(r"flow_runs/([\w-]+)/set_state", path):
            run, body = self.runs[match[1]], json.loads(request.content)
            self.on_proposal(run)
            kind = body["state"]["type"]
            self.states.append((kind, body["state"]["message"], body["force"]))
            if body["force"] or kind != "PENDING" or run["state"]["type"] == "SCHEDULED":
                run["state"] = {"type": kind, "message": body["state"]["message"]}
                return httpx.Response(201, json={"status": "ACCEPT", "state": run["state"]})
            return httpx.Response(200, json={"status": "ABORT", "state": None})
        return httpx.Response(404, json={"detail": f"not faked: {request.method} {path}"})

    def api(self) -> PrefectApi:
        return PrefectApi("http://prefect.test/api", transport=httpx.MockTransport(self.handle))


def worker_runs(to: str, after: int = 2):
    """A worker that starts the run at its `after`-th read and ends it in state `to` two reads later."""
    def act(run: dict, reads: int) -> None:
        if reads == after:
            run["state"] = {"type": "RUNNING", "message": None}
        elif reads == after + 2:
            run["state"] = {"type": to, "message": "Flow run encountered an exception: WarehouseBusy: locked"
                            if to == "FAILED" else "All states completed."}
    return act


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr(remote, "CLAIM_SECONDS", 0.3)
    monkeypatch.setattr(remote, "WAIT_STEP_SECONDS", 0.01)


def test_a_run_the_worker_completes_carries_absolute_paths_and_every_setting(tmp_path, monkeypatch, fast):
    prefect = FakePrefect()
    prefect.worker = worker_runs("COMPLETED")
    monkeypatch.chdir(tmp_path)
    settings = Settings(db=Path("w.duckdb"), batch_size=16, memory_limit="512MB")
    assert run_on_worker(prefect.api(), DEPLOYMENT, [Path("posts")], settings) == "run-0"
    parameters = prefect.runs["run-0"]["parameters"]
    assert parameters["paths"] == [str(tmp_path / "posts")]
    sent = Settings(**parameters["settings"])
    assert sent.db == tmp_path / "w.duckdb" and sent.sources == tmp_path / "sources.toml"
    assert sent.model_copy(update={"db": Path("w.duckdb"), "sources": Path("sources.toml")}) == settings
    assert prefect.states == []  # nothing taken back


def test_a_run_that_fails_on_the_worker_says_why(fast):
    prefect = FakePrefect()
    prefect.worker = worker_runs("FAILED")
    with pytest.raises(WorkerRunFailed, match=r"ended failed \(flow run run-0\): .*WarehouseBusy: locked"):
        run_on_worker(prefect.api(), DEPLOYMENT, [Path("p")], Settings())


def test_a_run_the_worker_does_not_start_is_taken_back_and_cancelled(fast):
    prefect = FakePrefect()  # the worker never moves the run (busy with another)
    assert run_on_worker(prefect.api(), DEPLOYMENT, [Path("p")], Settings()) is None
    assert [(kind, force) for kind, _, force in prefect.states] == [("PENDING", False), ("CANCELLED", True)]
    assert prefect.runs["run-0"]["state"]["type"] == "CANCELLED"  # the worker will not run it later


def test_a_run_the_worker_took_meanwhile_is_not_taken_back(fast):
    prefect = FakePrefect()

    def takes_it_first(run: dict) -> None:  # the worker's Pending lands between the CLI's read and its own
        run["state"] = {"type": "PENDING", "message": None}
        prefect.worker = worker_runs("COMPLETED", after=run["reads"] + 1)

    prefect.on_proposal = takes_it_first
    assert run_on_worker(prefect.api(), DEPLOYMENT, [Path("p")], Settings()) == "run-0"
    assert [(kind, force) for kind, _, force in prefect.states] == [("PENDING", False)]  # refused, no cancel


def test_a_worker_that_dies_during_the_run_hands_it_back(monkeypatch, fast):
    monkeypatch.setattr(remote, "CHECK_SECONDS", 0.05)
    prefect = FakePrefect()

    def dies(run: dict, reads: int) -> None:
        run["state"] = {"type": "RUNNING", "message": None}
        if reads == 3:
            prefect.status = "NOT_READY"  # it stopped polling, and the server noticed

    prefect.worker = dies
    assert run_on_worker(prefect.api(), DEPLOYMENT, [Path("p")], Settings()) is None
    assert [(kind, force) for kind, _, force in prefect.states] == [("CRASHED", True)]


@pytest.fixture
def on_server(monkeypatch):
    monkeypatch.delenv("COVPIPE_TASK_RUNNER", raising=False)
    monkeypatch.setenv("PREFECT_API_URL", "http://prefect.test/api")

    def serve(prefect: FakePrefect):
        monkeypatch.setattr(remote.PrefectApi, "from_env",
                            classmethod(lambda cls: prefect.api()))
    return serve


def test_only_a_small_run_without_a_chosen_runner_goes_to_a_live_worker_of_this_code(on_server):
    settings = Settings(batch_size=64)
    on_server(FakePrefect())
    assert worker_for(settings, 1)[1] == DEPLOYMENT
    assert worker_for(settings, 64) is not None
    assert worker_for(settings, 65) is None  # faster on this machine's worker processes
    assert worker_for(settings, 0) is None
    assert worker_for(Settings(batch_size=64, task_runner="process"), 1) is None  # asked for
    assert worker_for(Settings(batch_size=64, task_runner="sequential"), 1) is None
    on_server(FakePrefect(polled_ago=30))  # a poll's record lagging behind under load
    assert worker_for(settings, 1) is not None
    on_server(FakePrefect(polled_ago=70, status="NOT_READY"))  # killed: the server marked it
    assert worker_for(settings, 1) is None
    on_server(FakePrefect(polled_ago=remote.STALE_SECONDS + 5))  # killed, on a server not marking it
    assert worker_for(settings, 1) is None
    on_server(FakePrefect(name=remote.DEPLOYMENT_PREFIX + "0123456789ab"))  # a worker of older code
    assert worker_for(settings, 1) is None


def test_no_server_named_or_one_that_fails_means_no_worker(monkeypatch):
    monkeypatch.delenv("COVPIPE_TASK_RUNNER", raising=False)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    assert worker_for(Settings(), 1) is None
    broken = PrefectApi("http://prefect.test/api", transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    assert remote.worker_deployment(broken) is None


def test_the_code_version_changes_with_any_module(tmp_path, monkeypatch):
    before = remote.code_version()
    module = ROOT / "warehouse" / "zz_probe_for_code_version.py"
    module.write_text("# a change\n")
    try:
        assert remote.code_version() != before
    finally:
        module.unlink()
    assert remote.code_version() == before


def test_handing_a_run_to_the_worker_does_not_load_prefect():
    # the whole point: the CLI pays neither Prefect's import (about 5 s) nor the parser's
    code = ("import sys, httpx, flows.cli, flows.remote as r\n"
            "from pathlib import Path\nfrom schemas import Settings\n"
            "def handle(request):\n"
            "    if request.method == 'POST':\n"
            "        return httpx.Response(201, json={'id': 'run-0'})\n"
            "    return httpx.Response(200, json={'state': {'type': 'COMPLETED'}})\n"
            "api = r.PrefectApi('http://prefect.test/api', transport=httpx.MockTransport(handle))\n"
            "assert r.run_on_worker(api, 'd', [Path('p')], Settings()) == 'run-0'\n"
            "print(sorted({'prefect', 'spacy', 'trafilatura'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def _flow_run(parameters: dict):
    """An ingest flow run created as a deployment's would be: scheduled, with JSON parameters."""
    from prefect.client.orchestration import get_client
    from prefect.states import Scheduled

    from flows.ingest import ingest

    with get_client(sync_client=True) as client:
        return client.create_flow_run(ingest, parameters=parameters, state=Scheduled())


def _in_a_thread(run) -> None:
    import threading

    from flows.serve import execute_ingest_run

    thread = threading.Thread(target=execute_ingest_run, args=(run,))  # as the worker runs it
    thread.start()
    thread.join(300)


def _state(run_id):
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.read_flow_run(run_id).state


@pytest.mark.slow
def test_the_worker_runs_a_handed_run_in_its_process_with_the_cli_settings(tmp_path, seeds):
    from tests.conftest import query

    db = tmp_path / "w.duckdb"
    parameters = run_parameters([seeds], Settings(db=db, batch_size=1, task_runner="process"))
    run = _flow_run(parameters)
    _in_a_thread(run)
    assert _state(run.id).is_completed()
    assert query(db, "SELECT flow_run_id, inputs_seen, posts_written, status FROM runs") == [
        (str(run.id), 2, 2, "completed")]


@pytest.mark.slow
def test_a_handed_run_with_settings_that_are_not_valid_fails_with_the_reason(tmp_path):
    run = _flow_run({"paths": [str(tmp_path)], "settings": {"db": str(tmp_path / "w.duckdb"), "batch_size": 0}})
    _in_a_thread(run)
    state = _state(run.id)
    assert state.is_failed() and "parameters not valid" in state.message and "batch_size" in state.message
    assert not (tmp_path / "w.duckdb").exists()


def test_a_worker_registers_its_deployment_again_when_another_worker_deleted_it():
    from prefect.exceptions import ObjectNotFound

    from flows.serve import IngestRuns

    class Deployment:
        applied = 0

        def apply(self):
            self.applied += 1
            return f"deployment-{self.applied}"

    class Client:
        existing = {"deployment-1"}

        def read_deployment(self, deployment_id):
            if deployment_id not in self.existing:
                raise ObjectNotFound(http_exc=Exception("404"))

    runs, client = IngestRuns(Deployment(), "worker-x"), Client()
    runs._keep_deployment(client)
    assert runs.deployment_id == "deployment-1"  # still there: nothing to do
    client.existing.clear()  # a second worker of the same code stopped and deleted it
    runs._keep_deployment(client)
    assert runs.deployment_id == "deployment-2" and runs.deployment.applied == 2
