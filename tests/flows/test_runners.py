"""Which runner a run gets: small runs parse in-process, others keep what the settings ask."""

import subprocess
import sys

import pytest

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


def test_a_taken_port_is_one_line_that_names_it(tmp_path):
    import socket

    from flows.prefect_server import ServerError, launch_server

    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen(1)
        port = held.getsockname()[1]
        with pytest.raises(ServerError, match=f"port {port} on 127.0.0.1 is taken"):
            launch_server(tmp_path, port=port)
