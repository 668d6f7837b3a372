"""Who a verb of saying says spoke: the subject of a verb, read from the parse, and the noun phrase it heads.

The French parser gets reported speech wrong in regular ways, and each helper undoes one:
an inverted subject comes out as an object (« … », déclare le maire), a subject clitic
after a third-person verb is an object (Madame la Ministre… nous invite), a finite verb
after a capitalised noun is an adjective (La Ministre insiste), an infinitive or an
adverbial clause has its subject on the verb it hangs from (X s'est levé pour dire), a
name the model does not know splits the sentence (X, fondatrice de Y affirme). None of
them knows what a phrase stands for (`tasks.speech.referents`) nor which frame found the verb
(`tasks.speech.attribution_frames`).
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from tasks.speech.attribution_context import Passage
from tasks.speech.speech_lexicon import is_saying

SUBJECT_DEPS = ("nsubj", "nsubj:pass", "expl:subj")
RELATIVE = {"qui", "que", "qu'", "qu’", "lequel", "laquelle", "lesquels", "lesquelles"}
NOMINAL = {"NOUN", "PROPN", "PRON", "NUM"}
# Words of time the parser takes for a subject ("s'est défendu mercredi le porte-parole").
TIME_WORDS = frozenset("""lundi mardi mercredi jeudi vendredi samedi dimanche hier aujourd'hui demain matin soir
midi nuit veille lendemain semaine mois année jour fois janvier février mars avril mai juin juillet août
septembre octobre novembre décembre""".split())
_NP_DEPS = {"det", "amod", "nmod", "flat:name", "flat", "fixed", "compound", "case", "nummod", "flat:foreign"}
_INVERTED_DEPS = {"nsubj", "nsubj:pass", "obj", "expl:subj", "dep", "appos", "iobj", "obl:arg", "ROOT", "conj"}
_OBJECT_CLITICS = {"nous", "vous", "me", "te", "se", "m'", "m’", "t'", "t’", "s'", "s’"}
_VOICE_RE = re.compile(r"\b(?:par la (?:voix|bouche)|à travers|via)\s+(?:de\s+la\s+|de\s+l['’]|du\s+|des\s+|de\s+|d['’])?"
                       r"(?:(?:son|sa|ses|leur|leurs|la|le|l['’])\s*)?", re.I)


def phrase_span(token: Token) -> tuple[int, int]:
    """Character span of the noun phrase headed by `token`: determiners, adjectives, complements
    ("la préfecture de la Gironde") and name parts; not relative clauses nor appositions."""
    left, right = token, token
    stack = [token]
    while stack:
        t = stack.pop()
        for child in t.children:
            if child.dep_ in _NP_DEPS and abs(child.i - token.i) < 12 and not (t.i == token.i and child.dep_ == "case"):
                stack.append(child)
                left = child if child.i < left.i else left
                right = child if child.i > right.i else right
    start, end = left.idx, right.idx + len(right)
    return start, end


def subject_of(verb: Token, depth: int = 0, allowed=lambda t: True) -> Token | None:
    """The subject of a verb: its own; for a verb with none, the subject of the verb it depends on
    ("X s'est levé pour dire", "X, penché sur moi, demandait"); or the noun a relative "qui" stands for."""
    subjects = [c for c in verb.children if (c.dep_ in SUBJECT_DEPS or c.lower_ in ("-il", "-elle", "-ils", "-elles", "-on"))
                and allowed(c) and c.lower_ not in TIME_WORDS]
    subjects.sort(key=lambda c: (c.i > verb.i, -c.i if c.i < verb.i else c.i))  # the nearest before the verb first
    for child in subjects[:1]:
        if child.lower_ in RELATIVE and verb.dep_.startswith("acl"):
            return verb.head
        if child.lower_ in _OBJECT_CLITICS and "3" in verb.morph.get("Person"):
            # "Madame la Ministre, …, nous invite à…": a third-person verb has no "nous" for subject
            return fronted_noun(verb) or child
        return child
    if verb.dep_ in ("acl", "advcl") and verb.text.endswith("ant") and verb.head.pos_ in ("NOUN", "PROPN"):
        return verb.head  # "le ministre, jugeant que…"
    if verb.dep_ == "amod" and verb.pos_ == "ADJ" and verb.head.i < verb.i:
        return verb.head  # a finite verb the parser took for an adjective of its subject
    gerund = verb.dep_.startswith("obl") and any(c.lower_ == "en" for c in verb.children)  # "en disant"
    if (verb.dep_ in ("conj", "xcomp", "advcl") or gerund) and verb.head.i != verb.i and depth < 2:
        return subject_of(verb.head, depth + 1, allowed)
    return None


def fronted_noun(verb: Token) -> Token | None:
    """The first noun phrase the verb governs before it, outside a prepositional phrase."""
    for child in verb.lefts:
        if child.pos_ in ("NOUN", "PROPN") and not any(c.dep_ == "case" for c in child.children):
            return child
    return None


def inverted_subject(p: Passage, verb: Token, until: int) -> Token | None:
    """The first noun phrase after the verb that is not a prepositional phrase ("déclare à cette
    occasion le ministre"): the parser calls an inverted subject an object, or hangs it elsewhere."""
    for child in verb.rights:
        if child.idx >= until or p.in_quote(child.idx):
            break
        if child.pos_ not in NOMINAL or child.dep_ not in _INVERTED_DEPS:
            continue
        if any(c.dep_ == "case" for c in child.children) or child.lower_ in RELATIVE or child.lower_ in TIME_WORDS:
            continue
        return child
    return next_noun(p, verb, until)


def next_noun(p: Passage, verb: Token, until: int) -> Token | None:
    """The linear reading: the first noun after the verb, past adverbs and a prepositional phrase."""
    in_pp = False
    for token in p.doc[verb.i + 1:verb.i + 10]:
        if token.idx >= until or p.in_quote(token.idx) or token.text in (".", ";", ":", "«", "»", "\n"):
            return None
        if token.pos_ == "ADP":
            in_pp = True
        elif token.is_punct:
            in_pp = False
        elif (token.pos_ in ("NOUN", "PROPN") or token.pos_ == "ADJ" and token.text[:1].isupper()) and not in_pp \
                and token.lower_ not in TIME_WORDS:
            return token  # a capitalised word the tagger calls an adjective is a name: « Rien », fit Ursule
    return None


def voice(p: Passage, subject: Token, verb: Token) -> Token | None:
    """ "L'ONU, par la voix de son porte-parole Jan Novák, a déploré…": the person who spoke for the subject."""
    start = subject.idx + len(subject)
    if verb.idx <= start:
        return None
    match = _VOICE_RE.search(p.body, start, verb.idx)
    if match is None:
        return None
    token = p.token_at(match.end())
    return token if token is not None and token.idx < verb.idx and token.pos_ in NOMINAL else None


def name_before(p: Passage, verb: Token, start: int) -> Token | None:
    """ "Anne Roy, fondatrice de Y affirme…", which the parser cut in two: the last person named
    before a verb that has no subject, with no other verb between them."""
    names = [n for n in p.named_in(start, verb.idx) if n.type == "PERSON"]
    if not names:
        return None
    between = p.tokens_between(names[-1].end, verb.idx)
    if any("Fin" in t.morph.get("VerbForm") for t in between) or len(between) > 10:
        return None
    return p.token_at(names[-1].start)


def outermost_saying(verb: Token) -> Token:
    """The verb of saying that reports the clause `verb` is in ("X a affirmé que l'armée avait
    « détruit » … et salué …": affirmé, not salué), climbing complements and coordinations."""
    best, node = verb, verb
    for _ in range(4):
        if node.dep_ not in ("ccomp", "xcomp", "conj") or node.head.i == node.i or node.head.i > node.i:
            break
        node = node.head
        if is_saying(node):
            best = node
    return best
