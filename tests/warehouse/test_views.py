from pathlib import Path

import pytest

from warehouse import connect

# Two events, three posts from two sites: p1 covers both events, p2 VivaTech, p3 CES.
ROWS = """
DELETE FROM events;  -- the starter events of a new warehouse
INSERT INTO events (event_id, name, event_key, aliases, origin, first_seen_at) VALUES
    ('e1', 'VivaTech', 'vivatech', [], 'user', '2026-01-01 00:00:00+00'),
    ('e2', 'CES', 'ces', [], 'user', '2026-01-01 00:00:00+00');
INSERT INTO posts (post_id, doc_id, source_uri, site_name, author, published_at, body_text, body_chars,
                   parser_version, run_id, parsed_at) VALUES
    ('p1', 'd1', '/p1.html', 'Le Monde', 'Alice Martin', '2026-02-10', 'Corps un.', 9, 'v1', 'r1', '2026-03-01 10:01:00+00'),
    ('p2', 'd2', '/p2.html', 'Le Monde', 'Alice Martin', '2026-02-20', 'Corps deux.', 11, 'v1', 'r1', '2026-03-01 10:01:00+00'),
    ('p3', 'd3', '/p3.html', 'Tech Blog', NULL, '2026-01-05', 'Corps trois.', 12, 'v1', 'r1', '2026-03-01 10:01:00+00');
INSERT INTO post_events (post_id, event_id, evidence) VALUES
    ('p1', 'e1', 'hashtag'), ('p1', 'e2', 'title'), ('p2', 'e1', 'hashtag'), ('p3', 'e2', 'body');
INSERT INTO entities (entity_id, name, type) VALUES
    ('x_cc', 'Clara Chapaz', 'PERSON'), ('x_nd', 'Nicolas Dufourcq', 'PERSON'), ('x_jd', 'Jean Dupont', 'PERSON'),
    ('x_bpi', 'Bpifrance', 'ORG'), ('x_gg', 'Google', 'ORG'), ('x_paris', 'Paris', 'LOC'), ('x_ia', 'IA', 'MISC');
INSERT INTO mentions VALUES
    ('p1', 'x_cc', 'Clara Chapaz', 0, 12, 0, 40, 'v1', 'r1'),
    ('p1', 'x_cc', 'la ministre', 50, 61, 41, 80, 'v1', 'r1'),
    ('p1', 'x_bpi', 'Bpifrance', 90, 99, 81, 120, 'v1', 'r1'),
    ('p1', 'x_gg', 'Google', 130, 136, 121, 160, 'v1', 'r1'),
    ('p1', 'x_paris', 'Paris', 170, 175, 161, 200, 'v1', 'r1'),
    ('p1', 'x_ia', 'IA', 210, 212, 201, 240, 'v1', 'r1'),
    ('p2', 'x_cc', 'Clara Chapaz', 0, 12, 0, 40, 'v1', 'r1'),
    ('p2', 'x_nd', 'Nicolas Dufourcq', 50, 66, 41, 80, 'v1', 'r1'),
    ('p2', 'x_bpi', 'BPI France', 70, 80, 41, 80, 'v1', 'r1'),
    ('p2', 'x_bpi', 'Bpifrance', 90, 99, 81, 120, 'v1', 'r1'),
    ('p3', 'x_nd', 'Nicolas Dufourcq', 0, 16, 0, 40, 'v1', 'r1'),
    ('p3', 'x_gg', 'Google', 50, 56, 41, 80, 'v1', 'r1');
INSERT INTO roles VALUES
    ('p1', 'x_cc', 'Ministre du numérique', NULL, NULL, 0, 40, 'v1', 'r1'),
    ('p2', 'x_cc', 'ministre', 'Gouvernement', NULL, 0, 40, 'v1', 'r1'),
    ('p2', 'x_nd', 'DG', 'BPI France', 'x_bpi', 50, 80, 'v1', 'r1'),
    ('p3', 'x_nd', 'directeur général', 'Bpifrance', 'x_bpi', 0, 40, 'v1', 'r1');
INSERT INTO runs (run_id, flow_name, started_at, finished_at, status, parser_version, inputs_seen, documents_new,
                  posts_written, failures, options) VALUES
    ('r1', 'ingest', '2026-03-01 10:00:00+00', '2026-03-01 10:02:30+00', 'completed_with_failures', 'v1',
     6, 6, 3, 3, NULL),
    ('r2', 'reprocess', '2026-03-02 09:00:00+00', NULL, 'running', 'v2', 0, 0, 0, 0, '{"stale": true}');
INSERT INTO failures VALUES
    ('/a.html', 'da', 'decode', 'not text', NULL, 'r1', '2026-03-01 10:00:10+00'),
    ('/b.html', 'db', 'decode', 'not text', NULL, 'r1', '2026-03-01 10:00:20+00'),
    ('/c.html', 'dc', 'quotes', 'timeout', 'TimeoutError', 'r1', '2026-03-01 10:00:30+00');
"""


def quote(quote_id: str, post_id: str, speaker: str | None, entity_id: str | None, kind: str = "speech") -> str:
    speaker_sql = f"'{speaker}'" if speaker else "NULL"
    entity_sql = f"'{entity_id}'" if entity_id else "NULL"
    start = int(quote_id[1:]) * 10
    return (f"('{quote_id}', '{post_id}', '{kind}', 'texte {quote_id}', {start}, {start + 8}, '«', '»', false, false,"
            f" '', '', {speaker_sql}, {entity_sql}, NULL, NULL, NULL, NULL, 0.9, 'v1', 'r1', NULL)")


QUOTES = [
    quote("q1", "p1", "Clara Chapaz", "x_cc"),
    quote("q2", "p1", "Clara Chapaz", "x_cc"),
    quote("q3", "p1", None, None),
    quote("q4", "p1", None, None, kind="term"),
    quote("q5", "p2", "Nicolas Dufourcq", "x_nd"),
    quote("q6", "p2", "Clara Chapaz", "x_cc"),
    quote("q7", "p3", "Nicolas Dufourcq", "x_nd"),
    quote("q8", "p2", "Jean Dupont", "x_jd"),
    quote("q9", "p2", "Jean Dupont", "x_jd"),
    quote("q10", "p2", "Jean Dupont", "x_jd"),
]


@pytest.fixture
def con(tmp_path: Path):
    con = connect(tmp_path / "w.duckdb")
    con.execute(ROWS)
    con.execute("INSERT INTO quotations VALUES " + ", ".join(QUOTES))
    yield con
    con.close()


def rows(con, sql):
    return con.execute(sql).fetchall()


def test_top_speakers_per_event_rank_named_speakers_with_their_roles(con):
    assert rows(con, "SELECT event, rank, speaker, quotes, posts, roles, organisations"
                     " FROM report_top_speakers_per_event") == [
        ("CES", 1, "Clara Chapaz", 2, 1, ["Ministre du numérique", "ministre"], ["Gouvernement"]),
        ("CES", 2, "Nicolas Dufourcq", 1, 1, ["DG", "directeur général"], ["Bpifrance"]),
        ("VivaTech", 1, "Clara Chapaz", 3, 2, ["Ministre du numérique", "ministre"], ["Gouvernement"]),
        ("VivaTech", 1, "Jean Dupont", 3, 1, None, None),
        ("VivaTech", 2, "Nicolas Dufourcq", 1, 1, ["DG", "directeur général"], ["Bpifrance"]),
    ]


def test_top_organisations_per_event_count_mentions_and_posts(con):
    assert rows(con, "SELECT event, rank, organisation, entity_id, mentions, posts"
                     " FROM report_top_organisations_per_event") == [
        ("CES", 1, "Google", "x_gg", 2, 2),
        ("CES", 2, "Bpifrance", "x_bpi", 1, 1),
        ("VivaTech", 1, "Bpifrance", "x_bpi", 3, 2),
        ("VivaTech", 2, "Google", "x_gg", 1, 1),
    ]


def test_co_mentions_count_each_post_once_and_skip_misc(con):
    assert rows(con, "SELECT entity_a, entity_b, posts, events FROM report_co_mentions") == [
        ("Bpifrance", "Clara Chapaz", 2, ["CES", "VivaTech"]),
        ("Bpifrance", "Google", 1, ["CES", "VivaTech"]),
        ("Bpifrance", "Nicolas Dufourcq", 1, ["VivaTech"]),
        ("Bpifrance", "Paris", 1, ["CES", "VivaTech"]),
        ("Clara Chapaz", "Google", 1, ["CES", "VivaTech"]),
        ("Clara Chapaz", "Nicolas Dufourcq", 1, ["VivaTech"]),
        ("Clara Chapaz", "Paris", 1, ["CES", "VivaTech"]),
        ("Google", "Nicolas Dufourcq", 1, ["CES"]),
        ("Google", "Paris", 1, ["CES", "VivaTech"]),
    ]
    assert rows(con, "SELECT entity_a_type, entity_b_type FROM report_co_mentions"
                     " WHERE entity_a = 'Google' AND entity_b = 'Paris'") == [("ORG", "LOC")]


def test_posts_per_site_author_count_speech_quotes_and_events(con):
    from datetime import date

    assert rows(con, "SELECT * FROM report_posts_per_site_author") == [
        ("Le Monde", "Alice Martin", 2, date(2026, 2, 10), date(2026, 2, 20), ["CES", "VivaTech"], 8),
        ("Tech Blog", None, 1, date(2026, 1, 5), date(2026, 1, 5), ["CES"], 1),
    ]


def test_posts_per_site_author_lists_no_events_for_posts_without_any(con):
    con.execute("DELETE FROM post_events WHERE post_id = 'p3'")
    assert rows(con, "SELECT site_name, events FROM report_posts_per_site_author WHERE site_name = 'Tech Blog'") == [
        ("Tech Blog", [])]


def test_run_history_is_newest_first_with_current_failures(con):
    assert rows(con, "SELECT run_id, status, duration_seconds, parser_version, options, posts_written, failures,"
                     " failures_current, failure_reasons FROM report_run_history") == [
        ("r2", "running", None, "v2", '{"stale": true}', 0, 0, 0, []),
        ("r1", "completed_with_failures", 150.0, "v1", None, 3, 3, 3, ["decode: not text", "quotes: timeout"]),
    ]


def test_run_history_keeps_at_most_five_failure_reasons(con):
    con.execute("INSERT INTO failures SELECT '/x' || i || '.html', NULL, 'clean', 'reason ' || i, NULL, 'r2',"
                " '2026-03-02 09:01:00+00' FROM range(7) t(i)")
    assert rows(con, "SELECT run_id, failures_current, failure_reasons FROM report_run_history"
                     " WHERE run_id = 'r2'") == [
        ("r2", 7, [f"clean: reason {i}" for i in range(5)])]
