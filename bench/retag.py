"""`python -m bench.retag`: re-tag N stored posts (default 10,000) after an events change. Target: <= 10 s.

The posts are real article texts (the seeds, and the 40 fr-web pages when --shared is
given, read by trafilatura) copied with distinct ids and dates over two years; one in
five names one of three declared events in its title or body, one in ten with a year, so
the editions are exercised. The warehouse starts with the starter events; then the
three events are declared with two editions each and every post is re-tagged, as
`covpipe events add` does. Prints the figures and writes them as JSON (--json).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flows.event_tagging import add_event, retag, seed_starter_events
from schemas import Post
from tasks.event_coverage import declared
from warehouse import connect
from warehouse import load as wh

EVENTS = [declared("Eurosatory", editions=["2025=2025-06-16..2025-06-20", "2026=2026-06-15..2026-06-19"]),
          declared("Salon du Vélo", aliases=["Vélo Expo"], editions=["2025", "2026"]),
          declared("Assises de la mer", hashtags=["AssisesMer"], editions=["2025", "2026"])]


def texts(shared: Path | None) -> list[tuple[str, str]]:
    """(title, body) of the seeds and, with `shared`, of the fr-web pages."""
    found = []
    for path in sorted(Path("seeds").glob("*.txt")):
        lines = path.read_text("utf-8").splitlines()
        found.append((lines[0], "\n".join(lines[1:])))
    if shared is not None:
        import trafilatura

        for path in sorted((shared / "data/fr-web-pages/html").glob("*.html")):
            body = trafilatura.extract(path.read_text("utf-8", errors="replace")) or ""
            if len(body) > 200:
                found.append((body.split("\n")[0][:120], body))
    return found


def posts(n: int, sources: list[tuple[str, str]]) -> list[Post]:
    start = date(2025, 1, 1)
    made = []
    for i in range(n):
        title, body = sources[i % len(sources)]
        event = EVENTS[i % 3].name
        if i % 5 == 0:
            title = f"{event} {2025 + i % 2} : {title}" if i % 10 == 0 else f"{event} : {title}"
        elif i % 5 == 1:
            body = f"{body}\nOn retrouvait ces exposants au {event}. Le {event} ferme dimanche."
        made.append(Post(post_id=f"p{i}", doc_id=f"{i:064x}", source_uri=f"https://site{i % 10}.example/{i}",
                         url=f"https://site{i % 10}.example/{i}", title=title, body_text=body,
                         published_at=start + timedelta(days=i % 730), parser_version="bench"))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--shared", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as work:
        con = connect(Path(work) / "retag.duckdb")
        seed_starter_events(con, now)
        made = posts(args.n, texts(args.shared))
        for k in range(0, len(made), 1000):
            wh.load_posts(con, made[k:k + 1000], "bench", now)
        chars = sum(len(p.body_text) for p in made)
        clock = time.perf_counter()
        for spec in EVENTS:
            add_event(con, spec, now)
        read, links = retag(con, "bench-retag", now)
        seconds = time.perf_counter() - clock
        per_edition = con.execute("SELECT count(*) FILTER (WHERE edition IS NOT NULL), count(*) FROM post_events"
                                  ).fetchone()
        con.close()
    figures = dict(posts=read, body_mb=round(chars / 1e6, 1), seconds=round(seconds, 2),
                   posts_per_second=round(read / seconds), links=links.added, links_with_edition=per_edition[0],
                   target_seconds=10, ok=seconds <= 10)
    print(json.dumps(figures, indent=1))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
