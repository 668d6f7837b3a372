"""The organisation named inside a role phrase ("porte-parole du ministère des Affaires étrangères").

The first name typed as an organisation in the phrase's complements; else a name the model
called a place when it carries an acronym ("ZTB France") or, after "de", right under a post
held inside an organisation ("porte-parole du Kremlin", "fondatrice de Kelvanor"; a trade and
a town, "tailleur de Lannion", is no such post); else a capitalised name the model missed,
after "de" or right after the role ("fondatrice ZELVA"), unless the office is held over a place
("évêque de Tarbes") or a place noun introduces it ("du massif du Taurel"). A lowercase
institution noun before the name belongs to it ("ministère des" + "Affaires étrangères"); a
minister's portfolio is never an organisation. The two fallbacks each help one development
page, and both raise bench.ner's europeana ORG F1 (0.1631 and 0.1633 without, 0.1642 with);
the lists of posts and offices were checked against its errors (a trade and a town, a prefect
and a département). This module does not say whose role it is.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from tasks.names.role_lexicon import INSTITUTION_WORDS, is_role_word

_ARTICLES = {"la", "le", "l'", "l’", "les"}


@dataclass(frozen=True)
class NameLabels:
    """The typed name spans of a post, sorted, for lookups by character offset."""

    spans: tuple[tuple[int, int, str], ...]

    def at(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """The spans overlapping [start, end) (a name is never longer than 200 characters)."""
        out = []
        for span in self.spans[bisect_left(self.spans, (start - 200,)):]:
            if span[0] >= end:
                break
            if start < span[1]:
                out.append(span)
        return out


_PLACE_NOUNS = {"massif", "ville", "village", "commune", "port", "rue", "avenue", "boulevard", "place", "quartier",
                "lac", "mont", "île", "vallée", "province", "canton", "fleuve", "rivière", "forêt", "parc", "plage",
                "côte", "pays", "territoire", "bassin", "golfe", "baie", "détroit", "désert", "plateau", "colline",
                "quai", "faubourg", "hameau", "département", "région", "canton", "arrondissement"}


def organisation_in(doc: Doc, head: int, end: int, labels: NameLabels,
                    portfolio: tuple[int, int] | None) -> tuple[int, int] | None:
    """The organisation named in the phrase's complements, as characters, or None."""
    if end <= head + 1:
        return None
    begin, stop = doc[head + 1].idx, doc[end - 1].idx + len(doc[end - 1])
    spans = [s for s in labels.at(begin, stop) if begin <= s[0] and s[1] <= stop
             and not (portfolio and portfolio[0] <= s[0] < portfolio[1])]
    for wanted in ("ORG", "MISC", "LOC"):
        found = next((s for s in spans if s[2] == wanted and (wanted != "LOC" or _has_acronym(doc, s)
                                                               or _employer(doc, s, head))), None)
        if found is not None:
            return _with_institution(doc, found[0], found[1], head)
    if doc[head].lower_ in _TERRITORIAL:
        return None  # "maire de Cahors", "évêque de Tarbes": a name the model missed there is a place
    return _missed_name(doc, head, end, [(a, b) for a, b, _ in labels.at(begin, stop)], portfolio)


def _missed_name(doc: Doc, head: int, end: int, taken: list[tuple[int, int]],
                 portfolio: tuple[int, int] | None) -> tuple[int, int] | None:
    """A capitalised name the model missed, right after the role or after "de" ("fondatrice ZELVA",
    "DG de Zorbalix"), never a place introduced by its noun ("du massif du Taurel")."""
    i = head + 1
    while i < end:
        token = doc[i]
        if not _name_word(token) or any(a <= token.idx < b for a, b in taken) \
                or portfolio and portfolio[0] <= token.idx < portfolio[1]:
            i += 1
            continue
        j = i + 1
        while j < end and (_name_word(doc[j]) or doc[j].lower_ in ("de", "du", "des", "d'", "&", "et")
                           and j + 1 < end and _name_word(doc[j + 1])):
            j += 1
        before = i - 1
        while before > head and doc[before].lower_ in _ARTICLES:
            before -= 1
        introduced = before == head or doc[before].lower_ in ("de", "du", "des", "d'", "d’", "chez")
        place = doc[before - 1].lower_ in _PLACE_NOUNS if before > head else False
        if introduced and not place and (j - i > 1 or token.pos_ == "PROPN" or token.text.isupper()
                                                        and len(token) > 1):
            return _with_institution(doc, token.idx, doc[j - 1].idx + len(doc[j - 1]), head)
        i = j
    return None


# Offices held over a place: a name the model missed in their complement is one ("maire de Cahors").
_TERRITORIAL = {"maire", "adjoint", "adjointe", "préfet", "préfète", "sous-préfet", "sous-préfète", "député",
                "députée", "sénateur", "sénatrice", "élu", "élue", "président", "présidente", "gouverneur",
                "gouverneure", "ambassadeur", "ambassadrice", "consul", "consule", "évêque", "archevêque", "roi",
                "reine", "émir", "conseiller", "conseillère", "ministre", "chef", "cheffe", "curé", "recteur",
                "rectrice", "administrateur", "administratrice"}
# Posts held inside an organisation: "de" + a name the model called a place names the employer
# ("porte-parole du Kremlin", "fondatrice de Kelvanor"); a trade + a town does not ("tailleur de Lannion").
_POSTS = {"pdg", "dg", "dga", "ceo", "cto", "coo", "cfo", "directeur", "directrice", "fondateur", "fondatrice",
          "cofondateur", "cofondatrice", "co-fondateur", "co-fondatrice", "porte-parole", "patron", "patronne",
          "salarié", "salariée", "employé", "employée", "cadre", "responsable", "dirigeant", "dirigeante",
          "secrétaire", "trésorier", "trésorière", "associé", "associée", "gérant", "gérante", "avocat", "avocate"}


def _employer(doc: Doc, span: tuple[int, int, str], head: int) -> bool:
    """ "fondatrice de Kelvanor": a name the model called a place, after "de", right under a post
    held inside an organisation, names the employer."""
    if doc[head].lower_ not in _POSTS:
        return False
    i = bisect_left(doc, span[0], key=lambda t: t.idx)
    j = i - 1 if doc[i - 1].lower_ not in _ARTICLES else i - 2
    return doc[j].lower_ in ("de", "du", "d'", "d’") and any(
        t.head.i == head for t in doc[i:bisect_left(doc, span[1], key=lambda t: t.idx)])


def _has_acronym(doc: Doc, span: tuple[int, int, str]) -> bool:
    """ "ZTB France": a capitals-only word makes a place-like name an organisation's."""
    words = doc.char_span(span[0], span[1], alignment_mode="expand").text.split()
    return any(len(w) >= 2 and w.isupper() and w.isalpha() for w in words[:-1]) or len(words) > 1 and words[-1].isupper()


def _name_word(token: Token) -> bool:
    """A capitalised word that may be part of a name: not a title ("M.", "Mme") nor a role."""
    return token.text[:1].isupper() and token.pos_ in ("PROPN", "NOUN", "ADJ", "X") and not is_role_word(token.text) \
        and not token.text.endswith(".") and token.lower_ not in ("mme", "mlle", "me", "dr", "pr")


def _with_institution(doc: Doc, start: int, end: int, head: int) -> tuple[int, int]:
    """ "ministère des" + "Affaires étrangères": a lowercase institution noun before the name is part of it."""
    i = bisect_left(doc, start, key=lambda t: t.idx)
    j = i - 1
    while j > head and doc[j].pos_ in ("ADP", "DET"):
        j -= 1
    if head < j < i and doc[j].lower_ in INSTITUTION_WORDS and doc[j].text.islower():
        return doc[j].idx, end
    return start, end
