"""Words the speaker stage reads: verbs of saying, nouns of people, nouns of bodies that speak.

General lexicons of French (and English verbs of saying), never names: the verbs come from
data/speech_verbs_*.txt (regular -er verbs are inflected here), the person nouns from the
role lexicon (`tasks.names.role_lexicon`) plus the few nouns of people that are not occupations
(witness, resident, activist…).
No logic beyond lookups, except telling a verb of saying from a noun or adjective of the same form.
"""

from __future__ import annotations

import re

from functools import cache
from importlib import resources

from tasks.names.role_lexicon import role_nouns

# Nouns of people that are neither occupations nor offices, which a text uses as titles ("le témoin").
_PEOPLE = frozenset("""
homme femme fille fils garçon père mère jeune octogénaire quadragénaire quinquagénaire sexagénaire habitant
habitante riverain riveraine militant militante activiste syndicaliste élu élue témoin victime otage prévenu
prévenue accusé accusée intéressé intéressée ancien ancienne visiteur visiteuse exposant exposante participant
participante spectateur spectatrice imam prêtre pasteur rabbin
""".split())
# Nouns of bodies that speak as one: "estime la préfecture", "selon le parquet de Lyon", "le syndicat dénonce".
GROUP_NOUNS = frozenset("""
agence administration ambassade armée assemblée association autorité banque cabinet chambre chancellerie
club collectif comité commission compagnie conseil cour département direction entreprise équipe état-major
fédération fondation gendarmerie gouvernement groupe hôpital institut intersyndicale justice mairie
ministère mouvement municipalité office ong opposition organisation parquet parti police préfecture présidence
rectorat région rédaction sénat société syndicat tribunal université ville commune majorité
journal quotidien hebdomadaire mensuel magazine média chaîne radio revue site
""".split())
MEDIA_NOUNS = frozenset("journal quotidien hebdomadaire mensuel magazine média chaîne radio revue site".split())
# "fait" says something only in "fait savoir", "fait valoir", "fait remarquer"...
_FAIRE = {"fait", "font", "faisait", "faisaient"}
_FAIRE_SAYING = {"savoir", "valoir", "part", "remarquer", "observer", "état"}
_NOT_VERB = {"DET", "ADP", "PROPN", "PRON", "CCONJ", "SCONJ", "PUNCT", "NUM", "ADJ"}


@cache
def speech_verbs() -> frozenset[str]:
    """Inflected verbs of saying, French and English, lower case (data/speech_verbs_*.txt)."""
    forms: set[str] = set()
    for name in ("speech_verbs_fr.txt", "speech_verbs_en.txt"):
        text = resources.files("tasks").joinpath("data", name).read_text("utf-8")
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            lemma, _, listed = line.partition(":")
            forms.update(f.casefold() for f in listed.split()) if listed else forms.update(_regular_er(lemma))
    return frozenset(f.removeprefix("s'").removeprefix("s’").removeprefix("se ") for f in forms)


def _regular_er(lemma: str) -> set[str]:
    """Forms of a regular -er verb, with the ç and ge spellings of -cer and -ger verbs (annonçait)."""
    lemma = lemma.casefold().removeprefix("s'").removeprefix("se ")
    stem = lemma[:-2]
    endings = ("e", "es", "ent", "ait", "aient", "a", "èrent", "era", "eront", "erait", "é", "ée", "és", "er", "ant")
    soft = stem[:-1] + "ç" if lemma.endswith("cer") else stem + "e" if lemma.endswith("ger") else stem
    return {(soft if e[0] in "ao" else stem) + e for e in endings}


_LOCUTION = re.compile(r"(?<![\w-])(?:c['’]\s?est\s?-\s?à\s?-\s?|à vrai |pour ainsi |autrement |cela |ceci |ça |soit )"
                       r"(?:dire|dit)$", re.I)


def is_saying(token) -> bool:
    """Whether a spaCy token is a verb of saying ("explique", "a-t-il ajouté", "fait savoir")."""
    word = token.lower_
    if word not in speech_verbs() or token.pos_ in _NOT_VERB and not _finite_taken_for_adjective(token):
        return False
    if token.pos_ == "NOUN" and token.i and token.nbor(-1).pos_ in ("DET", "ADP") and not _clitic_object(token):
        return False  # "le juge", "une note"
    if word in ("dire", "dit") and _LOCUTION.search(token.doc[max(token.i - 6, 0):token.i + 1].text):
        return False  # "c'est-à-dire", "à vrai dire", "autrement dit": a locution, no one speaks
    if word in _FAIRE:
        following = token.nbor() if token.i + 1 < len(token.doc) else None
        return following is not None and following.lower_ in _FAIRE_SAYING
    return True


def _clitic_object(token) -> bool:
    """ "comme l'explique X": the tagger reads the object clitic as an article and the verb as a noun."""
    return token.i >= 2 and token.nbor(-1).lower_ in ("l'", "l’", "le", "la") and \
        token.nbor(-2).lower_ in ("comme", "que", "qu'", "qu’")


def _finite_taken_for_adjective(token) -> bool:
    """ "La Ministre insiste sur…": the parser calls a finite verb after a capitalised noun an adjective."""
    return token.pos_ == "ADJ" and token.dep_ == "amod" and token.head.i < token.i and token.head.text[:1].isupper() and \
        token.lower_.endswith(("e", "ent", "ait", "aient"))


@cache
def person_nouns() -> frozenset[str]:
    """Nouns that denote a person by occupation, office or role (`tasks.names.role_lexicon`), or otherwise."""
    return role_nouns() | _PEOPLE
