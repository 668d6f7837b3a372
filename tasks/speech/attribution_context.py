"""What the speaker stage knows about one post: tokens, sentences, paragraphs, quotes, named mentions.

The parser's sentences are repaired where quotation marks confuse it (a closing » alone, a
sentence cut before an incise: « … », a-t-il dit) and cut where it missed a full stop, so
"the same sentence" and "the sentence before" mean what a reader means. Lookups by
character offset are binary searches. It holds no attribution rule.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from schemas import Entity, Mention, Quote

_FINAL = re.compile(r"[.!?…:]$")
_MISSED_END = re.compile(r"[.!?…][»”\"]?\s+(?=[«“\"A-ZÀ-Þ])")
_ABBREVIATION = re.compile(r"(?:\b[A-ZÀ-Þ]|\bM|\bMme|\bMM|\bDr|\bPr|\bMe|\bSt|\bp|\bav|\bcf|\betc)\.$")


@dataclass(frozen=True)
class Named:
    """A named mention from the entity stage, outside any quotation."""

    entity_id: str
    start: int
    end: int
    type: str


class Passage:
    """One post's body as the speaker stage reads it."""

    def __init__(self, doc: Doc, quotes: tuple[Quote, ...], mentions: tuple[Mention, ...],
                 entities: tuple[Entity, ...]):
        self.doc, self.body, self.quotes = doc, doc.text, quotes
        self.entities = {e.entity_id: e for e in entities}
        # a quote's marks belong to it: one character either side
        self.quote_spans = sorted((q.char_start - 1, q.char_end + 1) for q in quotes)
        self._quote_starts = [a for a, _ in self.quote_spans]
        self.token_starts = [t.idx for t in doc]
        self.sentences = _split(self.body, _merge(self.body, [(s.start_char, s.end_char) for s in doc.sents]),
                                self.quote_spans)
        self.sentence_starts = [a for a, _ in self.sentences]
        self.paragraph_starts = [0] + [m.end() for m in re.finditer(r"\n+", self.body)]
        named = [Named(m.entity_id, m.char_start, m.char_end, self.entities[m.entity_id].type)
                 for m in mentions if m.entity_id in self.entities]
        self.named = sorted((n for n in named if not self.in_quote(n.start)), key=lambda n: n.start)
        self.quoted = sorted((n for n in named if self.in_quote(n.start)), key=lambda n: n.start)
        self._named_starts = [n.start for n in self.named]
        self._quoted_starts = [n.start for n in self.quoted]
        self._of_entity: dict[str, list[Named]] = {}
        for n in self.named:
            self._of_entity.setdefault(n.entity_id, []).append(n)
        self._of_entity_starts = {e: [n.start for n in ns] for e, ns in self._of_entity.items()}

    # -- quotes
    def in_quote(self, at: int) -> bool:
        """Whether character `at` lies inside a quotation or on its marks."""
        i = bisect_right(self._quote_starts, at) - 1
        while i >= 0:
            a, b = self.quote_spans[i]
            if a <= at < b:
                return True
            if b <= at and a < at - 2000:
                return False
            i -= 1
        return False

    def next_quote_start(self, at: int) -> int:
        """Where the first quotation (its mark) that starts after `at` starts, or the body's length."""
        i = bisect_right(self._quote_starts, at)
        return self._quote_starts[i] if i < len(self._quote_starts) else len(self.body)

    # -- units
    def sentence_of(self, at: int) -> int:
        return max(bisect_right(self.sentence_starts, at) - 1, 0)

    def paragraph_of(self, at: int) -> int:
        return max(bisect_right(self.paragraph_starts, at) - 1, 0)

    def token_at(self, at: int) -> Token | None:
        """The token that starts at or after character `at`."""
        i = bisect_left(self.token_starts, at)
        return self.doc[i] if i < len(self.doc) else None

    def token_covering(self, at: int) -> Token | None:
        i = bisect_right(self.token_starts, at) - 1
        return self.doc[i] if i >= 0 else None

    def tokens_between(self, start: int, end: int) -> list[Token]:
        """Tokens starting in [start, end) that are outside quotations."""
        i, j = bisect_left(self.token_starts, start), bisect_left(self.token_starts, end)
        return [t for t in self.doc[i:j] if not self.in_quote(t.idx)]

    # -- named mentions
    def named_in(self, start: int, end: int) -> list[Named]:
        i, j = bisect_left(self._named_starts, start), bisect_left(self._named_starts, end)
        return self.named[i:j]

    def last_mention(self, entity_id: str, before: int) -> Named | None:
        """The entity's last mention (outside quotes) that starts before `before`."""
        i = bisect_left(self._of_entity_starts.get(entity_id, []), before)
        return self._of_entity[entity_id][i - 1] if i else None

    def named_covering(self, start: int, end: int, quoted: bool = False) -> Named | None:
        """The named mention that overlaps [start, end), the longest first; with `quoted`, among
        the mentions inside quotations (an incise the marks enclose: « Non, répondit Paul »)."""
        mentions, starts = (self.quoted, self._quoted_starts) if quoted else (self.named, self._named_starts)
        i = bisect_right(starts, end) - 1
        found = []
        while i >= 0 and mentions[i].start > start - 200:
            n = mentions[i]
            if n.start < end and start < n.end:
                found.append(n)
            i -= 1
        return max(found, key=lambda n: n.end - n.start) if found else None


def _merge(body: str, sentences: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join a sentence the parser cut without a final mark or a line break to the next one."""
    merged: list[list[int]] = []
    for a, b in sentences:
        if merged:
            pa, pb = merged[-1]
            text = body[pa:pb].rstrip().rstrip("»”\"’› )").rstrip()
            if "\n" not in body[pa:a] and not body[pa:pb].endswith("\n") and not _FINAL.search(text):
                merged[-1][1] = b
                continue
        merged.append([a, b])
    return [(a, b) for a, b in merged]


def _split(body: str, sentences: list[tuple[int, int]], quote_spans) -> list[tuple[int, int]]:
    """Cut where the parser missed a sentence end outside any quotation (". « Une erreur… »")."""
    starts = [qa for qa, _ in quote_spans]
    out = []
    for a, b in sentences:
        cuts = [a]
        for m in _MISSED_END.finditer(body, a, b):
            at = m.end()
            i = bisect_left(starts, at) - 1
            if i >= 0 and quote_spans[i][0] < at < quote_spans[i][1]:
                continue  # inside a quotation: its own sentences
            if _ABBREVIATION.search(body, max(a, m.start() - 6), m.start() + 1):
                continue
            cuts.append(at)
        cuts.append(b)
        out.extend((x, y) for x, y in zip(cuts, cuts[1:]) if y > x)
    return out
