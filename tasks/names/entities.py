"""Entities of a post: spaCy's names, cleaned, typed, and resolved to one entity per real thing.

Within a post every form of an entity resolves to it: "Anne" to Anne Roy when she is
the only Anne, "Jean-Piere Martin" (a typo) to Jean-Pierre Martin, "BPI France" and
"Bpifrance" to one organisation, "la Ministre" to the person the post gave that role.
Titles never become part of a name. Ambiguous merges (two people sharing a first name)
are not made. Across posts an entity is identified by its type and folded canonical name,
so ids are deterministic. Name spans come from `tasks.names.entity_spans` (repaired by
`tasks.names.name_repairs`), roles from `tasks.names.roles`, merges of organisations' forms from
`tasks.names.entity_merges`.
This module must not read quotes.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections import Counter, defaultdict

from rapidfuzz import fuzz
from spacy.tokens import Doc

from schemas import Entity, EventRef, Mention, Role
from tasks.names.entity_merges import Cluster, merge_located, merge_short_forms, name_key
from tasks.names.entity_spans import DETERMINERS, NameSpan, name_spans
from tasks.events import fold
from tasks.names.name_repairs import repair_names
from tasks.names.role_lexicon import role_noun
from tasks.names.roles import find_roles, portfolio_spans, role_head


def entity_id_for(entity_type: str, name: str) -> str:
    return hashlib.sha256(f"{entity_type}:{name_key(name)}".encode()).hexdigest()[:16]


def extract_entities(
    doc: Doc, events: tuple[EventRef, ...] = ()
) -> tuple[tuple[Entity, ...], tuple[Mention, ...], tuple[Role, ...]]:
    """Entities, mentions and roles of one parsed body."""
    body = doc.text
    raws = repair_names(doc, name_spans(doc, body), body)
    roles = find_roles(doc, [(r.start, r.end) for r in raws if r.label == "PERSON" and not r.role_ref],
                       [(r.start, r.end, "ROLE" if r.role_ref else r.label) for r in raws], body)
    portfolios = portfolio_spans(doc, body)
    raws = [r for r in raws if r.label == "PERSON" or not any(a <= r.start < b for a, b in portfolios)]
    for finding in roles:
        span = finding.organisation_span
        if span:  # an organisation slot outweighs a MISC guess that runs past the name, or a person guess
            raws = [r for r in raws if not (r.label == "MISC" and r.start == span[0] and r.end > span[1])]
            raws = [NameSpan(r.start, r.end, "ORG", r.sentence) if (r.start, r.end) == span and r.label == "PERSON"
                    else r for r in raws]
        if span and not any(r.start < span[1] and span[0] < r.end for r in raws):
            sentence = next(((s.start_char, s.end_char) for s in doc.sents if s.start_char <= span[0] < s.end_char),
                            (0, len(body)))
            raws.append(NameSpan(span[0], span[1], "ORG", sentence))
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
    unique: dict[str, Entity] = {}
    for entity in entities:  # two clusters with one id (an alias and its name): the fuller name
        if len(entity.name) > len(unique.get(entity.entity_id, entity).name) or entity.entity_id not in unique:
            unique[entity.entity_id] = entity
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


def _resolve(body, raws, roles, event_names, doc) -> list[Cluster]:
    persons = [r for r in raws if r.label == "PERSON" and not r.role_ref]
    clusters: list[Cluster] = []
    org_spans = [f.organisation_span for f in roles if f.organisation_span]

    # organisations, places, events and others: one cluster per folded key
    typed: dict[str, list[NameSpan]] = defaultdict(list)
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
        cluster = Cluster(type=kind, mentions=group)
        cluster.forms.update(body[r.start:r.end] for r in group)
        cluster.name = event_names.get(key) or _canonical(cluster.forms, doc)
        clusters.append(cluster)

    clusters = merge_located(merge_short_forms(body, clusters))

    # people: full names first (typos merged), then single names, then titles
    full = [r for r in persons if len(body[r.start:r.end].split()) >= 2]
    single = [r for r in persons if len(body[r.start:r.end].split()) == 1]
    people: list[Cluster] = []
    by_word: dict[str, set[int]] = defaultdict(set)  # every pair `_same_person` joins shares a word
    for raw in full:
        form = body[raw.start:raw.end]
        words = _words(form)
        near = sorted(set().union(*(by_word.get(w, set()) for w in words)))
        at = next((i for i in near if any(_same_person(form, f) for f in people[i].forms)), None)
        if at is None:
            at = len(people)
            people.append(Cluster(type="PERSON"))
        for w in words:
            by_word[w].add(at)
        people[at].forms[form] += 1
        people[at].mentions.append(raw)
    leftovers: dict[str, Cluster] = {}
    by_part: dict[str, list[int]] = defaultdict(list)  # a folded first or last name -> its people, in order
    for i, cluster in enumerate(people):
        for part in dict.fromkeys(p for f in cluster.forms for p in _end_parts(f)):
            by_part[part].append(i)
    for raw in single:
        form = body[raw.start:raw.end]
        owners = [people[i] for i in by_part.get(fold(form), [])]
        if len(owners) == 1:
            owners[0].mentions.append(raw)
            continue
        if owners:
            continue  # two people share this name: a careful reader could not tell which
        cluster = leftovers.setdefault(fold(form), Cluster(type="PERSON"))
        cluster.forms[form] += 1
        cluster.mentions.append(raw)
    people.extend(leftovers.values())
    for cluster in people:
        cluster.name = _canonical(cluster.forms, doc)
    _attach_role_references(body, [r for r in raws if r.role_ref], roles, people)
    found = clusters + [c for c in people if c.mentions]
    _propagate(body, found, doc)
    return found


def _propagate(body: str, clusters: list[Cluster], doc: Doc) -> None:
    """Add the occurrences of each cluster's names that the model missed ("Anne Roy exprime...")."""
    taken = bytearray(len(body) + 1)  # characters some mention covers: overlap checks in O(name length)
    for c in clusters:
        for r in c.mentions:
            taken[r.start:r.end] = b"\x01" * (r.end - r.start)
    owners: dict[str, set[int]] = defaultdict(set)
    for i, cluster in enumerate(clusters):
        for form in cluster.forms:
            owners[form].add(i)
    parts: set[str] = set()
    written = set(owners)
    for i, cluster in enumerate(clusters):
        if cluster.type == "PERSON":
            for part in _name_parts(cluster.forms) - written:  # "Bolloré" the company stays the company's
                owners[part].add(i)
                parts.add(part)
    sentences = [(s.start_char, s.end_char) for s in doc.sents]
    sentence_starts = [a for a, _ in sentences]
    owner = {form: clusters[next(iter(indices))] for form, indices in owners.items()
             if len(indices) == 1 and len(form) >= 3 and form[:1].isupper()}
    if not owner:
        return
    # one pass over the body for every name, the longest first where two start at one place
    names = "|".join(re.escape(form) for form in sorted(owner, key=len, reverse=True))
    for match in re.finditer(rf"(?<![\w-])(?:{names})(?![\w-])", body):
        start, end = match.span()
        if any(taken[start:end]):
            continue
        if match.group() in parts and _DETERMINED.search(body, max(0, start - 6), start):
            continue  # "la Marine", "le Rose": a common word, not the first name
        cluster = owner[match.group()]
        i = bisect_right(sentence_starts, start) - 1
        sentence = sentences[i] if i >= 0 and start < sentences[i][1] else (0, len(body))
        cluster.mentions.append(NameSpan(start, end, cluster.type, sentence))
        taken[start:end] = b"\x01" * (end - start)


def _name_parts(forms) -> set[str]:
    """The first and last words of a person's full names as written ("Anne", "Roy" of "Anne Roy"):
    how a text names again someone it introduced ("…, répondit Anne"). Not a surname's particle
    nor what follows one ("de Sable" is no "Sable"), nor an initial."""
    parts = set()
    for form in forms:
        words = form.split()
        if len(words) < 2:
            continue
        ends = [words[0]] + ([words[-1]] if not _PARTICLES.fullmatch(words[-2]) else [])
        parts.update(w for w in ends if re.fullmatch(r"[A-ZÀ-Þ][\w'’-]*[^\W\d_]", w) and not w.endswith("."))
    return parts


_DETERMINED = re.compile(r"\b(?:le|la|les|l['’]|un|une|des|du|au|aux|ce|cette)\s*$", re.I)
_PARTICLES = re.compile(r"(?:de|du|des|d['’]|van|von|der|del|della|di|da|le|la)", re.I)


def _words(name: str) -> list[str]:
    return fold(name).replace("-", " ").split()


def _same_person(a: str, b: str) -> bool:
    """Two full names of one person: equal when folded, one letter off in one part (typos),
    or the same but for a middle or first initial ("Paul J. Martin", "C. Roy")."""
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


def _end_parts(full: str) -> tuple[str, ...]:
    """The folded first and last words of a full name: what a single name may stand for."""
    parts = fold(full).split()
    return (parts[0], parts[-1])


def _canonical(forms: Counter, doc: Doc) -> str:
    """The fullest, most often written form; between typo variants, the one made of known words."""
    def known(form: str) -> int:
        return sum(doc.vocab[w.lower()].has_vector for w in re.split(r"[\s-]+", form) if w)

    # "Le Monde" is kept over "Monde" when written so at least as often; "la SNCF" never is.
    determined = {f: n for f, n in forms.items() if DETERMINERS.match(f)}
    bare = {f: n for f, n in forms.items() if f not in determined}
    for form, n in determined.items():
        short = form[DETERMINERS.match(form).end():]
        if form[:1].isupper() and n >= bare.get(short, 0):
            bare.pop(short, None)
            bare[form] = n
    bare = bare or forms
    return max(bare, key=lambda f: (len(DETERMINERS.sub("", f).split()), known(f), bare[f], -len(f), f))


def _attach_role_references(body, refs, roles, people) -> None:
    """ "la Ministre" names the one person of the post given that role; otherwise nobody."""
    holders: dict[str, set[int]] = defaultdict(set)
    person_of = {}
    for i, cluster in enumerate(people):
        for raw in cluster.mentions:
            person_of[(raw.start, raw.end)] = i
    for finding in roles:
        if finding.role and finding.person in person_of:
            holders[fold(role_noun(finding.role) or finding.role)].add(person_of[finding.person])
    for raw in refs:
        head = role_head(body[raw.start:raw.end])
        owners = holders.get(fold(head or ""), set())
        if len(owners) == 1:
            people[next(iter(owners))].mentions.append(raw)
