"""Find quotations (reported speech or writing) in a cleaned article body.

This module owns one step of covpipe: turning a body text into character spans
of quotations.  It knows French and English journalistic typography and
nothing else (no speaker attribution, no NLP model, standard library only):

* « … », ‹ … ›, “ … ”, „ … “, " … " with any spacing (space, NBSP, narrow NBSP,
  none); marks whose role contradicts their shape are read from their context
  (``« … convictions« , me déclare-t-il``: a « glued to a word and followed by
  punctuation closes; reversed ``» … «``: a » that opens a paragraph-level
  quote opens);
* nested quotes: ``« a « b » c »`` is ONE span whose text keeps the inner marks;
* a missing closer: the quote ends at the first inner closer followed by an
  incise or a sentence end (one » closing two quotes), else before an incise
  in the plain text (``, explique X``), else at the end of the paragraph;
* a stray closer (``« A. » Pour moi, poursuit-il, c'est B ».``): the quote
  starts after the previous quote of the paragraph;
* quotes running over several paragraphs that reopen « at each paragraph:
  one span per paragraph, later ones flagged ``continues_previous``;
* dialogue dashes (— / – / -- at paragraph start, or after a sentence end or a
  colon inside a paragraph), each turn cut before a final incise;
* embedded tweets (paragraphs followed by ``— Name (@handle) date``) as blocks.

Incises inside a pair of marks (« Nous irons, a-t-il dit, jusqu'au bout ») stay
in ``text``: a span is contiguous, ``body[char_start:char_end] == text`` always.
Only an incise that ENDS a speech (unclosed quote, dialogue turn) is cut off.

``kind`` is "speech", or "term" for scare quotes / names / titles, by a narrow
rule set (news gold counts most short fragments, even one word, as speech): a
quoted heading (whole short paragraph without final punctuation), a naming cue
before the mark (baptisé, intitulé, le slogan, l'émission…), a title in a
reference (« Titre », Publication, 2018), a short Title-Case name not governed
by à/de (« Les Echos » but nous invite à « Oser l'IA »), a short English term
in French text (« small data »).

Paragraphs are lines (blank lines ignored); a line break inside a sentence
(line ending in a letter or comma, next line starting in lower case) is read as
a soft wrap.  A paragraph needing more than MAX_RESTARTS re-readings (only seen
on adversarial input) keeps the quotes found so far.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from tasks.speech.quote_terms import SP, WS, is_term

__all__ = ["QuoteSpan", "find_quotes"]

OPENERS = "«‹“„"          # marks that open by their shape
CLOSERS = "»›”"           # marks that close by their shape
MARKS = OPENERS + CLOSERS + '"'
FAMILY = {"«": "g", "»": "g", "‹": "s", "›": "s", "“": "d", "”": "d", "„": "d", '"': "d"}
MARK_RE = re.compile(f"[{MARKS}]")
MAX_RESTARTS = 50
_NOT_GLUE = SP + "([{'’‘/-—–:" + OPENERS + '"'

_SAY = (r"(?:dit|dis|disai|déclar|expliqu|affirm|ajout|soulign|précis|indiqu|estim|poursui|confi|"
        r"assur|racont|rappel|insist|lanc|répond|répon|répliqu|rétorqu|conclu|comment|observ|note|noté|"
        r"notai|reconn|admet|avou|souri|soupir|gliss|martèl|tranch|résum|analys|jug|argument|détaill|"
        r"interrog|demand|s['’]exclam|s['’]écri|s['’]interrog|s['’]inquièt|s['’]étonn|fi|fait|murmur|"
        r"cri|écri|lâch|plaid|regrett|dénonc|prévi|avert|témoign|relat|confirm|ironis|repren|repri|"
        r"renchéri|nuanc|concè|concé|signal|souten|clam|objecte|réagi|annonc|tweet|résume|admi)")
_SUBJECT = (r"(?:[A-ZÉÈÀÂÎÔÇ]|(?:le|la|les|l['’]|un|une|des|son|sa|ses|leur|leurs|ce|cette|cet|notre|"
            r"M\.|Mme|Me|Dr|ce|celui|celle|certains|d['’]autres|plusieurs)\b)")
_CLITIC = r"(?:(?:me|m['’]|nous|lui|leur|se|s['’]|te|t['’])\s*)?"
# body of an incise: "a-t-il dit", "explique-t-elle", "me déclare-t-il", "explique Audrey X", "selon X"
_INCISE_BODY = (rf"(?:{_CLITIC}[a-zàâçéèêëîïôûùüÿœ’'-]*?[a-zàâçéèêëîïôûùüÿœ](?:-t)?-(?:il|elle|ils|elles|on)\b"
                rf"|(?:(?:a|ont|avait|avaient|aurait)\s+)?{_CLITIC}{_SAY}[a-zàâçéèêëîïôûùüÿœ]{{0,6}}\s+{_SUBJECT}"
                rf"|(?:selon|d['’]après)\s+{_SUBJECT})")
INCISE_AFTER = re.compile(rf"{WS}*(?:,|[!?…]){WS}*{_INCISE_BODY}")   # right after a quote / closer
INCISE_IN = re.compile(rf"(?:,|[!?…]){WS}*{_INCISE_BODY}")            # inside unclosed speech
SENTENCE_END = re.compile(rf"{WS}*(?:[.!?…;]+{WS}|[.!?…]*{WS}*$|:)")
DASH_LINE = re.compile(rf"^{WS}*(?:[—–―]|--){WS}*(?=[^\s\d—–-])")
INLINE_TURN = re.compile(rf"(?<=[.!?…]){WS}+[—–―]{WS}+(?=[A-ZÀ-Ý«])|(?<=:){WS}*[—–―]{WS}+(?=[A-ZÀ-Ý«])")
TWEET_CREDIT = re.compile(rf"^{WS}*[—–-]{WS}*[^\n]{{1,80}}\(@\w{{1,15}}\){WS}*[^\n]{{0,40}}\d{{4}}{WS}*$")


@dataclass(frozen=True)
class QuoteSpan:
    """One quotation: ``body[char_start:char_end] == text`` (marks and outer spaces excluded)."""
    char_start: int
    char_end: int
    text: str
    open_mark: str            # the opening mark, "—" for dialogue, "" for a block without marks
    close_mark: str | None    # None when the closer is missing (end decided by speech)
    kind: str = "speech"      # "speech" or "term" (scare quotes, names, titles, quoted headings)
    paragraph: int = 0        # index of the (non-blank) paragraph where the span starts
    is_block: bool = False    # a whole paragraph / embedded post rather than marks in running text
    continues_previous: bool = False  # continuation of the previous paragraph's unclosed quote


@dataclass
class _Open:
    pos: int
    mark: str
    inner: list            # (open, close) of quotes nested directly inside


def _ctx(p: str, i: int):
    """(glued_left, glued_right, punct_after, next non-space char) around position i."""
    prev = p[i - 1] if i else ""
    nxt = p[i + 1] if i + 1 < len(p) else ""
    j = i + 1
    while j < len(p) and p[j] in SP:
        j += 1
    nn = p[j] if j < len(p) else ""
    glued_left = prev != "" and prev not in _NOT_GLUE
    glued_right = nxt.isalnum()
    punct_after = nn == "" or nn in ",.;:!?)]}…"
    return glued_left, glued_right, punct_after, nn


def _role(p: str, i: int, stack: list, fams: dict) -> str:
    """'open', 'close' or 'skip' for the mark at p[i], given the open marks (and their families)."""
    m = p[i]
    gl, gr, pa, nn = _ctx(p, i)
    closerish = (gl or pa) and not gr
    openerish = not gl and not pa and (gr or nn.isalnum() or nn in "([«“‘'\"…#@¿¡-—–")
    top = stack[-1].mark if stack else None
    if m in "«‹":
        return "close" if closerish and fams[FAMILY[m]] else ("skip" if closerish else "open")
    if m == "„":
        return "open"
    if m == "“":
        return "close" if top == "„" or (top in ("“", '"') and closerish) else "open"
    if m == '"':
        if top == '"' or (top in ("“", "„") and not openerish):
            return "close"
        return "open" if openerish or not closerish else ("close" if fams["d"] else "skip")
    if fams[FAMILY[m]]:   # » › ”
        return "close"
    if m == "›":
        return "skip"     # unpaired: a separator (breadcrumbs), not a quote
    return "open" if openerish else ("close" if m == "»" and closerish else "skip")


def _parse(p: str) -> list[tuple]:
    """Quotes of paragraph p as (text_start, text_end, open_mark, close_mark, how), how being 'pair',
    'open_end' (ran to the paragraph end), 'cut' (ended before an incise) or 'stray' (no opener).
    A failed reading restarts after the point it settled; restarts are capped (pathological input)."""
    out, e, s, dead = [], len(p), 0, set()
    marks = [m.start() for m in MARK_RE.finditer(p)]
    for _ in range(MAX_RESTARTS):
        stack, fams, last_end = [], {"g": 0, "s": 0, "d": 0}, s
        for i in marks[bisect.bisect_left(marks, s):]:
            if i in dead:
                continue
            ch = p[i]
            role = _role(p, i, stack, fams)
            if role == "open":
                stack.append(_Open(i, ch, []))
                fams[FAMILY[ch]] += 1
            elif role == "close":
                k = next((k for k in range(len(stack) - 1, -1, -1) if FAMILY[stack[k].mark] == FAMILY[ch]), None)
                if k is None:  # stray closer: the speech starts after the previous quote
                    if not stack and p[last_end:i].strip(SP + ".,;:!?…"):
                        out.append((last_end, i, "", ch, "stray"))
                    last_end = i + 1
                    continue
                entry = stack[k]
                for gone in stack[k:]:
                    fams[FAMILY[gone.mark]] -= 1
                del stack[k:]
                if k == 0:
                    out.append((entry.pos + 1, i, entry.mark, ch, "pair"))
                    last_end = i + 1
                elif k == 1:
                    stack[0].inner.append((entry.pos, i))
        if not stack:
            return out
        b, s = stack[0], None
        if b.mark not in "«“„":   # reversed / straight / single openers need a closer: drop them
            dead.update(o.pos for o in stack if o.mark not in "«“„")
            s = b.pos + 1
            continue
        # the speech ends at the first inner closer followed by an incise or a sentence end (one »
        # closing both quotes: "« a « b ». Then…"), or before the first incise of plain text
        c = next((c for _, c in b.inner if INCISE_AFTER.match(p, c + 1) or SENTENCE_END.match(p, c + 1)), e)
        m = next((m for m in INCISE_IN.finditer(p, b.pos + 1, c)
                  if not any(a < m.start() < z for a, z in b.inner)), None)
        if m is not None:
            out.append((b.pos + 1, m.start() + (p[m.start()] in "!?…"), b.mark, None, "cut"))
            s = m.end()
        elif c < e:
            out.append((b.pos + 1, c, b.mark, p[c], "pair"))
            s = c + 1
        else:
            out.append((b.pos + 1, e, b.mark, None, "open_end"))
            return out
    return out


def _trim(body: str, a: int, b: int) -> tuple[int, int]:
    while a < b and body[a] in SP:
        a += 1
    while b > a and body[b - 1] in SP:
        b -= 1
    return a, b


def _dialogue(p: str, off: int) -> list[tuple[int, int]]:
    """Speech turns marked by dialogue dashes: a paragraph opened by a dash, or dashes after a
    sentence end / colon (novels without line breaks).  Only an incise ending the turn is cut."""
    if TWEET_CREDIT.match(p):
        return []
    m = DASH_LINE.match(p)
    inline = list(INLINE_TURN.finditer(p, m.end() if m else 0))
    if not m and not (len(inline) >= 2 or (inline and p[inline[0].start() - 1:inline[0].start()] == ":")):
        return []
    starts = ([m.end()] if m else []) + [t.end() for t in inline]
    ends = [t.start() for t in inline] + [len(p)]
    if not m:
        ends = ends[1:]
    spans = []
    for a, b in zip(starts, ends):
        inc = INCISE_IN.search(p, a, b)
        if inc and not re.search(r"[,.;:!?…]\W*\w", p[inc.end():b]):
            b = inc.start() + (p[inc.start()] in "!?…")   # the turn ends with an incise: cut it
        spans.append((off + a, off + b))
    return spans


def _soft_wrap(prev: str, line: str) -> bool:
    """A line break inside a sentence (hard-wrapped text): join the two lines into one paragraph."""
    last, first = prev.rstrip(SP)[-1:], line.lstrip(SP)[:1]
    return (last.isalpha() or last == ",") and first.isalpha() and first.islower()


def find_quotes(body: str) -> list[QuoteSpan]:
    """All quotation spans of ``body``, in text order (nested quotes are not listed separately)."""
    if not body:
        return []
    paras, pos, prev_end = [], 0, -2
    for line in body.split("\n"):
        if line.strip(SP):
            if paras and prev_end == pos - 1 and _soft_wrap(body[paras[-1][0]:prev_end], line):
                paras[-1] = (paras[-1][0], body[paras[-1][0]:pos + len(line)])
            else:
                paras.append((pos, line))
            prev_end = pos + len(line)
        pos += len(line) + 1
    spans: list[QuoteSpan] = []
    blocks: list[tuple[int, int]] = []
    block_spans: list[QuoteSpan] = []  # embedded posts and dialogue turns, kept over quotes inside them
    prev_open = False        # previous paragraph ended inside an unclosed quote
    for n, (off, p) in enumerate(paras):
        if TWEET_CREDIT.match(p) and n and not TWEET_CREDIT.match(paras[n - 1][1]):
            k, size = n - 1, len(paras[n - 1][1])
            # the embedded post runs back to the credit before it, or to a line that opens with a mark
            while (k > 0 and not TWEET_CREDIT.match(paras[k - 1][1]) and size + len(paras[k - 1][1]) <= 300
                   and paras[k][1].lstrip(SP)[:1] not in "«“\""):
                k -= 1
                size += len(paras[k][1])
            a, b = paras[k][0], paras[n - 1][0] + len(paras[n - 1][1])
            while a < b and (unicodedata.category(body[a])[0] in "SMZC" or body[a] in SP):
                a += 1
            a, b = _trim(body, a, b)
            marks = ("", None)
            if b - a > 2 and body[a] in "«“\"" and body[b - 1] in "»”\"":
                marks = (body[a], body[b - 1])
                a, b = _trim(body, a + 1, b - 1)
            if a < b:
                block_spans.append(QuoteSpan(a, b, body[a:b], *marks, "speech", k, True))
                blocks.append((a, b))
            prev_open = False
            continue
        turns = _dialogue(p, off)
        for a, b in turns:
            a, b = _trim(body, a, b)
            if a < b:
                block_spans.append(QuoteSpan(a, b, body[a:b], "—", None, "speech", n, True))
                blocks.append((a, b))
        this_open = False
        for t0, c, om, cm, how in _parse(p):
            a, b = _trim(body, off + t0, off + c)
            if a >= b:
                continue
            o = t0 - len(om)          # position of the opening mark (of the text for 'stray')
            starts_para = not p[:o].strip(SP)
            whole = starts_para and not p[c + 1:].strip(SP + ".")
            cont = prev_open and (starts_para or how == "stray")
            kind = "term" if how == "pair" and is_term(p, o, c, body[a:b], whole) else "speech"
            spans.append(QuoteSpan(a, b, body[a:b], om, cm if how in ("pair", "stray") else None,
                                   kind, n, whole, cont))
            this_open = how == "open_end"
        prev_open = this_open
    spans = block_spans + [s for s in spans if not any(a <= s.char_start and s.char_end <= b for a, b in blocks)]
    return sorted(spans, key=lambda s: (s.char_start, -s.char_end))
