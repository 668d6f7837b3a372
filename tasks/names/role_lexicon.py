"""The French role lexicon: which words name a person by office, occupation or role.

Two lists. data/roles_fr.txt holds titles (offices, ranks, "PDG", "CEO") and the few person
nouns the second list lacks; a title counts however it is written ("le Ministre", "PDG").
data/person_nouns_fr.txt holds 3,400 French person nouns (coreferee, MIT); they count only
in lowercase, since many are also surnames ("Boucher", "Berger", "Mercier"). This module
owns the lexicon and two tests on plain text (`role_head`, `role_follows`); it reads no parse.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources


def _entries(path: str) -> list[str]:
    text = resources.files("tasks").joinpath(path).read_text("utf-8")
    out = []
    for line in text.splitlines():
        line = re.sub(r"\.\.\.$", "", line.strip())  # "chargé de..."
        if line and not line.startswith("#") and "(" not in line:  # "fille (de salle)" is listed whole too
            out.append(" ".join(line.replace("’", "'").split()))
    return out


@cache
def title_nouns() -> frozenset[str]:
    """Titles and offices, lowercase (data/roles_fr.txt): they count however they are written."""
    return frozenset(w.lower() for w in _entries("data/roles_fr.txt"))


@cache
def role_nouns() -> frozenset[str]:
    """Every role noun, lowercase, multi-word entries included ("secrétaire général", "juriste")."""
    return title_nouns() | frozenset(w.lower() for w in _entries("data/person_nouns_fr.txt"))


@cache
def _words() -> frozenset[str]:
    """The one-word entries."""
    return frozenset(w for w in role_nouns() if " " not in w)


@cache
def _title_words() -> frozenset[str]:
    return frozenset(w for w in title_nouns() if " " not in w)


@cache
def _openings() -> dict[str, frozenset[str]]:
    """First word -> second words, for multi-word entries whose first word is no role alone ("chargé de")."""
    table: dict[str, set[str]] = {}
    for entry in role_nouns():
        words = entry.split()
        if len(words) > 1 and words[0] not in _words():
            table.setdefault(words[0], set()).add(words[1].rstrip("'"))
    return {k: frozenset(v) for k, v in table.items()}


@cache
def _title_openings() -> dict[str, frozenset[str]]:
    """First word -> second words of the multi-word titles ("Chief" -> "Technology", …)."""
    table: dict[str, set[str]] = {}
    for entry in title_nouns():
        words = entry.split()
        if len(words) > 1:
            table.setdefault(words[0], set()).add(words[1].rstrip("'"))
    return {k: frozenset(v) for k, v in table.items()}


def is_role_word(word: str, following: str | None = None) -> bool:
    """Whether `word` heads a role noun: any lexicon word in lowercase, a title however written.
    A word that heads only longer entries needs their next word: "chargé" + "de", "haut" + "fonctionnaire"."""
    folded = word.lower().replace("’", "'")
    if folded.startswith("ex-") and len(folded) > 4:
        return is_role_word(word[3:], following)  # "ex-ministre", "ex-PDG": a former role is still a role
    if not word.islower():
        return folded in _title_words() or following is not None \
            and following.lower().replace("’", "'").rstrip("'") in _title_openings().get(folded, ())
    if folded in _words():
        return True
    nexts = _openings().get(folded)
    return nexts is not None and following is not None and following.lower().replace("’", "'").rstrip("'") in nexts


def singular(word: str) -> str | None:
    """The lexicon's singular of a plural role word ("juristes" -> "juriste"), else None."""
    for cut, add in (("aux", "al"), ("s", ""), ("x", "")):
        stem = word[: len(word) - len(cut)] + add
        if word.lower().endswith(cut) and len(stem) > 2 and is_role_word(stem):
            return stem
    return None


_HONORIFIC = r"(?:(?:madame|monsieur|mme|m\.)\s+)"
_ARTICLE = r"(?:(?:le|la|un|une|notre|son|sa|leur|the|a|an)\s+|l['’]\s*)"
_QUALIFIERS = {"général", "générale", "délégué", "déléguée", "exécutif", "exécutive", "adjoint", "adjointe",
               "associé", "associée"}
_REFERENCE = re.compile(rf"^(?P<lead>{_HONORIFIC}?{_ARTICLE}?)(?P<rest>\S.*)$", re.I)


def role_head(text: str) -> str | None:
    """The role noun when `text` is a role reference ("la Ministre", "Ministre du numérique", "le PDG"),
    else None. A lowercase person noun needs an article ("la toxicologue"): bare, it may be a surname."""
    match = _REFERENCE.match(" ".join(text.split()))
    if match is None:
        return None
    words = match["rest"].split(" ")
    for size in (3, 2, 1):
        head = " ".join(words[:size])
        if len(words) < size or head.lower().replace("’", "'") not in role_nouns():
            continue
        if not head.islower() and head.lower() not in title_nouns() and words[0].lower() not in _title_words():
            return None
        if not match["lead"].strip() and words[0].lower() not in _title_words():
            return None
        rest = words[size:]
        while rest and (rest[0].lower() in _QUALIFIERS or rest[0].islower() and rest[0] not in _OF):
            rest = rest[1:]  # "le président russe", "la ministre déléguée"
        if not rest or rest[0].lower() in _OF or re.match(r"d['’]", rest[0]):
            return head
        return None  # "Ministre Dupont": a name follows
    return None


_OF = {"de", "du", "des", "d'", "à", "au", "aux", "en", "pour", "of", "at", "chez"}


def role_noun(role: str) -> str | None:
    """The role noun a role phrase starts with, lowercase ("ministre russe de la Défense" -> "ministre",
    "secrétaire générale de la CGT" -> "secrétaire générale"), else None: a former minister
    ("ancien ministre") is no minister."""
    words = role.lower().replace("’", "'").split()
    return next((" ".join(words[:n]) for n in (3, 2, 1) if " ".join(words[:n]) in role_nouns()), None)


_AFTER = re.compile(
    r"\s*(?:,\s*|\s+)(?:\d{1,3}\s+ans\s*,\s*)?(?:(?:qui est|est|était|alors|aujourd['’]hui|désormais|is)\s+)?"
    r"(?:(?:le|la|un|une|the)\s+|l['’]\s*)?(?:(?:ancien|ancienne|futur|future|nouveau|nouvel|nouvelle|actuel"
    r"|actuelle|former)\s+|ex-)?(?P<word>[^\W\d][\w’-]*(?:'(?=\s))?)(?:\s+(?P<next>[^\W\d][\w-]*))?",
    re.I,
)


def role_follows(body: str, end: int) -> bool:
    """Whether a role noun follows position `end` ("…, député socialiste", "… chef d'antenne")."""
    match = _AFTER.match(body, end, min(len(body), end + 80))
    if match is None:
        return False
    return is_role_word(match["word"], match["next"])


# Nouns that head an organisation's name ("ministère des Armées", "Conseil d'État").
INSTITUTION_WORDS = frozenset({
    "ministère", "ministry", "université", "university", "cour", "tribunal", "conseil", "collège", "institut",
    "institute", "agence", "agency", "comité", "commission", "fédération", "confédération", "association",
    "syndicat", "parti", "banque", "bank", "fondation", "foundation", "centre", "center", "inspection", "bureau",
    "haute autorité", "autorité", "office", "société", "groupe", "compagnie", "école", "lycée", "hôpital",
    "assemblée", "sénat", "gouvernement", "direction", "délégation", "observatoire", "académie", "union",
    "mouvement", "collectif", "conservatoire", "orchestre", "laboratoire", "cabinet", "préfecture", "mairie",
    "région", "département", "parquet",
})
