"""Role noun phrases read off the dependency parse, and ministers' portfolios.

From a role noun ("ministre", "porte-parole", "chargée") the phrase runs right over what the
parser hangs under it, adjectives and complements ("russe de la Défense", "du ministère des
Affaires étrangères", "de mission à la chambre de commerce"), and stops at punctuation, a
clause (relative, participle, verb), a line break or a person's name not introduced by "de";
on the left it keeps only the words that change the role ("ancien", "ex-", "vice"). Where the
parser hangs a long complement elsewhere ("chef de secteur du massif du Taurel", "fondatrice
ZELVA"), the part-of-speech tags extend the phrase over nouns, names, adjectives and their
prepositions: measured on the development pages, the dependency extent alone loses 6 of 83
role items, on 6 pages. A plural head is given in the singular ("les juristes" -> "juriste").
The organisation inside the phrase is `tasks.names.role_organisations`' work; whose role it is,
`tasks.names.appositions`'.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from tasks.names.role_lexicon import is_role_word, singular
from tasks.names.role_organisations import NameLabels, organisation_in


@dataclass(frozen=True)
class RoleFinding:
    """A role stated for the person at `person` (character span), with its evidence span."""

    person: tuple[int, int]
    role: str | None
    organisation: str | None
    organisation_span: tuple[int, int] | None
    evidence: tuple[int, int]
    portfolio_span: tuple[int, int] | None = None


@dataclass(frozen=True)
class RolePhrase:
    """Tokens [start, end) of a role noun phrase headed by token `head`, its text and organisation."""

    start: int
    end: int
    head: int
    text: str
    organisation: tuple[int, int] | None
    portfolio: tuple[int, int] | None


# Dependents that start a clause or another phrase: the role phrase stops before them.
_CLAUSE = {"acl", "acl:relcl", "advcl", "parataxis", "punct", "cop", "nsubj", "nsubj:pass", "csubj", "obj", "iobj",
           "ccomp", "xcomp", "mark", "aux", "aux:tense", "aux:pass", "aux:caus", "expl", "expl:pv", "expl:pass",
           "expl:subj", "dislocated", "vocative", "discourse", "reparandum", "orphan", "dep"}
_OBLIQUE = {"obl", "obl:arg", "obl:mod", "obl:agent"}
# Left modifiers that change the role; others ("nouveau", "célèbre") describe the person.
_LEFT = {"ancien", "ancienne", "ex", "ex-", "futur", "future", "vice", "vice-", "premier", "première", "haut",
         "haute", "sous"}
_GOVERNMENT = {"ministre", "minister", "secrétaire d'état", "secrétaire d'etat"}
_MAX = 16
_PARTICIPLE = re.compile(r"(?:é|ée|és|ées|u|ue|us|ues)$")


def is_role_token(token: Token, plural: bool = False) -> bool:
    """Whether the token heads a role noun ("maire", "PDG", "chargée" + "de"; with `plural`, "juristes")."""
    doc = token.doc
    following = doc[token.i + 1].text if token.i + 1 < len(doc) else None
    if token.pos_ not in ("NOUN", "PROPN", "ADJ", "VERB", "X") or token.pos_ == "VERB" and _PARTICIPLE.search(token.text) \
            and (following or "").lower() not in ("de", "d'", "d’", "du", "des") \
            and not (token.i > 0 and doc[token.i - 1].pos_ == "DET"):
        return False  # a participle counts with a complement or a determiner: "chargée de mission", "son associé"
    return is_role_word(token.text, following) or plural and token.text.islower() and singular(token.text) is not None


def _allowed(head: Token, limit: int) -> set[int]:
    """Indices of the tokens the parser hangs under `head` inside a noun phrase."""
    keep, stack = set(), [(head, 0)]
    while stack:
        token, depth = stack.pop()
        for child in token.children:
            if child.i <= head.i or child.i >= limit or child.dep_ in _CLAUSE:
                continue
            if child.dep_ in _OBLIQUE and not (token.i == head.i and head.pos_ in ("VERB", "ADJ")):
                continue
            if child.dep_ == "conj" and depth == 0 and not is_role_token(child) \
                    and not any(c.dep_ == "case" for c in child.children):
                continue  # "maire et président", "ministre du Commerce et de l'Industrie"; not "maire et sa femme"
            keep.add(child.i)
            stack.append((child, depth + 1))
    return keep


_OF = {"de", "du", "des", "d'", "d’", "à", "au", "aux", "en", "pour", "chez"}
_ARTICLES = {"la", "le", "l'", "l’", "les"}


_CALENDAR = {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"}


def _chunk_end(doc: Doc, head: int, limit: int) -> int:
    """End of the noun phrase that the tags alone allow after `head`: adjectives, nouns, names
    and their prepositions ("chef de secteur du massif du Taurel", "fondatrice ZELVA"), where the
    parser hangs a long complement elsewhere. Stops at punctuation, a verb, a line break."""
    end = head + 1
    while end < limit and "\n" not in doc[end - 1].whitespace_:
        token = doc[end]
        after = doc[end + 1] if end + 1 < limit else None
        if token.lower_ in _CALENDAR or is_dash(token) or _temporal(doc, end):
            break
        if token.pos_ in ("NOUN", "PROPN", "X") or token.pos_ == "ADJ" and token.text.islower():
            end += 1
        elif _bare_participle(token, after) or token.lower_ in _CHARGED and after is not None and after.lower_ in _OF:
            end += 1  # "maire sortant", "secrétaire d'État chargé du Numérique"
        elif token.lower_ in _OF and after is not None and (after.pos_ in ("NOUN", "PROPN", "ADJ", "X")
                                                          or after.lower_ in _ARTICLES):
            end += 1
        elif token.lower_ in _ARTICLES and doc[end - 1].lower_ in _OF and after is not None:
            end += 1
        elif token.lower_ == "et" and after is not None and (after.lower_ in _OF or is_role_token(after)):
            end += 1
        else:
            break
    return end


def is_dash(token: Token) -> bool:
    """A dash that sets a phrase apart: "–", "—", or "-" with spaces ("Anne Roy - CEO de Zorbalix")."""
    return token.text in ("–", "—") or token.text == "-" and bool(token.whitespace_) and token.i > 0 \
        and bool(token.doc[token.i - 1].whitespace_)


_CHARGED = {"chargé", "chargée", "chargés", "chargées"}
_SINCE = {"depuis", "dès", "jusqu'", "jusqu’", "jusqu'à", "jusqu’à"}


def _temporal(doc: Doc, i: int) -> bool:
    """Whether token `i` opens a phrase of time, which describes the person, not the role:
    "depuis 2019", "en juillet", "en 2024", "le 21 juin"."""
    token = doc[i]
    if token.lower_ in _SINCE:
        return True
    after = doc[i + 1] if i + 1 < len(doc) else None
    if after is None or token.lower_ not in ("en", "le", "au", "à"):
        return False
    if after.lower_ in _CALENDAR or after.like_num and len(after.text) == 4:
        return True
    return token.lower_ == "le" and after.like_num and i + 2 < len(doc) and doc[i + 2].lower_ in _CALENDAR


def _bare_participle(token: Token, after: Token | None) -> bool:
    """ "président déchu", "maire sortant": a participle used as an adjective, with no complement."""
    return token.pos_ == "VERB" and "Part" in token.morph.get("VerbForm") and token.text.islower() and (
        after is None or after.pos_ in ("PUNCT", "CCONJ"))


def role_phrase(doc: Doc, head: int, labels: NameLabels, limit: int | None = None) -> RolePhrase:
    """The role phrase headed by token `head`, ending before token `limit` at the latest."""
    limit = min(len(doc), head + _MAX, limit if limit is not None else len(doc))
    token = doc[head]
    inside = _allowed(token, limit)
    end = head + 1
    while end < limit and end in inside and doc[end].pos_ not in ("PUNCT", "AUX") and not is_dash(doc[end]) \
            and "\n" not in doc[end - 1].whitespace_ and not (doc[end].pos_ == "VERB" and doc[end].dep_ != "amod") \
            and not _temporal(doc, end):
        end += 1
    end = max(end, _chunk_end(doc, head, limit))
    person = next((a for a, _, label in labels.at(doc[head].idx, doc[end - 1].idx + 1)
                   if label == "PERSON" and a > doc[head].idx), None)
    if person is not None:  # "le commerçant Paul Martin": a name not introduced by "de" holds the role
        at = bisect_left(doc, person, key=lambda t: t.idx)
        if at > head and doc[at - 1].lower_ not in _OF and not (
                doc[at - 1].lower_ in _ARTICLES and doc[at - 2].lower_ in _OF):
            end = min(end, at)
    while end - 1 > head and (doc[end - 1].pos_ in ("ADP", "DET", "CCONJ", "PRON", "SCONJ")
                              or doc[end - 1].lower_ in ("de", "d'", "d’")):
        end -= 1
    start = head
    while start > 0 and doc[start - 1].lower_.rstrip("-") in _LEFT and doc[start - 1].head.i == head \
            and "\n" not in doc[start - 1].whitespace_:
        start -= 1
    portfolio = _portfolio(doc, token, end)
    organisation = organisation_in(doc, head, end, labels, portfolio)
    return RolePhrase(start, end, head, _text(doc, start, head, end), organisation, portfolio)


def _text(doc: Doc, start: int, head: int, end: int) -> str:
    """The phrase as written, its head in the singular when the text gives it plural ("les juristes")."""
    token = doc[head]
    if is_role_word(token.text) or singular(token.text) is None:
        return doc[start:end].text
    rest = [t for t in doc[head + 1:end] if not (t.dep_ == "amod" and t.head.i == head)
            and not any(a.dep_ == "amod" and a.head.i == head for a in t.ancestors if a.i > head)]
    return " ".join([singular(token.text), *(t.text_with_ws.strip() for t in rest)]).replace("' ", "'")


def _portfolio(doc: Doc, head: Token, end: int) -> tuple[int, int] | None:
    """A minister's capitalised complement ("de la Santé", "des Affaires étrangères"), as characters."""
    if head.lower_ not in _GOVERNMENT and not (head.lower_ == "secrétaire" and head.i + 2 < end
                                               and doc[head.i + 2].lower_ in ("état", "etat")):
        return None
    i = head.i + 1
    while i < end and (doc[i].pos_ in ("ADP", "DET") or doc[i].pos_ == "ADJ" and doc[i].text.islower()):
        i += 1
    stop = _portfolio_end(doc, doc[i].idx) if i < end else None
    return (doc[i].idx, stop) if stop is not None else None


def token_index(doc: Doc, at: int) -> int:
    """Index of the first token starting at or after character `at` (binary search)."""
    return bisect_left(doc, at, key=lambda token: token.idx)


def tokens_from(doc: Doc, at: int, count: int) -> list:
    """Up to `count` tokens, the first one starting at or after character `at`."""
    start = token_index(doc, at)
    return list(doc[start:start + count])


# A minister's capitalised complement is a portfolio, part of the role: "ministre des Comptes publics".
def _portfolio_end(doc: Doc, at: int) -> int | None:
    """End of the portfolio name starting at `at`: capitalised words with their adjectives and
    complements ("Cohésion des territoires", "Europe et des Affaires étrangères"), never a name
    after it ("Sports Anne Roy") nor a second role ("Justice et trésorier du Modem")."""
    tokens = tokens_from(doc, at, 12)
    if not tokens or tokens[0].idx != at or not tokens[0].text[:1].isupper() or tokens[0].pos_ in ("VERB", "AUX"):
        return None
    end, i = tokens[0].idx + len(tokens[0]), 1
    while i < min(len(tokens), 10):
        token = tokens[i]
        if token.pos_ == "ADJ" and token.text.islower():
            end, i = token.idx + len(token), i + 1
            continue
        also = token.lower_ == "et"
        j = i + 1 if also else i
        while j < len(tokens) and tokens[j].pos_ in ("ADP", "DET") and tokens[j].text.islower():
            j += 1
        if j == i + also or j >= len(tokens) or tokens[j].pos_ not in ("NOUN", "PROPN", "ADJ"):
            break
        if also != tokens[j].text[:1].isupper():
            break  # "et trésorier" is a second role, "des Armées de Paul Martin" a name
        end, i = tokens[j].idx + len(tokens[j]), j + 1
    return end


_MINISTER_OF = re.compile(r"\b(?:ministre|secrétaire\s+d['’]état|minister)(?:\s+délégué(?:e)?)?\s+"
                          r"(?:de la|de l['’]|du|des|de|d['’]|chez|à la|au|at|of)\s*(?=[A-ZÀ-ÖØ-Þ])", re.I)


def portfolio_spans(doc: Doc, body: str | None = None) -> list[tuple[int, int]]:
    """Spans of the portfolios named after a minister anywhere in the text ("le ministre des Armées")."""
    spans = []
    for match in _MINISTER_OF.finditer(doc.text if body is None else body):
        end = _portfolio_end(doc, match.end())
        if end is not None:
            spans.append((match.end(), end))
    return spans
