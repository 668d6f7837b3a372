"""Cold start: `covpipe ingest` of one small file, from the command to the flow run's start and end.

Each setting runs the CLI `--repeat` times on a fresh warehouse and reports the median of:
- `flow_started_s`: from the command to Prefect's "Beginning flow run" (the run exists on
  the API and its body starts);
- `flow_finished_s`: to the flow run's final state (the file is parsed and loaded);
- `exit_s`: to the process's exit (Prefect's shutdown included).

Settings: `embedded` (no server: Prefect starts its embedded API in the CLI's process) and
`server` (a `prefect server start` on loopback, started once here and named by
PREFECT_API_URL); the CLI parses in its own process either way.
Run: `make bench-coldstart`.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench.throughput import emit

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
_LOG = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) \| \w+ +\| Flow run '[^']+' - (.*)$")


def _seconds_of_day(match: re.Match) -> float:
    hours, minutes, seconds, millis = (int(g) for g in match.groups()[:4])
    return hours * 3600 + minutes * 60 + seconds + millis / 1000


def one_run(path: Path, db: Path, env: dict[str, str]) -> dict[str, float]:
    """Time one `covpipe ingest PATH` from its start to its flow run's start and end and to its exit."""
    now = datetime.now()
    started_of_day = now.hour * 3600 + now.minute * 60 + now.second + now.microsecond / 1e6
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "flows.cli", "ingest", str(path), "--db", str(db)],
                          env=env, capture_output=True, text=True, cwd=SEEDS.parent)
    exit_s = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"covpipe ingest failed:\n{proc.stderr[-3000:]}")
    marks = {}
    for line in (proc.stdout + proc.stderr).splitlines():
        match = _LOG.match(line.strip())
        if not match:
            continue
        message = match[5]
        at = (_seconds_of_day(match) - started_of_day) % 86400
        if message.startswith("Beginning flow run"):
            marks["flow_started_s"] = at
        elif message.startswith("Finished in state"):
            marks["flow_finished_s"] = at
    if len(marks) != 2:
        raise SystemExit(f"no flow-run log lines in the output:\n{proc.stderr[-3000:]}")
    return marks | {"exit_s": exit_s}


def setting(runs: int, path: Path, env: dict[str, str], work: Path, name: str) -> dict:
    """Median and all runs of one setting."""
    timings = [one_run(path, work / f"{name}-{i}.duckdb", env) for i in range(runs)]
    median = {key: round(statistics.median(t[key] for t in timings), 1) for key in timings[0]}
    return median | {"runs": [{k: round(v, 1) for k, v in t.items()} for t in timings]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--file", type=Path, default=min(SEEDS.glob("*.txt")))
    ap.add_argument("--settings", default="embedded,server", help="embedded, server; comma-separated")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    wanted = a.settings.split(",")
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"} | {
        "PREFECT_LOGGING_LEVEL": "INFO", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false", "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "60"}
    figures: dict = {"file": a.file.name, "bytes": a.file.stat().st_size, "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="covpipe-coldstart-") as tmp:
        work = Path(tmp)
        if "embedded" in wanted:
            figures["embedded"] = setting(a.repeat, a.file, env, work, "embedded")
        if "server" in wanted:
            from flows.prefect_server import start_server

            server = start_server(work / "prefect-server", ui=False)
            try:
                figures["server"] = setting(a.repeat, a.file, env | {"PREFECT_API_URL": server.api_url}, work, "server")
            finally:
                server.stop()
    emit(figures, a.json)


if __name__ == "__main__":
    main()
