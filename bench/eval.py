"""`make eval`: ingest the seeds, the French pages and the article-extraction benchmark, then score them.

Runs the real ingest flow (one Prefect start for all three), then the scorers of
../shared/eval with this project's Python. Skips cleanly when ../shared is absent.
Prints the figures and writes them as JSON to the output folder.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

SETS = (
    # name, input folder, scorer arguments, figures required by the foundation issue
    ("seeds", "seeds", ["score_warehouse.py", "--gold", "gold/seeds"], {"body_accuracy": 1.0, "metadata_accuracy": 1.0}),
    ("fr-web", "data/fr-web-pages/html", ["score_warehouse.py", "--gold", "gold/fr-web"],
     {"body_accuracy": 0.97, "metadata_accuracy": 0.95}),
    ("article-extraction", "data/article-extraction-benchmark/html",
     ["score_bodies.py", "--truth", "data/article-extraction-benchmark/ground-truth.json"], {"f1": 0.958}),
)


def _figures(output: str) -> dict[str, float | None]:
    last = [line for line in output.splitlines() if "=" in line and " " in line][-1]
    figures = {}
    for key, value in re.findall(r"(\w+)=(\S+)", last):
        try:
            figures[key] = float(value)
        except ValueError:
            figures[key] = None
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--out", type=Path, help="folder for the warehouses and eval.json (default: a new temp folder)")
    parser.add_argument("--only", nargs="*", help="names of the sets to run")
    args = parser.parse_args()
    shared = args.shared.resolve()
    if not (shared / "eval").is_dir():
        print(f"eval skipped: {shared} is absent (shared data and scorers live there)")
        return 0
    for key, value in {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_SERVER_UI_ENABLED": "false",
                       "PREFECT_LOGGING_LEVEL": "WARNING"}.items():
        os.environ.setdefault(key, value)
    from flows.runners import run_flow, start_api
    from schemas import Settings

    start_api(Settings())  # before Prefect loads: the flow and its parse workers share one API
    from flows.ingest import ingest
    from warehouse.db import remove

    args.out = args.out or Path(tempfile.mkdtemp(prefix="covpipe-eval-"))
    args.out.mkdir(parents=True, exist_ok=True)
    results, short = {}, []
    for name, folder, scorer, required in SETS:
        if args.only and name not in args.only:
            continue
        source = Path(folder) if name == "seeds" else shared / folder
        if not source.exists():
            print(f"{name}: skipped, {source} is absent")
            continue
        db = args.out / f"{name}.duckdb"
        remove(db)  # the file and its raw documents
        report = run_flow(ingest, Settings(db=db), paths=[str(source)])
        command = [sys.executable, str(shared / "eval" / scorer[0]), "--db", str(db),
                   *[str(shared / a) if "/" in a else a for a in scorer[1:]]]
        scored = subprocess.run(command, capture_output=True, text=True, check=True)
        figures = _figures(scored.stdout)
        results[name] = {"figures": figures, "posts": report.posts_written, "failures": report.failures, "db": str(db)}
        verdict = []
        for key, minimum in required.items():
            ok = figures.get(key) is not None and figures[key] >= minimum
            verdict.append(f"{key}={figures.get(key)} ({'ok' if ok else 'below'} {minimum})")
            if not ok:
                short.append(f"{name}: {key}={figures.get(key)} < {minimum}")
        print(f"{name}: {report.posts_written} posts, {report.failures} failures; " + ", ".join(verdict))
        print("   " + " ".join(f"{k}={v}" for k, v in figures.items()))
    (args.out / "eval.json").write_text(json.dumps(results, indent=1))
    print(f"figures written to {args.out / 'eval.json'}")
    if short:
        print("below target: " + "; ".join(short))
    return 0


if __name__ == "__main__":
    sys.exit(main())
