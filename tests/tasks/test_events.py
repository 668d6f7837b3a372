import pytest

from tasks.events import event_key, extract_hashtags, looks_like_event, title_events


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


def test_title_events_are_event_like_title_hashtags_and_the_declared_event():
    found = title_events("La small data #IAParis #marketing", declared="Salon du Vélo")
    assert [(e.name, e.evidence) for e in found] == [("IAParis", "hashtag"), ("Salon du Vélo", "hint")]
