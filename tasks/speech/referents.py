"""What the phrase of a cue stands for: a named entity, or a pronoun, title or body to resolve.

`read_phrase` sorts the phrase a frame found (`tasks.speech.attribution_frames`):
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

from tasks.speech.attribution_context import Named, Passage
from tasks.speech.cues import Cue
from tasks.events import fold
from tasks.speech.people import People, gender_of, is_source, is_subject
from tasks.speech.speech_lexicon import GROUP_NOUNS, MEDIA_NOUNS, person_nouns

_PRONOUNS = {"ses": (None, False), "leurs": (None, True), "il": ("m", False), "elle": ("f", False),
             "ils": ("m", True), "elles": ("f", True), "celui-ci": ("m", False), "celle-ci": ("f", False), "lui": ("m", False), "eux": ("m", True),
             "celui-là": ("m", False), "celle-là": ("f", False)}
_NOBODY = {"on", "je", "j'", "j’", "nous", "vous", "tu", "me", "moi", "ça", "cela", "ce", "c'", "c’", "qui", "chacun",
           "tout", "tous", "personne", "certains", "plusieurs", "beaucoup", "rien"}
_HONORIFICS = {"M.", "Mme", "Me", "Mlle", "MM.", "Dr", "Pr", "Mgr", "Monsieur", "Madame", "Maître", "Docteur"}
_DEFINITE = {"le", "la", "l'", "l’", "les", "ce", "cet", "cette", "ces", "son", "sa", "ses", "leur", "notre"}
_OF = re.compile(r"\b(?:de|du|des|d['’])\s*$", re.I)
_WINDOW = 3  # sentences back beyond which an antecedent is far
_REACH = 6000  # characters back where antecedents are looked for: bounded work on any page


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
    complement: str | None = None  # what a title is of: "tadjikistan" in "le président du Tadjikistan"


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
    if named is None and cue.frame == "inner":  # « Non, répondit Paul. »: the incise lies inside the marks
        named = p.named_covering(cue.start, cue.end, quoted=True)  # « Oui, dit M. Roy »: over the phrase
    if named is not None:
        return Referent("name", named.start, named.end, entity_id=named.entity_id)
    noun = head.lower_
    text = p.body[cue.start:cue.end]
    if noun in ("madame", "monsieur"):  # "ajoute madame la ministre": the title, gendered by the honorific
        title = next((c for c in head.subtree if c.pos_ == "NOUN" and c.lower_ in person_nouns()), None)
        if title is not None:
            return Referent("title", cue.start, cue.end, gender="f" if noun == "madame" else "m", noun=title.lower_)
    if head.pos_ == "NOUN" and noun in GROUP_NOUNS and _has_det(head, _DEFINITE):
        proper = next((c for c in head.children if c.dep_ in ("nmod", "appos", "flat:name")
                       and (c.pos_ == "PROPN" or c.text[:1].isupper())), None)
        known = p.named_covering(proper.idx, proper.idx + len(proper)) if proper is not None else None
        if known is not None and known.type == "ORG":  # "le syndicat, Force Ouvrière"
            return Referent("name", known.start, known.end, entity_id=known.entity_id)
        title = _press_title(p, head, proper) if proper is not None else None
        if title is not None:
            return Referent("group", title[0], title[1], noun=noun, text=p.body[title[0]:title[1]])
        return Referent("group" if proper else "body", cue.start, cue.end, noun=noun, text=_without_det(text))
    if head.pos_ == "NOUN" and noun in person_nouns() and _has_det(head, _DEFINITE):
        gender = gender_of(noun, next((c.lower_ for c in head.children if c.dep_ == "det"), None))
        of = next((c for c in head.children if c.dep_ == "nmod" and c.text[:1].isupper()), None)
        return Referent("title", cue.start, cue.end, gender=gender, plural="Plur" in head.morph.get("Number"),
                        noun=noun, complement=fold(of.text) if of is not None else None)
    if head.pos_ == "PROPN" and head.text[:1].isupper() and 1 < len(text.split()) <= 4 and text.istitle():
        return Referent("new_name", cue.start, cue.end, text=_without_det(text))
    return Referent("other", cue.start, cue.end)


_TITLE_WORDS = {"de", "du", "des", "la", "le", "les", "l'", "l’", "d'", "d’", "&", "et"}
_MARKS = "«»“”\"\u00a0\u202f "


def _press_title(p: Passage, head, proper) -> tuple[int, int] | None:
    """ "le journal américain « The Wall Street Journal »", "le quotidien Le Monde": the span of a
    medium's name given after it (capitalised words and the small words between them)."""
    first = p.doc[proper.i - 1] if proper.i and p.doc[proper.i - 1].pos_ == "DET" \
        and p.doc[proper.i - 1].text[:1].isupper() else proper  # « La Voix de l'Ouest »
    quoted = p.body[max(first.idx - 2, 0):first.idx].strip(" \u00a0\u202f")[-1:] in ("«", "“", "\"")
    if head.lower_ not in MEDIA_NOUNS and not quoted or any(c.dep_ == "case" for c in proper.children):
        return None
    named = p.named_covering(proper.idx, proper.idx + len(proper))
    if named is not None and named.type == "PERSON":
        return None
    last = proper
    for t in p.doc[proper.i + 1:proper.i + 8]:
        if not (t.text[:1].isupper() or t.lower_ in _TITLE_WORDS):
            break
        last = t
    while last.i > proper.i and last.lower_ in _TITLE_WORDS:
        last = p.doc[last.i - 1]
    start, end = first.idx, last.idx + len(last)
    if not p.body[start:end].strip(_MARKS):
        return None
    return start, end


def _named(p: Passage, head, start: int, end: int) -> Named | None:
    """The named mention the phrase stands for: over its head; or, when the head is an honorific or
    a title, a person inside the phrase ("M. Novák", "le ministre Jan Novák") or named right
    after it in apposition ("le président du tribunal, Jan Novák")."""
    covering = p.named_covering(head.idx, head.idx + len(head))
    if covering is not None:
        return covering
    if head.text in _HONORIFICS or head.pos_ == "NOUN" and head.lower_ in person_nouns():
        preceding = p.named_in(max(0, start - 80), start)
        if preceding and preceding[-1].type == "PERSON" and re.fullmatch(r"\s*,?\s*", p.body[preceding[-1].end:start]) \
                and not _in_prepositional_phrase(p, preceding[-1]):
            return preceding[-1]  # "Paul Roy chef de la mission déclare": the title is his apposition
        following = p.named_in(end, end + 80)
        if following and following[0].type == "PERSON" and re.fullmatch(r"\s*,?\s*", p.body[end:following[0].start]):
            return following[0]  # "le procureur Jan Novák", "l'avocate de Paul Roy, Anne Dupuis"
        for n in p.named_in(start, end):  # "le ministre Jan Novák", not "l'avocate de Paul Roy"
            if n.type == "PERSON" and not _OF.search(p.body, max(start, n.start - 4), n.start):
                return n
    return None


def _in_prepositional_phrase(p: Passage, n: Named) -> bool:
    """ "par la voix de sa fille Anne, la présidente déclare": Anne is no subject."""
    token = p.token_covering(n.start)
    while token is not None and token.dep_ in ("flat:name", "flat", "appos") and token.head.i != token.i:
        token = token.head
    return token is not None and (any(c.dep_ == "case" for c in token.children) or token.dep_.startswith("obl")
                                  or token.dep_ == "nmod")


def _has_det(token, words) -> bool:
    return any(c.dep_ in ("det", "nmod:poss") and c.lower_ in words for c in token.children)


def _without_det(text: str) -> str:
    return re.sub(r"^(?:l['’]\s*|(?:le|la|les|ce|cet|cette|ces)\s+)", "", text.strip(), flags=re.I)


# ---------------------------------------------------------------- who is who

def _clause_mates(p: Passage, at: int) -> set[str]:
    """Entities named in the clause of the pronoun at `at` (« il accuse Paul Roy »: il is not Paul Roy)."""
    token = p.token_at(at)
    if token is None:
        return set()
    verb = token.head
    return {m.entity_id for m in p.named_in(verb.left_edge.idx, verb.right_edge.idx + 1)
            if not (m.start <= at < m.end)}


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
    for n in p.named_in(max(0, at - _REACH), at):
        if n.type in wanted or n.entity_id == previous and n.type not in ("PERSON", "ORG"):
            last[n.entity_id] = n
    if ref.kind in ("title", "body"):  # a title reaches back to whoever the text gave it, however far
        for entity_id in people.titled(ref.noun or ""):
            n = p.last_mention(entity_id, at) if entity_id not in last else None
            if n is not None and n.type in wanted:
                last[entity_id] = n
    if ref.kind == "title":  # "Le président du Tadjikistan a ordonné… Ivan Petrov a chargé…": named just after
        ahead = p.sentences[min(len(p.sentences) - 1, index + 1)][1]
        for n in p.named_in(at, ahead):
            if n.type in wanted and n.entity_id not in last and people.has_title(n.entity_id, ref.noun or ""):
                last[n.entity_id] = n
    found = []
    for entity_id, n in last.items():
        if entity_id in clause_mates:
            continue  # « il accuse Paul Roy d'… »: a pronoun is not someone named in its own clause
        if ref.kind == "title" and people.other_holder(entity_id, ref.noun or "", ref.complement):
            continue
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
                      source, _embedded(p, n)))
    found.sort(key=lambda f: (f[0], f[1], f[2]), reverse=True)
    out = []
    for rank, (titled, covered, _, entity_id, back, agrees, subject, source, embedded) in enumerate(found[:limit]):
        out.append(Antecedent(entity_id, {
            "ant_first": float(rank == 0), "ant_titled": float(titled), "ant_agrees": float(agrees is True),
            "ant_covered": float(covered),
            "ant_back": min(back, _WINDOW) / _WINDOW, "ant_far": float(back > _WINDOW),
            "ant_alone": float(len(found) == 1), "ant_subject": float(subject), "ant_prev": float(entity_id == previous),
            "ant_source": float(source), "ant_embedded": float(embedded),
        }))
    return out


def _embedded(p: Passage, n: Named) -> bool:
    """Whether the antecedent's last mention sits in a relative clause or a complement of a noun
    ("…, qui a expertisé les travaux de Paul Roy"): the least salient place for a referent."""
    span = p.doc.char_span(n.start, n.end, alignment_mode="expand")
    token = span.root if span is not None else None
    while token is not None and token.head.i != token.i:
        if token.dep_ in ("acl:relcl", "acl", "nmod"):
            return True
        if token.pos_ in ("VERB", "AUX") or token.dep_ in ("nsubj", "nsubj:pass", "obj", "iobj", "obl:arg"):
            return False  # a clause's own argument, or the clause itself: not embedded
        token = token.head
    return False
