"""Quote detection and speaker attribution on fr-quotes-litbank (French novels), with the shipped model.

Runs the quote finder, the entity stage and the speaker stage on each development novel of
../shared/data/fr-quotes-litbank and compares with its brat gold:
- quote recall: gold citations more than half covered by a predicted speech span;
- quote precision: predicted speech spans that overlap a gold citation;
- named-speaker accuracy: among found citations whose annotated source is a proper name
  ("Mlle Charmes", "Firmin"; not "il" nor "la maîtresse"), how often the speaker given
  carries that name (one name containing the other), and how often one is given at all.
Novels are not news: the pages the model learns from are news pages (bench/speakers.py
--litbank also trains on the novels and reports them held out by novel).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.speaker_pages import litbank_pages, named_accuracy, read_citations
from bench.speakers import predict
from tasks.speech.speakers import shipped_model


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    args = parser.parse_args()
    shared = args.shared.resolve()
    folder = shared / "data" / "fr-quotes-litbank" / "citations"
    if not folder.is_dir():
        print(f"skipped: {folder} is absent")
        return 0
    pages = litbank_pages(shared)
    posts = [predict(page, shipped_model()) for page in pages]
    gold = found = predicted = predicted_ok = 0
    for page, post in zip(pages, posts, strict=True):
        citations = read_citations(folder / f"{page.name}.ann")
        spans = [(q.char_start, q.char_end) for q in post.quotes if q.kind == "speech"]
        gold += len(citations)
        predicted += len(spans)
        found += sum(any(2 * _overlap(s, (a, b)) >= b - a for s in spans) for a, b, _ in citations)
        predicted_ok += sum(any(_overlap(s, (a, b)) for a, b, _ in citations) for s in spans)
    report = dict(documents=len(pages), quote_recall=round(found / gold, 4) if gold else None,
                  quote_precision=round(predicted_ok / predicted, 4) if predicted else None,
                  **named_accuracy(shared, pages, posts))
    print(json.dumps(report, indent=1))
    return 0


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


if __name__ == "__main__":
    sys.exit(main())
