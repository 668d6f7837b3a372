from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.clean_html import clean_html

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
