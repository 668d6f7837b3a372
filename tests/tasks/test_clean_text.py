from hypothesis import given
from hypothesis import strategies as st

from tasks.text.clean_text import clean_text_dump

ENGLISH_DUMP = """Events, Startups
Leave a comment

Ten things we learned at Web Summit

The opening night drew a record crowd. "We are back," said the founder on stage.

crowd-at-night.png

Photo: Jane Doe

Panels and pitches

Founders pitched all day long.

Share this:

Twitter
Facebook

Like this:

Like Loading...

Related

Posted in Events, Startups
Tagged lisbon, startups
Posted by
Jane Doe

Leave a Reply Cancel reply
Enter your comment here..."""


def test_clean_text_dump_splits_seed_into_title_body_and_chrome(seeds):
    cleaned = clean_text_dump((seeds / "000_15e261c73f3f5a02.txt").read_text("utf-8"))
    assert cleaned.title == "Oser l’IA : une belle déclaration de Clara Chapaz #VivaTech"
    assert cleaned.categories == ["interview émotionnelle", "l'humain dans le marketing"]
    assert cleaned.author is None  # "Avatar de Inconnu" is WordPress.com's placeholder, not a name
    assert "La confiance en l’IA" in cleaned.body  # headings stay
    assert cleaned.body.endswith("gigantesque foire à l’innovation ?")
    for chrome in ("Laisser un commentaire", "Cette entrée a été publiée", "Avatar de", "CEO Eforbrands", "Screenshot"):
        assert chrome not in cleaned.body
    assert "Screenshot" in cleaned.captions


def test_clean_text_dump_drops_comment_form_and_image_file_names(seeds):
    cleaned = clean_text_dump((seeds / "002_535313587524418b.txt").read_text("utf-8"))
    assert cleaned.body.startswith("Disons-le tout de suite")
    assert cleaned.captions == ["la foule sur l'everest.jpg", "Moine-bouddhiste.jpg"]
    for chrome in ("Votre commentaire", "Logo WordPress.com", "Connexion à %s", ".jpg"):
        assert chrome not in cleaned.body


def test_clean_text_dump_reads_english_wordpress_chrome():
    cleaned = clean_text_dump(ENGLISH_DUMP)
    assert cleaned.title == "Ten things we learned at Web Summit"
    assert cleaned.body == (
        'The opening night drew a record crowd. "We are back," said the founder on stage.\n\n'
        "Panels and pitches\n\nFounders pitched all day long."
    )
    assert cleaned.categories == ["Events", "Startups"]
    assert cleaned.tags == ["lisbon", "startups"]
    assert cleaned.author == "Jane Doe"
    assert cleaned.captions == ["crowd-at-night.png", "Photo: Jane Doe"]


def test_clean_text_dump_without_header_takes_first_line_as_title():
    cleaned = clean_text_dump("Un titre\n\nPremier paragraphe du billet.\n\nSecond paragraphe.")
    assert cleaned.title == "Un titre"
    assert cleaned.body == "Premier paragraphe du billet.\n\nSecond paragraphe."


def test_clean_text_dump_of_chrome_only_has_no_body():
    cleaned = clean_text_dump("Laisser un commentaire\n\nPartager\n\nJ'aime")
    assert cleaned.body == "" and cleaned.title is None


@given(st.text())
def test_clean_text_dump_never_raises_and_is_idempotent_on_its_body(text):
    body = clean_text_dump(text).body
    assert clean_text_dump("Titre\n\n" + body).body == body
