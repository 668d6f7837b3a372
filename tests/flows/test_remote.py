"""A small ingest handed whole to a `covpipe worker` over Prefect's REST API: found only when a
worker of this code is alive, taken back when the worker does not start it or dies with it, and
never made twice when the end is unknown."""

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
    Outcome,
    PrefectApi,
    WorkerRunFailed,
    create_run,
    run_parameters,
    wait_for_run,
    worker_for,
)
from schemas import Settings
from tests.conftest import ROOT


def deployment(name: str | None = None, polled_ago: float = 1.0, status: str = "READY", id: str = "d-1") -> dict:
    return {"id": id, "name": name or remote.deployment_name("a1b2c3d4"), "status": status,
            "last_polled": (datetime.now(UTC) - timedelta(seconds=polled_ago)).isoformat()}


class FakePrefect:
    """Just enough of Prefect's server: workers' deployments with their last poll, flow runs, and
    its orchestration rules for the states proposed here (Pending only from Scheduled; Crashed not
    over a final state; forced states always)."""

    def __init__(self, *deployments: dict):
        self.deployments = list(deployments) or [deployment()]
        self.runs: dict[str, dict] = {}
        self.states: list[tuple[str, bool]] = []  # (type, force) the CLI proposed
        self.keys: set[str] = set()
        self.worker = lambda run, reads: None  # what the worker does to a run at each read
        self.on_proposal = lambda run: None  # what the worker does just before the CLI proposes a state
        self.failing = 0  # how many next requests answer 503

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.failing:
            self.failing -= 1
            return httpx.Response(503, json={"detail": "database is locked"})
        path = request.url.path.removeprefix("/api/")
        if request.method == "POST" and path == "deployments/filter":
            like = json.loads(request.content)["deployments"]["name"]["like_"]
            return httpx.Response(200, json=[d for d in self.deployments if like in d["name"]])
        if match := re.fullmatch(r"deployments/([\w-]+)", path):
            found = [d for d in self.deployments if d["id"] == match[1]]
            return httpx.Response(200, json=found[0]) if found else httpx.Response(404, json={})
        if match := re.fullmatch(r"deployments/([\w-]+)/create_flow_run", path):
            body = json.loads(request.content)
            self.keys.add(body["idempotency_key"])
            run_id = f"run-{len(self.runs)}"
            self.runs[run_id] = {"id": run_id, "deployment_id": match[1], "parameters": body["parameters"],
                                 "state": {"type": "SCHEDULED", "message": None}, "reads": 0}
            return httpx.Response(201, json=self.runs[run_id])
        if match := re.fullmatch(r"flow_runs/([\w-]+)", path):
            run = self.runs[match[1]]
            run["reads"] += 1
            self.worker(run, run["reads"])
            return httpx.Response(200, json=run)
        if match := re.fullmatch(r"flow_runs/([\w-]+)/set_state", path):
            run, body = self.runs[match[1]], json.loads(request.content)
            self.on_proposal(run)
            kind, current = body["state"]["type"], run["state"]["type"]
            self.states.append((kind, body["force"]))
            refused = (kind == "PENDING" and current != "SCHEDULED"
                       or kind == "CRASHED" and current in ("COMPLETED", "FAILED", "CANCELLED", "CRASHED"))
            if refused and not body["force"]:
                return httpx.Response(200, json={"status": "ABORT", "state": None})
            run["state"] = {"type": kind, "message": body["state"]["message"]}
            return httpx.Response(201, json={"status": "ACCEPT", "state": run["state"]})
        return httpx.Response(404, json={"detail": f"not faked: {request.method} {path}"})

    def api(self) -> PrefectApi:
        return PrefectApi("http://prefect.test/api", transport=httpx.MockTransport(self.handle),
                          sleep=lambda seconds: None)

    def hand(self, paths=(Path("p"),), settings: Settings | None = None) -> Outcome:
        """What the CLI does: create the run on the first deployment, and wait for its end."""
        api = self.api()
        return wait_for_run(api, "d-1", create_run(api, "d-1", list(paths), settings or Settings()))


def worker_runs(to: str, after: int = 2):
    """A worker that starts the run at its `after`-th read and ends it in state `to` two reads later."""
    def act(run: dict, reads: int) -> None:
        if reads == after:
            run["state"] = {"type": "RUNNING", "message": None}
        elif reads == after + 2:
            run["state"] = {"type": to, "message": "Flow run encountered an exception: WarehouseBusy: locked"
                            if to == "FAILED" else "All states completed."}
    return act


@pytest.fixture(autouse=True)
def fast(monkeypatch):
    for name, seconds in [("CLAIM_SECONDS", 0.3), ("WAIT_STEP_SECONDS", 0.01), ("CHECK_SECONDS", 0.05),
                          ("UNANSWERED_SECONDS", 0.3), ("WAIT_SECONDS", 5.0)]:
        monkeypatch.setattr(remote, name, seconds)


def test_a_run_the_worker_completes_carries_absolute_paths_and_every_setting(tmp_path, monkeypatch):
    prefect = FakePrefect()
    prefect.worker = worker_runs("COMPLETED")
    monkeypatch.chdir(tmp_path)
    settings = Settings(db=Path("w.duckdb"), batch_size=16, memory_limit="512MB")
    assert prefect.hand([Path("posts")], settings) is Outcome.completed
    parameters = prefect.runs["run-0"]["parameters"]
    assert parameters["paths"] == [str(tmp_path / "posts")]
    sent = Settings(**parameters["settings"])
    assert sent.db == tmp_path / "w.duckdb" and sent.sources == tmp_path / "sources.toml"
    assert sent.model_copy(update={"db": Path("w.duckdb"), "sources": Path("sources.toml")}) == settings
    assert prefect.states == []  # nothing taken back


def test_a_run_that_fails_on_the_worker_says_why():
    prefect = FakePrefect()
    prefect.worker = worker_runs("FAILED")
    with pytest.raises(WorkerRunFailed, match=r"ended failed: .*WarehouseBusy: locked \(flow run run-0\)"):
        prefect.hand()


def test_a_run_the_worker_does_not_start_is_taken_back_and_cancelled():
    prefect = FakePrefect()  # the worker never moves the run (busy with another)
    assert prefect.hand() is Outcome.taken_back
    assert prefect.states == [("PENDING", False), ("CANCELLED", True)]
    assert prefect.runs["run-0"]["state"]["type"] == "CANCELLED"  # the worker will not run it later


def test_a_run_the_worker_took_meanwhile_is_not_taken_back():
    prefect = FakePrefect()

    def takes_it_first(run: dict) -> None:  # the worker's Pending lands between the CLI's read and its own
        run["state"] = {"type": "PENDING", "message": None}
        prefect.worker = worker_runs("COMPLETED", after=run["reads"] + 1)

    prefect.on_proposal = takes_it_first
    assert prefect.hand() is Outcome.completed
    assert prefect.states == [("PENDING", False)]  # refused, so no cancel


def test_a_worker_that_dies_during_the_run_hands_it_back_once_the_server_says_so_twice():
    prefect = FakePrefect()

    def dies(run: dict, reads: int) -> None:
        run["state"] = {"type": "RUNNING", "message": None}
        if reads == 3:
            prefect.deployments[0]["status"] = "NOT_READY"  # it stopped polling, and the server noticed

    prefect.worker = dies
    assert prefect.hand() is Outcome.taken_back
    assert prefect.states == [("CRASHED", False)]  # proposed, not forced: a run that ended stays ended


def test_one_answer_that_the_worker_is_gone_is_not_enough(monkeypatch):
    prefect = FakePrefect()
    answers = iter([False, None, False, True, False])  # gone once, the server unsure, gone again...
    monkeypatch.setattr(remote, "worker_alive", lambda api, deployment_id: next(answers, True))

    def runs_long(run: dict, reads: int) -> None:
        run["state"] = {"type": "COMPLETED" if reads == 120 else "RUNNING", "message": None}

    prefect.worker = runs_long
    assert prefect.hand() is Outcome.completed
    assert prefect.states == []  # never two answers in a row


def test_a_run_that_ended_as_the_worker_vanished_is_not_marked_crashed():
    prefect = FakePrefect()

    def ends_and_goes(run: dict, reads: int) -> None:
        if reads == 2:
            run["state"] = {"type": "RUNNING", "message": None}
            prefect.deployments.clear()  # the worker finished the run and stopped (deleted its deployment)

    def completed_meanwhile(run: dict) -> None:
        run["state"] = {"type": "COMPLETED", "message": None}

    prefect.worker = ends_and_goes
    prefect.on_proposal = completed_meanwhile
    assert prefect.hand() is Outcome.completed  # the Crashed proposal was refused; the next read said so
    assert prefect.states == [("CRASHED", False)]


def test_a_server_that_fails_for_a_while_is_waited_for_and_one_that_stops_answering_ends_the_wait():
    prefect = FakePrefect()
    prefect.worker = worker_runs("COMPLETED", after=1)  # it runs from the first read the server answers
    api = prefect.api()
    run_id = create_run(api, "d-1", [Path("p")], Settings())
    prefect.failing = 3  # "database is locked" for a moment
    assert wait_for_run(api, "d-1", run_id) is Outcome.completed

    prefect.worker = lambda run, reads: None
    run_id = create_run(api, "d-1", [Path("p")], Settings())
    prefect.runs[run_id]["state"] = {"type": "RUNNING", "message": None}
    prefect.failing = 10**6
    with pytest.raises(WorkerRunFailed, match="stopped answering.*may still finish on covpipe worker"):
        wait_for_run(api, "d-1", run_id)


def test_a_run_that_never_ends_is_left_to_the_worker(monkeypatch):
    monkeypatch.setattr(remote, "WAIT_SECONDS", 0.2)
    prefect = FakePrefect()
    prefect.worker = lambda run, reads: run.update(state={"type": "RUNNING", "message": None})
    with pytest.raises(WorkerRunFailed, match="has not ended in 0 s; it may still finish there"):
        prefect.hand()
    assert prefect.states == []  # neither crashed nor made twice


def test_a_lost_answer_to_the_creation_is_retried_with_the_same_key():
    prefect = FakePrefect()
    answers = iter([httpx.ConnectError("reset"), None])
    handle = prefect.handle

    def flaky(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("create_flow_run") and (error := next(answers)) is not None:
            handle(request)  # the server made the run, and the answer was lost
            raise error
        return handle(request)

    api = PrefectApi("http://prefect.test/api", transport=httpx.MockTransport(flaky), sleep=lambda seconds: None)
    create_run(api, "d-1", [Path("p")], Settings())
    assert len(prefect.keys) == 1  # both attempts asked for the same run (Prefect answers the first)


def test_a_busy_server_is_asked_again_and_a_lost_proposal_is_not():
    prefect = FakePrefect()
    prefect.failing = 4  # SQLite locked: "503 Service Unavailable" four times
    api = prefect.api()
    run_id = create_run(api, "d-1", [Path("p")], Settings())
    assert prefect.runs[run_id]["state"]["type"] == "SCHEDULED"

    def lost(request: httpx.Request) -> httpx.Response:
        prefect.handle(request)  # applied, and the answer lost
        raise httpx.ReadError("reset")

    proposals = PrefectApi("http://prefect.test/api", transport=httpx.MockTransport(lost), sleep=lambda s: None)
    with pytest.raises(httpx.ReadError):
        proposals.set_state(run_id, "PENDING", "taken back")
    assert prefect.states == [("PENDING", False)]  # once: a second try would be refused as the worker's


@pytest.fixture
def on_server(monkeypatch):
    monkeypatch.delenv("COVPIPE_TASK_RUNNER", raising=False)

    def serve(prefect: FakePrefect):
        monkeypatch.setattr(remote.PrefectApi, "from_env", classmethod(lambda cls: prefect.api()))
    return serve


def test_only_a_small_run_without_a_chosen_runner_goes_to_a_live_worker_of_this_code(on_server):
    settings = Settings(batch_size=64)
    on_server(FakePrefect())
    assert worker_for(settings, 1)[1] == "d-1"
    assert worker_for(settings, 64) is not None
    assert worker_for(settings, 65) is None  # faster on this machine's worker processes
    assert worker_for(settings, 0) is None
    assert worker_for(Settings(batch_size=64, task_runner="process"), 1) is None  # asked for
    assert worker_for(Settings(batch_size=64, task_runner="sequential"), 1) is None
    on_server(FakePrefect(deployment(polled_ago=30)))  # a poll's record lagging behind under load
    assert worker_for(settings, 1) is not None
    on_server(FakePrefect(deployment(polled_ago=70, status="NOT_READY")))  # killed: the server marked it
    assert worker_for(settings, 1) is None
    on_server(FakePrefect(deployment(polled_ago=remote.STALE_SECONDS + 5)))  # killed, on a server not marking it
    assert worker_for(settings, 1) is None
    older = remote.DEPLOYMENT_PREFIX + "0123456789ab-a1b2c3d4"
    on_server(FakePrefect(deployment(name=older)))  # a worker of older code
    assert worker_for(settings, 1) is None


def test_the_live_worker_polled_last_is_chosen(on_server):
    on_server(FakePrefect(deployment(polled_ago=70, status="NOT_READY", id="dead"),
                          deployment(name=remote.deployment_name("00000001"), polled_ago=3, id="older"),
                          deployment(name=remote.deployment_name("00000002"), polled_ago=0.2, id="latest")))
    assert worker_for(Settings(), 1)[1] == "latest"


def test_no_server_named_or_one_that_fails_means_no_worker(monkeypatch):
    monkeypatch.delenv("COVPIPE_TASK_RUNNER", raising=False)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    assert worker_for(Settings(), 1) is None
    broken = PrefectApi("http://prefect.test/api", transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    assert remote.worker_deployment(broken) is None


def test_the_code_version_changes_with_any_module_or_data_file_and_not_with_stray_files(tmp_path):
    version = remote.code_version.__wrapped__  # uncached
    for package in ("flows", "tasks", "schemas", "warehouse"):
        (tmp_path / package).mkdir()
    (tmp_path / "flows" / "ingest.py").write_text("x = 1\n")
    before = version(tmp_path)
    (tmp_path / "flows" / ".ingest.py.swp").write_bytes(b"editor state")
    (tmp_path / "warehouse" / "__pycache__").mkdir()
    (tmp_path / "warehouse" / "__pycache__" / "db.cpython-311.pyc").write_bytes(b"compiled")
    assert version(tmp_path) == before
    (tmp_path / "warehouse" / "migrations").mkdir()
    (tmp_path / "warehouse" / "migrations" / "009_new.sql").write_text("CREATE TABLE t (x INT);\n")
    assert version(tmp_path) != before
    assert remote.code_version() == version(ROOT)  # the cached one is this checkout's


def test_handing_a_run_to_the_worker_does_not_load_prefect():
    # the whole point: the CLI pays neither Prefect's import (about 5 s) nor the parser's
    code = """
import sys, httpx, flows.cli, flows.remote as r, warehouse.queries
from pathlib import Path
from schemas import Settings
def handle(request):
    if request.url.path.endswith('/deployments/filter'):
        return httpx.Response(200, json=[{'id': 'd', 'name': r.deployment_name('w1'), 'status': 'READY',
                                          'last_polled': '2999-01-01T00:00:00+00:00'}])
    if request.method == 'POST':
        return httpx.Response(201, json={'id': 'run-0'})
    return httpx.Response(200, json={'state': {'type': 'COMPLETED'}})
r.PrefectApi.from_env = classmethod(lambda cls: r.PrefectApi('http://t/api', transport=httpx.MockTransport(handle)))
api, deployment = r.worker_for(Settings(), 1)
assert r.wait_for_run(api, deployment, r.create_run(api, deployment, [Path('p')], Settings())) is r.Outcome.completed
print(sorted({'prefect', 'spacy', 'trafilatura'} & set(sys.modules)))
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                            env={k: v for k, v in __import__("os").environ.items() if not k.startswith("COVPIPE_")})
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




def test_a_starting_worker_deletes_only_the_deployments_of_killed_workers(monkeypatch):
    from types import SimpleNamespace

    from prefect.client import orchestration
    from prefect.client.schemas.objects import DeploymentStatus

    from flows import serve

    now = datetime.now(UTC)
    seen = [SimpleNamespace(id=name, name=name, status=status, last_polled=polled) for name, status, polled in [
        ("worker-0123456789ab-killed", DeploymentStatus.NOT_READY, now - timedelta(minutes=10)),
        ("worker-0123456789ab-starting", DeploymentStatus.NOT_READY, None),  # not polled yet
        ("worker-0123456789ab-missed-a-poll", DeploymentStatus.NOT_READY, now - timedelta(seconds=70)),
        ("worker-0123456789ab-alive", DeploymentStatus.READY, now),
        ("nightly", DeploymentStatus.NOT_READY, now - timedelta(days=3)),  # not a worker's
    ]]
    deleted = []

    class Client:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read_deployments(self, **filters):
            return seen

        def delete_deployment(self, deployment_id):
            deleted.append(deployment_id)

    monkeypatch.setattr(orchestration, "get_client", lambda sync_client: Client())
    serve.forget_dead_workers()
    assert deleted == ["worker-0123456789ab-killed"]


@pytest.mark.slow
def test_the_cli_makes_a_run_itself_when_the_worker_does_not_start_it(monkeypatch, tmp_path, seeds):
    from typer.testing import CliRunner

    from flows.cli import app
    from tests.conftest import query

    prefect = FakePrefect()  # a worker busy with another run: it never takes this one
    monkeypatch.setattr(remote, "worker_for", lambda settings, inputs: (prefect.api(), "d-1"))
    db = tmp_path / "w.duckdb"
    result = CliRunner().invoke(app, ["ingest", str(seeds), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "did not start the run" in result.output
    assert prefect.runs["run-0"]["state"]["type"] == "CANCELLED"
    assert query(db, "SELECT count(*), count(DISTINCT flow_run_id) FROM posts JOIN runs USING (run_id)") == [(2, 1)]
