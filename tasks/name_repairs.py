"""Repairs of name spans that follow a pattern of French naming the model does not know.

- an acronym joined by a hyphen makes an organisation's name ("Info'Com-CGT", "Keystone-ATS"),
  never a person's;
- an institution noun takes the adjectives the parser hangs under it ("Conseil" +
  "constitutionnel", "Commission" + "européenne");
- two names joined by "et" before an acronym of both are one name ("Faune et Flore
  Internationale (FFI)");
- a single name the model called MISC, or a name of several capitalised words it called a
  place, followed by a role apposition, is a person ("Zineb, étudiante en lettres");
- an unknown capitalised word the model missed right after an organisation noun is an
  organisation ("le journal Zorbalix", "la start-up Kelvanor");
- a name that runs on into "du ministère de …" is two ("la Dares du ministère du Travail").
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
    raws = [part for r in raws for part in _split_parent(body, r)]
    raws = _coordinated_with_acronym(body, sorted(raws, key=lambda r: (r.start, r.end)))
    return sorted(raws + _named_after_org_nouns(doc, raws), key=lambda r: (r.start, r.end))


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
    """ "Zineb, étudiante en lettres": a one-word MISC name, or a name of several capitalised words
    the model called a place, before a role apposition is a person ("M'Jid El Guerrab, alors député")."""
    text = body[raw.start:raw.end]
    words = text.split()
    shape = raw.label == "MISC" and len(words) == 1 or raw.label in ("MISC", "LOC") and 2 <= len(words) <= 4 \
        and all(w[:1].isupper() for w in words)
    if shape and text[:1].isupper() and not text.isupper() \
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


_PARENT = re.compile(r"\s+(?:du|de la|de l['’])\s*(?=(?:ministère|ministry|gouvernement|conseil|préfecture|mairie)\b)")


def _split_parent(body: str, raw: NameSpan) -> list[NameSpan]:
    """ "Dares du ministère de l'Emploi": a capitalised name, then the lowercase institution it belongs to."""
    text = body[raw.start:raw.end]
    cut = _PARENT.search(text)
    if raw.label == "PERSON" or cut is None or not text[:1].isupper() or cut.start() == 0:
        return [raw]
    parent = raw.start + cut.end()
    return [NameSpan(raw.start, raw.start + cut.start(), "ORG", raw.sentence),
            NameSpan(parent, raw.end, "ORG", raw.sentence)]


_ORG_NOUNS = {"journal", "quotidien", "hebdomadaire", "magazine", "site", "média", "agence", "ong", "association",
              "société", "entreprise", "start-up", "startup", "groupe", "cabinet", "syndicat", "parti", "collectif",
              "fondation", "institut", "chaîne", "radio", "label", "banque", "plateforme", "application", "compagnie",
              "opérateur", "constructeur", "éditeur", "laboratoire", "club", "fonds", "assureur", "mutuelle"}


def _named_after_org_nouns(doc: Doc, raws: list[NameSpan]) -> list[NameSpan]:
    """ "le journal Zorbalix": a capitalised word the model missed after a determiner and an
    organisation noun, unless it is a word of the language ("le site Internet")."""
    found: list[NameSpan] = []
    taken = iter(raws)
    current = next(taken, None)
    for token in doc[2:]:
        while current is not None and current.end <= token.idx:
            current = next(taken, None)
        previous = doc[token.i - 1]
        if (previous.lower_ in _ORG_NOUNS and doc[token.i - 2].pos_ == "DET" and token.text[:1].isupper()
                and token.pos_ in ("PROPN", "NOUN", "X") and not doc.vocab[token.lower_].has_vector
                and (current is None or current.start >= token.idx + len(token))
                and not token.is_sent_start):
            sentence = (token.sent.start_char, token.sent.end_char)
            found.append(NameSpan(token.idx, token.idx + len(token), "ORG", sentence))
    return found
