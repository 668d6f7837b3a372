"""Who the people and organisations of a post are, as far as pronouns and titles need to know.

Read once per post (`People`): each person's gender, from honorifics (M., Mme), gendered
titles ("la ministre Anne Roy") and agreement in their own clause ("Anne Roy, elle, …",
"Anne Roy est arrivée"); the titles the text gives each person (appositions, titles
before the name, the role rows of `tasks.names.roles`) and each organisation ("le quotidien X");
whether a mention is a clause's subject or a cited source ("selon X", "X a déclaré").
General titles cover precise ones ("l'élu" for a mayor) through data/title_families_fr.txt.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from schemas import Role
from tasks.speech.attribution_context import Named, Passage
from tasks.events import fold
from tasks.names.role_lexicon import role_noun
from tasks.speech.speech_lexicon import GROUP_NOUNS, MEDIA_NOUNS, is_saying, person_nouns

_HONORIFIC = re.compile(r"(?:\b(?P<m>M\.|Monsieur|MM\.)|\b(?P<f>Mme|Madame|Mlle|Mademoiselle))\s*$")
_TITLE_BEFORE = re.compile(r"\b(?P<det>le|la|un|une)\s+(?P<noun>[\w-]+)(?:\s+[\w'’-]+){0,4}\s*,?\s*$", re.I)
_TITLE_AFTER = re.compile(r"\.?\s*,\s*(?:\d+\s+ans\s*,\s*)?(?P<det>le|la|l['’]|un|une)?\s*(?P<noun>[\w-]+)(?:\s+(?P<next>[\w-]+))?",
                          re.I)
_CITED = re.compile(r"\b(?:selon|d['’]après)\s+(?:l['’]|le |la |les )?$", re.I)


def gender_of(noun: str | None, det: str | None) -> str | None:
    """A title's gender: its article (la, le, cette…), else a feminine form in the role lexicon
    ("l'avocate", the feminine of avocat), else unknown ("l'imam", "l'élu")."""
    if det in ("la", "cette", "une", "sa"):
        return "f"
    if det in ("le", "ce", "cet", "un"):
        return "m"
    return noun_gender(noun.casefold()) if noun else None


@cache
def _gendered() -> dict[str, str]:
    words = {w for w in person_nouns() if " " not in w}
    table = {}
    for masculine in words:
        for feminine in _feminines(masculine):
            if feminine in words:
                table[masculine], table[feminine] = "m", "f"
    return table


def noun_gender(noun: str) -> str | None:
    """ "f" for a person noun that is the feminine of another (avocate, directrice), else None: the
    masculine form also names women ("Mme Roy, professeur d'histoire"), and "ministre" is both."""
    return "f" if _gendered().get(noun) == "f" else None


class People:
    """Each entity's gender and titles, read once per post from honorifics, titles and roles."""

    def __init__(self, p: Passage, roles: tuple[Role, ...]):
        self.p = p
        votes: dict[str, list[str]] = {}
        self.titles: dict[str, set[str]] = {}
        self.roles: dict[str, list[str]] = {}  # each person's role phrases, folded
        self._titled: dict[str, list[str]] = {}
        for n in p.named:
            if n.type == "ORG":  # "le quotidien Le Monde", "Mediapart, le site d'information"
                self._body_titles(n)
            if n.type != "PERSON":
                continue
            before = p.body[max(0, n.start - 60):n.start]
            honorific = _HONORIFIC.search(before)
            title = _TITLE_BEFORE.search(before)
            gender = None
            if honorific:
                gender = "m" if honorific["m"] else "f"
            elif title and title["noun"].casefold() in person_nouns():
                gender = "f" if title["det"].lower() in ("la", "une") else "m"
                self.titles.setdefault(n.entity_id, set()).add(title_stem(title["noun"]))
            gender = gender or _agreement(p, n)
            apposition = _TITLE_AFTER.match(p.body, n.end, n.end + 60)
            noun = _apposed(apposition, person_nouns())
            if noun:
                self.titles.setdefault(n.entity_id, set()).add(title_stem(noun))
                gender = gender or gender_of(noun, (apposition["det"] or "").lower() or None)
            if gender:
                votes.setdefault(n.entity_id, []).append(gender)
        for role in roles:  # the head of "porte-parole du président": porte-parole, not président
            head = role_noun(role.role or "")
            if head:
                self.titles.setdefault(role.entity_id, set()).add(title_stem(head.split()[0]))
                self.roles.setdefault(role.entity_id, []).append(fold(role.role or ""))
        self.gender = {e: max(set(v), key=v.count) for e, v in votes.items() if len(set(v)) == 1}
        for entity in p.entities.values():  # no cue in the text: the first name's own gender
            if entity.type == "PERSON" and entity.entity_id not in self.gender and len(entity.name.split()) >= 1:
                guess = name_gender(p.doc.vocab, entity.name.split()[0])
                if guess:
                    self.gender[entity.entity_id] = guess

    def _body_titles(self, n: Named) -> None:
        before = re.search(r"\b(?:le|la|l['’]|du|de la|au|à la)\s*([\w-]+)(?:\s+[a-zà-ÿ-]+)?\s*$",
                           self.p.body[max(0, n.start - 40):n.start], re.I)
        after = _apposed(_TITLE_AFTER.match(self.p.body, n.end, n.end + 60), GROUP_NOUNS)
        for noun in (before and before.group(1), after):
            if noun and noun.casefold() in GROUP_NOUNS:
                self.titles.setdefault(n.entity_id, set()).add(title_stem(noun))
                if noun.casefold() in MEDIA_NOUNS:
                    self.titles[n.entity_id].add("publication")

    def has_title(self, entity_id: str, noun: str) -> bool:
        return title_stem(noun) in self.titles.get(entity_id, ()) or noun in self.titles.get(entity_id, ())

    def other_holder(self, entity_id: str, noun: str, complement: str | None) -> bool:
        """Whether the text gave this person the title for something else: "le président du Kazakhstan"
        is not the person the text called "président russe" or "président de l'association"."""
        if not complement:
            return False
        phrases = [r for r in self.roles.get(entity_id, []) if title_stem(r.split()[0]) == title_stem(noun)]
        return bool(phrases) and not any(complement in r for r in phrases)

    def titled(self, noun: str) -> list[str]:
        """The entities the text gave this title, or a title it covers (computed once per noun)."""
        if noun not in self._titled:
            self._titled[noun] = [e for e in self.titles if self.has_title(e, noun) or self.covers(e, noun)]
        return self._titled[noun]

    def covers(self, entity_id: str, noun: str) -> bool:
        """ "l'élu" for a person given "maire": a general title over one the text gave them."""
        return bool(title_families().get(title_stem(noun), frozenset()) & self.titles.get(entity_id, set()))


# The first name's gender from its word vector: its projection on the axis from masculine to
# feminine person nouns (acteur -> actrice, avocat -> avocate: every pair of data/person_nouns_fr.txt
# and data/roles_fr.txt). Margins checked on common French first names (tests/tasks/test_people.py):
# a name closer to the middle says nothing.
_FEMININE_FROM, _MASCULINE_UNDER = 0.10, -0.04
_AXES: dict[int, object] = {}


def name_gender(vocab, first_name: str) -> str | None:
    """ "f" or "m" for a first name whose word vector leans clearly one way, else None."""
    import numpy as np

    lexeme = vocab[first_name]
    if not first_name[:1].isupper() or not lexeme.has_vector:
        return None
    axis = _AXES.get(id(vocab))
    if axis is None:
        axis = _AXES[id(vocab)] = _gender_axis(vocab)
    if axis is None:
        return None
    score = float(lexeme.vector @ axis / (np.linalg.norm(lexeme.vector) or 1.0))
    return "f" if score >= _FEMININE_FROM else "m" if score <= _MASCULINE_UNDER else None


def _gender_axis(vocab):
    import numpy as np

    table = _gendered()
    steps = []
    for masculine in (w for w, g in table.items() if g == "m"):
        for feminine in _feminines(masculine):
            if table.get(feminine) == "f" and vocab[masculine].has_vector and vocab[feminine].has_vector:
                m, f = vocab[masculine].vector, vocab[feminine].vector
                steps.append(f / np.linalg.norm(f) - m / np.linalg.norm(m))
    if not steps:
        return None
    axis = np.mean(steps, axis=0)
    return axis / np.linalg.norm(axis)


def _feminines(noun: str) -> list[str]:
    """The regular feminines of a masculine person noun: avocate, directrice, chanteuse, historienne, policière."""
    out = [noun + "e"]
    if noun.endswith("teur"):
        out.append(noun[:-4] + "trice")
    if noun.endswith("eur"):
        out.append(noun[:-3] + "euse")
    if noun.endswith(("ien", "on")):
        out.append(noun + "ne")
    if noun.endswith("ier"):
        out.append(noun[:-3] + "ière")
    return [f for f in out if f != noun]


def _apposed(match: re.Match | None, nouns: frozenset[str]) -> str | None:
    """The noun of an apposition ("X, maire de Y", "X, ancienne ministre") when it is one of `nouns`."""
    if match is None:
        return None
    return next((w for w in (match["noun"], match["next"]) if w and w.casefold() in nouns), None)


def _agreement(p: Passage, n: Named) -> str | None:
    """The gender a name's own clause gives it: "Anne Roy, elle, …", "Anne Roy est arrivée", "X s'est dite…"."""
    pronoun = re.match(r"\s*,\s*(elle|il)\s*,", p.body[n.end:n.end + 12])
    if pronoun:
        return "f" if pronoun[1] == "elle" else "m"
    token = p.token_covering(n.start)
    if token is None or not token.dep_.startswith("nsubj"):
        return None
    head = token.head
    if head.pos_ == "ADJ" or "Part" in head.morph.get("VerbForm") and any(c.pos_ == "AUX" for c in head.children):
        return {"Fem": "f", "Masc": None}.get((head.morph.get("Gender") or [""])[0])
    return None


def is_subject(p: Passage, n: Named) -> bool:
    """Whether a mention heads its clause's subject ("Anne Roy, maire de Cahors, a dit"), inverted ones included."""
    span = p.doc.char_span(n.start, n.end, alignment_mode="expand")
    if span is None:
        return False
    root = span.root
    while root.dep_ in ("flat:name", "appos", "flat") and root.head.i != root.i:
        root = root.head
    return root.dep_.startswith("nsubj") or root.dep_ == "obj" and _is_saying_head(root.head)


def is_source(p: Passage, n: Named) -> bool:
    """Whether a mention is cited as a source: subject of a verb of saying or of publishing, or
    named after selon / d'après ("Selon Jan Novák, il faut…", "Le Monde révèle que…")."""
    if _CITED.search(p.body, max(0, n.start - 12), n.start):
        return True
    token = p.token_covering(n.start)
    while token is not None and token.dep_ in ("flat:name", "flat") and token.head.i != token.i:
        token = token.head
    return token is not None and token.dep_.startswith(("nsubj", "obj")) and (
        is_saying(token.head) or token.head.lower_.startswith(("publi", "révél")))


def _is_saying_head(token) -> bool:
    return is_saying(token) and token.i < next(iter(token.rights), token).i


@cache
def title_families() -> dict[str, frozenset[str]]:
    """General title -> the titles it covers (data/title_families_fr.txt), folded to the masculine."""
    text = resources.files("tasks").joinpath("data/title_families_fr.txt").read_text("utf-8")
    table = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            general, _, covered = line.partition(" : ")
            table[title_stem(general.strip())] = frozenset(title_stem(w) for w in covered.split())
    return table


def title_stem(noun: str) -> str:
    """A title without its feminine or plural ending: avocat = avocate, élu = élue, directeur = directrice."""
    word = fold(noun)
    for fem, masc in (("trice", "teur"), ("euse", "eur"), ("ienne", "ien"), ("ière", "ier"), ("iere", "ier")):
        if word.endswith(fem):
            return word[: -len(fem)] + masc
    return word.removesuffix("s").removesuffix("e")
