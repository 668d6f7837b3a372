"""The parser version: a hash of everything that decides parsing output.

It covers the source of every module under `tasks/`, its data files, the versions of the
parsing libraries and the parse options, so any change to parsing changes it and nobody
has to remember to bump a number.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata
from pathlib import Path

from schemas import ParseOptions

_LIBRARIES = ("trafilatura", "htmldate", "justext", "lxml", "py3langid", "charset-normalizer", "ftfy", "spacy",
              "rapidfuzz")
_PARSING_FILES = ("**/*.py", "data/*")
# Modules under tasks/ that fetch and list pages, or tag stored posts with the user's events,
# but never decide what a page parses to.
_NOT_PARSING = {"fetch.py", "fetch_rules.py", "addresses.py", "pinned_transport.py", "listings.py",
                "event_coverage.py", "event_suggest.py"}


@cache
def _code_digest() -> str:
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for pattern in _PARSING_FILES:
        for path in sorted(root.glob(pattern)):
            if path.is_file() and path.name not in _NOT_PARSING:
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}=={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name} absent".encode())
    return digest.hexdigest()


def parser_version(options: ParseOptions) -> str:
    """Short stable id of the parsing code, its data, its libraries and its options."""
    digest = hashlib.sha256(_code_digest().encode())
    digest.update(options.model_dump_json().encode())
    digest.update(model_version(options.spacy_model).encode())
    return digest.hexdigest()[:12]


def model_version(model: str) -> str:
    """`name==version` of an installed model package (read from its metadata: spaCy not loaded)."""
    try:
        return f"{model}=={metadata.version(model.replace('_', '-'))}"
    except metadata.PackageNotFoundError:
        return f"{model} (not installed)"
