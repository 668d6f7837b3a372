"""The spaCy pipeline: loaded once per process, with paragraph breaks as sentence breaks.

Owns which model and components run. Loading costs seconds and ~500 MB, so a worker
loads it once (`load_nlp` is cached per process) and feeds it batches with `nlp.pipe`.
"""

from __future__ import annotations

import threading
from functools import cache
from importlib import metadata

import spacy
from spacy.language import Language
from spacy.tokens import Doc

DEFAULT_MODEL = "fr_core_news_md"
# The lemmatizer is not used; the parser gives sentences and subjects of verbs of saying.
_EXCLUDE = ("lemmatizer",)


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
    return nlp


def warm_up(model: str = DEFAULT_MODEL) -> threading.Thread:
    """Start loading the model in the background (e.g. while Prefect starts its API)."""
    thread = threading.Thread(target=load_nlp, args=(model,), name="spacy-warm-up", daemon=True)
    thread.start()
    return thread


def model_version(model: str = DEFAULT_MODEL) -> str:
    """`name==version` of an installed model package, for the parser version."""
    try:
        return f"{model}=={metadata.version(model.replace('_', '-'))}"
    except metadata.PackageNotFoundError:
        return f"{model} (not installed)"
