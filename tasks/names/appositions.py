"""Where French states a person's role, one rule family per function, on the parse.

- `roles_after`: an apposition after the name, alone or in a chain ("Paul Martin, maire de
  Cahors, …", "X, 45 ans, commerçant", "X, l'une des romancières les plus lues", "Luc le CEO
  de Zorbalix"), between dashes, in parentheses, or on the next line of a speaker's card.
- `role_before`: a title before the name, with or without a comma ("le maire de Cahors,
  Paul Martin", "la toxicologue Anne Roy"), never a verb of saying ("», juge Mme Roy") nor a
  phrase of place or time ("Dans le cadre de la réforme,"); titles on the line above or before a
  colon are `tasks.names.role_cards`.
- `shared_role`: a plural title or apposition coordinated names share ("les juristes Anne Roy
  et Marie Roux", "Anne Roy et Marie Roux, toutes deux sociologues").
- `party_in_parentheses`: "Marc Petit (PS)", when the model calls it an organisation: a
  place, a country code in sports results or a first name in parentheses is none.
- `possessor`: "La CGT, par la voix de son secrétaire général X": the organisation before a
  possessive role.
Each takes the token span of one person mention; none decides which entity the mention is,
nor reads quotes.
"""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc

from tasks.names.predicate_roles import BECOME, name_root
from tasks.names.role_phrases import NameLabels, RolePhrase, is_dash, is_role_token, role_phrase

_FILLERS = {"alors", "aujourd'hui", "aujourd’hui", "désormais", "actuellement", "également", "aussi", "lui-même",
            "elle-même", "toujours", "encore"}
_DETS = {"un", "une", "le", "la", "l'", "l’", "cet", "cette", "notre"}
_FORMER = {"ancien", "ancienne"}
# "Dans le cadre de la réforme, Paul Martin …": a phrase of place or time before a comma is no title.
_CIRCUMSTANCE = {"dans", "en", "sur", "sous", "après", "avant", "depuis", "pendant", "lors", "vers", "entre",
                 "parmi", "hors", "malgré", "dès", "durant", "chez", "devant", "derrière", "contre", "face"}
_VERBS = {"devient", "deviendra", "reste", "restera", "demeure"}


def _appositive_head(doc: Doc, i: int, linked: range | None) -> int | None:
    """The role noun starting an apposition at token `i` (after a determiner and describing
    adjectives, "l'un des", or a participle of becoming: "élu président de …"), or None.
    `linked`: without a comma, the role noun must follow the name or hang under it."""
    if linked is None and i + 1 < len(doc) and doc[i].lower_ in BECOME and doc[i].lower_ not in _VERBS \
            and is_role_token(doc[i + 1]):
        i += 1  # "X, nommée directrice de Y en mai": the role is "directrice de Y" ("élue de Cahors" is one)
    one_of = _one_of(doc, i)
    if one_of:
        i = one_of
    elif i < len(doc) and doc[i].lower_ in _DETS:
        linked = None
        i += 1
    for j in range(i, min(i + 4, len(doc))):
        token = doc[j]
        if is_role_token(token, plural=bool(one_of)) and (not one_of or token.pos_ == "NOUN") \
                or token.lower_ in _FORMER and j + 1 < len(doc) and doc[j + 1].lower_ in ("de", "du", "des", "d'", "d’"):
            if linked is not None and not one_of and j != linked.stop and token.head.i not in linked \
                    and token.dep_ != "appos":
                return None  # without a comma: right after the name ("X chef d'antenne") or hanging under it
            return j
        if not (token.pos_ == "ADJ" or token.lower_ in ("plus", "moins", "très")) or token.text[:1].isupper():
            return None
    return None


def _one_of(doc: Doc, i: int) -> int:
    """The token after "l'un des" / "une des" at `i`, else 0."""
    words = [t.lower_ for t in doc[i:i + 3]]
    if words[:2] in (["un", "des"], ["une", "des"]):
        return i + 2
    if words[1:] in (["un", "des"], ["une", "des"]) and words[0] in ("l'", "l’"):
        return i + 3
    return 0


def roles_after(doc: Doc, first: int, last: int, labels: NameLabels) -> list[RolePhrase]:
    """The appositions after the name in tokens [first, last): one phrase per link of a chain."""
    i = last
    while i < len(doc) and doc[i].text in ("*", "†"):
        i += 1
    if i < len(doc) and doc[i].text == "(":
        return _in_parentheses(doc, i + 1, labels)
    if _card_line(doc, first, last):
        return _card_role(doc, last + 1, labels)
    found: list[RolePhrase] = []
    linked = range(first, last)
    while i < len(doc) and len(found) < 3:
        comma = doc[i].text == "," or is_dash(doc[i])
        if comma:
            i += 1
        while i < len(doc) and doc[i].lower_ in _FILLERS:
            i += 1
        if comma and i + 2 < len(doc) and doc[i].like_num and doc[i + 1].lower_ == "ans" and doc[i + 2].text == ",":
            i += 3  # "X, 45 ans, commerçant"
        phrase = _at_the_head(doc, i, labels) if comma else None
        if phrase is None:
            head = _appositive_head(doc, i, None if comma else linked)
            if head is None:
                break
            phrase = role_phrase(doc, head, labels)
        found.append(phrase)
        i = phrase.end
        if i >= len(doc) or not (doc[i].text == "," or is_dash(doc[i])):
            break
    return found


def _in_parentheses(doc: Doc, i: int, labels: NameLabels) -> list[RolePhrase]:
    """ "Paul Martin (maire de Cahors)", "Anne Roy (directrice, Zorbalix)": a role in parentheses,
    alone or followed by its organisation after a comma."""
    head = _appositive_head(doc, i, None)
    if head is None:
        return []
    phrase = role_phrase(doc, head, labels)
    if phrase.end < len(doc) and doc[phrase.end].text == ")":
        return [phrase]
    close = next((t.i for t in doc[phrase.end:phrase.end + 7] if t.text == ")"), None)
    if phrase.organisation is not None or close is None or doc[phrase.end].text != "," or close == phrase.end + 1:
        return []
    words = doc[phrase.end + 1:close]
    span = (words[0].idx, words[-1].idx + len(words[-1]))
    if not words[0].text[:1].isupper() or any(t.pos_ in ("VERB", "AUX") or t.is_punct for t in words) \
            or {label for _, _, label in labels.at(*span)} not in ({"ORG"}, {"MISC"}):
        return []  # "(avocat, Lyon)": a place is no employer
    return [replace(phrase, organisation=span)]


def _card_line(doc: Doc, first: int, last: int) -> bool:
    """Whether the name fills its line and one line break follows: a speaker's card
    ("Anne Roy" / "directrice générale de Zorbalix"), as pages list the people on a stage."""
    def breaks(token) -> bool:
        return token.is_space and token.text.count("\n") == 1
    return last < len(doc) - 1 and breaks(doc[last]) and (first == 0 or doc[first - 1].is_space
                                                          and "\n" in doc[first - 1].text)


def _card_role(doc: Doc, i: int, labels: NameLabels) -> list[RolePhrase]:
    """The role that fills the line after a card's name, or nothing: a sentence is no card."""
    head = _appositive_head(doc, i, None)
    if head is None or head > i + 2:
        return []
    phrase = role_phrase(doc, head, labels)
    end = phrase.end
    return [phrase] if end == len(doc) or doc[end].is_space and "\n" in doc[end].text else []


_HEAD_OF = ("à", "la", "tête")


def _at_the_head(doc: Doc, i: int, labels: NameLabels) -> RolePhrase | None:
    """ "X, à la tête de Zorbalix depuis 2019", "X, élue à la tête de la fédération": the
    phrase "à la tête de …" is the role, its complement the organisation."""
    if i < len(doc) and doc[i].lower_ in BECOME:
        i += 1
    if tuple(t.lower_ for t in doc[i:i + 3]) != _HEAD_OF or i + 3 >= len(doc) \
            or doc[i + 3].lower_ not in ("de", "du", "des", "d'", "d’"):
        return None
    phrase = role_phrase(doc, i + 2, labels)
    if phrase.end <= i + 4:
        return None
    text = doc[i:phrase.end].text
    return replace(phrase, start=i, text=text)


def role_before(doc: Doc, first: int, labels: NameLabels) -> RolePhrase | None:
    """A title right before the name starting at token `first`, separated at most by a comma,
    a parenthesis or an honorific ("le maire de Cahors, M. Paul Martin")."""
    i = first - 1
    if i >= 0 and doc[i].lower_ in ("m.", "mme", "me", "dr", "pr", "monsieur", "madame"):
        i -= 1
    comma = i >= 0 and doc[i].text == ","
    if comma:
        i -= 1
    if i >= 0 and doc[i].text == ")":
        opening = next((t.i for t in doc[max(0, i - 8):i] if t.text == "("), None)
        if opening is None:
            return None
        i = opening - 1
    boundary = _first_name_start(doc, i + 1, labels) if not comma and i + 1 == first else i + 1
    line = boundary - 1  # the parser's sentence breaks often cut a long title; a line break never does
    while line > max(0, boundary - 14) and "\n" not in doc[line - 1].whitespace_ and not doc[line - 1].is_space:
        line -= 1
    for j in range(line, boundary):
        token = doc[j]
        if not is_role_token(token, plural=True) or token.dep_ == "amod" and token.head.i < j:
            continue  # "le groupement militaire Orlan": an adjective, not a title
        if comma and not is_role_token(token) and token.head.lower_ not in ("un", "une"):
            continue  # "ses étudiants, Anne Roy": a plural before a comma is no title of one person,
            # but "l'un des écrivains les plus lus, Anne Roy" is
        phrase = role_phrase(doc, j, labels, limit=boundary)
        if phrase.end != boundary:
            continue
        if comma and any(c.dep_ == "case" and c.lower_ in _CIRCUMSTANCE for c in token.children):
            return None
        before = doc[phrase.start - 1] if phrase.start > line else None
        if before is not None and (before.text in (",", "»", "”", '"') or before.pos_ == "AUX"
                                   or before.pos_ == "VERB" and "Part" not in before.morph.get("VerbForm")):
            return None  # "», juge Mme Roy": a verb of saying, not a title
        return phrase
    return None


def _first_name_start(doc: Doc, boundary: int, labels: NameLabels) -> int:
    """ "l'actrice Maëlys" + "Karvinen": capitalised words right before the name that follow the
    role noun without a preposition are the rest of the name, unless they name an organisation
    ("le député LREM Paul Martin")."""
    i = boundary
    while i > 0 and doc[i - 1].text[:1].isupper() and doc[i - 1].pos_ in ("PROPN", "NOUN", "X") \
            and not doc[i - 1].text.isupper() and not is_role_token(doc[i - 1]):
        i -= 1
    if i == boundary or i == 0 or doc[i - 1].pos_ in ("ADP", "DET") or not is_role_token(doc[i - 1], plural=True):
        return boundary
    if any(label == "ORG" for _, _, label in labels.at(doc[i].idx, doc[boundary - 1].idx + 1)):
        return boundary
    return i


_BOTH = {"tous", "toutes"}


def shared_role(doc: Doc, first: int, last: int, labels: NameLabels) -> RolePhrase | None:
    """A plural title or apposition that coordinated names share: "les juristes Anne Roy et
    Marie Roux", "Anne Roy et Marie Roux, toutes deux sociologues" (after the names, only with
    "tous/toutes": "Selon A et B, les policiers…" opens a new clause)."""
    root = name_root(doc, first, last)
    lead = root
    while lead.dep_ == "conj" and lead.head.pos_ == "PROPN":
        lead = lead.head
    members = [lead, *(t for t in lead.subtree if t.dep_ == "conj" and t.head.i >= lead.i and t.pos_ == "PROPN")]
    if len(members) < 2 or root not in members:
        return None
    if lead.i != first:
        before = role_before(doc, lead.i, labels)
        if before is not None and _plural(doc[before.head]):
            return before
    end = max(t.i for m in members for t in [m, *m.children] if t.i == m.i or t.dep_ == "flat:name") + 1
    i = end + 1 if end < len(doc) and doc[end].text == "," else None
    if i is None or i >= len(doc) or doc[i].lower_ not in _BOTH:
        return None  # "Selon A et B, les policiers sont intervenus": a new subject, not their role
    while i < len(doc) and (doc[i].lower_ in _BOTH or doc[i].lower_ == "les" or doc[i].like_num):
        i += 1
    if i >= len(doc) or not is_role_token(doc[i], plural=True) or not _plural(doc[i]):
        return None
    return role_phrase(doc, i, labels)


def _plural(token) -> bool:
    return "Plur" in token.morph.get("Number") or token.text.lower().endswith(("s", "x"))


def party_in_parentheses(doc: Doc, first: int, last: int, labels: NameLabels) -> tuple[int, int] | None:
    """ "Marc Petit (PS)": an organisation's name in parentheses right after the person's."""
    if last + 2 >= len(doc) or doc[last].text != "(":
        return None
    end = next((t.i for t in doc[last + 1:last + 7] if t.text in (")", ",", ";")), None)
    if end is None or end == last + 1:
        return None
    words = doc[last + 1:end]
    if not all(t.text[:1].isupper() or t.lower_ in ("de", "du", "des", "d'", "et", "la", "le", "-") for t in words) \
            or any(t.like_num or "@" in t.text for t in words):
        return None
    span = (words[0].idx, words[-1].idx + len(words[-1]))
    if {label for a, b, label in labels.at(*span)} not in ({"ORG"}, {"MISC"}):
        return None  # "Marc Petit (Gard)", "Paul Dupont (Esp)", "Dupont (Louis)": a place, a country, a name
    letters = "".join(t.text[0] for t in doc[first:last] if t.text[:1].isupper()).casefold()
    if len(words) == 1 and letters and words[0].text.casefold().endswith(letters):
        return None  # "Terre et Mer Solidaires (TMS)": the model called a name a person; this is its acronym
    return span


_POSSESSIVES = {"son", "sa", "ses", "leur", "leurs"}


def possessor(doc: Doc, phrase: RolePhrase, labels: NameLabels) -> tuple[int, int] | None:
    """ "L'ONG Kelvanor, par la voix de son président Paul Martin": a role with a possessive and no
    organisation of its own belongs to the organisation named before it in the sentence, when no
    person stands between them."""
    if phrase.organisation is not None or not any(t.lower_ in _POSSESSIVES and t.dep_ == "det"
                                                  for t in doc[max(0, phrase.start - 1):phrase.end]):
        return None
    start = doc[phrase.start].sent.start_char
    before = [s for s in labels.at(start, doc[phrase.start].idx) if start <= s[0] and s[1] <= doc[phrase.start].idx]
    for a, b, label in reversed(before):
        if label == "PERSON":
            return None
        if label == "ORG":
            return a, b
    return None
