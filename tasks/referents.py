"""What the phrase of a cue stands for: a named entity, or a pronoun, title or body to resolve.

`read_phrase` sorts the phrase a frame found (`tasks.attribution_frames`):
  name      a mention the entity stage found covers its head, or a person named in apposition
            ("le ministre de la Santé, Jan Novák")
  group     an organisation noun with a proper complement ("la préfecture de la Gironde",
            "le parquet de Lyon"): an organisation in its own right, even where NER missed it
  new_name  capitalised words the entity stage missed ("explique Jan Novák")
  pronoun   il, elle, -t-il, celle-ci, ce dernier…; title: a definite person noun ("l'élu",
            "la ministre"); body: an organisation noun alone ("le parquet", "le syndicat")
  other     on, je, nous, an indefinite phrase ("un habitant"): nobody a reader could name
`antecedents` lists who a pronoun, title or body may stand for, most likely first, by the
cues a reader uses (agreement in gender, the titles and appositions the text gave each
person, recency, being a clause's subject) and gives each its evidence as features; the
ranker, not this module, decides. Genders come from honorifics and gendered titles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from schemas import Role
from tasks.attribution_context import Named, Passage
from tasks.attribution_frames import Cue
from tasks.events import fold
from tasks.role_lexicon import role_noun
from tasks.speech_lexicon import GROUP_NOUNS, MEDIA_NOUNS, is_saying, person_nouns

_PRONOUNS = {"ses": (None, False), "leurs": (None, True), "il": ("m", False), "elle": ("f", False), "ils": ("m", True), "elles": ("f", True),
             "celui-ci": ("m", False), "celle-ci": ("f", False), "lui": ("m", False), "eux": ("m", True),
             "celui-là": ("m", False), "celle-là": ("f", False)}
_NOBODY = {"on", "je", "j'", "j’", "nous", "vous", "tu", "me", "moi", "ça", "cela", "ce", "c'", "c’", "qui", "chacun",
           "tout", "tous", "personne", "certains", "plusieurs", "beaucoup", "rien"}
_HONORIFICS = {"M.", "Mme", "Me", "Mlle", "MM.", "Dr", "Pr", "Mgr", "Monsieur", "Madame", "Maître", "Docteur"}
_DEFINITE = {"le", "la", "l'", "l’", "les", "ce", "cet", "cette", "ces", "son", "sa", "ses", "leur", "notre"}
_HONORIFIC = re.compile(r"(?:\b(?P<m>M\.|Monsieur|MM\.)|\b(?P<f>Mme|Madame|Mlle|Mademoiselle))\s*$")
_TITLE_BEFORE = re.compile(r"\b(?P<det>le|la|un|une)\s+(?P<noun>[\w-]+)(?:\s+[\w'’-]+){0,4}\s*,?\s*$", re.I)
_TITLE_AFTER = re.compile(r"\.?\s*,\s*(?:\d+\s+ans\s*,\s*)?(?P<det>le|la|l['’]|un|une)?\s*(?P<noun>[\w-]+)(?:\s+(?P<next>[\w-]+))?",
                          re.I)
_OF = re.compile(r"\b(?:de|du|des|d['’])\s*$", re.I)
_CITED = re.compile(r"\b(?:selon|d['’]après)\s+(?:l['’]|le |la |les )?$", re.I)
_WINDOW = 3  # sentences back where a pronoun finds its antecedent


@dataclass(frozen=True)
class Referent:
    kind: str
    start: int
    end: int
    entity_id: str | None = None
    gender: str | None = None
    plural: bool = False
    noun: str | None = None
    text: str = ""


@dataclass(frozen=True)
class Antecedent:
    entity_id: str
    features: dict[str, float] = field(default_factory=dict)


def read_phrase(p: Passage, cue: Cue) -> Referent:
    """What kind of phrase the cue points to, and the entity when it names one."""
    head = p.doc[cue.head]
    word = head.lower_.lstrip("-")
    if word in _PRONOUNS or word in ("dernier", "dernière") and _has_det(head, ("ce", "cette")):
        gender, plural = _PRONOUNS.get(word, ("f" if word == "dernière" else "m", False))
        return Referent("pronoun", cue.start, cue.end, gender=gender, plural=plural)
    if word == "on" and head.i + 1 < len(p.doc) and p.doc[head.i + 1].lower_ in ("lire", "lit", "entendre"):
        return Referent("body", cue.start, cue.end, noun="publication")  # « … », peut-on lire: a publication
    if word in _NOBODY:
        return Referent("other", cue.start, cue.end)
    named = _named(p, head, cue.start, cue.end)
    if named is not None:
        return Referent("name", named.start, named.end, entity_id=named.entity_id)
    noun = head.lower_
    text = p.body[cue.start:cue.end]
    if head.pos_ == "NOUN" and noun in GROUP_NOUNS and _has_det(head, _DEFINITE):
        proper = any(c.dep_ == "nmod" and (c.pos_ == "PROPN" or c.text[:1].isupper()) for c in head.children)
        kind = "group" if proper else "body"
        return Referent(kind, cue.start, cue.end, noun=noun, text=_without_det(text))
    if head.pos_ == "NOUN" and noun in person_nouns() and _has_det(head, _DEFINITE):
        gender = _gender(head.morph.get("Gender"), next((c.lower_ for c in head.children if c.dep_ == "det"), None))
        return Referent("title", cue.start, cue.end, gender=gender, plural="Plur" in head.morph.get("Number"),
                        noun=noun)
    if head.pos_ == "PROPN" and head.text[:1].isupper() and 1 < len(text.split()) <= 4 and text.istitle():
        return Referent("new_name", cue.start, cue.end, text=_without_det(text))
    return Referent("other", cue.start, cue.end)


def _named(p: Passage, head, start: int, end: int) -> Named | None:
    """The named mention the phrase stands for: over its head; or, when the head is an honorific or
    a title, a person inside the phrase ("M. Novák", "le ministre Jan Novák") or named right
    after it in apposition ("le président du tribunal, Jan Novák")."""
    covering = p.named_covering(head.idx, head.idx + len(head))
    if covering is not None:
        return covering
    if head.text in _HONORIFICS or head.pos_ == "NOUN" and head.lower_ in person_nouns():
        following = p.named_in(end, end + 80)
        if following and following[0].type == "PERSON" and re.fullmatch(r"\s*,?\s*", p.body[end:following[0].start]):
            return following[0]  # "le procureur Jan Novák", "l'avocate de Paul Roy, Anne Dupuis"
        for n in p.named_in(start, end):  # "le ministre Jan Novák", not "l'avocate de Paul Roy"
            if n.type == "PERSON" and not _OF.search(p.body, max(start, n.start - 4), n.start):
                return n
    return None


def _has_det(token, words) -> bool:
    return any(c.dep_ in ("det", "nmod:poss") and c.lower_ in words for c in token.children)


def _without_det(text: str) -> str:
    return re.sub(r"^(?:l['’]\s*|(?:le|la|les|ce|cet|cette|ces)\s+)", "", text.strip(), flags=re.I)


def _gender(morph: list[str], det: str | None) -> str | None:
    if det in ("la", "cette", "une", "sa"):
        return "f"
    if det in ("le", "ce", "cet", "un"):
        return "m"
    return {"Fem": "f", "Masc": "m"}.get(morph[0]) if morph else None


# ---------------------------------------------------------------- who is who

class People:
    """Each entity's gender and titles, read once per post from honorifics, titles and roles."""

    def __init__(self, p: Passage, roles: tuple[Role, ...]):
        self.p = p
        votes: dict[str, list[str]] = {}
        self.titles: dict[str, set[str]] = {}
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
                self.titles.setdefault(n.entity_id, set()).add(_stem(title["noun"]))
            gender = gender or _agreement(p, n)
            apposition = _TITLE_AFTER.match(p.body, n.end, n.end + 60)
            noun = _apposed(apposition, person_nouns())
            if noun:
                self.titles.setdefault(n.entity_id, set()).add(_stem(noun))
                gender = gender or _gender([], (apposition["det"] or "").lower() or None)
            if gender:
                votes.setdefault(n.entity_id, []).append(gender)
        for role in roles:  # the head of "porte-parole du président": porte-parole, not président
            head = role_noun(role.role or "")
            if head:
                self.titles.setdefault(role.entity_id, set()).add(_stem(head.split()[0]))
        self.gender = {e: max(set(v), key=v.count) for e, v in votes.items() if len(set(v)) == 1}

    def _body_titles(self, n: Named) -> None:
        before = re.search(r"\b(?:le|la|l['’]|du|de la|au|à la)\s*([\w-]+)(?:\s+[a-zà-ÿ-]+)?\s*$",
                           self.p.body[max(0, n.start - 40):n.start], re.I)
        after = _apposed(_TITLE_AFTER.match(self.p.body, n.end, n.end + 60), GROUP_NOUNS)
        for noun in (before and before.group(1), after):
            if noun and noun.casefold() in GROUP_NOUNS:
                self.titles.setdefault(n.entity_id, set()).add(_stem(noun))
                if noun.casefold() in MEDIA_NOUNS:
                    self.titles[n.entity_id].add("publication")

    def has_title(self, entity_id: str, noun: str) -> bool:
        return _stem(noun) in self.titles.get(entity_id, ()) or noun in self.titles.get(entity_id, ())

    def covers(self, entity_id: str, noun: str) -> bool:
        """ "l'élu" for a person given "maire": a general title over one the text gave them."""
        return bool(title_families().get(_stem(noun), frozenset()) & self.titles.get(entity_id, set()))


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
    while root.dep_ in ("flat:name", "appos", "flat") and root.head is not root:
        root = root.head
    return root.dep_.startswith("nsubj") or root.dep_ == "obj" and _is_saying_head(root.head)


def is_source(p: Passage, n: Named) -> bool:
    """Whether a mention is cited as a source: subject of a verb of saying or of publishing, or
    named after selon / d'après ("Selon Jan Novák, il faut…", "Le Monde révèle que…")."""
    if _CITED.search(p.body, max(0, n.start - 12), n.start):
        return True
    token = p.token_covering(n.start)
    while token is not None and token.dep_ in ("flat:name", "flat") and token.head is not token:
        token = token.head
    return token is not None and token.dep_.startswith(("nsubj", "obj")) and (
        is_saying(token.head) or token.head.lower_.startswith(("publi", "révél")))


def _clause_mates(p: Passage, at: int) -> set[str]:
    """Entities named in the clause of the pronoun at `at` (« il accuse Paul Roy »: il is not Paul Roy)."""
    token = p.token_at(at)
    if token is None:
        return set()
    verb = token.head
    return {m.entity_id for m in p.named_in(verb.left_edge.idx, verb.right_edge.idx + 1)
            if not (m.start <= at < m.end)}


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
            table[_stem(general.strip())] = frozenset(_stem(w) for w in covered.split())
    return table


def _stem(noun: str) -> str:
    """A title without its feminine or plural ending: avocat = avocate, élu = élue, directeur = directrice."""
    word = fold(noun)
    for fem, masc in (("trice", "teur"), ("euse", "eur"), ("ienne", "ien"), ("ière", "ier"), ("iere", "ier")):
        if word.endswith(fem):
            return word[: -len(fem)] + masc
    return word.removesuffix("s").removesuffix("e")


def antecedents(p: Passage, people: People, ref: Referent, at: int, previous: str | None = None,
                limit: int = 3) -> list[Antecedent]:
    """Who a pronoun, title or body at `at` may stand for, most likely first; `previous` is the
    speaker of the quote before, a candidate whatever the entity stage typed it."""
    if ref.kind == "title":
        wanted = ("PERSON",)
    elif ref.kind == "body" or ref.plural:
        wanted = ("ORG",)
    else:
        wanted = ("PERSON",)
    index = p.sentence_of(at)
    clause_mates = _clause_mates(p, at)
    last: dict[str, Named] = {}
    for n in p.named_in(0, at):
        if n.type in wanted or n.entity_id == previous and n.type not in ("PERSON", "ORG"):
            last[n.entity_id] = n
    if ref.kind == "title":  # "Le président du Kazakhstan a ordonné… Ivan Petrov a chargé…": named just after
        ahead = p.sentences[min(len(p.sentences) - 1, index + 1)][1]
        for n in p.named_in(at, ahead):
            if n.type in wanted and n.entity_id not in last and people.has_title(n.entity_id, ref.noun or ""):
                last[n.entity_id] = n
    found = []
    for entity_id, n in last.items():
        titled = ref.kind in ("title", "body") and people.has_title(entity_id, ref.noun or "")
        covered = ref.kind == "title" and not titled and people.covers(entity_id, ref.noun or "")
        known = people.gender.get(entity_id)
        if ref.gender and known and known != ref.gender and not titled:
            continue
        back = max(index - p.sentence_of(n.start), 0)
        subject = is_subject(p, n)
        source = any(is_source(p, m) for m in p.named_in(p.sentences[max(0, index - _WINDOW)][0], at)
                     if m.entity_id == entity_id)
        found.append((titled, covered, n.start, entity_id, back, known == ref.gender if known else None, subject,
                      source, entity_id in clause_mates))
    found.sort(key=lambda f: (f[0], f[1], f[2]), reverse=True)
    out = []
    for rank, (titled, covered, _, entity_id, back, agrees, subject, source, mate) in enumerate(found[:limit]):
        out.append(Antecedent(entity_id, {
            "ant_first": float(rank == 0), "ant_titled": float(titled), "ant_agrees": float(agrees is True),
            "ant_covered": float(covered),
            "ant_back": min(back, _WINDOW) / _WINDOW, "ant_far": float(back > _WINDOW),
            "ant_alone": float(len(found) == 1), "ant_subject": float(subject), "ant_prev": float(entity_id == previous),
            "ant_source": float(source), "ant_clause_mate": float(mate),
        }))
    return out
def phrase_text(p: Passage, head_index: int) -> str:
    start, end = phrase_span(p.doc[head_index])
    return p.body[start:end]
