"""Where French names the source of a quote: the frames around a quotation, read from the parse.

Each finder is one construction of reported speech and returns at most one `Cue`: the phrase
that stands for the source (its head token and span) and the word that ties it to the quote.
None of them decides who spoke: a cue's phrase may be a name, a pronoun, a title ("le
maire") or an organisation ("la préfecture de la Gironde"); `tasks.speech.referents` says what it
stands for and `tasks.speech.speaker_ranker` weighs the cues, with weights learned on the gold.
  incise      « … », estime la préfecture / a-t-il dit / c'est ainsi qu'elle a résumé
  inner       « Nous irons, a-t-il dit, jusqu'au bout »: an incise inside the marks
  closing     La ville « manque » de médecins, a déclaré le maire: an incise closing the sentence
  cue         Le maire a expliqué que « … » / Comme l'explique Paul Roy, « … »: the last
              verb of saying before the quote in its sentence, and its subject
  according   selon X / d'après X / pour X, … / aux yeux de X / à ses yeux in the quote's sentence
  colon       Paul Roy, maire de Cahors : « … »: a phrase without a verb before a colon
  announced   the quote opens its sentence and the one before ends with ":" (a cue or a colon there)
  before      the quote opens its sentence and the one before has a verb of saying and its subject
  signed      an embedded post signed on the next line: "— Anne Roy (@anneroy) 3 mars 2024"
Not frames, measured as harmful by cross-validation (docs/speakers.md): the subject of the
clause a quote sits in without a verb of saying, or of the clause a colon ends.
The parser reads an inverted subject as an object (« … », déclare le maire: "maire" is obj),
so after a verb of saying the first noun phrase that is not a prepositional phrase is taken.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from spacy.tokens import Token

from schemas import Quote
from tasks.speech.attribution_context import Passage
from tasks.speech.clause_roles import (
    NOMINAL, RELATIVE, inverted_subject, name_before, outermost_saying, phrase_span, subject_of, voice,
)
from tasks.speech.speech_lexicon import is_saying

_ACCORDING = {"selon", "d'après", "d’après", "according"}
_PARENTHESIS = re.compile(r"[\s»”\"›]*\([^()\n]{1,200}\)")
_CONJUNCTION = re.compile(r"(?:^|\s)(?:mais|et|or|donc|car|puis|ainsi|alors)$", re.I)
_NEW_CLAUSE = {"quand", "lorsque", "lorsqu'", "lorsqu’", "alors", "tandis", "si", "car", "mais", "puis", "où",
               "dont", "parce", "pendant", "avant", "après", "pour", "afin"}
_SIGNED = re.compile(r"[\s»”\"]*\n\s*[—–-]\s*(?P<name>[^\n(@]{2,60}?)\s*\(@\w{1,30}\)")
_INCISE_REACH = 12  # tokens after a quote where its incise verb may stand
_CLOSING_REACH = 40  # tokens before a sentence's end where a closing incise may stand


@dataclass(frozen=True)
class Cue:
    """A phrase that may stand for a quote's source, and the construction that points to it."""

    frame: str
    head: int  # token index of the phrase's head
    start: int  # character span of the phrase
    end: int
    marker: tuple[int, int]  # character span of the verb of saying, preposition or colon
    distance: int  # tokens between the quote and the marker


def find_cues(p: Passage, quote: Quote) -> list[Cue]:
    """Every frame that points to a source for `quote`."""
    after = incise(p, quote)
    direct = [after or closing(p, quote), inner_incise(p, quote), cue_before(p, quote), according(p, quote),
              colon(p, quote), signature(p, quote)]
    direct = [c for c in direct if c is not None]
    # the sentence before speaks for the quote only when the quote's own sentence names no source
    before = None if direct else announced(p, quote)
    return direct + ([before] if before is not None else [])


# ---------------------------------------------------------------- phrases

def _cue(p: Passage, frame: str, head: Token, marker: Token | tuple[int, int], distance: int) -> Cue:
    start, end = phrase_span(head)
    named = p.named_covering(head.idx, head.idx + len(head))
    if named is not None:  # the parser may cut a name it does not know ("Pour Ana Ruiz Gómez, …")
        start, end = min(start, named.start), max(end, named.end)
    span = marker if isinstance(marker, tuple) else (marker.idx, marker.idx + len(marker))
    if start < span[0] < end:  # "La Ministre insiste": a verb the parser hung under its subject
        end = len(p.body[:span[0]].rstrip())
    return Cue(frame, head.i, start, end, span, distance)


# ---------------------------------------------------------------- after the quote

def incise(p: Passage, quote: Quote) -> Cue | None:
    """The first verb of saying after the quote in its sentence, and who it says spoke."""
    after = quote.char_end + (1 if quote.close_mark else 0)
    sentence_end = p.sentences[p.sentence_of(after)][1]
    gloss = _PARENTHESIS.match(p.body, after)  # « Errare humanum est » (l'erreur est humaine), lance X
    if gloss:
        after = gloss.end()
    head = p.body[after:after + 3].lstrip(" \u00a0\u202f»”\"›")
    punctuated = head[:1] in (",", "!", "?", "…", ")") or quote.text.rstrip()[-1:] in ("!", "?", "…", ",")
    token, seen = p.token_at(after), 0
    last = token.i + 20 * _INCISE_REACH if token is not None else 0  # past a few more quotes: bounded work
    while token is not None and token.idx < sentence_end and seen < _INCISE_REACH and token.i < last:
        if p.in_quote(token.idx):
            pass  # « A », « B », explique X: an incise may follow a second quote
        elif token.text in (".", ";", ":") or "\n" in token.whitespace_ or token.lower_ in ("où", "dont", "qui") \
                or seen == 0 and token.lower_ in _NEW_CLAUSE:
            return None  # "« A », quand le Qatar dénonçait…", "« A », un domaine où…": another clause
        elif is_saying(token) and (punctuated or seen <= 1):
            return _incise_source(p, token, after, sentence_end, seen)
        elif token.lower_ in ("lire", "lit", "entendre") and punctuated:
            return _read_in(p, token, seen)
        elif not token.is_punct:
            seen += 1
        token = token.nbor() if token.i + 1 < len(p.doc) else None
    return None


def closing(p: Passage, quote: Quote) -> Cue | None:
    """La ville « manque » de médecins, a déclaré le maire: a verb of saying right after a comma of
    the quote's sentence (past an auxiliary and clitics), with its subject after it, introducing
    nothing ("que", another quote) after it. Only the sentence's last _CLOSING_REACH tokens are read."""
    b = p.sentences[p.sentence_of(quote.char_start)][1]
    first, last = bisect_left(p.token_starts, quote.char_end), bisect_left(p.token_starts, b)
    tail = [t for t in p.doc[max(first, last - _CLOSING_REACH):last] if not p.in_quote(t.idx)]
    for k in range(len(tail) - 1, -1, -1):
        if tail[k].text != ",":
            continue
        rest = tail[k + 1:k + 5]
        verb = next((t for t in rest if is_saying(t)), None)
        if verb is None or any(t.pos_ not in ("AUX", "ADV", "PRON") or t.lower_ in RELATIVE
                               for t in rest[:rest.index(verb)]):
            continue  # ", qui a ajouté": a relative clause, not an incise
        if p.next_quote_start(quote.char_end) < tail[k].idx:
            return None  # « A » et Anne Roy répond : « B », a-t-elle dit: the incise is B's
        clause = []
        for t in tail[tail.index(verb):]:
            if t.text == ",":
                break
            clause.append(t)
        if any(t.lower_ in ("que", "qu'", "qu’", "si") for t in clause) or \
                p.next_quote_start(verb.idx) < (clause[-1].idx if clause else verb.idx):
            return None  # ", a déclaré Anne Roy que…": the verb introduces something else
        return _incise_source(p, verb, tail[k + 1].idx, b, verb.i - first, "closing")
    return None


def _incise_source(p: Passage, verb: Token, after: int, until: int, distance: int, frame: str = "incise"
                   ) -> Cue | None:
    clitic = next((t for t in p.doc[max(verb.i - 3, 0):verb.i + 3]
                   if t.lower_ in ("-il", "-elle", "-ils", "-elles", "-on") and t.idx >= after), None)
    # an incise's subject stands after the quote: « … », explique X / « … », X a-t-il dit
    subject = clitic or subject_of(verb, allowed=lambda t: t.idx >= after and not p.in_quote(t.idx))
    if subject is None:
        subject = inverted_subject(p, verb, until)
    if subject is None:
        return None
    return _cue(p, frame, subject, verb, distance)


def _read_in(p: Passage, verb: Token, distance: int) -> Cue | None:
    """ "« … », peut-on lire dans Le Monde": the publication is the source."""
    if not any(t.lower_ == "-on" for t in p.doc[max(verb.i - 3, 0):verb.i]):
        return None
    source = next((c for c in verb.children if any(k.lower_ in ("dans", "sur", "chez") for k in c.children)), None)
    on = next(t for t in p.doc[max(verb.i - 3, 0):verb.i] if t.lower_ == "-on")
    return _cue(p, "incise", source or on, verb, distance)


def inner_incise(p: Passage, quote: Quote) -> Cue | None:
    """« Nous irons, a-t-il dit, jusqu'au bout »: a verb of saying between commas inside the marks,
    with a pronoun clitic or a subject right after it."""
    for m in re.finditer(r"[,;]\s+", quote.text):
        start = quote.char_start + m.end()
        words = p.doc.char_span(start, min(quote.char_end, start + 60), alignment_mode="expand")
        if words is None:
            continue
        tokens = [t for t in words if not t.is_punct][:4]
        verb = next((t for t in tokens if is_saying(t)), None)
        if verb is None or tokens.index(verb) > 3:
            continue
        following = p.doc[verb.i + 1:verb.i + 8]
        if not any(t.text in (",", ".", ";", "!", "?", "»", "”") or t.is_sent_end for t in following):
            continue
        clitic = next((t for t in p.doc[max(verb.i - 2, 0):verb.i + 3]
                       if t.lower_ in ("-il", "-elle", "-ils", "-elles")), None)
        subject = clitic or next((t for t in following if t.pos_ in ("PROPN", "NOUN") and t.dep_ != "obl:mod"
                                  and not any(c.dep_ == "case" for c in t.children)), None)
        if subject is not None:
            return _cue(p, "inner", subject, verb, 0)
    return None


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
        return _cue(p, frame, voice(p, subject, verb) or subject, verb, position)
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
        cue = _cue(p, "according", head, token, distance)
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
    return _cue(p, frame, head, (colon_at, colon_at + 1), 0) if head is not None else None


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
    return cue_before(p, quote, until=end - 1, frame="announced") or _verbless(p, a, end - 1, "announced")


def signature(p: Passage, quote: Quote) -> Cue | None:
    """An embedded post whose next line signs it: "— Anne Roy (@anneroy) 3 mars 2024"."""
    match = _SIGNED.match(p.body, quote.char_end)
    head = p.token_at(match.start("name")) if match else None
    if head is None:
        return None
    return Cue("signed", head.i, match.start("name"), match.end("name"), (match.start(), match.end("name")), 0)
