"""`covpipe serve`: each source of sources.toml as a Prefect deployment on its cron schedule.

Prefect's embedded API runs no schedules, so serving needs a real server: the one Prefect's
settings name (PREFECT_API_URL), or one this module starts as `prefect server start` would
(Prefect's home and database, port 4200 unless PREFECT_SERVER_API_PORT says otherwise, the
UI on, telemetry off) and stops on exit. Wiring only: the runs themselves are the `poll`
flow, one source each, executed by Prefect's runner in subprocesses, one at a time
(DuckDB allows one writer).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from flows.prefect_server import PrefectServer, start_server
from schemas import SourcesConfig

log = logging.getLogger(__name__)


@contextlib.contextmanager
def prefect_api(home: Path, *, ui: bool = True, port: int | None = None) -> Iterator[tuple[str, PrefectServer | None]]:
    """The Prefect API to serve on: the configured one, else a server started here on `port`, with
    Prefect's database under `home` (stopped on exit)."""
    from prefect.settings import (
        PREFECT_API_URL,
        get_current_settings,
        temporary_settings,
    )

    configured = get_current_settings().api.url
    if configured:
        yield configured, None
        return
    server = start_server(home, ui=ui, port=port, own_database=False)
    try:
        os.environ["PREFECT_API_URL"] = server.api_url  # the runner's subprocesses inherit it
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield server.api_url, server
    finally:
        server.stop()


def deployments(config: SourcesConfig, sources_file: Path, db: Path) -> list:
    """One deployment of the poll flow per source, on the source's cron schedule (manual runs only without one)."""
    from prefect.deployments.runner import EntrypointType

    from flows.poll import poll

    return [
        poll.to_deployment(
            name=source.name, cron=source.schedule, entrypoint_type=EntrypointType.MODULE_PATH,
            parameters={"sources": [source.name], "sources_file": str(sources_file.resolve()), "db": str(db.resolve())},
            description=f"Poll {source.kind} source {source.name!r} ({source.url or source.path})",
            tags=["covpipe", source.kind],
        )
        for source in config.sources.values()
    ]


def serve_sources(config: SourcesConfig, sources_file: Path, db: Path) -> None:
    """Serve every source's deployment until interrupted; runs go one at a time (one DuckDB writer)."""
    from prefect import serve

    serve(*deployments(config, sources_file, db), limit=1, print_starting_message=False)
