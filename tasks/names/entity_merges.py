"""Merges of the clusters of one post: the forms of one organisation or place written apart.

An acronym or a first word joins the one longer name it stands for ("CNIL", "Assemblée"), and
a name joins the same name followed by where it is ("université Paris-8 de Saint-Denis"). Two
candidates: no merge. People are resolved in `tasks.names.entities`; this module never reads them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from tasks.names.entity_spans import DETERMINERS, INSTITUTION, OF_PLACE, NameSpan, initials
from tasks.events import fold


@dataclass
class Cluster:
    """The mentions and forms of one entity of a post."""

    type: str
    forms: Counter = field(default_factory=Counter)
    mentions: list[NameSpan] = field(default_factory=list)
    name: str = ""


def name_key(name: str) -> str:
    """Folded name without spaces, hyphens, ligatures or leading determiners: "BPI France" = "Bpifrance",
    "Chœur" = "Choeur"."""
    folded = fold(DETERMINERS.sub("", name)).replace("œ", "oe").replace("æ", "ae")
    return "".join(c for c in folded if c.isalnum())


@cache
def _aliases() -> dict[str, str]:
    """Folded form -> folded acronym, from data/org_aliases.txt."""
    text = resources.files("tasks").joinpath("data/org_aliases.txt").read_text("utf-8")
    table = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            acronym, names = line.split(" = ")
            for form in [acronym, *names.split(" | ")]:
                table[name_key(form)] = name_key(acronym)
    return table


def merge_short_forms(body: str, clusters: list[Cluster]) -> list[Cluster]:
    """An acronym, or a first word alone, joins the one longer name of the post it stands for:
    "CNIL" and "Commission nationale informatique et libertés (CNIL)", "PS" and "Parti socialiste",
    "Assemblée" and "Assemblée nationale". Two candidates: no merge."""
    merged: set[int] = set()
    for i, short in enumerate(clusters):
        if short.type not in ("ORG", "LOC", "MISC") or len(short.name.split()) != 1:
            continue
        word = short.name
        candidates = [
            j for j, long in enumerate(clusters)
            if j != i and long.type in ("ORG", "LOC", "MISC") and len(long.name.split()) >= 2 and (
                word.isupper() and 2 <= len(word) <= 6 and initials(long.name) == word.casefold()
                or _defined_together(body, long, short)
                or INSTITUTION.fullmatch(word) and fold(long.name).split()[0] == fold(word)
                or _aliases().get(name_key(word), "") == _aliases().get(name_key(long.name))
            )
        ]
        if len(candidates) == 1:
            target = clusters[candidates[0]]
            target.mentions.extend(short.mentions)
            target.forms.update(short.forms)
            votes = Counter(r.label for r in target.mentions)
            if target.type == "MISC" or votes[target.type] < max(votes.values()):
                target.type = votes.most_common(1)[0][0]
            if INSTITUTION.match(target.name):
                target.type = "ORG"
            merged.add(i)
    return [c for i, c in enumerate(clusters) if i not in merged]


_OPENING = re.compile(r"\s*\(\s*(?:l['’]|la\s|le\s|les\s|the\s)?\s*", re.I)


def merge_located(clusters: list[Cluster]) -> list[Cluster]:
    """ "université Paris-8" joins "université Paris-8 de Saint-Denis": a name followed by where it is."""
    merged: set[int] = set()
    for i, short in enumerate(clusters):
        longer = [j for j, long in enumerate(clusters) if j != i and short.type == long.type == "ORG"
                  and fold(long.name).startswith(fold(short.name))
                  and OF_PLACE.match(long.name, len(short.name))]
        if len(longer) == 1:
            clusters[longer[0]].mentions.extend(short.mentions)
            clusters[longer[0]].forms.update(short.forms)
            merged.add(i)
    return [c for i, c in enumerate(clusters) if i not in merged]


def _defined_together(body: str, long: Cluster, short: Cluster) -> bool:
    """ "Full Name (ACR)" or "ACR (Full Name)" somewhere in the body."""
    for a in long.mentions:
        for b in short.mentions:
            if _OPENING.fullmatch(body, a.end, b.start) or _OPENING.fullmatch(body, b.end, a.start):
                return True
    return False

