"""Read-side queries of the coverage report: the figures of each event, scoped by event and date.

Owns the SQL the report needs. A site is an outlet: the name `outlets` gives the post's domain
(else the site name its page gives). Every figure is computed over one scope, the (event, post)
pairs of `post_events` whose post was published on or after `since` (undated posts drop
out when `since` is given), restricted to one event when asked. With no `since` the
figures are those of the `report_*` views (tests hold them equal), quotes counted once per
story (`story_quotes`) as the views count them; the views cannot take
a date, so the scoped queries repeat their shape here rather than filter after the fact.
Returns plain rows (dicts); it must not format, rank for display or render anything.

    UnknownEvent (ValueError)          the asked event matches no event of the warehouse (warehouse.coverage_events)
    WarehouseOutdated (WarehouseError) the file predates views the report reads (terminal until upgraded)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from warehouse.coverage_events import known_events, resolve_event, rows
from warehouse.errors import WarehouseError

NEEDED_VIEWS = ("quotes", "report_run_history")

_SCOPE = """
WITH scope AS (
    SELECT e.name AS event, p.post_id, coalesce(o.name, p.site_name) AS site_name, p.author, p.published_at,
           p.title, coalesce(p.url, p.canonical_url) AS link, pe.edition, pe.event_id,
           coalesce(p.story_id, p.post_id) AS story_id
    FROM post_events pe
    JOIN events e USING (event_id)
    JOIN posts p USING (post_id)
    LEFT JOIN outlets o USING (domain)
    WHERE ($event IS NULL OR e.name = $event)
      AND ($since IS NULL OR p.published_at >= $since)
)"""

EVENTS = _SCOPE + """,
post_counts AS (
    SELECT event, count(*) AS posts, count(DISTINCT story_id) AS stories, count(DISTINCT site_name) AS sites,
           count(DISTINCT author) AS authors,
           min(published_at) AS first_published_at, max(published_at) AS last_published_at,
           count(*) FILTER (WHERE published_at IS NULL) AS undated_posts
    FROM scope
    GROUP BY event
),
quote_counts AS (
    SELECT s.event, count(*) AS quotes, count(q.speaker) AS attributed_quotes,
           count(DISTINCT (q.speaker, q.speaker_entity_id)) FILTER (WHERE q.speaker IS NOT NULL) AS speakers
    FROM scope s
    JOIN story_quotes q USING (post_id)
    GROUP BY s.event
),
final AS (
    SELECT pc.*, coalesce(qc.quotes, 0) AS quotes, coalesce(qc.attributed_quotes, 0) AS attributed_quotes,
           coalesce(qc.speakers, 0) AS speakers
    FROM post_counts pc
    LEFT JOIN quote_counts qc USING (event)
)
SELECT * FROM final ORDER BY posts DESC, event"""

TIMELINE = _SCOPE + """
SELECT event, published_at AS day, site_name, count(*) AS posts
FROM scope
WHERE published_at IS NOT NULL
GROUP BY event, published_at, site_name
ORDER BY event, day, site_name NULLS LAST"""

SITES_AUTHORS = _SCOPE + """,
post_quotes AS (
    SELECT post_id, count(*) AS quotes FROM quotes GROUP BY post_id
),
final AS (
    SELECT s.event, s.site_name, s.author, count(*) AS posts,
           min(s.published_at) AS first_published_at, max(s.published_at) AS last_published_at,
           sum(coalesce(pq.quotes, 0))::BIGINT AS quotes
    FROM scope s
    LEFT JOIN post_quotes pq USING (post_id)
    GROUP BY s.event, s.site_name, s.author
)
SELECT * FROM final ORDER BY event, posts DESC, site_name NULLS LAST, author NULLS LAST"""

# report_coverage_per_edition over the scope: only events that have editions.
EDITIONS = _SCOPE + """,
post_quotes AS (
    SELECT post_id, count(*) AS quotes FROM story_quotes GROUP BY post_id
),
final AS (
    SELECT s.event, s.edition, any_value(x.starts_on) AS starts_on, any_value(x.ends_on) AS ends_on,
           count(*) AS posts, count(DISTINCT s.site_name) AS sites,
           min(s.published_at) AS first_published_at, max(s.published_at) AS last_published_at,
           sum(coalesce(pq.quotes, 0))::BIGINT AS quotes
    FROM scope s
    LEFT JOIN event_editions x ON x.event_id = s.event_id AND x.label = s.edition
    LEFT JOIN post_quotes pq USING (post_id)
    WHERE s.event_id IN (SELECT event_id FROM event_editions)
    GROUP BY s.event, s.edition
)
SELECT * FROM final ORDER BY event, starts_on NULLS LAST, edition NULLS LAST"""

# report_top_speakers_per_event over the scope.
SPEAKERS = _SCOPE + """,
speaker_roles AS (
    SELECT r.entity_id AS speaker_entity_id,
           list(DISTINCT r.role ORDER BY r.role) FILTER (WHERE r.role IS NOT NULL) AS roles,
           list(DISTINCT coalesce(o.name, r.organisation) ORDER BY coalesce(o.name, r.organisation))
               FILTER (WHERE r.organisation IS NOT NULL) AS organisations
    FROM roles r
    LEFT JOIN entities o ON o.entity_id = r.organisation_entity_id
    GROUP BY r.entity_id
),
counted AS (
    SELECT s.event, q.speaker, q.speaker_entity_id, count(*) AS quotes, count(DISTINCT q.post_id) AS posts
    FROM scope s
    JOIN story_quotes q USING (post_id)
    WHERE q.speaker IS NOT NULL
    GROUP BY s.event, q.speaker, q.speaker_entity_id
),
final AS (
    SELECT c.event, dense_rank() OVER (PARTITION BY c.event ORDER BY c.quotes DESC) AS rank,
           c.speaker, c.speaker_entity_id, c.quotes, c.posts, sr.roles, sr.organisations
    FROM counted c
    LEFT JOIN speaker_roles sr USING (speaker_entity_id)
)
SELECT * FROM final ORDER BY event, rank, speaker"""

# The quotes of the most quoted speakers (by distinct quotes), a few each, with their context and post.
QUOTE_WALL = _SCOPE + """,
speech AS (
    SELECT s.event, s.title, s.site_name, s.published_at, s.link, q.quote_id, q.text, q.context_before,
           q.context_after, q.speaker, q.speaker_entity_id, q.cue, q.char_start
    FROM scope s
    JOIN quotes q USING (post_id)
    WHERE q.speaker IS NOT NULL
    -- a quote syndicated in several posts shows once, from its latest post
    QUALIFY row_number() OVER (PARTITION BY s.event, q.speaker, q.speaker_entity_id, q.text
                               ORDER BY s.published_at DESC NULLS LAST, q.quote_id) = 1
),
speaker_rank AS (
    SELECT event, speaker, speaker_entity_id,
           row_number() OVER (PARTITION BY event ORDER BY count(*) DESC, speaker) AS speaker_rank
    FROM speech
    GROUP BY event, speaker, speaker_entity_id
),
final AS (
    SELECT sp.*, sr.speaker_rank,
           row_number() OVER (PARTITION BY sp.event, sp.speaker, sp.speaker_entity_id
                              ORDER BY length(sp.text) DESC, sp.quote_id) AS nth
    FROM speech sp
    JOIN speaker_rank sr USING (event, speaker, speaker_entity_id)
    WHERE sr.speaker_rank <= $speakers
)
SELECT * FROM final WHERE nth <= $per_speaker ORDER BY event, speaker_rank, nth"""

# report_top_organisations_per_event over the scope, and the same for people.
MENTIONED = _SCOPE + """,
event_mentions AS (
    SELECT s.event, en.type, en.name, m.entity_id, m.post_id
    FROM scope s
    JOIN mentions m USING (post_id)
    JOIN entities en ON en.entity_id = m.entity_id AND en.type IN ('ORG', 'PERSON')
),
counted AS (
    SELECT event, type, name, entity_id, count(*) AS mentions, count(DISTINCT post_id) AS posts
    FROM event_mentions
    GROUP BY event, type, name, entity_id
),
final AS (
    SELECT event, type, dense_rank() OVER (PARTITION BY event, type ORDER BY mentions DESC, posts DESC) AS rank,
           name, entity_id, mentions, posts
    FROM counted
)
SELECT * FROM final WHERE rank <= $top ORDER BY event, type, rank, name"""

# report_co_mentions over the scope, people and organisations only, the most frequent pairs.
CO_MENTIONS = _SCOPE + """,
post_entities AS (
    SELECT DISTINCT s.event, m.post_id, m.entity_id, en.name, en.type
    FROM scope s
    JOIN mentions m USING (post_id)
    JOIN entities en USING (entity_id)
    WHERE en.type IN ('PERSON', 'ORG')
),
final AS (
    SELECT a.event, a.name AS entity_a, a.type AS entity_a_type, b.name AS entity_b, b.type AS entity_b_type,
           count(DISTINCT a.post_id) AS posts
    FROM post_entities a
    JOIN post_entities b ON b.event = a.event AND b.post_id = a.post_id
        AND (a.name < b.name OR (a.name = b.name AND a.entity_id < b.entity_id))
    GROUP BY a.event, a.name, a.type, a.entity_id, b.name, b.type, b.entity_id
)
SELECT * FROM final
QUALIFY row_number() OVER (PARTITION BY event ORDER BY posts DESC, entity_a, entity_b) <= $top
ORDER BY event, posts DESC, entity_a, entity_b"""

RUNS = "SELECT * FROM report_run_history LIMIT $runs"

FAILURES = """
SELECT stage, reason, count(*) AS documents, list(source_uri ORDER BY source_uri)[1:3] AS examples,
       max(failed_at) AS last_failed_at
FROM open_failures
GROUP BY stage, reason
ORDER BY documents DESC, stage, reason"""

TOTALS = _SCOPE + """
SELECT (SELECT count(*) FROM posts WHERE $since IS NULL OR published_at >= $since) AS posts,
       (SELECT count(*) FROM posts p WHERE ($since IS NULL OR published_at >= $since)
            AND NOT EXISTS (SELECT 1 FROM post_events pe WHERE pe.post_id = p.post_id)) AS posts_without_event,
       (SELECT count(DISTINCT post_id) FROM scope) AS event_posts,
       (SELECT count(*) FROM story_quotes WHERE post_id IN (SELECT post_id FROM scope)) AS event_quotes,
       (SELECT count(*) FROM open_failures) AS failures"""

class WarehouseOutdated(WarehouseError):
    def __init__(self, missing: list[str]):
        super().__init__(
            f"the warehouse predates the views the report reads ({', '.join(missing)}); a read-only report cannot "
            "create them: run one writing command on it first (`covpipe ingest PATH --db FILE`), which upgrades it"
        )
        self.missing = missing


@dataclass(frozen=True)
class CoverageData:
    """Every figure of the report, rows grouped by event where they belong to one."""

    event: str | None
    since: date | None
    events: list[dict[str, Any]]
    by_event: dict[str, dict[str, list[dict[str, Any]]]]
    totals: dict[str, int]
    runs: list[dict[str, Any]]
    failures: list[dict[str, Any]]
    known_events: list[str] = field(default_factory=list)


def coverage(con: duckdb.DuckDBPyConnection, *, event: str | None = None, since: date | None = None,
             top: int = 15, wall_speakers: int = 12, quotes_per_speaker: int = 4,
             runs: int = 10) -> CoverageData:
    """The report's figures for one event or all of them, counting posts published on or after `since`."""
    views = {r["view_name"] for r in rows(con, "SELECT view_name FROM duckdb_views() WHERE NOT internal")}
    if missing := [v for v in NEEDED_VIEWS if v not in views]:
        raise WarehouseOutdated(missing)
    if event is not None:
        event = resolve_event(con, event)
    scope = {"event": event, "since": since}
    by_event: dict[str, dict[str, list[dict[str, Any]]]] = {}
    parts = {
        "timeline": rows(con, TIMELINE, **scope),
        "sites_authors": rows(con, SITES_AUTHORS, **scope),
        "editions": rows(con, EDITIONS, **scope),
        "speakers": rows(con, SPEAKERS, **scope),
        "quotes": rows(con, QUOTE_WALL, **scope, speakers=wall_speakers, per_speaker=quotes_per_speaker),
        "mentioned": rows(con, MENTIONED, **scope, top=top),
        "co_mentions": rows(con, CO_MENTIONS, **scope, top=top),
    }
    events = rows(con, EVENTS, **scope)
    for summary in events:
        by_event[summary["event"]] = {name: [] for name in parts}
    for name, found in parts.items():
        for row in found:
            by_event[row["event"]][name].append(row)
    return CoverageData(
        event=event, since=since, events=events, by_event=by_event,
        totals=rows(con, TOTALS, **scope)[0], runs=rows(con, RUNS, runs=runs),
        failures=rows(con, FAILURES), known_events=known_events(con),
    )
