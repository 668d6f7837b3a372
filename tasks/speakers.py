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
from dataclasses import dataclass
from functools import cache
from importlib import resources

from spacy.tokens import Doc

from schemas import Entity, Mention, Quote


@cache
def speech_verbs() -> frozenset[str]:
    """Inflected verbs of saying, French and English, lower case (data/speech_verbs_*.txt)."""
    forms: set[str] = set()
    for name in ("speech_verbs_fr.txt", "speech_verbs_en.txt"):
        text = resources.files("tasks").joinpath("data", name).read_text("utf-8")
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            lemma, _, listed = line.partition(":")
            forms.update(f.casefold() for f in listed.split()) if listed else forms.update(_regular_er(lemma))
    return frozenset(f.removeprefix("s'").removeprefix("s’").removeprefix("se ") for f in forms)


def _regular_er(lemma: str) -> set[str]:
    """Forms of a regular -er verb, with the ç and ge spellings of -cer and -ger verbs (annonçait)."""
    lemma = lemma.casefold().removeprefix("s'").removeprefix("se ")
    stem = lemma[:-2]
    endings = ("e", "es", "ent", "ait", "aient", "a", "èrent", "era", "eront", "erait", "é", "ée", "és", "er", "ant")
    soft = stem[:-1] + "ç" if lemma.endswith("cer") else stem + "e" if lemma.endswith("ger") else stem
    return {(soft if e[0] in "ao" else stem) + e for e in endings}


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
_PRONOUNS = {"il", "elle", "ils", "elles", "he", "she", "they", "celui-ci", "celle-ci", "lui"}
_DECLARANT = re.compile(
    r"(?:déclaration|interview|entretien|discours|propos|message|appel|conseils?|confidences?|paroles?)"
    r"\s+(?:de|d['’])\s+(?P<name>[A-ZÀ-ÖØ-Þ][\w'’-]+(?:\s+[A-ZÀ-ÖØ-Þ][\w'’-]+){0,3})"
)
_AUX = {"a", "avait", "aurait", "ont", "avaient", "est", "était", "sont", "s'est", "s’est", "se", "s'", "s’"}
_PREPS = {"de", "d'", "d’", "du", "des", "à", "au", "aux", "avec", "pour", "contre", "par", "chez", "sur", "vers",
          "selon", "entre", "en", "dans", "sous", "après", "avant"}
_STOP = {"qui", "que", "qu'", "qu’", "dont", "où", "et", "mais", "avant", "après", "lors", "pendant", "alors", "car",
         "donc", "puis", "selon", "si", "quand", "lorsque", "tandis", "comme", "afin", "pour"}
_INANIMATE = {"rapport", "étude", "texte", "document", "communiqué", "article", "loi", "décret", "enquête", "sondage",
              "note", "lettre", "message", "projet", "décision", "jugement", "arrêt", "avis", "tweet", "publication",
              "site", "page", "livre", "ouvrage", "film", "titre", "chiffre", "bilan", "vidéo", "image", "phrase"}
_FUNCTION = {"quand", "lorsque", "comme", "et", "mais", "ou", "où", "si", "que", "qui", "dont", "car", "puis", "alors",
             "selon", "avec", "dans", "pour", "par", "sur", "le", "la", "les", "l", "un", "une", "des", "du", "de", "en",
             "à", "au", "aux", "ce", "cette", "son", "sa", "ses", "leur", "il", "elle", "ils", "elles", "on", "nous",
             "vous", "je", "tu", "y", "ne", "n", "pas", "plus", "tandis", "ainsi", "même", "aussi", "déjà", "encore",
             "donc", "or", "ni", "soit", "contre", "après", "avant", "depuis", "sans", "sous", "chez", "entre"}
_HUMAN = {"magistrat", "magistrate", "juge", "procureur", "procureure", "imam", "prêtre", "père", "mère", "femme",
          "homme", "fille", "fils", "garçon", "jeune", "octogénaire", "quadragénaire", "toxicologue", "syndicaliste",
          "militant", "militante", "élu", "élue", "avocat", "avocate", "médecin", "scientifique", "spécialiste",
          "expert", "experte", "étudiant", "étudiante", "prévenu", "prévenue", "accusé", "accusée", "victime",
          "témoin", "policier", "policière", "agriculteur", "agricultrice", "habitant", "habitante", "élève",
          "ministre", "président", "présidente", "député", "députée", "chef", "cheffe", "patron", "patronne",
          "architecte", "écrivain", "écrivaine", "auteur", "autrice", "auteure", "chercheur", "chercheuse",
          "journaliste", "sénateur", "sénatrice", "maire", "dirigeant", "dirigeante", "responsable", "secrétaire",
          "porte-parole", "directeur", "directrice", "fondateur", "fondatrice", "professeur", "professeure",
          "enseignant", "enseignante", "ingénieur", "ingénieure", "contre-amiral", "amiral", "général", "colonel",
          "commerçant", "commerçante", "réalisateur", "réalisatrice", "chanteur", "chanteuse", "comédien",
          "comédienne", "ancien", "ancienne", "intéressé", "intéressée", "sociologue", "économiste", "historien",
          "historienne", "biologiste", "psychologue", "philosophe", "militaire", "activiste", "otage", "artiste"}
_ORG_NOUNS = {"agence", "journal", "quotidien", "hebdomadaire", "magazine", "site", "média", "ministère", "gouvernement",
              "ong", "association", "parti", "syndicat", "entreprise", "groupe", "société", "armée", "police",
              "institut", "organisation", "autorité", "fédération", "collectif", "mouvement", "parquet", "tribunal",
              "cour", "commission", "conseil", "office", "banque", "fondation", "chaîne", "radio", "rédaction"}


def _is_human_noun(noun: str) -> bool:
    n = noun.lower()
    if n in _HUMAN:
        return True
    try:
        from tasks.roles import _role_words
        return n in {w.lower() for w in _role_words()}
    except Exception:
        return False


_CONT_VERBS = re.compile(r"^(?:ajout|poursui|continu|conclu|renchéri|complèt|complét|insist|détaill|développ|précis)", re.I)
_FEM_SUFFIX = re.compile(r"(?:trice|euse|ienne|ante|ière|esse|aine|ente|ée|ise|ive|elle|onne)$", re.I)
_FEM_WORDS = {"ministre-femme", "femme", "fille", "mère", "sœur", "soeur", "dame", "épouse", "veuve", "étudiante",
              "avocate", "députée", "sénatrice", "présidente", "directrice", "secrétaire générale"}
_MASC_WORDS = {"homme", "père", "fils", "frère", "mari", "garçon", "monsieur"}


@dataclass(frozen=True)
class _Person:
    entity_id: str | None
    name: str
    start: int
    end: int
    type: str = "PERSON"


class _Ctx:
    """Everything the rules need about one post."""

    def __init__(self, doc: Doc, quotes, mentions, entities, title):
        self.doc, self.body, self.quotes = doc, doc.text, quotes
        body = self.body
        self.qspans = [(q.char_start, q.char_end) for q in quotes]
        self.kinds = {e.entity_id: e for e in entities}
        names = {e.entity_id: e.name for e in entities}
        names = _display_names(body, entities, mentions)
        self.names = names
        ok_types = ("PERSON", "ORG", "LOC")
        allm = [_Person(m.entity_id, names[m.entity_id], m.char_start, m.char_end, self.kinds[m.entity_id].type)
                for m in mentions if m.entity_id in self.kinds]
        allm = [p for p in allm if not self.inside_quote(p.start, p.end)]
        self.any = allm                                  # all types, for incise subjects and "on" sources
        self.all_mentions = [_Person(m.entity_id, names[m.entity_id], m.char_start, m.char_end,
                                     self.kinds[m.entity_id].type) for m in mentions if m.entity_id in self.kinds]
        self.sources = [p for p in allm if p.type in ok_types]
        self.people = [p for p in self.sources if p.type == "PERSON"]
        sents = [(s.start_char, s.end_char) for s in doc.sents]
        sents = _merge_sentences(body, sents)
        sents = _split_sentences(body, sents, self.qspans)
        self.sentences = sents
        self.starts = [s for s, _ in sents]
        self.gender = _genders(body, self.people)
        self.title = title

    def inside_quote(self, a: int, b: int) -> bool:
        return any(s <= a and b <= e for s, e in self.qspans)

    def sent_index(self, at: int) -> int:
        return max(bisect_right(self.starts, at) - 1, 0)


def attribute_speakers(doc: Doc, quotes: tuple[Quote, ...], mentions: tuple[Mention, ...],
                       entities: tuple[Entity, ...], title: str | None = None) -> tuple[Quote, ...]:
    ctx = _Ctx(doc, quotes, mentions, entities, title)
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


# ---------------------------------------------------------------- names, sentences, gender

def _display_names(body: str, entities, mentions) -> dict[str, str]:
    names = {e.entity_id: e.name for e in entities}
    types = {e.entity_id: e.type for e in entities}
    by_entity: dict[str, list] = {}
    for m in mentions:
        by_entity.setdefault(m.entity_id, []).append(m)
    persons = [e for e in entities if e.type == "PERSON"]
    for e in entities:
        name = names[e.entity_id]
        ms = by_entity.get(e.entity_id, [])
        # a final initial keeps its period: "Yassin E."
        if re.search(r"(?:^|\s)[A-ZÀ-Þ]$", name) and any(body[m.char_end:m.char_end + 1] == "." for m in ms):
            names[e.entity_id] = name + "."
            continue
        # a press title keeps its capitalised article when written mid-sentence: "dans Les Échos"
        if types[e.entity_id] in ("ORG", "MISC") and len(name.split()) <= 3:
            for m in ms:
                art = re.search(r"(?<=[\w,’'] )(Le|La|Les|L['’])\s?$", body[max(0, m.char_start - 8):m.char_start])
                if art:
                    names[e.entity_id] = art.group(1) + ("" if art.group(1).endswith(("'", "’")) else " ") + name
                    break
        # a person name that is a token prefix of another person's fuller name
        if e.type == "PERSON":
            longer = [o.name for o in persons if o.entity_id != e.entity_id and len(o.name.split()) > len(name.split())
                      and o.name.split()[:len(name.split())] == name.split()]
            if len(longer) == 1:
                names[e.entity_id] = longer[0]
    return names


def _merge_sentences(body: str, sents):
    merged: list[list[int]] = []
    for a, b in sents:
        if merged:
            pa, pb = merged[-1]
            prev = body[pa:pb]
            text = prev.rstrip().rstrip("»”\"’› )").rstrip()
            gap_has_break = "\n" in body[pa:a] or prev.endswith("\n")
            if not gap_has_break and not re.search(r"[.!?…]$", text):
                merged[-1][1] = b
                continue
        merged.append([a, b])
    return [tuple(x) for x in merged]


def _split_sentences(body: str, sents, qspans):
    """Split where the parser missed a sentence end: ". « Une erreur… »" outside any quotation."""
    out = []
    for a, b in sents:
        cuts = [a]
        for m in re.finditer(r"[.!?…][»”\"]?\s+(?=[«“\"A-ZÀ-Þ])", body[a:b]):
            at = a + m.end()
            if any(qs - 1 <= at <= qe for qs, qe in qspans) or any(qs <= a + m.start() < qe for qs, qe in qspans):
                continue
            if re.search(r"(?:\b[A-ZÀ-Þ]|\bM|\bMme|\bDr|\bp|\bav|\bJ\.-C)\.$", body[max(a, at - 8):a + m.start() + 1]):
                continue  # an initial or an abbreviation
            cuts.append(at)
        cuts.append(b)
        out.extend((x, y) for x, y in zip(cuts, cuts[1:]) if y > x)
    return out


def _genders(body: str, people: list[_Person]) -> dict[str, str | None]:
    votes: dict[str, list[str]] = {}
    for p in people:
        before = body[max(0, p.start - 60):p.start]
        after = body[p.end:p.end + 60]
        g = None
        if re.search(r"(?:\bM\.|\bMonsieur)\s*$", before):
            g = "m"
        elif re.search(r"(?:\bMme|\bMadame|\bMlle)\s*$", before):
            g = "f"
        else:
            role_before = re.search(r"\b(le|la|un|une)\s+([\w-]+)(?:\s+[\w-]+){0,4}\s*,?\s*$", before)
            if role_before and not _is_human_noun(role_before.group(2)):
                role_before = None
            role_after = re.match(r"\s*,\s*(le|la|un|une|l['’])?\s*([a-zà-ÿ][\w-]+)", after)
            for m in (role_after, role_before):
                if not m:
                    continue
                det, noun = (m.group(1) or "").lower(), m.group(2).lower()
                if det in ("la", "une", "de la"):
                    g = "f"
                elif det in ("le", "un", "du"):
                    g = "m"
                elif noun in _FEM_WORDS or (len(noun) > 5 and _FEM_SUFFIX.search(noun) and noun not in _MASC_WORDS):
                    g = "f"
                if g:
                    break
        if g and p.entity_id:
            votes.setdefault(p.entity_id, []).append(g)
    out = {}
    for eid, vs in votes.items():
        out[eid] = max(set(vs), key=vs.count) if vs.count(max(set(vs), key=vs.count)) > len(vs) / 2 else None
    return out


def _np_gender(det: str | None, noun: str | None) -> str | None:
    det = (det or "").lower().rstrip("'’")
    if det in ("la", "cette", "une", "elle", "elles"):
        return "f"
    if det in ("le", "ce", "cet", "un", "il", "ils", "lui"):
        return "m"
    if noun and noun.lower() in _FEM_WORDS:
        return "f"
    return None


# ---------------------------------------------------------------- output

def _speaker(person: _Person | None, rule: str, confidence: float, cue, body: str) -> dict:
    if person is None:
        return {}
    return dict(
        speaker=person.name, speaker_entity_id=person.entity_id, attribution_rule=rule, confidence=confidence,
        cue=body[cue[0]:cue[1]] if cue else None, cue_start=cue[0] if cue else None, cue_end=cue[1] if cue else None,
    )


# ---------------------------------------------------------------- reference resolution

def _current_speaker(ctx: _Ctx, before: int) -> tuple[_Person | None, int | None]:
    """The speaker of the last attributed quote before `before`, and that quote's end."""
    best = None
    for i, found in ctx.done.items():
        q = ctx.quotes[i]
        if q.char_end <= before and found.get("speaker_entity_id"):
            if best is None or q.char_end > ctx.quotes[best].char_end:
                best = i
    if best is None:
        return None, None
    f = ctx.done[best]
    person = next((p for p in ctx.all_mentions if p.entity_id == f["speaker_entity_id"]
                   and p.type in ("PERSON", "MISC", "LOC")), None)
    return person, ctx.quotes[best].char_end


def _is_main_subject(ctx: _Ctx, p: _Person) -> bool:
    if re.search(r"(?:^|[\s,(])(?:selon|d['’]après|pour)\s+(?:[\w-]+\s+){0,3}$", ctx.body[max(0, p.start - 40):p.start], re.I):
        return True
    span = ctx.doc.char_span(p.start, p.end, alignment_mode="expand")
    if span is None:
        return False
    tok = span.root
    while tok.dep_ in ("flat:name", "appos", "flat", "compound", "nmod") and tok.head is not tok:
        if tok.dep_ == "nmod":
            return False
        tok = tok.head
    if not tok.dep_.startswith("nsubj"):
        return False
    verb = tok.head
    while verb.dep_ == "conj" and verb.head is not verb:
        verb = verb.head
    return verb.dep_ == "ROOT"


def _antecedent_old(people: list[_Person], before: int) -> _Person | None:
    earlier = [p for p in people if p.end <= before]
    return earlier[-1] if earlier else None


def _refer(ctx: _Ctx, before: int, gender: str | None, near_only: bool = False) -> _Person | None:
    """The person a pronoun / title at `before` stands for."""
    if False:
        return _antecedent_old(ctx.people, before)
    index = ctx.sent_index(before)
    window = ctx.sentences[max(0, index - (1 if near_only else 2))][0]
    fits = lambda p: gender is None or ctx.gender.get(p.entity_id) in (None, gender)  # noqa: E731
    current, cur_end = _current_speaker(ctx, before)
    cands = [p for p in ctx.people if window <= p.start and p.end <= before and fits(p)]
    if current is not None and fits(current) and cur_end is not None and cur_end >= window \
            and (not near_only or current.entity_id in {p.entity_id for p in cands}):
        others = {p.entity_id for p in cands if p.start >= cur_end and _is_main_subject(ctx, p)}
        if not others - {current.entity_id}:
            return current
    subjects = [p for p in cands if _is_main_subject(ctx, p)]
    if subjects:
        return subjects[-1]
    if cands:
        return cands[-1]
    if near_only:
        return None
    earlier = [p for p in ctx.people if p.end <= before and fits(p)]
    if current is not None and fits(current) and (not earlier or cur_end >= earlier[-1].end):
        return current
    return earlier[-1] if earlier else None


def _refer_role(ctx: _Ctx, before: int, det: str | None, noun: str) -> _Person | None:
    """A title noun phrase ("le magistrat", "la toxicologue", "ce père de quatre enfants", "l'agence")."""
    noun_l = noun.lower()
    if noun_l in _INANIMATE:
        return None
    body = ctx.body
    if noun_l in _ORG_NOUNS:
        index = ctx.sent_index(before)
        window = ctx.sentences[max(0, index - 2)][0]
        orgs = [p for p in ctx.any if p.type in ("ORG", "MISC") and window <= p.start and p.end <= before]
        named = [p for p in orgs if re.search(rf"\b{re.escape(noun_l)}\b", body[max(0, p.start - 40):p.end + 40].lower())]
        subj = [p for p in orgs if _is_subject(ctx, p)]
        recent = ctx.sentences[max(0, index - 1)][0]
        pick = ([p for p in subj if p.start >= recent] or named or subj or orgs)
        return pick[-1] if pick else None
    if not _is_human_noun(noun_l):
        return None
    # a person given this noun in an apposition: "la toxicologue Dominique X", "le ministre russe de la Défense, X",
    # "X, avocate de …"
    owners = []
    for p in ctx.people:
        if p.end > before:
            break
        lead = body[max(0, p.start - 70):p.start].lower()
        tail = body[p.end:p.end + 50].lower()
        if re.search(rf"\b(?:le|la|l['’]|un|une|son|sa|notre|leur)\s*(?:[\w-]+\s+)?{re.escape(noun_l)}\b[^.;:!?«»]{{0,45}}$", lead) \
                or re.match(rf"\.?\s*,\s*(?:[\w'’-]+\s+){{0,2}}{re.escape(noun_l)}\b", tail):
            owners.append(p)
    for p in ctx.people:
        if p.end > before:
            break
        if re.search(rf"\b{re.escape(noun_l)}\b[^.;:!?()«»]{{0,40}}$", body[max(0, p.start - 60):p.start].lower()):
            owners.append(p)
    if owners:
        ids = {p.entity_id for p in owners}
        last = [p for p in ctx.people if p.entity_id in ids and p.end <= before]
        return last[-1]
    return _refer(ctx, before, _np_gender(det, noun), near_only=True)


# ---------------------------------------------------------------- rules

def _tweet(ctx: _Ctx, quote: Quote) -> dict:
    after = ctx.body[quote.char_end:quote.char_end + 200]
    m = re.match(r"^[\s»”\"]*\n+\s*[—–-]\s*(?P<name>[^\n(@]{2,60}?)\s*\(@", after)
    if not m:
        return {}
    a = quote.char_end + m.start("name")
    b = quote.char_end + m.end("name")
    person = next((p for p in ctx.any if a <= p.start < b), None)
    if person is None:
        person = _Person(None, m["name"].strip(), a, b)
    return _speaker(person, "tweet", 0.9, (a, b), ctx.body)


def _incise(ctx: _Ctx, quote: Quote) -> dict:
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
            return _speaker(subject, "incise-comme", 0.85, (a, a + len(cm["verb"])), body)
    if not match:
        return _post_cue(ctx, quote)
    found = _incise_subject(ctx, after_at, match, quote.char_start, strict_verb=False)
    return found or (_post_cue(ctx, quote))


def _post_cue(ctx: _Ctx, quote: Quote) -> dict:
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
    return _speaker(subj, "post-cue", 0.85, (a, a + len(v["verb"])), body)


_INNER = re.compile(rf"[,;]\s*{_CLITIC}(?P<verb>[\w’'-]+?)(?:-t)?(?:-(?P<pron>il|elle|ils|elles|on))?(?=[\s,.;:!?)]|$)", re.I)


def _inner_incise(ctx: _Ctx, quote: Quote) -> dict:
    for match in _INNER.finditer(quote.text):
        if match["verb"].casefold() not in speech_verbs():
            continue
        found = _incise_subject(ctx, quote.char_start, match, quote.char_start, strict_verb=True, inner=True)
        if found:
            return found | {"attribution_rule": "inner-" + found["attribution_rule"]}
    return {}


def _verb_ok(ctx: _Ctx, verb: str, rest_text: str) -> tuple[bool, int]:
    """Is this incise verb a verb of saying (or aux + one)? Returns (ok, extra chars consumed)."""
    v = verb.casefold()
    if v in speech_verbs():
        return True, 0
    m = re.match(r"\s*(?:de\s+|d['’]\s*)(?P<p>[\w’'-]+)", rest_text)
    if v in ("tente", "tentait", "essaie", "préfère", "préférait") and m and m["p"].casefold() in speech_verbs():
        return True, m.end()
    if v in _AUX or v in {"a", "avait", "est"}:
        m = re.match(r"\s*(?:(?:\w+ment|encore|aussi|même|alors|déjà|ensuite)\s+)?(?P<p>[\w’'-]+)", rest_text)
        if m and m["p"].casefold() in speech_verbs():
            return True, m.end()
        # s'est défendu, s'est interrogé: reflexive past participles
        if m and re.match(r"(?:défendu|interrogé|étonné|exclamé|inquiété|félicité|emporté|insurgé|indigné)", m["p"]):
            return True, m.end()
    return False, 0


def _scan_subject(ctx: _Ctx, start: int, pool: list[_Person]) -> _Person | None:
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
        if any(w in _STOP for w in words):
            return None
        last = re.search(r"([\w’'-]+)\s*[,]?\s*$", gap)
        lastw = last.group(1).lower() if last else ""
        if lastw in _PREPS or gap.rstrip().endswith(("d’", "d'")):
            continue  # a complement: "le porte-parole du Kremlin, …"
        if p.type not in ("PERSON", "ORG", "LOC") and gap.strip() and not re.fullmatch(r"\s*(?:le|la|les|l['’])\s*", gap, re.I):
            continue
        return p
    return None


def _incise_subject(ctx: _Ctx, offset, match, before, *, strict_verb: bool, inner: bool = False) -> dict:
    body = ctx.body
    cue = (offset + match.start("verb"), offset + match.end("verb"))
    pron = (match["pron"] or "").lower()
    verb = match["verb"]
    rest = offset + match.end()
    verb_ok, extra = _verb_ok(ctx, verb, body[rest:rest + 60])
    if not verb_ok and not (pron == "on"):
        if pron or verb.casefold() in _FUNCTION or strict_verb:
            return {}
        pool = ctx.all_mentions if inner else ctx.people
        near = next((p for p in pool if rest <= p.start <= rest + 30 and p.type == "PERSON"
                     and re.fullmatch(r"\s*(?:\w+\s+){0,3}", body[rest:p.start])), None)
        return _speaker(near, "incise", 0.8, cue, body) if near else {}
    if pron:
        if pron == "on":
            return _on_source(ctx, rest, cue, before)
        gender = "f" if pron.startswith("elle") else "m"
        return _speaker(_refer(ctx, before, gender),
                        "incise-pronoun", 0.85, cue, body)
    at = rest + extra
    pool = ctx.all_mentions if inner else ctx.any
    subject = _scan_subject(ctx, at, pool)
    if subject is None:
        np = re.match(r"[\s«»“”\"]*(?:(?:\w+ment|mercredi|jeudi|vendredi|samedi|dimanche|lundi|mardi|encore)\s+)?"
                      r"(?P<det>le|la|l['’]|ce|cet|cette)\s*(?P<noun>[a-zà-ÿ][\w-]+)", body[at:at + 80], re.I)
        if np and (np["noun"].lower() not in speech_verbs()):
            subject = _refer_role(ctx, before, np["det"], np["noun"])
            if subject is not None:
                return _speaker(subject, "incise-title", 0.8, cue, body)
    if subject is None:
        return {}
    return _speaker(subject, "incise", 0.95 if verb_ok else 0.8, cue, body)
    subject = next((p for p in ctx.sources
                    if rest <= p.start <= rest + 30 and re.fullmatch(r"\s*(?:\w+\s+){0,3}", body[rest:p.start])), None)
    verb_is_cue = verb.casefold() in speech_verbs()
    if subject is None or strict_verb and not verb_is_cue:
        return {}
    return _speaker(subject, "incise", 0.95 if verb_is_cue else 0.8, cue, body)


def _on_source(ctx: _Ctx, rest: int, cue, before: int) -> dict:
    """« … », peut-on lire dans X  /  peut-on lire (the publication named just before)."""
    body = ctx.body
    m = re.match(r"\s*(?:lire|lit|entendre|apprendre)\s+(?:dans|sur|chez)\s+", body[rest:rest + 40])
    if m:
        at = rest + m.end()
        src = next((p for p in ctx.any if at <= p.start <= at + 6), None)
        if src is not None:
            return _speaker(src, "incise-on", 0.8, cue, body)
        np = re.match(r"(?P<det>le|la|l['’]|ce|cette)\s*(?P<noun>[a-zà-ÿ][\w-]+)", body[at:at + 40], re.I)
        if np and np["noun"].lower() in _ORG_NOUNS:
            return _speaker(_refer_role(ctx, before, np["det"], np["noun"]), "incise-on", 0.7, cue, body)
        return {}
    if not re.match(r"\s*(?:lire|lit)\b", body[rest:rest + 20]):
        return {}
    index = ctx.sent_index(before)
    window = ctx.sentences[max(0, index - 2)][0]
    pubs = [p for p in ctx.any if window <= p.start and p.end <= before and p.type in ("ORG", "MISC")
            and _is_subject(ctx, p)]
    return _speaker(pubs[-1], "incise-on", 0.6, cue, body) if pubs else {}


def _is_subject(ctx: _Ctx, p: _Person) -> bool:
    span = ctx.doc.char_span(p.start, p.end, alignment_mode="expand")
    return span is not None and span.root.dep_.startswith("nsubj")


def _colon(ctx: _Ctx, quote: Quote) -> dict:
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
            return _speaker(person, "colon", 0.8, (person.end, max(person.end, opening)), body)
        if person.end <= quote.char_start - 3:
            break
    return {}


def _according(ctx: _Ctx, quote: Quote, sentence) -> dict:
    body = ctx.body
    for person in ctx.sources:
        if sentence[0] <= person.start < sentence[1]:
            lead = body[max(sentence[0], person.start - 20):person.start]
            match = _ACCORDING.search(lead)
            if match:
                at = person.start - len(lead) + match.start()
                return _speaker(person, "according", 0.9, (at, person.start), body)
    return {}


def _according_ref(ctx: _Ctx, quote: Quote, sentence) -> dict:
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
        person = _refer(ctx, at, "f" if np.startswith("elle") else ("m" if np == "lui" else None))
    else:
        person = _refer_role(ctx, at, found["det"], found["noun"])
    return _speaker(person, "according-ref", 0.8, (at, at + len(found.group(0))), body)


_INSTITUTION = re.compile(
    r"(?:^|[\s,(])(?:selon|d['’]après)\s+(?:le|la|l['’]|les)\s*(?P<name>(?:ministère|ministre|gouvernement|parquet|préfecture|"
    r"direction|service|agence|office|mairie|conseil|haut-commissariat|commission|office|armée|police|gendarmerie)"
    r"(?:\s+(?:de la|de l['’]|des|du|de|d['’])\s*[A-ZÀ-Þ][\w’'-]*(?:\s+[a-zà-ÿ][\w’'-]*){0,2})?)(?=\s*[,.;)]|$)")


def _according_np(ctx: _Ctx, quote: Quote, sentence) -> dict:
    """« … », selon le ministère des Affaires étrangères (an institution the NER missed)."""
    body = ctx.body
    text = body[sentence[0]:sentence[1]]
    m = _INSTITUTION.search(text)
    if not m:
        return {}
    a = sentence[0] + m.start("name")
    person = _Person(None, m["name"], a, a + len(m["name"]), "ORG")
    return _speaker(person, "according-np", 0.7, (a, a + len(m["name"])), body)


def _sentence_incise(ctx: _Ctx, i: int, sentence) -> dict:
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


def _subject_of(ctx: _Ctx, token, before: int):
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
            return _refer(ctx, subject.idx, "f" if low == "dernière" else "m"), "cue-pronoun"
        if low in _PRONOUNS:
            if low == "on":
                return None, None
            g = "f" if low.startswith("elle") or low == "celle-ci" else ("m" if low in ("il", "ils", "lui", "celui-ci") else None)
            if "dernière" in body[subject.idx:subject.idx + 20]:
                g = "f"
            elif "dernier" in body[subject.idx:subject.idx + 20]:
                g = "m"
            return _refer(ctx, subject.idx, g), "cue-pronoun"
        left, right = subject.left_edge.idx, subject.right_edge.idx + len(subject.right_edge)
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
                person = _refer_role(ctx, subject.idx, det, subject.text)
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


def _cue(ctx: _Ctx, until: int, sentence) -> dict:
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
            return _speaker(_refer(ctx, token.idx, g), "cue-inverted-pronoun", 0.85, cue, body)
        person, rule = _subject_of(ctx, token, until)
        if person is not None:
            return _speaker(person, rule, 0.85, cue, body)
        pool = ctx.people
        first = next((p for p in pool if sentence[0] <= p.start and p.end <= token.idx), None)
        if first is None:
            first = next((p for p in ctx.sources if sentence[0] <= p.start and p.end <= token.idx), None)
        return _speaker(first, "cue-sentence", 0.75, cue, body)
    return {}


def _announced(ctx: _Ctx, quote: Quote, index: int) -> dict:
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
            return _speaker(person, "colon", 0.8, (person.end, text_end), body)
    return {}


def _subject(ctx: _Ctx, quote: Quote | None, sentence, until: int | None = None) -> dict:
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
            person = _refer(ctx, token.idx, g)
        else:
            owner = next((p for p in ctx.people if p.start <= token.idx < p.end), None)
            if owner is None:
                left, right = token.left_edge.idx, token.right_edge.idx + len(token.right_edge)
                owner = next((p for p in ctx.people if left <= p.start and p.end <= right), None)
            person = owner
        if person is None:
            return {}
        return _speaker(person, "subject", 0.6, (token.idx, token.idx + len(token)), body)
    # "Lui non plus n'a « … »": a stressed pronoun opening the sentence
    m = re.match(r"[\s»”\"›]*(Lui|Elle)\b", body[sentence[0]:until])
    if m:
        person = _refer(ctx, sentence[0], "f" if m.group(1) == "Elle" else "m")
        return _speaker(person, "subject", 0.6, (sentence[0] + m.start(1), sentence[0] + m.end(1)), body)
    return {}


def _own_unresolved_subject(ctx: _Ctx, quote: Quote, sentence) -> bool:
    """« … », s'étonne le magistrat (unresolved): the quote has its own speaker, not the previous one."""
    body = ctx.body
    m = _AFTER.match(body[quote.char_end:quote.char_end + 200])
    if m and re.match(r"^[\s»”\"›«]*[,!?…]", body[quote.char_end:]) and (
            m["verb"].casefold() in speech_verbs() or _verb_ok(ctx, m["verb"], body[quote.char_end + m.end():][:60])[0]):
        return not m["pron"]
    return False


def _share_within_sentences(ctx: _Ctx, quotes: list[Quote]) -> list[Quote]:
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


def _title_declarant(title: str | None, people: list[_Person]) -> _Person | None:
    match = _DECLARANT.search(title or "")
    if not match:
        return None
    name = match["name"].casefold()
    return next((p for p in people if p.name.casefold() == name), None)


def _continue_runs(ctx: _Ctx, quotes: list[Quote], declarant) -> list[Quote]:
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
            elif False:
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


def _backward(ctx: _Ctx, quotes: list[Quote]) -> list[Quote]:
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
        if not chained and not any(_CONT_VERBS.match(w) for w in words):
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
