"""Speakers of quotes: who said what, found the way a careful reader does, or NULL.

Rules, in order of trust (the first that fires wins; `attribution_rule` records it):
  according   selon X / pour X / d'après X in the quote's sentence
  incise      « … », explique Audrey Bourolleau / « … », me déclare-t-il / « … », ajoute la ministre,
              also inside the quote's text (« Je suis inquiet, glisse-t-il, pour mon avenir »)
  colon       Simon : « … » / chez Yann, « … » (a name right before the opening mark)
  cue         a verb of saying in the quote's sentence, before the quote, and its subject
              (the parser's subject, a pronoun's antecedent, or the sentence's first person)
  announced   the quote opens its sentence and the sentence before ends with ":" (X a déclaré :)
  shared      another quote of the same sentence has a speaker
  title       the title names a declarant ("une déclaration de Clara Chapaz")
  continuation the nearest earlier attributed quote, within two sentences, when no other
              person is named in between (lower confidence)
A pronoun or a title ("elle", "la ministre") stands for the person named just before, or
for the person the post gave that role. A wrong speaker is worse than none: nothing fires
without one of these cues. Verbs of saying live in data/speech_verbs_*.txt.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from importlib import resources

from spacy.tokens import Doc

from schemas import Entity, Mention, Quote

_CLITIC = r"(?:(?:me|m['’]|nous|lui|leur|se|s['’]|te|t['’]|leur)\s*)?"
_AFTER = re.compile(
    rf"^[\s»”\"›«]*[,!?…]?\s*{_CLITIC}(?P<verb>[\w’'-]+?)(?:-t)?(?:-(?P<pron>il|elle|ils|elles|on))?(?=[\s,.;:!?)]|$)",
    re.I,
)
_ACCORDING = re.compile(r"(?:^|[\s,(])(?:selon|d['’]après|pour|according to)\s+$", re.I)
_PRONOUNS = {"il", "elle", "ils", "elles", "he", "she", "they", "celui-ci", "celle-ci"}
_DECLARANT = re.compile(
    r"(?:déclaration|interview|entretien|discours|propos|message|appel|conseils?|confidences?|paroles?)"
    r"\s+(?:de|d['’])\s+(?P<name>[A-ZÀ-ÖØ-Þ][\w'’-]+(?:\s+[A-ZÀ-ÖØ-Þ][\w'’-]+){0,3})"
)


@dataclass(frozen=True)
class _Person:
    entity_id: str
    name: str
    start: int
    end: int


@cache
def speech_verbs() -> frozenset[str]:
    """Inflected verbs of saying, French and English, lower case."""
    forms: set[str] = set()
    for name in ("speech_verbs_fr.txt", "speech_verbs_en.txt"):
        text = resources.files("tasks").joinpath("data", name).read_text("utf-8")
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            lemma, _, listed = line.partition(":")
            forms.update(f.casefold() for f in listed.split()) if listed else forms.update(_regular_er(lemma))
    return frozenset(f.removeprefix("s'").removeprefix("s’").removeprefix("se ") for f in forms)


def _regular_er(lemma: str) -> set[str]:
    lemma = lemma.casefold().removeprefix("s'").removeprefix("se ")
    stem = lemma[:-2]
    endings = ("e", "es", "ent", "ait", "aient", "a", "èrent", "era", "eront", "erait", "é", "ée", "és", "er", "ant")
    return {stem + e for e in endings}


def attribute_speakers(
    doc: Doc, quotes: tuple[Quote, ...], mentions: tuple[Mention, ...], entities: tuple[Entity, ...],
    title: str | None = None,
) -> tuple[Quote, ...]:
    """The quotes with speaker, speaker entity, cue, rule and confidence where the text says who spoke."""
    body = doc.text
    kinds = {e.entity_id: e for e in entities if e.type in ("PERSON", "ORG", "LOC")}
    sources = [_Person(m.entity_id, kinds[m.entity_id].name, m.char_start, m.char_end)
               for m in mentions if m.entity_id in kinds]
    people = [p for p in sources if kinds[p.entity_id].type == "PERSON"]
    sentences = [(s.start_char, s.end_char) for s in doc.sents]
    starts = [s for s, _ in sentences]
    result: list[Quote] = []
    for quote in quotes:
        if quote.kind != "speech":
            result.append(quote)
            continue
        index = max(bisect_right(starts, quote.char_start) - 1, 0)
        found = (
            _according(body, quote, sources, sentences[index])
            or _incise(body, quote, sources, people)
            or _inner_incise(body, quote, sources, people)
            or _colon(body, quote, sources)
            or _cue(doc, quote.char_start, sources, people, sentences[index])
            or _announced(doc, quote, sources, people, sentences, index)
        )
        result.append(quote.model_copy(update=found) if found else quote)
    result = _share_within_sentences(result, sentences, starts)
    return _continue_runs(result, people, starts, _title_declarant(title, people))


def _speaker(person: _Person | None, rule: str, confidence: float, cue: tuple[int, int] | None, body: str) -> dict:
    if person is None:
        return {}
    return dict(
        speaker=person.name, speaker_entity_id=person.entity_id, attribution_rule=rule, confidence=confidence,
        cue=body[cue[0]:cue[1]] if cue else None, cue_start=cue[0] if cue else None, cue_end=cue[1] if cue else None,
    )


def _antecedent(people: list[_Person], before: int) -> _Person | None:
    earlier = [p for p in people if p.end <= before]
    return earlier[-1] if earlier else None


def _incise(body: str, quote: Quote, sources: list[_Person], people: list[_Person]) -> dict:
    """« … », explique X  /  « … », me déclare-t-il  /  « … », ajoute madame la ministre."""
    after_at = quote.char_end
    window = body[after_at : after_at + 80]
    match = _AFTER.match(window)
    if not match or not re.match(r"^[\s»”\"›«]*[,!?…]", window):
        return {}
    return _incise_subject(body, after_at, match, quote.char_start, sources, people, strict_verb=False)


_INNER = re.compile(rf"[,;]\s*{_CLITIC}(?P<verb>[\w’'-]+?)(?:-t)?(?:-(?P<pron>il|elle|ils|elles|on))?(?=[\s,.;:!?)]|$)", re.I)


def _inner_incise(body: str, quote: Quote, sources: list[_Person], people: list[_Person]) -> dict:
    """« Je suis inquiet, glisse-t-il, pour mon avenir »: the incise stayed inside the quote's text."""
    for match in _INNER.finditer(quote.text):
        if match["verb"].casefold() not in speech_verbs():
            continue
        found = _incise_subject(body, quote.char_start, match, quote.char_start, sources, people, strict_verb=True)
        if found:
            return found | {"attribution_rule": "inner-" + found["attribution_rule"]}
    return {}


def _incise_subject(body, offset, match, before, sources, people, *, strict_verb: bool) -> dict:
    cue = (offset + match.start("verb"), offset + match.end("verb"))
    if match["pron"]:
        return _speaker(_antecedent(people, before), "incise-pronoun", 0.85, cue, body)
    rest = offset + match.end()
    subject = next((p for p in sources
                    if rest <= p.start <= rest + 30 and re.fullmatch(r"\s*(?:\w+\s+){0,3}", body[rest:p.start])), None)
    verb_is_cue = match["verb"].casefold() in speech_verbs()
    if subject is None or strict_verb and not verb_is_cue:
        return {}
    return _speaker(subject, "incise", 0.95 if verb_is_cue else 0.8, cue, body)


def _colon(body: str, quote: Quote, people: list[_Person]) -> dict:
    """Simon : « … »  /  chez Yann, « … »: a name right before the opening mark."""
    opening = quote.char_start - len(quote.open_mark) - 2
    for person in reversed(people):
        if person.end <= quote.char_start and re.fullmatch(r"\s*[:,]\s*[«“\"‹—]?\s*", body[person.end:quote.char_start]):
            return _speaker(person, "colon", 0.8, (person.end, max(person.end, opening)), body)
    return {}


def _according(body: str, quote: Quote, people: list[_Person], sentence: tuple[int, int]) -> dict:
    """selon X, « … »  /  « … », selon X."""
    for person in people:
        if sentence[0] <= person.start < sentence[1]:
            lead = body[max(sentence[0], person.start - 20) : person.start]
            match = _ACCORDING.search(lead)
            if match:
                at = person.start - len(lead) + match.start()
                return _speaker(person, "according", 0.9, (at, person.start), body)
    return {}


def _cue(doc: Doc, until: int, sources: list[_Person], people: list[_Person], sentence: tuple[int, int]) -> dict:
    """A verb of saying before the quote in its sentence, and that verb's subject."""
    verbs = speech_verbs()
    span = doc.char_span(sentence[0], until, alignment_mode="contract")
    if span is None:
        return {}
    for token in reversed(list(span)):
        if token.lower_ not in verbs or token.pos_ in {"NOUN", "PROPN", "DET", "ADP", "PRON"}:
            continue
        cue = (token.idx, token.idx + len(token))
        subject = next((c for c in token.children if c.dep_.startswith("nsubj")), None)
        if subject is not None:
            if subject.lower_ in _PRONOUNS:
                return _speaker(_antecedent(people, subject.idx), "cue-pronoun", 0.85, cue, doc.text)
            left, right = subject.left_edge.idx, subject.right_edge.idx + len(subject.right_edge)
            owner = next((p for p in sources if p.start <= subject.idx < p.end), None) or next(
                (p for p in sources if left <= p.start and p.end <= right), None)
            if owner is not None:
                return _speaker(owner, "cue-subject", 0.9, cue, doc.text)
        first = next((p for p in sources if sentence[0] <= p.start and p.end <= token.idx), None)
        return _speaker(first, "cue-sentence", 0.75, cue, doc.text)
    return {}


def _announced(doc: Doc, quote: Quote, sources, people, sentences, index: int) -> dict:
    """X a déclaré : (new paragraph) « … »: a quote that opens its sentence, announced by the one before."""
    body = doc.text
    start = sentences[index][0]
    if index == 0 or body[start:quote.char_start].strip(" «“\"‹—–-\n"):
        return {}
    previous = sentences[index - 1]
    if not body[previous[0]:previous[1]].rstrip().endswith(":"):
        return {}
    found = _cue(doc, previous[1], sources, people, previous) or _colon_end(body, previous, sources)
    return found | {"attribution_rule": "announced-" + found["attribution_rule"]} if found else {}


def _colon_end(body: str, sentence: tuple[int, int], sources: list[_Person]) -> dict:
    text_end = sentence[0] + len(body[sentence[0]:sentence[1]].rstrip())
    for person in reversed(sources):
        if sentence[0] <= person.start and re.fullmatch(r"\s*:", body[person.end:text_end]):
            return _speaker(person, "colon", 0.8, (person.end, text_end), body)
    return {}


def _share_within_sentences(quotes: list[Quote], sentences, starts) -> list[Quote]:
    """Quotes of one sentence with one attributed quote share its speaker (« A » et « B », dit X)."""
    by_sentence: dict[int, Quote] = {}
    for quote in quotes:
        if quote.speaker:
            by_sentence.setdefault(bisect_right(starts, quote.char_start) - 1, quote)
    shared = []
    for quote in quotes:
        source = by_sentence.get(bisect_right(starts, quote.char_start) - 1)
        if quote.kind == "speech" and not quote.speaker and source is not None:
            quote = quote.model_copy(update=dict(
                speaker=source.speaker, speaker_entity_id=source.speaker_entity_id, attribution_rule="shared",
                confidence=(source.confidence or 0.5) * 0.9, cue=source.cue, cue_start=source.cue_start,
                cue_end=source.cue_end,
            ))
        shared.append(quote)
    return shared


def _title_declarant(title: str | None, people: list[_Person]) -> _Person | None:
    match = _DECLARANT.search(title or "")
    if not match:
        return None
    name = match["name"].casefold()
    return next((p for p in people if p.name.casefold() == name), None)


def _continue_runs(quotes: list[Quote], people: list[_Person], starts, declarant: _Person | None) -> tuple[Quote, ...]:
    """A quote in a run of quotes continues the previous speaker when nobody else is named between."""
    done: list[Quote] = []
    previous: Quote | None = None
    for quote in quotes:
        if quote.kind == "speech" and not quote.speaker:
            if previous is not None:
                sentence_gap = bisect_right(starts, quote.char_start) - bisect_right(starts, previous.char_start)
                others = {p.entity_id for p in people if previous.char_end <= p.start < quote.char_start}
                if sentence_gap <= 2 and others <= {previous.speaker_entity_id}:
                    quote = quote.model_copy(update=dict(
                        speaker=previous.speaker, speaker_entity_id=previous.speaker_entity_id,
                        attribution_rule="continuation", confidence=0.5,
                    ))
            elif declarant is not None:
                quote = quote.model_copy(update=dict(
                    speaker=declarant.name, speaker_entity_id=declarant.entity_id, attribution_rule="title",
                    confidence=0.6,
                ))
        if quote.kind == "speech" and quote.speaker:
            previous = quote
        done.append(quote)
    return tuple(done)
