import pytest

from schemas import KnownEvent
from tasks.events import bundled_events, detect_events, event_key, extract_hashtags, looks_like_event

KNOWN = bundled_events()


def names(events):
    return [(e.name, e.evidence) for e in events]


@pytest.mark.parametrize("spelling", ["VivaTech", "#VivaTech", "VIvaTech", "Viva Tech", "vivatech", "Viva-Tech"])
def test_event_key_is_one_for_every_spelling(spelling):
    assert event_key(spelling) == "vivatech"


def test_extract_hashtags_skips_urls_entities_and_numbers():
    text = "#VivaTech et #IAParis, pas http://x.fr/#ancre ni &#039; ni #2024, mais #Paris2024 #VivaTech"
    assert extract_hashtags(text) == ["VivaTech", "IAParis", "Paris2024"]


@pytest.mark.parametrize(("tag", "expected"), [
    ("VivaTech", True), ("IAParis", True), ("Paris2024", True), ("SalonDuLivre", True),
    ("IA", False), ("marketing", False), ("ahahah", False), ("RGPD", False),
])
def test_looks_like_event(tag, expected):
    assert looks_like_event(tag) is expected


def test_detect_events_maps_spellings_to_the_known_name():
    found = detect_events("Nicolas Dufourcq à VIvaTech", "Un texte.", [], KNOWN)
    assert names(found) == [("VivaTech", "title")]


def test_detect_events_adds_event_like_title_hashtags_only():
    found = detect_events("La small data #IAParis #marketing", "Texte #ahahah", ["IAParis", "marketing", "ahahah"], KNOWN)
    assert names(found) == [("IAParis", "hashtag")]


def test_detect_events_needs_more_than_a_passing_body_mention():
    body = "Un long texte sur la robotique. " * 40 + "Il était aussi au Web Summit."
    assert detect_events("Robots", body, [], KNOWN) == []
    assert names(detect_events("Robots", body + " Le Web Summit fermait.", [], KNOWN)) == [("Web Summit", "body")]


def test_detect_events_matches_acronyms_in_capitals_only():
    assert detect_events("ces gens", "ces gens et ces choses", [], KNOWN) == []
    assert names(detect_events("Retour du CES", "x", [], KNOWN)) == [("CES", "title")]


def test_detect_events_uses_events_learnt_from_the_table():
    known = (*KNOWN, KnownEvent(name="IAParis", aliases=("IA Paris",)))
    assert names(detect_events("Au salon IA Paris", "x", [], known)) == [("IAParis", "title")]
