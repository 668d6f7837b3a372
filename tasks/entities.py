"""Entities of a post: spaCy's names, cleaned, typed, and resolved to one entity per real thing.

Within a post every form of an entity resolves to it: "Clara" to Clara Chapaz when she is
the only Clara, "Jean-Piere Farandou" (a typo) to Jean-Pierre Farandou, "BPI France" and
"Bpifrance" to one organisation, "la Ministre" to the person the post gave that role.
Titles never become part of a name. Ambiguous merges (two people sharing a first name)
are not made. Across posts an entity is identified by its type and folded canonical name,
so ids are deterministic. Roles come from `tasks.roles`. This module must not read quotes.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from spacy.tokens import Doc, Span

from schemas import Entity, EventRef, Mention, Role
from tasks.events import fold
from tasks.nlp import KNOWN
from tasks.roles import find_roles, role_follows, role_head

_LABELS = {"PER": "PERSON", "PERSON": "PERSON", "ORG": "ORG", "LOC": "LOC", "GPE": "LOC", "MISC": "MISC",
           "EVENT": "EVENT"}
_TITLES = re.compile(
    r"^(?:(?:m\.|mm\.|mme|mmes|mlle|me|dr|pr|madame|monsieur|mesdames|messieurs|docteur|professeur|maître|"
    r"sir|mr\.?|mrs\.?|ms\.?)\s+)+",
    re.I,
)
_DETERMINERS = re.compile(r"^(?:l['’]|la |le |les |du |de la |de l['’]|des |de |d['’]|the )", re.I)
_PARTICLE = re.compile(r"(?:de|du|des|d['’]|van|von|der|del|della|di|da)\s*[A-ZÀ-Þ]")
# An organisation noun before a name ("le site Meteociel") or in an apposition after it types it ORG.
_ORG_NOUNS = (r"(?:site|chaîne|radio|journal|quotidien|hebdomadaire|magazine|agence|ONG|organisation|organisme|société"
              r"|entreprise|start-?up|groupe|compagnie|banque|plateforme|application|appli|réseau social|cabinet"
              r"|association|fonds|label|syndicat|collectif|fondation|institut|orchestre|opérateur|constructeur"
              r"|éditeur|assureur|distributeur|laboratoire|club|équipe)")
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
_INSTITUTION = re.compile(
    r"^(?:ministère|ministry|université|university|cour|tribunal|conseil|collège|institut|institute|agence|agency"
    r"|comité|commission|fédération|confédération|association|syndicat|parti|banque|bank|fondation|foundation"
    r"|centre|center|inspection|bureau|haute autorité|autorité|office|société|groupe|compagnie|école|lycée"
    r"|hôpital|assemblée|sénat|gouvernement|direction|délégation|observatoire|académie|union|mouvement"
    r"|collectif|conservatoire|orchestre|laboratoire|cabinet|préfecture|mairie|région|département|parquet)\b",
    re.I,
)


@dataclass
class _Raw:
    start: int
    end: int
    label: str
    sentence: tuple[int, int]
    role_ref: bool = False


@dataclass
class _Cluster:
    type: str
    forms: Counter = field(default_factory=Counter)
    mentions: list[_Raw] = field(default_factory=list)
    name: str = ""


def entity_id_for(entity_type: str, name: str) -> str:
    return hashlib.sha256(f"{entity_type}:{name_key(name)}".encode()).hexdigest()[:16]


def name_key(name: str) -> str:
    """Folded name without spaces, hyphens, ligatures or leading determiners: "BPI France" = "Bpifrance",
    "Chœur" = "Choeur"."""
    folded = fold(_DETERMINERS.sub("", name)).replace("œ", "oe").replace("æ", "ae")
    return "".join(c for c in folded if c.isalnum())


def extract_entities(
    doc: Doc, events: tuple[EventRef, ...] = ()
) -> tuple[tuple[Entity, ...], tuple[Mention, ...], tuple[Role, ...]]:
    """Entities, mentions and roles of one parsed body."""
    body = doc.text
    raws = [r for r in (_clean(ent) for ent in doc.ents) if r is not None]
    raws = _names_before_roles(doc, _join_dangling(body, raws))
    roles = find_roles(doc, [(r.start, r.end) for r in raws if r.label == "PERSON" and not r.role_ref])
    for finding in roles:
        span = finding.organisation_span
        if span:  # an organisation slot outweighs a MISC guess that runs past the name
            raws = [r for r in raws if not (r.label == "MISC" and r.start == span[0] and r.end > span[1])]
        if span and not any(r.start < span[1] and span[0] < r.end for r in raws):
            sentence = next(((s.start_char, s.end_char) for s in doc.sents if s.start_char <= span[0] < s.end_char),
                            (0, len(body)))
            raws.append(_Raw(span[0], span[1], "ORG", sentence))
    event_names = {e.key: e.name for e in events}
    clusters = _resolve(body, raws, roles, event_names, doc)
    entities, mentions, by_raw = [], [], {}
    for cluster in clusters:
        entity = Entity(entity_id=entity_id_for(cluster.type, cluster.name), name=cluster.name, type=cluster.type)
        entities.append(entity)
        for raw in cluster.mentions:
            by_raw[(raw.start, raw.end)] = entity.entity_id
            mentions.append(Mention(
                entity_id=entity.entity_id, surface=body[raw.start:raw.end], char_start=raw.start,
                char_end=raw.end, sentence_start=raw.sentence[0], sentence_end=raw.sentence[1],
            ))
    unique = {e.entity_id: e for e in entities}
    role_rows = []
    for finding in roles:
        person = by_raw.get(finding.person)
        if person is None:
            continue
        org_id = next((eid for (a, b), eid in by_raw.items() if finding.organisation_span
                       and a < finding.organisation_span[1] and finding.organisation_span[0] < b), None)
        role_rows.append(Role(
            entity_id=person, role=finding.role, organisation=finding.organisation, organisation_entity_id=org_id,
            char_start=finding.evidence[0], char_end=finding.evidence[1],
        ))
    mentions.sort(key=lambda m: (m.char_start, m.char_end))
    return tuple(unique.values()), tuple(mentions), tuple(dict.fromkeys(role_rows))


def _clean(ent: Span) -> _Raw | None:
    """spaCy's span with titles, determiners, edges and line breaks cut off; None when nothing is left."""
    label = _LABELS.get(ent.label_)
    if label is None or _GLUED.search(ent.text):
        return None  # not a name kind, or words glued to numbers ("Kadewere24L"): a table, not prose
    if (len(ent) == 1 and ent[0].pos_ in ("NOUN", "ADJ", "VERB") and label != "PERSON" and ent.ent_id_ != KNOWN
            and (ent[0].is_sent_start or ent.start == 0 or _line_initial(ent))):
        return None  # a common word capitalised by its place ("Jackpot pour…", "Horaires : …")
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
    if head is not None and label in ("PERSON", "ORG"):
        return _Raw(start, start + len(text), "PERSON", sentence, role_ref=True)
    prefix = _TITLES.match(text) if label == "PERSON" else _DETERMINERS.match(text)
    # "la SNCF" is SNCF, but "Le Monde" and "Les Echos" are names: a capital determiner in
    # mid-sentence belongs to the name of an organisation or a work.
    keep = ent.ent_id_ == KNOWN or (
        prefix and label in ("ORG", "MISC") and text[:1].isupper() and ent.start_char != ent.sent.start_char)
    if prefix and not keep:
        start += prefix.end()
        text = text[prefix.end():]
    institution = _INSTITUTION.match(text)
    if institution and label in ("ORG", "LOC", "MISC"):
        label = "ORG"
    if label in ("MISC", "LOC") or label == "PERSON" and len(ent) == 1:
        body = ent.doc.text
        if _ORG_BEFORE.search(body[max(0, start - 60):start]) or _ORG_AFTER.match(body, start + len(text)):
            label = "ORG"  # "la chaîne qatarie Al-Jazeera", "Oceana, une organisation de défense…"
    if text.casefold() in _CALENDAR:
        return None
    named = text[:1].isupper() or label == "PERSON" and _PARTICLE.match(text)  # "M. de Villepin"
    if len(text) < 2 or not named and not institution and label != "MISC":
        return None
    if label == "PERSON" and not _plausible_person(ent, text):
        return None
    return _Raw(start, start + len(text), label, sentence)


def _line_initial(ent: Span) -> bool:
    """Only bullets, dashes or quote marks stand between the start of the line and the name."""
    body = ent.doc.text
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


def _join_dangling(body: str, raws: list[_Raw]) -> list[_Raw]:
    """A name ending in a preposition takes the name right after it ("Chœur de" + "Radio France"
    is one organisation), or loses the preposition when nothing follows."""
    raws = sorted(raws, key=lambda r: (r.start, r.end))
    joined: list[_Raw] = []
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
            joined.append(_Raw(raw.start, following.end, label, raw.sentence))
            skip.add(i + 1)
            continue
        end = raw.start + dangling.start()
        if end - raw.start >= 2:
            joined.append(_Raw(raw.start, end, raw.label, raw.sentence, raw.role_ref))
    return joined


_NAME_WORD = re.compile(r"[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’]+(?:-[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+)*")
_NOT_NAME = {"DET", "ADP", "PRON", "AUX", "CCONJ", "SCONJ", "ADV", "VERB", "NUM", "PUNCT"}


def _names_before_roles(doc: Doc, raws: list[_Raw]) -> list[_Raw]:
    """Two or three capitalised words right before a role noun are a person, whatever the model
    said ("Pouria Amirshahi, député socialiste", "Barrêt Koivogui chef d'antenne"). Runs cross
    the model's sentence breaks, which often split such unknown names, but never a line."""
    body = doc.text
    run: list = []
    for token in [*doc, None]:
        if token is not None and _NAME_WORD.fullmatch(token.text) and not token.is_stop \
                and token.pos_ not in _NOT_NAME:
            run.append(token)
            if token.whitespace_ == " ":
                continue
        if 2 <= len(run) <= 3:
            start, end = run[0].idx, run[-1].idx + len(run[-1])
            inside = [r for r in raws if r.start < end and start < r.end]
            if (role_follows(body, end) and not _INSTITUTION.match(body[start:end])
                    and all(start <= r.start and r.end <= end and r.end - r.start < end - start for r in inside)):
                sentence = (run[0].sent.start_char, run[-1].sent.end_char)
                raws = [r for r in raws if r not in inside]
                raws.append(_Raw(start, end, "PERSON", sentence))
        run = []
    return sorted(raws, key=lambda r: (r.start, r.end))


def _resolve(body, raws, roles, event_names, doc) -> list[_Cluster]:
    persons = [r for r in raws if r.label == "PERSON" and not r.role_ref]
    clusters: list[_Cluster] = []
    org_spans = [f.organisation_span for f in roles if f.organisation_span]

    # organisations, places, events and others: one cluster per folded key
    typed: dict[str, list[_Raw]] = defaultdict(list)
    for raw in raws:
        if raw.label != "PERSON":
            typed[name_key(body[raw.start:raw.end])].append(raw)
    for key, group in typed.items():
        if not key:
            continue
        votes = Counter(r.label for r in group)
        if any(a < r.end and r.start < b for r in group for a, b in org_spans):
            votes["ORG"] += 10
        kind = "EVENT" if key in event_names else votes.most_common(1)[0][0]
        cluster = _Cluster(type=kind, mentions=group)
        cluster.forms.update(body[r.start:r.end] for r in group)
        cluster.name = event_names.get(key) or _canonical(cluster.forms, doc)
        clusters.append(cluster)

    clusters = _merge_short_forms(body, clusters)

    # people: full names first (typos merged), then single names, then titles
    full = [r for r in persons if len(body[r.start:r.end].split()) >= 2]
    single = [r for r in persons if len(body[r.start:r.end].split()) == 1]
    people: list[_Cluster] = []
    for raw in full:
        form = body[raw.start:raw.end]
        match = next((c for c in people if any(_same_person(form, f) for f in c.forms)), None)
        if match is None:
            match = _Cluster(type="PERSON")
            people.append(match)
        match.forms[form] += 1
        match.mentions.append(raw)
    leftovers: dict[str, _Cluster] = {}
    for raw in single:
        form = body[raw.start:raw.end]
        owners = [c for c in people if any(_shares_name(form, f) for f in c.forms)]
        if len(owners) == 1:
            owners[0].mentions.append(raw)
            continue
        if owners:
            continue  # two people share this name: a careful reader could not tell which
        cluster = leftovers.setdefault(fold(form), _Cluster(type="PERSON"))
        cluster.forms[form] += 1
        cluster.mentions.append(raw)
    people.extend(leftovers.values())
    for cluster in people:
        cluster.name = _canonical(cluster.forms, doc)
    _attach_role_references(body, [r for r in raws if r.role_ref], roles, people)
    found = clusters + [c for c in people if c.mentions]
    _propagate(body, found, doc)
    return found


def _propagate(body: str, clusters: list[_Cluster], doc: Doc) -> None:
    """Add the occurrences of each cluster's names that the model missed ("Clara Chapaz exprime...")."""
    taken = sorted((r.start, r.end) for c in clusters for r in c.mentions)
    owners: dict[str, set[int]] = defaultdict(set)
    for i, cluster in enumerate(clusters):
        for form in cluster.forms:
            owners[form].add(i)
    sentences = [(s.start_char, s.end_char) for s in doc.sents]
    for form, indices in owners.items():
        if len(indices) != 1 or len(form) < 3 or not form[:1].isupper():
            continue
        cluster = clusters[next(iter(indices))]
        for match in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", body):
            start, end = match.span()
            if any(a < end and start < b for a, b in taken):
                continue
            sentence = next(((a, b) for a, b in sentences if a <= start < b), (0, len(body)))
            cluster.mentions.append(_Raw(start, end, cluster.type, sentence))
            taken.append((start, end))


_STOPWORDS = {"de", "du", "des", "la", "le", "les", "l", "d", "et", "pour", "en", "of", "the", "and", "for", "a", "à"}


def _initials(name: str) -> str:
    words = [w for w in re.split(r"[\s'’-]+", fold(name)) if w and w not in _STOPWORDS]
    return "".join(w[0] for w in words)


def _merge_short_forms(body: str, clusters: list[_Cluster]) -> list[_Cluster]:
    """An acronym, or a first word alone, joins the one longer name of the post it stands for:
    "CNIL" and "Commission nationale informatique et libertés (CNIL)", "PS" and "Parti socialiste",
    "Assemblée" and "Assemblée nationale". Two candidates: no merge."""
    merged: set[int] = set()
    for i, short in enumerate(clusters):
        if short.type not in ("ORG", "LOC", "MISC") or len(short.name.split()) != 1:
            continue
        word = short.name
        candidates = [
            j for j, long in enumerate(clusters)
            if j != i and long.type in ("ORG", "LOC", "MISC") and len(long.name.split()) >= 2 and (
                word.isupper() and 2 <= len(word) <= 6 and _initials(long.name) == word.casefold()
                or _defined_together(body, long, short)
                or _INSTITUTION.fullmatch(word) and fold(long.name).split()[0] == fold(word)
            )
        ]
        if len(candidates) == 1:
            target = clusters[candidates[0]]
            target.mentions.extend(short.mentions)
            target.forms.update(short.forms)
            votes = Counter(r.label for r in target.mentions)
            if target.type == "MISC" or votes[target.type] < max(votes.values()):
                target.type = votes.most_common(1)[0][0]
            if _INSTITUTION.match(target.name):
                target.type = "ORG"
            merged.add(i)
    return [c for i, c in enumerate(clusters) if i not in merged]


def _defined_together(body: str, long: _Cluster, short: _Cluster) -> bool:
    """ "Full Name (ACR)" or "ACR (Full Name)" somewhere in the body."""
    for a in long.mentions:
        for b in short.mentions:
            if re.fullmatch(r"\s*\(\s*", body[a.end:b.start]) or re.fullmatch(r"\s*\(\s*", body[b.end:a.start]):
                return True
    return False


def _same_person(a: str, b: str) -> bool:
    """Two full names of one person: equal when folded, one letter off in one part (typos),
    or the same but for a middle or first initial ("Donald J. Trump", "C. Turpin")."""
    fa, fb = fold(a).replace("-", " ").split(), fold(b).replace("-", " ").split()
    if fa == fb:
        return True
    sa = [w for w in fa if not re.fullmatch(r"\w\.?", w)]
    sb = [w for w in fb if not re.fullmatch(r"\w\.?", w)]
    if sa == sb and len(sa) >= 2:
        return True
    ia, ib = re.fullmatch(r"(\w)\.\s*(\S+)", fold(a)), re.fullmatch(r"(\w)\.\s*(\S+)", fold(b))
    for initial, full in ((ia, fb), (ib, fa)):
        if initial and len(full) >= 2 and full[0].startswith(initial[1]) and full[-1] == initial[2]:
            return True
    if len(fa) != len(fb) or fa[-1] != fb[-1] and fa[0] != fb[0]:
        return False
    return fuzz.ratio(" ".join(fa), " ".join(fb)) >= 90


def _shares_name(single: str, full: str) -> bool:
    parts = fold(full).split()
    return fold(single) in (parts[0], parts[-1])


def _canonical(forms: Counter, doc: Doc) -> str:
    """The fullest, most often written form; between typo variants, the one made of known words."""
    def known(form: str) -> int:
        return sum(doc.vocab[w.lower()].has_vector for w in re.split(r"[\s-]+", form) if w)

    # "Le Monde" is kept over "Monde" when written so at least as often; "la SNCF" never is.
    determined = {f: n for f, n in forms.items() if _DETERMINERS.match(f)}
    bare = {f: n for f, n in forms.items() if f not in determined}
    for form, n in determined.items():
        short = form[_DETERMINERS.match(form).end():]
        if form[:1].isupper() and n >= bare.get(short, 0):
            bare.pop(short, None)
            bare[form] = n
    bare = bare or forms
    return max(bare, key=lambda f: (len(_DETERMINERS.sub("", f).split()), known(f), bare[f], -len(f), f))


def _attach_role_references(body, refs, roles, people) -> None:
    """ "la Ministre" names the one person of the post given that role; otherwise nobody."""
    holders: dict[str, set[int]] = defaultdict(set)
    person_of = {}
    for i, cluster in enumerate(people):
        for raw in cluster.mentions:
            person_of[(raw.start, raw.end)] = i
    for finding in roles:
        if finding.role and finding.person in person_of:
            holders[fold(role_head(finding.role) or finding.role)].add(person_of[finding.person])
    for raw in refs:
        head = role_head(body[raw.start:raw.end])
        owners = holders.get(fold(head or ""), set())
        if len(owners) == 1:
            people[next(iter(owners))].mentions.append(raw)
