"""Authors of a web page: person names from JSON-LD, author meta tags, labelled credits and bylines.

An author is a person: site, publisher, wire-agency and organisation names are refused
whatever field carries them, and names keep their spelling ("E. MARTIN", "Le Goff").
`<meta name="author">` is not read: publishers put their own name there.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from tasks.text.page_signals import BAD_SELF, BYLINE_ATTR, attrs_of, is_excluded, fold_text, is_site, text_of, ws

_AGENCIES = {"afp", "reuters", "ap", "associated press", "ats", "belga", "dpa", "ansa", "efe", "xinhua",
             "anadolu", "aps", "map", "apa", "keystone ats", "sipa", "upi", "bloomberg", "relaxnews",
             "afp relaxnews", "agence france presse", "agence france-presse"}
_ORG_WORDS = re.compile(
    r"\b(redaction|journal|times|presse|press|medias?|magazine|agence|agency|newsroom|staff|equipe|collectif|"
    r"association|service|membres|team|editorial|editions|groupe|group|inc|ltd|sarl|sas|publications?|"
    r"contributeurs?|invites?|lecteurs?|abonnes)\b")
_LEADING_ARTICLE = re.compile(r"^(le|la|les|l'|the|un|une|des|du)\s", re.I)
_NAME_TOKEN = r"(?:[A-ZÀ-ÖØ-Þ][\w'’.\-]*[\w.]|[A-ZÀ-ÖØ-Þ]\.?)"
_PARTICLE = r"(?:de|du|des|d['’]|van|von|der|den|di|da|del|della|le|la|ben|bin|ibn|el|al|dos|das|y)"
_NAME_RUN = re.compile(rf"{_NAME_TOKEN}(?:\s+(?:{_PARTICLE}\s+|d['’])?{_NAME_TOKEN})*")
# words/phrases that introduce or separate names in bylines; turned into separators
_BYLINE_SEP = re.compile(
    r"(?i)(?:\bpropos recueillis par\b|\brecueillis? par\b|\br[ée]dig[ée] par\b|\b[ée]crit par\b|"
    r"\bsign[ée] par\b|\bpubli[ée]e?\b|\bpost[ée] par\b|\bmis à jour\b|\bmise à jour\b|\bupdated\b|\bpublished\b|\bpar\b|\bby\b|\bavec\b|\bwith\b|\bet\b|\band\b|"
    r"\bauteur(?:e|s|es)?\b|\bautrice\b|\bauthors?\b|\btexte\b|\bjournaliste\b|\bcorrespondante?\b|"
    r"\bsuivre\b|\bvoir\b|\bphotos?\b|\bphotographies?\b|\billustrations?\b|\binfographies?\b|\bvid[ée]os?\b|"
    r"\bcr[ée]dits?\b|\b[ée]quipe\b|\br[ée]daction\b|\benvoy[ée]e? sp[ée]ciale?\b|"
    r"(?<![A-ZÀ-Þ])\.\s|[,;&|•·()\[\]/]|\s[-–—]\s|\s[-–—]$|:)")
_PERSON_LOWER_OK = {"de", "du", "des", "d'", "van", "von", "der", "den", "di", "da", "del", "della", "le", "la",
                    "ben", "bin", "ibn", "el", "al", "dos", "das", "y"}


def _cut_at_date(s: str) -> str:
    m = re.search(r"\d", s)
    if m:
        s = s[: m.start()]
        s = re.sub(r"(?i)[\s,|–—-]*\b(le|du|à|a|publi[ée]e?|mis à jour|updated|published|on|lundi|mardi|mercredi|"
                   r"jeudi|vendredi|samedi|dimanche)\b[\s,]*$", "", s).strip()
        s = re.sub(r"(?i)[\s,|–—-]*\b(le|du|à|on)\b[\s,]*$", "", s).strip()
    return s


def _dedupe_doubled(s: str) -> str:
    """'Anne Le GoffAnne Le Goff' / 'A B A B' -> one copy (mobile+desktop spans)."""
    s = s.strip()
    n = len(s)
    if n % 2 == 0 and s[: n // 2] == s[n // 2:]:
        return s[: n // 2]
    toks = s.split()
    if len(toks) % 2 == 0 and toks[: len(toks) // 2] == toks[len(toks) // 2:]:
        return " ".join(toks[: len(toks) // 2])
    return s


def _credit_first_role(s: str) -> str:
    """'revue de presse : A B montage : C D son : E F' -> 'A B' (first credited role)."""
    labels = list(re.finditer(r"(?:^|(?<=\s))([a-zàâçéèêëîïôûù'’ ]{2,30}?)\s*:\s*", s))
    if len(labels) >= 2:
        return s[labels[0].end(): labels[1].start()]
    return s


def names_from_byline(text: str, site_keys: set[str]) -> list[str]:
    """Person names found in a short byline string, original spelling kept."""
    s = ws(text)
    if not s or len(s) > 160:
        return []
    s = _credit_first_role(s)
    out: list[str] = []
    for part in re.split(r"\s[|•·]\s", s):
        part = _dedupe_doubled(_cut_at_date(part))
        for chunk in _BYLINE_SEP.split(part):
            chunk = _dedupe_doubled(chunk.strip(" -–—'’\""))
            for m in _NAME_RUN.finditer(chunk):
                cand = _dedupe_doubled(m.group(0).strip(" -"))
                # keep the dot of a final initial ("Nicolas Gutierrez C."), drop a sentence-final one
                if cand.endswith(".") and not re.search(r"(?:^|\s)[A-ZÀ-Þ]\.$", cand):
                    cand = cand[:-1]
                cand = re.sub(r"^(?:M\.|Mme|Mlle|Me|Dr|Pr)\s+", "", cand)
                if _valid_person(cand, site_keys) and cand not in out:
                    out.append(cand)
    # keep only the fullest form of a name
    return [n for n in out if not any(n != o and n in o for o in out)]


def _valid_person(name: str, site_keys: set[str]) -> bool:
    n = ws(name)
    f = fold_text(n)
    toks = n.split()
    if not (2 <= len(toks) <= 5) or len(n) > 50 or re.search(r"\d|@|https?:|www\.|\.[a-z]{2,4}\b", n):
        return False
    if f in _AGENCIES or is_site(n, site_keys):
        return False
    if _LEADING_ARTICLE.match(n) or _ORG_WORDS.search(f):
        return False
    if sum(1 for t in toks if t[0].isupper()) < 2:
        return False
    if any(t[0].islower() and t.lower() not in _PERSON_LOWER_OK and not re.match(r"d['’][A-ZÀ-Þ]", t)
           for t in toks):
        return False
    return True


def byline_elements(tree: HtmlElement) -> list[HtmlElement]:
    """Byline-like elements in document order (outer ones first), outside site chrome."""
    found = []
    for e in tree.iter():
        if not isinstance(e.tag, str) or e.tag in ("script", "style", "meta", "link", "img", "noscript", "body",
                                                    "html", "input", "label"):
            continue
        at = attrs_of(e)
        if not at or not BYLINE_ATTR.search(at) or BAD_SELF.search(e.get("class") or "") or is_excluded(e):
            continue
        found.append(e)
    return found


def visible_byline(tree: HtmlElement, site_keys: set[str]) -> list[str]:
    """The first byline element that names persons. An element whose text is short (<= 140 chars) is read
    whole, so that "Par A (avec B et C)" keeps every co-author; a longer one (byline + lead) is skipped in
    favour of its byline-classed descendants."""
    tried: set = set()
    for e in byline_elements(tree):
        if any(a in tried for a in e.iterancestors()):
            continue
        t = text_of(e)
        if not t or len(t) > 140:
            continue
        tried.add(e)
        names = names_from_byline(t, site_keys)
        if names:
            return names
    return []


def signature_paragraph(tree: HtmlElement, site_keys: set[str]) -> list[str]:
    """Old-style signature: a paragraph that holds only a person name, right-aligned or emphasised,
    after at least 1,000 characters of paragraph text."""
    seen = 0
    for p in tree.iter("p", "div"):
        t = text_of(p)
        if p.tag == "p" and len(t) > 80:
            seen += len(t)
            continue
        if seen < 1000 or not t or len(t) > 40 or is_excluded(p):
            continue
        style = (p.get("style") or "").replace(" ", "").lower()
        right = p.get("align", "").lower() == "right" or "text-align:right" in style
        kids = [k for k in p if isinstance(k.tag, str)]
        emph = len(kids) == 1 and kids[0].tag in ("em", "i", "strong", "b") and text_of(kids[0]) == t
        if (right or emph) and _NAME_RUN.fullmatch(t.strip(" .")) and _valid_person(t.strip(" ."), site_keys):
            return [t.strip(" .")]
    return []


_LABEL = re.compile(r"(?i)^\s*(auteur|auteure|auteurs|autrice|author|authors|texte|signé)\s*:?\s*$")
_LABEL_INLINE = re.compile(r"(?i)^\s*(?:auteur|auteure|auteurs|autrice|author|authors|texte)\s*:\s*(.{3,80})$")


def labelled_authors(tree: HtmlElement, site_keys: set[str]) -> list[str]:
    for e in tree.iter("p", "div", "span", "li", "dt", "th", "td", "strong", "b", "em", "small", "dd"):
        if is_excluded(e):
            continue
        t = text_of(e)
        if len(t) > 100:
            continue
        if any(_LABEL_INLINE.match(text_of(k)) for k in e if isinstance(k.tag, str)):
            continue  # a child holds the label alone: read the innermost element
        m = _LABEL_INLINE.match(t)
        if m:
            names = names_from_byline(m.group(1), site_keys)
            if names:
                return names
        elif _LABEL.match(t):
            sib = e.getnext()
            if sib is not None and isinstance(sib.tag, str):
                names = names_from_byline(text_of(sib), site_keys)
                if names:
                    return names
    return []


def body_end_signature(body_text: str, site_keys: set[str]) -> list[str]:
    lines = [l.strip() for l in (body_text or "").splitlines() if l.strip()]
    if len(lines) < 3:
        return []
    last = lines[-1].strip(" .-–—")
    if len(last) <= 40 and _NAME_RUN.fullmatch(last) and _valid_person(last, site_keys):
        return [last]
    return []


