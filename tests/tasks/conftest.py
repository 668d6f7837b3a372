"""The spaCy pipeline once per session, and the helpers the speaker tests share."""

import pytest

from tasks.speech.attribution_context import Passage
from tasks.names.entities import extract_entities
from tasks.names.nlp import load_nlp
from tasks.parse import extract_quotes
from tasks.speech.speakers import attribute_speakers


@pytest.fixture(scope="session")
def nlp():
    return load_nlp()


def attribution(nlp, text):
    """The speaker stage's output on `text`, with the shipped model."""
    doc = nlp(text)
    entities, mentions, roles = extract_entities(doc)
    return attribute_speakers(doc, extract_quotes(text), mentions, entities, roles)


def speakers(nlp, text):
    """(quote text, speaker) of each speech quote of `text`."""
    return [(q.text, q.speaker) for q in attribution(nlp, text).quotes if q.kind == "speech"]


def passage(nlp, text) -> Passage:
    """What the frame and referent finders read of `text`."""
    return passage_and_roles(nlp, text)[0]


def passage_and_roles(nlp, text):
    """The passage of `text` and the roles the entity stage found in it."""
    doc = nlp(text)
    entities, mentions, roles = extract_entities(doc)
    return Passage(doc, extract_quotes(text), mentions, entities), roles
