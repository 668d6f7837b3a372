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
Articles annotated twice are read once (the first annotation). Prints JSON (--json writes it).
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
    words = lambda s: set(re.findall(r"\w+", s.casefold())) - _STOP  # noqa: E731
    return bool(words(speaker) & words(source))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    root = args.shared.resolve() / "data" / "en-quotes-polnear"
    if not (root / "attributions").is_dir():
        print(f"skipped: {root} is absent")
        return 0
    from schemas import Settings
    from tasks.parse import parse_batch
    from tasks.sources.acquire import acquire_file
    from tasks.version import parser_version

    options, now = Settings().parse, datetime.now(UTC)
    articles: dict[str, Path] = {}
    for ann in sorted((root / "attributions").glob("*.ann")):
        stem = ann.stem if (root / "text" / f"{ann.stem}.txt").exists() else ann.stem.rsplit("_", 1)[0]
        articles.setdefault(stem, ann)
    texts = [root / "text" / f"{stem}.txt" for stem in articles]
    outcomes = parse_batch([acquire_file(t, now) for t in texts], options=options, now=now,
                           version=parser_version(options))
    counts: Counter = Counter()
    given: list[tuple[float, bool, str]] = []
    for (stem, ann), text, outcome in zip(articles.items(), texts, outcomes, strict=True):
        if outcome.post is None:
            counts["failed"] += 1
            continue
        raw, gold = text.read_text("utf-8"), gold_attributions(ann)
        for quote in (q for q in outcome.post.quotes if q.kind == "speech"):
            at = raw.find(quote.text)
            source = next((s for a, b, s in gold if s and a <= at and at + len(quote.text) <= b), None) \
                if at >= 0 else None
            if source is None:
                continue
            counts["quotes_in_gold"] += 1
            if not is_name(source.strip()):
                continue
            counts["named"] += 1
            if quote.speaker:
                right = same_name(quote.speaker, source)
                counts["right" if right else "wrong"] += 1
                given.append((quote.speaker_confidence or 0.0, right, quote.attribution_rule or ""))
    named = counts["named"] or 1
    figures = {
        "articles": len(articles), **{k: counts[k] for k in ("failed", "quotes_in_gold", "named", "right", "wrong")},
        "named_speaker_accuracy": round(counts["right"] / named, 3),
        "wrong_speaker_rate": round(counts["wrong"] / named, 3),
        "at_threshold": {str(t): {"right": sum(ok for c, ok, _ in given if c >= t),
                                  "wrong": sum(not ok for c, ok, _ in given if c >= t)} for t in THRESHOLDS},
        "by_rule": {rule: {"right": sum(ok for _, ok, r in given if r == rule),
                           "wrong": sum(not ok for _, ok, r in given if r == rule)}
                    for rule in sorted({r for _, _, r in given})},
    }
    text = json.dumps(figures, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
