"""Stories: the copies of one article are one story (`posts.story_id`).

The same dispatch republished by several outlets, a page under two URLs, a copy with its
chrome changed, a byline added or a paragraph cut: analysts count it once. Two posts are
copies when most of the shorter one's text is in the longer one: the containment of their
word 5-grams (shingles). Containment, not Jaccard similarity nor SimHash, because measured
on the 40 development pages and their near-copies (bench/stories.py): a copy of a short page
with its longest paragraph cut keeps a containment of 0.87 but a Jaccard similarity of 0.17,
and trafilatura's SimHash puts distinct pages 19 bits apart and copies up to 31; distinct
pages share at most 0.01 of their shingles.

Containment is estimated on the shingles whose first word's hash falls in one class of
SAMPLE: both copies keep the same shingles, so the estimate needs no alignment, and only one
shingle in SAMPLE is hashed (10,000 posts in 2 s, against 18 s when sampling on each
shingle's own hash). SAMPLE is 4, not 8: at one in eight, a 540-character page with a
paragraph cut kept 2 sampled shingles, too few to tell.

Posts are compared when they hold a sampled shingle in common. A shingle held by more than
COMMON posts (a dispatch fifty outlets ran, boilerplate, a sentence everyone quotes) pairs
each holder with its first holder only, which bounds the work by COMMON squared per shingle
and still joins the copies of a widely syndicated article. Copies are joined transitively;
a story's id is the post_id of its canonical post: the earliest published, then the earliest
parsed, then the first source in order. Stories are recomputed from the bodies at the end of
every run that wrote posts: no hash is stored, so nothing depends on how DuckDB hashes across
versions.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

SHINGLE = 5
SAMPLE = 4
CONTAINMENT = 0.5
MIN_SHARED = 3
COMMON = 50

_COPIES = f"""
WITH words AS (
    SELECT post_id, regexp_extract_all(lower(body_text), '[[:alnum:]]+') AS w FROM posts
),
sampled AS (
    SELECT DISTINCT post_id, unnest(list_transform(
        list_filter(range(1, len(w) - {SHINGLE - 2}), lambda i: hash(w[i]) % {SAMPLE} = 0),
        lambda i: hash({", ".join(f"w[i + {k}]" if k else "w[i]" for k in range(SHINGLE))}))) AS h
    FROM words
    WHERE len(w) >= {SHINGLE}
),
holders AS (
    SELECT h, count(*) AS n, min(post_id) AS first FROM sampled GROUP BY h
),
sizes AS (
    SELECT post_id, count(*) AS n FROM sampled GROUP BY post_id
),
shared AS (
    SELECT x.post_id AS a, y.post_id AS b, count(*) AS k
    FROM sampled x JOIN holders d USING (h) JOIN sampled y ON y.h = x.h AND x.post_id < y.post_id
    WHERE d.n <= {COMMON}
    GROUP BY ALL
    UNION ALL  -- a shingle many posts hold: each holder against the first one only
    SELECT d.first AS a, s.post_id AS b, count(*) AS k
    FROM sampled s JOIN holders d USING (h)
    WHERE d.n > {COMMON} AND s.post_id <> d.first
    GROUP BY ALL
),
pairs AS (
    SELECT a, b, sum(k) AS k FROM shared GROUP BY a, b
)
SELECT s.a, s.b
FROM pairs s JOIN sizes sa ON sa.post_id = s.a JOIN sizes sb ON sb.post_id = s.b
WHERE s.k >= {MIN_SHARED} AND s.k >= {CONTAINMENT} * least(sa.n, sb.n)
"""


def copies(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Pairs of posts that are copies of each other."""
    return con.execute(_COPIES).fetchall()


def ungrouped(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether some post has no story, or no domain though it has a web address, yet (a warehouse from before them)."""
    return bool(con.execute("SELECT 1 FROM posts WHERE story_id IS NULL OR domain IS NULL "
                            "AND coalesce(url, canonical_url, source_uri) LIKE 'http%' LIMIT 1").fetchall())


def assign_stories(con: duckdb.DuckDBPyConnection) -> int:
    """Set `posts.story_id` for every post; return how many posts changed story."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for a, b in copies(con):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    order = con.execute("SELECT post_id FROM posts ORDER BY published_at NULLS LAST, parsed_at, source_uri").fetchall()
    canonical: dict[str, str] = {}
    rows = []
    for (post_id,) in order:
        story = canonical.setdefault(root(post_id), post_id)  # the first of its group in that order
        rows.append((post_id, story))
    table = pa.table({"post_id": [r[0] for r in rows], "story_id": [r[1] for r in rows]})
    con.register("assigned_stories", table)
    try:
        [(changed,)] = con.execute(
            "SELECT count(*) FROM posts p JOIN assigned_stories s USING (post_id) "
            "WHERE p.story_id IS DISTINCT FROM s.story_id").fetchall()
        if changed:
            con.execute("UPDATE posts SET story_id = s.story_id FROM assigned_stories s "
                        "WHERE posts.post_id = s.post_id AND posts.story_id IS DISTINCT FROM s.story_id")
    finally:
        con.unregister("assigned_stories")
    return changed
