"""`python -m bench.stories`: copies grouped into stories, and the time to group 10,000 posts.

1. Grouping: the seeds and the 40 fr-web pages (bodies read by trafilatura) each with three
   near-copies: its chrome changed (a breadcrumb, share buttons and a "read also" line
   around it), a byline added, its longest paragraph cut. Every copy must join its page's
   story, and no two pages one story.
2. Scale: N posts (default 10,000) of 450 words drawn from those pages' words as often as
   they use them, one in ten a near-copy of an earlier post; the time `assign_stories`
   takes (target <= 30 s) and the stories found (N less the copies, when all are found).
Prints the figures and writes them as JSON (--json).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.retag import texts
from schemas import Post
from warehouse import connect
from warehouse import load as wh
from warehouse.stories import assign_stories


def near_copies(body: str) -> list[str]:
    """The page with its chrome changed, with a byline added, with its longest paragraph cut."""
    paragraphs = body.split("\n")
    longest = max(range(len(paragraphs)), key=lambda i: len(paragraphs[i]))
    cut = "\n".join(paragraphs[:longest] + paragraphs[longest + 1:]) if len(paragraphs) > 2 else body[: len(body) * 2 // 3]
    return ["Accueil > Actualités > Économie\nPartager sur Facebook Partager sur X\n" + body
            + "\nLire aussi : les autres articles de la rubrique\nRecevez notre newsletter",
            "Par Jeanne Martin, avec AFP\nPublié le 3 mars 2025 à 10h12\n" + body, cut]


def post(i: int, body: str, day: int, site: str = "site") -> Post:
    return Post(post_id=f"p{i:06d}", doc_id=f"{i:064x}", source_uri=f"https://{site}{i % 7}.example/{i}",
                url=f"https://{site}{i % 7}.example/{i}", title=body.split("\n")[0][:100], body_text=body,
                published_at=date(2025, 1, 1) + timedelta(days=day), parser_version="bench")


def grouping(pages: list[str], work: Path) -> dict:
    con = connect(work / "grouping.duckdb")
    made, page_of = [], {}
    for k, body in enumerate(pages):
        for j, text in enumerate([body, *near_copies(body)]):
            made.append(post(len(made), text, day=k * 3 + j))
            page_of[made[-1].post_id] = k
    wh.load_posts(con, made, "bench", datetime.now(UTC))
    assign_stories(con)
    stories = dict(con.execute("SELECT post_id, story_id FROM posts").fetchall())
    con.close()
    by_page: dict[int, set[str]] = {}
    for post_id, story in stories.items():
        by_page.setdefault(page_of[post_id], set()).add(story)
    split = sum(len(s) > 1 for s in by_page.values())
    owners: dict[str, set[int]] = {}
    for post_id, story in stories.items():
        owners.setdefault(story, set()).add(page_of[post_id])
    merged = sum(len(p) > 1 for p in owners.values())
    return dict(pages=len(pages), copies=len(made) - len(pages), pages_with_copies_apart=split,
                stories_joining_two_pages=merged)


def scale(pages: list[str], n: int, work: Path) -> dict:
    rng = random.Random(7)
    words = [w for body in pages for w in re.findall(r"\w+", body)]  # drawn as often as the pages use them
    made = []
    for i in range(n):
        if i % 10 == 9:
            body = rng.choice(near_copies(made[rng.randrange(len(made))].body_text))
        else:
            body = "\n".join(" ".join(rng.choices(words, k=90)) + "." for _ in range(5))
        made.append(post(i, body, day=i % 700))
    con = connect(work / "scale.duckdb")
    for k in range(0, n, 2000):
        wh.load_posts(con, made[k:k + 2000], "bench", datetime.now(UTC))
    clock = time.perf_counter()
    assign_stories(con)
    seconds = time.perf_counter() - clock
    [(stories,)] = con.execute("SELECT count(DISTINCT story_id) FROM posts").fetchall()
    con.close()
    return dict(posts=n, stories=stories, seconds=round(seconds, 2), target_seconds=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    shared = args.shared.resolve() if (args.shared / "data").is_dir() else None
    pages = [body for _, body in texts(shared)]
    with tempfile.TemporaryDirectory() as work:
        report = dict(grouping=grouping(pages, Path(work)), scale=scale(pages, args.n, Path(work)))
    print(json.dumps(report, indent=1))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
