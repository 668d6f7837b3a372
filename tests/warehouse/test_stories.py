"""Copies of one article are one story; a domain is one outlet."""

from datetime import date

from schemas import Entity, Post, Quote
from tests.warehouse.test_load import NOW, doc
from warehouse import load as wh
from warehouse.outlets import domain_of, refresh_outlets, rename_outlet
from warehouse.stories import assign_stories

ARTICLE = ("Le salon du vélo a ouvert ses portes jeudi à Lyon avec deux cents exposants venus de toute la France. "
           "Les organisateurs attendent quarante mille visiteurs sur quatre jours et promettent des essais gratuits. "
           "« Nous voulons des vélos pour tous », a déclaré Anne Roy, la présidente du salon, devant la presse. "
           "Les fabricants locaux présentent leurs nouveaux modèles électriques et des vélos cargos pour les familles. "
           "La ville a ouvert trois parkings relais et renforcé les lignes de tramway pendant toute la durée du salon.")
OTHER = ("Le conseil municipal de Cahors a voté mardi soir le budget de l'année prochaine après un long débat. "
         "L'opposition dénonce une hausse des impôts locaux que la majorité juge indispensable pour les écoles. "
         "Les travaux du pont de la vieille ville commenceront au printemps et dureront près de deux ans.")
ANNE = Entity(entity_id="anne", name="Anne Roy", type="PERSON")


def post(uri: str, body: str, day: int, site: str | None = None) -> Post:
    at = body.find("Nous voulons")
    quotes = (Quote(text="Nous voulons des vélos pour tous", char_start=at, char_end=at + 32, kind="speech", open_mark="«", speaker="Anne Roy",
                    speaker_entity_id="anne"),) if at >= 0 else ()
    d = doc(body.encode(), uri)
    return Post(post_id="p-" + uri, doc_id=d.doc_id, source_uri=uri, url=uri, body_text=body, title="T",
                site_name=site, published_at=date(2026, 2, day), quotes=quotes, entities=(ANNE,) if quotes else (),
                parser_version="v1")


def stories(con) -> dict[str, str]:
    return dict(con.execute("SELECT source_uri, story_id FROM posts").fetchall())


def test_copies_share_the_story_of_the_earliest_and_distinct_articles_do_not(con):
    posts = [post("https://b.example/copie", "Accueil > Actualités\n" + ARTICLE + "\nLire aussi : la suite", 3),
             post("https://a.example/original", ARTICLE, 2),
             post("https://c.example/coupe", ARTICLE[:ARTICLE.index("Les fabricants")], 4),
             post("https://d.example/autre", OTHER, 2)]
    wh.load_posts(con, posts, "r1", NOW)
    assert assign_stories(con) == 4
    found = stories(con)
    assert found["https://b.example/copie"] == found["https://c.example/coupe"] == "p-https://a.example/original"
    assert found["https://d.example/autre"] == "p-https://d.example/autre"
    assert assign_stories(con) == 0  # nothing changed, nothing written


def test_a_quote_republished_in_copies_counts_once(con):
    posts = [post(f"https://site{i}.example/salon", ARTICLE, 2 + i) for i in range(3)]
    wh.load_posts(con, posts, "r1", NOW)
    assign_stories(con)
    assert con.execute("SELECT count(*) FROM quotes").fetchall() == [(3,)]
    assert con.execute("SELECT speaker, quotes, posts FROM report_quotes_by_speaker").fetchall() == [("Anne Roy", 1, 1)]


def test_a_domain_is_one_outlet_named_as_its_pages_mostly_name_it_until_the_user_names_it(con):
    assert domain_of(None, "https://next.liberation.fr/a") == domain_of("https://www.liberation.fr/b") == "liberation.fr"
    assert domain_of("/tmp/billet.txt") is None
    posts = [post("https://www.liberation.fr/1", OTHER, 2, "Libération"),
             post("https://www.liberation.fr/2", ARTICLE, 3, "Libération"),
             post("https://next.liberation.fr/3", OTHER.upper(), 4, "Libération.fr")]
    wh.load_posts(con, posts, "r1", NOW)
    refresh_outlets(con, NOW)
    assert con.execute("SELECT domain, name, named_by FROM outlets").fetchall() == [
        ("liberation.fr", "Libération", "pages")]
    assert rename_outlet(con, "liberation.fr", "Libé", NOW)
    refresh_outlets(con, NOW)
    assert con.execute("SELECT name, named_by FROM outlets").fetchall() == [("Libé", "user")]
    assert not rename_outlet(con, "inconnu.example", "X", NOW)


def test_a_story_is_one_row_with_every_address_of_its_copies(con):
    posts = [post("https://www.lemonde.fr/salon", ARTICLE, 2, "Le Monde"),
             post("https://www.lemonde.fr/amp/salon", ARTICLE, 2, "Le Monde"),  # the same article, another URL
             post("https://www.ouest-france.fr/salon", "AFP\n" + ARTICLE, 3, "Ouest-France"),
             post("https://d.example/autre", OTHER, 2)]
    wh.load_posts(con, posts, "r1", NOW)
    assign_stories(con)
    refresh_outlets(con, NOW)
    rows = con.execute("SELECT posts, versions, addresses, outlets, quotes FROM stories").fetchall()
    assert rows == [(3, 2, ["https://www.lemonde.fr/amp/salon", "https://www.lemonde.fr/salon",
                            "https://www.ouest-france.fr/salon"], ["Le Monde", "Ouest-France"], 1),
                    (1, 1, ["https://d.example/autre"], [], 0)]


def test_posts_of_one_domain_count_under_one_outlet_name(con):
    posts = [post("https://www.liberation.fr/1", OTHER, 2, "Libération"),
             post("https://www.liberation.fr/2", ARTICLE, 3, "Libération"),
             post("https://next.liberation.fr/3", OTHER.upper(), 4, "Libération.fr")]
    wh.load_posts(con, posts, "r1", NOW)
    refresh_outlets(con, NOW)
    assert con.execute("SELECT site_name, posts FROM report_posts_per_site_author").fetchall() == [("Libération", 3)]


def test_one_post_giving_a_text_twice_gives_two_quotes(con):
    body = "« Non », répond Anne Roy. Plus tard, « Non », répond Paul Martin."
    d = doc(body.encode(), "https://a.example/non")
    quotes = tuple(Quote(text="Non", char_start=at, char_end=at + 3, kind="speech", open_mark="«", speaker=who,
                         speaker_entity_id=who.lower()) for at, who in ((2, "Anne Roy"), (body.rindex("Non"), "Paul Martin")))
    wh.load_posts(con, [Post(post_id="p1", doc_id=d.doc_id, source_uri=d.source_uri, body_text=body, quotes=quotes,
                             parser_version="v1")], "r1", NOW)
    assign_stories(con)
    assert con.execute("SELECT speaker FROM story_quotes ORDER BY char_start").fetchall() == [("Anne Roy",), ("Paul Martin",)]


def test_an_article_sixty_outlets_ran_is_one_story(con):
    wh.load_posts(con, [post(f"https://site{i}.example/salon", ARTICLE, 2) for i in range(60)], "r1", NOW)
    assign_stories(con)
    assert con.execute("SELECT count(DISTINCT story_id) FROM posts").fetchall() == [(1,)]


def test_posts_from_before_domains_get_theirs_and_their_outlet(con):
    wh.load_posts(con, [post("https://www.liberation.fr/1", OTHER, 2, "Libération")], "r1", NOW)
    con.execute("UPDATE posts SET domain = NULL, story_id = NULL")  # as a warehouse migrated from before them
    from warehouse.stories import ungrouped

    assert ungrouped(con)
    refresh_outlets(con, NOW)
    assert con.execute("SELECT domain FROM posts").fetchall() == [("liberation.fr",)]
    assert con.execute("SELECT name FROM outlets").fetchall() == [("Libération",)]
