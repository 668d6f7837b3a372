"""Speaker attribution, one test per rule, on real parses."""


from tasks.speakers import speech_verbs
from tests.tasks.conftest import speakers


def test_speech_verbs_are_inflected():
    verbs = speech_verbs()
    assert {"explique", "expliquait", "ajouta", "déclaré", "dit", "répond", "said"} <= verbs


def test_incise_with_named_subject(nlp):
    assert speakers(nlp, "« Nous irons jusqu’au bout », explique Audrey Bourolleau devant la presse.") == [
        ("Nous irons jusqu’au bout", "Audrey Bourolleau", "incise")]


def test_incise_with_pronoun_takes_the_person_named_before(nlp):
    text = "Simon Martin a lancé sa société en 2019. « Il reste tant à faire », me déclare-t-il avec un sourire."
    assert speakers(nlp, text) == [("Il reste tant à faire", "Simon Martin", "incise-pronoun")]


def test_incise_inside_the_quote(nlp):
    text = "Antoine Durand est étudiant. « Je suis très inquiet, glisse-t-il, pour mon avenir. »"
    [(quote, speaker, rule)] = speakers(nlp, text)
    assert speaker == "Antoine Durand" and rule.startswith("inner-")


def test_selon(nlp):
    text = "La situation reste « très tendue », selon Dmitri Peskov, qui parlait à Moscou."
    assert speakers(nlp, text) == [("très tendue", "Dmitri Peskov", "according")]


def test_cue_subject_and_pronoun(nlp):
    text = ("Clara Chapaz exprime une confiance inébranlable. Elle se dit « vraiment confiante » dans la capacité "
            "à prendre « les bonnes décisions ».")
    assert [(q, s) for q, s, _ in speakers(nlp, text)] == [
        ("vraiment confiante", "Clara Chapaz"), ("les bonnes décisions", "Clara Chapaz")]


def test_colon_before_the_quote(nlp):
    text = "Interrogé sur le sujet, Bernard Sananès : « Son action est majoritairement bien perçue. »"
    assert speakers(nlp, text)[0][1:] == ("Bernard Sananès", "colon")


def test_title_declarant(nlp):
    text = "Le salon a ouvert ses portes. Clara Chapaz était présente. Il faut « oser l’IA »."
    found = speakers(nlp, text, title="Oser l’IA : une belle déclaration de Clara Chapaz")
    assert found == [("oser l’IA", "Clara Chapaz", "title")]


def test_no_speaker_when_the_text_does_not_say(nlp):
    text = "Le rapport parle d’une « situation inédite » dans le secteur agricole."
    assert speakers(nlp, text) == [("situation inédite", None, None)]


def test_incise_subject_after_a_title_and_apposition(nlp):
    text = ("Moscou a réagi mardi. « Nous avons fait échouer leur campagne », a affirmé le ministre russe de la "
            "Défense, Andreï Belooussov, lors d’une réunion.")
    assert speakers(nlp, text)[0][1] == "Andreï Belooussov"


def test_pronoun_agrees_in_gender_with_its_person(nlp):
    text = ("Mme Sophie Binet a rencontré M. Emmanuel Macron à l’Élysée. « La situation est grave », "
            "a-t-elle déclaré à la sortie.")
    assert speakers(nlp, text)[0][1] == "Sophie Binet"


def test_on_is_never_a_person(nlp):
    text = "Pierre Dupont a publié un livre. « Une affaire d’État », peut-on lire dans la presse du jour."
    assert speakers(nlp, text)[0][1] != "Pierre Dupont"


def test_a_mention_inside_a_quote_is_never_its_speaker(nlp):
    text = "« Errare humanum est, disait Sénèque », répond l’écrivaine Marie Ndiaye en souriant."
    assert speakers(nlp, text)[0][1] == "Marie Ndiaye"


def test_cue_subject_that_is_a_role_noun_after_a_name(nlp):
    text = "Ovidiu Kranjec chef de mission de la Croix-Rouge à Kinshasa déclare « nous manquons de tout. »"
    assert speakers(nlp, text) == [("nous manquons de tout.", "Ovidiu Kranjec", "cue-subject")]
