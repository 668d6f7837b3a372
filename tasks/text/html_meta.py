"""Metadata of a web page: title, authors, publication date, site name, canonical URL, categories, tags.

Each field is chosen from several signals in a fixed order of trust (see `extract_html_metadata`),
and the choice is recorded in `sources`. Dates come from htmldate on the page without its
reader comments, and never lie after `now`.
"""

from __future__ import annotations

import re
import unicodedata
from copy import deepcopy
from datetime import date, datetime
from urllib.parse import urlparse

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from tasks.text.bylines import body_end_signature, labelled_authors, names_from_byline, signature_paragraph, visible_byline
from tasks.text.page_signals import JsonLd, is_excluded, fold_text, is_site, first_meta, meta_map, keys_of_site, domain_tokens, text_of, ws

_SEP = re.compile(r"\s+[|‹›»«·•–—:/-]{1,2}\s+|\s+::\s+")
_DATEISH = re.compile(r"^[\d./\- ]+$")


def _segments(t: str) -> list[str]:
    return [s for s in _SEP.split(t) if s.strip()]


def clean_title(t: str, site_names: list[str], site_keys: set[str], dom_toks: set[str]) -> str:
    t = ws(t)
    if not t:
        return ""
    for sn in sorted({ws(x) for x in site_names if x}, key=len, reverse=True):
        if len(sn) < 3 or len(sn) >= len(t):
            continue
        t2 = re.sub(r"\s*(?:[|‹›»·•–—:-]|::)\s*" + re.escape(sn) + r"\s*$", "", t, flags=re.I)
        t2 = re.sub(r"^\s*" + re.escape(sn) + r"\s*(?:[|‹›»·•–—:-]|::)\s*", "", t2, flags=re.I)
        if t2 and t2 != t:
            t = t2
    seps = list(_SEP.finditer(t))
    if not seps:
        return t
    bounds = [0] + [x for m in seps for x in (m.start(), m.end())] + [len(t)]
    segs = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]

    def junk(a, b):
        s = t[a:b].strip()
        toks = {x for x in re.split(r"[\W_]+", fold_text(s)) if len(x) >= 4}
        return (is_site(s, site_keys) or bool(_DATEISH.match(s)) or re.search(r"\.\w{2,4}$", s) is not None
                or (len(s.split()) <= 4 and bool(toks & dom_toks)))

    while len(segs) > 1 and junk(*segs[-1]):
        segs.pop()
    while len(segs) > 1 and junk(*segs[0]):
        segs.pop(0)
    return t[segs[0][0]: segs[-1][1]].strip()


def _nt(s: str) -> str:
    s = unicodedata.normalize("NFKC", s or "").replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(s.split()).strip(" «»“”\"'„‹›").casefold()


def pick_title(meta_titles: list[tuple[str, str]], h1s: list[str], site_names, site_keys, dom_toks):
    metas = [(src, ws(t)) for src, t in meta_titles if ws(t)]
    cleaned = [(src, clean_title(t, site_names, site_keys, dom_toks)) for src, t in metas]
    h1s = [h for h in (ws(h) for h in h1s) if h and not is_site(h, site_keys)]
    # 1. an <h1> that a metadata title confirms (equal, equal to a segment, or prefix/suffix of it)
    for h in h1s:
        nh = _nt(h)
        if len(nh) < 8:
            continue
        for src, t in metas + cleaned:
            nt = _nt(t)
            if nh == nt or nh in {_nt(s) for s in _segments(t)}:
                return h, "h1=" + src
            if (nt.endswith(nh) or nt.startswith(nh)) and len(nh) >= 0.5 * len(nt):
                return h, "h1~" + src
    # 2. a metadata title (or one of its segments) that an <h1> contains (h1 with a kicker/badge)
    best = None
    for h in h1s:
        nh = _nt(h)
        for src, t in metas + cleaned:
            for s in {t, *_segments(t)}:
                ns = _nt(s)
                if len(ns) >= 8 and ns in nh and len(ns) >= 0.6 * len(nh):
                    if best is None or len(s) > len(best[0]):
                        best = (ws(s), "in-h1:" + src)
    if best:
        return best
    # 3. priority order of cleaned metadata titles
    for src, t in cleaned:
        if t:
            return t, src
    return (h1s[0], "h1") if h1s else ("", None)


# ----------------------------------------------------------------------------- language / date


def _iso_day(s: str, today: date) -> str | None:
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", s or "")
    if not m:
        return None
    try:
        d = date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
    return d.isoformat() if date(1995, 1, 1) <= d <= today else None


_COMMENT_TOKEN = re.compile(r"^(comments?|commentaires?|comment-|forum|respond|disqus|reactions?)", re.I)


def _without_comments(page: HtmlElement):
    """A copy of the page without reader-comment blocks (their dates mislead htmldate)."""
    tree = deepcopy(page)
    for e in list(tree.iter()):
        if not isinstance(e.tag, str) or e.tag in ("html", "body"):
            continue
        toks = " ".join(filter(None, (e.get("class"), e.get("id")))).split()
        if any(_COMMENT_TOKEN.match(t) for t in toks) and e.getparent() is not None:
            e.getparent().remove(e)
    return tree


def find_pub_date(tree: HtmlElement, url: str | None, ld: JsonLd, metas, now: datetime) -> tuple[str | None, str]:
    today = now.date()
    d = find_date(_without_comments(tree), url=url, original_date=True, extensive_search=True,
                  outputformat="%Y-%m-%d", max_date=today.isoformat())
    d = _iso_day(d, today) if d else None
    if d:
        return d, "htmldate"
    for v, src in ((ld.first("datePublished"), "jsonld"),
                   (first_meta(metas, "article:published_time", "og:article:published_time", "parsely-pub-date",
                       "date", "dc.date", "pubdate"), "meta")):
        d = _iso_day(v, today)
        if d:
            return d, src
    return None, "none"


# ----------------------------------------------------------------------------- categories / tags


def _split_list(vals: list[str]) -> list[str]:
    out: list[str] = []
    for v in vals:
        for x in re.split(r"\s*[,;]\s*", v) if ("," in v or ";" in v) else [v]:
            x = ws(x)
            if x and x not in out:
                out.append(x)
    return out


_TAG_BOX = re.compile(r"^(tags?|post-tags|entry-tags|article-tags|tag-list|tags-list|mots|mots-cles|motscles|"
                      r"keywords|etiquettes|categories)$", re.I)


_CATEGORY_HREF = re.compile(r"/(?:category|categorie|categories|rubrique)/|[?&]cat=", re.I)
_CATEGORY_BOX = re.compile(r"\b(?:taxonomy-category|cat-links|post-categories|entry-categories)\b")


def _is_category(a: HtmlElement) -> bool:
    """A term link that names a category: rel="category tag" (classic WordPress themes), a
    category address (/category/x/, ?cat=3) or a categories box (block themes mark every
    term rel="tag" inside a taxonomy-category block)."""
    if "category" in (a.get("rel") or "").split() or _CATEGORY_HREF.search(a.get("href") or ""):
        return True
    return any(_CATEGORY_BOX.search(p.get("class") or "") for p, _ in zip(a.iterancestors(), range(3)))


def term_links(tree: HtmlElement) -> tuple[list[str], list[str]]:
    """(categories, tags) of the article's term links (rel="tag" or rel="category")."""
    categories: list[str] = []
    tags: list[str] = []
    for a in tree.xpath("//a[contains(concat(' ', normalize-space(@rel), ' '), ' tag ')"
                        " or contains(concat(' ', normalize-space(@rel), ' '), ' category ')]"):
        t = text_of(a)
        if t and len(t) <= 60 and not is_excluded(a):
            bucket = categories if _is_category(a) else tags
            if t not in bucket:
                bucket.append(t)
    return categories, tags


def boxed_tags(tree: HtmlElement) -> list[str]:
    """Links in a tags/mots-clés box, for a page whose tag links have no rel."""
    for box in tree.iter():
        if not isinstance(box.tag, str):
            continue
        toks = " ".join(filter(None, (box.get("class"), box.get("id")))).split()
        if any(_TAG_BOX.match(t) for t in toks) and not is_excluded(box):
            links = [text_of(a) for a in box.iter("a")]
            links = [t for t in links if t and len(t) <= 60]
            if links:
                return list(dict.fromkeys(links))
    return []


# ----------------------------------------------------------------------------- main entry

def extract_html_metadata(
    html: str, url: str | None, body_text: str, now: datetime, fallback_title: str | None = None,
    tree: HtmlElement | None = None,
) -> dict:
    """Metadata fields of a page, with `sources` naming the signal each one came from.

    `tree` is the page already parsed, when the caller has it; it is only read, never changed.
    """
    tree = tree if tree is not None else (load_html(html) if html else None)
    if tree is None:
        return {"title": fallback_title, "authors": [], "author": None, "date": None, "language_hint": None,
                "site_name": None, "canonical_url": url, "categories": [], "tags": [], "description": None,
                "sources": {}}
    metas = meta_map(tree)
    ld = JsonLd(tree)

    canon = None
    for ln in tree.xpath("//link[@rel='canonical'][@href]"):
        canon = ln.get("href").strip()
        break
    canonical_url = canon or first_meta(metas, "og:url") or url
    urls = [u for u in (url, canonical_url, first_meta(metas, "og:url")) if u]

    site_name_cands = [first_meta(metas, "og:site_name"), *ld.org_names(), first_meta(metas, "application-name"),
                       first_meta(metas, "apple-mobile-web-app-title"), first_meta(metas, "dc.publisher", "publisher"),
                       first_meta(metas, "twitter:site").lstrip("@")]
    site_name_cands = [s for s in (ws(x) for x in site_name_cands) if s]
    site_keys = keys_of_site(site_name_cands, urls)
    dom_toks = domain_tokens(urls)
    site_name = next((s for s in site_name_cands if not re.match(r"https?://", s)), None)
    if not site_name and urls:
        host = urlparse(urls[0]).hostname or ""
        site_name = host[4:] if host.startswith("www.") else host or None

    # ---- title
    meta_titles = [("jsonld", ld.first("headline")), ("og", first_meta(metas, "og:title")),
                   ("twitter", first_meta(metas, "twitter:title", "twitter:text:title")),
                   ("parsely", first_meta(metas, "parsely-title")), ("meta-title", first_meta(metas, "title")),
                   ("html-title", tree.findtext(".//title") or ""),
                   ("trafilatura", fallback_title or "")]
    h1s = [text_of(h) for h in tree.xpath("//h1") if not is_excluded(h)][:5]
    title, title_src = pick_title(meta_titles, h1s, site_name_cands, site_keys, dom_toks)

    # ---- authors
    authors: list[str] = []
    author_src = None
    steps = []
    ld_names = [n for n, is_org in ld.authors() if not is_org]
    steps.append(("jsonld", lambda: [x for n in ld_names for x in names_from_byline(n, site_keys)]))
    meta_auth = [v for k in ("article:author", "og:article:author", "parsely-author", "dc.creator",
                             "sailthru.author", "citation_author") for v in metas.get(k, [])
                 if not re.match(r"https?://|www\.", v)]
    steps.append(("meta", lambda: [x for v in meta_auth for x in names_from_byline(v, site_keys)]))
    steps.append(("label", lambda: labelled_authors(tree, site_keys)))

    steps.append(("byline", lambda: visible_byline(tree, site_keys)))
    steps.append(("signature-p", lambda: signature_paragraph(tree, site_keys)))
    steps.append(("body-end", lambda: body_end_signature(body_text, site_keys)))
    for src, fn in steps:
        names = fn()
        if names:
            authors, author_src = names, src
            break
    # de-duplicate preserving order, fullest form
    seen = []
    for a in authors:
        if not any(fold_text(a) == fold_text(b) for b in seen):
            seen.append(a)
    authors = seen

    # ---- language, date
    language_hint = tree.get("lang") or tree.get("xml:lang") or first_meta(metas, "language", "content-language", "og:locale")
    pub_date, date_src = find_pub_date(tree, url, ld, metas, now)

    # ---- categories / tags / description
    cats = _split_list(metas.get("article:section", []) + metas.get("og:article:section", []))
    if not cats:
        sec = [a.get("articleSection") for a in ld.articles]
        cats = _split_list([s for x in sec for s in (x if isinstance(x, list) else [x]) if isinstance(s, str)])
    if not cats and metas.get("parsely-section"):
        cats = _split_list(metas["parsely-section"])
    linked_categories, linked_tags = term_links(tree)  # one pass over the term links
    cats = cats or linked_categories
    tags = _split_list(metas.get("article:tag", []) + metas.get("parsely-tags", []))
    if not tags:
        tags = linked_tags or boxed_tags(tree)
    if not tags:
        tags = _split_list(metas.get("news_keywords", []) or metas.get("keywords", []))
    description = first_meta(metas, "og:description", "description", "twitter:description") or ld.first("description") or None

    return {
        "title": title or None,
        "authors": authors,
        "author": ", ".join(authors) if authors else None,
        "date": pub_date,
        "language_hint": language_hint or None,
        "site_name": site_name,
        "canonical_url": canonical_url,
        "categories": cats,
        "tags": tags,
        "description": description,
        "sources": {"title": title_src, "author": author_src, "date": date_src},
    }
