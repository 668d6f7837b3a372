"""The spaCy pipeline once per session, and the speaker helper the speaker tests share."""

import pytest

from tasks.entities import extract_entities
from tasks.nlp import load_nlp
from tasks.parse import extract_quotes
from tasks.speakers import attribute_speakers


@pytest.fixture(scope="session")
def nlp():
    return load_nlp()


def speakers(nlp, text, title=None):
    """(quote text, speaker, rule) of each speech quote of `text`."""
    doc = nlp(text)
    entities, mentions, _ = extract_entities(doc)
    quotes = attribute_speakers(doc, extract_quotes(text), mentions, entities, title)
    return [(q.text, q.speaker, q.attribution_rule) for q in quotes if q.kind == "speech"]
