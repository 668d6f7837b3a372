"""Readers during a long ingest: how long `covpipe status` and `covpipe sql` take to answer
while `covpipe ingest` of N posts runs (issue 18: within 15 s).

A fresh corpus (as `bench.throughput` builds it) goes into a fresh warehouse; once the run
has started, `status` and a `sql` count are run one after the other, every `--every`
seconds, until the ingest ends. Each answer's wall time and exit code are reported, with
the ingest's own wall time. Run: `PYTHONPATH=. .venv/bin/python -m bench.readers -n 2000`
(2,000 posts take about 7 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.throughput import build_corpus, emit


def _timed(*args: str) -> tuple[float, int, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True,
                          env=os.environ | {"PREFECT_LOGGING_LEVEL": "WARNING"})
    last = (done.stdout.strip() or done.stderr.strip()).splitlines()[-1:] or [""]
    return round(time.perf_counter() - started, 2), done.returncode, last[0][:120]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("-n", type=int, default=2000)
    ap.add_argument("--every", type=float, default=20.0)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    shared = a.shared if a.shared.is_dir() else None
    with tempfile.TemporaryDirectory(prefix="covpipe-readers-") as tmp:
        folder, db = Path(tmp) / "corpus", Path(tmp) / "bench.duckdb"
        build_corpus(shared, folder, a.n)
        started = time.perf_counter()
        ingest = subprocess.Popen([sys.executable, "-m", "flows.cli", "ingest", str(folder), "--db", str(db)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env=os.environ | {"PREFECT_LOGGING_LEVEL": "WARNING"})
        answers: list[dict] = []
        while ingest.poll() is None:
            time.sleep(a.every)
            if ingest.poll() is not None or not db.exists():
                continue
            for name, args in (("status", ("status", "--db", str(db))),
                               ("sql", ("sql", "SELECT count(*) FROM posts", "--db", str(db)))):
                seconds, code, last = _timed(*args)
                answers.append({"at": round(time.perf_counter() - started), "command": name, "seconds": seconds,
                                "exit": code, "last_line": last})
                print(answers[-1], flush=True)
        ingest_seconds = round(time.perf_counter() - started, 1)
    times = [x["seconds"] for x in answers if x["exit"] == 0]
    emit({"posts": a.n, "ingest_seconds": ingest_seconds, "ingest_exit": ingest.returncode,
          "answers": len(answers), "answered": len(times), "refused": len(answers) - len(times),
          "median_seconds": statistics.median(times) if times else None, "max_seconds": max(times, default=None),
          "samples": answers}, a.json)


if __name__ == "__main__":
    main()
