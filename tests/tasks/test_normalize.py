from hypothesis import given
from hypothesis import strategies as st

from tasks.text.normalize import normalize_line, normalize_text


def test_normalize_text_composes_and_drops_invisible_characters():
    assert normalize_text("e\u0301te\u0301 pro\u00adgramme\u200b") == "été programme"


def test_normalize_text_folds_spaces_but_keeps_paragraphs():
    text = "Un\u00a0« mot »\u202f!\r\n\r\n\r\n\tDeux  mots \u2028trois"
    assert normalize_text(text) == "Un « mot » !\n\nDeux mots\ntrois"


def test_normalize_line_is_one_line():
    assert normalize_line(" Titre\n  sur deux\u00a0lignes ") == "Titre sur deux lignes"


@given(st.text())
def test_normalize_text_is_idempotent_and_never_raises(text):
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert "\u00ad" not in once and "\r" not in once and "\n\n\n" not in once
