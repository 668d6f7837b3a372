"""`parse_texts`: the model over bounded runs of text, long texts cut and joined back."""

import re

from hypothesis import given
from hypothesis import strategies as st

from tasks.names.nlp import KNOWN, _cut, parse_texts

PARAGRAPH = "Nicolas Dufourcq, DG de Bpifrance, a parlé à VivaTech. Le Monde était là.\n"


def test_one_doc_per_text_in_order_with_the_tokens_of_a_whole_parse(nlp):
    long = PARAGRAPH * 40  # about 3,000 characters: cut into parts of at most 500
    texts = ["", "Bonjour.", long, "Emmanuel Macron à Paris."]

    docs = list(parse_texts(nlp, texts, run_chars=500))

    assert [d.text for d in docs] == texts
    whole = nlp(long)
    assert [t.text for t in docs[2]] == [t.text for t in whole]
    assert [t.whitespace_ for t in docs[2]] == [t.whitespace_ for t in whole]
    # the annotations the entity and speaker rules read survive the join, and differ from a
    # whole parse only next to a cut
    assert docs[2].has_annotation("DEP") and docs[2].has_annotation("MORPH")
    same = sum((a.pos_, a.dep_, a.head.i, str(a.morph), a.ent_iob_) == (b.pos_, b.dep_, b.head.i, str(b.morph),
                                                                       b.ent_iob_) for a, b in zip(docs[2], whole))
    assert same >= 0.99 * len(whole)
    # every paragraph still starts a sentence, and the ruler's known names survive the join
    starts = {s.start_char for s in docs[2].sents}
    assert all(i in starts for i in range(0, len(long), len(PARAGRAPH)))
    known = [e.text for e in docs[2].ents if e.ent_id_ == KNOWN]
    assert known.count("Le Monde") == 40
    assert known == [e.text for e in whole.ents if e.ent_id_ == KNOWN]


def test_the_model_never_runs_over_more_than_the_limit_at_once(nlp, monkeypatch):
    runs = []
    pipe = nlp.pipe

    def spy(texts, **kwargs):
        texts = list(texts)
        runs.append(sum(map(len, texts)))
        return pipe(texts, **kwargs)

    monkeypatch.setattr(nlp, "pipe", spy)
    texts = [PARAGRAPH * n for n in (1, 2, 30, 1, 3, 12)]

    docs = list(parse_texts(nlp, texts, run_chars=600))

    assert [d.text for d in docs] == texts
    assert max(runs) <= 600
    assert sum(runs) == sum(map(len, texts))
    assert len(runs) < sum(len(_cut(t, 600)) for t in texts)  # short texts share runs


def test_an_overlong_paragraph_is_cut_at_sentence_ends_then_at_spaces():
    sentence = "Une phrase assez longue pour compter. "
    paragraph = sentence * 10
    assert _cut(paragraph, 100) == [sentence * 2] * 5
    initials = "Selon M. Dupont et J. K. Rowling, « Non. » a suffi. " * 4
    assert all(not part.startswith(("Dupont", "K.", "Rowling", "»")) for part in _cut(initials, 60))
    run_on = "mot " * 100
    assert _cut(run_on, 100) == ["mot " * 25] * 4
    word = "x" * 300
    assert _cut(word, 100) == [word]


@given(st.lists(st.sampled_from(["Mot", "fin.", " ", "\n", "\n\n", "« cité »", "Oui!", "  "]), max_size=200),
       st.integers(min_value=5, max_value=60))
def test_parts_join_back_to_the_text_and_are_cut_only_before_a_word(pieces, limit):
    text = "".join(pieces)

    parts = _cut(text, limit)

    assert "".join(parts) == text
    assert all(p and not p[0].isspace() for p in parts[1:])
    # a part over the limit is a single word: nowhere left to cut it
    assert all(len(p) <= limit or not re.search(r"\s\S", p) for p in parts)
    if len(text) <= limit:
        assert parts == [text]
