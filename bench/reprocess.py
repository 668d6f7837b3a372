"""Idempotence and re-processing figures, with the real CLI (Prefect start-up included).

1. Ingest the seeds and the 40 French pages twice into one warehouse: the second run must
   write no row, and the scorers of ../shared/eval must give identical figures.
2. Build N distinct posts (default 1,000) from the same pages (each copy differs by an HTML
   comment or a trailing line, so content hashing keeps them apart), ingest them into a fresh
   warehouse, then `reprocess --all`: time and posts/s of each.
Writes the figures as JSON (--json) and prints them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

_TABLES = ("documents", "document_versions", "posts", "post_events", "entities", "mentions", "roles", "quotations",
           "failures")


def covpipe(*args: str) -> float:
    """Run the CLI; return its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "flows.cli", *args], check=False, capture_output=True,
                   env=os.environ | {"PREFECT_LOGGING_LEVEL": "WARNING"})
    return round(time.perf_counter() - started, 1)


def counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in _TABLES}
    finally:
        con.close()


def scores(db: Path, shared: Path) -> dict[str, dict]:
    out = {}
    for gold in ("seeds", "fr-web"):
        result = subprocess.run([sys.executable, str(shared / "eval" / "score_warehouse.py"), "--db", str(db),
                                 "--gold", str(shared / "gold" / gold), "--json"], capture_output=True, text=True)
        out[gold] = json.loads(result.stdout)["summary"]
    return out


def twice(shared: Path, seeds: Path, work: Path) -> dict:
    db = work / "twice.duckdb"
    pages = shared / "data" / "fr-web-pages" / "html"
    first = covpipe("ingest", str(seeds), str(pages), "--db", str(db))
    after_first, scored_first = counts(db), scores(db, shared)
    second = covpipe("ingest", str(seeds), str(pages), "--db", str(db))
    after_second, scored_second = counts(db), scores(db, shared)
    return {"first_seconds": first, "second_seconds": second, "rows_after_first": after_first,
            "new_rows_in_second": {t: after_second[t] - after_first[t] for t in _TABLES},
            "scores_identical": scored_first == scored_second, "scores": scored_second}


def corpus(shared: Path, seeds: Path, folder: Path, n: int) -> int:
    pages = sorted((shared / "data" / "fr-web-pages" / "html").glob("*.html")) + sorted(seeds.glob("*.txt"))
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        page = pages[i % len(pages)]
        mark = f"\n<!-- copy {i} -->\n" if page.suffix == ".html" else f"\nCopie {i}.\n"
        (folder / f"{i:05d}-{page.name}").write_bytes(page.read_bytes() + mark.encode())
    return n


def throughput(shared: Path, seeds: Path, work: Path, n: int) -> dict:
    folder, db = work / "corpus", work / "many.duckdb"
    corpus(shared, seeds, folder, n)
    ingest = covpipe("ingest", str(folder), "--db", str(db))
    posts = counts(db)["posts"]
    reprocess = covpipe("reprocess", "--all", "--db", str(db))
    return {"posts": posts, "ingest_seconds": ingest, "ingest_posts_per_s": round(posts / ingest, 1),
            "reprocess_all_seconds": reprocess, "reprocess_posts_per_s": round(posts / reprocess, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not (args.shared / "data" / "fr-web-pages").exists():
        print(f"skipped: {args.shared} has no fr-web-pages")
        return 0
    seeds = Path("seeds")
    with tempfile.TemporaryDirectory(prefix="covpipe-bench-") as tmp:
        work = Path(tmp)
        report = {"twice": twice(args.shared, seeds, work), "throughput": throughput(args.shared, seeds, work,
                                                                                      args.posts)}
    print(json.dumps(report, indent=1))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
