"""Roles the clause around a name states, one rule family per function, on the parse.

- `role_by_copula`: "Paul Martin est maire de Cahors", "X, qui est aussi maire", "X a été
  nommé directeur de Y"; not when negated.
- `role_as`: "en tant que présidente de l'association, Anne Roy …".
Each takes the token span of one person mention (`name_root` finds the token that links it
to its clause).
"""

from __future__ import annotations

from spacy.tokens import Doc

from tasks.names.role_phrases import NameLabels, RolePhrase, is_role_token, role_phrase

BECOME = ("devenu", "devenue", "devient", "deviendra", "nommé", "nommée", "élu", "élue", "désigné", "désignée",
          "reste", "restera", "demeure", "reconduit", "reconduite", "réélu", "réélue", "promu", "promue", "placé",
          "placée")
_NEGATION = {"pas", "plus", "jamais", "ni"}
_ETRE = {"est", "était", "sera", "serait", "fut", "sont", "étaient", "seront", "été"}


def role_by_copula(doc: Doc, first: int, last: int, labels: NameLabels) -> RolePhrase | None:
    """ "X est maire de Cahors", "X, qui est aussi maire", "X a été nommé directeur de Y"."""
    root = name_root(doc, first, last)
    head = root.head
    if root.dep_ in ("nsubj", "nsubj:pass") and is_role_token(head) and any(
            c.dep_ == "cop" or c.dep_ == "aux:pass" and c.lower_ in _ETRE for c in head.children):
        return _unless_negated(doc, head.i, labels)  # the parser reads "est directrice de" as a passive
    if root.dep_ in ("nsubj", "nsubj:pass") and head.lower_ in BECOME:
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
    root = name_root(doc, first, last)
    if root.dep_ not in ("nsubj", "nsubj:pass"):
        return None
    for child in root.head.children:
        if is_role_token(child) and any(c.lower_ == "en" and any(f.lower_ == "tant" for f in c.children)
                                        for c in child.children):
            return role_phrase(doc, child.i, labels)
    return None


def name_root(doc: Doc, first: int, last: int):
    """The token of the name whose head lies outside it (a subject first, when the parser cut the name)."""
    outside = [t for t in doc[first:last] if not first <= t.head.i < last or t.head.i == t.i]
    return next((t for t in outside if t.dep_.startswith("nsubj")), outside[0] if outside else doc[first])
