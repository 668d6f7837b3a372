"""The spaCy pipeline: loaded once per process, with paragraph breaks as sentence breaks
and an entity ruler for organisations the model cuts (data/known_orgs.txt).

Owns which model and components run. Loading costs seconds and ~500 MB, so a worker
loads it once (`load_nlp` is cached per process) and feeds it batches with `nlp.pipe`.
"""

from __future__ import annotations

import threading
from functools import cache
from importlib import metadata, resources

import spacy
from spacy.language import Language
from spacy.tokens import Doc

DEFAULT_MODEL = "fr_core_news_md"
# The lemmatizer is not used; the parser gives sentences and subjects of verbs of saying.
_EXCLUDE = ("lemmatizer",)
# Entities the ruler sets carry this id; the entity stage keeps their names whole.
KNOWN = "known"


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


def model_version(model: str = DEFAULT_MODEL) -> str:
    """`name==version` of an installed model package, for the parser version."""
    try:
        return f"{model}=={metadata.version(model.replace('_', '-'))}"
    except metadata.PackageNotFoundError:
        return f"{model} (not installed)"
