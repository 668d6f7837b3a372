"""Models that cross package boundaries: raw documents, parsed posts, failures, run reports.

They are frozen and strict (`extra="forbid"`), so a stage cannot hand the next one a
half-built object; spans are half-open `[start, end)` and checked on construction.
This module imports only pydantic and the standard library.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
NonEmpty = Annotated[str, Field(min_length=1)]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MediaType(StrEnum):
    HTML = "text/html"
    TEXT = "text/plain"


class Stage(StrEnum):
    """Where in the pipeline a document failed; one value per stage of the flow."""

    ACQUIRE = "acquire"
    DECODE = "decode"
    CLEAN = "clean"
    METADATA = "metadata"
    ENTITIES = "entities"
    QUOTES = "quotes"
    LOAD = "load"


class SourceHints(Model):
    """What a source says about a post besides its bytes: parsing weighs it against the page.

    `origin` tells how far to trust it: the WordPress REST API states the site's own
    date, categories and tags, which win over what the page shows; a feed, a sitemap, a
    URL list or a folder only fill what the page leaves empty. Stored with the document,
    so re-processing sees the same hints.
    """

    source: str | None = None
    origin: Literal["wordpress-api", "feed", "sitemap", "urls", "folder"] = "urls"
    event: str | None = None
    language: str | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    published_at: date | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


class RawDocument(Model):
    """Bytes of one input exactly as acquired (gzip transport encoding removed), with its source's hints."""

    doc_id: Sha256
    source_uri: NonEmpty
    content: bytes
    media_type: MediaType
    acquired_at: datetime
    url: str | None = None
    hints: SourceHints | None = None


class Failure(Model):
    """An expected failure of one document: data, not an exception."""

    source_uri: NonEmpty
    stage: Stage
    reason: NonEmpty
    doc_id: Sha256 | None = None
    detail: str | None = None


class Span(Model):
    char_start: Annotated[int, Field(ge=0)]
    char_end: Annotated[int, Field(ge=0)]

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.char_end < self.char_start:
            raise ValueError(f"span end {self.char_end} before start {self.char_start}")
        return self


class EventRef(Model):
    """An event a post covers, by its canonical name and normalised key."""

    name: NonEmpty
    key: NonEmpty
    evidence: Literal["hashtag", "title", "known", "body", "hint"]


EntityType = Literal["PERSON", "ORG", "LOC", "EVENT", "MISC"]


class Entity(Model):
    """One real-world entity, by its canonical (fullest) name; the id is the same in every post."""

    entity_id: NonEmpty
    name: NonEmpty
    type: EntityType


class Mention(Span):
    """One place a post names an entity (a name, a first name, a title such as "la ministre")."""

    entity_id: NonEmpty
    surface: NonEmpty
    sentence_start: int
    sentence_end: int


class Role(Span):
    """A role or affiliation a post states for a person ("DG de BPI France"), with its evidence span."""

    entity_id: NonEmpty
    role: str | None = None
    organisation: str | None = None
    organisation_entity_id: str | None = None


class Quote(Span):
    """A span between quotation marks in a post body, with its speaker when the text names one."""

    text: str
    kind: Literal["speech", "term"]
    open_mark: str
    close_mark: str | None = None
    is_block: bool = False
    continues_previous: bool = False
    context_before: str = ""
    context_after: str = ""
    speaker: str | None = None
    speaker_entity_id: str | None = None
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    attribution_rule: str | None = None
    speaker_confidence: float | None = None
    speaker_phrase: str | None = None


class Post(Model):
    """One cleaned post: body text, normalised metadata, and what later stages found in the body."""

    post_id: NonEmpty
    doc_id: Sha256
    source_uri: NonEmpty
    url: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    title: str | None = None
    author: str | None = None
    authors: tuple[str, ...] = ()
    published_at: date | None = None
    language: str | None = None
    description: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    captions: tuple[str, ...] = ()
    events: tuple[EventRef, ...] = ()
    quotes: tuple[Quote, ...] = ()
    entities: tuple[Entity, ...] = ()
    mentions: tuple[Mention, ...] = ()
    roles: tuple[Role, ...] = ()
    body_text: str
    encoding: str | None = None
    parser_version: NonEmpty

    @model_validator(mode="after")
    def _spans_match_body(self) -> Post:
        for quote in self.quotes:
            if self.body_text[quote.char_start : quote.char_end] != quote.text:
                raise ValueError(f"quote span [{quote.char_start}, {quote.char_end}) does not hold its text")
        for mention in self.mentions:
            if self.body_text[mention.char_start : mention.char_end] != mention.surface:
                raise ValueError(f"mention span [{mention.char_start}, {mention.char_end}) does not hold its surface")
        known = {e.entity_id for e in self.entities}
        if any(m.entity_id not in known for m in self.mentions):
            raise ValueError("a mention names an entity the post does not list")
        return self


class ParseOutcome(Model):
    """What parsing one raw document gave: a post, or the failure that stopped it."""

    doc_id: Sha256
    source_uri: NonEmpty
    post: Post | None = None
    failure: Failure | None = None

    @model_validator(mode="after")
    def _one_of(self) -> ParseOutcome:
        if (self.post is None) == (self.failure is None):
            raise ValueError("a parse outcome holds exactly one of post or failure")
        return self


class RunReport(Model):
    """Counts of one ingest or reprocess run, written to `runs` and shown as a Prefect artifact."""

    run_id: NonEmpty
    flow_run_id: str | None = None
    flow_name: NonEmpty
    started_at: datetime
    finished_at: datetime
    parser_version: NonEmpty
    status: Literal["completed", "completed_with_failures", "crashed"]
    inputs_seen: int = 0
    documents_new: int = 0
    posts_written: int = 0
    posts_unchanged: int = 0
    failures: int = 0
    failures_by_stage: dict[str, int] = Field(default_factory=dict)
    posts_changed: int = 0
    changes: str | None = None  # reprocess: one-line summary of what changed
    sources: tuple[str, ...] = ()  # poll: the sources polled
    pages_fetched: int = 0  # poll: HTTP requests answered or failed (robots.txt and listings included)
    pages_not_modified: int = 0  # poll: answers 304 (not modified)
    pages_skipped: int = 0  # poll: pages the listing showed unchanged, not asked for
    posts_new: int = 0  # poll: posts of a source seen for the first time
