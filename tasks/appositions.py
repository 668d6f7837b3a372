"""Where French states a person's role, one rule family per function, on the parse.

- `roles_after`: an apposition after the name, alone or in a chain ("Paul Martin, maire de
  Cahors, …", "X, 45 ans, commerçant", "X, toxicologue, ancienne de l'Inserm", "X, l'une des
  romancières les plus lues", "Luc le CEO de Zorbalix"), or in parentheses ("Paul Martin
  (maire de Cahors)").
- `role_before`: a title before the name, with or without a comma ("le maire de Cahors,
  Paul Martin", "la toxicologue Anne Roy", "le président russe Ivan Petrov"), never a verb
  of saying ("», juge Mme Roy") nor a phrase of place or time ("Dans le cadre de la réforme,").
- `role_by_copula`: "Paul Martin est maire de Cahors", "X, qui est aussi maire", "X a été
  nommé directeur de Y"; not when negated.
- `role_as`: "en tant que présidente de l'association, Anne Roy …".
- `party_in_parentheses`: "Marc Petit (PS)", when the model calls it an organisation: a
  place, a country code in sports results or a first name in parentheses is none.
- `possessor`: "La CGT, par la voix de son secrétaire général X": the organisation before a
  possessive role.
Each takes the token span of one person mention; none decides which entity the mention is,
nor reads quotes.
"""

from __future__ import annotations

from spacy.tokens import Doc

from tasks.role_phrases import NameLabels, RolePhrase, is_role_token, role_phrase

_FILLERS = {"alors", "aujourd'hui", "aujourd’hui", "désormais", "actuellement", "également", "aussi", "lui-même",
            "elle-même", "toujours", "encore"}
_DETS = {"un", "une", "le", "la", "l'", "l’", "cet", "cette", "notre"}
_FORMER = {"ancien", "ancienne"}
# "Dans le cadre de la réforme, Paul Martin …": a phrase of place or time before a comma is no title.
_CIRCUMSTANCE = {"dans", "en", "sur", "sous", "après", "avant", "depuis", "pendant", "lors", "vers", "entre",
                 "parmi", "hors", "malgré", "dès", "durant", "chez", "devant", "derrière", "contre", "face"}
_BECOME = ("devenu", "devenue", "devient", "deviendra", "nommé", "nommée", "élu", "élue", "désigné", "désignée",
           "reste", "restera", "demeure", "reconduit", "reconduite")
_NEGATION = {"pas", "plus", "jamais", "ni"}


def _appositive_head(doc: Doc, i: int, linked: range | None) -> int | None:
    """The role noun starting an apposition at token `i` (after a determiner and describing
    adjectives, or "l'un des"), or None. `linked`: without a comma, the role noun must follow
    the name or hang under it."""
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
        head = _appositive_head(doc, i + 1, None)
        if head is None:
            return []
        phrase = role_phrase(doc, head, labels)
        return [phrase] if phrase.end < len(doc) and doc[phrase.end].text == ")" else []
    found: list[RolePhrase] = []
    linked = range(first, last)
    while i < len(doc) and len(found) < 3:
        comma = doc[i].text == ","
        if comma:
            i += 1
        while i < len(doc) and doc[i].lower_ in _FILLERS:
            i += 1
        if comma and i + 2 < len(doc) and doc[i].like_num and doc[i + 1].lower_ == "ans" and doc[i + 2].text == ",":
            i += 3  # "X, 45 ans, commerçant"
        head = _appositive_head(doc, i, None if comma else linked)
        if head is None:
            break
        phrase = role_phrase(doc, head, labels)
        found.append(phrase)
        i = phrase.end
        if i >= len(doc) or doc[i].text != ",":
            break
    return found


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


def role_by_copula(doc: Doc, first: int, last: int, labels: NameLabels) -> RolePhrase | None:
    """ "X est maire de Cahors", "X, qui est aussi maire", "X a été nommé directeur de Y"."""
    root = _root(doc, first, last)
    head = root.head
    if root.dep_ in ("nsubj", "nsubj:pass") and is_role_token(head) and any(c.dep_ == "cop" for c in head.children):
        return _unless_negated(doc, head.i, labels)
    if root.dep_ in ("nsubj", "nsubj:pass") and head.lower_ in _BECOME:
        role = next((c for c in head.children if c.dep_ in ("xcomp", "obj") and c.i > head.i and is_role_token(c)),
                    None)
        if role is not None and not any(c.lower_ in _NEGATION for c in head.children):
            return role_phrase(doc, role.i, labels)
    for child in root.children:
        if child.dep_ == "acl:relcl" and is_role_token(child) and any(c.dep_ == "cop" for c in child.children) \
                and any(c.lower_ == "qui" for c in child.children):
            return _unless_negated(doc, child.i, labels)
    return None


def _unless_negated(doc: Doc, head: int, labels: NameLabels) -> RolePhrase | None:
    if any(c.lower_ in _NEGATION for c in doc[head].children):
        return None  # "X n'est pas ministre"
    return role_phrase(doc, head, labels)


def role_as(doc: Doc, first: int, last: int, labels: NameLabels) -> RolePhrase | None:
    """ "En tant que présidente de l'association, Anne Roy a signé": the subject holds the role."""
    root = _root(doc, first, last)
    if root.dep_ not in ("nsubj", "nsubj:pass"):
        return None
    for child in root.head.children:
        if is_role_token(child) and any(c.lower_ == "en" and any(f.lower_ == "tant" for f in c.children)
                                        for c in child.children):
            return role_phrase(doc, child.i, labels)
    return None


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
    if {label for a, b, label in labels.at(*span)} != {"ORG"}:
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


def _root(doc: Doc, first: int, last: int):
    """The token of the name whose head lies outside it (a subject first, when the parser cut the name)."""
    outside = [t for t in doc[first:last] if not first <= t.head.i < last or t.head.i == t.i]
    return next((t for t in outside if t.dep_.startswith("nsubj")), outside[0] if outside else doc[first])
