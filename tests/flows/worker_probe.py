"""A task that tells which process ran it, for tests of the parse workers."""

import os
import sys

from prefect import task


@task
def probe() -> tuple[int, bool]:
    """The worker's parent process, and whether the language model's package is in memory."""
    return os.getppid(), any(name.startswith("fr_core_news") for name in sys.modules)
