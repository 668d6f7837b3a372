"""Quote detection and speaker attribution on fr-quotes-litbank (French novels; a report, no target).

Runs the quote finder, the entity stage and the speaker rules on each development novel of
../shared/data/fr-quotes-litbank and compares with its brat gold:
- recall: gold citations overlapped over half their length by a predicted speech span;
- precision: predicted speech spans that overlap a gold citation;
- speakers: among matched citations whose gold source is a proper name, how often the
  predicted speaker carries that name (pronoun and noun-phrase sources cannot be compared).
Novels are not news: dialogue dashes and unnamed speakers dominate, so absolute figures
are low; the report tracks change.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from tasks.entities import extract_entities
from tasks.events import fold
from tasks.nlp import load_nlp
from tasks.parse import extract_quotes
from tasks.speakers import attribute_speakers


def read_gold(ann: Path) -> list[dict]:
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
    return [dict(start=s, end=e, speaker=mentions.get(sources.get(t))) for t, (s, e) in spans.items()]


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    args = parser.parse_args()
    folder = args.shared / "data" / "fr-quotes-litbank" / "citations"
    if not folder.is_dir():
        print(f"skipped: {folder} is absent")
        return 0
    nlp = load_nlp()
    nlp.max_length = max(nlp.max_length, 2_000_000)
    totals = dict(gold=0, found=0, predicted=0, predicted_ok=0, named=0, named_ok=0, attributed=0)
    for ann in sorted(folder.glob("*.ann")):
        text = ann.with_suffix(".txt").read_text("utf-8")
        gold = read_gold(ann)
        doc = nlp(text)
        entities, mentions, _ = extract_entities(doc)
        quotes = [q for q in attribute_speakers(doc, extract_quotes(text), mentions, entities) if q.kind == "speech"]
        spans = [(q.char_start, q.char_end) for q in quotes]
        totals["gold"] += len(gold)
        totals["predicted"] += len(quotes)
        totals["predicted_ok"] += sum(any(overlap(s, (g["start"], g["end"])) for g in gold) for s in spans)
        for g in gold:
            length = g["end"] - g["start"]
            match = next((q for q in quotes if overlap((q.char_start, q.char_end), (g["start"], g["end"])) * 2 >= length),
                         None)
            if match is None:
                continue
            totals["found"] += 1
            name = g["speaker"]
            if name and re.match(r"[A-ZÀ-Þ]", name) and name.split()[0].casefold() not in {"il", "elle", "je", "vous"}:
                totals["named"] += 1
                totals["attributed"] += match.speaker is not None
                totals["named_ok"] += bool(match.speaker) and (fold(name) in fold(match.speaker)
                                                               or fold(match.speaker) in fold(name))
    report = dict(
        documents=len(list(folder.glob("*.ann"))),
        quote_recall=round(totals["found"] / totals["gold"], 4) if totals["gold"] else None,
        quote_precision=round(totals["predicted_ok"] / totals["predicted"], 4) if totals["predicted"] else None,
        named_speaker_accuracy=round(totals["named_ok"] / totals["named"], 4) if totals["named"] else None,
        named_speaker_attributed=round(totals["attributed"] / totals["named"], 4) if totals["named"] else None,
        **totals,
    )
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
