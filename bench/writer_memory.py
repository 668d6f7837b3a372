"""The warehouse writer's memory against corpus size, parsing left out (minutes, not the hour of `bench.memory`).

Parses `--pages` distinct pages once in a child process (the corpus of `bench.throughput`; the
model stays there), then loads `-n` posts
through the calls the ingest flow makes for each batch (`store_documents`, `store_hints`,
`current_posts`, `load_posts`), each post and document made distinct by a copy number. A
thread samples this process's RSS every 5 ms; the bench reports the peak, the RSS after every
`--every` posts, and the largest rise within one call, with the call and the post count. Flat
means the peak after `n` posts stays near the peak after the first thousand: the warehouse
holds no per-post memory in the writer. Run: `make bench-writer` (WRITER_N=10000).
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import psutil

from bench.throughput import build_corpus, emit


class Sampler:
    """This process's RSS in MB: the peak since `reset()`, sampled in a background thread."""

    def __init__(self, every: float = 0.005):
        self.process, self.every, self._lock = psutil.Process(), every, threading.Lock()
        self.reset()
        threading.Thread(target=self._run, daemon=True).start()

    def now(self) -> int:
        return self.process.memory_info().rss // 2**20

    def reset(self) -> None:
        with self._lock:  # not between the thread's reading and its update: that would keep an old peak
            self.base = self.peak = self.now()

    def _run(self) -> None:
        while True:
            with self._lock:
                self.peak = max(self.peak, self.now())
            time.sleep(self.every)


def parsed_pages(shared: Path | None, pages: int, work: Path) -> tuple[list, list]:
    from schemas import RawDocument, Settings
    from tasks.sources.acquire import acquire_file
    from tasks.parse import parse_batch
    from tasks.version import parser_version

    folder = work / "corpus"
    build_corpus(shared, folder, pages)
    settings, now = Settings(), datetime.now(UTC)
    raws = [r for r in (acquire_file(p, now) for p in sorted(folder.iterdir())) if isinstance(r, RawDocument)]
    outcomes = parse_batch(raws, options=settings.parse, now=now,
                           version=parser_version(settings.parse))
    return raws, outcomes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("-n", type=int, default=10_000, help="posts to load (at least one batch)")
    ap.add_argument("--pages", type=int, default=256, help="distinct pages parsed once and copied")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--every", type=int, default=1000, help="report the RSS after every so many posts")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    if a.n < a.batch:
        ap.error(f"-n: at least one batch ({a.batch} posts)")

    from warehouse import connect
    from warehouse import load as wh
    from warehouse.sources import store_hints

    shared = a.shared if a.shared.is_dir() else None
    with tempfile.TemporaryDirectory(prefix="covpipe-writer-") as tmp:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            raws, outcomes = pool.submit(parsed_pages, shared, a.pages, Path(tmp)).result()
        con = connect(Path(tmp) / "writer.duckdb")
        sampler, now, started = Sampler(), datetime.now(UTC), time.perf_counter()
        start_rss = sampler.now()
        jump, by_posts, peak = (0, "", 0), {}, start_rss
        for first in range(0, a.n, a.batch):
            docs, posts = [], []
            for i in range(first, min(a.n, first + a.batch)):
                raw, outcome = raws[i % len(raws)], outcomes[i % len(outcomes)]
                content = raw.content + f"\n<!-- copy {i} -->\n".encode()
                doc_id, uri = hashlib.sha256(content).hexdigest(), f"file:///writer-bench/{i:06d}"
                docs.append(raw.model_copy(update={"doc_id": doc_id, "source_uri": uri, "content": content}))
                if outcome.post is not None:
                    posts.append(outcome.post.model_copy(update={
                        "doc_id": doc_id, "source_uri": uri, "post_id": hashlib.sha256(uri.encode()).hexdigest()[:16]}))
            for call, step in (("store_documents", lambda: wh.store_documents(con, docs, "bench", now)),
                               ("store_hints", lambda: store_hints(con, docs, "bench", now)),
                               ("current_posts", lambda: wh.current_posts(con, [d.source_uri for d in docs])),
                               ("load_posts", lambda: wh.load_posts(con, posts, "bench", now))):
                sampler.reset()
                step()
                if sampler.peak - sampler.base > jump[0]:
                    jump = (sampler.peak - sampler.base, call, first + len(docs))
                peak = max(peak, sampler.peak)
            loaded = first + len(docs)
            if loaded % a.every < a.batch or loaded == a.n:
                by_posts[loaded] = {"rss_mb": sampler.now(), "peak_mb": peak}
        seconds = time.perf_counter() - started
        con.close()
    first_mark = min(by_posts)
    figures = {
        "posts": a.n, "distinct_pages": len(raws), "seconds": round(seconds, 1),
        "rss_mb_before_loading": start_rss, "peak_rss_mb": peak, "by_posts": by_posts,
        "largest_rise_mb": {"mb": jump[0], "call": jump[1], "after_posts": jump[2]},
        "peak_ratio_to_first_mark": round(peak / by_posts[first_mark]["peak_mb"], 3),
    }
    emit(figures, a.json)


if __name__ == "__main__":
    main()
