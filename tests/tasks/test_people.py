"""Who the people of a post are: genders and titles, on invented sentences and common first names."""

import pytest

from tasks.speech.people import People, name_gender
from tests.tasks.conftest import passage

# Common French first names, none from the development pages: the margins of tasks.speech.people hold for them.
MEN = "Luc Hugo Karim Mehdi Rémi Franck Louis Arthur Léo Mathieu Nicolas Thierry Éric Alain Philippe".split()
WOMEN = "Fatima Nadia Chloé Emma Inès Manon Julie Lucie Hélène Nathalie Isabelle Céline Sandrine Élodie".split()


def test_a_first_name_leans_to_its_gender(nlp):
    said = {n: name_gender(nlp.vocab, n) for n in MEN + WOMEN}
    wrong = [n for n in MEN if said[n] == "f"] + [n for n in WOMEN if said[n] == "m"]
    assert wrong == []
    assert sum(said[n] == "m" for n in MEN) >= 0.8 * len(MEN)
    assert sum(said[n] == "f" for n in WOMEN) >= 0.8 * len(WOMEN)


def test_a_word_that_is_no_name_has_no_gender(nlp):
    assert name_gender(nlp.vocab, "maison") is None


@pytest.mark.parametrize("text, gender", [
    ("Mme Dupuis a pris la parole.", "f"),
    ("La ministre Anne Dupuis a pris la parole.", "f"),
    ("Claude Dupuis, elle, n'a rien dit.", "f"),
    ("Le préfet Dominique Dupuis a pris la parole.", "m"),
])
def test_gender_from_the_text(nlp, text, gender):
    p = passage(nlp, text)
    people = People(p, ())
    assert list(people.gender.values()) == [gender]


@pytest.mark.parametrize("noun, det, gender", [
    ("avocate", "l'", "f"), ("avocat", "l'", None), ("directrice", None, "f"), ("imam", "l'", None),
    ("ministre", "la", "f"), ("ministre", "le", "m"), ("élue", "l'", "f"),
])
def test_the_gender_of_a_title(noun, det, gender):
    from tasks.speech.people import gender_of

    assert gender_of(noun, det) == gender
