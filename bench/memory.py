"""Memory against corpus size: the peak memory of `covpipe ingest` at 1,000 and 10,000 posts.

For each size, a fresh corpus (built as in `bench.throughput`) goes into a fresh warehouse
through the CLI; the bench samples the process tree every 0.2 s and reports the peak PSS of
the tree (pages shared between processes, such as the model the parse workers are forked
with, counted once), its peak RSS summed (counted in each process), the peak of each process
by role, and the tree's RSS every 10 s. Flat means the largest corpus peaks (PSS) at no more
than 1.1 x the smallest, and under 2.5 GB. Run: `make bench-memory` (about half an hour on 2
cores for the default sizes).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from bench.throughput import build_corpus, cli, emit, measured

LIMIT_MB = 2.5 * 1024
FLAT = 1.1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    if len(set(a.sizes)) < 2:
        ap.error("--sizes: at least two distinct sizes, to compare")
    shared = a.shared if a.shared.is_dir() else None
    figures: dict = {"sizes": {}}
    for n in sorted(set(a.sizes)):
        with tempfile.TemporaryDirectory(prefix="covpipe-memory-") as tmp:
            folder, db = Path(tmp) / "corpus", Path(tmp) / "bench.duckdb"
            build_corpus(shared, folder, n)
            figures["sizes"][n] = measured(cli("ingest", str(folder), "--db", str(db)), db)
            print(json.dumps({n: figures["sizes"][n]["peak_rss_mb_per_process"]
                              | {"tree": figures["sizes"][n]["peak_rss_mb"],
                                 "tree_pss": figures["sizes"][n]["peak_pss_mb"]}}), flush=True)
    peaks = [figures["sizes"][n]["peak_pss_mb"] for n in sorted(figures["sizes"])]
    figures["peak_ratio_largest_to_smallest"] = round(peaks[-1] / peaks[0], 3)
    figures["flat"] = peaks[-1] <= FLAT * peaks[0] and max(peaks) < LIMIT_MB
    emit(figures, a.json)


if __name__ == "__main__":
    main()
