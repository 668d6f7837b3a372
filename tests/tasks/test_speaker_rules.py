"""Speaker attribution: one test for each rule of tasks/speakers.py not covered by test_speakers.py.

Each test is an invented press sentence of the shape that triggers the rule and asserts the
(quote, speaker, rule) triples a careful reader would give.
"""

from tests.tasks.conftest import speakers

# ---------------------------------------------------------------- after the quote

def test_embedded_tweet_signed_with_name_and_handle(nlp):
    text = "Trois jours incroyables, merci à tous les exposants !\n— Julien Moreau (@jmoreau) 14 avril 2024"
    assert speakers(nlp, text) == [
        ("Trois jours incroyables, merci à tous les exposants !", "Julien Moreau", "tweet")]


def test_incise_comme_l_explique(nlp):
    text = ("« Le marché des robots domestiques a doublé en deux ans », "
            "comme l'explique Julien Moreau, directeur du salon.")
    assert speakers(nlp, text) == [
        ("Le marché des robots domestiques a doublé en deux ans", "Julien Moreau", "incise-comme")]


def test_peut_on_lire_dans_a_newspaper(nlp):
    text = "« Une édition record pour le salon de l'Agriculture », peut-on lire dans Le Parisien."
    assert speakers(nlp, text) == [("Une édition record pour le salon de l'Agriculture", "Le Parisien", "incise-on")]


def test_incise_with_a_title_names_the_person_given_that_role(nlp):
    text = ("Claire Vasseur, ministre de la Culture, a inauguré le salon jeudi. "
            "« Le livre se porte bien en France », a déclaré la ministre.")
    assert speakers(nlp, text) == [("Le livre se porte bien en France", "Claire Vasseur", "incise-title")]


def test_named_incise_inside_the_quote(nlp):
    text = "« Nous allons, explique Julien Moreau, doubler la surface d'exposition l'an prochain. »"
    assert speakers(nlp, text) == [
        ("Nous allons, explique Julien Moreau, doubler la surface d'exposition l'an prochain.", "Julien Moreau",
         "inner-incise")]


def test_subject_then_verb_after_the_quote(nlp):
    text = "« Nous serons prêts le jour de l'ouverture », Marc Lefèvre a assuré mardi devant la presse."
    assert speakers(nlp, text) == [("Nous serons prêts le jour de l'ouverture", "Marc Lefèvre", "post-cue")]


# ---------------------------------------------------------------- selon / pour

def test_selon_elle_refers_to_the_person_named_before(nlp):
    text = ("Claire Vasseur a visité les stands pendant deux heures. "
            "Selon elle, le salon est « une vitrine pour toute la filière ».")
    assert speakers(nlp, text) == [("une vitrine pour toute la filière", "Claire Vasseur", "according-ref")]


def test_selon_an_institution_the_ner_missed(nlp):
    text = "« Plus de 20 000 visiteurs sont attendus ce week-end », selon la préfecture du Rhône."
    assert speakers(nlp, text) == [
        ("Plus de 20 000 visiteurs sont attendus ce week-end", "préfecture du Rhône", "according-np")]


# ---------------------------------------------------------------- a verb of saying before the quote

def test_inverted_subject_after_comme_l_explique(nlp):
    text = ("Comme l'explique Julien Moreau, directeur du salon, "
            "« la demande des exposants explose depuis la pandémie ».")
    assert speakers(nlp, text) == [
        ("la demande des exposants explose depuis la pandémie", "Julien Moreau", "cue-inverted")]


def test_inverted_pronoun_after_the_cue_verb(nlp):
    text = ("Julien Moreau dirige le salon depuis 2019. "
            "Aussi rappelle-t-il que « la France reste le premier marché européen ».")
    assert speakers(nlp, text) == [
        ("la France reste le premier marché européen", "Julien Moreau", "cue-inverted-pronoun")]


def test_present_participle_after_a_name(nlp):
    text = ("La journée s'est ouverte sur un discours de la ministre Claire Vasseur saluant "
            "« une filière qui a su se réinventer ».")
    assert speakers(nlp, text) == [("une filière qui a su se réinventer", "Claire Vasseur", "cue-participle")]


def test_pronoun_subject_of_the_cue_verb(nlp):
    text = "Julien Moreau dirige le salon depuis 2019. Il affirme que « la demande n'a jamais été aussi forte »."
    assert speakers(nlp, text) == [("la demande n'a jamais été aussi forte", "Julien Moreau", "cue-pronoun")]


def test_cue_verb_without_subject_takes_the_person_of_the_sentence(nlp):
    text = ("Devant les exposants, Julien Moreau s'est voulu rassurant, "
            "évoquant « une édition exceptionnelle malgré la grève ».")
    assert speakers(nlp, text) == [("une édition exceptionnelle malgré la grève", "Julien Moreau", "cue-sentence")]


def test_title_subject_of_the_cue_verb(nlp):
    text = ("La ministre de la Culture Claire Vasseur a inauguré le salon jeudi. "
            "La ministre a salué « une filière qui se réinvente sans cesse ».")
    assert speakers(nlp, text) == [("une filière qui se réinvente sans cesse", "Claire Vasseur", "cue-title")]


def test_organisation_speaking_par_la_voix_de_its_director(nlp):
    text = ("Le groupe Novélia, par la voix de son directeur général Luc Marchand, a annoncé "
            "« un plan d'investissement inédit en Europe ».")
    assert speakers(nlp, text) == [("un plan d'investissement inédit en Europe", "Luc Marchand", "cue-voice")]


# ---------------------------------------------------------------- no verb of saying next to the quote

def test_quote_announced_by_a_sentence_ending_with_a_colon(nlp):
    text = ("Julien Moreau a conclu la conférence de presse par ces mots :\n\n"
            "« Rendez-vous l'année prochaine pour une édition encore plus ambitieuse. »")
    assert speakers(nlp, text) == [
        ("Rendez-vous l'année prochaine pour une édition encore plus ambitieuse.", "Julien Moreau",
         "announced-cue-subject")]


def test_quote_in_the_predicate_of_a_person_subject(nlp):
    text = "Léa Fontaine, directrice du salon, reste « convaincue que le public sera au rendez-vous »."
    assert speakers(nlp, text) == [("convaincue que le public sera au rendez-vous", "Léa Fontaine", "subject")]


# ---------------------------------------------------------------- from another quote

def test_second_quote_of_a_sentence_shares_the_first_speaker(nlp):
    text = ("« Nous avons battu tous les records », s'est félicitée Léa Fontaine, "
            "soit « une hausse de 15 % sur un an ».")
    assert speakers(nlp, text) == [
        ("Nous avons battu tous les records", "Léa Fontaine", "incise"),
        ("une hausse de 15 % sur un an", "Léa Fontaine", "shared")]


def test_first_quote_shares_the_incise_ending_the_sentence(nlp):
    text = ("« Nous avons battu tous les records » et « le public a nettement rajeuni », "
            "s'est félicitée Léa Fontaine.")
    assert speakers(nlp, text) == [
        ("Nous avons battu tous les records", "Léa Fontaine", "shared-incise"),
        ("le public a nettement rajeuni", "Léa Fontaine", "incise")]


def test_next_quote_continues_the_speaker(nlp):
    text = ("« Nous visons 100 000 visiteurs », annonce Léa Fontaine. Le salon accueillera 800 exposants. "
            "« Nous avons dû refuser des candidatures. »")
    assert speakers(nlp, text) == [
        ("Nous visons 100 000 visiteurs", "Léa Fontaine", "incise"),
        ("Nous avons dû refuser des candidatures.", "Léa Fontaine", "continuation")]


def test_quote_before_an_ajoute_incise_takes_its_speaker(nlp):
    text = ("Le salon ouvre ses portes samedi. « Les stands sont prêts depuis hier soir. » "
            "« Nous attendons 50 000 visiteurs », ajoute Léa Fontaine.")
    assert speakers(nlp, text) == [
        ("Les stands sont prêts depuis hier soir.", "Léa Fontaine", "backward"),
        ("Nous attendons 50 000 visiteurs", "Léa Fontaine", "incise")]
