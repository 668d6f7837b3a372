"""Entity resolution on real parses (spaCy fr_core_news_md loads once per test session)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas import EventRef
from tasks.names.entities import entity_id_for, extract_entities, name_key
from tasks.names.roles import role_head


def entities_of(nlp, text, events=()):
    doc = nlp(text)
    entities, mentions, roles = extract_entities(doc, events)
    names = {e.entity_id: e for e in entities}
    return entities, mentions, roles, names


def test_titles_never_become_part_of_a_name(nlp):
    _, mentions, _, names = entities_of(nlp, "Hier, Mme Clara Chapaz a visité le salon. M. Nicolas Dufourcq était là.")
    assert {names[m.entity_id].name for m in mentions} == {"Clara Chapaz", "Nicolas Dufourcq"}
    assert not any(m.surface.startswith(("Mme", "M.")) for m in mentions)


def test_typo_and_first_name_resolve_to_the_full_name(nlp):
    text = ("Jean-Pierre Farandou, pdg de la SNCF, a parlé longtemps. Plus tard, Jean-Piere Farandou a répondu "
            "aux questions. Clara Chapaz a conclu la séance. Clara souriait.")
    entities, mentions, roles, names = entities_of(nlp, text)
    people = sorted(e.name for e in entities if e.type == "PERSON")
    assert people == ["Clara Chapaz", "Jean-Pierre Farandou"]
    assert {m.surface for m in mentions if names[m.entity_id].name == "Clara Chapaz"} == {"Clara Chapaz", "Clara"}
    assert [(names[r.entity_id].name, r.role, r.organisation) for r in roles] == [
        ("Jean-Pierre Farandou", "pdg de la SNCF", "SNCF")]


def test_a_first_name_the_model_missed_is_the_person_named_in_full_before(nlp):
    doc = nlp("Hector Lamarre regardait la mer. « Le vent tourne », dit Hector. Lamarre rentra.")
    doc.ents = [doc.char_span(0, len("Hector Lamarre"), label="PER")]  # the model found the full name only
    entities, mentions, _ = extract_entities(doc)
    assert [(m.surface, m.char_start) for m in mentions] == [
        ("Hector Lamarre", 0), ("Hector", doc.text.index("Hector.")), ("Lamarre", doc.text.rindex("Lamarre"))]
    assert len({m.entity_id for m in mentions}) == 1


def test_a_name_part_after_a_particle_is_no_name_of_its_own(nlp):
    doc = nlp("Hugo de Sable arriva au port. Le Sable avait changé de couleur.")
    doc.ents = [doc.char_span(0, len("Hugo de Sable"), label="PER")]
    _, mentions, _ = extract_entities(doc)
    assert [m.surface for m in mentions] == ["Hugo de Sable"]


def test_a_person_span_run_into_the_verb_after_it_ends_at_the_name(nlp):
    doc = nlp("Hector Lamarre sourit à son tour.")
    doc.ents = [doc.char_span(0, len("Hector Lamarre sourit"), label="PER")]
    entities, _, _ = extract_entities(doc)
    assert [e.name for e in entities] == ["Hector Lamarre"]


def test_two_people_sharing_a_first_name_are_not_merged(nlp):
    text = "Marie Dupont a ouvert le débat. Marie Durand lui a répondu. Marie a ensuite quitté la salle."
    entities, mentions, _, names = entities_of(nlp, text)
    assert sorted(e.name for e in entities if e.type == "PERSON") == ["Marie Dupont", "Marie Durand"]
    assert "Marie" not in {m.surface for m in mentions}


def test_role_reference_resolves_to_the_holder_and_organisation_spellings_merge(nlp):
    text = ("Madame la Ministre du numérique, Clara Chapaz, a rencontré Nicolas Dufourcq, DG de BPI France. "
            "La Ministre a salué le travail de Bpifrance.")
    entities, mentions, roles, names = entities_of(nlp, text)
    orgs = [e.name for e in entities if e.type == "ORG"]
    assert len(orgs) == 1 and name_key(orgs[0]) == "bpifrance"
    clara = {m.surface for m in mentions if names[m.entity_id].name == "Clara Chapaz"}
    assert "La Ministre" in clara or "Ministre" in clara
    assert ("Nicolas Dufourcq", "DG de BPI France", "BPI France") in {
        (names[r.entity_id].name, r.role, r.organisation) for r in roles}


def test_event_mentions_take_the_event_name(nlp):
    event = EventRef(name="VivaTech", key="vivatech", evidence="hashtag")
    entities, *_ = entities_of(nlp, "Le salon VIvaTech a ouvert ses portes à Paris mardi.", (event,))
    assert ("VivaTech", "EVENT") in {(e.name, e.type) for e in entities}


def test_entity_ids_are_deterministic_across_posts():
    assert entity_id_for("ORG", "BPI France") == entity_id_for("ORG", "Bpifrance")
    assert entity_id_for("ORG", "SNCF") != entity_id_for("PERSON", "SNCF")


@pytest.mark.parametrize(("text", "head"), [
    ("la Ministre", "Ministre"), ("madame la ministre", "ministre"), ("Ministre du numérique", "Ministre"),
    ("le PDG", "PDG"), ("Clara Chapaz", None), ("BPI France", None),
])
def test_role_head_recognises_role_references(text, head):
    assert role_head(text) == head


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["Clara Chapaz", "Marie", "la SNCF", "M. Dupont", "a dit", "« Oui »", ",", ".",
                                 "\n\n", "VivaTech", "Jean-Piere", "de BPI France", "DG", "é", "#IAParis"]),
                max_size=30))
def test_every_mention_span_matches_the_body(nlp, words):
    text = " ".join(words)
    doc = nlp(text)
    _, mentions, roles = extract_entities(doc)
    assert all(text[m.char_start:m.char_end] == m.surface for m in mentions)
    assert all(0 <= r.char_start <= r.char_end <= len(text) for r in roles)


def test_acronyms_and_initials_join_their_full_names(nlp):
    text = ("La Commission nationale de l'informatique et des libertés (CNIL) a rendu un avis. Plus tard, la CNIL "
            "a précisé sa position. Donald J. Trump a réagi, puis Donald Trump a publié un message.")
    entities, *_ = entities_of(nlp, text)
    assert [e.name for e in entities if e.type == "ORG"] == ["Commission nationale de l'informatique et des libertés"]
    people = [e.name for e in entities if e.type == "PERSON"]
    assert len(people) == 1 and people[0] in {"Donald J. Trump", "Donald Trump"}


def test_affiliation_without_a_role_noun_names_the_organisation(nlp):
    text = "« Il faut limiter le gaspillage », explique Audrey Bourolleau, qui présente le projet Hectar Pour cela."
    entities, _, roles, names = entities_of(nlp, text)
    assert ("Hectar", "ORG") in {(e.name, e.type) for e in entities}
    assert [(names[r.entity_id].name, r.role, r.organisation) for r in roles] == [
        ("Audrey Bourolleau", None, "Hectar")]


def test_unknown_names_before_a_role_noun_are_people(nlp):
    text = ("Séverin Talbazou, député écologiste du Gers, a voté contre.\n"
            "Ovidiu Kranjec chef de mission de l'ONG déclare que tout est prêt.")
    entities, _, roles, names = entities_of(nlp, text)
    people = {e.name for e in entities if e.type == "PERSON"}
    assert {"Séverin Talbazou", "Ovidiu Kranjec"} <= people
    assert [(names[r.entity_id].name, r.role.split()[0]) for r in roles] == [
        ("Séverin Talbazou", "député"), ("Ovidiu Kranjec", "chef")]


def test_known_media_keep_their_whole_name(nlp):
    text = ("Le Canard enchaîné a révélé l'affaire mercredi, puis Le Monde l'a confirmée. "
            "Selon Le Monde, l'enquête continue.")
    entities, mentions, _, names = entities_of(nlp, text)
    orgs = {e.name for e in entities if e.type == "ORG"}
    assert {"Le Canard enchaîné", "Le Monde"} <= orgs
    assert len({m.entity_id for m in mentions if "Monde" in m.surface}) == 1


def test_a_title_before_a_particle_name_leaves_the_name(nlp):
    entities, _, _, _ = entities_of(nlp, "Hier, M. de Villepin a reçu Mme de La Fayette à la mairie.")
    assert {e.name for e in entities if e.type == "PERSON"} == {"de Villepin", "de La Fayette"}


def test_a_name_cut_after_a_preposition_takes_the_next_name(nlp):
    entities, _, _, _ = entities_of(nlp, "Le Chœur de Radio France et le Philharmonique de Radio France jouent.")
    names = {(e.name, e.type) for e in entities}
    assert {("Chœur de Radio France", "ORG"), ("Philharmonique de Radio France", "ORG")} <= names
    assert not [n for n, _ in names if n.endswith(" de")]
    assert name_key("Chœur de Radio France") == name_key("Choeur de Radio France")


def test_table_debris_and_capitalised_common_words_are_not_entities(nlp):
    text = "Horaires : 20h.\nJackpot pour les exposants du salon.\nDepay11M. DembéléP. Kadewere24L joueront."
    entities, _, _, _ = entities_of(nlp, text)
    assert not [e.name for e in entities if e.name in {"Horaires", "Jackpot"} or any(c.isdigit() for c in e.name)]


def test_platforms_are_organisations(nlp):
    entities, _, _, _ = entities_of(nlp, "Le message a circulé sur Telegram puis sur WhatsApp avant que Facebook réagisse.")
    assert {(e.name, e.type) for e in entities} == {("Telegram", "ORG"), ("WhatsApp", "ORG"), ("Facebook", "ORG")}


def test_an_organisation_noun_types_the_name_next_to_it(nlp):
    text = ("Les chiffres viennent du site Zorbalix, qui les publie chaque mois. Kelvanor, une association de "
            "défense des usagers, les conteste. Une vidéo tournée par la chaîne qatarie Al-Jazeera circule.")
    entities, _, _, _ = entities_of(nlp, text)
    types = {e.name: e.type for e in entities}
    assert (types.get("Zorbalix"), types.get("Kelvanor"), types.get("Al-Jazeera")) == ("ORG", "ORG", "ORG")


def test_days_months_and_line_headers_are_not_entities(nlp):
    text = "Mercredi, les blessés affluaient.\n- Horaires : 17h00\n- Stade : Stade Yves Allainmat"
    entities, _, _, _ = entities_of(nlp, text)
    assert not {e.name for e in entities} & {"Mercredi", "Horaires"}


def test_who_comes_along_shares_the_organisation(nlp):
    text = ("J’ai rencontré Simon le CEO de Zorbalix, en compagnie du jeune Dimitri (sales man) sur leur stand. "
            "Marie Dubois, fondatrice de Kelvanor, accompagnée de son associé Paul Martin, a présenté le projet. "
            "Jean Dupont, DG de Bravium, avec Luc Petit, a débattu.")
    _, _, roles, names = entities_of(nlp, text)
    found = {(names[r.entity_id].name, r.role, r.organisation) for r in roles}
    assert {("Dimitri", "sales man", "Zorbalix"), ("Paul Martin", "associé", "Kelvanor")} <= found
    assert not [f for f in found if f[0] == "Luc Petit"]  # "avec" alone says nothing of his employer


def test_two_institutions_joined_by_et_stay_two_and_a_trailing_day_is_cut(nlp):
    text = "L'OFAG jeudi a publié une liste. Le Conseil d’Etat et de la Cour de cassation ont statué."
    entities, _, _, _ = entities_of(nlp, text)
    assert {"OFAG", "Conseil d’Etat", "Cour de cassation"} <= {e.name for e in entities}
    assert not [e.name for e in entities if " et " in e.name or e.name.endswith("jeudi")]


def test_descriptive_institution_name_takes_its_second_half_after_et(nlp):
    entities, *_ = entities_of(nlp, "La limite fixée par l'Office fédéral de la sécurité alimentaire et des affaires "
                                    "vétérinaires est dépassée dans quelques cas.")
    assert [(e.name, e.type) for e in entities] == [
        ("Office fédéral de la sécurité alimentaire et des affaires vétérinaires", "ORG")]


def test_institution_followed_by_a_place_is_one_organisation(nlp):
    entities, *_ = entities_of(nlp, "Le Centre Hospitalier de la Côte Basque lance un appel aux dons.")
    assert ("Centre Hospitalier de la Côte Basque", "ORG") in {(e.name, e.type) for e in entities}
    assert "Centre Hospitalier" not in {e.name for e in entities}


def test_acronyms_are_organisations_unless_they_name_places(nlp):
    entities, *_ = entities_of(nlp, "La BRH a mis des dollars à disposition, comme aux USA.")
    types = {e.name: e.type for e in entities}
    assert types.get("BRH") == "ORG"
    assert types.get("USA", "LOC") == "LOC"


def test_a_name_defined_with_an_acronym_is_an_organisation(nlp):
    entities, *_ = entities_of(nlp, "Selon les estimations de la WCF (Wild Chimpanzés Fundation) qui remontent "
                                    "en 2004, il restait 200 éléphants.")
    assert ("Wild Chimpanzés Fundation", "ORG") in {(e.name, e.type) for e in entities}


def test_acronym_and_name_defined_with_a_determiner_merge(nlp):
    entities, mentions, _, names = entities_of(
        nlp, "Comme l’a souligné l’Arcep (l’Autorité de régulation des communications électroniques et des "
             "postes), sollicitée pour avis, le réseau tient.")
    orgs = [e for e in entities if e.type == "ORG"]
    assert [e.name for e in orgs] == ["Autorité de régulation des communications électroniques et des postes"]
    assert {m.surface for m in mentions if m.entity_id == orgs[0].entity_id} >= {"Arcep"}


def test_known_acronym_and_its_name_are_one_organisation_in_a_post(nlp):
    entities, mentions, _, names = entities_of(
        nlp, "Olaf Brenner, chef humanitaire des Nations unies, a parlé mardi. L'ONU demande un cessez-le-feu.")
    orgs = [e for e in entities if e.type == "ORG"]
    assert [e.name for e in orgs] == ["Nations unies"]
    assert {m.surface for m in mentions if names[m.entity_id].type == "ORG"} == {"Nations unies", "ONU"}


def test_a_name_and_the_same_name_with_its_place_are_one_organisation(nlp):
    entities, *_ = entities_of(nlp, "L’université Paris-8 a fermé ses portes. Les étudiants de l’université "
                                    "Paris-8 de Saint-Denis manifestent.")
    assert [e.name for e in entities if e.type == "ORG"] == ["université Paris-8 de Saint-Denis"]


def test_a_ministers_portfolio_belongs_to_the_role_not_to_the_organisations(nlp):
    text = ("Au printemps 2019, Gaston Lebrun fut ministre de la Cohésion des territoires. Fin 2019, le ministre "
            "des Comptes publics est accusé. Hervé Castagne, ancien ministre de la Justice et trésorier du Modem, "
            "est mis en examen. Odile Barrault, ministre des Sports, a démissionné.")
    entities, _, roles, names = entities_of(nlp, text)
    assert {e.name for e in entities if e.type != "PERSON"} == {"Modem"}
    assert {(names[r.entity_id].name, r.role, r.organisation) for r in roles} >= {
        ("Hervé Castagne", "ancien ministre de la Justice et trésorier du Modem", "Modem"),
        ("Odile Barrault", "ministre des Sports", None)}


@pytest.mark.parametrize(("text", "name"), [
    ("La caisse a été lancée par Vexa-CFDT, mais cogérée avec d'autres.", "Vexa-CFDT"),
    ("Tout est prêt, a déclaré son porte-parole à Orvalis-ATS. Le canton suit.", "Orvalis-ATS"),
])
def test_a_name_with_a_hyphenated_acronym_is_an_organisation(nlp, text, name):
    entities, *_ = entities_of(nlp, text)
    assert (name, "ORG") in {(e.name, e.type) for e in entities}


def test_an_institution_takes_its_adjective(nlp):
    entities, *_ = entities_of(nlp, "Le Conseil constitutionnel a tranché.")
    assert [(e.name, e.type) for e in entities] == [("Conseil constitutionnel", "ORG")]


def test_a_first_name_before_a_role_apposition_is_a_person(nlp):
    entities, _, roles, names = entities_of(nlp, "« Il faut agir », glisse Yasmina, étudiante en lettres modernes.")
    assert ("Yasmina", "PERSON") in {(e.name, e.type) for e in entities}
    assert [(names[r.entity_id].name, r.role) for r in roles] == [("Yasmina", "étudiante en lettres modernes")]


@pytest.mark.parametrize(("text", "heading"), [
    ("Le dossier est clos.\nBonus\nMarc Dupuis\nLe député a démissionné en mai.", "Bonus"),
    ("Le collectif a publié un communiqué.\nSource : Page Facebook du collectif\nMots-clés", "Source"),
    ("Fin du match.\nEffectifs\nFormation\nLe coach a parlé.", "Effectifs"),
])
def test_a_word_of_the_language_alone_at_the_head_of_a_line_is_no_name(nlp, text, heading):
    entities, *_ = entities_of(nlp, text)
    assert heading not in {e.name for e in entities}


def test_an_acronym_of_a_common_noun_is_no_organisation(nlp):
    entities, *_ = entities_of(nlp, "Les étudiants ont voté en AG puis le JT de France 2 a montré la CGT.")
    names = {e.name for e in entities}
    assert not {"AG", "JT"} & names and "CGT" in names


@pytest.mark.parametrize("text", [
    "Il y a des réfugiés. Surpeuplé, le site abrite dix mille personnes.",
    "Intrigués par ce cas, des chercheurs ont enquêté.",
])
def test_a_common_word_opening_a_sentence_is_no_name(nlp, text):
    entities, *_ = entities_of(nlp, text)
    assert not entities


def test_a_title_stays_out_of_a_name_found_before_a_role(nlp):
    entities, _, roles, names = entities_of(nlp, "Hier, Mme Lefranc, ménagère à Cancale, a porté plainte.")
    assert "Lefranc" in {e.name for e in entities if e.type == "PERSON"}
    assert ("Lefranc", "ménagère à Cancale") in {(names[r.entity_id].name, r.role) for r in roles}


def test_a_name_part_is_no_common_word_nor_another_entitys_name(nlp):
    doc = nlp("Marine Lefort a présenté le plan. La Marine nationale a salué Lefort.")
    doc.ents = [doc.char_span(0, len("Marine Lefort"), label="PER")]
    _, mentions, _ = extract_entities(doc)
    assert [m.surface for m in mentions] == ["Marine Lefort", "Lefort"]


def test_a_surname_with_an_apostrophe_particle_stays_whole(nlp):
    doc = nlp("Anne d'Aubray a présenté le plan.")
    doc.ents = [doc.char_span(0, len("Anne d'Aubray"), label="PER")]
    entities, _, _ = extract_entities(doc)
    assert [e.name for e in entities] == ["Anne d'Aubray"]
