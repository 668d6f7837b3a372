"""Where the parse tasks of a flow run: worker processes, a Dask cluster, or in-process.

Parsing is CPU-bound Python (trafilatura, spaCy), so threads would share one core: the
default is Prefect's `ProcessPoolTaskRunner` with one worker per core. When the CLI runs the
flow, the workers are forked from a forkserver that loaded Prefect, the parse code and the
model while Prefect's API started (`preload_workers`, `flows.forked_pool`): the model is
loaded once per run instead of once per worker, and its pages are shared. `dask` runs the
same tasks through prefect-dask on a new local cluster or on the scheduler at
`Settings.dask_address`. Whatever the runner, the flow's own process stays the single
writer of the warehouse. This module must not parse or touch the warehouse.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import sys
from typing import TYPE_CHECKING, Any

from flows.prefect_server import PrefectServer, configured_api_url, launch_server, prefect_home
from schemas import Settings

if TYPE_CHECKING:  # Prefect loads when a runner is made: the CLI decides before paying for it
    from prefect import Flow
    from prefect.task_runners import TaskRunner


def worker_count(settings: Settings) -> int:
    """Parse workers of a run: the setting, or one per core this process may use."""
    if settings.workers:
        return settings.workers
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def task_runner_for(settings: Settings) -> TaskRunner:
    """The task runner the settings ask for."""
    from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

    workers = worker_count(settings)
    if settings.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True,
                                              "dashboard_address": None})
    if settings.task_runner == "process" and workers > 1:
        # workers stopped by Ctrl-C leave their queue's semaphores to multiprocessing's tracker,
        # which would warn at exit about what it then cleans up
        os.environ.setdefault("PYTHONWARNINGS", "ignore:resource_tracker:UserWarning")
        pool = ProcessPoolTaskRunner
        if _preloaded:
            from flows.forked_pool import ForkedProcessPoolTaskRunner as pool
        return pool(max_workers=workers, initializer=load_model, initargs=(settings.parse.spacy_model,))
    return ThreadPoolTaskRunner(max_workers=1)


def preload_workers(settings: Settings) -> None:
    """Before Prefect is imported, when the run's parse workers will be processes: start the
    forkserver they will be forked from, which imports Prefect and the parse code and loads the
    model (`flows.preload`) while Prefect's API starts. Each worker then starts with all of it
    in memory (shared with the others until written) instead of spending about 8 s on it."""
    if _preloaded or settings.task_runner != "process" or worker_count(settings) < 2 \
            or "forkserver" not in multiprocessing.get_all_start_methods():
        return
    os.environ["COVPIPE_PRELOAD_MODEL"] = settings.parse.spacy_model
    multiprocessing.set_forkserver_preload(["flows.preload"])
    from multiprocessing import forkserver

    forkserver.ensure_running()
    _preloaded.append(True)


_preloaded: list[bool] = []


def for_inputs(settings: Settings, inputs: int) -> Settings:
    """The settings for a run of `inputs` documents: one batch or fewer parses in this process,
    unless a runner was asked for (option or COVPIPE_TASK_RUNNER).

    A single batch cannot use a second worker, and a spawned worker pays again for the
    imports and the model (about 15 s on two cores) that this process loads while Prefect
    starts.
    """
    chosen = "task_runner" in settings.model_fields_set
    if not chosen and settings.task_runner == "process" and 0 < inputs <= settings.batch_size:
        return settings.model_copy(update={"task_runner": "sequential"})
    return settings


def in_flight(settings: Settings) -> int:
    """Batches submitted and not yet loaded: one per worker and one more ready when a worker frees
    up; none for the in-process runner, which parses each batch before the next is read."""
    return 0 if settings.task_runner == "sequential" else worker_count(settings) + 1


def in_process(settings: Settings) -> bool:
    """Whether parsing runs in this process (so the model is worth loading here)."""
    return settings.task_runner == "sequential" or settings.task_runner == "process" and worker_count(settings) == 1


def start_api(settings: Settings) -> PrefectServer | None:
    """When no Prefect API is configured: launch one for this process's runs (`prefect server start`
    without services, on Prefect's own database: what its embedded API is), name it in
    PREFECT_API_URL, and stop it at exit. Once per process; `run_flow` waits until it answers.

    Call it before Prefect is imported. Prefect reads its settings once, so every part of it (the
    flow, the parse workers it spawns, its background threads) reports to that one API instead
    of each starting an embedded one; the server starts while Prefect and the model load; and
    it runs in a session of its own, so Ctrl-C in the terminal reaches the run, which then
    still has its API to record that it stopped (Prefect's embedded API would die with it).
    A remote Dask cluster's workers need an API they can reach: the user names it. When Prefect
    is imported already (a program that calls the flows itself), it has read its settings, and
    runs on its embedded API as it chose."""
    if _launched:
        return _launched[0]
    if settings.dask_address or configured_api_url() or "prefect" in sys.modules:
        return None
    server = launch_server(prefect_home(), ui=False, services=False, own_database=False)
    atexit.register(server.stop)  # before Prefect registers its workers: it runs after they drain
    os.environ["PREFECT_API_URL"] = server.api_url
    _launched.append(server)
    return server


_launched: list[PrefectServer] = []


def api_ready(settings: Settings) -> None:
    """Wait until the API `start_api` launched answers (nothing to wait for when none was)."""
    if (server := start_api(settings)) is not None:
        server.wait_ready()


def run_flow(flow: Flow, settings: Settings, **parameters: Any) -> Any:
    """Call `flow` with `settings` on the task runner they ask for, on the API `start_api` gives."""
    api_ready(settings)
    return flow.with_options(task_runner=task_runner_for(settings))(settings=settings, **parameters)


def load_model(name: str) -> None:
    """Start a parse worker: Ctrl-C left to the flow's process (which stops its workers), and the
    language model loaded before the first batch (start-up, not per batch)."""
    from flows.interrupts import ignore_ctrl_c
    from tasks.names.nlp import load_nlp

    ignore_ctrl_c()
    load_nlp(name)
