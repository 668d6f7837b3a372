"""Pydantic models shared by tasks, warehouse and flows."""

from schemas.models import (
    Entity,
    Mention,
    Role,
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
    "Entity",
    "Mention",
    "Role",
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
