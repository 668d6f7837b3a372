"""Incises: the frames that name a quote's source after it or inside its marks.

  incise      « … », estime la préfecture / a-t-il dit / c'est ainsi qu'elle a résumé /
              « Rien », fit Paul / « Vraiment ? » demanda-t-elle
  inner       « Nous irons, a-t-il dit, jusqu'au bout » / — Vraiment ? répondit Paul. Je…
  closing     La ville « manque » de médecins, a déclaré le maire: an incise closing the sentence
A verb of saying makes an incise; so does any verb right after the quote whose subject, a
clitic or a name, follows it, since French inverts the subject of an incise only
("sourit-elle", "fit Paul"); never an auxiliary, a modal or a copula ("est une tâche",
"peut-on lire" is `_read_in`'s). The parser reads an inverted subject as an object
(« … », déclare le maire: "maire" is obj), so after the verb the first noun phrase that is
not a prepositional phrase is taken (`tasks.speech.clause_roles`).
"""

from __future__ import annotations

import re
from bisect import bisect_left

from spacy.tokens import Token

from schemas import Quote
from tasks.speech.attribution_context import Passage
from tasks.speech.clause_roles import RELATIVE, inverted_subject, subject_of
from tasks.speech.cues import Cue, cue_at
from tasks.speech.speech_lexicon import is_saying

_PARENTHESIS = re.compile(r"[\s»”\"›]*\([^()\n]{1,200}\)")
_NEW_CLAUSE = {"quand", "lorsque", "lorsqu'", "lorsqu’", "alors", "tandis", "si", "car", "mais", "puis", "où",
               "dont", "parce", "pendant", "avant", "après", "pour", "afin"}
# auxiliaries, modals, copulas and verbs of motion: "est-il", "peut-on lire", "va-t-elle" make no incise
_NOT_INCISE = set("""est sont était étaient sera seront serait fut a ont avait avaient aura eut peut peuvent pouvait
pourrait doit doivent devait devrait veut veulent voulait voudrait faut fallait faudrait va vont allait ira vient
viennent venait semble semblait paraît paraissait""".split())
_CLITICS = {"-il", "-elle", "-ils", "-elles", "-on", "-t-il", "-t-elle", "-t-on"}
_INCISE_REACH = 12  # tokens after a quote where its incise verb may stand
_CLOSING_REACH = 40  # tokens before a sentence's end where a closing incise may stand


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
    if token is not None and token.text[:1].islower() and quote.text.rstrip()[-1:] in ("!", "?", "…"):
        sentence_end = p.sentences[p.sentence_of(token.idx)][1]  # « Vraiment ? » demanda-t-il: one sentence
    last = token.i + 20 * _INCISE_REACH if token is not None else 0  # past a few more quotes: bounded work
    while token is not None and token.idx < sentence_end and seen < _INCISE_REACH and token.i < last:
        if p.in_quote(token.idx):
            pass  # « A », « B », explique X: an incise may follow a second quote
        elif token.text in (".", ";", ":") or "\n" in token.whitespace_ or token.lower_ in ("où", "dont", "qui") \
                or seen == 0 and token.lower_ in _NEW_CLAUSE:
            return None  # "« A », quand le Qatar dénonçait…", "« A », un domaine où…": another clause
        elif is_saying(token) and (punctuated or seen <= 1) or seen == 0 and punctuated and _inverted(p, token):
            return _incise_source(p, token, after, sentence_end, seen)
        elif token.lower_ in ("lire", "lit", "entendre") and punctuated:
            return _read_in(p, token, seen)
        elif not token.is_punct:
            seen += 1
        token = token.nbor() if token.i + 1 < len(p.doc) else None
    return None


def _inverted(p: Passage, verb: Token, quoted: bool = False) -> bool:
    """« Rien », fit Paul / « … », sourit-elle: a finite verb right after a quote with its subject, a
    clitic or a name, after it is an incise, whatever the verb: French inverts the subject of an
    incise only. Not an auxiliary, a modal nor a copula ("est une tâche", "peut-on lire")."""
    if verb.i + 1 >= len(p.doc) or "\n" in verb.whitespace_ or verb.lower_ in _NOT_INCISE or verb.is_punct:
        return False
    following = p.doc[verb.i + 1]
    then = p.doc[verb.i + 2] if verb.i + 2 < len(p.doc) else None
    if following.lower_ in _CLITICS:  # "sourit-elle": a word with a subject clitic is a verb, however tagged
        return then is None or "Inf" not in then.morph.get("VerbForm")
    if verb.pos_ != "VERB" or "Fin" not in verb.morph.get("VerbForm") or "Imp" in verb.morph.get("Mood"):
        return False
    return following.text[:1].isupper() and following.pos_ not in ("DET", "ADP") and \
        (quoted or not p.in_quote(following.idx))


def _ends_soon(p: Passage, verb: Token) -> bool:
    """The incise closes within a few words, by a comma or a full stop, not by a question mark."""
    for t in p.doc[verb.i + 1:verb.i + 6]:
        if t.text in ("?", "!"):
            return False
        if t.text in (",", ".", ";", "»", "”", "…") or "\n" in t.whitespace_:
            return True
    return False


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
        subject = _name_before(p, verb, after)
    if subject is None:
        subject = inverted_subject(p, verb, until)
    if subject is None:
        return None
    return cue_at(p, frame, subject, verb, distance)


def _name_before(p: Passage, verb: Token, after: int) -> Token | None:
    """“…,” Mary Brown told reporters: a name right after the quote and right before the verb (an
    auxiliary between them at most) is its subject, however the parser hung the words (English
    word order, which the French model parses badly)."""
    start = p.token_at(after)
    first = next((t for t in p.doc[start.i:verb.i] if not t.is_punct), None) if start is not None else None
    if first is None:
        return None
    named = next((n for n in p.named_in(after, verb.idx) if n.start == first.idx), None)
    if named is None or named.type not in ("PERSON", "ORG"):
        return None
    between = [t for t in p.doc[first.i:verb.i] if t.idx >= named.end]
    return first if len(between) <= 1 and all(t.pos_ == "AUX" or t.lower_ in ("has", "had") for t in between) \
        else None


def _read_in(p: Passage, verb: Token, distance: int) -> Cue | None:
    """ "« … », peut-on lire dans Le Monde": the publication is the source."""
    if not any(t.lower_ == "-on" for t in p.doc[max(verb.i - 3, 0):verb.i]):
        return None
    source = next((c for c in verb.children if any(k.lower_ in ("dans", "sur", "chez") for k in c.children)), None)
    on = next(t for t in p.doc[max(verb.i - 3, 0):verb.i] if t.lower_ == "-on")
    return cue_at(p, "incise", source or on, verb, distance)


def inner_incise(p: Passage, quote: Quote) -> Cue | None:
    """« Nous irons, a-t-il dit, jusqu'au bout » / — Vraiment ? répondit Paul. Je…: a verb of saying
    after a comma, or after a question or an exclamation, inside the marks, with a pronoun clitic or
    a subject right after it (then any verb: French inverts the subject of an incise only)."""
    for m in re.finditer(r"[,;?!…]\s+", quote.text):
        start = quote.char_start + m.end()
        words = p.doc.char_span(start, min(quote.char_end, start + 60), alignment_mode="expand")
        if words is None:
            continue
        tokens = [t for t in words if not t.is_punct][:4]
        verb = next((t for t in tokens if is_saying(t)), None)
        if verb is None and tokens and m.group()[0] in ",?!" and _inverted(p, tokens[0], quoted=True) \
                and _ends_soon(p, tokens[0]):
            verb = tokens[0]  # « Rien ? sourit-elle. », not « Où ? Faut-il tout refaire ? »
        if verb is None or tokens.index(verb) > 3:
            continue
        following = p.doc[verb.i + 1:verb.i + 8]
        if not any(t.text in (",", ".", ";", "!", "?", "»", "”") or t.is_sent_end for t in following) \
                and not _inverted(p, verb, quoted=True):
            continue
        clitic = next((t for t in p.doc[max(verb.i - 2, 0):verb.i + 3]
                       if t.lower_ in ("-il", "-elle", "-ils", "-elles")), None)
        name = following[0] if len(following) and following[0].text[:1].isupper() else None  # soupira Paul
        subject = clitic or name or next((t for t in following if t.pos_ in ("PROPN", "NOUN") and t.dep_ != "obl:mod"
                                          and not any(c.dep_ == "case" for c in t.children)), None)
        if subject is not None:
            return cue_at(p, "inner", subject, verb, 0)
    return None
