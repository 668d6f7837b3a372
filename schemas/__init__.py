"""Pydantic models shared by tasks, warehouse and flows."""

from schemas.models import (
    EventRef,
    Failure,
    KnownEvent,
    MediaType,
    ParseOutcome,
    Post,
    Quote,
    RawDocument,
    RunReport,
    Span,
    Stage,
)
from schemas.settings import ParseOptions, Settings

__all__ = [
    "EventRef",
    "Failure",
    "KnownEvent",
    "MediaType",
    "ParseOptions",
    "ParseOutcome",
    "Post",
    "Quote",
    "RawDocument",
    "RunReport",
    "Settings",
    "Span",
    "Stage",
]
