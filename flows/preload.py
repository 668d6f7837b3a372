"""What the parse workers' forkserver imports before it forks any worker: Prefect, the parse
code and the language model (COVPIPE_PRELOAD_MODEL), loaded once while Prefect's API starts.

Imported only by that forkserver (`flows.runners.preload_workers`): every worker forked from
it starts with the model in memory instead of importing and loading it again (about 8 s each).
"""

import os

import prefect.task_engine  # noqa: F401 (what a worker runs each task with)

from tasks import parse  # noqa: F401
from tasks.names.nlp import load_nlp

load_nlp(os.environ["COVPIPE_PRELOAD_MODEL"])
