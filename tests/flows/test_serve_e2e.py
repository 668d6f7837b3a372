"""End to end: `covpipe serve` against a real Prefect server; a deployment run goes to Completed.

The test starts `prefect server start` on a free loopback port (its own PREFECT_HOME), then
`covpipe serve` in a subprocess pointed at it, waits for the deployments, checks that the
cron schedule produced scheduled runs, triggers a run and waits for its final state.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.prefect_server import start_server
from tests.conftest import ROOT, SEEDS, query

pytestmark = pytest.mark.slow


@pytest.fixture
def served(tmp_path: Path):
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(sorted(SEEDS.glob("*.txt"))[1], pages)  # the #IAParis post
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[sources.archives]\nkind = "folder"\npath = "{pages}"\nevent = "VivaTech"\n'
                       'schedule = "* * * * *"\n', "utf-8")
    db = tmp_path / "w.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "COVPIPE_"))}
    env.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_LOGGING_LEVEL="INFO",
               PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="2")
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env, PREFECT_HOME=str(tmp_path / "server-home"))
    try:
        server = start_server(tmp_path / "server-home", ui=False)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    log = (tmp_path / "serve.log").open("wb")
    serving = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "serve", "--sources", str(sources), "--db", str(db)],
        env=env | {"PREFECT_API_URL": server.api_url, "PREFECT_HOME": str(tmp_path / "serve-home"),
                   "PREFECT_RUNNER_POLL_FREQUENCY": "2"},
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        yield server, db, tmp_path / "serve.log"
    finally:
        if serving.poll() is None:
            os.killpg(serving.pid, signal.SIGINT)
            try:
                serving.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(serving.pid, signal.SIGKILL)
                serving.wait(5)
        log.close()
        server.stop()


def test_serve_runs_a_source_on_its_schedule_and_on_demand(served):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterName,
        FlowRunFilter,
        FlowRunFilterDeploymentId,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    server, db, log = served
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        deployment = None
        deadline = time.monotonic() + 120
        with get_client(sync_client=True) as client:
            while deployment is None and time.monotonic() < deadline:
                found = client.read_deployments(deployment_filter=DeploymentFilter(
                    name=DeploymentFilterName(any_=["archives"])))
                deployment = found[0] if found else None
                time.sleep(1)
            assert deployment is not None, log.read_text(errors="replace")[-3000:]
            assert [s.schedule.cron for s in deployment.schedules] == ["* * * * *"]
            assert deployment.parameters["sources"] == ["archives"]
            # The server's scheduler turns the cron into scheduled runs.
            scheduled = []
            while not scheduled and time.monotonic() < deadline:
                scheduled = [r for r in client.read_flow_runs(limit=20) if r.deployment_id == deployment.id
                             and r.state and r.state.is_scheduled()]
                time.sleep(1)
            assert scheduled
        run = run_deployment(name="poll/archives", timeout=240, poll_interval=2)
        assert run.state.is_completed(), (run.state, log.read_text(errors="replace")[-3000:])
        # and the cron itself starts runs: one scheduled run goes to completion within its minute
        ticked = None
        with get_client(sync_client=True) as client:
            deadline = time.monotonic() + 150
            while ticked is None and time.monotonic() < deadline:
                completed = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                    deployment_id=FlowRunFilterDeploymentId(any_=[deployment.id]),
                    state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.COMPLETED]))))
                ticked = next((r for r in completed if r.id != run.id), None)
                time.sleep(2)
        assert ticked is not None, log.read_text(errors="replace")[-3000:]
    assert query(db, "SELECT count(*) FROM posts") == [(1,)]
    runs = query(db, "SELECT flow_run_id, flow_name, status FROM runs")
    assert {(str(run.id), "poll", "completed"), (str(ticked.id), "poll", "completed")} <= set(runs)
    assert {status for _, _, status in runs} == {"completed"}
    assert query(db, "SELECT e.name, pe.evidence FROM post_events pe JOIN events e USING (event_id) ORDER BY 1") == [
        ("IAParis", "hashtag"), ("VivaTech", "declared")]
