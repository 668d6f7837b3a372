"""Markdown dumps read as the text a reader sees (tasks.text.markdown_text), on invented posts."""

from datetime import UTC, date, datetime

from schemas import ParseOptions
from tasks.parse import prepare_post
from tasks.sources.acquire import acquire_bytes
from tasks.text.markdown_text import (
    front_matter_fields,
    is_whole_page,
    looks_like_markdown,
    markdown_to_html,
    markdown_to_text,
    split_front_matter,
)

NOW = datetime(2026, 3, 1, tzinfo=UTC)
PLAIN = ("Salons\nLaisser un commentaire\n\nLe salon du vélo ouvre\n\n"
         "« Nous voulons des vélos pour tous », explique Anne Roy, directrice de Zorbalix.\n\n"
         "Les visiteurs se pressaient devant les stands pendant les trois jours du salon.\n")


def test_a_plain_dump_is_not_markdown_and_a_markdown_one_is():
    assert not looks_like_markdown(PLAIN)
    assert looks_like_markdown("Voir [le programme](https://x.example/p) et **Anne Roy**.\n\n## Suite\n")


def test_front_matter_in_yaml_or_toml_is_metadata():
    data, rest = split_front_matter("---\ntitle: Le salon\nauthor: [Anne Roy]\ndate: 2026-02-03\n"
                                    "tags: IA, Vélo\n---\nCorps.\n")
    assert rest == "Corps.\n"
    assert front_matter_fields(data) == dict(title="Le salon", authors=["Anne Roy"], published_at=date(2026, 2, 3),
                                             tags=["IA", "Vélo"])
    data, _ = split_front_matter('+++\ntitle = "Le salon"\ncategories = ["Salons"]\n+++\nCorps.\n')
    assert front_matter_fields(data) == dict(title="Le salon", categories=["Salons"])
    assert split_front_matter("---\n: pas du yaml : [\n---\nCorps.") == ({}, "---\n: pas du yaml : [\n---\nCorps.")


def test_links_images_attributes_escapes_code_and_embeds_give_way_to_the_text():
    text = markdown_to_text(
        "Voir [le hub des solutions](https://x.example/hub%C2%BB) puis « le reste », dit-elle.\n\n"
        "![Le stand de Zorbalix](https://x.example/s.jpg){width=\"400\"}\n\n"
        "L\\'accord de **Anne Roy** et la [présentation]{.underline}.\n\n"
        "```\nconst s = \"pas une citation\";\n```\n\n"
        '<iframe src="https://www.youtube.com/embed/x"></iframe>\n')
    assert text.text == ("Voir le hub des solutions puis « le reste », dit-elle.\n"
                         "L'accord de Anne Roy et la présentation.")
    assert text.captions == ["Le stand de Zorbalix"]


def test_a_wrapped_paragraph_is_one_line_and_a_dump_keeps_its_lines():
    wrapped = ("Les visiteurs se pressaient devant les stands du salon, et plusieurs\n"
               "start-up ont annoncé des levées de fonds pendant les trois jours.")
    assert markdown_to_text(wrapped).text == " ".join(wrapped.split("\n"))
    assert markdown_to_text("Salons\nLaisser un commentaire").text == "Salons\nLaisser un commentaire"


def test_a_whole_page_keeps_its_layout_as_divs_for_boilerplate_removal():
    page = "::: {.nav}\n[Accueil](/)\n:::\n\n::: {.article}\n# Le salon\n\nCorps.\n:::\n\n::: footer\nMentions\n:::\n"
    assert is_whole_page(page) and not is_whole_page("# Le salon\n\nCorps.\n")
    assert markdown_to_html(page).startswith('<div class="nav">')


def test_a_markdown_dump_gives_the_post_its_plain_twin_gives():
    markdown = PLAIN.replace("Anne Roy", "**Anne Roy**").replace("Zorbalix", "[Zorbalix](https://z.example/a%C2%BB)")
    posts = [prepare_post(acquire_bytes(text.encode(), "billet.md", NOW), ParseOptions(min_body_chars=10), NOW, "t")
             for text in (PLAIN, markdown)]
    assert posts[0].title == posts[1].title == "Le salon du vélo ouvre"
    assert posts[0].body_text == posts[1].body_text
    assert [q.text for q in posts[1].quotes] == ["Nous voulons des vélos pour tous"]


def test_an_emphasis_mark_no_pair_closes_is_dropped_and_a_literal_one_kept():
    text = markdown_to_text("*« Nous refusons*, souligne-t-elle*. La suite -- dont il* parle. Note\\* et 5*3.")
    assert text.text == "« Nous refusons, souligne-t-elle. La suite – dont il parle. Note* et 5*3."


def test_pandoc_superscripts_and_subscripts_read_as_their_text():
    assert markdown_to_text("M^me^ Roy mesure le CO~2~ du salon.").text == "Mme Roy mesure le CO2 du salon."


def test_a_whole_page_keeps_escapes_and_entities_as_text():
    page = "::: {.article}\nL\\'accord de 5 \\* 3 et &amp; des *marges*, dit-il*.\n:::\n"
    assert "<p>L'accord de 5 * 3 et &amp; des <em>marges</em>, dit-il.</p>" in markdown_to_html(page)


def test_escaped_marks_and_spaced_stars_stay_text():
    assert markdown_to_text("Le calcul 5 * 3 donne 15, de 2\\^10 à 2\\^20 octets, \\~3 km.").text == \
        "Le calcul 5 * 3 donne 15, de 2^10 à 2^20 octets, ~3 km."
    assert 'alt="L\'équipe * ici &amp; là"' in markdown_to_html("::: {.a}\n![L&#39;équipe \\* ici &amp; là](x.png)\n:::\n")


def test_a_mark_ending_the_paragraph_is_dropped():
    assert markdown_to_text("« Je ne veux que mon argent »\u00a0**\n\nSuite.").text == "« Je ne veux que mon argent »\nSuite."
