"""Pathological inputs at full size: what each costs, and what becomes of it.

Each case runs in a fresh process, which reports its outcome, its wall time and its peak RSS
(the parse cases include loading the language model, about 500 MB):
  bomb        a .html.gz that inflates to 2 GiB of zeros, acquired from a file
  huge_page   a page of 100,000 quoted paragraphs (5.8 MB), parsed in one batch with a seed
  huge_dump   the same paragraphs as a text dump
  budget_page the largest page of that kind under the parse budget (9,000 paragraphs)
  marks       a text dump of 11,000 paragraphs of unbalanced and nested quote marks (under the budget)
Targets (issue 18): the bomb refused in seconds under 300 MB; the 100,000-paragraph page in
at most 30 s or refused with a reason while the seed of its batch loads.
Run: `PYTHONPATH=. .venv/bin/python -m bench.pathological [--json FILE]` (about 2 minutes).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path

CASES = ("bomb", "huge_page", "huge_dump", "budget_page", "marks")
SEED = Path(__file__).resolve().parent.parent / "seeds" / "002_535313587524418b.txt"


def _paragraphs(count: int) -> list[str]:
    return [f"« Nous irons au bout {i} », dit Anne Roy à Paris." for i in range(count)]


def _page(count: int) -> bytes:
    return ("<html><body><article><h1>Titre</h1>" + "".join(f"<p>{p}</p>" for p in _paragraphs(count))
            + "</article></body></html>").encode()


def _marks(count: int) -> bytes:
    rng = random.Random(7)
    marks = ["«", "»", "“", "”", '"', "‘", "’", "‹", "›"]
    words = ["Anne", "Roy", "dit", "que", "le", "salon", "explique", "à", "Paris"]
    return ("Titre\n\n" + "\n\n".join(" ".join(rng.choice(marks + words) for _ in range(12))
                                       for _ in range(count))).encode()


def _bomb(folder: Path) -> Path:
    path = folder / "bomb.html.gz"
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * 2**26
    with path.open("wb") as out:
        for _ in range(32):  # 32 x 64 MiB = 2 GiB inflated
            out.write(packer.compress(block))
        out.write(packer.flush())
    return path


def run_case(case: str, folder: Path) -> dict:
    """One case in this process: its outcome (the failure's reason, or what was parsed)."""
    from schemas import ParseOptions
    from tasks.sources.acquire import acquire_bytes, acquire_file
    from tasks.parse import parse_batch

    now = datetime.now(UTC)
    if case == "bomb":
        got = acquire_file(folder / "bomb.html.gz", now)
        return {"outcome": getattr(got, "reason", None) or f"stored {len(got.content):,} bytes"}
    content, name = {"huge_page": (lambda: _page(100_000), "huge.html"),
                     "huge_dump": (lambda: "\n\n".join(_paragraphs(100_000)).encode(), "huge.txt"),
                     "budget_page": (lambda: _page(9_000), "budget.html"),
                     "marks": (lambda: _marks(11_000), "marks.txt")}[case]
    raws = [acquire_bytes(content(), f"/bench/{name}", now, name=name),
            acquire_bytes(SEED.read_bytes(), "/bench/seed.txt", now, name="seed.txt")]
    outcomes = parse_batch(raws, options=ParseOptions(), now=now, version="bench")
    return {"outcome": [o.failure.reason if o.failure else f"post: {len(o.post.quotes)} quotes, "
                        f"{len(o.post.entities)} entities" for o in outcomes]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--case", choices=CASES, help=argparse.SUPPRESS)  # a child process runs one case
    ap.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    if a.case:
        started = time.perf_counter()
        figures = run_case(a.case, a.folder)
        figures |= {"seconds": round(time.perf_counter() - started, 2),
                    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
        print(json.dumps(figures, ensure_ascii=False))
        return
    results = {}
    with tempfile.TemporaryDirectory(prefix="covpipe-pathological-") as tmp:
        _bomb(Path(tmp))
        for case in CASES:
            done = subprocess.run([sys.executable, "-m", "bench.pathological", "--case", case, "--folder", tmp],
                                  capture_output=True, text=True, check=True)
            results[case] = json.loads(done.stdout.strip().splitlines()[-1])
            print(case, json.dumps(results[case], ensure_ascii=False), flush=True)
    if a.json:
        a.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), "utf-8")


if __name__ == "__main__":
    main()
