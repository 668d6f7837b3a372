"""PER/ORG/LOC recognition on two French newspaper NER golds: plain spaCy against covpipe's entity stage.

Rebuilds text from the gold tokens of ../shared/data/fr-ner-hipe2020 (one document per
article, coarse literal tags) and fr-ner-europeana (blocks cut into chunks of ~300 tokens at
a "." token) and scores two extractors on the same texts: "plain" is the `doc.ents` of a bare
`spacy.load` of the model (MISC ignored), "covpipe" the mentions of
`tasks.names.entities.extract_entities` on the project's pipeline `tasks.names.nlp.load_nlp` (with its
entity ruler; PERSON->PER; MISC and EVENT ignored). Precision, recall
and F1 per type and micro over the three types, on exact character spans and, leniently, on
any overlap with a span of the same type. Both golds are historical OCR press, and HIPE's
person spans take in titles and functions ("M. Hagenbeck, le célèbre marchand"), so absolute
figures are low; the comparison between the two extractors is what counts. The whole
development part (≈ 205k tokens) takes about two minutes on two cores.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from tasks.names.entities import extract_entities
from tasks.names.nlp import DEFAULT_MODEL, load_nlp
from tasks.version import model_version

TYPES = ("PER", "ORG", "LOC")
_HIPE_TYPES = {"pers": "PER", "org": "ORG", "loc": "LOC"}
_PLAIN_TYPES = {"PER": "PER", "ORG": "ORG", "LOC": "LOC"}
_COVPIPE_TYPES = {"PERSON": "PER", "ORG": "ORG", "LOC": "LOC"}
_NO_SPACE_BEFORE = {",", ".", ")", "]"}
_CHUNK_TOKENS = 300

Span = tuple[int, int, str]


@dataclass(frozen=True)
class Token:
    text: str
    tag: str  # "B-PER", "I-LOC" or "O"
    space_after: bool = True


@dataclass(frozen=True)
class GoldDoc:
    text: str
    spans: frozenset[Span]
    tokens: int


def assemble(tokens: list[Token]) -> GoldDoc:
    """The text of `tokens` and its gold spans; a "B-" tag or a change of type opens a new span."""
    parts, spans, offset, previous = [], [], 0, "O"
    for token in tokens:
        start, offset = offset, offset + len(token.text)
        parts.append(token.text + " " * token.space_after)
        if token.tag != "O" and (token.tag.startswith("B-") or previous[2:] != token.tag[2:]):
            spans.append((start, offset, token.tag[2:]))
        elif token.tag != "O":
            spans[-1] = (spans[-1][0], offset, spans[-1][2])
        offset += token.space_after
        previous = token.tag
    return GoldDoc("".join(parts), frozenset(spans), len(tokens))


def read_hipe(folder: Path) -> Iterator[list[Token]]:
    """One token list per article; OCR line ends become spaces (they are not paragraph breaks)."""
    document: list[Token] = []
    lines = (line for path in sorted(folder.glob("*.tsv")) for line in path.read_text("utf-8").splitlines())
    for line in lines:
        if line.startswith("# document_id") and document:
            yield document
            document = []
        fields = line.split("\t")
        if len(fields) < 10 or fields[0] == "TOKEN":
            continue
        prefix, _, kind = fields[1].partition("-")
        tag = f"{prefix}-{_HIPE_TYPES[kind]}" if kind in _HIPE_TYPES else "O"
        document.append(Token(fields[0], tag, "NoSpaceAfter" not in fields[9].split("|")))
    if document:
        yield document


def read_europeana(path: Path) -> Iterator[list[Token]]:
    """Chunks of at least `_CHUNK_TOKENS` tokens ending at a "." token, never across a -DOCSTART- line."""
    lines = [line.rsplit(" ", 1) for line in path.read_text("utf-8").splitlines() if line.strip()]
    chunk: list[Token] = []
    for i, (text, tag) in enumerate(lines):
        if text == "-DOCSTART-":
            if chunk:
                yield chunk
            chunk = []
            continue
        following = lines[i + 1][0] if i + 1 < len(lines) else ""
        chunk.append(Token(text, tag, following not in _NO_SPACE_BEFORE and not _elided(text)))
        if text == "." and len(chunk) >= _CHUNK_TOKENS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _elided(text: str) -> bool:
    return len(text) > 1 and text.endswith("'")


def take(documents: Iterable[list[Token]], limit: int | None) -> list[GoldDoc]:
    """Whole documents until `limit` tokens are reached (all of them without a limit)."""
    taken, count = [], 0
    for tokens in documents:
        if limit is not None and count >= limit:
            break
        taken.append(assemble(tokens))
        count += len(tokens)
    return taken


def plain_spans(doc: Doc) -> set[Span]:
    return {(e.start_char, e.end_char, _PLAIN_TYPES[e.label_]) for e in doc.ents if e.label_ in _PLAIN_TYPES}


def covpipe_spans(doc: Doc) -> set[Span]:
    entities, mentions, _ = extract_entities(doc)
    types = {e.entity_id: _COVPIPE_TYPES.get(e.type) for e in entities}
    return {(m.char_start, m.char_end, types[m.entity_id]) for m in mentions if types[m.entity_id]}


def tally(gold: frozenset[Span], predicted: set[Span], counts: dict[str, Counter]) -> None:
    """Add one document's exact and overlap matches, per type, to `counts`."""
    for kind in TYPES:
        g = {s for s in gold if s[2] == kind}
        p = {s for s in predicted if s[2] == kind}
        counts[kind].update(
            gold=len(g), predicted=len(p), exact=len(g & p),
            gold_overlapped=sum(any(_overlap(a, b) for b in p) for a in g),
            predicted_overlapping=sum(any(_overlap(a, b) for b in g) for a in p),
        )


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score(c: Counter) -> dict[str, float | int]:
    """Counts with exact and lenient precision, recall and F1."""
    p, r = _ratio(c["exact"], c["predicted"]), _ratio(c["exact"], c["gold"])
    lp, lr = _ratio(c["predicted_overlapping"], c["predicted"]), _ratio(c["gold_overlapped"], c["gold"])
    return {"gold": c["gold"], "predicted": c["predicted"], "p": p, "r": r, "f1": _f1(p, r),
            "lenient_p": lp, "lenient_r": lr, "lenient_f1": _f1(lp, lr)}


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _f1(p: float, r: float) -> float:
    return round(2 * p * r / (p + r), 4) if p + r else 0.0


def evaluate(extractors: dict[str, tuple[Language, Callable[[Doc], set[Span]]]],
             documents: list[GoldDoc]) -> dict[str, dict[str, dict]]:
    """Scores of each extractor (its pipeline, its spans) per type and micro over all types ("all")."""
    report = {}
    for name, (nlp, extract) in extractors.items():
        counts = {kind: Counter() for kind in TYPES}
        for gold, doc in zip(documents, nlp.pipe((d.text for d in documents), batch_size=16), strict=True):
            tally(gold.spans, extract(doc), counts)
        report[name] = {**{k: score(c) for k, c in counts.items()}, "all": score(sum(counts.values(), Counter()))}
    return report


def table(report: dict) -> str:
    head = f"{'corpus':<10}{'extractor':<10}{'type':<5}{'gold':>6}{'pred':>6}  {'P':>6}{'R':>7}{'F1':>7}  |"
    lines = [head + f"  {'lenP':>6}{'lenR':>7}{'lenF1':>7}", "-" * (len(head) + 22)]
    for corpus, result in report["corpora"].items():
        for name, by_type in result["extractors"].items():
            for kind, s in by_type.items():
                lines.append(f"{corpus:<10}{name:<10}{kind:<5}{s['gold']:>6}{s['predicted']:>6}  {s['p']:>6.3f}"
                             f"{s['r']:>7.3f}{s['f1']:>7.3f}  |  {s['lenient_p']:>6.3f}{s['lenient_r']:>7.3f}"
                             f"{s['lenient_f1']:>7.3f}")
        lines.append(f"{corpus}: {result['documents']} documents, {result['tokens']} tokens, "
                     f"{result['seconds']} s")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--limit-tokens", type=int, default=None,
                        help="stop each corpus after the document that reaches N gold tokens (default: all)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    data = args.shared / "data"
    sources = {"hipe": (read_hipe, data / "fr-ner-hipe2020"),
               "europeana": (read_europeana, data / "fr-ner-europeana" / "enp_FR.bnf.bio")}
    extractors = {"plain": (spacy.load(DEFAULT_MODEL, exclude=["lemmatizer"]), plain_spans),
                  "covpipe": (load_nlp(), covpipe_spans)}
    report: dict = {"model": model_version(DEFAULT_MODEL), "limit_tokens": args.limit_tokens, "corpora": {}}
    for corpus, (read, path) in sources.items():
        if not path.exists():
            print(f"skipped {corpus}: {path} is absent")
            continue
        started = time.perf_counter()
        documents = take(read(path), args.limit_tokens)
        scores = evaluate(extractors, documents)
        report["corpora"][corpus] = {"documents": len(documents), "tokens": sum(d.tokens for d in documents),
                                     "seconds": round(time.perf_counter() - started, 1), "extractors": scores}
    print(table(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
