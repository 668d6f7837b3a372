"""The development gold as parsed posts, and the shared scorer run on them in memory.

`make eval` ingests pages through the flow and scores the warehouse; the language stages
need something faster to cross-validate: every development page (fr-web and the seeds)
cleaned once, its body parsed by spaCy once (cached by body text under data/eval/cache),
then the entity and speaker stages run as often as a fold needs. `score` builds the rows
the warehouse would hold and hands them to ../shared/eval/score_warehouse.py's own
functions, so the figures are the scorer's (checked against `make eval`: the same).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from spacy.tokens import Doc, DocBin

from schemas import ParseOptions, Post
from tasks.sources.acquire import acquire_file
from tasks.names.nlp import load_nlp, parse_texts
from tasks.parse import enrich_post, prepare_post

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "data" / "eval" / "cache"
# name, gold folder (under shared/gold), input folder (None: the project's seeds/)
SETS = (("seeds", "seeds", None), ("fr-web", "fr-web", "data/fr-web-pages/html"))


@dataclass
class DevDoc:
    """One development page: its gold, its post before the language stages, and its parse."""

    name: str
    corpus: str
    gold: dict
    post: Post
    doc: Doc


def dev_documents(shared: Path, sets: tuple[str, ...] = ("seeds", "fr-web")) -> list[DevDoc]:
    """Every development page that has gold, cleaned and parsed (spaCy's parse cached by body)."""
    nlp = load_nlp()
    now = datetime(2026, 1, 1, tzinfo=UTC)
    options = ParseOptions()
    pending: list[tuple[str, str, dict, Post]] = []
    for name, gold_folder, inputs in SETS:
        if name not in sets:
            continue
        folder = ROOT / "seeds" if inputs is None else shared / inputs
        for path in sorted((shared / "gold" / gold_folder).glob("*.json")):
            gold = json.loads(path.read_text("utf-8"))
            raw = acquire_file(folder / gold["document"], now)
            post = prepare_post(raw, options, now, "dev")
            pending.append((gold["document"], name, gold, post))
    docs = parsed(nlp, [p.body_text for *_, p in pending])
    return [DevDoc(n, c, g, p, d) for (n, c, g, p), d in zip(pending, docs, strict=True)]


def parsed(nlp, texts: list[str]) -> list[Doc]:
    """spaCy's parse of each text, from the cache when the model and text are the same."""
    model = f"{nlp.meta['name']}-{nlp.meta['version']}-{'-'.join(nlp.pipe_names)}"
    keys = [hashlib.sha256(f"{model}\n{t}".encode()).hexdigest()[:20] for t in texts]
    CACHE.mkdir(parents=True, exist_ok=True)
    missing = [i for i, k in enumerate(keys) if not (CACHE / f"{k}.spacy").exists()]
    for i, doc in zip(missing, parse_texts(nlp, [texts[i] for i in missing]), strict=True):
        DocBin(store_user_data=True, docs=[doc]).to_disk(CACHE / f"{keys[i]}.spacy")
    return [next(iter(DocBin().from_disk(CACHE / f"{k}.spacy").get_docs(nlp.vocab))) for k in keys]


def enrich(doc: DevDoc) -> Post:
    """The post with entities, roles and speakers, as `tasks.parse` makes it."""
    return enrich_post(doc.post, doc.doc)


@cache
def scorer(shared: Path):
    """../shared/eval/score_warehouse.py as a module."""
    spec = importlib.util.spec_from_file_location("score_warehouse", shared / "eval" / "score_warehouse.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def warehouse_view(post: Post) -> dict:
    """The rows of one post as score_warehouse.read_warehouse gives them."""
    names = {e.entity_id: e for e in post.entities}
    mentioned = dict.fromkeys(m.entity_id for m in post.mentions if m.entity_id in names)
    return dict(
        key=Path(post.source_uri).name, title=post.title, author=post.author, language=post.language,
        categories=list(post.categories), body=post.body_text,
        entities=[(eid, names[eid].name, names[eid].type) for eid in mentioned],
        quotes=[(q.text, q.speaker) for q in post.quotes if q.kind == "speech"],
        events=[e.name for e in post.events],
        roles=[(names[r.entity_id].name, r.role or "", r.organisation or "") for r in post.roles
               if r.entity_id in names],
    )


def score(shared: Path, docs: list[DevDoc], posts: list[Post]) -> dict:
    """The scorer's summary over these pages, plus the wrong-speaker rate: a speaker given and
    wrong, over the gold quotes that have a speaker."""
    module = scorer(shared)
    scored = [module.score_doc(d.gold, warehouse_view(p)) for d, p in zip(docs, posts, strict=True)]
    summary = module.summarize(scored)
    wrong = sum(1 for s in scored for _, _, said in s["quotes"]["wrong_speaker"] if said is not None)
    with_speaker = sum(s["quotes"]["lenient_total"] for s in scored)
    summary["wrong_speaker_rate"] = round(wrong / with_speaker, 4) if with_speaker else None
    summary["details"] = scored
    return summary
