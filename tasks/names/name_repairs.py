"""Repairs of name spans that follow a pattern of French naming the model does not know.

- an acronym joined by a hyphen makes an organisation's name ("Vexa-CFDT", "Orvalis-ATS"),
  never a person's nor a place's;
- an institution noun takes the adjectives the parser hangs under it ("Conseil" +
  "constitutionnel", "Commission" + "européenne");
- a one-word name the model called MISC, or a name of several capitalised words it called a
  place, before a role apposition is a person ("Yasmina, étudiante en lettres", "Kaïs El
  Mansouri, alors député");
- a person's name ends at its last capitalised word: the model runs an unknown name on into
  the verb after it ("Hugo sourit" is Hugo);
- a word of the language alone at the head of a line ("Bonus", "Source : …") is a heading,
  and an acronym of a common noun ("AG", "JT", "PME") is no name.
Measured on the development pages by removing each, these help 2, 1, 2, 4 and 2 pages; the
institution rule, which helps one, also raises bench.ner's europeana ORG F1 (0.1618 ->
0.1642). Three more repairs that each helped one page only and nothing on bench.ner were
removed: "X et Y (ACR)" as one name, "X du ministère de Y" as two, and an unknown name after
an organisation noun ("le journal Zorbalix"). Each repair takes the spans of
`tasks.names.entity_spans.name_spans` and returns new ones; none decides which spans are one entity.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from tasks.names.entity_spans import INSTITUTION, NameSpan
from tasks.names.roles import role_follows, token_index

_HYPHENED_ACRONYM = re.compile(r"^[^\d]*(?:[^\W\d]-[A-Z]{2,}\b|\b[A-Z]{2,}-[A-Z][a-zà-ÿ])[^\d]*$")
_ROLE_RIGHT_AFTER = re.compile(r",\s*(?!(?:le|la|les|l['’]|un|une)\b)", re.I)  # "Yasmina, étudiante", not ", le ministre"


def repair_names(doc: Doc, raws: list[NameSpan], body: str | None = None) -> list[NameSpan]:
    """The spans with every repair applied, in text order (`body`: `doc.text` when the caller has it)."""
    body = doc.text if body is None else body
    raws = [_typed_by_acronym(body, r) for r in raws
            if not _heading_word(doc, body, r) and body[r.start:r.end] not in _COMMON_ACRONYMS]
    raws = [_with_adjectives(doc, body, r) for r in raws]
    raws = [_person_before_role(body, r) for r in raws]
    raws = [_without_trailing_words(body, r) for r in raws]
    return sorted(raws, key=lambda r: (r.start, r.end))


# Acronyms of common nouns, which name no organisation: "en AG", "le JT de 20 heures", "une PME".
_COMMON_ACRONYMS = frozenset({
    "AG", "AGE", "JT", "PV", "CV", "RH", "DRH", "PME", "TPE", "ETI", "TVA", "SMS", "PDF", "QG", "HLM", "RSA",
    "SMIC", "CDI", "CDD", "IVG", "PMA", "GPA", "OGM", "BTP", "TGV", "TER", "RER", "VTC", "IA", "VIP", "OPJ",
    "PIB", "IRFM", "RIB", "SDF", "BD", "ONG", "QCM", "HT", "TTC", "PJ", "UV", "4x4", "COVID", "SIDA", "VIH",
})
_HEADING_TAIL = re.compile(r"[ \t]*(?:$|:|\d)", re.M)


def _heading_word(doc: Doc, body: str, raw: NameSpan) -> bool:
    """ "Bonus", "Source : …", "Épisode 13": a word of the language alone at the head of a line,
    before nothing, a colon or a number, is a heading, not a name."""
    text = body[raw.start:raw.end]
    line_start = body.rfind("\n", 0, raw.start) + 1
    return (" " not in text and not text.isupper() and not body[line_start:raw.start].strip(" \t-–—•*")
            and _HEADING_TAIL.match(body, raw.end) is not None and not INSTITUTION.fullmatch(text)
            and all(doc.vocab[part].has_vector for part in text.lower().split("-")))


def _typed_by_acronym(body: str, raw: NameSpan) -> NameSpan:
    """ "Vexa-CFDT": a capitals-only part joined by a hyphen names an organisation."""
    text = body[raw.start:raw.end]
    if raw.label != "ORG" and not raw.role_ref and not text.isupper() and _HYPHENED_ACRONYM.search(text):
        return NameSpan(raw.start, raw.end, "ORG", raw.sentence)
    return raw


def _with_adjectives(doc: Doc, body: str, raw: NameSpan) -> NameSpan:
    """ "Conseil" + "constitutionnel": lowercase adjectives right after a one-word institution name,
    hung under it by the parser."""
    if raw.label not in ("ORG", "MISC") or " " in body[raw.start:raw.end] \
            or not INSTITUTION.fullmatch(body[raw.start:raw.end]):
        return raw
    i = token_index(doc, raw.end)
    name = i - 1
    end = raw.end
    while i < len(doc) and doc[i].pos_ == "ADJ" and doc[i].text.islower() and doc[i].head.i == name \
            and doc[i].idx == end + 1 and "\n" not in doc[i - 1].whitespace_:
        end = doc[i].idx + len(doc[i])
        i += 1
    return raw if end == raw.end else NameSpan(raw.start, end, "ORG", raw.sentence)


def _person_before_role(body: str, raw: NameSpan) -> NameSpan:
    """ "Yasmina, étudiante en lettres": a one-word MISC name, or a name of several capitalised words
    the model called a place, before a role apposition is a person ("Kaïs El Mansouri, alors député")."""
    text = body[raw.start:raw.end]
    words = text.split()
    shape = raw.label == "MISC" and len(words) == 1 or raw.label in ("MISC", "LOC") and 2 <= len(words) <= 4 \
        and all(w[:1].isupper() for w in words)
    if shape and text[:1].isupper() and not text.isupper() \
            and _ROLE_RIGHT_AFTER.match(body, raw.end) and role_follows(body, raw.end):
        return NameSpan(raw.start, raw.end, "PERSON", raw.sentence)
    return raw


_LOWER_TAIL = re.compile(r"(?:\s+[a-zà-ÿ][a-zà-ÿ'’-]*)+$")  # all lower case: "d'Estaing" stays


def _without_trailing_words(body: str, raw: NameSpan) -> NameSpan:
    """ "Hugo sourit", "Anne Roy raconte": lowercase words ending a person's span are not part of the name."""
    if raw.label != "PERSON" or raw.role_ref:
        return raw
    tail = _LOWER_TAIL.search(body, raw.start, raw.end)
    if tail is None or tail.start() == raw.start:
        return raw
    return NameSpan(raw.start, tail.start(), "PERSON", raw.sentence)
