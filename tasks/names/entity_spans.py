"""Name spans of a post: spaCy's entities cleaned, cut, joined and typed, before resolution.

Owns what counts as a name and of which kind: titles and determiners cut off ("Mme", "la"),
names the model cut short joined ("Chœur de" + "Radio France", "Agence … et des produits de
santé"), names before role nouns made people, organisation nouns, institutions and acronyms
typing organisations. It must not decide which spans are one entity: that is `tasks.names.entities`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from tasks.events import fold
from tasks.names.nlp import KNOWN
from tasks.names.role_lexicon import INSTITUTION_WORDS
from tasks.names.roles import role_follows, role_head, token_index, tokens_from

_LABELS = {"PER": "PERSON", "PERSON": "PERSON", "ORG": "ORG", "LOC": "LOC", "GPE": "LOC", "MISC": "MISC",
           "EVENT": "EVENT"}
_TITLES = re.compile(
    r"^(?:(?:m\.|mm\.|mme|mmes|mlle|me|dr|pr|madame|monsieur|mesdames|messieurs|docteur|professeur|maître|"
    r"sir|mr\.?|mrs\.?|ms\.?)\s+)+",
    re.I,
)
DETERMINERS = re.compile(r"^(?:l['’]|la |le |les |du |de la |de l['’]|des |de |d['’]|the )", re.I)
_PARTICLE = re.compile(r"(?:de|du|des|d['’]|van|von|der|del|della|di|da)\s*[A-ZÀ-Þ]")
# An organisation noun before a name ("le site Meteociel") or in an apposition after it types it ORG.
_ORG_NOUNS = (r"(?:site|chaîne|radio|journal|quotidien|hebdomadaire|magazine|agence|ONG|organisation|organisme|société"
              r"|entreprise|start-?up|groupe|compagnie|banque|plateforme|application|appli|réseau social|cabinet"
              r"|association|fonds|label|syndicat|collectif|fondation|institut|orchestre|opérateur|constructeur"
              r"|éditeur|assureur|distributeur|laboratoire|club|équipe|maison d['’]édition|éditions)")
_ORG_BEFORE = re.compile(rf"\b(?:le|la|l['’]|du|de la|de l['’]|au|à la|à l['’]|par la|par le)\s*{_ORG_NOUNS}"
                         rf"(?:\s+[a-zà-ÿ-]+){{0,2}}\s+$", re.I)
_ORG_AFTER = re.compile(rf",\s+(?:une|un|la|le|l['’])\s*{_ORG_NOUNS}\b", re.I)
_TRAILING_DATE = re.compile(r"\s+(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|hier|aujourd['’]hui)$")
_CALENDAR = {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "janvier", "février", "mars",
             "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
_GLUED = re.compile(r"[a-zà-ÿ]\d|\d[a-zà-ÿ]")
# A name cut after a preposition ("Chœur de", "Inspection générale de la") lost its end.
_DANGLING = re.compile(r"\s+(?P<also>(?:et|&)\s+)?(?:de|du|des|de la|de l['’]|d['’]|pour|et|&)\s*$", re.I)
_EDGE = " \t\n,;:.!?…«»“”\"'’()[]{}-–—/"
# A name never spans a line, a quotation mark or a dash between spaces ("Le Parisien – “Mobilisation").
_SPAN_BREAK = re.compile(r"\n|[«»“”]| [–—-] ")
# Names that start with an institution word are organisations, whatever the model said.
INSTITUTION = re.compile(rf"^(?:{'|'.join(sorted(INSTITUTION_WORDS, key=len, reverse=True))})\b", re.I)


_PLACE_ACRONYMS = {"USA", "RDC", "RCA", "EAU", "UAE", "URSS", "RFA", "RDA", "IDF", "PACA", "DOM", "TOM", "DROM",
                   "NYC"}


@dataclass
class NameSpan:
    start: int
    end: int
    label: str
    sentence: tuple[int, int]
    role_ref: bool = False


def name_spans(doc: Doc, body: str | None = None) -> list[NameSpan]:
    """The cleaned, typed name spans of a parsed body, in text order (`body`: `doc.text`, which
    spaCy builds again at each call, when the caller has it)."""
    body = doc.text if body is None else body
    spans = [s for s in (_clean(ent, body) for ent in doc.ents) if s is not None]
    return _names_before_roles(doc, body, _extend_institutions(doc, body, _join_dangling(body, spans)))


def _clean(ent: Span, body: str) -> NameSpan | None:
    """spaCy's span with titles, determiners, edges and line breaks cut off; None when nothing is left."""
    label = _LABELS.get(ent.label_)
    if label is None or _GLUED.search(ent.text):
        return None  # not a name kind, or words glued to numbers ("Kadewere24L"): a table, not prose
    if (len(ent) == 1 and ent[0].pos_ in ("NOUN", "ADJ", "VERB") and ent.ent_id_ != KNOWN
            and (ent[0].is_sent_start or ent.start == 0 or _line_initial(ent, body))
            and _common_word(ent.doc, ent[0].lower_) and not role_follows(body, ent.end_char)
            and (label != "PERSON" or _not_a_subject(ent))):
        return None  # a common word capitalised by its place ("Jackpot pour…", "Surpeuplé, le site…")
    text, start = ent.text, ent.start_char
    cut = _SPAN_BREAK.search(text)
    if cut:
        text = text[: cut.start()]
    text = _TRAILING_DATE.sub("", text)  # "OFAG jeudi"
    stripped = text.lstrip(_EDGE)
    start += len(text) - len(stripped)
    text = stripped.rstrip(_EDGE + " ")
    head = role_head(text)
    sentence = (ent.sent.start_char, ent.sent.end_char)
    if head is not None and label in ("PERSON", "ORG", "MISC"):
        return NameSpan(start, start + len(text), "PERSON", sentence, role_ref=True)
    prefix = _TITLES.match(text) if label == "PERSON" else DETERMINERS.match(text)
    # "la SNCF" is SNCF, but "Le Monde" and "Les Echos" are names: a capital determiner in
    # mid-sentence belongs to the name of an organisation or a work.
    keep = ent.ent_id_ == KNOWN or (
        prefix and label in ("ORG", "MISC") and text[:1].isupper() and ent.start_char != ent.sent.start_char)
    if prefix and not keep:
        start += prefix.end()
        text = text[prefix.end():]
    institution = INSTITUTION.match(text)
    if institution and label in ("ORG", "LOC", "MISC"):
        label = "ORG"
    if label == "LOC" and text.isalpha() and text.isupper() and len(text) >= 3 and text not in _PLACE_ACRONYMS:
        label = "ORG"  # "la BRH", "SUD": acronyms name organisations far more often than places
    if label in ("MISC", "LOC") or label == "PERSON" and len(ent) == 1:
        if _ORG_BEFORE.search(body[max(0, start - 60):start]) or _ORG_AFTER.match(body, start + len(text)):
            label = "ORG"  # "la chaîne qatarie Al-Jazeera", "Oceana, une organisation de défense…"
    if label in ("MISC", "LOC") and len(text.split()) >= 2 and _defined_by_acronym(body, start, start + len(text)):
        label = "ORG"  # "la WCF (Wild Chimpanzés Fundation)": a name with an acronym is an organisation's
    if text.casefold() in _CALENDAR:
        return None
    named = text[:1].isupper() or label == "PERSON" and _PARTICLE.match(text)  # "M. de Villepin"
    if len(text) < 2 or not named and not institution and label != "MISC":
        return None
    if label == "PERSON" and not _plausible_person(ent, text):
        return None
    return NameSpan(start, start + len(text), label, sentence)


def _not_a_subject(ent: Span) -> bool:
    """A participle, an adjective or a plural noun that no verb follows: "Surpeuplé, le site…",
    "Intrigués par ce cas…", never "Mohamed porte…" nor "4. Armstrong (EU)"."""
    token = ent[0]
    after = ent.doc[ent.end] if ent.end < len(ent.doc) else None
    shape = token.pos_ in ("ADJ", "VERB") or "Plur" in token.morph.get("Number")
    return shape and (after is None or after.pos_ not in ("VERB", "AUX"))


def _common_word(doc: Doc, word: str) -> bool:
    """A word of the language model's vocabulary ("jackpot", "mots-clés"), not an unknown name ("anticor")."""
    return all(doc.vocab[part].has_vector for part in word.split("-") if part)


def _defined_by_acronym(body: str, start: int, end: int) -> bool:
    """ "ACR (Long Name)" or "Long Name (ACR)", with the acronym's letters the name's initials."""
    before = re.search(r"\b([A-Z]{2,8})\s*\(\s*$", body[max(0, start - 12):start])
    after = re.match(r"\s*\(\s*([A-Z]{2,8})\s*\)", body[end:end + 14])
    letters = initials(body[start:end])
    return any(m and (letters == m[1].casefold() or len(m[1]) >= 3 and letters.startswith(m[1].casefold()))
               for m in (before, after))


def _line_initial(ent: Span, body: str) -> bool:
    """Only bullets, dashes or quote marks stand between the start of the line and the name."""
    line_start = body.rfind("\n", 0, ent.start_char) + 1
    return re.fullmatch(r"[\s\-–—•*·>«“\"]*", body[line_start:ent.start_char]) is not None


def _plausible_person(ent: Span, text: str) -> bool:
    doc = ent.doc
    after = doc[ent.end] if ent.end < len(doc) else None
    if after is not None and after.text.startswith("-") and after.text.lstrip("-").lower() in {"t", "il", "elle", "on"}:
        return False  # "Saura-t-il": an inverted verb, not a name
    if len(ent) == 1 and ent[0].pos_ in {"VERB", "AUX", "PRON", "ADV", "ADP", "DET", "CCONJ", "SCONJ"}:
        return False
    return not text.isupper() or len(text) <= 4


def _join_dangling(body: str, raws: list[NameSpan]) -> list[NameSpan]:
    """A name ending in a preposition takes the name right after it ("Chœur de" + "Radio France"
    is one organisation), or loses the preposition when nothing follows."""
    raws = sorted(raws, key=lambda r: (r.start, r.end))
    joined: list[NameSpan] = []
    skip = set()
    for i, raw in enumerate(raws):
        if i in skip:
            continue
        dangling = _DANGLING.search(body[raw.start:raw.end] + " ")
        if dangling is None:
            joined.append(raw)
            continue
        following = raws[i + 1] if i + 1 < len(raws) and not dangling["also"] else None  # "X et de la" + Y: two
        if following is not None and not body[raw.end:following.start].strip() and "\n" not in body[raw.end:following.start]:
            label = "ORG" if "ORG" in (raw.label, following.label) else raw.label
            joined.append(NameSpan(raw.start, following.end, label, raw.sentence))
            skip.add(i + 1)
            continue
        end = raw.start + dangling.start()
        if end - raw.start >= 2:
            joined.append(NameSpan(raw.start, end, raw.label, raw.sentence, raw.role_ref))
    return joined


OF_PLACE = re.compile(r"\s+(?:de la|de l['’]|du|de|des|d['’])\s*")


def _extend_institutions(doc: Doc, body: str, raws: list[NameSpan]) -> list[NameSpan]:
    """Institution names the model cut short: a descriptive name takes its second half after "et"
    ("Agence nationale de sécurité du médicament" + "et des produits de santé"), and a place
    right after "de" ("Centre hospitalier" + "de la" + "Côte basque")."""
    out: list[NameSpan] = []
    for i, raw in enumerate(raws):
        text = body[raw.start:raw.end]
        if raw.label not in ("ORG", "MISC") or not INSTITUTION.match(text) or (out and out[-1].end > raw.start):
            out.append(raw)
            continue
        following = raws[i + 1] if i + 1 < len(raws) else None
        gap = OF_PLACE.fullmatch(body, raw.end, following.start) if following else None
        if gap and following.label == "LOC":
            out.append(NameSpan(raw.start, following.end, "ORG", raw.sentence))
            continue
        end = _second_half(doc, raw.start, raw.end) if text[-1:].islower() else None
        if end is not None and (following is None or following.start >= end):
            out.append(NameSpan(raw.start, end, "ORG", raw.sentence))
            continue
        out.append(raw)
    return [r for i, r in enumerate(out) if not (i and out[i - 1].end > r.start and out[i - 1].start < r.start)]


def _second_half(doc: Doc, start: int, at: int) -> int | None:
    """End of "et des produits de santé" right after the name `[start, at)`, when lowercase
    complements that the parser hangs under the name run up to punctuation or a verb; else None."""
    tokens = tokens_from(doc, at, 12)
    if len(tokens) < 3 or tokens[0].lower_ != "et" or tokens[0].idx != at + 1:
        return None
    i, end = 1, None
    while i < len(tokens):
        j = i
        while j < len(tokens) and tokens[j].pos_ in ("ADP", "DET") and tokens[j].text.islower():
            j += 1
        if j < len(tokens) and tokens[j].pos_ == "NOUN" and tokens[j].text.islower() and (j > i or end is not None):
            end, i = tokens[j].idx + len(tokens[j]), j + 1
            while i < len(tokens) and tokens[i].pos_ == "ADJ" and tokens[i].text.islower():
                end, i = tokens[i].idx + len(tokens[i]), i + 1
            continue
        break
    stop = tokens[i] if i < len(tokens) else None
    if end is None or stop is not None and stop.pos_ not in ("PUNCT", "AUX", "VERB"):
        return None
    if stop is not None and "Plur" in stop.morph.get("Number"):
        return None  # "Le Conseil … et des chercheurs … ont signé": two subjects, not one name
    name = set(range(token_index(doc, start), token_index(doc, at)))
    if not all(name & {a.i for a in t.ancestors} for t in tokens[1:i] if t.pos_ == "NOUN"):
        return None  # the parser hangs the words elsewhere: a coordination of two phrases
    return end


_NAME_WORD = re.compile(r"(?:[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]*['’])?[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’]+(?:-[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+)*")
_NOT_NAME = {"DET", "ADP", "PRON", "AUX", "CCONJ", "SCONJ", "ADV", "VERB", "NUM", "PUNCT"}


def _names_before_roles(doc: Doc, body: str, raws: list[NameSpan]) -> list[NameSpan]:
    """Two or three capitalised words right before a role noun are a person, whatever the model
    said ("Séverin Talbazou, député écologiste", "Ovidiu Kranjec chef de mission"), unless the
    model found a person in them ("faubourg de Béré Victorine Dupuis, veuve"). Runs cross the
    model's sentence breaks, which often split such unknown names, but never a line; titles
    ("Mme", "M.") stay out."""
    raws = sorted(raws, key=lambda r: (r.start, r.end))
    starts, longest = [r.start for r in raws], max((r.end - r.start for r in raws), default=0)
    removed: set[int] = set()  # indices of raws a run replaced (runs never overlap each other)
    added: list[NameSpan] = []
    run: list = []
    for token in [*doc, None]:
        if token is not None and _NAME_WORD.fullmatch(token.text) and not token.is_stop \
                and token.pos_ not in _NOT_NAME and not _TITLES.match(token.text + " "):
            run.append(token)
            if token.whitespace_ == " ":
                continue
        if 2 <= len(run) <= 3:
            start, end = run[0].idx, run[-1].idx + len(run[-1])
            inside = [i for i in range(bisect_left(starts, start - longest), bisect_left(starts, end))
                      if i not in removed and raws[i].start < end and start < raws[i].end]
            if (role_follows(body, end) and not INSTITUTION.match(body[start:end])
                    and all(start <= raws[i].start and raws[i].end <= end and raws[i].end - raws[i].start < end - start
                            and (raws[i].label != "PERSON" or raws[i].start == start) for i in inside)):
                sentence = (run[0].sent.start_char, run[-1].sent.end_char)
                removed.update(inside)
                added.append(NameSpan(start, end, "PERSON", sentence))
        run = []
    kept = [r for i, r in enumerate(raws) if i not in removed]
    return sorted(kept + added, key=lambda r: (r.start, r.end))


_STOPWORDS = {"de", "du", "des", "la", "le", "les", "l", "d", "et", "pour", "en", "of", "the", "and", "for", "a", "à"}


def initials(name: str) -> str:
    """First letters of the words that count in an acronym: "Parti socialiste" -> "ps"."""
    words = [w for w in re.split(r"[\s'’-]+", fold(name)) if w and w not in _STOPWORDS]
    return "".join(w[0] for w in words)


