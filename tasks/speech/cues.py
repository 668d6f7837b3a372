"""A cue: a phrase that may stand for a quote's source, and the construction that points to it.

Shared by the frame finders (`tasks.speech.attribution_frames`, `tasks.speech.incise_frames`)
and read by `tasks.speech.referents` and `tasks.speech.speaker_ranker`.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from tasks.speech.attribution_context import Passage
from tasks.speech.clause_roles import phrase_span


@dataclass(frozen=True)
class Cue:
    """A phrase that may stand for a quote's source, and the construction that points to it."""

    frame: str
    head: int  # token index of the phrase's head
    start: int  # character span of the phrase
    end: int
    marker: tuple[int, int]  # character span of the verb of saying, preposition or colon
    distance: int  # tokens between the quote and the marker


def cue_at(p: Passage, frame: str, head: Token, marker: Token | tuple[int, int], distance: int) -> Cue:
    start, end = phrase_span(head)
    named = p.named_covering(head.idx, head.idx + len(head))
    if named is not None:  # the parser may cut a name it does not know ("Pour Ana Ruiz Gómez, …")
        start, end = min(start, named.start), max(end, named.end)
    span = marker if isinstance(marker, tuple) else (marker.idx, marker.idx + len(marker))
    if start < span[0] < end:  # "La Ministre insiste": a verb the parser hung under its subject
        end = len(p.body[:span[0]].rstrip())
    return Cue(frame, head.i, start, end, span, distance)
