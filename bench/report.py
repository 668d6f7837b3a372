"""`python -m bench.report`: time and weigh the coverage report of a warehouse of N posts (default 2,000).

Parsing 2,000 pages would take a quarter of an hour and measure the parser, not the
report, so the warehouse is synthesised: the posts of small ingested warehouses (the
`make eval` outputs under data/eval by default, or the seeds ingested now when those are
absent) are copied with distinct ids, spread over 16 weeks, 10 sites and 8 events, with
their quotations, mentions and roles. Entities are shared, as real people recur across
posts. Then `build_report` runs on it, for every event and for one event. Target: under
10 s and under 5 MB. Prints the figures and writes them as JSON (--json).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

import duckdb

from report import build_report
from warehouse import connect
from warehouse.db import remove

SITES = ["Le Monde", "Les Echos", "L’Usine Digitale", "Maddyness", "BFM Business", "Frenchweb", "ZDNet France",
         "Journal du Net", "La Tribune", "Siècle Digital"]
EVENTS = ["VivaTech", "IAParis", "Forum économique mondial", "Salon de l’Agriculture", "Web Summit",
          "Big Data & AI Paris", "Assises de la cybersécurité", "France Digitale Day"]
DEFAULT_SOURCES = (Path("data/eval/seeds.duckdb"), Path("data/eval/fr-web.duckdb"))

# Copy k of the source posts; post i gets site i % 10, a date over 16 weeks and event i % 8
# (every fifth post a second event), everything else kept.
_COPY = """
CREATE TEMP TABLE plan AS
SELECT p.post_id AS src_post, p.src, k, p.post_id || '-' || k AS post_id,
       row_number() OVER (ORDER BY k, p.src, p.post_id) - 1 AS i
FROM (SELECT post_id, 0 AS src FROM s0.posts {union}) p, range($copies) r(k);
DELETE FROM plan WHERE i >= $posts;
{inserts}
INSERT INTO post_events (post_id, event_id, evidence)
SELECT pl.post_id, e.event_id, 'title' FROM plan pl JOIN events e ON e.name = $events[1 + pl.i % 8]
UNION
SELECT pl.post_id, e.event_id, 'body' FROM plan pl JOIN events e ON e.name = $events[1 + (pl.i + 3) % 8]
WHERE pl.i % 5 = 0;
"""
_PER_SOURCE = """
INSERT INTO posts BY NAME SELECT p.* REPLACE (
    pl.post_id AS post_id, p.source_uri || '#' || pl.k AS source_uri,
    $sites[1 + pl.i % 10] AS site_name, DATE '2026-01-05' + CAST(pl.i * 37 % 112 AS INTEGER) AS published_at)
    FROM s{n}.posts p JOIN plan pl ON pl.src = {n} AND pl.src_post = p.post_id;
INSERT INTO quotations BY NAME SELECT q.* REPLACE (q.quote_id || '-' || pl.k AS quote_id, pl.post_id AS post_id)
    FROM s{n}.quotations q JOIN plan pl ON pl.src = {n} AND pl.src_post = q.post_id;
INSERT INTO mentions BY NAME SELECT m.* REPLACE (pl.post_id AS post_id)
    FROM s{n}.mentions m JOIN plan pl ON pl.src = {n} AND pl.src_post = m.post_id;
INSERT INTO roles BY NAME SELECT r.* REPLACE (pl.post_id AS post_id)
    FROM s{n}.roles r JOIN plan pl ON pl.src = {n} AND pl.src_post = r.post_id;
INSERT INTO entities BY NAME SELECT * FROM s{n}.entities ON CONFLICT DO NOTHING;
INSERT INTO runs BY NAME SELECT * FROM s{n}.runs ON CONFLICT DO NOTHING;
"""


def synthesise(sources: list[Path], db: Path, posts: int) -> int:
    """Write a warehouse of `posts` posts at `db` from the posts of `sources`; return the posts written."""
    con = connect(db)
    try:
        for n, source in enumerate(sources):
            con.execute(f"ATTACH '{source}' AS s{n} (READ_ONLY)")
        available = sum(con.execute(f"SELECT count(*) FROM s{n}.posts").fetchone()[0] for n in range(len(sources)))
        union = " ".join(f"UNION ALL SELECT post_id, {n} FROM s{n}.posts" for n in range(1, len(sources)))
        inserts = "".join(_PER_SOURCE.format(n=n) for n in range(len(sources)))
        for name in EVENTS:
            con.execute("INSERT INTO events (event_id, name, event_key, aliases, origin, first_seen_at) "
                        "VALUES (md5($name)[:16], $name, lower(regexp_replace(strip_accents($name), '[^A-Za-z0-9]', '',"
                        " 'g')), [], 'user', now()) ON CONFLICT DO NOTHING", {"name": name})
        params = {"copies": -(-posts // available), "posts": posts, "sites": SITES, "events": EVENTS}
        con.execute("BEGIN")
        for statement in filter(str.strip, _COPY.format(union=union, inserts=inserts).split(";\n")):
            con.execute(statement, {k: v for k, v in params.items() if f"${k}" in statement})
        con.execute("COMMIT")
        return con.execute("SELECT count(*) FROM posts").fetchone()[0]
    finally:
        con.close()


def _sources(work: Path) -> list[Path]:
    found = [p for p in DEFAULT_SOURCES if p.exists()]
    if found:
        return found
    # No eval warehouses: ingest the seeds now (Prefect starts, about 30 s).
    for key, value in {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}.items():
        os.environ.setdefault(key, value)
    from flows.ingest import ingest
    from schemas import Settings

    db = work / "seeds.duckdb"
    ingest([str(Path(__file__).resolve().parent.parent / "seeds")], settings=Settings(db=db))
    return [db]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--source", type=Path, nargs="*", help="ingested warehouses to copy posts from")
    parser.add_argument("--out", type=Path, help="folder for the warehouse and the reports (default: a temp folder)")
    parser.add_argument("--json", type=Path, help="write the figures there")
    args = parser.parse_args()
    work = args.out or Path(tempfile.mkdtemp(prefix="covpipe-bench-report-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "report-bench.duckdb"
    remove(db)  # the file and its raw documents
    written = synthesise(args.source or _sources(work), db, args.posts)
    figures = {"posts": written}
    for name, event in (("all_events", None), ("one_event", EVENTS[0])):
        summary = build_report(db, work / f"{name}.html", event=event)
        figures[name] = {"seconds": summary.seconds, "mb": round(summary.bytes / 1e6, 2), "events": len(summary.events),
                         "charts": summary.charts, "quotes": summary.quotes}
        verdict = "ok" if summary.seconds < 10 and summary.bytes < 5e6 else "OVER TARGET"
        print(f"{name}: {written} posts, {len(summary.events)} events, {summary.charts} charts: "
              f"{summary.seconds:.2f} s, {summary.bytes / 1e6:.2f} MB ({verdict}: < 10 s, < 5 MB) -> {summary.out}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=1) + "\n", "utf-8")
    with duckdb.connect(str(db), read_only=True) as con:
        print("quotes:", con.execute("SELECT count(*) FROM quotes").fetchone()[0],
              "mentions:", con.execute("SELECT count(*) FROM mentions").fetchone()[0])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
