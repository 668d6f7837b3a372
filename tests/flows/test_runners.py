"""Which runner a run gets: small runs parse in-process, others keep what the settings ask."""

import subprocess
import sys

import httpx
import pytest

from flows import runners
from flows.remote import PrefectApi
from flows.runners import for_inputs, in_process
from schemas import Settings
from tests.conftest import ROOT


def test_a_run_of_one_batch_or_less_parses_in_this_process(monkeypatch):
    monkeypatch.delenv("COVPIPE_TASK_RUNNER", raising=False)  # the suite's own choice
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    settings = Settings(batch_size=64, workers=2)
    assert settings.task_runner == "process"

    assert in_process(for_inputs(settings, 1))
    assert in_process(for_inputs(settings, 64))
    assert for_inputs(settings, 65) == settings
    assert for_inputs(settings, 0) == settings  # nothing to parse: no model to load


def test_a_runner_asked_for_is_kept_whatever_the_run(monkeypatch):
    monkeypatch.delenv("COVPIPE_TASK_RUNNER", raising=False)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    asked = Settings(task_runner="process", batch_size=64, workers=2)
    assert not in_process(for_inputs(asked, 1))
    monkeypatch.setenv("COVPIPE_TASK_RUNNER", "process")
    assert not in_process(for_inputs(Settings(batch_size=64, workers=2), 1))
    dask = Settings(task_runner="dask", batch_size=64)
    assert for_inputs(dask, 1) == dask


def test_choosing_a_runner_does_not_load_prefect():
    # the CLI picks the runner and starts loading the model before it pays for Prefect's import
    code = "import sys, flows.runners, flows.cli; print('prefect' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_the_flows_process_does_not_load_the_parser_when_workers_parse():
    # spaCy's French tokenizer alone costs seconds and 100+ MB, trafilatura about a second of a
    # small run's start: only the process that parses pays
    code = ("import sys, flows.ingest, flows.reprocess, flows.poll;"
            " print(sorted({'spacy', 'trafilatura', 'tasks.parse'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def _task_workers(monkeypatch, keys: list[str], authorization: str | None = None) -> list[dict]:
    """Answer Prefect's /task_workers/filter as a server where one worker listens for `keys`
    (and which answers 401 without the `authorization` header, when one is required)."""
    asked = []

    def request(client, method, url, *, json):
        request = httpx.Request(method, client.base_url.join(url))
        if authorization and client.headers.get("Authorization") != authorization:
            return httpx.Response(401, request=request)
        asked.append(json["task_worker_filter"]["task_keys"])
        wanted = set(json["task_worker_filter"]["task_keys"])
        listening = [k for k in keys if not wanted or k in wanted]
        return httpx.Response(200, json=[{"identifier": "w1", "task_keys": listening}] if listening else [],
                              request=request)

    monkeypatch.setattr(httpx.Client, "request", request)
    return asked


@pytest.fixture
def on_server(monkeypatch) -> Settings:
    """Default settings, on a Prefect server named by PREFECT_API_URL."""
    monkeypatch.delenv("COVPIPE_TASK_RUNNER", raising=False)
    for variable in ("PREFECT_API_AUTH_STRING", "PREFECT_API_KEY"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:1/api")
    return Settings(batch_size=64, workers=2)


def test_a_small_run_goes_to_a_listening_worker_of_this_code(monkeypatch, on_server):
    from flows.ingest import parse_served_task

    _task_workers(monkeypatch, [parse_served_task.task_key])
    served = for_inputs(on_server, 1)
    assert served.task_runner == "served" and not in_process(served)
    assert for_inputs(on_server, 65) == on_server  # a large run keeps its worker processes


def test_a_worker_of_other_code_or_none_leaves_the_run_in_process(monkeypatch, on_server):
    asked = _task_workers(monkeypatch, [])
    assert for_inputs(on_server, 1).task_runner == "sequential"
    assert asked == [[]]  # one look, without the task key (no Prefect import for it)
    _task_workers(monkeypatch, [runners.SERVED_TASK_PREFIX + "0123abcd"])  # an older worker's code
    assert for_inputs(on_server, 1).task_runner == "sequential"
    monkeypatch.delenv("PREFECT_API_URL")
    assert for_inputs(on_server, 1).task_runner == "sequential"  # no server named: nothing to ask


@pytest.mark.parametrize("variable, header", [("PREFECT_API_AUTH_STRING", "Basic YWRtaW46cw=="),
                                              ("PREFECT_API_KEY", "Bearer admin:s")])
def test_the_worker_check_sends_the_credentials_prefect_would(monkeypatch, on_server, variable, header):
    from flows.ingest import parse_served_task

    _task_workers(monkeypatch, [parse_served_task.task_key], authorization=header)
    assert for_inputs(on_server, 1).task_runner == "sequential"  # refused without them
    monkeypatch.setenv(variable, "admin:s")
    assert for_inputs(on_server, 1).task_runner == "served"


def test_an_unreachable_server_leaves_the_run_in_process(monkeypatch, on_server):
    def refuse(client, method, url, **kwargs):
        raise httpx.ConnectError("refused", request=httpx.Request(method, client.base_url.join(url)))

    monkeypatch.setattr(httpx.Client, "request", refuse)
    monkeypatch.setattr(PrefectApi, "RETRIES", 0)  # asked once, not again after a back-off
    assert for_inputs(on_server, 1).task_runner == "sequential"


def test_a_served_worker_refuses_a_batch_of_another_parser():
    from datetime import UTC, datetime

    from flows.ingest import ParserMismatch, parse_served
    from schemas import ParseOptions
    from tasks.version import parser_version

    options, now = ParseOptions(), datetime(2026, 3, 1, tzinfo=UTC)
    assert parse_served([], known_events=(), options=options, now=now, version=parser_version(options)) == []
    with pytest.raises(ParserMismatch, match="restart `covpipe worker`"):
        parse_served([], known_events=(), options=options, now=now, version="another")


@pytest.mark.parametrize("failure", ["mismatch", "timeout", "crashed"])
def test_a_served_batch_that_fails_is_parsed_by_the_flow_and_so_are_the_next(monkeypatch, failure):
    from uuid import uuid4

    from prefect.exceptions import CrashedRun
    from prefect.futures import PrefectDistributedFuture

    import flows.ingest as ingest

    raised = {"mismatch": ingest.ParserMismatch("the parse worker runs parser a and this run b"),
              "timeout": TimeoutError(), "crashed": CrashedRun("worker killed")}[failure]

    def served_result(future):
        raise raised

    cancelled, forgotten, parsed = [], [], []
    monkeypatch.setattr(ingest, "_served_failed", False)
    monkeypatch.setattr(ingest, "_served_result", served_result)
    monkeypatch.setattr(ingest, "_cancel", cancelled.append)
    monkeypatch.setattr(ingest, "_forget", forgotten.append)
    monkeypatch.setattr(ingest, "parse_documents", lambda docs, **kw: parsed.append((docs, kw)) or ["outcome"])
    run_id = uuid4()
    job = ingest.ParseJob(PrefectDistributedFuture(task_run_id=run_id), ["doc"], {"version": "b"})
    assert job.result() == ["outcome"]
    assert parsed == [(["doc"], {"version": "b"})]
    assert cancelled == forgotten == [run_id]  # not parsed twice, nothing left in Prefect's storage

    submitted = []
    monkeypatch.setattr(ingest.parse_served_task, "delay", lambda *a, **k: submitted.append("served"))
    monkeypatch.setattr(ingest.parse_batch_task, "submit", lambda *a, **k: submitted.append("here"))
    ingest.submit_parse(Settings(task_runner="served"), ["doc"], version="b")
    assert submitted == ["here"]


def test_served_runs_and_the_worker_need_a_prefect_server(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from flows.cli import app

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    (tmp_path / "post.txt").write_text("Un billet.", "utf-8")
    worker = CliRunner().invoke(app, ["worker"])
    assert worker.exit_code == 2 and "PREFECT_API_URL" in worker.output
    served = CliRunner().invoke(app, ["ingest", str(tmp_path / "post.txt"), "--db", str(tmp_path / "w.duckdb"),
                                      "--task-runner", "served"])
    assert served.exit_code == 2 and "covpipe worker" in served.output
    assert not (tmp_path / "w.duckdb").exists()  # refused before any run
