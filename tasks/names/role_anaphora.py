"""A title that names again the person just introduced: "Agnès Roy⏎La ministre de la Santé a
frôlé…", "Paul Roy a reçu les syndicats. Le chef de l'État souhaitait…".

The press introduces a person by name (often in a heading or as a sentence's subject) and
goes on with a definite title as the subject of the next sentence. That title is the
person's role when nothing else could hold it:
- the title opens a definite noun phrase ("le", "la", "l'") that is the subject of its
  clause, before its verb, with no name of its own next to it ("le ministre Jan Novák" is
  `role_before`'s), and states its office with a complement ("la ministre de la Santé", not
  "le juge" nor "l'auteur", which stand for anyone);
- the segment before (the previous sentence or line) names exactly one person as its
  subject, or is a heading that is the name alone;
- no other person of the post already holds that title, and the person was not given it.
Everything else is left alone: a wrong role is worse than none.
"""

from __future__ import annotations

from spacy.tokens import Doc

from tasks.names.predicate_roles import name_root
from tasks.events import fold
from tasks.names.role_phrases import NameLabels, RoleFinding, is_role_token, role_phrase, token_index

_DEFINITE = {"le", "la", "l'", "l’"}
_SUBJECT = ("nsubj", "nsubj:pass")
_FINAL = {".", "!", "?", "…", "»", "”", ":"}
_OF = {"de", "du", "des", "d'", "d’"}


def anaphoric_titles(doc: Doc, persons: list[tuple[int, int]], found: list[RoleFinding],
                     labels: NameLabels) -> list[RoleFinding]:
    """Roles given by a definite title subject of the sentence after the one naming the person."""
    held: dict[str, set[tuple[int, int]]] = {}
    for finding in found:
        if finding.role:
            held.setdefault(_title(finding.role), set()).add(finding.person)
    segments = _segments(doc)
    out = []
    for before, (a, b) in zip(segments, segments[1:]):
        title = next((t for t in doc[a:b] if t.dep_ in _SUBJECT and t.i < t.head.i and is_role_token(t)
                      and any(c.dep_ == "det" and c.lower_ in _DEFINITE for c in t.children)), None)
        if title is None:
            continue
        phrase = role_phrase(doc, title.i, labels)
        if not any(t.lower_ in _OF for t in doc[title.i + 1:phrase.end]):
            continue  # "le juge", "l'auteur", "le buteur breton": a title without its office is anyone's
        start, end = doc[phrase.start].idx, doc[phrase.end - 1].idx + len(doc[phrase.end - 1])
        if any(start <= p < end + 2 for p, _ in persons):
            continue  # "le ministre Jan Novák": the title has its own name
        person = _introduced(doc, persons, before)
        if person is None:
            continue
        holders = held.get(_title(phrase.text), set())
        if holders - {person} or person in holders:
            continue
        out.append(RoleFinding(person, " ".join(phrase.text.split()), None if phrase.organisation is None
                               else doc.text[phrase.organisation[0]:phrase.organisation[1]], phrase.organisation,
                               (start, end)))
        held.setdefault(_title(phrase.text), set()).add(person)
    return out


def _introduced(doc: Doc, persons: list[tuple[int, int]], segment: tuple[int, int]) -> tuple[int, int] | None:
    """The one person a segment names as its subject, or names alone."""
    a, b = doc[segment[0]].idx, doc[segment[1] - 1].idx + len(doc[segment[1] - 1])
    inside = [p for p in persons if a <= p[0] < b]
    if len(inside) == 1 and not doc.text[a:b].replace(doc.text[inside[0][0]:inside[0][1]], "").strip(" .:-–—"):
        return inside[0]  # a heading: the name alone on its line
    roots = [name_root(doc, token_index(doc, p[0]), token_index(doc, p[1])) for p in inside]
    subjects = [p for p, r in zip(inside, roots) if r.dep_ in _SUBJECT or r.dep_ == "conj" and r.head.dep_ in _SUBJECT]
    return subjects[0] if len(subjects) == 1 else None  # "Paul Roy et Anne Roy ont signé. Le président…": either


def _segments(doc: Doc) -> list[tuple[int, int]]:
    """Token spans of the lines, cut again after a sentence's final mark (a heading is a segment of
    its own; the parser's cuts inside a line without a final mark are not followed)."""
    out, start = [], 0
    for t in doc:
        if t.is_space and "\n" in t.text:
            if t.i > start:
                out.append((start, t.i))
            start = t.i + 1
        elif t.is_sent_start and t.i > start and doc[t.i - 1].text in _FINAL:
            out.append((start, t.i))
            start = t.i
    if len(doc) > start:
        out.append((start, len(doc)))
    return out


def _title(role: str) -> str:
    return " ".join(fold(role).replace("’", "'").split())
