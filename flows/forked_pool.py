"""Prefect's process pool task runner, with its workers forked from the forkserver
`flows.runners.preload_workers` started (Prefect, the parse code and the model already loaded)
instead of spawned bare.

Prefect's `ProcessPoolTaskRunner` asks `multiprocessing` for the "spawn" context when it
enters; this runner lets it build everything as it does (its worker initialiser, the queue
that forwards the workers' logs and events, the executor) and only answers that one call with
the "forkserver" context. Everything else is Prefect's own.
"""

from __future__ import annotations

import multiprocessing
from types import SimpleNamespace

import prefect.task_runners as prefect_runners
from prefect.task_runners import ProcessPoolTaskRunner


class ForkedProcessPoolTaskRunner(ProcessPoolTaskRunner):
    """`ProcessPoolTaskRunner` whose workers are forked from the preloaded forkserver."""

    def __enter__(self) -> ForkedProcessPoolTaskRunner:
        spawn = prefect_runners.multiprocessing
        prefect_runners.multiprocessing = SimpleNamespace(
            get_context=lambda method=None: multiprocessing.get_context("forkserver"))
        try:
            return super().__enter__()
        finally:
            prefect_runners.multiprocessing = spawn
