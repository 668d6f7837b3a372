"""Roles written as a page lays people out rather than in a sentence: a title on the line
above a name ("Présidente" / "Anne Roy"), or a label and a colon before it ("Modératrice :
Anne Roy", "ARBITRE : Paul Roy"), as programmes, contact pages and match sheets list people.
Each takes the token span of one person mention and returns its role phrase or None.
"""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc

from tasks.names.role_lexicon import is_role_word
from tasks.names.role_phrases import NameLabels, RolePhrase, is_role_token, role_phrase

_BULLETS = {"-", "–", "—", "•", "*", "·", ">"}
_LABEL_WORDS = 5  # "Directrice de la publication :" at most


def card_title(doc: Doc, first: int, last: int, labels: NameLabels) -> RolePhrase | None:
    """A card written title first: the role fills the line right above a name that fills its own
    ("Présidente" / "Anne Roy", as contact pages and programmes list people)."""
    ends_line = last == len(doc) or doc[last].is_space and "\n" in doc[last].text
    if not ends_line or first < 2 or not (doc[first - 1].is_space and doc[first - 1].text.count("\n") == 1):
        return None
    start = first - 2
    while start > 0 and not (doc[start - 1].is_space and "\n" in doc[start - 1].text):
        start -= 1
    if first - 1 - start > 12 or not is_role_token(doc[start]):
        return None
    phrase = role_phrase(doc, start, labels, limit=first - 1)
    return phrase if phrase.end == first - 1 else None


def label_title(doc: Doc, first: int, last: int, labels: NameLabels) -> RolePhrase | None:
    """ "Modératrice : Anne Roy", "- ARBITRE : Paul Roy": a role label opening the line, a colon,
    and the name; the label is a role noun of the lexicon however capitalised."""
    if first < 2 or doc[first - 1].text != ":":
        return None
    start = first - 1
    while start > 0 and not (doc[start - 1].is_space and "\n" in doc[start - 1].text):
        start -= 1
    while start < first - 1 and doc[start].text in _BULLETS:
        start += 1
    words = doc[start:first - 1]
    if not 0 < len(words) <= _LABEL_WORDS or not words[0].text[:1].isupper():
        return None
    following = doc[start + 1].text if start + 1 < first - 1 else None
    if not is_role_word(words[0].lower_, following):
        return None
    phrase = role_phrase(doc, start, labels, limit=first - 1)
    if phrase.end != first - 1:
        return None
    head = phrase.text.split()[0]
    if phrase.text.isupper() and len(head) > 4:
        text = phrase.text.lower()  # "ARBITRE"
    else:
        text = phrase.text if head.isupper() else phrase.text[:1].lower() + phrase.text[1:]  # "PDG", "Modératrice"
    return replace(phrase, text=text)
