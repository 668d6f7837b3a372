"""Roles and affiliations stated next to a person's name: "Nicolas Dufourcq, DG de BPI France".

Three shapes cover most of French and English event coverage: a role after the name
("X, pdg de la SNCF", "Simon le CEO de Mydatamodels"), a role before it ("Madame la
Ministre du numérique, Clara Chapaz", "le PDG de la SNCF Jean-Pierre Farandou"), and a
role reference alone ("la Ministre", "le PDG"), which `role_head` recognises so the
entity stage can resolve it. Role nouns live in data/roles_fr.txt. A capitalised
complement is the organisation; a lowercase one belongs to the role ("du numérique").
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache
from importlib import resources

from spacy.tokens import Doc

_WINDOW = 140
_QUALIFIERS = r"(?:\s+(?:général|générale|délégué|déléguée|exécutif|exécutive|adjoint|adjointe|associé|associée))*"
_OF = r"(?:de la|de l['’]|du|des|de|d['’]|chez|à la|au|at|of)"
_ORG_NAME = re.compile(
    r"(?:(?:la|le|les|l['’]|the)\s+)?"
    r"(?P<org>[A-ZÀ-ÖØ-Þ0-9](?:[\w&'’-]|\.(?=\w))*"
    r"(?:[ \t]+(?:(?:de|du|des|d['’]|&|et|and|of|pour|la|le)[ \t]+)?[A-ZÀ-ÖØ-Þ0-9](?:[\w&'’-]|\.(?=\w))*)*)"
)
_COMPLEMENT = re.compile(r"(?P<words>(?:[a-zà-ÿ][\w'’-]*)(?:\s+[a-zà-ÿ][\w'’-]*){0,2})")
_HONORIFIC = r"(?:(?:madame|monsieur|mme|m\.)\s+)?"
_ARTICLE = r"(?:(?:le|la|l['’]|un|une|notre|son|sa|leur|the|a|an)\s+)?"
_FORMER = r"(?:(?:ancien|ancienne|futur|future|nouveau|nouvel|nouvelle|actuel|actuelle|former)\s+|ex-)?"


@dataclass(frozen=True)
class RoleFinding:
    person: tuple[int, int]
    role: str | None
    organisation: str | None
    organisation_span: tuple[int, int] | None
    evidence: tuple[int, int]
    portfolio_span: tuple[int, int] | None = None


@cache
def _role_words() -> tuple[str, ...]:
    text = resources.files("tasks").joinpath("data/roles_fr.txt").read_text("utf-8")
    words = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return tuple(sorted(words, key=len, reverse=True))


@cache
def _role_pattern() -> str:
    alternatives = "|".join(re.escape(w).replace(r"\ ", r"\s+").replace("'", "['’]") for w in _role_words())
    return rf"(?:{alternatives})(?![\w-])"


@cache
def _after() -> re.Pattern[str]:
    return re.compile(
        rf"\s*(?:,\s*|\s+)(?:(?:qui est|est|était|is)\s+)?{_ARTICLE}(?P<role>{_FORMER}{_role_pattern()}{_QUALIFIERS})"
        rf"(?P<tail>\s+{_OF}\s*)?",
        re.I,
    )


@cache
def _before() -> re.Pattern[str]:
    return re.compile(
        rf"(?<![\w])(?P<lead>{_HONORIFIC}{_ARTICLE})(?P<role>{_FORMER}{_role_pattern()}{_QUALIFIERS})"
        rf"(?P<tail>\s+{_OF}\s*)?",
        re.I,
    )


@cache
def _reference() -> re.Pattern[str]:
    return re.compile(rf"^{_HONORIFIC}{_ARTICLE}(?P<role>{_role_pattern()})(?:{_QUALIFIERS})(?:\s+{_OF}\s*.*)?$", re.I)


def role_head(text: str) -> str | None:
    """The role noun when `text` is a role reference ("la Ministre", "Ministre du numérique"), else None."""
    match = _reference().match(text.strip())
    return match["role"] if match else None


def find_roles(doc: Doc, persons: list[tuple[int, int]]) -> list[RoleFinding]:
    """Roles stated right after or right before each person mention."""
    body = doc.text
    found: list[RoleFinding] = []
    for start, end in persons:
        finding = (_role_after(doc, body, start, end) or _role_before(doc, body, start, end)
                   or _affiliation(body, start, end))
        if finding is not None:
            found.append(finding)
    with_org = [f for f in found if f.organisation]
    for start, end in persons:
        own = next((f for f in found if f.person == (start, end)), None)
        companion = None if own is not None and own.organisation else _companion(body, start, end, with_org)
        if companion is None:
            continue
        if own is None:
            found.append(companion)
        else:  # "accompagnée de son associé Paul Martin": the role is his own, the organisation hers
            found[found.index(own)] = RoleFinding(own.person, own.role, companion.organisation,
                                                  companion.organisation_span, own.evidence)
    return found


# "Simon, CEO de Mydatamodels, en compagnie du jeune Dimitri": who comes along shares the organisation.
_PARTNER = r"(?:collègue|associée?|cofondat(?:eur|rice)|co-fondat(?:eur|rice)|binôme)"
_COMPANION = re.compile(
    r"\s*,?\s*(?:(?:en compagnie|accompagnée?s?)\s+(?:de\s+la|de\s+l['’]|de|du|d['’]|des)?\s*"
    rf"(?:(?:la|le|l['’]|son|sa|ses|leur|jeune|{_PARTNER})\s*){{0,3}}"
    rf"|avec\s+(?:son|sa|ses|leur)\s+(?:jeune\s+)?{_PARTNER}\s*)$",
    re.I,
)


def _companion(body: str, start: int, end: int, with_org: list[RoleFinding]) -> RoleFinding | None:
    for finding in with_org:
        gap = body[finding.evidence[1]:start]
        if 0 < len(gap) <= 60 and _COMPANION.fullmatch(gap):
            role = re.match(r"\s*\(([^()\n]{2,40})\)", body[end:])
            stop = end + role.end() if role else end
            return RoleFinding((start, end), _tidy(role[1]) if role else None, finding.organisation,
                               finding.organisation_span, (start, stop))
    return None


def role_follows(body: str, end: int) -> bool:
    """Whether a role noun follows position `end` ("…, député socialiste", "… chef d'antenne")."""
    return _after().match(body, end, min(len(body), end + _WINDOW)) is not None


def token_index(doc: Doc, at: int) -> int:
    """Index of the first token starting at or after character `at` (binary search)."""
    return bisect_left(doc, at, key=lambda token: token.idx)


def tokens_from(doc: Doc, at: int, count: int) -> list:
    """Up to `count` tokens, the first one starting at or after character `at`."""
    start = token_index(doc, at)
    return list(doc[start:start + count])


# A minister's capitalised complement is a portfolio, part of the role: "ministre des Comptes publics".
_GOVERNMENT = re.compile(rf"{_FORMER}(?:ministre|secrétaire\s+d['’]état|minister)\b", re.I)


def _portfolio_end(doc: Doc, at: int) -> int | None:
    """End of the portfolio name starting at `at`: capitalised words with their adjectives and
    complements ("Cohésion des territoires", "Europe et des Affaires étrangères"), never a name
    after it ("Sports Laura Flessel") nor a second role ("Justice et trésorier du Modem")."""
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
            break  # "et trésorier" is a second role, "des Armées d'Emmanuel Macron" a name
        end, i = tokens[j].idx + len(tokens[j]), j + 1
    return end


_MINISTER_OF = re.compile(rf"\b(?:ministre|secrétaire\s+d['’]état|minister){_QUALIFIERS}\s+{_OF}\s*(?=[A-ZÀ-ÖØ-Þ])",
                         re.I)


def portfolio_spans(doc: Doc) -> list[tuple[int, int]]:
    """Spans of the portfolios named after a minister anywhere in the text ("le ministre des Armées")."""
    spans = []
    for match in _MINISTER_OF.finditer(doc.text):
        end = _portfolio_end(doc, match.end())
        if end is not None:
            spans.append((match.end(), end))
    return spans


def _complement(body: str, at: int, doc: Doc | None = None, role: str = ""
                ) -> tuple[str, str | None, tuple[int, int] | None, int]:
    """After "de": (role words to add, organisation, its span, end of the evidence)."""
    if doc is not None and _GOVERNMENT.match(role):
        end = _portfolio_end(doc, at)
        if end is not None:
            return body[at:end], None, None, end
    org = _ORG_NAME.match(body, at)
    if org and org["org"]:
        name = org["org"].rstrip(".")
        return "", name, (org.start("org"), org.start("org") + len(name)), org.start("org") + len(name)
    words = _COMPLEMENT.match(body, at)
    if words:
        return words["words"], None, None, words.end()
    return "", None, None, at


def _role_after(doc: Doc, body: str, start: int, end: int) -> RoleFinding | None:
    match = _after().match(body, end, min(len(body), end + _WINDOW))
    if not match:
        return None
    role, organisation, span, stop, portfolio = match["role"], None, None, match.end("role"), None
    if match["tail"]:
        extra, organisation, span, stop = _complement(body, match.end("tail"), doc, role)
        if extra:
            portfolio = (match.end("tail"), stop) if extra[:1].isupper() else None
            role = f"{role} {match['tail'].strip()} {extra}"
        elif not organisation:
            stop = match.end("role")
    return RoleFinding((start, end), _tidy(role), organisation, span, (start, stop), portfolio)


# "X, qui présente le projet Hectar" / "X, qui dirige la société Y": an affiliation without a role noun.
_AFFILIATION = re.compile(
    r"\s*,\s*(?:qui\s+)?(?:présente|présentait|dirige|dirigeait|pilote|pilotait|représente|représentait|"
    r"a fondé|a cofondé|a co-fondé|a créé|a lancé|fondateur de|fondatrice de|travaille pour|travaille chez)\s+"
    r"(?:(?:le|la|l['’]|son|sa)\s*)?(?:projet|société|entreprise|start-?up|groupe|cabinet|association|marque|agence|"
    r"collectif|fonds|banque|application|plateforme|laboratoire)\s+",
    re.I,
)


def org_name_at(body: str, at: int) -> tuple[int, int] | None:
    """The span of a capitalised name starting at `at`, ended by a capitalised function word ("Hectar Pour cela")."""
    match = _ORG_NAME.match(body, at)
    if not match or not match["org"]:
        return None
    words = list(re.finditer(r"\S+", match["org"]))
    kept = words
    for i, word in enumerate(words[1:], start=1):
        if word.group().casefold() in _FUNCTION_WORDS:
            kept = words[:i]
            break
    begin = match.start("org")
    return begin, begin + kept[-1].end()


_FUNCTION_WORDS = {"pour", "le", "la", "les", "et", "mais", "dans", "en", "avec", "sur", "par", "de", "du", "des",
                   "au", "aux", "à", "il", "elle", "ils", "elles", "on", "nous", "vous", "ce", "cette", "ces", "un",
                   "une", "son", "sa", "ses", "si", "car", "donc", "or", "ni", "puis", "alors", "ainsi", "cela", "ça"}


def _affiliation(body: str, start: int, end: int) -> RoleFinding | None:
    match = _AFFILIATION.match(body, end, min(len(body), end + _WINDOW))
    span = org_name_at(body, match.end()) if match else None
    if span is None:
        return None
    return RoleFinding((start, end), None, body[span[0]:span[1]].rstrip("."), span, (start, span[1]))


def _role_before(doc: Doc, body: str, start: int, end: int) -> RoleFinding | None:
    window_start = max(0, start - _WINDOW)
    window = body[window_start:start]
    best = None
    for match in _before().finditer(window):
        role, organisation, span, stop = match["role"], None, None, window_start + match.end("role")
        portfolio = None
        if match["tail"]:
            tail_end = window_start + match.end("tail")
            extra, organisation, span, stop = _complement(body, tail_end, doc, role)
            if extra:
                portfolio = (tail_end, stop) if extra[:1].isupper() else None
                role = f"{role} {match['tail'].strip()} {extra}"
        between = body[stop:start]
        if re.fullmatch(r"\s*,?\s*", between):
            best = RoleFinding((start, end), _tidy(role), organisation, span, (window_start + match.start(), end),
                               portfolio)
    return best


def _tidy(role: str) -> str:
    return re.sub(r"(?<=['’]) ", "", " ".join(role.split()))
