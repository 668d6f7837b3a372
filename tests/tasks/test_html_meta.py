from datetime import UTC, datetime

import lxml.html
import pytest

from tasks.text.html_meta import extract_html_metadata, term_links

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def page(head: str, body: str) -> str:
    return f"<html lang='fr'><head>{head}</head><body>{body}</body></html>"


def test_title_drops_the_site_name_and_prefers_the_confirmed_h1():
    html = page(
        "<title>Salon VivaTech : les annonces du jour - Le Journal du Net</title>"
        "<meta property='og:site_name' content='Le Journal du Net'>",
        "<h1>Salon VivaTech : les annonces du jour</h1><p>Texte.</p>",
    )
    meta = extract_html_metadata(html, "https://www.journaldunet.com/x", "Texte.", NOW)
    assert meta["title"] == "Salon VivaTech : les annonces du jour"
    assert meta["site_name"] == "Le Journal du Net"


def test_author_is_a_person_never_the_publisher():
    html = page(
        "<meta name='author' content='Le Journal'><meta property='og:site_name' content='Le Journal'>"
        '<script type="application/ld+json">{"@type": "NewsArticle", "author": ['
        '{"@type": "Person", "name": "Marie Dupont"}, {"@type": "Organization", "name": "Le Journal"}]}</script>',
        "<h1>Titre</h1><p>Texte.</p>",
    )
    meta = extract_html_metadata(html, "https://lejournal.fr/a", "Texte.", NOW)
    assert meta["authors"] == ["Marie Dupont"] and meta["sources"]["author"] == "jsonld"


def test_byline_gives_every_co_author_joined_by_commas():
    html = page("", "<h1>Titre</h1><div class='byline'>Par Martin Untersinger (avec Damien Leloup et Morgane Tual)"
                    "</div><p>Texte.</p>")
    meta = extract_html_metadata(html, "https://exemple.fr/a", "Texte.", NOW)
    assert meta["author"] == "Martin Untersinger, Damien Leloup, Morgane Tual"


def test_no_author_when_only_an_agency_signs():
    html = page("", "<h1>Titre</h1><div class='author'>Par AFP</div><p>Texte.</p>")
    assert extract_html_metadata(html, "https://exemple.fr/a", "Texte.", NOW)["author"] is None


def test_date_never_after_the_run():
    future = page("<meta property='article:published_time' content='2030-01-02T10:00:00+00:00'>", "<p>x</p>")
    past = page("<meta property='article:published_time' content='2025-03-04T10:00:00+00:00'>", "<p>x</p>")
    assert extract_html_metadata(future, None, "x", NOW)["date"] is None
    assert extract_html_metadata(past, None, "x", NOW)["date"] == "2025-03-04"


@pytest.mark.parametrize("page", [
    # a classic WordPress theme
    '<p>Publié dans <a href="/salons/" rel="category tag">Salons</a>. Mots-clés : <a href="/ia/" rel="tag">IA</a></p>',
    # a block theme marks every term rel="tag", inside a box per taxonomy
    '<div class="taxonomy-category wp-block-post-terms"><a href="/x/salons/" rel="tag">Salons</a></div>'
    '<div class="taxonomy-post_tag wp-block-post-terms"><a href="/x/ia/" rel="tag">IA</a></div>',
    # or the addresses say it
    '<a href="/category/salons/" rel="tag">Salons</a> <a href="/tag/ia/" rel="tag">IA</a>',
])
def test_term_links_tell_categories_from_tags(page):
    tree = lxml.html.fromstring(f"<html><body><article>{page}</article></body></html>")
    assert term_links(tree) == (["Salons"], ["IA"])
