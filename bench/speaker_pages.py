"""The pages the speaker ranker learns from and is judged on, with who said each quote.

Two golds, made independently of each other:
- the development web pages (fr-web and the seeds, ../shared/gold): each quote the quote
  finder shares with the gold (the scorer's own matching) gets the gold speaker's name and
  the variants the gold lists for it; a gold quote with no speaker says "nobody";
- the development novels of fr-quotes-litbank: a citation found by the quote finder (more
  than half of it covered) whose annotated source is a proper name gets that name;
  citations whose source is a pronoun or a description are left unlabelled.
A candidate is the speaker when one of its names (its canonical name or a form the text
uses) is one of those names; in the novels, where the gold names a mention ("Mlle
Charmes"), when one contains the other. Names compare as the shared scorer compares them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from spacy.tokens import Doc

from schemas import Post
from tasks.names.entities import extract_entities
from tasks.names.nlp import load_nlp
from tasks.parse import extract_quotes

from bench.devset import dev_documents, parsed, scorer

_DETERMINERS = {"le", "la", "les", "l", "un", "une", "des", "sa", "son", "ses", "mes", "mon", "ma", "notre", "nos",
                "votre", "vos", "leur", "leurs", "ce", "cet", "cette", "ces", "tous", "toutes", "deux", "quelqu'un"}
_NOT_NAMES = {"il", "elle", "je", "vous", "tu", "nous", "on", "ils", "elles", "moi", "lui"}


@dataclass
class Page:
    name: str
    corpus: str  # seeds, fr-web or litbank
    doc: Doc
    post: Post  # with entities, mentions and roles, without speakers
    gold: dict = field(default_factory=dict)  # the web gold, for the shared scorer
    speakers: dict[int, frozenset[str]] = field(default_factory=dict)  # quote index -> its speaker's names

    def is_speaker(self, index: int, names: set[str]) -> bool:
        """Whether a candidate known by `names` (normalised) spoke quote `index`."""
        gold = self.speakers.get(index, frozenset())
        if self.corpus != "litbank":
            return bool(names & gold)
        return any(a in b or b in a for a in names for b in gold if a and b)


def normalise(shared: Path, name: str) -> str:
    return scorer(shared).norm_name(name)


def web_pages(shared: Path) -> list[Page]:
    out = []
    for dev in dev_documents(shared):
        entities, mentions, roles = extract_entities(dev.doc, dev.post.events)
        post = dev.post.model_copy(update=dict(entities=entities, mentions=mentions, roles=roles))
        speakers = {i: _gold_names(shared, dev.gold, g.get("speaker"))
                    for i, g in _match(shared, dev.gold.get("quotes", []), post).items()}
        out.append(Page(dev.name, dev.corpus, dev.doc, post, dev.gold, speakers))
    return out


def _match(shared: Path, golds: list[dict], post: Post) -> dict[int, dict]:
    """Predicted quote index -> gold quote, as the scorer pairs them (similarity >= 0.8, best first)."""
    similar = scorer(shared).similar
    quotes = [(i, q) for i, q in enumerate(post.quotes) if q.kind == "speech"]
    pairs = sorted(((similar(g["text"], q.text), gi, i) for gi, g in enumerate(golds) for i, q in quotes), reverse=True)
    used_g, used_p, out = set(), set(), {}
    for s, gi, i in pairs:
        if s < 0.8:
            break
        if gi not in used_g and i not in used_p:
            used_g.add(gi), used_p.add(i)
            out[i] = golds[gi]
    return out


def _gold_names(shared: Path, gold: dict, speaker: str | None) -> frozenset[str]:
    """The gold speaker's name and the variants the gold lists for it, normalised."""
    if not speaker:
        return frozenset()
    names = {normalise(shared, speaker)}
    for e in gold.get("entities", []):
        forms = {normalise(shared, n) for n in [e["name"], *e.get("variants", [])]}
        if normalise(shared, speaker) in forms:
            names |= forms
    return frozenset(names)


def litbank_pages(shared: Path) -> list[Page]:
    """The development novels of fr-quotes-litbank, with the named sources of the citations found."""
    folder = shared / "data" / "fr-quotes-litbank" / "citations"
    if not folder.is_dir():
        return []
    anns = sorted(folder.glob("*.ann"))
    texts = [a.with_suffix(".txt").read_text("utf-8") for a in anns]
    out = []
    for ann, text, doc in zip(anns, texts, parsed(load_nlp(), texts), strict=True):
        entities, mentions, roles = extract_entities(doc)
        post = Post(post_id=ann.stem[:16], doc_id="0" * 64, source_uri=ann.stem, body_text=text,
                    quotes=extract_quotes(text), entities=entities, mentions=mentions, roles=roles,
                    parser_version="dev")
        speakers = {}
        for start, end, speaker in read_citations(ann):
            index = _covering(post, start, end)
            if index is not None:
                named = speaker and _is_name(speaker)
                speakers[index] = frozenset({normalise(shared, speaker)}) if named else None
        out.append(Page(ann.stem, "litbank", doc, post,
                        speakers={i: s for i, s in speakers.items() if s is not None}))
    return out


def _is_name(mention: str) -> bool:
    """ "Mlle Charmes", "Firmin", "Oncle meunier", not "il", "La maîtresse" nor "Le vieux"."""
    words = mention.split()
    if not re.match(r"[A-ZÀ-Þ]", mention) or words[0].casefold() in _NOT_NAMES:
        return False
    return words[0].casefold().strip("'’") not in _DETERMINERS or any(w[:1].isupper() for w in words[1:])


def read_citations(ann: Path) -> list[tuple[int, int, str | None]]:
    """(start, end, text of the source mention) of each citation of a brat file."""
    spans, sources, mentions = {}, {}, {}
    for line in ann.read_text("utf-8").splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 3:
            kind, *offsets = parts[1].replace(";", " ").split()
            numbers = [int(x) for x in offsets]
            if kind == "Citation":
                spans[parts[0]] = (min(numbers), max(numbers))
            elif kind == "Entite":
                mentions[parts[0]] = parts[2]
        elif line.startswith("R") and len(parts) >= 2 and parts[1].startswith("Source"):
            args = dict(a.split(":") for a in parts[1].split()[1:])
            sources[args.get("Arg2")] = args.get("Arg1")
    return [(s, e, mentions.get(sources.get(t))) for t, (s, e) in spans.items()]


def _covering(post: Post, start: int, end: int) -> int | None:
    """The speech quote that covers more than half of [start, end)."""
    for i, q in enumerate(post.quotes):
        if q.kind == "speech" and 2 * max(0, min(q.char_end, end) - max(q.char_start, start)) >= end - start:
            return i
    return None


def named_accuracy(shared: Path, pages: list[Page], posts: list[Post]) -> dict[str, float | int]:
    """Among citations with a named source: how often the speaker given carries that name, and how
    often one is given at all."""
    named = right = given = 0
    for page, post in zip(pages, posts, strict=True):
        for index, names in page.speakers.items():
            said = post.quotes[index].speaker
            named += 1
            given += said is not None
            right += said is not None and page.is_speaker(index, {normalise(shared, said)})
    return {"named": named, "named_speaker_accuracy": round(right / named, 4) if named else None,
            "named_speaker_attributed": round(given / named, 4) if named else None}
