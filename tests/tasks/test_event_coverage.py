"""Coverage rules, one invented post each (tasks.event_coverage)."""

from datetime import date

import pytest

from tasks.event_coverage import Edition, EventSpec, PostText, Tagger, edition_for, host_matches

FAIR = EventSpec("Salon du Vélo", aliases=("Vélo Expo",), hashtags=("VeloExpo",))
FORUM = EventSpec("Forum économique mondial", aliases=("Forum de Davos", "WEF"))
CES = EventSpec("CES")
TECH = EventSpec("TechFest", sites=("techfest.example",),
                 editions=(Edition("2025", date(2025, 6, 11), date(2025, 6, 14)),
                           Edition("2026", date(2026, 6, 17), date(2026, 6, 20))))
TAGGER = Tagger([FAIR, FORUM, CES, TECH])
FILLER = "Une journée ordinaire commence, et les visiteurs se pressent dans les allées. " * 6


def tags(title, body, **post):
    return {(t.name, t.evidence) for t in TAGGER.tag(PostText("p1", title, body, **post))}


def test_the_title_names_the_event():
    assert tags("Au salon du velo, les cadres en bambou", FILLER) == {("Salon du Vélo", "title")}


def test_the_lead_names_the_event():
    assert tags("Les cadres en bambou", "Le Vélo Expo ouvre ses portes ce matin. " + FILLER) == \
        {("Salon du Vélo", "lead")}


def test_one_mention_deep_in_the_body_is_not_coverage_and_two_are():
    once = FILLER + "On en reparlera au Salon du Vélo."
    assert tags("Les cadres en bambou", once) == set()
    assert tags("Les cadres en bambou", once + " Le Salon du Vélo ferme dimanche.") == {("Salon du Vélo", "body")}


def test_a_citation_of_the_organiser_is_not_coverage():
    body = ("Selon le rapport du Forum économique mondial, la dette grimpe. " + FILLER
            + "Une étude du Forum économique mondial le confirme.")
    assert tags("La dette des ménages", body) == set()


def test_a_hashtag_of_the_event_is_coverage():
    assert tags("Nos photos", FILLER, hashtags=("veloexpo",)) == {("Salon du Vélo", "hashtag")}


def test_an_acronym_matches_in_capitals_only():
    assert tags("Retour du CES", FILLER) == {("CES", "title")}
    assert tags("ces gens et ces choses", FILLER) == set()


def test_a_declared_site_and_a_declaring_source_tag_their_posts():
    assert tags("Programme du jour", FILLER, url="https://www.techfest.example/programme") == {("TechFest", "site")}
    assert tags("Programme du jour", FILLER, declared="techfest") == {("TechFest", "declared")}
    assert not host_matches("https://techfest.example.org/a", "techfest.example")


def test_undeclared_event_hashtags_of_the_title_are_new_events():
    found = TAGGER.tag(PostText("p1", "La small data #IAParis #marketing", FILLER))
    assert [(t.name, t.evidence) for t in found] == [("IAParis", "hashtag")]


def test_every_kind_of_evidence_is_kept_strongest_first():
    (tag,) = TAGGER.tag(PostText("p1", "Le Salon du Vélo", "Le Salon du Vélo ouvre. " + FILLER + "Salon du Vélo."))
    assert tag.kinds == ("title", "lead", "body") and tag.mentions == 2


@pytest.mark.parametrize(("title", "published", "edition"), [
    ("TechFest 2025 : le bilan", date(2026, 1, 10), "2025"),  # the year named with the event wins
    ("TechFest : le bilan", date(2026, 6, 18), "2026"),  # the post's date within the edition
    ("TechFest : avant-programme", date(2026, 3, 2), "2026"),  # the only edition of the post's year
    ("TechFest : le bilan", date(2024, 3, 2), None),
    ("TechFest : le bilan", None, None),
])
def test_a_link_goes_to_the_edition_of_its_year_or_dates(title, published, edition):
    (tag,) = TAGGER.tag(PostText("p1", title, FILLER, published_at=published))
    assert tag.edition == edition


def test_edition_for_needs_one_edition_to_match():
    two = (Edition("printemps 2026"), Edition("automne 2026"))
    assert edition_for(two, [], date(2026, 5, 1)) is None
    assert edition_for(two, [2026], None) is None


def test_a_new_title_hashtag_and_a_new_declared_event_are_both_kept():
    found = TAGGER.tag(PostText("p1", "Le programme #IAParis", FILLER, declared="Salon des Bateaux"))
    assert {(t.name, t.evidence) for t in found} == {("IAParis", "hashtag"), ("Salon des Bateaux", "declared")}
