from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.text.clean_html import clean_html

PARAGRAPHS = "".join(
    f"<p>Paragraphe {i} du billet, qui raconte la journée au salon avec assez de mots pour être retenu "
    f"comme texte de l’article par l’extracteur, phrase après phrase.</p>"
    for i in range(6)
)
PAGE = f"""<html lang="fr"><head><title>Le grand salon de l’IA | Le Journal</title>
<meta property="og:title" content="Le grand salon de l’IA">
<meta name="description" content="Un chapô qui résume la journée passée au grand salon de l’intelligence artificielle.">
</head><body>
<nav><a href="/">Accueil</a> <a href="/tech">Tech</a></nav>
<article>
<h1>Le grand salon de l’IA</h1>
<p class="chapo">Un chapô qui résume la journée passée au grand salon de l’intelligence artificielle.</p>
<figure><img src="a.jpg"><figcaption>La foule dans les allées du salon.</figcaption></figure>
{PARAGRAPHS}
<h2>Un intertitre au milieu</h2>
<p>La suite du billet après l’intertitre, avec encore des phrases pour que le texte compte.</p>
<div class="lire-aussi"><a href="/autre">À lire aussi : un autre article sans rapport</a></div>
<p>Crédit photo : Agence Untel</p>
</article>
<section id="comments"><h3>3 commentaires</h3><p>Super article, merci pour ce partage très complet !</p></section>
</body></html>"""


def test_clean_html_keeps_lead_and_headings_and_drops_chrome():
    cleaned = clean_html(PAGE)
    body = cleaned.body
    assert body.startswith("Un chapô qui résume la journée")
    assert "Un intertitre au milieu" in body
    assert "Paragraphe 5 du billet" in body
    for chrome in ("Le grand salon de l’IA", "Accueil", "À lire aussi", "Crédit photo", "Super article"):
        assert chrome not in body
    assert cleaned.captions == ["La foule dans les allées du salon."]
    assert "La foule dans les allées" not in body


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_clean_html_never_raises(text):
    for page in (text, f"<html><body><p>{text}</p></body></html>"):
        cleaned = clean_html(page)
        assert isinstance(cleaned.body, str)


_FILLER = ("<p>Les organisateurs préparent déjà la prochaine édition, qui se tiendra au printemps à Paris, "
           "avec davantage d'exposants venus de toute l'Europe et des conférences sur l'intelligence artificielle.</p>")


def _page(inner: str) -> str:
    return f"<html><head><title>Salon</title></head><body><article><h1>Salon</h1>{_FILLER}{inner}{_FILLER}" \
           "</article></body></html>"


def test_q_and_a_blockquote_that_names_its_source_become_marked_quotes():
    from tasks.parse import extract_quotes

    body = clean_html(_page(
        "<p>La ministre a rappelé que <q>la France doit investir davantage</q>, devant un public nombreux.</p>"
        "<blockquote cite='https://example.org/discours'><p>Nous avons accueilli plus de visiteurs que jamais.</p>"
        "<p>Et nous ferons mieux l'an prochain.</p><footer>Jeanne Morel</footer></blockquote>")).body
    assert "que « la France doit investir davantage », devant" in body
    quotes = [q.text for q in extract_quotes(body) if q.kind == "speech"]
    assert "la France doit investir davantage" in quotes
    assert any(q.startswith("Nous avons accueilli plus de visiteurs") for q in quotes)


def test_blockquotes_without_a_source_embeds_and_pull_quotes_keep_their_text_unmarked():
    repeated = "Nous avons accueilli plus de visiteurs que jamais cette année au salon."
    body = clean_html(_page(
        f"<p>Le directeur a résumé : {repeated} Il a remercié les équipes.</p>"
        f"<blockquote><p>{repeated}</p><cite>Paul Durand</cite></blockquote>"
        "<blockquote><p>Un résumé de l'article mis en retrait par le site, sans auteur cité.</p></blockquote>"
        "<blockquote class='twitter-tweet'><p>Quelle journée au salon !</p>— Salon (@salon)</blockquote>")).body
    assert "«" not in body


def test_q_on_an_english_page_takes_english_marks():
    page = _page("<p>The minister said that <q>France must invest more</q>, to a large audience of founders.</p>")
    body = clean_html(page.replace("<html>", '<html lang="en">')).body
    assert "that “France must invest more”, to" in body
