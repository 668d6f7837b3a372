"""Where the parse tasks of a flow run: worker processes, a Dask cluster, or in-process.

Parsing is CPU-bound Python (trafilatura, spaCy), so threads would share one core: the
default is Prefect's `ProcessPoolTaskRunner` with one worker per core, each loading the
language model once. `dask` runs the same tasks through prefect-dask on a new local
cluster or on the scheduler at `Settings.dask_address`. `served` hands batches to a
long-lived `covpipe worker` through the Prefect server. Whatever the runner, the flow's
own process stays the single writer of the warehouse. This module must not parse or
touch the warehouse.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from schemas import Settings

if TYPE_CHECKING:  # Prefect loads when a runner is made: the CLI decides before paying for it
    from prefect import Flow
    from prefect.task_runners import TaskRunner

    from flows.remote import PrefectApi


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
        return ProcessPoolTaskRunner(max_workers=workers, initializer=load_model, initargs=(settings.parse.spacy_model,))
    return ThreadPoolTaskRunner(max_workers=1)


def for_inputs(settings: Settings, inputs: int) -> Settings:
    """The settings for a run of `inputs` documents: one batch or fewer goes to a `covpipe worker`
    listening on the Prefect server PREFECT_API_URL names (its model is loaded), else parses in
    this process, unless a runner was asked for (option or COVPIPE_TASK_RUNNER).

    A single batch cannot use a second worker, and a spawned worker pays again for the
    imports and the model (about 15 s on two cores) that this process loads while Prefect
    starts.
    """
    chosen = "task_runner" in settings.model_fields_set
    if not chosen and settings.task_runner == "process" and 0 < inputs <= settings.batch_size:
        return settings.model_copy(update={"task_runner": "served" if served_worker_ready() else "sequential"})
    return settings


SERVED_TASK_PREFIX = "parse_served-"  # Prefect's task key: function name, then a hash of its code


def served_worker_ready(api: PrefectApi | None = None) -> bool:
    """Whether a `covpipe worker` of this code listens on the Prefect server `api` reaches (by
    default the server and credentials the environment names: Prefect's settings may not be
    loaded yet).

    The first look needs no Prefect (a small run decides before importing it); only when some
    parse worker listens is the exact task key, which Prefect derives from the code, compared.
    """
    import httpx

    from flows.remote import PrefectApi

    own = api is None
    api = PrefectApi.from_env() if own else api
    if api is None:
        return False

    def listening(keys: list[str]) -> list[str]:
        answer = api.post("task_workers/filter", {"task_worker_filter": {"task_keys": keys}})
        return [key for worker in answer for key in worker["task_keys"]]

    try:
        if not any(key.startswith(SERVED_TASK_PREFIX) for key in listening([])):
            return False
        from flows.ingest import parse_served_task

        return parse_served_task.task_key in listening([parse_served_task.task_key])
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return False
    finally:
        if own:
            api.close()


def credentials(auth_string: str | None, key: str | None) -> dict[str, str]:
    """The Authorization header Prefect's client sends: basic auth of a self-hosted server's auth
    string (PREFECT_API_AUTH_STRING) first, else the API key (PREFECT_API_KEY)."""
    import base64

    if auth_string:
        return {"Authorization": "Basic " + base64.b64encode(auth_string.encode()).decode()}
    if key:
        return {"Authorization": f"Bearer {key}"}
    return {}


def in_flight(settings: Settings) -> int:
    """Batches submitted and not yet loaded: one per worker and one more ready when a worker frees
    up; none for the in-process runner, which parses each batch before the next is read."""
    return 0 if settings.task_runner == "sequential" else worker_count(settings) + 1


def in_process(settings: Settings) -> bool:
    """Whether parsing runs in this process (so the model is worth loading here)."""
    return settings.task_runner == "sequential" or settings.task_runner == "process" and worker_count(settings) == 1


@contextmanager
def api_shared_with_workers(settings: Settings) -> Iterator[None]:
    """Within: Prefect's embedded API started now and named in the settings that worker processes
    inherit, so they report to it instead of each starting an API of its own. Nothing to do when
    parsing runs in-process or PREFECT_API_URL already names a server."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if in_process(settings) or PREFECT_API_URL.value():
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the instance Prefect's own client starts when no URL is set
    server.start()
    os.environ["PREFECT_API_URL"] = server.api_url  # for processes that read the environment (Dask)
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield
    finally:
        del os.environ["PREFECT_API_URL"]


def run_flow(flow: Flow, settings: Settings, **parameters: Any) -> Any:
    """Call `flow` with `settings` on the task runner they ask for, its workers sharing the API."""
    with api_shared_with_workers(settings):
        return flow.with_options(task_runner=task_runner_for(settings))(settings=settings, **parameters)


def load_model(name: str) -> None:
    """Load the language model in a worker before its first batch (start-up, not per batch)."""
    from tasks.nlp import load_nlp

    load_nlp(name)
