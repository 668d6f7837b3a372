"""Pages built to hurt the parser: deep nesting, many paragraphs, unbalanced and nested quote
marks, very long words and lines. Whatever the page, parsing gives a post whose spans hold,
or a failure with its stage and reason, within a per-page deadline; never an exception.
(The times and memory of the worst cases at full size are in bench/pathological.py.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas import ParseOptions
from tasks.sources.acquire import acquire_bytes
from tasks.parse import parse_document

NOW = datetime(2026, 1, 1, tzinfo=UTC)
MARKS = ["«", "»", "“", "”", '"', "‘", "’", "'", "‹", "›", "— ", "\u00a0"]
WORDS = ["Anne", "Roy", "a", "dit", "que", "le", "salon", "Paris", "explique", "Zorbalix", ",", ".", ":"]

pieces = st.one_of(st.sampled_from(WORDS), st.sampled_from(MARKS),
                   st.integers(1, 20_000).map(lambda n: "x" * n),  # a very long word
                   st.text(min_size=1, max_size=30))
paragraph = st.lists(pieces, min_size=1, max_size=60).map(" ".join)


def outcome_holds(content: bytes, name: str) -> None:
    raw = acquire_bytes(content, f"/in/{name}", NOW, name=name)
    outcome = parse_document(raw, options=ParseOptions(min_body_chars=1), now=NOW,
                             version="test")
    if outcome.post is None:  # a refusal with its reason, never a parser crash turned into a failure
        assert outcome.failure.stage and outcome.failure.reason
        assert not outcome.failure.reason.startswith("parser error"), outcome.failure.detail
        return
    post = outcome.post
    for span in (*post.quotes, *post.mentions, *post.roles):
        assert 0 <= span.char_start <= span.char_end <= len(post.body_text)
    assert all(post.body_text[q.char_start:q.char_end] == q.text for q in post.quotes)
    assert all(post.body_text[m.char_start:m.char_end] == m.surface for m in post.mentions)


SLOW = settings(max_examples=12, deadline=timedelta(seconds=20), suppress_health_check=[HealthCheck.too_slow],
                derandomize=True)


@SLOW
@given(st.lists(paragraph, min_size=1, max_size=200))
def test_text_dumps_of_unbalanced_quote_marks_and_long_words(paragraphs):
    outcome_holds(("Titre\n\n" + "\n\n".join(paragraphs)).encode(), "dump.txt")


@SLOW
@given(st.lists(paragraph, min_size=1, max_size=40), st.integers(1, 3000), st.sampled_from(["div", "span", "b"]))
def test_deeply_nested_pages(paragraphs, depth, tag):
    inner = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = f"<html><body>{f'<{tag}>' * depth}{inner}{f'</{tag}>' * depth}</body></html>"
    outcome_holds(html.encode(), "nested.html")


@SLOW
@given(st.integers(1, 3000), paragraph, st.integers(1, 200_000))
def test_many_paragraphs_and_very_long_lines(count, text, line):
    html = ("<html><body><article><h1>Titre</h1>" + f"<p>{text}</p>" * count
            + f"<p>{'mot ' * (line // 4)}</p></article></body></html>")
    outcome_holds(html.encode(), "many.html")
