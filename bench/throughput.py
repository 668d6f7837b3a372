"""Throughput, memory and Prefect's share: the library floor against `covpipe ingest` and `reprocess --all`.

On one corpus of N distinct posts (seeds, the French pages and the article-extraction
benchmark's English pages, each copy made distinct by an HTML comment or a trailing line):
(a) the floor: `tasks.parse.parse_batch` (trafilatura, spaCy, quote and entity rules) over
    batches in a plain `multiprocessing` pool with one worker per core, no Prefect, no warehouse;
(b) `covpipe ingest` into a fresh warehouse through the CLI, Prefect start-up included;
(c) `covpipe reprocess --all` on that warehouse.
For each: posts/s and the peak memory of the whole process tree, sampled every 0.2 s: RSS summed (pages
shared between processes, such as the model the workers are forked with, counted in each) and PSS
(each shared page split among its sharers: what the tree really holds). For (a)
the CPU seconds per stage; for (b) and (c) Prefect's share of wall time: the part of the
process's life outside the flow body (imports, the embedded API's start and stop).
Writes JSON (--json) and prints it. Run: `make bench` (N=2000) or `make bench N=10000`.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import psutil

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def build_corpus(shared: Path | None, folder: Path, n: int) -> int:
    """Write `n` distinct input files to `folder`, cycling through the real pages available."""
    pages = sorted(SEEDS.glob("*.txt"))
    if shared is not None and (shared / "data").is_dir():
        pages += sorted((shared / "data" / "fr-web-pages" / "html").glob("*.html"))
        pages += sorted((shared / "data" / "article-extraction-benchmark" / "html").glob("*.html.gz"))
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        page = pages[i % len(pages)]
        content = gzip.decompress(page.read_bytes()) if page.name.endswith(".gz") else page.read_bytes()
        html = page.name.endswith((".html", ".html.gz"))
        mark = f"\n<!-- copy {i} -->\n" if html else f"\nCopie {i}.\n"
        name = page.name.removesuffix(".gz")
        (folder / f"{i:05d}-{name}").write_bytes(content + mark.encode())
    return len(pages)


class TreeMemory:
    """Peak RSS of a process and all its descendants, sampled in a background thread, and the
    peak of each process (by role: the flow's process, Prefect's API, the parse workers)."""

    def __init__(self, pid: int, every: float = 0.2):
        self.root, self.every, self.peak, self.peak_pss = psutil.Process(pid), every, 0, 0
        self.peaks: dict[int, tuple[str, int]] = {}
        self.timeline: list[tuple[int, int, int]] = []  # (seconds, tree MB, root MB) every 10 s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        started = next_mark = time.monotonic()
        while not self._stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                sizes = {p.pid: _rss(p) for p in procs}
                self.peak = max(self.peak, sum(sizes.values()))
                self.peak_pss = max(self.peak_pss, sum(_pss(p) for p in procs))  # shared pages counted once
                for p in procs:
                    role, peak = self.peaks.get(p.pid) or (_role(p, self.root), 0)
                    self.peaks[p.pid] = role, max(peak, sizes[p.pid])
                if time.monotonic() >= next_mark:
                    next_mark += 10
                    self.timeline.append((round(time.monotonic() - started), sum(sizes.values()) // 2**20,
                                          sizes[self.root.pid] // 2**20))
            except psutil.NoSuchProcess:
                return
            self._stop.wait(self.every)

    def by_role(self) -> dict[str, int]:
        """The largest peak of any one process in each role, in MB."""
        roles: dict[str, int] = {}
        for role, peak in self.peaks.values():
            roles[role] = max(roles.get(role, 0), peak // 2**20)
        return roles


def _role(proc: psutil.Process, root: psutil.Process) -> str:
    if proc.pid == root.pid:
        return "main"
    try:
        command = " ".join(proc.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return "other"
    if "prefect" in command and ("uvicorn" in command or "server" in command):
        return "prefect_api"
    if "multiprocessing" in command or "spawn" in command:
        return "worker"
    return "other"


def _pss(proc: psutil.Process) -> int:
    """The process's proportional set size (its share of pages it shares with others, such as a
    model its forkserver loaded), or its RSS where the system does not tell."""
    try:
        return getattr(proc.memory_full_info(), "pss", 0) or proc.memory_info().rss
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0


def _rss(proc: psutil.Process) -> int:
    try:
        return proc.memory_info().rss
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0


# --- (a) the floor -----------------------------------------------------------------------------

def _floor_batch(paths: list[Path]) -> tuple[int, dict[str, float]]:
    """Parse one batch the way the flow's task does, timing each stage (CPU seconds)."""
    from schemas import RawDocument, Settings
    from tasks import parse
    from tasks.sources.acquire import acquire_file
    from tasks.names.nlp import load_nlp, parse_texts
    from tasks.version import parser_version

    settings = Settings()
    now = datetime.now(UTC)
    options, version = settings.parse, parser_version(settings.parse)
    times: dict[str, float] = {}

    def timed(stage, step):
        started = time.process_time()
        result = step()
        times[stage] = times.get(stage, 0.0) + time.process_time() - started
        return result

    raws = [r for r in timed("acquire", lambda: [acquire_file(p, now) for p in paths]) if isinstance(r, RawDocument)]
    outcomes = timed("clean_metadata_quotes", lambda: [
        parse._guarded(r, parse.Stage.CLEAN, lambda r=r: parse.prepare_post(r, options, now, version)) for r in raws])
    ready = [o.post for o in outcomes if o.post is not None]
    nlp = load_nlp(options.spacy_model)
    docs = timed("spacy", lambda: list(parse_texts(nlp, [p.body_text for p in ready])))
    posts = timed("entities_speakers", lambda: [parse.enrich_post(p, d) for p, d in zip(ready, docs, strict=True)])
    return len(posts), times


def _warm(_: int) -> None:
    from schemas import Settings
    from tasks.names.nlp import load_nlp

    load_nlp(Settings().parse.spacy_model)


def floor(folder: Path, workers: int, batch: int) -> dict:
    files = sorted(folder.iterdir())
    chunks = [files[i:i + batch] for i in range(0, len(files), batch)]
    with TreeMemory(os.getpid()) as memory, mp.get_context("spawn").Pool(workers) as pool:
        pool.map(_warm, range(workers), chunksize=1)  # model loading is start-up, as in the flow
        started = time.perf_counter()
        results = pool.map(_floor_batch, chunks, chunksize=1)
        seconds = time.perf_counter() - started
    posts = sum(n for n, _ in results)
    stages: dict[str, float] = {}
    for _, times in results:
        for stage, t in times.items():
            stages[stage] = round(stages.get(stage, 0.0) + t, 1)
    return {"posts": posts, "seconds": round(seconds, 1), "posts_per_s": round(posts / seconds, 2),
            "workers": workers, "cpu_seconds_per_stage": stages, "peak_rss_mb": memory.peak // 2**20,
            "peak_pss_mb": memory.peak_pss // 2**20,
            "peak_rss_mb_per_process": memory.by_role()}


# --- (b) and (c) the CLI -----------------------------------------------------------------------

def cli(*args: str) -> dict:
    """Run the covpipe CLI; wall time and the peak RSS of its process tree."""
    env = os.environ | {"PREFECT_LOGGING_LEVEL": "WARNING"}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "flows.cli", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with TreeMemory(proc.pid) as memory:
        _, stderr = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"covpipe {' '.join(args)} failed:\n{stderr.decode()[-3000:]}")
    return {"seconds": round(time.perf_counter() - started, 1), "peak_rss_mb": memory.peak // 2**20,
            "peak_pss_mb": memory.peak_pss // 2**20,
            "peak_rss_mb_per_process": memory.by_role(), "rss_mb_every_10_s": memory.timeline}


def last_run(db: Path) -> tuple[float, int]:
    """(seconds inside the last run's flow body, posts in the warehouse)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        (seconds,) = con.execute(
            "SELECT epoch(finished_at) - epoch(started_at) FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
        posts = con.execute("SELECT count(*) FROM posts").fetchone()[0]
    finally:
        con.close()
    return seconds, posts


def measured(run: dict, db: Path) -> dict:
    inside, posts = last_run(db)
    return run | {"posts": posts, "posts_per_s": round(posts / run["seconds"], 2),
                  "flow_body_seconds": round(inside, 1),
                  "prefect_share": round(max(0.0, run["seconds"] - inside) / run["seconds"], 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("-n", type=int, default=2000, help="posts in the corpus")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--runs", default="floor,ingest,reprocess",
                    help="which of floor, ingest, reprocess to run (reprocess needs ingest); comma-separated")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    runs = set(a.runs.split(","))
    if not runs <= {"floor", "ingest", "reprocess"} or "reprocess" in runs and "ingest" not in runs:
        ap.error("--runs: floor, ingest, reprocess (reprocess needs ingest)")
    shared = a.shared if a.shared.is_dir() else None
    with tempfile.TemporaryDirectory(prefix="covpipe-bench-") as tmp:
        work = Path(tmp)
        folder, db = work / "corpus", work / "bench.duckdb"
        distinct = build_corpus(shared, folder, a.n)
        figures: dict = {"n": a.n, "distinct_pages": distinct, "cores": os.cpu_count(), "shared": shared is not None}
        if "floor" in runs:
            figures["floor"] = floor(folder, a.workers, a.batch)
            print(json.dumps({"floor": figures["floor"]}), flush=True)
        if "ingest" in runs:
            figures["ingest"] = measured(cli("ingest", str(folder), "--db", str(db)), db)
            print(json.dumps({"ingest": figures["ingest"]}), flush=True)
        if "reprocess" in runs:
            figures["reprocess"] = measured(cli("reprocess", "--all", "--db", str(db)), db)
            figures["reprocess_vs_ingest"] = round(
                figures["reprocess"]["posts_per_s"] / figures["ingest"]["posts_per_s"], 3)
        if "floor" in runs and "ingest" in runs:
            figures["ingest_vs_floor"] = round(figures["ingest"]["posts_per_s"] / figures["floor"]["posts_per_s"], 3)
    emit(figures, a.json)


def emit(figures: dict, path: Path | None) -> None:
    """Print the figures as JSON, and write them to `path` when given."""
    text = json.dumps(figures, indent=1)
    print(text)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


if __name__ == "__main__":
    main()
