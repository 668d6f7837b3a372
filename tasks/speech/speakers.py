"""Speakers of quotes: who said what, as a careful reader would name them, or NULL.

`attribute_speakers` reads the cues around each quote (`tasks.speech.attribution_frames`), what
their phrases stand for (`tasks.speech.referents`), and lets the learned ranker
(`tasks.speech.speaker_ranker`, weights in data/speaker_model.json, trained and cross-validated by
bench/speakers.py) choose among the candidates, quote after quote in text order. Each quote
keeps its evidence: the cue's words and span, the frame and kind of phrase that named the
speaker (`attribution_rule`, e.g. "incise/title"), and the model's probability
(`speaker_confidence`). Organisations that speak but that the entity stage missed ("estime
la préfecture de la Gironde") come back as new entities with their mentions.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from spacy.tokens import Doc

from schemas import Entity, Mention, Quote, Role
from tasks.speech.attribution_context import Passage
from tasks.speech.people import People
from tasks.speech.speaker_ranker import Candidates, Linear, Model, Turns, decide


_ARTICLE = re.compile(r"(?<=[\w,’'] )(Le|La|Les|L['’])\s?$")


@dataclass(frozen=True)
class Attribution:
    quotes: tuple[Quote, ...]
    entities: tuple[Entity, ...]  # the entities given, then those the cues added
    mentions: tuple[Mention, ...]
    cued: frozenset[int] = frozenset()  # starts of the speech quotes with a cue of their own


# What the model's features are computed from: a model trained on other versions of these is stale.
_FEATURE_SOURCES = ("speech/attribution_context.py", "speech/attribution_frames.py", "speech/clause_roles.py",
                    "speech/cues.py", "speech/incise_frames.py",
                    "speech/referents.py", "speech/people.py", "speech/speaker_ranker.py",
                    "speech/speech_lexicon.py", "names/role_lexicon.py", "data/speech_verbs_fr.txt",
                    "data/speech_verbs_en.txt", "data/person_nouns_fr.txt", "data/roles_fr.txt",
                    "data/title_families_fr.txt")


def feature_digest() -> str:
    """A hash of the code and word lists the ranker's features come from (stored with the model)."""
    digest = hashlib.sha256()
    for name in _FEATURE_SOURCES:
        digest.update(resources.files("tasks").joinpath(name).read_bytes())
    return digest.hexdigest()[:16]


def model_data() -> dict:
    """data/speaker_model.json as written by bench/speakers.py."""
    return json.loads(resources.files("tasks").joinpath("data/speaker_model.json").read_text("utf-8"))


@cache
def shipped_model(language: str | None = None) -> Model:
    """The model in data/speaker_model.json, with the threshold chosen for posts in `language`
    where one was ("en": English news, bench/en_speakers.py), else the French pages' own."""
    data = model_data()
    gate = data.get("gate")
    threshold = data.get("language_thresholds", {}).get(language or "", data["threshold"])
    return Model(ranker=Linear(data["ranker"]["weights"], data["ranker"]["bias"]),
                 gate=Linear(gate["weights"], gate["bias"]) if gate else None, threshold=threshold,
                 previous=data["previous"])


def attribute_speakers(doc: Doc, quotes: tuple[Quote, ...], mentions: tuple[Mention, ...],
                       entities: tuple[Entity, ...], roles: tuple[Role, ...] = (),
                       model: Model | None = None, echo: bool = True, language: str | None = None) -> Attribution:
    """Each speech quote with its speaker when the model is sure enough (for a post in
    `language`, at that language's threshold); entities and mentions with the organisations
    and names that only a cue revealed. With `echo`, the same words quoted again take their
    speaker (`echoes`)."""
    model = model or shipped_model(language)
    passage = Passage(doc, quotes, mentions, entities)
    candidates = Candidates(passage, People(passage, roles))
    names = _shown_names(passage.body, entities, mentions)
    out: list[Quote] = []
    turns = Turns()
    for quote in quotes:
        if quote.kind != "speech":
            out.append(quote)
            continue
        decision, carried = decide(candidates.of(quote, turns), model)
        turns.add(carried, quote)
        if decision is None:
            out.append(quote)
            continue
        name = names.get(decision.entity_id) or candidates.added[decision.entity_id].name
        cue = decision.cue
        out.append(quote.model_copy(update=dict(
            speaker=name, speaker_entity_id=decision.entity_id, attribution_rule=decision.rule,
            speaker_confidence=decision.probability, speaker_phrase=decision.phrase,
            cue=passage.body[cue[0]:cue[1]] if cue else None,
            cue_start=cue[0] if cue else None, cue_end=cue[1] if cue else None)))
    cued = frozenset(q.char_start for q in quotes if q.kind == "speech" and candidates.has_cue(q))
    if echo:
        out = echoes(out, cued)
    used = {q.speaker_entity_id for q in out}
    added = tuple(e for e in candidates.added.values() if e.entity_id in used)
    kept = {e.entity_id for e in added}
    new_mentions = tuple(_mention(passage, eid, a, b) for eid, a, b in dict.fromkeys(candidates.added_mentions)
                         if eid in kept)
    return Attribution(tuple(out), tuple(entities) + added,
                       tuple(sorted(mentions + new_mentions, key=lambda m: (m.char_start, m.char_end))), cued)


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def echoes(quotes: list[Quote], cued: frozenset[int]) -> list[Quote]:
    """The same words quoted twice in one post are one speaker's: a headline's « a besoin »
    takes the speaker of the « a besoin » its paragraph attributes, when every attributed
    quote of those words names the same speaker (with the least of their confidences). Only
    quotes of two words or more, and without a cue of their own (`cued`: their starts; « … »,
    dit-on stays nobody's), take an echo."""
    said: dict[str, dict[str, Quote]] = {}
    for q in quotes:
        if q.kind == "speech" and q.speaker_entity_id and len(words := _words(q.text).split()) >= 2:
            words = " ".join(words)
            known = said.setdefault(words, {}).get(q.speaker_entity_id)
            if known is None or (q.speaker_confidence or 0) < (known.speaker_confidence or 0):
                said[words][q.speaker_entity_id] = q
    out = []
    for q in quotes:
        free = q.kind == "speech" and not q.speaker_entity_id and q.char_start not in cued
        who = said.get(_words(q.text), {}) if free else {}
        if len(who) == 1:
            source, = who.values()
            q = q.model_copy(update=dict(speaker=source.speaker, speaker_entity_id=source.speaker_entity_id,
                                         attribution_rule="echo", speaker_confidence=source.speaker_confidence))
        out.append(q)
    return out


def _shown_names(body: str, entities: tuple[Entity, ...], mentions: tuple[Mention, ...]) -> dict[str, str]:
    """Each entity's name as a speaker is shown: a final initial keeps its period ("Karim B."), a
    press title keeps its capitalised article ("dans Les Échos"), a name that begins one other
    person's fuller name is that name."""
    names = {e.entity_id: e.name for e in entities}
    by_entity: dict[str, list[Mention]] = {}
    for m in mentions:
        by_entity.setdefault(m.entity_id, []).append(m)
    longer: dict[tuple[str, ...], set[str]] = {}  # the first words of a person's name -> the full names
    for e in entities:
        words = tuple(e.name.split())
        for k in range(1, len(words)) if e.type == "PERSON" else ():
            longer.setdefault(words[:k], set()).add(e.name)
    for e in entities:
        name, own = e.name, by_entity.get(e.entity_id, [])
        if re.search(r"(?:^|\s)[A-ZÀ-Þ]$", name) and any(body[m.char_end:m.char_end + 1] == "." for m in own):
            names[e.entity_id] = name + "."
        elif e.type in ("ORG", "MISC") and len(name.split()) <= 3:
            article = next((a for m in own if (a := _ARTICLE.search(body, max(0, m.char_start - 8), m.char_start))), None)
            if article:
                names[e.entity_id] = article[1] + ("" if article[1].endswith(("'", "’")) else " ") + name
        elif e.type == "PERSON":
            fuller = longer.get(tuple(name.split()), set())
            if len(fuller) == 1:
                names[e.entity_id] = next(iter(fuller))
    return names


def _mention(passage: Passage, entity_id: str, start: int, end: int) -> Mention:
    a, b = passage.sentences[passage.sentence_of(start)]
    return Mention(entity_id=entity_id, surface=passage.body[start:end], char_start=start, char_end=end,
                   sentence_start=a, sentence_end=b)
