"""Parsing of raw documents into posts: decode, clean, metadata, events, quotes, entities, speakers.

This is the composition of the pure stages; each expected failure comes back as a
`Failure` with its stage, and an unexpected exception in one document becomes a failure
too (with the exception type), so one bad page never stops a batch. It must not touch
the warehouse or the clock: `now` comes in as an argument.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import TypeVar

from schemas import (
    Failure,
    MediaType,
    ParseOptions,
    ParseOutcome,
    Post,
    Quote,
    RawDocument,
    SourceHints,
    Stage,
)
from tasks.sources.acquire import decode_document
from tasks.events import extract_hashtags, title_events
from tasks.text.fields import dump_fields, html_fields
from tasks.text.language import detect_language
from tasks.text.normalize import normalize_line
from tasks.speech.quotes import find_quotes

log = logging.getLogger(__name__)
T = TypeVar("T")
_ELEMENT = re.compile(r"<[A-Za-z]")  # an HTML start tag: what the parse budget counts


class StageError(Exception):
    """An expected failure of one document at one stage; becomes a `failures` row."""

    def __init__(self, stage: Stage, reason: str, detail: str | None = None):
        super().__init__(reason)
        self.stage, self.reason, self.detail = stage, reason, detail


def post_id_for(source_uri: str) -> str:
    """A post is identified by where it came from, so a new version of a page replaces the old."""
    return hashlib.sha256(source_uri.encode()).hexdigest()[:16]


def parse_document(
    raw: RawDocument, *, options: ParseOptions, now: datetime, version: str
) -> ParseOutcome:
    """Parse one document; never raises for a document's content."""
    return parse_batch([raw], options=options, now=now, version=version)[0]


class BatchStopped(RuntimeError):
    """The batch was given up between two documents: `stop()` said so (the run was interrupted)."""


def _until_stopped(items: Iterable[T], stop: Callable[[], bool]) -> Iterator[T]:
    for item in items:
        if stop():
            raise BatchStopped("the run was interrupted")
        yield item


def parse_batch(
    docs: list[RawDocument], *, options: ParseOptions, now: datetime,
    version: str, stop: Callable[[], bool] = lambda: False,
) -> list[ParseOutcome]:
    """Parse a batch of documents; one outcome per document, in order. `stop` is asked between
    documents: when it says so, the batch is given up (BatchStopped).

    Cleaning and metadata run per document; the language model then runs over the batch's
    bodies (`parse_texts`), which is where most of the time goes.
    """
    outcomes = [_guarded(raw, Stage.CLEAN, lambda r=raw: prepare_post(r, options, now, version))
                for raw in _until_stopped(docs, stop)]
    ready = [o.post for o in outcomes if o.post is not None]
    if not ready:
        return outcomes
    # spaCy loads where parsing runs: the flow's process imports this module but, with
    # parse workers, never parses, so it does not pay for spaCy's import (seconds, 100+ MB).
    from tasks.names.nlp import load_nlp, parse_texts

    nlp = load_nlp(options.spacy_model)
    try:
        parsed: list = list(_until_stopped(parse_texts(nlp, [p.body_text for p in ready]), stop))
    except BatchStopped:
        raise
    except Exception:  # a body the model cannot take must not fail its batch: each post alone, guarded
        log.exception("language model failed on a batch; parsing its %d posts one by one", len(ready))
        parsed = [None] * len(ready)
    language = iter(zip(ready, parsed, strict=True))
    results = []
    for raw, outcome in _until_stopped(zip(docs, outcomes, strict=True), stop):
        if outcome.post is None:
            results.append(outcome)
            continue
        post, doc = next(language)
        results.append(_guarded(raw, Stage.ENTITIES, lambda post=post, doc=doc: enrich_post(
            post, doc if doc is not None else next(parse_texts(nlp, [post.body_text])))))
    return results


def _guarded(raw: RawDocument, stage: Stage, step) -> ParseOutcome:
    """Run one step of one document; an expected or unexpected failure becomes a failure record."""
    try:
        post = step()
    except StageError as exc:
        failure = Failure(
            source_uri=raw.source_uri, doc_id=raw.doc_id, stage=exc.stage, reason=exc.reason, detail=exc.detail
        )
        return ParseOutcome(doc_id=raw.doc_id, source_uri=raw.source_uri, failure=failure)
    except Exception as exc:  # a parser bug on one page must not stop the run; it is recorded
        log.exception("unexpected error parsing %s", raw.source_uri)
        failure = Failure(
            source_uri=raw.source_uri, doc_id=raw.doc_id, stage=stage,
            reason=f"parser error: {type(exc).__name__}", detail=str(exc)[:2000],
        )
        return ParseOutcome(doc_id=raw.doc_id, source_uri=raw.source_uri, failure=failure)
    return ParseOutcome(doc_id=raw.doc_id, source_uri=raw.source_uri, post=post)


def enrich_post(post: Post, doc) -> Post:
    """Entities, mentions, roles and speakers, from the language model's parse `doc` of the body."""
    from tasks.names.entities import extract_entities
    from tasks.speech.speakers import attribute_speakers

    entities, mentions, roles = extract_entities(doc, post.events)
    found = attribute_speakers(doc, post.quotes, mentions, entities, roles, language=post.language)
    return post.model_copy(update=dict(entities=found.entities, mentions=found.mentions, roles=roles,
                                       quotes=found.quotes))


def prepare_post(
    raw: RawDocument, options: ParseOptions, now: datetime, version: str
) -> Post:
    """A post before the language model: decoded, cleaned, with metadata, events and quote spans.
    Raises `StageError` for a document that cannot become a post."""
    if len(raw.content) > options.max_document_bytes:
        raise StageError(
            Stage.DECODE,
            f"document is {len(raw.content) / 2**20:.1f} MB, over the parse limit of "
            f"{options.max_document_bytes / 2**20:.1f} MB (COVPIPE_PARSE__MAX_DOCUMENT_BYTES)",
        )
    decoded = decode_document(raw)
    if isinstance(decoded, Failure):
        raise StageError(decoded.stage, decoded.reason, decoded.detail)
    text, encoding = decoded
    # A page is judged as of when it was acquired (dates after that are impossible), so
    # re-processing it later gives the same post.
    now = min(now, raw.acquired_at)
    budget = options.max_html_elements
    if raw.media_type is MediaType.HTML and _count(_ELEMENT, text, budget) > budget:
        raise StageError(
            Stage.CLEAN,
            f"page has more than {options.max_html_elements:,} HTML elements, the parse budget "
            "(COVPIPE_PARSE__MAX_HTML_ELEMENTS)",
        )
    fields = html_fields(text, raw.url, now) if raw.media_type is MediaType.HTML else dump_fields(text, raw.url, now)
    page_language = fields.pop("language_hint", None)
    fields = _with_hints(fields, raw.hints, now)
    body = fields.pop("body")
    if len(body) > options.max_body_chars:
        raise StageError(
            Stage.CLEAN,
            f"article text is {len(body):,} characters, over the parse budget of {options.max_body_chars:,} "
            "(COVPIPE_PARSE__MAX_BODY_CHARS)",
        )
    if len(body) < options.min_body_chars:
        raise StageError(
            Stage.CLEAN,
            "no article text found" if not body else f"article text too short ({len(body)} characters)",
        )
    title = fields.get("title")
    quotes = extract_quotes(body)
    hashtags = extract_hashtags(f"{title or ''}\n{body}")
    events = title_events(title, raw.hints.event if raw.hints else None)
    return Post(
        post_id=post_id_for(raw.source_uri),
        doc_id=raw.doc_id,
        source_uri=raw.source_uri,
        url=raw.url,
        body_text=body,
        hashtags=tuple(hashtags),
        events=tuple(events),
        quotes=quotes,
        encoding=encoding,
        parser_version=version,
        language=detect_language(body, (raw.hints.language if raw.hints else None) or page_language),
        **fields,
    )


def _count(pattern: re.Pattern, text: str, limit: int) -> int:
    """How many times `pattern` occurs in `text`, counted up to `limit` + 1 (no list of matches)."""
    return sum(1 for _ in islice(pattern.finditer(text), limit + 1))


def _with_hints(fields: dict, hints: SourceHints | None, now: datetime) -> dict:
    """Metadata with the source's hints: the WordPress API's date and taxonomy win over what
    the page shows (the site states them); anything else only fills what the page left empty."""
    if hints is None:
        return fields
    fields = dict(fields)
    site_says = hints.origin == "wordpress-api"
    title = normalize_line(hints.title or "") or None
    published = hints.published_at if hints.published_at and hints.published_at <= now.date() else None
    for key, value, hint_wins in (("title", title, False), ("published_at", published, site_says),
                                  ("categories", hints.categories, site_says), ("tags", hints.tags, site_says)):
        if value and (hint_wins or not fields.get(key)):
            fields[key] = value
    if hints.authors and not fields.get("authors"):
        fields["authors"] = hints.authors
        fields["author"] = ", ".join(hints.authors)
    return fields


def extract_quotes(body: str, context_chars: int = 200) -> tuple[Quote, ...]:
    """Quotations of a body as models, with the text around each one."""
    return tuple(
        Quote(
            char_start=span.char_start, char_end=span.char_end, text=span.text, kind=span.kind,
            open_mark=span.open_mark, close_mark=span.close_mark, is_block=span.is_block,
            continues_previous=span.continues_previous,
            context_before=body[max(0, span.char_start - context_chars) : span.char_start].lstrip(),
            context_after=body[span.char_end : span.char_end + context_chars].rstrip(),
        )
        for span in find_quotes(body)
    )


