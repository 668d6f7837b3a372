"""Where French names the source of a quote: the frames around a quotation, read from the parse.

Each finder is one construction of reported speech and returns at most one `Cue`: the phrase
that stands for the source (its head token and span) and the word that ties it to the quote.
None of them decides who spoke: a cue's phrase may be a name, a pronoun, a title ("le
maire") or an organisation ("la préfecture de la Gironde"); `tasks.speech.referents` says what it
stands for and `tasks.speech.speaker_ranker` weighs the cues, with weights learned on the gold.
  incise, inner, closing: after the quote or inside its marks (`tasks.speech.incise_frames`)
  cue         Le maire a expliqué que « … » / Comme l'explique Paul Roy, « … »: the last
              verb of saying before the quote in its sentence, and its subject
  according   selon X / d'après X / pour X, … / aux yeux de X / à ses yeux in the quote's sentence
  colon       Paul Roy, maire de Cahors : « … »: a phrase without a verb before a colon
  announced   the quote opens its sentence and the one before ends with ":" (a cue or a colon there)
  introduced  a line of dialogue after a paragraph that ends with ":": the subject of its first verb
  before      the quote opens its sentence and the one before has a verb of saying and its subject
  signed      an embedded post signed on the next line: "— Anne Roy (@anneroy) 3 mars 2024"
Not frames, measured as harmful by cross-validation (docs/speakers.md): the subject of the
clause a quote sits in without a verb of saying, or of the clause a colon ends within the
quote's paragraph ("introduced" is the same clause ending a paragraph before a line of dialogue).
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from schemas import Quote
from tasks.speech.attribution_context import Passage
from tasks.speech.clause_roles import (
    NOMINAL, RELATIVE, inverted_subject, name_before, outermost_saying, phrase_span, subject_of, voice,
)
from tasks.speech.cues import Cue, cue_at
from tasks.speech.incise_frames import closing, incise, inner_incise
from tasks.speech.speech_lexicon import is_saying

_ACCORDING = {"selon", "d'après", "d’après", "according"}
_CONJUNCTION = re.compile(r"(?:^|\s)(?:mais|et|or|donc|car|puis|ainsi|alors)$", re.I)
_SIGNED = re.compile(r"[\s»”\"]*\n\s*[—–-]\s*(?P<name>[^\n(@]{2,60}?)\s*\(@\w{1,30}\)")


def find_cues(p: Passage, quote: Quote) -> list[Cue]:
    """Every frame that points to a source for `quote`."""
    after = incise(p, quote)
    direct = [after or closing(p, quote), inner_incise(p, quote), cue_before(p, quote), according(p, quote),
              colon(p, quote), signature(p, quote)]
    direct = [c for c in direct if c is not None]
    # the sentence before speaks for the quote only when the quote's own sentence names no source
    before = None if direct else announced(p, quote)
    return direct + ([before] if before is not None else [])


# ---------------------------------------------------------------- before the quote

def cue_before(p: Passage, quote: Quote, until: int | None = None, frame: str = "cue") -> Cue | None:
    """The last verb of saying before the quote in its sentence, and its subject."""
    index = p.sentence_of(quote.char_start) if until is None else p.sentence_of(until - 1)
    start = p.sentences[index][0]
    until = quote.char_start - 1 if until is None else until
    tokens = p.tokens_between(start, until)
    for position, token in enumerate(reversed(tokens)):
        if not is_saying(token):
            continue
        verb = outermost_saying(token)
        subject = subject_of(verb, allowed=lambda t: not p.in_quote(t.idx))
        if subject is None or subject.lower_ in RELATIVE:
            subject = name_before(p, verb, start) or inverted_subject(p, verb, until)
        if subject is None or p.in_quote(subject.idx):
            return None
        return cue_at(p, frame, voice(p, subject, verb) or subject, verb, position)
    return None


def according(p: Passage, quote: Quote) -> Cue | None:
    """selon X, d'après X, aux yeux de X, or "pour X," in the quote's sentence (outside quotes)."""
    a, b = p.sentences[p.sentence_of(quote.char_start)]
    best = None
    for token in p.tokens_between(a, b):
        word = token.lower_
        if word == "après" and token.i and p.doc[token.i - 1].lower_ in ("d'", "d’"):
            word = "d'après"
        yeux = word == "yeux" and token.i and p.doc[token.i - 1].lower_ in ("aux", "ses", "leurs")
        if word not in _ACCORDING and word != "pour" and not yeux:
            continue
        head = p.doc[token.i - 1] if yeux and p.doc[token.i - 1].lower_ != "aux" else _object_of(p, token, yeux)
        if head is None or p.in_quote(head.idx) or head.pos_ not in NOMINAL and head.lower_ not in ("ses", "leurs"):
            continue
        if word == "pour" and not _pour_frames(p, token, head):
            continue
        distance = abs(token.i - (p.token_at(quote.char_start).i if p.token_at(quote.char_start) else token.i))
        cue = cue_at(p, "according", head, token, distance)
        if best is None or cue.distance < best.distance:
            best = cue
    return best


def _object_of(p: Passage, token: Token, yeux: bool) -> Token | None:
    if yeux:  # aux yeux de X
        return next((c for c in token.children if c.dep_ == "nmod"), None)
    if token.dep_ in ("case", "fixed", "mark") and token.head.i > token.i:
        return token.head
    following = token.nbor() if token.i + 1 < len(p.doc) else None
    while following is not None and following.pos_ == "DET":
        following = following.nbor() if following.i + 1 < len(p.doc) else None
    return following


def _pour_frames(p: Passage, token: Token, head: Token) -> bool:
    """ "Pour X, …" opens its clause and closes with a comma or a colon: a point of view, not a goal."""
    end = phrase_span(head)[1]
    named = p.named_covering(head.idx, head.idx + len(head))
    end = max(end, named.end) if named else end
    after = p.body[end:end + 2].lstrip()
    before = p.body[max(0, token.idx - 8):token.idx].strip()
    opens = not before or before[-1:] in (",", ".", "»", "”", ":", "\n") or _CONJUNCTION.search(before)
    return after[:1] in (",", ":") and bool(opens)


def colon(p: Passage, quote: Quote) -> Cue | None:
    """Paul Roy, maire de Cahors : « … »: a phrase with no verb of its own right before a colon."""
    window = max(quote.char_start - 400, 0)  # _verbless reads 14 words at most
    before = p.body[window:max(quote.char_start - 1, 0)].rstrip(" \u00a0\u202f«“\"‹")
    if not before.endswith(":"):
        return None
    line = window + before.rfind("\n") + 1
    start = max(p.sentences[p.sentence_of(quote.char_start)][0], line)
    return _verbless(p, start, window + len(before) - 1, "colon")


def _verbless(p: Passage, start: int, colon_at: int, frame: str) -> Cue | None:
    """The head of a phrase with no finite verb between `start` and a colon ("Paul Roy, maire :")."""
    tokens = [t for t in p.tokens_between(start, colon_at) if not t.is_punct]
    if not tokens or len(tokens) > 14 or any(t.pos_ in ("VERB", "AUX") and "Fin" in t.morph.get("VerbForm")
                                             for t in tokens):
        return None
    heads = [t for t in tokens if t.pos_ in NOMINAL and (t.head.i < tokens[0].i or t.head.i > tokens[-1].i
                                                           or t.head == t or t.dep_ in ("nsubj", "ROOT"))]
    head = heads[0] if heads else next((t for t in tokens if t.pos_ in NOMINAL), None)
    return cue_at(p, frame, head, (colon_at, colon_at + 1), 0) if head is not None else None


def announced(p: Passage, quote: Quote) -> Cue | None:
    """The quote opens its sentence: the sentence before introduces it, with a colon ("Il ajoute :")
    or with a verb of saying ("comme le raconte Paul Roy, 32 ans. « … »")."""
    index = p.sentence_of(quote.char_start)
    start = p.sentences[index][0]
    if index == 0 or p.body[start:quote.char_start].strip(" «“\"‹—–-\n\u00a0\u202f"):
        return None
    a, b = p.sentences[index - 1]
    text = p.body[a:b].rstrip()
    end = a + len(text)
    if not text.endswith(":"):
        return cue_before(p, quote, until=end, frame="before")
    return cue_before(p, quote, until=end - 1, frame="announced") or _verbless(p, a, end - 1, "announced") \
        or _introduced(p, quote, a, end - 1)


def _introduced(p: Passage, quote: Quote, start: int, colon_at: int) -> Cue | None:
    """Paul sursauta en la voyant :⏎⏎— Tu es revenue ?: a paragraph that ends with a colon and a quote
    that opens the next one, a line of dialogue; its speaker is the subject of the clause the
    colon ends, whatever its verb. (Within one paragraph, "X a assisté au prêche : « … »", that
    subject is as often a third party: not a frame, docs/speakers.md.)"""
    if "\n" not in p.body[colon_at:quote.char_start]:
        return None
    tokens = p.tokens_between(start, colon_at)
    finite = [t for t in tokens if t.pos_ in ("VERB", "AUX") and "Fin" in t.morph.get("VerbForm")]
    # "Quand X entra, Paul sursauta :": not the verb of a clause a conjunction opens
    main = [t for t in finite if not any(c.dep_ == "mark" for c in t.children)]
    for verb in main[:1]:
        subject = subject_of(verb, allowed=lambda t: not p.in_quote(t.idx))
        if subject is None or subject.lower_ in RELATIVE:
            subject = name_before(p, verb, start)
        if subject is not None and subject.idx < verb.idx:
            return cue_at(p, "introduced", subject, verb, 0)
    return None


def signature(p: Passage, quote: Quote) -> Cue | None:
    """An embedded post whose next line signs it: "— Anne Roy (@anneroy) 3 mars 2024"."""
    match = _SIGNED.match(p.body, quote.char_end)
    head = p.token_at(match.start("name")) if match else None
    if head is None:
        return None
    return Cue("signed", head.i, match.start("name"), match.end("name"), (match.start(), match.end("name")), 0)
