"""Words that speaker attribution reads: verbs of saying, auxiliaries, human and organisation nouns, gender cues.

The verbs come from data/speech_verbs_*.txt (regular -er verbs are inflected here); the
smaller closed lists stay in code beside the rules that read them. No logic beyond lookups.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

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


AUX = {"a", "avait", "aurait", "ont", "avaient", "est", "était", "sont", "s'est", "s’est", "se", "s'", "s’"}
PREPS = {"de", "d'", "d’", "du", "des", "à", "au", "aux", "avec", "pour", "contre", "par", "chez", "sur", "vers",
          "selon", "entre", "en", "dans", "sous", "après", "avant"}
STOP = {"qui", "que", "qu'", "qu’", "dont", "où", "et", "mais", "avant", "après", "lors", "pendant", "alors", "car",
         "donc", "puis", "selon", "si", "quand", "lorsque", "tandis", "comme", "afin", "pour"}
INANIMATE = {"rapport", "étude", "texte", "document", "communiqué", "article", "loi", "décret", "enquête", "sondage",
              "note", "lettre", "message", "projet", "décision", "jugement", "arrêt", "avis", "tweet", "publication",
              "site", "page", "livre", "ouvrage", "film", "titre", "chiffre", "bilan", "vidéo", "image", "phrase"}
FUNCTION = {"quand", "lorsque", "comme", "et", "mais", "ou", "où", "si", "que", "qui", "dont", "car", "puis", "alors",
             "selon", "avec", "dans", "pour", "par", "sur", "le", "la", "les", "l", "un", "une", "des", "du", "de", "en",
             "à", "au", "aux", "ce", "cette", "son", "sa", "ses", "leur", "il", "elle", "ils", "elles", "on", "nous",
             "vous", "je", "tu", "y", "ne", "n", "pas", "plus", "tandis", "ainsi", "même", "aussi", "déjà", "encore",
             "donc", "or", "ni", "soit", "contre", "après", "avant", "depuis", "sans", "sous", "chez", "entre"}
HUMAN = {"magistrat", "magistrate", "juge", "procureur", "procureure", "imam", "prêtre", "père", "mère", "femme",
          "homme", "fille", "fils", "garçon", "jeune", "octogénaire", "quadragénaire", "toxicologue", "syndicaliste",
          "militant", "militante", "élu", "élue", "avocat", "avocate", "médecin", "scientifique", "spécialiste",
          "expert", "experte", "étudiant", "étudiante", "prévenu", "prévenue", "accusé", "accusée", "victime",
          "témoin", "policier", "policière", "agriculteur", "agricultrice", "habitant", "habitante", "élève",
          "ministre", "président", "présidente", "député", "députée", "chef", "cheffe", "patron", "patronne",
          "architecte", "écrivain", "écrivaine", "auteur", "autrice", "auteure", "chercheur", "chercheuse",
          "journaliste", "sénateur", "sénatrice", "maire", "dirigeant", "dirigeante", "responsable", "secrétaire",
          "porte-parole", "directeur", "directrice", "fondateur", "fondatrice", "professeur", "professeure",
          "enseignant", "enseignante", "ingénieur", "ingénieure", "contre-amiral", "amiral", "général", "colonel",
          "commerçant", "commerçante", "réalisateur", "réalisatrice", "chanteur", "chanteuse", "comédien",
          "comédienne", "ancien", "ancienne", "intéressé", "intéressée", "sociologue", "économiste", "historien",
          "historienne", "biologiste", "psychologue", "philosophe", "militaire", "activiste", "otage", "artiste"}
ORG_NOUNS = {"agence", "journal", "quotidien", "hebdomadaire", "magazine", "site", "média", "ministère", "gouvernement",
              "ong", "association", "parti", "syndicat", "entreprise", "groupe", "société", "armée", "police",
              "institut", "organisation", "autorité", "fédération", "collectif", "mouvement", "parquet", "tribunal",
              "cour", "commission", "conseil", "office", "banque", "fondation", "chaîne", "radio", "rédaction"}


def is_human_noun(noun: str) -> bool:
    n = noun.lower()
    if n in HUMAN:
        return True
    try:
        from tasks.roles import _role_words
        return n in {w.lower() for w in _role_words()}
    except Exception:
        return False


CONT_VERBS = re.compile(r"^(?:ajout|poursui|continu|conclu|renchéri|complèt|complét|insist|détaill|développ|précis)", re.I)
FEM_SUFFIX = re.compile(r"(?:trice|euse|ienne|ante|ière|esse|aine|ente|ée|ise|ive|elle|onne)$", re.I)
FEM_WORDS = {"ministre-femme", "femme", "fille", "mère", "sœur", "soeur", "dame", "épouse", "veuve", "étudiante",
              "avocate", "députée", "sénatrice", "présidente", "directrice", "secrétaire générale"}
MASC_WORDS = {"homme", "père", "fils", "frère", "mari", "garçon", "monsieur"}


PRONOUNS = {"il", "elle", "ils", "elles", "he", "she", "they", "celui-ci", "celle-ci", "lui"}
