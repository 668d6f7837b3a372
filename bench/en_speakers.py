"""Speakers of English news quotes on en-quotes-polnear (PolNeAR's development part), as shipped.

covpipe reads English pages with the French model and the speaker model learned on French
news; this bench says what that gives. Each article of ../shared/data/en-quotes-polnear/text
is read as a text dump (cleaning, quotes, entities, speakers: the parse task's own steps)
and compared with its brat gold, where an attribution ties a Content span to its Source:
- quotes in gold: speech quotes found inside a gold Content span that has a Source;
- named: those whose Source is a name ("Donald Trump", "The New York Post"; not "he",
  "sources", "officials");
- right / wrong: a speaker given that shares a word with that name, or one that does not;
- by rule and by confidence threshold: where the right and the wrong speakers come from.
The speakers are decided at the French pages' threshold; English posts then keep a speaker
only from the English threshold on (`language_thresholds` in tasks/data/speaker_model.json).
That threshold is the lowest whose wrong-speaker rate stays within WRONG_MAX, chosen on
half the articles and scored on the other half, both ways (`held_out`), then on all of them
(`--write` stores it). Articles annotated twice are read once (the first annotation).
Prints JSON (--json writes it).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

_PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "his", "her", "their", "its"}
_STOP = {"the", "of", "a", "an", "and"}
THRESHOLDS = (0.7, 0.8, 0.9)
GRID = tuple(round(0.6 + 0.01 * i, 2) for i in range(40))
WRONG_MAX = 0.05
MODEL_FILE = Path(__file__).resolve().parents[1] / "tasks" / "data" / "speaker_model.json"


def gold_attributions(ann: Path) -> list[tuple[int, int, str | None]]:
    """(start, end, source text) of each attributed Content span of a brat file."""
    spans: dict[str, tuple[int, int, str]] = {}
    events = []
    for line in ann.read_text("utf-8").splitlines():
        parts = line.split("\t")
        if parts[0].startswith("T") and len(parts) >= 3:
            _, *offsets = parts[1].split()
            spans[parts[0]] = (int(offsets[0]), int(offsets[-1]), parts[2])
        elif parts[0].startswith("E") and len(parts) >= 2:
            events.append(dict(arg.split(":", 1) for arg in parts[1].split()))
    out = []
    for event in events:
        content, source = spans.get(event.get("Content", "")), spans.get(event.get("Source", ""))
        if content is not None:
            out.append((content[0], content[1], source[2] if source else None))
    return out


def is_name(source: str) -> bool:
    words = source.split()
    return bool(words) and source[:1].isupper() and words[0].casefold() not in _PRONOUNS


def same_name(speaker: str, source: str) -> bool:
    """Whether the speaker given and the gold source share a word ("Brian Fallon" and "Clinton
    spokesman Brian Fallon")."""
    return bool(_words(speaker) & _words(source))


def _words(name: str) -> set[str]:
    return set(re.findall(r"\w+", name.casefold())) - _STOP


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--write", action="store_true", help="store the English threshold in the speaker model")
    args = parser.parse_args()
    root = args.shared.resolve() / "data" / "en-quotes-polnear"
    if not (root / "attributions").is_dir():
        print(f"skipped: {root} is absent")
        return 0
    articles: dict[str, Path] = {}
    for ann in sorted((root / "attributions").glob("*.ann")):
        stem = ann.stem if (root / "text" / f"{ann.stem}.txt").exists() else ann.stem.rsplit("_", 1)[0]
        articles.setdefault(stem, ann)
    named, counts = decisions(root, articles)
    chosen = choose(named)
    halves = [[q for q in named if q[0] % 2 == k] for k in (0, 1)]
    held = [score(halves[1 - k], choose(halves[k])) for k in (0, 1)]
    figures = {
        "articles": len(articles), **counts, "named": len(named),
        "at_french_threshold": score(named, 0.0),
        "english_threshold": chosen, "in_sample": score(named, chosen),
        "held_out": {key: round(sum(h[key] for h in held) / 2, 3) for key in ("named_speaker_accuracy",
                                                                              "wrong_speaker_rate")},
        "at_threshold": {str(t): score(named, t) for t in THRESHOLDS},
        "by_rule": {rule: {"right": sum(ok for *_, ok, r in named if r == rule),
                           "wrong": sum(ok is False for *_, ok, r in named if r == rule)}
                    for rule in sorted({r for *_, r in named if r})},
    }
    text = json.dumps(figures, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text)
    if args.write:
        model = json.loads(MODEL_FILE.read_text("utf-8"))
        model["language_thresholds"] = {"en": chosen}
        MODEL_FILE.write_text(json.dumps(model, indent=1, ensure_ascii=False) + "\n", "utf-8")
        print(f"written {MODEL_FILE}")
    return 0


def decisions(root: Path, articles: dict[str, Path]) -> tuple[list[tuple[int, float, bool | None, str]], dict]:
    """(article number, confidence, right or wrong or None when no speaker, rule) of each speech quote
    with a named gold source, decided at the French threshold; and the counts of quotes and failures."""
    from schemas import Settings
    from tasks.names.entities import extract_entities
    from tasks.names.nlp import load_nlp, parse_texts
    from tasks.parse import prepare_post
    from tasks.sources.acquire import acquire_file
    from tasks.speech.speakers import attribute_speakers
    from tasks.version import parser_version

    options, now = Settings().parse, datetime.now(UTC)
    nlp = load_nlp(options.spacy_model)
    named: list[tuple[int, float, bool | None, str]] = []
    counts: Counter = Counter()
    for number, (stem, ann) in enumerate(articles.items()):
        text = root / "text" / f"{stem}.txt"
        post = prepare_post(acquire_file(text, now), options, now, parser_version(options))
        doc = next(parse_texts(nlp, [post.body_text]))
        entities, mentions, roles = extract_entities(doc, post.events)
        quotes = attribute_speakers(doc, post.quotes, mentions, entities, roles).quotes  # the French threshold
        raw, gold = text.read_text("utf-8"), gold_attributions(ann)
        for quote in (q for q in quotes if q.kind == "speech"):
            at = raw.find(quote.text)
            source = next((s for a, b, s in gold if s and a <= at and at + len(quote.text) <= b), None) \
                if at >= 0 else None
            if source is None:
                continue
            counts["quotes_in_gold"] += 1
            if is_name(source.strip()):
                right = same_name(quote.speaker, source) if quote.speaker else None
                named.append((number, quote.speaker_confidence or 0.0, right, quote.attribution_rule or ""))
    return named, dict(counts)


def score(named: list[tuple[int, float, bool | None, str]], threshold: float) -> dict:
    """Named-speaker accuracy and wrong-speaker rate when speakers below `threshold` are dropped."""
    kept = [ok for _, confidence, ok, _ in named if ok is not None and confidence >= threshold]
    total = len(named) or 1
    return {"named_speaker_accuracy": round(sum(kept) / total, 3),
            "wrong_speaker_rate": round(sum(not ok for ok in kept) / total, 3)}


def choose(named: list[tuple[int, float, bool | None, str]]) -> float:
    """The lowest threshold whose wrong-speaker rate stays within WRONG_MAX."""
    return next((t for t in GRID if score(named, t)["wrong_speaker_rate"] <= WRONG_MAX), GRID[-1])


if __name__ == "__main__":
    raise SystemExit(main())
