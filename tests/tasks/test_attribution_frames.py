"""The constructions of French that point to a quote's source: one invented sentence each."""

import pytest

from tasks.speech.attribution_frames import find_cues
from tests.tasks.conftest import passage


def cues(nlp, text):
    """(frame, phrase) of every cue of the first speech quote of `text`."""
    p = passage(nlp, text)
    quote = next(q for q in p.quotes if q.kind == "speech")
    return [(c.frame, p.body[c.start:c.end]) for c in find_cues(p, quote)]


@pytest.mark.parametrize("text, expected", [
    ("« Nous serons prêts pour l'ouverture », explique Anne Roy devant la presse.", ("incise", "Anne Roy")),
    ("« La route restera fermée », estime la préfecture de la Gironde, dans un communiqué.",
     ("incise", "la préfecture de la Gironde")),
    ("« C'est une faute grave », a déclaré à cette occasion le ministre de la Santé.",
     ("incise", "le ministre de la Santé")),
    ("« Nous tiendrons », a-t-il déclaré mardi soir.", ("incise", "-il")),
    ("« Une faute », c'est ainsi qu'elle a résumé la décision du conseil.", ("incise", "elle")),
    ("« Une édition record pour le salon », peut-on lire dans Le Parisien.", ("incise", "Le Parisien")),
    ("« Errare humanum est » (l'erreur est humaine), lance le procureur Jan Novák à l'audience.",
     ("incise", "le procureur")),
])
def test_incise_after_the_quote(nlp, text, expected):
    assert expected in cues(nlp, text)


def test_a_new_clause_after_the_quote_is_no_incise(nlp):
    text = "L'ONG a condamné « une attaque inhumaine », quand la Norvège dénonçait un « massacre »."
    assert [c for c in cues(nlp, text) if c[0] == "incise"] == []


@pytest.mark.parametrize("text, expected", [
    ("La région « manque cruellement » de médecins pour ses hôpitaux, a déclaré Anne Roy, la préfète, jeudi.",
     [("closing", "Anne Roy")]),
    ("Les élus jugent la réforme « injuste » pour les petites communes, a-t-elle affirmé devant la presse.",
     [("closing", "-elle")]),
    ("Il juge la réforme « injuste », a ensuite expliqué le maire.", [("incise", "le maire")]),
])
def test_an_incise_that_closes_the_sentence_the_quote_is_part_of(nlp, text, expected):
    assert [c for c in cues(nlp, text) if c[0] in ("incise", "closing")] == expected


def test_a_closing_verb_that_introduces_something_else_is_no_incise(nlp):
    text = "La région « manque » de médecins, a déclaré Anne Roy, qui a ajouté que rien ne changerait."
    assert ("closing", "Anne Roy") in cues(nlp, text)
    text = "La région « manque » de médecins, mais Anne Roy a déclaré que rien ne changerait."
    assert not [c for c in cues(nlp, text) if c[0] == "closing"]
    text = "La région « manque » de médecins, ont déclaré les élus, ce qui n'est pas nouveau."
    assert ("closing", "les élus") in cues(nlp, text)
    # the closing incise belongs to the last quote before it
    text = "Paul Martin parle d'une « crise historique » et Anne Roy lui répond : « Nous tiendrons », a-t-elle insisté."
    assert not [c for c in cues(nlp, text) if c[0] == "closing"]


def test_incise_inside_the_quote(nlp):
    assert ("inner", "-elle") in cues(nlp, "« Nous irons, a-t-elle dit, jusqu'au bout du projet. »")


@pytest.mark.parametrize("text, expected", [
    ("« Rien du tout », fit Hector en haussant les épaules.", ("incise", "Hector")),
    ("« Pas cette année », sourit-elle devant les stands.", ("incise", "-elle")),
    ("— Vraiment ? répondit Ursule. Je n'en savais rien.", ("inner", "Ursule")),
    ("— Tant pis ! soupira Hector, nous rentrerons à pied.", ("inner", "Hector")),
])
def test_an_inverted_subject_makes_an_incise_of_any_verb(nlp, text, expected):
    assert expected in cues(nlp, text)


@pytest.mark.parametrize("text", [
    "« Le sol est dense, et trouver un tunnel est une tâche difficile. »",
    "« Où ? Faut-il tout refaire depuis le début ? »",
])
def test_a_copula_or_a_question_inside_the_quote_is_no_incise(nlp, text):
    assert cues(nlp, text) == []


@pytest.mark.parametrize("text, expected", [
    ("Le maire a expliqué que « la route sera fermée tout l'été ».", ("cue", "Le maire")),
    ("Comme l'explique Anne Roy, « la demande des exposants explose ».", ("cue", "Anne Roy")),
    ("Paul Martin, fondateur de la société affirme « nous recrutons vingt personnes ».", ("cue", "Paul Martin")),
])
def test_verb_of_saying_before_the_quote(nlp, text, expected):
    assert expected in cues(nlp, text)


def test_a_verb_inside_a_reported_clause_gives_way_to_the_verb_that_reports_it(nlp):
    text = "Le ministre a affirmé que l'armée avait reculé et salué une « avancée décisive » du front."
    assert ("cue", "Le ministre") in cues(nlp, text)


def test_an_organisation_speaking_by_the_voice_of_a_person(nlp):
    text = "L'association, par la voix de sa présidente Anne Roy, a dénoncé « une décision injuste »."
    assert ("cue", "sa présidente") in cues(nlp, text)


@pytest.mark.parametrize("text, expected", [
    ("La situation est « très tendue », selon le parquet de Lyon.", ("according", "le parquet de Lyon")),
    ("Pour Anne Roy, chercheuse en biologie, la situation est « intenable ».", ("according", "Anne Roy")),
    ("Mais pour Paul Martin, la réforme reste « une erreur ».", ("according", "Paul Martin")),
    ("À ses yeux, « rien n'est encore joué ».", ("according", "ses")),
])
def test_according_to(nlp, text, expected):
    assert expected in cues(nlp, text)


def test_pour_with_a_goal_is_not_a_point_of_view(nlp):
    assert not [c for c in cues(nlp, "Il faut agir pour la planète « sans attendre ».") if c[0] == "according"]


def test_a_phrase_before_a_colon(nlp):
    assert ("colon", "Paul Martin") in cues(nlp, "Paul Martin, maire de Cahors : « Nous sommes prêts. »")


def test_a_sentence_ending_with_a_colon_announces_the_quote(nlp):
    text = "Paul Martin a conclu la conférence par ces mots :\n\n« Rendez-vous l'an prochain. »"
    assert ("announced", "Paul Martin") in cues(nlp, text)


def test_the_sentence_before_reports_the_quote_that_opens_the_next(nlp):
    text = "Le problème persiste, comme le raconte Anne Roy, 32 ans, chargée de cours. « Je gagne peu. »"
    assert ("before", "Anne Roy") in cues(nlp, text)


def test_a_reflexive_verb_of_saying_before_the_quote(nlp):
    assert ("cue", "Elle") in cues(nlp, "Elle se dit « vraiment confiante » pour la suite.")


def test_no_cue_in_a_sentence_that_names_no_source(nlp):
    assert cues(nlp, "Le rapport paraîtra en « juin prochain ».") == []


def test_an_embedded_post_signed_on_the_next_line(nlp):
    text = "Trois jours incroyables, merci à tous les exposants !\n— Julien Moreau (@jmoreau) 14 avril 2024"
    assert ("signed", "Julien Moreau") in cues(nlp, text)


def test_an_incise_ending_the_text_and_the_main_clause_before_a_colon(nlp):
    assert ("incise", "Hector") in cues(nlp, "« Rien du tout », fit Hector")
    text = "Quand Marie Dubois entra dans la cuisine, Paul Roy sursauta :\n\n— Tu es revenue si tôt ?"
    assert ("introduced", "Marie Dubois") not in cues(nlp, text)  # the subordinate clause's subject never speaks
