"""Who said each quote: every entity a cue or the context points to is a candidate, a learned
linear model scores it, the best one above a threshold is the speaker, otherwise nobody.

Why a ranker and not an ordered list of rules: rules tried in a hand-chosen order fitted the
pages they were written on and missed ordinary French elsewhere. Here the constructions
(`tasks.speech.attribution_frames`) and what their phrases stand for (`tasks.speech.referents`) only
produce evidence; how much each kind of evidence weighs, and how sure the model must be to
name anyone (a wrong speaker is worse than none), are learned from the development gold and
chosen by leave-pages-out cross-validation (bench/speakers.py). Quotes are decided in text
order, so "spoke the previous quote" is a feature: a run of quotes keeps its speaker unless
a cue names someone else.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field

from schemas import Entity, Quote
from tasks.speech.attribution_context import Passage
from tasks.speech.attribution_frames import find_cues
from tasks.speech.cues import Cue
from tasks.names.entities import entity_id_for
from tasks.speech.people import People
from tasks.speech.referents import Antecedent, Referent, antecedents, read_phrase

_RESOLVED = ("pronoun", "title", "body")
_DIRECT = {"incise", "closing", "inner", "cue", "according", "colon", "signed"}  # frames in the quote's own sentence
_CONTEXT_SENTENCES = 2
_UNNAMED_SOURCE = ("other:incise", "other:closing", "other:inner", "other:according", "other:signed")


@dataclass
class Candidate:
    entity_id: str
    features: dict[str, float] = field(default_factory=dict)
    evidence: tuple[str, Cue, str] | None = None  # the first frame that points to it: rule, cue, phrase


@dataclass(frozen=True)
class Decision:
    entity_id: str
    probability: float
    rule: str
    cue: tuple[int, int] | None
    phrase: str | None = None


@dataclass(frozen=True)
class Linear:
    """A logistic model over named features."""

    weights: dict[str, float]
    bias: float

    def logit(self, features: dict[str, float]) -> float:
        return self.bias + sum(self.weights.get(k, 0.0) * v for k, v in features.items())

    def probability(self, features: dict[str, float]) -> float:
        return 1 / (1 + math.exp(-max(min(self.logit(features), 30.0), -30.0)))


@dataclass(frozen=True)
class Model:
    """`ranker` orders a quote's candidates; `gate` says how likely the first one is the speaker,
    from its evidence and its lead over the second; below `threshold`, nobody is named."""

    ranker: Linear
    gate: Linear | None
    threshold: float
    previous: float = 0.4  # the ranker's first candidate carries a run of quotes from this probability

    def probability(self, features: dict[str, float]) -> float:
        return self.ranker.probability(features)


@dataclass
class Turns:
    """Who carried the last quotes: the last speaker and the one before (another entity), with their quotes."""

    last: tuple[str, Quote] | None = None
    before: tuple[str, Quote] | None = None

    def add(self, entity_id: str | None, quote: Quote) -> None:
        if entity_id is None:
            return
        if self.last is not None and self.last[0] != entity_id:
            self.before = self.last
        self.last = (entity_id, quote)


class Candidates:
    """Candidate speakers of the quotes of one post, with the entities the cues add."""

    def __init__(self, p: Passage, people: People):
        self.p, self.people = p, people
        self.added: dict[str, Entity] = {}  # organisations and names the entity stage missed
        self.added_mentions: list[tuple[str, int, int]] = []
        self.counts = Counter(n.entity_id for n in p.named)
        self._speech = sorted((q for q in p.quotes if q.kind == "speech"), key=lambda q: q.char_start)
        self._speech_starts = [q.char_start for q in self._speech]
        self._quoted_starts = [n.start for n in p.quoted]
        self._cues = {q.char_start: find_cues(p, q) for q in self._speech}
        self.cited = self._cited()
        self.cited_most = self.cited.most_common(1)[0][0] if self.cited else None

    def of(self, quote: Quote, turns: Turns) -> dict[str, Candidate]:
        p = self.p
        found: dict[str, Candidate] = {}
        cues = self._cues.get(quote.char_start) if quote.char_start in self._cues else find_cues(p, quote)
        for cue in cues:
            ref = read_phrase(p, cue)
            for entity_id, features in self._sources(ref, cue, turns.last[0] if turns.last else None):
                candidate = found.setdefault(entity_id, Candidate(entity_id))
                features |= {f"frame:{cue.frame}": 1.0, f"via:{ref.kind}": 1.0,
                             "cue_near": 1 / (1 + cue.distance)}
                for key, value in features.items():
                    candidate.features[key] = max(candidate.features.get(key, 0.0), value)
                if candidate.evidence is None:
                    candidate.evidence = (f"{cue.frame}/{ref.kind}", cue, p.body[cue.start:cue.end])
        self._context(quote, found)
        if not any(c.frame in _DIRECT for c in cues):
            self._next_incise(quote, found)
        for name, turn in (("prev", turns.last), ("turn", turns.before)):
            if turn is None:
                continue
            entity_id, before = turn
            candidate = found.setdefault(entity_id, Candidate(entity_id))
            gap = p.sentence_of(quote.char_start) - p.sentence_of(before.char_end)
            candidate.features[name] = 1.0
            candidate.features[f"{name}_gap"] = min(max(gap, 0), 3) / 3
            if name == "prev":
                candidate.features["prev_paragraph"] = float(
                    p.paragraph_of(quote.char_start) == p.paragraph_of(before.char_end))
            elif turns.last is not None and self._exchange(turns.last[1], quote):
                candidate.features["turn_exchange"] = 1.0  # — A … — B … — A: a dialogue alternates
        self._static(quote, found, bool(cues))
        # a frame whose phrase names nobody we know ("a poursuivi cette source", "on") speaks against everyone
        unnamed = {f"other:{c.frame}" for c in cues if read_phrase(p, c).kind == "other"}
        for candidate in found.values():
            candidate.features.update(dict.fromkeys(unnamed, 1.0))
        return found

    def has_cue(self, quote: Quote) -> bool:
        """Whether a frame of the quote's own text points to a source (a known one or not)."""
        return bool(self._cues.get(quote.char_start))

    def _cited(self) -> Counter:
        """How many of the post's quotes a cue of their own sentence names each entity for: the
        post's main voices, to whom its unattributed fragments most often belong."""
        cited: Counter = Counter()
        for quote in self._speech:
            for cue in self._cues[quote.char_start]:
                ref = read_phrase(self.p, cue) if cue.frame in _DIRECT else None
                if ref is not None and ref.kind == "name":
                    cited[ref.entity_id] += 1
                    break
        return cited

    def _next_incise(self, quote: Quote, found: dict[str, Candidate]) -> None:
        """« A. » « B », ajoute Paul Roy: the next quote's incise names someone, in the next sentence at most."""
        p = self.p
        following = self._speech[bisect_right(self._speech_starts, quote.char_start)] \
            if bisect_right(self._speech_starts, quote.char_start) < len(self._speech) else None
        if following is None or p.sentence_of(following.char_start) - p.sentence_of(quote.char_end) > 1:
            return
        cue = next((c for c in self._cues[following.char_start] if c.frame in ("incise", "inner")), None)
        ref = read_phrase(p, cue) if cue else None
        if ref is not None and ref.kind == "name":
            found.setdefault(ref.entity_id, Candidate(ref.entity_id)).features["next_incise"] = 1.0

    def _exchange(self, last: Quote, quote: Quote) -> bool:
        """Both quotes open their paragraphs, one paragraph after the other: turns of a dialogue."""
        p = self.p
        here, there = p.paragraph_of(quote.char_start), p.paragraph_of(last.char_start)
        return here == there + 1 and all(
            not p.body[p.paragraph_starts[p.paragraph_of(q.char_start)]:q.char_start].strip(" «“\"‹—–-")
            for q in (last, quote))

    def _sources(self, ref: Referent, cue: Cue, previous: str | None) -> list[tuple[str, dict[str, float]]]:
        if ref.kind == "name":
            return [(ref.entity_id, {})]
        if ref.kind in ("group", "new_name"):
            return [(self._add(ref), {})]
        if ref.kind in _RESOLVED:
            found: list[Antecedent] = antecedents(self.p, self.people, ref, cue.start, previous)
            return [(a.entity_id, dict(a.features)) for a in found]
        return []

    def _add(self, ref: Referent) -> str:
        """An organisation ("préfecture de la Gironde") or a name the entity stage missed, as an entity."""
        kind = "ORG" if ref.kind == "group" else "PERSON"
        entity_id = entity_id_for(kind, ref.text)
        if entity_id not in self.p.entities:
            self.added.setdefault(entity_id, Entity(entity_id=entity_id, name=ref.text, type=kind))
        self.added_mentions.append((entity_id, ref.start, ref.end))
        return entity_id

    def _context(self, quote: Quote, found: dict[str, Candidate]) -> None:
        """People and organisations named before the quote: in its sentence, the sentences before."""
        p = self.p
        index = p.sentence_of(quote.char_start)
        start = p.sentences[max(0, index - _CONTEXT_SENTENCES)][0]
        last_person = None
        for n in p.named_in(start, quote.char_start):
            if n.type not in ("PERSON", "ORG"):
                continue
            back = index - p.sentence_of(n.start)
            candidate = found.setdefault(n.entity_id, Candidate(n.entity_id))
            f = candidate.features
            f["ctx_sentence" if back == 0 else "ctx_before"] = 1.0
            token = p.token_at(n.start)
            if token is not None and token.dep_.startswith("nsubj"):
                f["ctx_subject"] = 1.0
            if n.type == "PERSON":
                last_person = n.entity_id
        if last_person is not None:
            found[last_person].features["ctx_last_person"] = 1.0

    def _static(self, quote: Quote, found: dict[str, Candidate], has_cue: bool) -> None:
        p = self.p
        first, last = bisect_left(self._quoted_starts, quote.char_start), bisect_left(self._quoted_starts, quote.char_end)
        incises = [(c.start, c.end) for c in self._cues.get(quote.char_start, ()) if c.frame == "inner"]
        inside = {n.entity_id for n in p.quoted[first:last] if not any(a <= n.start < b for a, b in incises)}
        words = len(quote.text.split())
        opens = not p.body[p.paragraph_starts[p.paragraph_of(quote.char_start)]:quote.char_start].strip(" «“\"‹—–-")
        for entity_id, candidate in found.items():
            entity = p.entities.get(entity_id) or self.added.get(entity_id)
            f = candidate.features
            cued = any(k.startswith("frame:") for k in f)
            f[f"{'cue' if cued else 'ctx'}_type:{entity.type if entity else 'ORG'}"] = 1.0
            f["count"] = math.log1p(self.counts.get(entity_id, 0)) / 3
            f["cited"] = math.log1p(self.cited.get(entity_id, 0)) / 3
            f["cited_most"] = float(entity_id == self.cited_most)
            f["in_quote"] = float(entity_id in inside)
            f["q_short"] = float(words <= 3)
            f["q_nocue"] = float(not has_cue)
            f["q_opens"] = float(opens)


def ranked(candidates: dict[str, Candidate], model: Model) -> list[tuple[float, Candidate]]:
    """Candidates with the ranker's logit, best first."""
    return sorted(((model.ranker.logit(c.features), c) for c in candidates.values()), key=lambda x: -x[0])


def gate_features(order: list[tuple[float, Candidate]]) -> dict[str, float]:
    """What the gate reads: the kind of evidence behind the first candidate (the frame and the kind
    of phrase of its strongest cue, or a run of quotes, or the context alone), its score and its
    lead over the second. Few features on purpose: the gate learns from a few hundred quotes."""
    (best, first), second = order[0], order[1][0] if len(order) > 1 else None
    if first.evidence is not None:
        kind = first.evidence[0]
    else:
        kind = "run" if "prev" in first.features else "context"
    return {f"class:{kind}": 1.0, "score": max(min(best, 6.0), -6.0) / 6,
            "lead": min(best - (second if second is not None else -6.0), 6.0) / 6}


def decide(candidates: dict[str, Candidate], model: Model) -> tuple[Decision | None, str | None]:
    """The first candidate when the gate is sure enough that it spoke (else None), and the entity
    that carries the run of quotes on (the ranker's first candidate, gated or not)."""
    if not candidates:
        return None, None
    order = ranked(candidates, model)
    best = order[0][1]
    carried = best.entity_id if model.ranker.probability(best.features) >= model.previous else None
    if best.evidence is None and any(k in best.features for k in _UNNAMED_SOURCE):
        return None, carried  # « … », dit-on / confie un habitant: the text names its source, and it is nobody we know
    probability = model.gate.probability(gate_features(order)) if model.gate else model.ranker.probability(best.features)
    probability = round(probability, 4)  # as stored: a threshold judges what the warehouse shows
    if probability < model.threshold:
        return None, carried
    rule, cue, phrase = best.evidence or ("continuation" if "prev" in best.features else "context", None, None)
    return Decision(best.entity_id, probability, rule, cue.marker if cue else None, phrase), carried
