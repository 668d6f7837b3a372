"""Which quoted spans are terms and not speech: scare quotes, names, titles, short English
terms in French text. A narrow rule set: the news gold counts most short fragments, even one
word, as speech (the rules are listed in `tasks.speech.quotes`). `SP` and `WS` are the spaces
French typography puts around its marks, for both modules."""

from __future__ import annotations

import functools
import re

SP = " \t\n\u00a0\u202f\u2009\u2007\u2002\u2003"
WS = f"[{SP}]"

NAMING = re.compile(
    r"(?:baptisé|surnommé|dénommé|intitulé|prénommé|labellisé|estampillé|appelé|sobriquet|slogan|"
    r"hashtag|mot|terme|expression|formule|locution|notion|concept|label|titre|opération|programme|"
    r"dispositif|projet|campagne|livre|ouvrage|roman|film|documentaire|émission|série|album|chanson|"
    r"article|rubrique|collectif|association|mouvement|journal|magazine|quotidien|revue|podcast|"
    r"pièce|exposition|festival|rapport|manifeste|lire)(?:e|s|es)?\s*(?:de\s+|d['’]|du\s+|:\s*)?[(\s]*$",
    re.I)
FR_WORDS = set("le la les des du de un une et est sont que qui pour dans sur avec pas ne il elle nous "
                "vous ils au aux ce cette ces son sa ses leur par mais ou où très plus".split())
EN_WORDS = set("the of and to for in on with is are that this it by from at as be not we you they "
               "our your their an".split())
ANGLICISMS = set("data big small fake news deep learning machine smart start-up startup cloud business "
                 "marketing digital green washing greenwashing black friday gap gender report soft "
                 "power hard fast food low cost open source hub lab tech story storytelling boom "
                 "leader challenger check fact checking lobby lobbying team coach crowdfunding "
                 "influencer influencers buzz".split())
CITATION = re.compile(rf"{WS}*,{WS}*(?:in{WS}+)?[A-Z][^.«»]{{0,80}}?\b(?:1[5-9]|20)\d\d\b")


def is_term(p: str, a: int, c: int, text: str, whole_paragraph: bool) -> bool:
    """Scare quotes, names and titles: a quoted heading, a title in a bibliographic reference
    (« Title », Publication, 2018), a naming cue (baptisé « X »), or a short Title-Case name."""
    final = text.rstrip(SP + "»”\"")[-1:]
    if whole_paragraph and len(text.split()) <= 12 and final not in ".!?…":
        return True
    if final not in ".!?…" and CITATION.match(p, c + 1):
        return True
    before = p[max(0, a - 40):a].rstrip(SP + "«“„\"‹")
    if NAMING.search(before) and not re.match(r"(?:à|au|aux)\b", text):
        return True
    if _anglicism(p, text, final):
        return True
    words = [re.sub(r"^\w['’]", "", w) for w in text.split()]
    content = [w for w in words if len(w) >= 3 or w.isupper()]
    titled = (any(w[0].isupper() for w in content)
              and all(w[0].isupper() or not w[0].isalpha() for w in content))
    return bool(titled and len(words) <= 5 and final not in ".!?…,"
                and not re.search(r"(?:\b(?:à|de|du)|[dl]['’]|:)$", before))


def _anglicism(p: str, text: str, final: str) -> bool:
    """A short English term highlighted in French text (« small data », « fake news »)."""
    words = re.findall(r"[\w'’]+", text.lower())
    if not words or len(words) > 4 or final in ".!?…" or any(w in FR_WORDS for w in words):
        return False
    return any(w in EN_WORDS or w in ANGLICISMS for w in words) and _is_french(p)


@functools.lru_cache(maxsize=256)
def _is_french(p: str) -> bool:
    ctx = re.findall(r"\w+", p.lower())
    return sum(w in FR_WORDS for w in ctx) > 2 * sum(w in EN_WORDS for w in ctx)
