"""Entity stage throughput: spaCy over N post bodies (`tasks.names.nlp.parse_texts`), then entity resolution.

Bodies come from the posts of a warehouse (`--db`, e.g. one built by `make bench-reprocess`
or `make run`), repeated to reach N. Runs the project's pipeline (`tasks.names.nlp.load_nlp`:
fr_core_news_md without its lemmatizer, with paragraph breaks and the known-organisations
ruler) in one process, the way a parse task does, and reports posts/s, words/s, the time
in spaCy and in the entity rules, and the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import duckdb

from tasks.names.entities import extract_entities
from tasks.names.nlp import DEFAULT_MODEL, load_nlp, parse_texts
from tasks.version import model_version


def bodies(db: Path, n: int) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        found = [b for (b,) in con.execute("SELECT body_text FROM posts ORDER BY post_id").fetchall()]
    finally:
        con.close()
    if not found:
        raise SystemExit(f"{db} holds no posts")
    return [found[i % len(found)] for i in range(n)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    texts = bodies(args.db, args.posts)
    started = time.perf_counter()
    nlp = load_nlp()
    loaded = time.perf_counter()
    spacy_seconds = rules_seconds = 0.0
    entities = 0
    mark = time.perf_counter()
    for doc in parse_texts(nlp, texts):
        now = time.perf_counter()
        spacy_seconds += now - mark
        found, _, _ = extract_entities(doc)
        entities += len(found)
        mark = time.perf_counter()
        rules_seconds += mark - now
    total = time.perf_counter() - loaded
    words = sum(len(t.split()) for t in texts)
    report = {
        "model": model_version(DEFAULT_MODEL), "pipeline": nlp.pipe_names, "posts": len(texts), "words": words,
        "load_seconds": round(loaded - started, 1), "seconds": round(total, 1),
        "posts_per_s": round(len(texts) / total, 1), "words_per_s": round(words / total),
        "spacy_seconds": round(spacy_seconds, 1), "entity_rules_seconds": round(rules_seconds, 1),
        "entities": entities,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(report, indent=1))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
