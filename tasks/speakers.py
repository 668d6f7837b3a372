"""Speakers of quotes: who said what, found the way a careful reader does, or NULL.

A wrong speaker is worse than none: every attribution needs a cue in the text. The rules,
tried in order for each quote (`attribution_rule` records the one that fired):
  tweet       an embedded post signed "— Name (@handle) date"
  incise      « … », explique X / « … », me déclare-t-il / « … », a affirmé le ministre, X
              (also inside the quote's text, and after a parenthesis)
  colon       X : « … » / X, « … » (a person right before the opening mark)
  according   selon X / pour X / d'après X, also with a pronoun or a title (pour lui, selon la ministre)
  cue         a verb of saying before the quote in its sentence, and its subject: a name, a
              pronoun, a title ("le ministre", "l'avocate"), or an organisation speaking
              "par la voix de" a person
  announced   the sentence before ends with ":" and names the speaker
  subject     no verb of saying, but the quote sits in the predicate of a person subject
  shared      another quote of the same sentence has a speaker
  continuation / title / backward
              a run of quotes continues its speaker; a declarant named in the title fills the
              quotes nobody else is named near; "« … », ajoute X" in the next sentence
Pronouns and titles resolve to a person by gender (M./Mme, le/la + role), preferring the
current speaker, then the main-clause subject, then the most recent person; "-on" is never
a person. Verbs of saying live in data/speech_verbs_*.txt.
Details of the rules:
  names      display-name fixes: keep the period of a final initial ("Yassin E."), keep the
             capitalised article of a press title ("Le Monde", "Les Échos"), prefer the longer
             full name when one person name is a token prefix of another ("Beatriz Guijarro" ->
             "Beatriz Guijarro González")
  sentfix    merge spaCy sentences that were cut without final punctuation / line break
  inquote    a mention inside a quotation is never a speaker
  appos      incise subject after titles/appositions/adverbs/compound tenses:
             « … », a affirmé le ministre russe de la Défense, Andreï Belooussov / a affirmé M. Peskov /
             s'est défendu mercredi le contre-amiral Daniel Hagari / plaide l'avocate de Y, X
  iverb      an incise needs a verb of saying (or an auxiliary + one); "quand"/"peut" are not cues
  iloose     incise after a parenthesis or without comma when the verb is a verb of saying
  on         "-on" never stands for a person; « … », peut-on lire dans X -> X; without X, the
             publication named as subject in the two sentences before
  refer      pronoun / title resolution: gender agreement (M./Mme, le/la + role, feminine role
             nouns), prefer the current speaker (previous attributed quote within 2 sentences),
             then the main-clause subject, then the most recent person
  rolenp     a definite/demonstrative noun phrase subject of a verb of saying (incise or cue)
             stands for a person: the person whose apposition has that noun, else `refer`
  accref     pour lui / selon elle / pour la syndicaliste … « … » -> `refer`
  colonfix   "X, « …" only for a PERSON X; "cité par X :" / "selon X :" is not the speaker
  cuefix     cue: "fait" only in "fait savoir/valoir…"; a verb inside the que-clause of another verb
             of saying gives way to the outer one; a present participle's subject is the noun it
             modifies (Vladimir Poutine jugeant que…); no nsubj -> inverted subject after the verb
             (comme l'explique X); cue-sentence prefers a PERSON
  voice      ORG/LOC subject "par la voix de X" / "à travers son représentant X" -> X
  sentincise a sentence-final incise (« A », ni « B », écrit X) beats a cue of the same sentence
  subject    no verb of saying, but the quote is in the predicate of a person subject:
             Mme Binet est « … » / Mohammed, cadre, a assisté au prêche : « … » / Lui non plus n'a « … »
  tweet      embedded tweet signature "— Name (@handle) date" after the quote
  contgap    continuation counts sentences from the END of the previous quote
  back       an unattributed quote followed in the next sentence by « … », ajoute/poursuit X -> X
"""


from __future__ import annotations

import re
from bisect import bisect_right

from spacy.tokens import Doc

from schemas import Entity, Mention, Quote
from tasks.roles import role_head
from tasks.speaker_context import is_subject, Context, Person, refer, refer_role, speaker_fields
from tasks.speech_lexicon import AUX, CONT_VERBS, FUNCTION, ORG_NOUNS, PREPS, PRONOUNS, STOP, speech_verbs

_CLITIC = r"(?:(?:me|nous|lui|leur|se|te|vous)\s+|(?:m|s|t)['’]\s*)?"
_AFTER = re.compile(
    rf"^[\s»”\"›«]*[,!?…]?\s*{_CLITIC}(?P<verb>[\w’'-]+?)(?:-t)?(?:-(?P<pron>il|elle|ils|elles|on))?(?=[\s,.;:!?)]|$)",
    re.I,
)
_AFTER_LOOSE = re.compile(
    rf"^[\s»”\"›«]*(?:\([^()]{{0,300}}\))?\s*[,!?…]?\s*{_CLITIC}(?P<verb>[\w’'-]+?)(?:-t)?(?:-(?P<pron>il|elle|ils|elles|on))?(?=[\s,.;:!?)]|$)",
    re.I,
)
_ACCORDING = re.compile(r"(?:^|[\s,(])(?:selon|d['’]après|pour|according to)\s+$", re.I)
_ACC_REF = re.compile(
    r"(?:^|[\s,(])(?P<prep>selon|d['’]après|pour)\s+(?P<np>lui|elle|eux|elles|(?P<det>le|la|l['’]|cette|ce|cet)\s*"
    r"(?P<noun>[a-zà-ÿ][\w-]+))(?=\s*,|\s*:|\s+(?:il|elle|c['’]est|c['’]était|«))", re.I)
_DECLARANT = re.compile(
    r"(?:déclaration|interview|entretien|discours|propos|message|appel|conseils?|confidences?|paroles?)"
    r"\s+(?:de|d['’])\s+(?P<name>[A-ZÀ-ÖØ-Þ][\w'’-]+(?:\s+[A-ZÀ-ÖØ-Þ][\w'’-]+){0,3})"
)


def attribute_speakers(doc: Doc, quotes: tuple[Quote, ...], mentions: tuple[Mention, ...],
                       entities: tuple[Entity, ...], title: str | None = None) -> tuple[Quote, ...]:
    ctx = Context(doc, quotes, mentions, entities, title)
    result: list[Quote] = list(quotes)
    speech = [i for i, q in enumerate(quotes) if q.kind == "speech"]
    ctx.done = {}  # index -> found dict, filled in order (for the current speaker)
    ctx.blocked = set()  # quotes whose own incise names someone we could not resolve: no continuation
    for i in speech:
        quote = quotes[i]
        index = ctx.sent_index(quote.char_start)
        sentence = ctx.sentences[index]
        found = (
            (_tweet(ctx, quote))
            or _incise(ctx, quote)
            or _inner_incise(ctx, quote)
            or _colon(ctx, quote)
            or _according(ctx, quote, sentence)
            or (_according_ref(ctx, quote, sentence))
            or (_according_np(ctx, quote, sentence))
            or (_sentence_incise(ctx, i, sentence))
            or _cue(ctx, quote.char_start, sentence)
            or _announced(ctx, quote, index)
            or (_subject(ctx, quote, sentence))
        )
        if found:
            ctx.done[i] = found
            result[i] = quote.model_copy(update={k: v for k, v in found.items() if not k.startswith("_")})
        elif _own_unresolved_subject(ctx, quote, sentence):
            ctx.blocked.add(quote.char_start)
    result = _share_within_sentences(ctx, result)
    result = _continue_runs(ctx, result, _title_declarant(title, ctx.people))
    result = _backward(ctx, result)
    return tuple(result)


# ---------------------------------------------------------------- rules

def _tweet(ctx: Context, quote: Quote) -> dict:
    after = ctx.body[quote.char_end:quote.char_end + 200]
    m = re.match(r"^[\s»”\"]*\n+\s*[—–-]\s*(?P<name>[^\n(@]{2,60}?)\s*\(@", after)
    if not m:
        return {}
    a = quote.char_end + m.start("name")
    b = quote.char_end + m.end("name")
    person = next((p for p in ctx.any if a <= p.start < b), None)
    if person is None:
        person = Person(None, m["name"].strip(), a, b)
    return speaker_fields(person, "tweet", 0.9, (a, b), ctx.body)


def _incise(ctx: Context, quote: Quote) -> dict:
    body = ctx.body
    after_at = quote.char_end
    window = body[after_at:after_at + 400]
    match = _AFTER.match(window)
    if match and not re.match(r"^[\s»”\"›«]*[,!?…]", window):
        match = None
    if match is None:
        loose = _AFTER_LOOSE.match(window)
        if loose and (loose["pron"] or loose["verb"].casefold() in speech_verbs()):
            match = loose
    cm = re.match(r"^[\s»”\"›]*,\s*(?:comme|ainsi que)\s+(?:l['’]|le\s+|la\s+)?(?:(?:a|avait)\s+)?(?P<verb>[\w’'-]+)",
                  window, re.I)
    if cm and cm["verb"].casefold() in speech_verbs():
        subject = _scan_subject(ctx, after_at + cm.end(), ctx.sources)
        if subject is not None:
            a = after_at + cm.start("verb")
            return speaker_fields(subject, "incise-comme", 0.85, (a, a + len(cm["verb"])), body)
    if not match:
        return _post_cue(ctx, quote)
    found = _incise_subject(ctx, after_at, match, quote.char_start, strict_verb=False)
    return found or (_post_cue(ctx, quote))


def _post_cue(ctx: Context, quote: Quote) -> dict:
    """« … », la Jordanie avait annoncé … / « … », Marie Durand a-t-elle expliqué: subject then verb of saying."""
    body = ctx.body
    m = re.match(r"^[\s»”\"›]*,\s*(?:(?:le|la|les|l['’])\s*)?", body[quote.char_end:quote.char_end + 20], re.I)
    if not m:
        return {}
    at = quote.char_end + m.end()
    subj = next((p for p in ctx.sources if at <= p.start <= at + 3), None)
    if subj is None:
        return {}
    v = re.match(r"\s*(?:,[^,.;«»]{0,80},\s*)?(?:(?:a|avait|ont|avaient|aurait|lui|leur|s['’]est|se)\s+|s['’])?"
                 r"(?:\w+ment\s+)?(?P<verb>[\w’'-]+)", body[subj.end:subj.end + 140])
    if not v or v["verb"].casefold() not in speech_verbs():
        return {}
    a = subj.end + v.start("verb")
    return speaker_fields(subj, "post-cue", 0.85, (a, a + len(v["verb"])), body)


_INNER = re.compile(rf"[,;]\s*{_CLITIC}(?P<verb>[\w’'-]+?)(?:-t)?(?:-(?P<pron>il|elle|ils|elles|on))?(?=[\s,.;:!?)]|$)", re.I)


def _inner_incise(ctx: Context, quote: Quote) -> dict:
    for match in _INNER.finditer(quote.text):
        if match["verb"].casefold() not in speech_verbs():
            continue
        found = _incise_subject(ctx, quote.char_start, match, quote.char_start, strict_verb=True, inner=True)
        if found:
            return found | {"attribution_rule": "inner-" + found["attribution_rule"]}
    return {}


def _verb_ok(ctx: Context, verb: str, rest_text: str) -> tuple[bool, int]:
    """Is this incise verb a verb of saying (or aux + one)? Returns (ok, extra chars consumed)."""
    v = verb.casefold()
    if v in speech_verbs():
        return True, 0
    m = re.match(r"\s*(?:de\s+|d['’]\s*)(?P<p>[\w’'-]+)", rest_text)
    if v in ("tente", "tentait", "essaie", "préfère", "préférait") and m and m["p"].casefold() in speech_verbs():
        return True, m.end()
    if v in AUX or v in {"a", "avait", "est"}:
        m = re.match(r"\s*(?:(?:\w+ment|encore|aussi|même|alors|déjà|ensuite)\s+)?(?P<p>[\w’'-]+)", rest_text)
        if m and m["p"].casefold() in speech_verbs():
            return True, m.end()
        # s'est défendu, s'est interrogé: reflexive past participles
        if m and re.match(r"(?:défendu|interrogé|étonné|exclamé|inquiété|félicité|emporté|insurgé|indigné)", m["p"]):
            return True, m.end()
    return False, 0


def _scan_subject(ctx: Context, start: int, pool: list[Person]) -> Person | None:
    """The inverted subject after a verb: le ministre russe de la Défense, Andreï Belooussov."""
    body = ctx.body
    limit = start + 140
    stop = re.search(r"(?<![\s(][A-ZÀ-Þ])[.;!?]|[«»“”\"\n()]", body[start:limit])
    if stop:
        limit = start + stop.start()
    for p in pool:
        if p.start < start or p.start >= limit:
            continue
        gap = body[start:p.start]
        words = re.findall(r"[\w’'-]+", gap.lower())
        if len(words) > 12:
            return None
        if any(w in STOP for w in words):
            return None
        last = re.search(r"([\w’'-]+)\s*[,]?\s*$", gap)
        lastw = last.group(1).lower() if last else ""
        if lastw in PREPS or gap.rstrip().endswith(("d’", "d'")):
            continue  # a complement: "le porte-parole du Kremlin, …"
        if p.type not in ("PERSON", "ORG", "LOC") and gap.strip() and not re.fullmatch(r"\s*(?:le|la|les|l['’])\s*", gap, re.I):
            continue
        return p
    return None


def _incise_subject(ctx: Context, offset, match, before, *, strict_verb: bool, inner: bool = False) -> dict:
    body = ctx.body
    cue = (offset + match.start("verb"), offset + match.end("verb"))
    pron = (match["pron"] or "").lower()
    verb = match["verb"]
    rest = offset + match.end()
    verb_ok, extra = _verb_ok(ctx, verb, body[rest:rest + 60])
    if not verb_ok and not (pron == "on"):
        if pron or verb.casefold() in FUNCTION or strict_verb:
            return {}
        pool = ctx.all_mentions if inner else ctx.people
        near = next((p for p in pool if rest <= p.start <= rest + 30 and p.type == "PERSON"
                     and re.fullmatch(r"\s*(?:\w+\s+){0,3}", body[rest:p.start])), None)
        return speaker_fields(near, "incise", 0.8, cue, body) if near else {}
    if pron:
        if pron == "on":
            return _on_source(ctx, rest, cue, before)
        gender = "f" if pron.startswith("elle") else "m"
        return speaker_fields(refer(ctx, before, gender),
                        "incise-pronoun", 0.85, cue, body)
    at = rest + extra
    pool = ctx.all_mentions if inner else ctx.any
    subject = _scan_subject(ctx, at, pool)
    if subject is None:
        np = re.match(r"[\s«»“”\"]*(?:(?:\w+ment|mercredi|jeudi|vendredi|samedi|dimanche|lundi|mardi|encore)\s+)?"
                      r"(?P<det>le|la|l['’]|ce|cet|cette)\s*(?P<noun>[a-zà-ÿ][\w-]+)", body[at:at + 80], re.I)
        if np and (np["noun"].lower() not in speech_verbs()):
            subject = refer_role(ctx, before, np["det"], np["noun"])
            if subject is not None:
                return speaker_fields(subject, "incise-title", 0.8, cue, body)
    if subject is None:
        return {}
    return speaker_fields(subject, "incise", 0.95 if verb_ok else 0.8, cue, body)


def _on_source(ctx: Context, rest: int, cue, before: int) -> dict:
    """« … », peut-on lire dans X  /  peut-on lire (the publication named just before)."""
    body = ctx.body
    m = re.match(r"\s*(?:lire|lit|entendre|apprendre)\s+(?:dans|sur|chez)\s+", body[rest:rest + 40])
    if m:
        at = rest + m.end()
        src = next((p for p in ctx.any if at <= p.start <= at + 6), None)
        if src is not None:
            return speaker_fields(src, "incise-on", 0.8, cue, body)
        np = re.match(r"(?P<det>le|la|l['’]|ce|cette)\s*(?P<noun>[a-zà-ÿ][\w-]+)", body[at:at + 40], re.I)
        if np and np["noun"].lower() in ORG_NOUNS:
            return speaker_fields(refer_role(ctx, before, np["det"], np["noun"]), "incise-on", 0.7, cue, body)
        return {}
    if not re.match(r"\s*(?:lire|lit)\b", body[rest:rest + 20]):
        return {}
    index = ctx.sent_index(before)
    window = ctx.sentences[max(0, index - 2)][0]
    pubs = [p for p in ctx.any if window <= p.start and p.end <= before and p.type in ("ORG", "MISC")
            and is_subject(ctx, p)]
    return speaker_fields(pubs[-1], "incise-on", 0.6, cue, body) if pubs else {}


def _colon(ctx: Context, quote: Quote) -> dict:
    body = ctx.body
    opening = quote.char_start - len(quote.open_mark) - 2
    for person in reversed(ctx.sources):
        if person.end <= quote.char_start and re.fullmatch(r"\s*[:,]\s*[«“\"‹—]?\s*", body[person.end:quote.char_start]):
            sep = body[person.end:quote.char_start].strip()[:1]
            if sep == "," and person.type != "PERSON":
                return {}
            lead = body[max(0, person.start - 25):person.start].lower()
            if re.search(r"(?:cité|citée|cités|rapporté|relayé|interrogé|interrogée)\s+par\s+(?:le |la |les |l['’])?$|"
                         r"(?:selon|d['’]après|dans|sur)\s+(?:le |la |les |l['’])?$", lead):
                return {}
            return speaker_fields(person, "colon", 0.8, (person.end, max(person.end, opening)), body)
        if person.end <= quote.char_start - 3:
            break
    return {}


def _according(ctx: Context, quote: Quote, sentence) -> dict:
    body = ctx.body
    for person in ctx.sources:
        if sentence[0] <= person.start < sentence[1]:
            lead = body[max(sentence[0], person.start - 20):person.start]
            match = _ACCORDING.search(lead)
            if match:
                at = person.start - len(lead) + match.start()
                return speaker_fields(person, "according", 0.9, (at, person.start), body)
    return {}


def _according_ref(ctx: Context, quote: Quote, sentence) -> dict:
    """pour lui, « … » / selon elle / Pour la syndicaliste, il n'existe qu'une voie pour « … »."""
    body = ctx.body
    text = body[sentence[0]:quote.char_start]
    found = None
    for m in _ACC_REF.finditer(text):
        found = m
    if found is None:
        m = re.search(r"(?:^|[\s,(])(?P<prep>selon|d['’]après|pour)\s+(?P<np>lui|elle|eux|elles)\b[^.;!?«»]{0,60}:\s*[«“\"‹]?\s*$",
                      text, re.I)
        if m:
            found = m
    if found is None:
        return {}
    at = sentence[0] + found.start("prep")
    np = found["np"].lower()
    if np in ("lui", "elle", "eux", "elles") or "det" not in found.groupdict():
        person = refer(ctx, at, "f" if np.startswith("elle") else ("m" if np == "lui" else None))
    else:
        person = refer_role(ctx, at, found["det"], found["noun"])
    return speaker_fields(person, "according-ref", 0.8, (at, at + len(found.group(0))), body)


_INSTITUTION = re.compile(
    r"(?:^|[\s,(])(?:selon|d['’]après)\s+(?:le|la|l['’]|les)\s*(?P<name>(?:ministère|ministre|gouvernement|parquet|préfecture|"
    r"direction|service|agence|office|mairie|conseil|haut-commissariat|commission|office|armée|police|gendarmerie)"
    r"(?:\s+(?:de la|de l['’]|des|du|de|d['’])\s*[A-ZÀ-Þ][\w’'-]*(?:\s+[a-zà-ÿ][\w’'-]*){0,2})?)(?=\s*[,.;)]|$)")


def _according_np(ctx: Context, quote: Quote, sentence) -> dict:
    """« … », selon le ministère des Affaires étrangères (an institution the NER missed)."""
    body = ctx.body
    text = body[sentence[0]:sentence[1]]
    m = _INSTITUTION.search(text)
    if not m:
        return {}
    a = sentence[0] + m.start("name")
    person = Person(None, m["name"], a, a + len(m["name"]), "ORG")
    return speaker_fields(person, "according-np", 0.7, (a, a + len(m["name"])), body)


def _sentence_incise(ctx: Context, i: int, sentence) -> dict:
    """« A », ni « B », écrit X: a later quote of the sentence carries an incise."""
    for j, q in enumerate(ctx.quotes):
        if j <= i or q.kind != "speech" or not (sentence[0] <= q.char_start < sentence[1]):
            continue
        if re.search(r"[.!?…]\s", ctx.body[ctx.quotes[i].char_end:q.char_start]):
            break  # a sentence ends in between (the parser missed it)
        found = _incise(ctx, q)
        if found:
            return found | {"attribution_rule": "shared-incise"}
    return {}


def _outer_verb(tok, verbs):
    """The outermost verb of saying governing `tok` through que-clauses."""
    best = tok
    cur = tok
    while cur.head is not cur and cur.dep_ in ("ccomp", "xcomp", "conj") and not (cur.dep_ == "conj" and cur is tok):
        cur = cur.head
        if cur.lower_ in verbs and cur.pos_ in ("VERB", "AUX") and any(c.dep_.startswith("nsubj") for c in cur.children):
            best = cur
    return best


def _subject_of(ctx: Context, token, before: int):
    """(person, rule) for the subject of a verb token, or (None, None)."""
    body = ctx.body
    if re.search(r"(?:comme|ainsi que|tel que|selon ce qu['’]?)\s+(?:l['’]|le\s+|la\s+)?$",
                                  body[max(0, token.idx - 25):token.idx], re.I):
        inv = _scan_subject(ctx, token.idx + len(token), ctx.sources)
        if inv is not None:
            return inv, "cue-inverted"
    subject = next((c for c in token.children if c.dep_.startswith("nsubj")), None)
    if subject is None and token.dep_ in ("conj", "xcomp") and token.head is not token:
        subject = next((c for c in token.head.children if c.dep_.startswith("nsubj")), None)
    if subject is not None:
        low = subject.lower_
        if low in ("dernier", "dernière"):
            return refer(ctx, subject.idx, "f" if low == "dernière" else "m"), "cue-pronoun"
        if low in PRONOUNS:
            if low == "on":
                return None, None
            g = "f" if low.startswith("elle") or low == "celle-ci" else ("m" if low in ("il", "ils", "lui", "celui-ci") else None)
            if "dernière" in body[subject.idx:subject.idx + 20]:
                g = "f"
            elif "dernier" in body[subject.idx:subject.idx + 20]:
                g = "m"
            return refer(ctx, subject.idx, g), "cue-pronoun"
        left, right = subject.left_edge.idx, subject.right_edge.idx + len(subject.right_edge)
        if subject.pos_ == "NOUN" and role_head(subject.text) is not None:
            # "Barrêt Koivogui chef d'antenne du massif déclare": the name before the role noun
            named = next((p for p in ctx.people if p.end <= left and re.fullmatch(r"[\s,]*", body[p.end:left])), None)
            if named is not None:
                return named, "cue-subject"
        owner = next((p for p in ctx.sources if p.start <= subject.idx < p.end), None) or next(
            (p for p in ctx.sources if left <= p.start and p.end <= right), None)
        if owner is not None:
            if owner.type != "PERSON":
                v = re.search(r"(?:par la voix|par la bouche|à travers|via)\s+(?:de\s+|du\s+|d['’]\s*|son\s+|sa\s+|ses\s+|leur\s+)",
                              body[owner.end:token.idx])
                if v:
                    at = owner.end + v.end()
                    person = next((p for p in ctx.people if at <= p.start < token.idx), None)
                    if person is not None:
                        return person, "cue-voice"
            return owner, "cue-subject"
        if subject.pos_ == "NOUN":
            det = next((c.text for c in subject.children if c.dep_ == "det"), None)
            if det is not None and det.lower().rstrip("'’") in ("le", "la", "l", "ce", "cet", "cette"):
                person = refer_role(ctx, subject.idx, det, subject.text)
                if person is not None:
                    return person, "cue-title"
    else:
        # a present participle: "un discours du président Vladimir Poutine jugeant que…"
        if token.morph.get("VerbForm") == ["Part"] and token.text.endswith("ant") and token.dep_ in ("acl", "advcl"):
            head = token.head
            owner = next((p for p in ctx.sources if p.start <= head.idx < p.end), None)
            if owner is None and head.pos_ == "NOUN":
                owner = next((p for p in ctx.sources if p.start > head.idx and p.start - head.idx < 40
                              and head.idx <= p.start <= token.idx), None)
            if owner is not None:
                return owner, "cue-participle"
        # inverted subject: "comme l'explique l'ingénieur Scott Saviz"
        inv = _scan_subject(ctx, token.idx + len(token), ctx.sources)
        if inv is not None and inv.start < before:
            return inv, "cue-inverted"
    return None, None


def _cue(ctx: Context, until: int, sentence) -> dict:
    doc, body = ctx.doc, ctx.body
    verbs = speech_verbs()
    span = doc.char_span(sentence[0], until, alignment_mode="contract")
    if span is None:
        return {}
    for token in reversed(list(span)):
        if token.lower_ not in verbs or token.pos_ in {"NOUN", "PROPN", "DET", "ADP", "PRON"}:
            continue
        if ctx.inside_quote(token.idx, token.idx + len(token)):
            continue
        if token.lower_ in ("fait", "font", "faisait"):
            nxt = doc[token.i + 1] if token.i + 1 < len(doc) else None
            if nxt is None or nxt.lower_ not in ("savoir", "valoir", "part", "remarquer", "observer"):
                continue
        token = _outer_verb(token, verbs)
        cue = (token.idx, token.idx + len(token))
        inv = re.match(r"(?:-t)?-(il|elle|ils|elles)\b", body[token.idx + len(token):token.idx + len(token) + 9], re.I)
        if inv:
            g = "f" if "elle" in inv.group(1).lower() else "m"
            return speaker_fields(refer(ctx, token.idx, g), "cue-inverted-pronoun", 0.85, cue, body)
        person, rule = _subject_of(ctx, token, until)
        if person is not None:
            return speaker_fields(person, rule, 0.85, cue, body)
        pool = ctx.people
        first = next((p for p in pool if sentence[0] <= p.start and p.end <= token.idx), None)
        if first is None:
            first = next((p for p in ctx.sources if sentence[0] <= p.start and p.end <= token.idx), None)
        return speaker_fields(first, "cue-sentence", 0.75, cue, body)
    return {}


def _announced(ctx: Context, quote: Quote, index: int) -> dict:
    body = ctx.body
    sentences = ctx.sentences
    start = sentences[index][0]
    if index == 0 or body[start:quote.char_start].strip(" «“\"‹—–-\n"):
        return {}
    previous = sentences[index - 1]
    if not body[previous[0]:previous[1]].rstrip().endswith(":"):
        return {}
    found = (_cue(ctx, previous[1], previous) or _colon_end(body, previous, ctx.sources)
             or (_subject(ctx, None, previous, until=previous[1])))
    return found | {"attribution_rule": "announced-" + found["attribution_rule"]} if found else {}


def _colon_end(body: str, sentence, sources) -> dict:
    text_end = sentence[0] + len(body[sentence[0]:sentence[1]].rstrip())
    for person in reversed(sources):
        if sentence[0] <= person.start and re.fullmatch(r"\s*:", body[person.end:text_end]):
            return speaker_fields(person, "colon", 0.8, (person.end, text_end), body)
    return {}


def _subject(ctx: Context, quote: Quote | None, sentence, until: int | None = None) -> dict:
    """No verb of saying: the quote sits in the predicate of a person subject (before the quote)."""
    doc, body = ctx.doc, ctx.body
    if quote is not None and len(quote.text.split()) < 4 \
            and not re.search(r":\s*[«“\"‹]?\s*$", body[:quote.char_start]):
        return {}  # a short nominal fragment in a person's sentence is often a term, not speech
    until = quote.char_start if quote is not None else until
    span = doc.char_span(sentence[0], until, alignment_mode="contract")
    if span is None:
        return {}
    # the last clause subject before the quote whose verb governs the rest of the sentence
    for token in reversed(list(span)):
        if not token.dep_.startswith("nsubj") or ctx.inside_quote(token.idx, token.idx + 1):
            continue
        if token.lower_ in ("qui", "que", "qu'", "qu’", "lequel", "laquelle", "dont"):
            continue
        head = token.head
        while head.dep_ == "conj" and head.head is not head:
            head = head.head
        if head.dep_ != "ROOT":
            continue
        verb = token.head
        low = token.lower_
        if low in ("on", "ce", "c'", "c’", "cela", "ça", "il") and low != "il":
            return {}
        person = None
        if low in ("il", "elle", "lui", "ils", "elles"):
            if quote is not None and not re.search(r":\s*[«“\"‹]?\s*$", body[:quote.char_start]):
                return {}
            # impersonal "il faut / il y a" is no subject
            if low == "il" and verb.lower_ in ("faut", "fallait", "existe", "y", "s'agit", "semble", "reste"):
                return {}
            g = "f" if low.startswith("elle") else "m"
            person = refer(ctx, token.idx, g)
        else:
            owner = next((p for p in ctx.people if p.start <= token.idx < p.end), None)
            if owner is None:
                left, right = token.left_edge.idx, token.right_edge.idx + len(token.right_edge)
                owner = next((p for p in ctx.people if left <= p.start and p.end <= right), None)
            person = owner
        if person is None:
            return {}
        return speaker_fields(person, "subject", 0.6, (token.idx, token.idx + len(token)), body)
    # "Lui non plus n'a « … »": a stressed pronoun opening the sentence
    m = re.match(r"[\s»”\"›]*(Lui|Elle)\b", body[sentence[0]:until])
    if m:
        person = refer(ctx, sentence[0], "f" if m.group(1) == "Elle" else "m")
        return speaker_fields(person, "subject", 0.6, (sentence[0] + m.start(1), sentence[0] + m.end(1)), body)
    return {}


def _own_unresolved_subject(ctx: Context, quote: Quote, sentence) -> bool:
    """« … », s'étonne le magistrat (unresolved): the quote has its own speaker, not the previous one."""
    body = ctx.body
    m = _AFTER.match(body[quote.char_end:quote.char_end + 200])
    if m and re.match(r"^[\s»”\"›«]*[,!?…]", body[quote.char_end:]) and (
            m["verb"].casefold() in speech_verbs() or _verb_ok(ctx, m["verb"], body[quote.char_end + m.end():][:60])[0]):
        return not m["pron"]
    return False


def _share_within_sentences(ctx: Context, quotes: list[Quote]) -> list[Quote]:
    starts = ctx.starts
    by_sentence: dict[int, Quote] = {}
    for quote in quotes:
        if quote.speaker:
            by_sentence.setdefault(bisect_right(starts, quote.char_start) - 1, quote)
    shared = []
    for quote in quotes:
        source = by_sentence.get(bisect_right(starts, quote.char_start) - 1)
        if quote.kind == "speech" and not quote.speaker and source is not None:
            quote = quote.model_copy(update=dict(
                speaker=source.speaker, speaker_entity_id=source.speaker_entity_id, attribution_rule="shared",
                confidence=(source.confidence or 0.5) * 0.9, cue=source.cue, cue_start=source.cue_start,
                cue_end=source.cue_end,
            ))
        shared.append(quote)
    return shared


def _title_declarant(title: str | None, people: list[Person]) -> Person | None:
    match = _DECLARANT.search(title or "")
    if not match:
        return None
    name = match["name"].casefold()
    return next((p for p in people if p.name.casefold() == name), None)


def _continue_runs(ctx: Context, quotes: list[Quote], declarant) -> list[Quote]:
    starts, people = ctx.starts, ctx.people
    done: list[Quote] = []
    previous: Quote | None = None
    for quote in quotes:
        if quote.kind == "speech" and not quote.speaker and quote.char_start not in getattr(ctx, "blocked", ()):
            if previous is not None:
                anchor = previous.char_end
                sentence_gap = bisect_right(starts, quote.char_start) - bisect_right(starts, anchor)
                others = {p.entity_id for p in people if previous.char_end <= p.start < quote.char_start}
                if sentence_gap <= 2 and others <= {previous.speaker_entity_id}:
                    quote = quote.model_copy(update=dict(
                        speaker=previous.speaker, speaker_entity_id=previous.speaker_entity_id,
                        attribution_rule="continuation", confidence=0.5,
                    ))
            if not quote.speaker and declarant is not None:
                k = ctx.sent_index(quote.char_start)
                para_start = ctx.sentences[max(0, k - 1)][0]
                para_end = ctx.sentences[min(len(ctx.sentences) - 1, ctx.sent_index(quote.char_end) + 1)][1]
                named = {p.entity_id for p in people if para_start <= p.start < para_end}
                if previous is None or named <= {declarant.entity_id}:
                    quote = quote.model_copy(update=dict(
                        speaker=declarant.name, speaker_entity_id=declarant.entity_id, attribution_rule="title",
                        confidence=0.6,
                    ))
        if quote.kind == "speech" and quote.speaker and not (
                ctx.kinds.get(quote.speaker_entity_id) is not None
                and ctx.kinds[quote.speaker_entity_id].type == "LOC"):
            previous = quote
        done.append(quote)
    return done


def _backward(ctx: Context, quotes: list[Quote]) -> list[Quote]:
    """« A ». « B », a ajouté X: A is X's too (no other person named in between)."""
    out = list(quotes)
    for i in range(len(out) - 1, -1, -1):
        q = out[i]
        if q.kind != "speech" or q.speaker:
            continue
        nxt = next((n for n in out[i + 1:] if n.kind == "speech"), None)
        if nxt is None or not nxt.speaker or nxt.cue_start is None:
            continue
        chained = nxt.attribution_rule == "backward"
        if chained and "\n" in ctx.body[q.char_end:nxt.char_start]:
            continue
        words = re.findall(r"[\w’'-]+", ctx.body[nxt.cue_start:nxt.cue_start + 30])[:2]
        if not chained and not any(CONT_VERBS.match(w) for w in words):
            continue
        if not chained and not (nxt.attribution_rule or "").startswith(("incise", "inner-incise")):
            continue
        gap = bisect_right(ctx.starts, nxt.char_start) - bisect_right(ctx.starts, q.char_end)
        others = {p.entity_id for p in ctx.people if q.char_end <= p.start < nxt.char_start}
        if gap <= 1 and others <= {nxt.speaker_entity_id}:
            out[i] = q.model_copy(update=dict(speaker=nxt.speaker, speaker_entity_id=nxt.speaker_entity_id,
                                              attribution_rule="backward", confidence=0.5,
                                              cue_start=nxt.cue_start, cue_end=nxt.cue_end, cue=nxt.cue))
    return out
