"""The spaCy pipeline: loaded once per process, with paragraph breaks as sentence breaks
and an entity ruler for organisations the model cuts (data/known_orgs.txt).

Owns which model and components run, and how much text it runs over at once. Loading costs
seconds and ~500 MB, so a worker loads it once (`load_nlp` is cached per process) and feeds
it texts with `parse_texts`, which bounds the model's working memory whatever the page size
(only a single word longer than a run, which no page has, would go through whole).
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources

import spacy
from spacy.language import Language
from spacy.tokens import Doc

DEFAULT_MODEL = "fr_core_news_md"
# The lemmatizer is not used; the parser gives sentences and subjects of verbs of saying.
_EXCLUDE = ("lemmatizer",)
# Entities the ruler sets carry this id; the entity stage keeps their names whole.
KNOWN = "known"
# The model's working memory grows with the text it runs over at once: about 14 MB per
# thousand tokens, so 64 long pages in one `nlp.pipe` minibatch took 2 GB. It runs over
# at most this many characters (about 3,500 tokens) at a time; speed is unchanged.
RUN_CHARS = 20_000
# Where a long text may be cut, in order of preference: after a line break (a paragraph);
# after a sentence's end, not after an initial ("M. Dupont") nor inside a quote; and, for a
# run-on sentence longer than a run, after any space. Never before whitespace, so the parts
# tokenize as the whole does.
_CUTS = (
    re.compile(r"(?<=\n)(?=\S)"),
    re.compile(r"(?<=[.!?…] )(?<!\b[A-ZÀ-Þ]\. )(?=[A-ZÀ-Þ«\"“])"),
    re.compile(r"(?<= )(?=\S)"),
)


@Language.component("paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence: a title or a caption never runs into the next paragraph."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if "\n" in previous.whitespace_ or previous.is_space and "\n" in previous.text:
            token.is_sent_start = True
    return doc


_LOADING = threading.Lock()


def load_nlp(model: str = DEFAULT_MODEL) -> Language:
    """The pipeline of `model`, loaded once per process (callers in other threads wait for it)."""
    with _LOADING:
        return _load(model)


@cache
def _load(model: str) -> Language:
    nlp = spacy.load(model, exclude=list(_EXCLUDE))
    nlp.add_pipe("paragraph_breaks", before="parser")
    if "ner" in nlp.pipe_names:
        ruler = nlp.add_pipe("entity_ruler", before="ner", config={"phrase_matcher_attr": "ORTH"})
        ruler.add_patterns([{"label": "ORG", "pattern": form, "id": KNOWN} for form in _known_org_forms()])
    return nlp


def parse_texts(nlp: Language, texts: Iterable[str], run_chars: int = RUN_CHARS) -> Iterator[Doc]:
    """One Doc per text, in order, the model running over at most `run_chars` characters at a time.

    Short texts share a run; a longer one is cut at paragraph ends (sentence ends, then
    spaces, within an overlong paragraph) and its parts joined back with `Doc.from_docs`:
    the same text, tokens and annotations the entity and speaker rules read. A line break
    already ends a sentence, so the parse differs only next to a cut, where the model sees
    one side of it (tests/tasks/test_nlp.py holds it to 99 % of tokens unchanged).
    """
    parsed: list[Doc] = []  # the parts parsed and not yet yielded, in order
    parts_left: deque[int] = deque()  # parts of each text not yet yielded

    def pieces() -> Iterator[str]:
        for text in texts:
            parts = _cut(text, run_chars)
            parts_left.append(len(parts))
            yield from parts

    for run in _runs(pieces(), run_chars):
        parsed.extend(nlp.pipe(run, batch_size=len(run)))
        yield from _joined(parsed, parts_left)


def _joined(parsed: list[Doc], parts_left: deque[int]) -> Iterator[Doc]:
    """The texts whose parts are all parsed, each as one Doc; taken off both queues."""
    while parts_left and len(parsed) >= parts_left[0]:
        n = parts_left.popleft()
        parts = parsed[:n]
        del parsed[:n]
        yield parts[0] if n == 1 else Doc.from_docs(parts, ensure_whitespace=False)


def _runs(pieces: Iterable[str], limit: int) -> Iterator[list[str]]:
    """Consecutive pieces grouped into runs of at most `limit` characters (a longer piece alone)."""
    run: list[str] = []
    size = 0
    for piece in pieces:
        if run and size + len(piece) > limit:
            yield run
            run, size = [], 0
        run.append(piece)
        size += len(piece)
    if run:
        yield run


def _cut(text: str, limit: int) -> list[str]:
    """`text` in consecutive parts of at most `limit` characters (a longer word stays whole)."""
    return ["".join(run) for run in _runs(_units(text, limit, _CUTS), limit)]


def _units(text: str, limit: int, cuts: tuple[re.Pattern, ...]) -> list[str]:
    """`text` split at the first kind of cut, and a part still over `limit` at the next kind."""
    if len(text) <= limit or not cuts:
        return [text]
    return [unit for part in cuts[0].split(text) for unit in _units(part, limit, cuts[1:])]


def _known_org_forms() -> list[str]:
    """Each known organisation as written and in title case ("Le Canard Enchaîné" in a headline)."""
    text = resources.files("tasks").joinpath("data/known_orgs.txt").read_text("utf-8")
    names = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    titled = [" ".join(w[:1].upper() + w[1:] for w in name.split()) for name in names]
    return list(dict.fromkeys(names + titled))


def warm_up(model: str = DEFAULT_MODEL) -> threading.Thread:
    """Start loading the model in the background (e.g. while Prefect starts its API)."""
    thread = threading.Thread(target=load_nlp, args=(model,), name="spacy-warm-up", daemon=True)
    thread.start()
    return thread
