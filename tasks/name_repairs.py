"""Repairs of name spans that follow a pattern of French naming the model does not know.

- an acronym joined by a hyphen makes an organisation's name ("Info'Com-CGT", "Keystone-ATS"),
  never a person's;
- an institution noun takes the adjectives the parser hangs under it ("Conseil" +
  "constitutionnel", "Commission" + "européenne");
- two names joined by "et" before an acronym of both are one name ("Faune et Flore
  Internationale (FFI)");
- a single name the model called MISC, followed by a role apposition, is a person ("Zineb,
  étudiante en lettres").
Each repair takes the spans of `tasks.entity_spans.name_spans` and returns new ones; none
decides which spans are one entity.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from tasks.entity_spans import INSTITUTION, NameSpan, initials
from tasks.roles import role_follows, token_index

_HYPHENED_ACRONYM = re.compile(r"^[^\d]*(?:[^\W\d]-[A-Z]{2,}\b|\b[A-Z]{2,}-[A-Z][a-zà-ÿ])[^\d]*$")
_ROLE_RIGHT_AFTER = re.compile(r",\s*(?!(?:le|la|les|l['’]|un|une)\b)", re.I)  # "Zineb, étudiante", not ", le ministre"
_ACRONYM_AFTER = re.compile(r"\s*\(\s*([A-Z]{2,8})\s*\)")


def repair_names(doc: Doc, raws: list[NameSpan]) -> list[NameSpan]:
    """The spans with every repair applied, in text order."""
    body = doc.text
    raws = [_typed_by_acronym(body, r) for r in raws]
    raws = [_with_adjectives(doc, r) for r in raws]
    raws = [_person_before_role(body, r) for r in raws]
    return sorted(_coordinated_with_acronym(body, raws), key=lambda r: (r.start, r.end))


def _typed_by_acronym(body: str, raw: NameSpan) -> NameSpan:
    """ "Info'Com-CGT": a capitals-only part joined by a hyphen names an organisation."""
    text = body[raw.start:raw.end]
    if raw.label != "ORG" and not raw.role_ref and not text.isupper() and _HYPHENED_ACRONYM.search(text):
        return NameSpan(raw.start, raw.end, "ORG", raw.sentence)
    return raw


def _with_adjectives(doc: Doc, raw: NameSpan) -> NameSpan:
    """ "Conseil" + "constitutionnel": lowercase adjectives right after a one-word institution name,
    hung under it by the parser."""
    if raw.label not in ("ORG", "MISC") or " " in doc.text[raw.start:raw.end] \
            or not INSTITUTION.fullmatch(doc.text[raw.start:raw.end]):
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
    """ "Zineb, étudiante en lettres": a one-word MISC name before a role apposition is a person."""
    text = body[raw.start:raw.end]
    if raw.label == "MISC" and " " not in text and text[:1].isupper() and not text.isupper() \
            and _ROLE_RIGHT_AFTER.match(body, raw.end) and role_follows(body, raw.end):
        return NameSpan(raw.start, raw.end, "PERSON", raw.sentence)
    return raw


def _coordinated_with_acronym(body: str, raws: list[NameSpan]) -> list[NameSpan]:
    """ "Faune" + "et" + "Flore Internationale" + "(FFI)": one organisation when the acronym spells both."""
    out: list[NameSpan] = []
    skip = False
    for first, second in zip(raws, [*raws[1:], None]):
        if skip:
            skip = False
            continue
        acronym = _ACRONYM_AFTER.match(body, second.end) if second is not None else None
        if acronym and body[first.end:second.start] == " et " \
                and initials(body[first.start:second.end]) == acronym[1].casefold():
            out.append(NameSpan(first.start, second.end, "ORG", first.sentence))
            skip = True
            continue
        out.append(first)
    return out
