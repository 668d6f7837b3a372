"""What speaker rules know about one post: its people, sentences, genders and who "il" or "la ministre" is.

Builds the per-post context (mentions outside quotes, sentences repaired where the parser
cut or missed them, a gender per person from M./Mme and role nouns) and resolves pronouns
and title noun phrases to people: same gender first, then the current speaker, then the
main-clause subject, then the most recent person. It holds no attribution rule.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from spacy.tokens import Doc

from tasks.speech_lexicon import FEM_SUFFIX, FEM_WORDS, INANIMATE, MASC_WORDS, ORG_NOUNS, is_human_noun

@dataclass(frozen=True)
class Person:
    entity_id: str | None
    name: str
    start: int
    end: int
    type: str = "PERSON"


class Context:
    """Everything the rules need about one post."""

    def __init__(self, doc: Doc, quotes, mentions, entities, title):
        self.doc, self.body, self.quotes = doc, doc.text, quotes
        body = self.body
        self.qspans = [(q.char_start, q.char_end) for q in quotes]
        self.kinds = {e.entity_id: e for e in entities}
        names = {e.entity_id: e.name for e in entities}
        names = display_names(body, entities, mentions)
        self.names = names
        ok_types = ("PERSON", "ORG", "LOC")
        allm = [Person(m.entity_id, names[m.entity_id], m.char_start, m.char_end, self.kinds[m.entity_id].type)
                for m in mentions if m.entity_id in self.kinds]
        allm = [p for p in allm if not self.inside_quote(p.start, p.end)]
        self.any = allm                                  # all types, for incise subjects and "on" sources
        self.all_mentions = [Person(m.entity_id, names[m.entity_id], m.char_start, m.char_end,
                                     self.kinds[m.entity_id].type) for m in mentions if m.entity_id in self.kinds]
        self.sources = [p for p in allm if p.type in ok_types]
        self.people = [p for p in self.sources if p.type == "PERSON"]
        sents = [(s.start_char, s.end_char) for s in doc.sents]
        sents = merge_sentences(body, sents)
        sents = split_sentences(body, sents, self.qspans)
        self.sentences = sents
        self.starts = [s for s, _ in sents]
        self.gender = genders(body, self.people)
        self.title = title

    def inside_quote(self, a: int, b: int) -> bool:
        return any(s <= a and b <= e for s, e in self.qspans)

    def sent_index(self, at: int) -> int:
        return max(bisect_right(self.starts, at) - 1, 0)


# ---------------------------------------------------------------- names, sentences, gender

def display_names(body: str, entities, mentions) -> dict[str, str]:
    names = {e.entity_id: e.name for e in entities}
    types = {e.entity_id: e.type for e in entities}
    by_entity: dict[str, list] = {}
    for m in mentions:
        by_entity.setdefault(m.entity_id, []).append(m)
    persons = [e for e in entities if e.type == "PERSON"]
    for e in entities:
        name = names[e.entity_id]
        ms = by_entity.get(e.entity_id, [])
        # a final initial keeps its period: "Yassin E."
        if re.search(r"(?:^|\s)[A-ZÀ-Þ]$", name) and any(body[m.char_end:m.char_end + 1] == "." for m in ms):
            names[e.entity_id] = name + "."
            continue
        # a press title keeps its capitalised article when written mid-sentence: "dans Les Échos"
        if types[e.entity_id] in ("ORG", "MISC") and len(name.split()) <= 3:
            for m in ms:
                art = re.search(r"(?<=[\w,’'] )(Le|La|Les|L['’])\s?$", body[max(0, m.char_start - 8):m.char_start])
                if art:
                    names[e.entity_id] = art.group(1) + ("" if art.group(1).endswith(("'", "’")) else " ") + name
                    break
        # a person name that is a token prefix of another person's fuller name
        if e.type == "PERSON":
            longer = [o.name for o in persons if o.entity_id != e.entity_id and len(o.name.split()) > len(name.split())
                      and o.name.split()[:len(name.split())] == name.split()]
            if len(longer) == 1:
                names[e.entity_id] = longer[0]
    return names


def merge_sentences(body: str, sents):
    merged: list[list[int]] = []
    for a, b in sents:
        if merged:
            pa, pb = merged[-1]
            prev = body[pa:pb]
            text = prev.rstrip().rstrip("»”\"’› )").rstrip()
            gap_has_break = "\n" in body[pa:a] or prev.endswith("\n")
            if not gap_has_break and not re.search(r"[.!?…]$", text):
                merged[-1][1] = b
                continue
        merged.append([a, b])
    return [tuple(x) for x in merged]


def split_sentences(body: str, sents, qspans):
    """Split where the parser missed a sentence end: ". « Une erreur… »" outside any quotation."""
    out = []
    for a, b in sents:
        cuts = [a]
        for m in re.finditer(r"[.!?…][»”\"]?\s+(?=[«“\"A-ZÀ-Þ])", body[a:b]):
            at = a + m.end()
            if any(qs - 1 <= at <= qe for qs, qe in qspans) or any(qs <= a + m.start() < qe for qs, qe in qspans):
                continue
            if re.search(r"(?:\b[A-ZÀ-Þ]|\bM|\bMme|\bDr|\bp|\bav|\bJ\.-C)\.$", body[max(a, at - 8):a + m.start() + 1]):
                continue  # an initial or an abbreviation
            cuts.append(at)
        cuts.append(b)
        out.extend((x, y) for x, y in zip(cuts, cuts[1:]) if y > x)
    return out


def genders(body: str, people: list[Person]) -> dict[str, str | None]:
    votes: dict[str, list[str]] = {}
    for p in people:
        before = body[max(0, p.start - 60):p.start]
        after = body[p.end:p.end + 60]
        g = None
        if re.search(r"(?:\bM\.|\bMonsieur)\s*$", before):
            g = "m"
        elif re.search(r"(?:\bMme|\bMadame|\bMlle)\s*$", before):
            g = "f"
        else:
            role_before = re.search(r"\b(le|la|un|une)\s+([\w-]+)(?:\s+[\w-]+){0,4}\s*,?\s*$", before)
            if role_before and not is_human_noun(role_before.group(2)):
                role_before = None
            role_after = re.match(r"\s*,\s*(le|la|un|une|l['’])?\s*([a-zà-ÿ][\w-]+)", after)
            for m in (role_after, role_before):
                if not m:
                    continue
                det, noun = (m.group(1) or "").lower(), m.group(2).lower()
                if det in ("la", "une", "de la"):
                    g = "f"
                elif det in ("le", "un", "du"):
                    g = "m"
                elif noun in FEM_WORDS or (len(noun) > 5 and FEM_SUFFIX.search(noun) and noun not in MASC_WORDS):
                    g = "f"
                if g:
                    break
        if g and p.entity_id:
            votes.setdefault(p.entity_id, []).append(g)
    out = {}
    for eid, vs in votes.items():
        out[eid] = max(set(vs), key=vs.count) if vs.count(max(set(vs), key=vs.count)) > len(vs) / 2 else None
    return out


def np_gender(det: str | None, noun: str | None) -> str | None:
    det = (det or "").lower().rstrip("'’")
    if det in ("la", "cette", "une", "elle", "elles"):
        return "f"
    if det in ("le", "ce", "cet", "un", "il", "ils", "lui"):
        return "m"
    if noun and noun.lower() in FEM_WORDS:
        return "f"
    return None


# ---------------------------------------------------------------- output

def speaker_fields(person: Person | None, rule: str, confidence: float, cue, body: str) -> dict:
    if person is None:
        return {}
    return dict(
        speaker=person.name, speaker_entity_id=person.entity_id, attribution_rule=rule, confidence=confidence,
        cue=body[cue[0]:cue[1]] if cue else None, cue_start=cue[0] if cue else None, cue_end=cue[1] if cue else None,
    )


# ---------------------------------------------------------------- reference resolution

def current_speaker(ctx: Context, before: int) -> tuple[Person | None, int | None]:
    """The speaker of the last attributed quote before `before`, and that quote's end."""
    best = None
    for i, found in ctx.done.items():
        q = ctx.quotes[i]
        if q.char_end <= before and found.get("speaker_entity_id"):
            if best is None or q.char_end > ctx.quotes[best].char_end:
                best = i
    if best is None:
        return None, None
    f = ctx.done[best]
    person = next((p for p in ctx.all_mentions if p.entity_id == f["speaker_entity_id"]
                   and p.type in ("PERSON", "MISC", "LOC")), None)
    return person, ctx.quotes[best].char_end


def is_main_subject(ctx: Context, p: Person) -> bool:
    if re.search(r"(?:^|[\s,(])(?:selon|d['’]après|pour)\s+(?:[\w-]+\s+){0,3}$", ctx.body[max(0, p.start - 40):p.start], re.I):
        return True
    span = ctx.doc.char_span(p.start, p.end, alignment_mode="expand")
    if span is None:
        return False
    tok = span.root
    while tok.dep_ in ("flat:name", "appos", "flat", "compound", "nmod") and tok.head is not tok:
        if tok.dep_ == "nmod":
            return False
        tok = tok.head
    if not tok.dep_.startswith("nsubj"):
        return False
    verb = tok.head
    while verb.dep_ == "conj" and verb.head is not verb:
        verb = verb.head
    return verb.dep_ == "ROOT"


def refer(ctx: Context, before: int, gender: str | None, near_only: bool = False) -> Person | None:
    """The person a pronoun / title at `before` stands for."""
    index = ctx.sent_index(before)
    window = ctx.sentences[max(0, index - (1 if near_only else 2))][0]
    fits = lambda p: gender is None or ctx.gender.get(p.entity_id) in (None, gender)  # noqa: E731
    current, cur_end = current_speaker(ctx, before)
    cands = [p for p in ctx.people if window <= p.start and p.end <= before and fits(p)]
    if current is not None and fits(current) and cur_end is not None and cur_end >= window \
            and (not near_only or current.entity_id in {p.entity_id for p in cands}):
        others = {p.entity_id for p in cands if p.start >= cur_end and is_main_subject(ctx, p)}
        if not others - {current.entity_id}:
            return current
    subjects = [p for p in cands if is_main_subject(ctx, p)]
    if subjects:
        return subjects[-1]
    if cands:
        return cands[-1]
    if near_only:
        return None
    earlier = [p for p in ctx.people if p.end <= before and fits(p)]
    if current is not None and fits(current) and (not earlier or cur_end >= earlier[-1].end):
        return current
    return earlier[-1] if earlier else None


def refer_role(ctx: Context, before: int, det: str | None, noun: str) -> Person | None:
    """A title noun phrase ("le magistrat", "la toxicologue", "ce père de quatre enfants", "l'agence")."""
    noun_l = noun.lower()
    if noun_l in INANIMATE:
        return None
    body = ctx.body
    if noun_l in ORG_NOUNS:
        index = ctx.sent_index(before)
        window = ctx.sentences[max(0, index - 2)][0]
        orgs = [p for p in ctx.any if p.type in ("ORG", "MISC") and window <= p.start and p.end <= before]
        named = [p for p in orgs if re.search(rf"\b{re.escape(noun_l)}\b", body[max(0, p.start - 40):p.end + 40].lower())]
        subj = [p for p in orgs if is_subject(ctx, p)]
        recent = ctx.sentences[max(0, index - 1)][0]
        pick = ([p for p in subj if p.start >= recent] or named or subj or orgs)
        return pick[-1] if pick else None
    if not is_human_noun(noun_l):
        return None
    # a person given this noun in an apposition: "la toxicologue Dominique X", "le ministre russe de la Défense, X",
    # "X, avocate de …"
    owners = []
    for p in ctx.people:
        if p.end > before:
            break
        lead = body[max(0, p.start - 70):p.start].lower()
        tail = body[p.end:p.end + 50].lower()
        if re.search(rf"\b(?:le|la|l['’]|un|une|son|sa|notre|leur)\s*(?:[\w-]+\s+)?{re.escape(noun_l)}\b[^.;:!?«»]{{0,45}}$", lead) \
                or re.match(rf"\.?\s*,\s*(?:[\w'’-]+\s+){{0,2}}{re.escape(noun_l)}\b", tail):
            owners.append(p)
    for p in ctx.people:
        if p.end > before:
            break
        if re.search(rf"\b{re.escape(noun_l)}\b[^.;:!?()«»]{{0,40}}$", body[max(0, p.start - 60):p.start].lower()):
            owners.append(p)
    if owners:
        ids = {p.entity_id for p in owners}
        last = [p for p in ctx.people if p.entity_id in ids and p.end <= before]
        return last[-1]
    return refer(ctx, before, np_gender(det, noun), near_only=True)


def is_subject(ctx: Context, p: Person) -> bool:
    """Whether the parser made this mention the subject of its clause."""
    span = ctx.doc.char_span(p.start, p.end, alignment_mode="expand")
    return span is not None and span.root.dep_.startswith("nsubj")
