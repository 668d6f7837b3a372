from datetime import UTC, datetime

import pytest

from schemas import ParseOptions, Stage
from tasks import parse as parse_module
from tasks.sources.acquire import acquire_bytes
from tasks.text.language import detect_language
from tasks.parse import parse_document

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def parse(content: bytes, name: str = "post.txt", **options):
    raw = acquire_bytes(content, f"/in/{name}", NOW, name=name)
    return parse_document(raw, options=ParseOptions(**options), now=NOW, version="test")


def test_parse_document_gives_a_post_with_quotes_and_events(seeds):
    outcome = parse((seeds / "000_15e261c73f3f5a02.txt").read_bytes(), "000.txt")
    post = outcome.post
    assert outcome.failure is None and post.language == "fr"
    assert [e.name for e in post.events] == ["VivaTech"]
    speech = [q for q in post.quotes if q.kind == "speech"]
    assert len(speech) >= 25
    assert all(post.body_text[q.char_start : q.char_end] == q.text for q in post.quotes)


def test_parse_document_records_a_parser_crash_as_a_failure(monkeypatch, seeds):
    def explode(text):
        raise RuntimeError("boom")

    monkeypatch.setattr(parse_module, "dump_fields", lambda text, url, now: explode(text))
    outcome = parse((seeds / "000_15e261c73f3f5a02.txt").read_bytes())
    assert outcome.post is None
    assert (outcome.failure.stage, outcome.failure.reason, outcome.failure.detail) == (
        Stage.CLEAN, "parser error: RuntimeError", "boom")


def test_a_body_the_model_cannot_take_fails_alone_and_its_batch_goes_on(monkeypatch, seeds):
    import tasks.names.nlp

    whole = tasks.names.nlp.parse_texts

    def fragile(nlp, texts, *args):
        texts = list(texts)
        if len(texts) > 1 or "POISON" in texts[0]:
            raise ValueError("text too long for the model")
        return whole(nlp, texts, *args)

    monkeypatch.setattr(tasks.names.nlp, "parse_texts", fragile)
    seed = (seeds / "000_15e261c73f3f5a02.txt").read_bytes()
    raws = [acquire_bytes(seed, "/in/a.txt", NOW, name="a.txt"),
            acquire_bytes(seed.replace(b" les ", b" POISON ", 1), "/in/b.txt", NOW, name="b.txt")]
    outcomes = parse_module.parse_batch(raws, options=ParseOptions(), now=NOW,
                                        version="test")
    assert [o.source_uri for o in outcomes] == ["/in/a.txt", "/in/b.txt"]
    assert outcomes[0].post is not None and outcomes[0].post.entities
    assert (outcomes[1].failure.stage, outcomes[1].failure.reason) == (Stage.ENTITIES, "parser error: ValueError")


def _many_paragraphs(count: int) -> bytes:
    return ("<html><body><article><h1>Titre</h1>" + "".join(
        f"<p>« Nous irons au bout {i} », dit Anne Roy à Paris.</p>" for i in range(count))
        + "</article></body></html>").encode()


def test_a_page_over_the_parse_budget_is_refused_before_extraction_and_its_batch_goes_on(monkeypatch, seeds):
    extracted = []
    monkeypatch.setattr(parse_module, "html_fields", lambda *a, **k: extracted.append(1) or {})
    raws = [acquire_bytes(_many_paragraphs(300), "/in/huge.html", NOW, name="huge.html"),
            acquire_bytes((seeds / "002_535313587524418b.txt").read_bytes(), "/in/seed.txt", NOW, name="seed.txt")]
    outcomes = parse_module.parse_batch(raws, options=ParseOptions(
        max_html_elements=200), now=NOW, version="test")
    assert (outcomes[0].failure.stage, outcomes[0].failure.reason) == (
        Stage.CLEAN, "page has more than 200 HTML elements, the parse budget (COVPIPE_PARSE__MAX_HTML_ELEMENTS)")
    assert not extracted  # refused before the extraction, whose time grows with the square of the elements
    assert outcomes[1].post is not None and outcomes[1].post.quotes


def test_a_body_over_the_parse_budget_is_refused_before_the_language_model(seeds):
    text = "Titre\n\n" + "\n\n".join(f"« Nous irons au bout {i} », dit Anne Roy." for i in range(100))
    outcome = parse(text.encode(), "long.txt", max_body_chars=2000)
    assert outcome.failure.stage == Stage.CLEAN
    assert outcome.failure.reason.startswith("article text is ") and "over the parse budget of 2,000" in \
        outcome.failure.reason


def test_parse_document_refuses_short_bodies_with_the_reason():
    outcome = parse("Titre\n\nTrop court.".encode(), min_body_chars=80)
    assert outcome.failure.reason == "article text too short (11 characters)"


@pytest.mark.parametrize(("text", "hint", "expected"), [
    ("Le salon a ouvert ses portes ce matin à Paris, avec des milliers de visiteurs venus voir les startups. " * 3,
     "en", "fr"),
    ("The fair opened this morning in Paris with thousands of visitors who came to see the startups. " * 3,
     "fr", "en"),
    ("Court.", "fr-FR", "fr"),
])
def test_detect_language_trusts_the_body_over_the_page(text, hint, expected):
    assert detect_language(text, hint) == expected
