"""What the phrase of a cue stands for, and who a pronoun or a title stands for: invented sentences."""

import pytest

from tasks.speech.attribution_frames import find_cues
from tasks.speech.people import People
from tasks.speech.referents import antecedents, read_phrase
from tests.tasks.conftest import passage_and_roles


def referents(nlp, text, frame="incise"):
    """(passage, the referent of the first cue of that frame of the last speech quote)."""
    p, _ = passage_and_roles(nlp, text)
    quote = [q for q in p.quotes if q.kind == "speech"][-1]
    cue = next(c for c in find_cues(p, quote) if c.frame == frame)
    return p, cue, read_phrase(p, cue)


def name_of(p, entity_id):
    return p.entities[entity_id].name


@pytest.mark.parametrize("text, kind", [
    ("« Nous serons prêts », explique Anne Roy.", "name"),
    ("« La route restera fermée », estime la préfecture de la Gironde.", "group"),
    ("« Rien n'est décidé », indique le parquet.", "body"),
    ("« Le budget est tenu », explique l'élu.", "title"),
    ("« Le budget est tenu », a-t-il expliqué.", "pronoun"),
    ("« On ne sait rien », confie un habitant.", "other"),
    ("« Rien ne bouge », dit-on au ministère.", "other"),
])
def test_kinds_of_phrases(nlp, text, kind):
    assert referents(nlp, text)[2].kind == kind


def test_an_organisation_the_entity_stage_missed_is_named_by_its_phrase(nlp):
    assert referents(nlp, "« La route restera fermée », estime la préfecture de la Gironde.")[2].text == \
        "préfecture de la Gironde"


@pytest.mark.parametrize("text, name", [
    ("« Le chantier prendra dix ans », rappelle le quotidien régional « La Voix de l'Ouest ».", "La Voix de l'Ouest"),
    ("« Le chantier prendra dix ans », affirme le journal Sud Ouest.", "Sud Ouest"),
    ("« Le chantier prendra dix ans », estime la préfecture de la Gironde.", "préfecture de la Gironde"),
])
def test_a_group_named_in_apposition_is_that_name(nlp, text, name):
    p, _, ref = referents(nlp, text)
    assert (ref.kind, ref.text) == ("group", name) or (ref.kind, name_of(p, ref.entity_id)) == ("name", name)


@pytest.mark.parametrize("text, expected", [
    ("« Il faut agir », affirme le syndicat, Force Ouvrière.", ("name", "Force Ouvrière")),
    ("« Il faut agir », a déclaré le parti, Renaissance, jeudi.", ("name", "Renaissance")),
    ("« Il faut agir », estime le gouvernement Barnier.", ("group", "gouvernement Barnier")),
])
def test_a_body_is_the_organisation_named_in_apposition_never_a_person(nlp, text, expected):
    p, _, ref = referents(nlp, text)
    assert (ref.kind, ref.text or name_of(p, ref.entity_id)) == expected


def test_a_title_with_the_name_in_apposition_is_that_person(nlp):
    p, _, ref = referents(nlp, "« Une faute », a déclaré le ministre de la Santé, Jan Novák, à Prague.")
    assert ref.kind == "name" and name_of(p, ref.entity_id) == "Jan Novák"


def test_the_name_after_the_lawyer_of_someone_is_the_lawyer(nlp):
    p, _, ref = referents(nlp, "« Il est innocent », plaide l'avocate de Paul Martin, Anne Roy.")
    assert name_of(p, ref.entity_id) == "Anne Roy"


def resolve(nlp, text, frame="incise"):
    p, roles = passage_and_roles(nlp, text)
    quote = [q for q in p.quotes if q.kind == "speech"][-1]
    cue = next(c for c in find_cues(p, quote) if c.frame == frame)
    ref = read_phrase(p, cue)
    return [name_of(p, a.entity_id) for a in antecedents(p, People(p, roles), ref, cue.start)]


def test_a_pronoun_agrees_in_gender(nlp):
    text = "Mme Anne Roy a reçu M. Paul Martin à la mairie. « La situation est grave », a-t-elle déclaré."
    assert resolve(nlp, text)[0] == "Anne Roy"


def test_a_title_stands_for_the_person_the_text_gave_it(nlp):
    text = ("Paul Martin, maire de Cahors, a reçu Anne Roy, avocate de l'association, et Marc Petit. "
            "« Le dossier avance », assure le maire.")
    assert resolve(nlp, text)[0] == "Paul Martin"


def test_a_feminine_title_is_given_by_its_article(nlp):
    text = "Le préfet Marc Petit a reçu la ministre Anne Roy. « Nous restons vigilants », a déclaré la ministre."
    assert resolve(nlp, text)[0] == "Anne Roy"


def test_a_body_stands_for_the_organisation_named_with_that_noun(nlp):
    text = ("Le syndicat Force Commune a rencontré la direction de Novélia. "
            "« Nous ne signerons pas », prévient le syndicat.")
    assert resolve(nlp, text)[0] == "Force Commune"


def test_a_general_title_stands_for_the_person_given_a_precise_one(nlp):
    text = ("Paul Martin, maire de Cahors, a rencontré Marc Petit, avocat de l'association. "
            "« Le projet est relancé », se réjouit l'élu.")
    assert resolve(nlp, text)[0] == "Paul Martin"


def test_an_honorific_before_a_title_is_that_title_with_its_gender(nlp):
    _, _, ref = referents(nlp, "« Il faut oser », ajoute madame la ministre.")
    assert (ref.kind, ref.noun, ref.gender) == ("title", "ministre", "f")


def test_a_pronoun_is_not_someone_named_in_its_own_clause(nlp):
    text = ("Paul Martin, alors député, frappe Marc Petit à la sortie. Pour sa défense, "
            "il accuse Marc Petit d’« insultes répétées ».")
    assert "Marc Petit" not in resolve(nlp, text, frame="cue")


def test_a_title_of_something_else_is_someone_else(nlp):
    text = ("Le président russe Ivan Petrov a reçu Karim Saïdov à Moscou. "
            "« Nous renforçons nos défenses », a déclaré le président du Tadjikistan.")
    assert "Ivan Petrov" not in resolve(nlp, text)


def test_a_name_in_a_relative_clause_or_a_complement_is_an_embedded_antecedent(nlp):
    text = ("« Ces études sont fausses », assène Paul Roy, qui a expertisé les travaux de Jean Martin. "
            "Il poursuit : « Elles ont été bâties pour conclure. »")
    p, cue, ref = referents(nlp, text, frame="cue")
    people = People(p, passage_and_roles(nlp, text)[1])
    embedded = {name_of(p, a.entity_id): a.features["ant_embedded"] for a in antecedents(p, people, ref, cue.start)}
    assert embedded == {"Paul Roy": 0.0, "Jean Martin": 1.0}
