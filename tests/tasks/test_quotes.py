"""Tests for quotes.find_quotes: one test per quote shape, plus property tests."""
import pytest
from hypothesis import given, settings, strategies as st

from tasks.speech.quotes import QuoteSpan, find_quotes

NBSP, NNBSP = "\u00a0", "\u202f"


def speech(body):
    return [q.text for q in find_quotes(body) if q.kind == "speech"]


@pytest.mark.parametrize("sp", [" ", NBSP, NNBSP, ""])
def test_guillemets_any_spacing(sp):
    body = f"Le ministre a déclaré :{sp}«{sp}Nous irons jusqu’au bout{sp}»{sp}, hier."
    [q] = find_quotes(body)
    assert (q.text, q.open_mark, q.close_mark, q.kind) == ("Nous irons jusqu’au bout", "«", "»", "speech")
    assert body[q.char_start:q.char_end] == q.text


def test_nested_guillemets_are_one_quote():
    body = "Elle ajoute : « il m’a dit « non » puis il est parti ». Fin."
    assert speech(body) == ["il m’a dit « non » puis il est parti"]


def test_missing_closer_ends_at_paragraph_end():
    body = "Il a déclaré : « nous irons jusqu’au bout.\nLe paragraphe suivant n’est pas cité."
    [q] = find_quotes(body)
    assert q.text == "nous irons jusqu’au bout." and q.close_mark is None


def test_missing_closer_ends_before_incise():
    body = "« Nous irons jusqu’au bout, explique Jean Dupont. Puis il repart vers Lyon."
    assert speech(body) == ["Nous irons jusqu’au bout"]


def test_inner_closer_closes_both_quotes():
    # seed 000: the outer « is never closed; the speech ends at the inner » before the incise
    body = ("L’IA pourrait « limiter le gaspillage, en nous permettant de « rendre la production "
            "plus mobile », explique Audrey Bourolleau. Il y a « un appel à tout secteur ».")
    assert speech(body) == ["limiter le gaspillage, en nous permettant de « rendre la production plus mobile",
                            "un appel à tout secteur"]
    body = "un « grand plan qui vise toutes les portes, des « fermes » aux « PME ». Le but : « agir »."
    assert speech(body) == ["grand plan qui vise toutes les portes, des « fermes » aux « PME", "agir"]


def test_opening_guillemet_used_as_closer():
    # seed 002
    body = ("sa mission est de « gravir deux sommets et mettre toute notre énergie et nos convictions« , "
            "me déclare-t-il. Chez Yann, « tout est basé sur des modèles, en réalité…« ).")
    assert speech(body) == ["gravir deux sommets et mettre toute notre énergie et nos convictions",
                            "tout est basé sur des modèles, en réalité…"]


def test_reversed_guillemets():
    body = ("Me Béavogui estime qu’elle peut être truquée. » Pourquoi c’est à la dernière minute ? « , "
            "s’est interrogé l’avocat. La partie civile a répondu par » je ne sais pas « .")
    assert speech(body) == ["Pourquoi c’est à la dernière minute ?", "je ne sais pas"]


def test_multi_paragraph_quote_reopened_at_each_paragraph():
    body = "Il raconte : « Le premier jour fut dur.\n« Le second fut pire. »\nFin du récit."
    first, second = find_quotes(body)
    assert (first.text, first.close_mark, first.continues_previous) == ("Le premier jour fut dur.", None, False)
    assert (second.text, second.close_mark, second.continues_previous) == ("Le second fut pire.", "»", True)
    assert second.paragraph == 1


def test_curly_double_quotes():
    body = "“Pendant la guerre, c’était hallucinant”, se remémore Rory Jones. Il décrit “un immense réseau”."
    assert speech(body) == ["Pendant la guerre, c’était hallucinant", "un immense réseau"]


def test_straight_quotes_pair_within_a_paragraph():
    body = ('"Si la pêche était arrêtée, nous serions au chômage", déclare-t-il. Elle est "intenable”.\n'
            'Un écran de 12" seulement.\nIl répond "non".')
    assert speech(body) == ["Si la pêche était arrêtée, nous serions au chômage", "intenable", "non"]


def test_single_guillemets():
    body = "Il lance ‹ nous reviendrons › avant de partir. Accueil › Monde › Afrique"
    assert speech(body) == ["nous reviendrons"]


def test_dialogue_dashes():
    body = ("— Bonjour, dit-il.\n— Entrez donc ! Il fait froid, répondit-elle, et fermez la porte.\n"
            "- un élément de liste\nIl entra.")
    assert speech(body) == ["Bonjour", "Entrez donc ! Il fait froid, répondit-elle, et fermez la porte."]
    assert all(q.open_mark == "—" and q.is_block for q in find_quotes(body))


def test_inline_dialogue_turns():
    body = "Elle lui dit : — Ce n’est rien. — Vraiment ? s’écria Valérie. — Oui."
    assert speech(body) == ["Ce n’est rien.", "Vraiment ?", "Oui."]


def test_quote_split_by_incise_is_one_quote():
    body = "« Nous irons, a-t-il dit, jusqu’au bout », conclut le ministre."
    assert speech(body) == ["Nous irons, a-t-il dit, jusqu’au bout"]


def test_stray_closer_starts_after_previous_quote():
    body = ("Il salue les efforts : « Merci à toutes les autorités. » Pour moi, poursuit-il, "
            "c’est une réelle satisfaction ».")
    assert speech(body) == ["Merci à toutes les autorités.", "Pour moi, poursuit-il, c’est une réelle satisfaction"]


def test_terms_versus_short_speech():
    body = ("C’est la vision « small data » de la société. Un missile baptisé « Orechnik ». "
            "Le baromètre Elabe pour « Les Echos ». Clara Chapaz nous invite à « Oser l’IA ». "
            "Elle se dit « vraiment confiante ». La situation est « intenable ».\n« Désaccord total »\n"
            "Sung Il-kwon, « En Corée, la politique du rayon de soleil », Le Monde diplomatique, juin 2018.")
    kinds = {q.text: q.kind for q in find_quotes(body)}
    assert kinds == {"small data": "term", "Orechnik": "term", "Les Echos": "term", "Oser l’IA": "speech",
                     "vraiment confiante": "speech", "intenable": "speech", "Désaccord total": "term",
                     "En Corée, la politique du rayon de soleil": "term"}


def test_embedded_tweet_is_a_block_quote():
    body = ("Un long paragraphe d’introduction qui parle de la crise sanitaire. " * 6 + "\n"
            "⚠️ #COVID19 | La prise d’anti-inflammatoires pourrait aggraver l’infection.\n"
            "Demandez conseil à votre médecin.\n"
            "— Olivier Véran (@olivierveran) March 14, 2020\nSuite de l’article.")
    [q] = find_quotes(body)
    assert q.is_block and q.text.startswith("#COVID19") and q.text.endswith("médecin.")


def test_hard_line_break_inside_a_quote():
    body = "Le procureur affirme qu’il n’est « pas possible d’établir un lien entre le jet d’une\ngrenade et le décès »."
    assert speech(body) == ["pas possible d’établir un lien entre le jet d’une\ngrenade et le décès"]


def test_empty_and_markless_bodies():
    assert find_quotes("") == [] and find_quotes("Aucune citation ici.\n\n") == []


ALPHABET = st.sampled_from(list("«»‹›“”„\"'’ \u00a0\u202f\n—–-,.:;!?…()aAéz0") + [
    "dit-il", " explique Jean", "Nous", " a-t-elle dit", "«\u00a0", "\u00a0»", "(@x) March 1, 2020"])


@settings(max_examples=400, deadline=None)
@given(st.lists(ALPHABET, max_size=80).map("".join))
def test_spans_are_exact_slices_and_never_raise(body):
    spans = find_quotes(body)
    for q in spans:
        assert isinstance(q, QuoteSpan)
        assert 0 <= q.char_start < q.char_end <= len(body)
        assert body[q.char_start:q.char_end] == q.text
        assert q.text == q.text.strip(" \t\n\u00a0\u202f")
        assert q.kind in ("speech", "term")
    assert [q.char_start for q in spans] == sorted(q.char_start for q in spans)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_unicode_never_raises(body):
    for q in find_quotes(body):
        assert body[q.char_start:q.char_end] == q.text


def test_an_embedded_post_that_opens_with_a_mark_leaves_the_paragraph_before_it():
    body = ("Le salon a refermé ses portes dimanche soir.\n\n« Trois jours incroyables, merci à tous ! »\n"
            "— Julien Moreau (@jmoreau) 14 avril 2024")
    [quote] = [q for q in find_quotes(body) if q.kind == "speech"]
    assert quote.text.startswith("Trois jours incroyables")
