"""`python -m bench.live_sources`: the three live kinds against a real WordPress (bench/realwp.py).

For `rss`, `wordpress` and `sitemap`, each into a warehouse of its own, through the CLI as a
user runs it: a first poll (posts found, archive pages stored, categories and tags right),
an unchanged poll right after (requests, real 304s), then one post edited and a poll once
the revalidation period (`revalidate_hours`, shortened here to seconds) has passed (the
edit found?). Then a URL that hangs, polled twice: the first poll pays its timeout, the
second waits its backoff. Needs root and Debian's wordpress, mariadb-server, apache2 and
php-xml; prints why not otherwise. Writes the figures as JSON (--json).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb

from bench import realwp

PERIOD_SECONDS = 60
SOURCES = f"""
[fetch]
allow_private = true
requests_per_second = 50
timeout_seconds = 3
retries = 0

[sources.rss]
kind = "rss"
url = "{realwp.BASE}/feed/"
revalidate_hours = {PERIOD_SECONDS / 3600}

[sources.wordpress]
kind = "wordpress"
url = "{realwp.BASE}"
revalidate_hours = {PERIOD_SECONDS / 3600}

[sources.sitemap]
kind = "sitemap"
url = "{realwp.BASE}/wp-sitemap.xml"
revalidate_hours = {PERIOD_SECONDS / 3600}

[sources.hanging]
kind = "urls"
urls = ["http://127.0.0.1:{{hang_port}}/never/"]
"""


def poll(work: Path, source: str) -> tuple[float, str]:
    env = os.environ | {"PREFECT_HOME": str(work / "prefect"), "COVPIPE_LOCK_WAIT_SECONDS": "30"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "flows.cli", "ingest", "--source", source, "--sources",
                           str(work / "sources.toml"), "--db", str(work / f"{source}.duckdb")],
                          env=env, capture_output=True, text=True, timeout=600)
    return time.perf_counter() - started, done.stdout + done.stderr


def last_run(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        (run,) = con.execute("SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1").fetchall()[0]
        fetches = con.execute("SELECT kind, outcome FROM fetches WHERE run_id = ?", [run]).fetchall()
        changed = con.execute("SELECT count(*) FROM documents WHERE run_id = ?", [run]).fetchall()[0][0]
    finally:
        con.close()
    return dict(requests=len(fetches), requests_without_robots=sum(k != "robots" for k, _ in fetches),
                real_304=sum(o == "not_modified" for _, o in fetches), new_documents=changed)


def posts(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT url, title, categories, tags, author FROM posts").fetchall()
    finally:
        con.close()
    right = 0
    for url, title, categories, tags, author in rows:
        n = int("".join(c for c in title if c.isdigit()) or 0)
        right += (sorted(categories) == sorted(["Salons", f"Conférences {n % 3}"])
                  and sorted(tags) == sorted(["IA", f"Startup {n % 4}"]) and author == "Marie Dupont")
    return dict(posts=len(rows), articles=sum("/billet-" in u for u, *_ in rows),
                archive_pages=sum("/billet-" not in u for u, *_ in rows), terms_and_author_right=right)


def hanging_server() -> int:
    """A port that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held = []
    threading.Thread(target=lambda: [held.append(server.accept()) for _ in iter(int, 1)], daemon=True).start()
    return server.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if reason := realwp.reason_unavailable():
        print(f"skipped: {reason}")
        return
    realwp.start()
    figures: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "sources.toml").write_text(SOURCES.replace("{hang_port}", str(hanging_server())), "utf-8")
        for kind in ("rss", "wordpress", "sitemap"):
            db = work / f"{kind}.duckdb"
            seconds, out = poll(work, kind)
            figures[kind] = dict(first=posts(db) | last_run(db), first_seconds=round(seconds, 1))
            poll(work, kind)
            figures[kind]["unchanged"] = last_run(db)
        realwp.edit(3, "<p>Mise à jour : le salon prolonge ses portes ouvertes d'une journée.</p>")
        time.sleep(PERIOD_SECONDS + 1)
        for kind in ("rss", "wordpress", "sitemap"):
            db = work / f"{kind}.duckdb"
            poll(work, kind)
            con = duckdb.connect(str(db), read_only=True)
            found = con.execute("SELECT count(*) FROM posts WHERE body_text LIKE '%prolonge ses portes%'").fetchall()
            con.close()
            figures[kind]["after_edit"] = last_run(db) | dict(edit_found=found[0][0] == 1)
        for attempt in ("first", "second"):
            seconds, _ = poll(work, "hanging")
            figures.setdefault("hanging", {})[attempt] = last_run(work / "hanging.duckdb") | dict(
                seconds=round(seconds, 1))
    realwp.stop()
    print(json.dumps(figures, indent=1))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
