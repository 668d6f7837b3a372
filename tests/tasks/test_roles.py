"""Roles from the parse: one invented French sentence per rule (spaCy fr_core_news_md, once per session)."""

import pytest

from tasks.names.entities import extract_entities
from tasks.names.role_lexicon import role_noun
from tasks.names.roles import find_roles, role_follows, role_head, role_nouns


def roles_of(nlp, text):
    """(person, role, organisation) of every role row, and the entities by type."""
    doc = nlp(text)
    entities, _, roles = extract_entities(doc)
    names = {e.entity_id: e for e in entities}
    rows = {(names[r.entity_id].name, r.role, r.organisation) for r in roles}
    assert all(text[r.char_start:r.char_end] for r in roles)
    return rows, {(e.name, e.type) for e in entities}


def test_find_roles_reads_an_apposition_after_the_name(nlp):
    rows, entities = roles_of(nlp, "Paul Martin, maire de Cahors, a inauguré la salle des fêtes.")
    assert rows == {("Paul Martin", "maire de Cahors", None)}
    assert ("Cahors", "ORG") not in entities  # a mayor's complement is a place


def test_find_roles_reads_a_long_apposition_whole(nlp):
    rows, _ = roles_of(nlp, "Selon Anne Roy, chargée de mission à la chambre de commerce, le projet avance.")
    assert [r for p, r, _ in rows if p == "Anne Roy"] == ["chargée de mission à la chambre de commerce"]


def test_find_roles_skips_the_age_before_an_occupation(nlp):
    rows, _ = roles_of(nlp, "Luc Moreau, 45 ans, commerçant, a porté plainte mardi.")
    assert ("Luc Moreau", "commerçant", None) in rows


def test_find_roles_makes_the_employer_an_organisation(nlp):
    rows, entities = roles_of(nlp, "Marc Lenoir, patron de Zorbalix, a refusé de répondre.")
    assert ("Marc Lenoir", "patron de Zorbalix", "Zorbalix") in rows
    assert ("Zorbalix", "ORG") in entities


def test_find_roles_reads_a_title_before_the_name_with_a_comma(nlp):
    rows, entities = roles_of(nlp, "Le ministre de la Santé, Jan Novák, a répondu aux questions des députés.")
    assert ("Jan Novák", "ministre de la Santé", None) in rows
    assert not [n for n, _ in entities if n == "Santé"]  # a portfolio, not an organisation


@pytest.mark.parametrize(("text", "person", "role"), [
    ("La toxicologue Anne Roy précise ce point.", "Anne Roy", "toxicologue"),
    ("Le président russe Ivan Petrov a confirmé la nouvelle.", "Ivan Petrov", "président russe"),
    ("Hier, le maire sortant Luc Girard a reconnu sa défaite.", "Luc Girard", "maire sortant"),
])
def test_find_roles_reads_a_title_right_before_the_name(nlp, text, person, role):
    rows, _ = roles_of(nlp, text)
    assert (person, role, None) in rows


def test_find_roles_keeps_an_unknown_complement_name_in_the_role(nlp):
    rows, _ = roles_of(nlp, "Erwan Kerjean, second du chalutier Ar Mor, raconte la tempête.")
    assert ("Erwan Kerjean", "second du chalutier Ar Mor") in {(p, r) for p, r, _ in rows}


def test_find_roles_leaves_a_first_name_the_model_split_off_out_of_the_title(nlp):
    text = "Permis refusé. L'actrice Maëlys Karvinen ne pourra pas s'établir à Genève."
    doc = nlp(text)
    first, last = text.index("Maëlys"), text.index("Karvinen")
    person = (last, last + len("Karvinen"))
    [finding] = find_roles(doc, [person], [(first, first + len("Maëlys"), "MISC"), (*person, "PERSON")])
    assert (finding.role, finding.organisation) == ("actrice", None)


def test_find_roles_takes_no_adjective_for_a_title(nlp):
    text = "Le ministre a visité le groupement militaire Orlan, déployé dans le nord."
    doc = nlp(text)
    start = text.index("Orlan")
    assert find_roles(doc, [(start, start + 5)], [(start, start + 5, "PERSON")]) == []


def test_find_roles_takes_an_acronym_of_the_name_itself_for_no_party(nlp):
    text = "L'ONG Terre et Mer Solidaires (TMS) salue la décision."
    doc = nlp(text)
    start, acronym = text.index("Mer"), text.index("TMS")
    spans = [(start, start + len("Mer Solidaires"), "PERSON"), (acronym, acronym + 3, "ORG")]
    assert find_roles(doc, [spans[0][:2]], spans) == []


def test_find_roles_makes_an_unknown_employer_an_organisation(nlp):
    rows, entities = roles_of(nlp, "Selon Anne Roy, porte-parole de Zorblatix, rien ne change.")
    assert ("Anne Roy", "porte-parole de Zorblatix", "Zorblatix") in rows
    assert ("Zorblatix", "ORG") in entities


def test_find_roles_cuts_the_title_at_the_next_name(nlp):
    rows, _ = roles_of(nlp, "Le procès opposant le boulanger Marc Petit au colonel Jean Durand a repris.")
    assert {(p, r) for p, r, _ in rows} == {("Marc Petit", "boulanger"), ("Jean Durand", "colonel")}


@pytest.mark.parametrize("text", [
    "Paul Martin est maire de Cahors.",
    "Paul Martin, qui est aussi maire de Cahors, a voté contre.",
])
def test_find_roles_reads_a_copula(nlp, text):
    rows, _ = roles_of(nlp, text)
    assert ("Paul Martin", "maire de Cahors", None) in rows


def test_find_roles_reads_a_nomination(nlp):
    rows, _ = roles_of(nlp, "Paul Martin a été nommé directeur de Zorbalix.")
    assert ("Paul Martin", "directeur de Zorbalix", "Zorbalix") in rows


def test_find_roles_ignores_a_negated_copula(nlp):
    rows, _ = roles_of(nlp, "Paul Martin n'est pas maire de Cahors.")
    assert not rows


def test_find_roles_reads_en_tant_que(nlp):
    rows, _ = roles_of(nlp, "En tant que présidente de l'association, Anne Roy a signé la lettre.")
    assert ("Anne Roy", "présidente de l'association", None) in rows


def test_find_roles_reads_a_party_in_parentheses(nlp):
    rows, entities = roles_of(nlp, "Marc Petit (PS) et Anne Roy (LR) ont voté contre le texte.")
    assert {("Marc Petit", None, "PS"), ("Anne Roy", None, "LR")} <= rows
    assert {("PS", "ORG"), ("LR", "ORG")} <= entities


def test_find_roles_reads_no_party_from_a_place_in_parentheses(nlp):
    rows, _ = roles_of(nlp, "Le député Marc Petit (Gard) a voté contre le texte.")
    assert not [r for r in rows if r[2]]


def test_find_roles_reads_each_link_of_a_chain(nlp):
    rows, _ = roles_of(nlp, "Pour Léa Fontanel, toxicologue, ancienne de l'Inserm, le risque reste faible.")
    assert {("Léa Fontanel", "toxicologue", None), ("Léa Fontanel", "ancienne de l'Inserm", "Inserm")} <= rows


def test_find_roles_reads_a_plural_title_in_the_singular(nlp):
    rows, _ = roles_of(nlp, "Ce soir, on reçoit les géologues Anne Roy et Paul Petit pour parler des séismes.")
    assert ("Anne Roy", "géologue", None) in rows


@pytest.mark.parametrize("text", [
    "Anne Roy, l'une des plus célèbres romancières suisses, publie un nouveau livre.",
    "L'une des plus célèbres romancières suisses, Anne Roy, publie un nouveau livre.",
])
def test_find_roles_reads_one_of_the(nlp, text):
    rows, _ = roles_of(nlp, text)
    assert ("Anne Roy", "romancière", None) in rows


def test_find_roles_gives_a_possessive_role_the_organisation_before_it(nlp):
    rows, _ = roles_of(nlp, "La CGT, par la voix de son secrétaire général Paul Martin, dénonce la réforme.")
    assert ("Paul Martin", "secrétaire général", "CGT") in rows


@pytest.mark.parametrize(("text", "role"), [
    ("La CGT, par la voix du responsable de ses actions juridiques, Paul Martin, dénonce la réforme.",
     "responsable des actions juridiques"),
    ("La CGT, par la voix du directeur de son cabinet, Paul Martin, dénonce la réforme.", "directeur du cabinet"),
    ("La CGT, par la voix de la cheffe de sa délégation, Anne Roy, dénonce la réforme.", "cheffe de la délégation"),
    ("La CGT, par la voix du chef de son équipe, Paul Martin, dénonce la réforme.", "chef de l'équipe"),
])
def test_a_possessive_inside_a_role_reads_with_the_article_once_its_organisation_is_known(nlp, text, role):
    rows, _ = roles_of(nlp, text)
    assert (text.split(", ")[-2], role, "CGT") in rows


@pytest.mark.parametrize("text", [
    "« C'est fini », juge Mme Roy devant la presse.",
    "Dans le cadre de la réforme, Paul Martin a signé un accord.",
    "Jean Boucher a longuement parlé avec Marc Berger.",
])
def test_find_roles_finds_no_role_where_none_is_stated(nlp, text):
    rows, _ = roles_of(nlp, text)
    assert not [r for r in rows if r[1]]


def test_find_roles_accepts_spans_without_labels(nlp):
    doc = nlp("Paul Martin, maire de Cahors, a inauguré la salle.")
    [finding] = find_roles(doc, [(0, 11)])
    assert (finding.role, finding.evidence) == ("maire de Cahors", (0, 28))


def test_role_nouns_is_a_general_lexicon():
    nouns = role_nouns()
    assert {"maire", "toxicologue", "porte-parole", "pdg", "secrétaire général", "imam"} <= nouns
    assert not {"fille", "homme", "ami"} & nouns


def test_a_role_reference_resolves_to_the_holder_of_a_role_with_adjectives(nlp):
    text = ("Le ministre russe de la Défense, Ivan Petrov, a visité le front. La Ministre a ensuite quitté la "
            "salle. Plus tard, le Ministre russe a parlé.")
    entities, mentions, _ = extract_entities(nlp(text))
    ivan = next(e.entity_id for e in entities if e.name == "Ivan Petrov")
    assert {m.surface for m in mentions if m.entity_id == ivan} == {"Ivan Petrov", "Ministre", "Ministre russe"}


@pytest.mark.parametrize(("role", "noun"), [
    ("ministre russe de la Défense", "ministre"), ("secrétaire générale de la CGT", "secrétaire générale"),
    ("ancien ministre de la Justice", None), ("ancienne de l'Inserm", None),
])
def test_role_noun_reads_the_head_of_a_role_phrase(role, noun):
    assert role_noun(role) == noun


@pytest.mark.parametrize(("text", "head"), [
    ("le président russe", "président"), ("Ministre Dupont", None), ("la ministre déléguée au Numérique",
                                                                     "ministre déléguée"),
    ("la toxicologue", "toxicologue"), ("le maire de Cahors", "maire"), ("Boucher", None), ("M. Mercier", None),
    ("toxicologue", None),
])
def test_role_head_needs_an_article_for_a_person_noun(text, head):
    assert role_head(text) == head


@pytest.mark.parametrize(("text", "follows"), [
    ("Yasmina, étudiante en lettres", True), ("Luc Moreau, 45 ans, commerçant", True),
    ("Anne Roy a chargé le ministre", False), ("Anne Roy, chargée de mission", True),
])
def test_role_follows_reads_the_next_words(text, follows):
    assert role_follows(text, text.index(next(w for w in ("Yasmina", "Moreau", "Roy") if w in text)) +
                        len(next(w for w in ("Yasmina", "Moreau", "Roy") if w in text))) == follows


@pytest.mark.parametrize("text", [
    "Me Paul Girard, qui défend l'entreprise, a demandé un renvoi.",
    "L'audience a été suspendue à la demande de Maître Anne Roy.",
])
def test_find_roles_reads_the_title_of_a_lawyer(nlp, text):
    rows, _ = roles_of(nlp, text)
    assert any(role == "avocat" for _, role, _ in rows)


def test_a_lawyer_title_gives_way_to_a_stated_role(nlp):
    rows, _ = roles_of(nlp, "Me Paul Girard, bâtonnier de Lyon, a pris la parole.")
    assert ("Paul Girard", "bâtonnier de Lyon", None) in rows
    assert not [r for _, r, _ in rows if r == "avocat"]


def test_find_roles_reads_a_party_before_the_name(nlp):
    rows, _ = roles_of(nlp, "Parmi les opposants figurent le RPF Luc Girard et la députée Anne Roy.")
    assert ("Luc Girard", None, "RPF") in rows


def test_a_role_the_parser_reads_as_a_passive_is_a_copula(nlp):
    rows, _ = roles_of(nlp, "Anne Roy est directrice de l'association Terre Vive depuis 2019.")
    assert ("Anne Roy", "directrice de l'association Terre Vive") in {(p, r) for p, r, _ in rows}


@pytest.mark.parametrize(("text", "organisation"), [
    ("Anne Roy, du collectif Terre Vive, a présenté l'étude.", "Terre Vive"),
    ("Anne Roy, qui préside l'association Terre Vive, a présenté l'étude.", "Terre Vive"),
    ("Anne Roy, de la CGT, a présenté l'étude.", "CGT"),
])
def test_an_affiliation_without_a_role_noun(nlp, text, organisation):
    rows, _ = roles_of(nlp, text)
    assert ("Anne Roy", None, organisation) in rows


def test_a_place_after_de_is_no_affiliation(nlp):
    rows, _ = roles_of(nlp, "Anne Roy, de Lyon, a présenté l'étude.")
    assert rows == set()
