"""Who said what, end to end with the shipped model, on invented press sentences.
The model is learned (bench/speakers.py); these sentences are the plain cases any version
of it must get right, and the cases where it must name nobody.
"""

import pytest

from tasks.names.entities import extract_entities
from tasks.parse import extract_quotes
from tasks.speech.speakers import attribute_speakers
from tasks.speech.speech_lexicon import is_saying, speech_verbs
from tests.tasks.conftest import attribution, speakers


def test_speech_verbs_are_inflected():
    assert {"explique", "expliquait", "ajouta", "déclaré", "dit", "répond", "souligne", "défendu"} <= speech_verbs()


def test_a_verb_of_saying_is_told_from_a_noun_of_the_same_form(nlp):
    doc = nlp("Le juge a rendu sa décision. Elle juge la décision injuste.")
    assert [is_saying(t) for t in doc if t.lower_ == "juge"] == [False, True]


def test_a_locution_with_dire_is_no_verb_of_saying(nlp):
    doc = nlp("Le syndicat a déploré « des dizaines » de départs, c'est-à-dire « un exode ». Autrement dit, rien.")
    assert [t.text for t in doc if is_saying(t)] == ["déploré"]


def test_incise_names_the_speaker(nlp):
    assert speakers(nlp, "« Nous serons prêts pour l'ouverture », explique Anne Roy devant la presse.") == [
        ("Nous serons prêts pour l'ouverture", "Anne Roy")]


def test_an_organisation_the_entity_stage_missed_speaks_and_becomes_an_entity(nlp):
    found = attribution(nlp, "« La route restera fermée jusqu'à lundi », estime la préfecture de la Gironde.")
    [quote] = [q for q in found.quotes if q.kind == "speech"]
    assert quote.speaker == "préfecture de la Gironde"
    entity = next(e for e in found.entities if e.entity_id == quote.speaker_entity_id)
    assert entity.type == "ORG"
    assert any(m.entity_id == entity.entity_id for m in found.mentions)


def test_a_title_stands_for_the_person_named_before(nlp):
    text = ("Paul Martin, maire de Cahors, a inauguré le salon jeudi. "
            "« Le livre se porte bien dans notre ville », a déclaré à cette occasion le maire.")
    assert speakers(nlp, text)[0][1] == "Paul Martin"


def test_a_pronoun_in_an_incise_stands_for_the_person_named_before(nlp):
    text = "Anne Roy dirige le salon depuis 2019. « Il reste tant à faire », me déclare-t-elle avec un sourire."
    assert speakers(nlp, text)[0][1] == "Anne Roy"


def test_a_pronoun_agrees_in_gender(nlp):
    text = ("Mme Anne Roy a reçu M. Paul Martin à la mairie. « La situation est grave », "
            "a-t-elle déclaré à la sortie.")
    assert speakers(nlp, text)[0][1] == "Anne Roy"


def test_selon(nlp):
    assert speakers(nlp, "La situation reste « très tendue », selon Marc Petit, qui parlait à Lyon.") == [
        ("très tendue", "Marc Petit")]


def test_a_verb_of_saying_before_the_quote_and_its_subject(nlp):
    text = "Léa Fontaine dirige le salon. Elle affirme que « la demande n'a jamais été aussi forte »."
    assert speakers(nlp, text)[0][1] == "Léa Fontaine"


def test_the_name_in_apposition_to_a_title(nlp):
    text = "« Nous avons tenu nos engagements », a affirmé le ministre de la Santé, Jan Novák, lors d'une réunion."
    assert speakers(nlp, text)[0][1] == "Jan Novák"


def test_a_run_of_quotes_keeps_its_speaker(nlp):
    text = ("« Nous visons 100 000 visiteurs », annonce Léa Fontaine. Le salon accueillera 800 exposants. "
            "« Nous avons dû refuser des candidatures. »")
    assert [s for _, s in speakers(nlp, text)] == ["Léa Fontaine", "Léa Fontaine"]


def test_a_quote_before_an_incise_of_the_next_sentence_shares_its_speaker(nlp):
    text = ("Le salon ouvre ses portes samedi. « Les stands sont prêts depuis hier soir. » "
            "« Nous attendons 50 000 visiteurs », ajoute Léa Fontaine.")
    assert [s for _, s in speakers(nlp, text)] == ["Léa Fontaine", "Léa Fontaine"]


@pytest.mark.parametrize("text, speaker", [
    ("Le comité s'est réuni hier. « Nous irons, a déclaré Bertrand, jusqu'au bout de ce projet. »", "Bertrand"),
    ("Le soir tombait sur le port.\n— Non, répondit Gaspard. Je reste ici jusqu'à demain.", "Gaspard"),
])
def test_a_name_in_an_incise_the_marks_enclose_is_the_speaker(nlp, text, speaker):
    assert speakers(nlp, text)[0][1] == speaker


def test_nobody_when_the_text_does_not_say(nlp):
    assert speakers(nlp, "Le rapport parle d’une « situation inédite » dans le secteur agricole.") == [
        ("situation inédite", None)]


def test_on_is_never_a_person(nlp):
    text = "Pierre Dupont a publié un livre. « Une affaire d’État », dit-on dans les couloirs du ministère."
    assert speakers(nlp, text)[0][1] != "Pierre Dupont"


def test_a_name_inside_the_quote_is_not_its_speaker(nlp):
    text = "« Errare humanum est, disait Sénèque », répond l’écrivaine Marie Ndiaye en souriant."
    assert speakers(nlp, text)[0][1] == "Marie Ndiaye"


def test_each_named_quote_keeps_its_evidence_and_confidence(nlp):
    found = attribution(nlp, "« Nous serons prêts », explique Anne Roy devant la presse.")
    [quote] = [q for q in found.quotes if q.kind == "speech"]
    assert quote.cue == "explique" and quote.attribution_rule == "incise/name" and quote.speaker_phrase == "Anne Roy"
    assert 0.5 < quote.speaker_confidence <= 1.0


def test_the_shipped_model_was_trained_on_the_features_this_code_computes():
    from tasks.speech.speakers import feature_digest, model_data

    assert model_data()["features_from"] == feature_digest(), "stale speaker model: run `make train-speakers`"


def test_a_general_title_in_an_incise_stands_for_the_person_given_a_precise_one(nlp):
    text = ("Le conseil municipal a voté le budget mardi. Paul Martin, maire de Cahors, a défendu le projet. "
            "« Nous tiendrons nos engagements », explique l'élu.")
    assert speakers(nlp, text)[0][1] == "Paul Martin"


def test_a_pronoun_subject_after_the_quote(nlp):
    text = ("Anne Roy a présidé la séance du conseil. « Une faute », c'est ainsi qu'elle a résumé "
            "la décision du tribunal.")
    assert speakers(nlp, text)[0][1] == "Anne Roy"


def test_the_same_words_quoted_again_are_the_same_speakers(nlp):
    headline = ("Le port doit « garder son calme »\n\n"
                "La grève dure depuis trois semaines. Les quais sont vides et les navires attendent au large.\n\n")
    found = speakers(nlp, headline + "« Garder son calme », a répondu Anne Roy à la presse.")
    assert [who for _, who in found] == ["Anne Roy", "Anne Roy"]
    # words two people quoted are given to neither
    found = speakers(nlp, headline + "« Garder son calme », a répondu Anne Roy à la presse. "
                                     "Paul Martin, de son côté, a appelé à « garder son calme », a-t-il ajouté.")
    assert [who for _, who in found] == [None, "Anne Roy", "Paul Martin"]


def test_dropping_speakers_below_a_threshold_then_echoing_is_predicting_at_that_threshold(nlp):
    """What bench/speakers.py relies on to score every threshold from one prediction."""
    from dataclasses import replace

    from tasks.names.entities import extract_entities
    from tasks.parse import extract_quotes
    from tasks.speech.speakers import attribute_speakers, echoes, shipped_model

    text = ("Le port doit « garder son calme »\n\n"
            "La grève dure. « Garder son calme », a répondu Anne Roy. Elle a ajouté que la situation était "
            "« difficile mais pas désespérée ». « Nous tiendrons », dit-on sur les quais. Paul Martin, docker, "
            "évoque « une crise historique », puis « la fin d'une époque ».")
    doc = nlp(text)
    entities, mentions, roles = extract_entities(doc)
    args = (doc, extract_quotes(text), mentions, entities, roles)
    model = shipped_model()
    everyone = attribute_speakers(*args, model=replace(model, threshold=0.0), echo=False)
    for threshold in (0.0, 0.3, 0.5, model.threshold, 0.8, 0.95):
        kept = [q if (q.speaker_confidence or 0) >= threshold else q.model_copy(update=dict(
            speaker=None, speaker_entity_id=None, cue=None, cue_start=None, cue_end=None, attribution_rule=None,
            speaker_confidence=None, speaker_phrase=None)) for q in everyone.quotes]
        direct = attribute_speakers(*args, model=replace(model, threshold=threshold))
        assert echoes(kept, everyone.cued) == list(direct.quotes)


def test_an_english_post_names_a_speaker_only_from_the_english_threshold(nlp):
    """English news read with the French model: context alone is not enough (bench/en_speakers.py)."""
    text = "John Smith visited the plant on Monday. “It was a great day for the workers.”"
    doc = nlp(text)
    entities, mentions, roles = extract_entities(doc)
    french, english = (attribute_speakers(doc, extract_quotes(text), mentions, entities, roles, language=language)
                       for language in (None, "en"))
    assert [q.speaker for q in french.quotes] == ["John Smith"]
    assert [q.speaker for q in english.quotes] == [None]


def test_an_english_incise_with_the_name_before_its_verb_names_the_speaker(nlp):
    text = "“We will rebuild the bridge by spring,” Mary Brown told reporters."
    assert speakers(nlp, text) == [("We will rebuild the bridge by spring,", "Mary Brown")]


def test_a_name_after_a_preposition_is_no_incise_subject(nlp):
    text = "« Rien n'est joué », selon Paul Roy, a déclaré Anne Martin."
    assert [s for _, s in speakers(nlp, text)] == ["Anne Martin"]
