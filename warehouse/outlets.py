"""Outlets: one display name per registrable domain, so that "Libération" and "Libération.fr",
or a site whose pages name it oddly, count as one outlet.

A post's domain is the registrable domain of its URL, or of the canonical URL its page
declares (courlan reads the public suffix list bundled with it: no network); the outlet's
name is the site name its pages give most often (ties: the shortest, then the first in
order), refreshed at each run, until the user names it (`covpipe outlets rename`).
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa
from courlan import extract_domain


def domain_of(*urls: str | None) -> str | None:
    """The registrable domain of the first http(s) URL given: "liberation.fr" for www. and next.liberation.fr."""
    for url in urls:
        if url and url.startswith(("http://", "https://")):
            domain = extract_domain(url)
            if domain:
                return domain.lower()
    return None


def fill_domains(con: duckdb.DuckDBPyConnection) -> int:
    """The domain of the posts that have none yet (a warehouse from before domains, a post kept
    unchanged by reprocess); returns how many were filled."""
    rows = con.execute("SELECT post_id, url, canonical_url, source_uri FROM posts WHERE domain IS NULL "
                       "AND coalesce(url, canonical_url, source_uri) LIKE 'http%'").fetchall()
    found = [(post_id, domain_of(*urls)) for post_id, *urls in rows]
    found = [(p, d) for p, d in found if d]
    if found:
        con.register("found_domains", pa.table({"post_id": [p for p, _ in found], "domain": [d for _, d in found]}))
        try:
            con.execute("UPDATE posts SET domain = f.domain FROM found_domains f WHERE posts.post_id = f.post_id")
        finally:
            con.unregister("found_domains")
    return len(found)


def refresh_outlets(con: duckdb.DuckDBPyConnection, now: datetime) -> None:
    """Give every domain of the posts an outlet; rename those the pages named, never the user's."""
    fill_domains(con)
    con.execute("""
        INSERT INTO outlets (domain, name, named_by, updated_at)
        WITH names AS (
            SELECT domain, site_name, count(*) AS n FROM posts
            WHERE domain IS NOT NULL GROUP BY domain, site_name
        ),
        chosen AS (
            SELECT domain, coalesce(arg_max(site_name, (site_name IS NOT NULL, n, -length(site_name))), domain) AS name
            FROM names GROUP BY domain
        )
        SELECT domain, name, 'pages', ? FROM chosen
        ON CONFLICT (domain) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at
        WHERE outlets.named_by = 'pages' AND outlets.name <> excluded.name
    """, [now])


def rename_outlet(con: duckdb.DuckDBPyConnection, domain: str, name: str, now: datetime) -> bool:
    """The user's name for an outlet, kept through every run; False when no post has that domain."""
    known = con.execute("SELECT 1 FROM posts WHERE domain = ? LIMIT 1", [domain]).fetchall()
    if not known:
        return False
    con.execute("""
        INSERT INTO outlets (domain, name, named_by, updated_at) VALUES (?, ?, 'user', ?)
        ON CONFLICT (domain) DO UPDATE SET name = excluded.name, named_by = 'user', updated_at = excluded.updated_at
    """, [domain, name, now])
    return True


def outlet_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(domain, name, named_by, posts, stories) of every outlet, most posts first."""
    return con.execute("""
        SELECT o.domain, o.name, o.named_by, count(p.post_id), count(DISTINCT coalesce(p.story_id, p.post_id))
        FROM outlets o LEFT JOIN posts p USING (domain)
        GROUP BY ALL ORDER BY 4 DESC, o.domain""").fetchall()
