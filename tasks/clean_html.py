"""Cleaning of HTML pages: the article body through trafilatura, plus what its defaults get wrong.

trafilatura finds the main content (comments excluded, precision favoured). Around it,
generic rules: a pre-clean of the page drops "read also" inserts, screen-reader text and
link-only teaser paragraphs; the headline is dropped when it opens the body; credit,
advertising and paywall lines are dropped; and the lead (standfirst), which trafilatura
leaves out on many French news pages, is put back. Image captions are collected apart.
No rule names a site. This module must not decide metadata.
"""

from __future__ import annotations

import re
import unicodedata
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

import trafilatura
from trafilatura.utils import load_html

from tasks.normalize import normalize_line, normalize_text


@dataclass
class CleanedHtml:
    """The body of a page, its captions, the headline it shows, and the parsed page for metadata."""

    body: str
    captions: list[str] = field(default_factory=list)
    title: str | None = None
    tree: Any = None


TRAFILATURA_OPTIONS = {"include_comments": False, "favor_precision": True}
RECALL_FALLBACK_BELOW = 250  # characters

SKIP_TAGS = {"script", "style", "noscript", "head", "meta", "title", "html", "body", "template", "svg"}


_SPACES = {ord(c): " " for c in "\u00a0\u202f\u2009\u2007\u00ad"}
_SPACES.update({0x2019: "'", 0x2018: "'", 0x02BC: "'"})


def _norm(s: str) -> str:
    """NFKC, straight apostrophes, no exotic spaces, folded whitespace, casefold."""
    s = unicodedata.normalize("NFKC", s or "").translate(_SPACES)
    return " ".join(s.split()).casefold()


def _attrs(el) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}".lower()


def _tokens(el) -> set[str]:
    raw = f"{el.get('class') or ''} {el.get('id') or ''}"
    raw = re.sub(r"([a-z])([A-Z])", r"\1 \2", raw)  # camelCase -> words
    return {t for t in re.split(r"[\s_\-]+", raw.lower()) if t}


def _text_len(el) -> int:
    return len(" ".join(el.text_content().split()))


# ------------------------------------------------------------------ 1. DOM pre-cleaning
READ_ALSO_TEXT = re.compile(
    r"^\W*(?:[àa] lire aussi|lire aussi|[àa] lire [ée]galement|lire [ée]galement|voir aussi|[àa] voir aussi|"
    r"sur le m[êe]me sujet|read more|read also|see also|related(?: article| story| stories| articles)?\s*:|"
    r"more on this)\b",
    re.IGNORECASE,
)
READ_ALSO_ATTR = re.compile(r"lire[-_ ]?aussi|read[-_]?(?:more|also)|see[-_]?also|voir[-_]?aussi|related|a[-_]lire\b")
# class names of content wrappers ("entry-content-read-more") must not be taken for teasers
CONTENT_ATTR = re.compile(r"content|body|entry|text|article")
HIDDEN_ATTR = re.compile(r"a11y-hidden|sr-only|visually-hidden|screen-reader|subscribe-?(?:box|banner)")
CONTAINER_TAGS = {"article", "main", "section"}


def _is_link_only_paragraph(p) -> bool:
    """A short <p> of 4+ words whose words are all inside links (a teaser to another article)."""
    links = p.findall(".//a")
    if not links:
        return False
    full = re.sub(r"\W+", "", p.text_content())
    if not full or len(full) > 200 or len(p.text_content().split()) < 4:
        return False
    return re.sub(r"\W+", "", "".join(a.text_content() for a in links)) == full


_MARKS = "«»“”\"„‹›"
_EMBED = re.compile(r"tweet|twitter|instagram|tiktok|facebook|\bfb-|embed|social|x\.com", re.I)


def _mark_quotes(tree) -> None:
    """Write the marks of <q> and <blockquote> into the text, so the quote stage sees them
    (« » on French pages and pages that do not say, “ ” on others).

    A blockquote's paragraphs each open with « and the last one closes it (the French
    convention the quote finder reads). Pages use <blockquote> for much besides quotations
    (indented summaries, "read also" boxes, embedded posts), so only one that names its
    source (a cite attribute, a <cite> or <footer>) counts, and not a pull quote that repeats
    text found elsewhere on the page.
    """
    root = tree.getroottree().getroot() if hasattr(tree, "getroottree") else tree
    french = (root.get("lang") or "fr").lower().startswith("fr")
    opener, closer = ("«\u00a0", "\u00a0»") if french else ("“", "”")
    page = None
    for el in list(tree.iter("q", "blockquote")):
        text = " ".join(el.text_content().split())
        if not text or text[0] in _MARKS or text[-1] in _MARKS:
            continue
        if el.tag == "q":
            el.text = opener + (el.text or "")
            _append(el, closer)
            el.drop_tag()  # inline text, not an element the extractor might set apart
            continue
        if _EMBED.search(f"{_attrs(el)} {el.get('cite') or ''}") or not (el.get("cite") or el.find(".//cite") is not None
                                             or el.find(".//footer") is not None):
            continue
        if page is None:
            page = " ".join(tree.getroot().text_content().split()) if hasattr(tree, "getroot") else \
                " ".join(tree.text_content().split())
        if page.count(text[:60]) > 1:
            continue  # a pull quote: the body says it again
        blocks = [p for p in el.iter("p") if p.text_content().strip()] or [el]
        for block in blocks:
            if block.text and block.text.strip():
                block.text = opener + block.text.lstrip()
            else:
                block.insert(0, _text_node(block, opener))
        _append(blocks[-1], closer)


def _append(el, text: str) -> None:
    if len(el):
        el[-1].tail = (el[-1].tail or "").rstrip() + text
    else:
        el.text = (el.text or "").rstrip() + text


def _text_node(parent, text: str):
    span = parent.makeelement("span", {})
    span.text = text
    return span


def _preclean(tree):
    doomed = []
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in SKIP_TAGS:
            continue
        attrs = _attrs(el)
        if (el.tag not in CONTAINER_TAGS and READ_ALSO_ATTR.search(attrs)
                and not CONTENT_ATTR.search(attrs) and _text_len(el) < 800):
            doomed.append(el)
            continue
        txt = el.text_content()
        if (READ_ALSO_TEXT.match(" ".join(txt[:80].split())) and len(txt) < 400
                and (el.tag == "a" or el.find(".//a") is not None)):
            doomed.append(el)
            continue
        if HIDDEN_ATTR.search(attrs) and _text_len(el) < 500:
            doomed.append(el)
            continue
        if el.tag == "p" and _is_link_only_paragraph(el):
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:  # not already removed with an ancestor
            el.drop_tree()  # keeps the tail text
    _mark_quotes(tree)
    return tree


# ------------------------------------------------------------------ 3. headline
TITLE_SEP = re.compile(r"\s+[|\-–—:·»]\s+")
_QUOTES = " «»“”\"'„"


def _page_title(tree) -> str | None:
    """og:title, else <title> (cheap; trafilatura.extract_metadata costs more than the extraction)."""
    for xp in ('//meta[@property="og:title"]/@content', '//meta[@name="twitter:title"]/@content', "//title/text()"):
        vals = [v for v in tree.xpath(xp) if v and v.strip()]
        if vals:
            return " ".join(vals[0].split())
    return None


def _title_variants(title, tree) -> set[str]:
    out = set()
    for t in [title or ""] + [h.text_content() for h in tree.iter("h1")][:3]:
        n = _norm(t).strip(_QUOTES)
        if len(n) >= 10:
            out.add(n)
            parts = TITLE_SEP.split(n)
            if len(parts) > 1 and len(parts[0]) >= 15:
                out.add(parts[0])  # "Title | Site name"
    return out


def _drop_title_line(body: str, title, tree) -> str:
    variants = _title_variants(title, tree)
    ls = body.split("\n")
    for i, line in enumerate(ls[:3]):
        if _norm(line).strip(_QUOTES) in variants:
            return "\n".join(ls[:i] + ls[i + 1:]).strip()
    return body


# ------------------------------------------------------------------ 4. boilerplate lines
LINE_DROP = re.compile(
    r"^(?:cr[ée]dits?(?: photos?)?\s*:|photo\s*:|©|\(c\)\s|[ée]dition\s*:|illustration\s*:|"
    r"passer la publicit[ée]$|publicit[ée]$|advertisement$|sponsored$|"
    r"il vous reste \d+(?:[.,]\d+)?\s*% de cet article|la suite est r[ée]serv[ée]e aux abonn|"
    r"cet article est r[ée]serv[ée] aux abonn|abonnez-vous pour (?:lire|acc[ée]der)|"
    r"inscrivez-vous gratuitement$|lire la suite$|"
    r"(?:[àa] )?lire aussi\b|(?:[àa] )?voir aussi\b|read more\s*:|related\s*:)",
    re.IGNORECASE,
)


def _line_filter(text: str) -> str:
    keep = [l for l in text.split("\n") if not (l.strip() and len(l.strip()) < 200 and LINE_DROP.match(l.strip()))]
    return "\n".join(keep).strip()


# ------------------------------------------------------------------ 5. lead / standfirst
LEAD_ATTR = re.compile(
    r"chap[oô]|chapeau|standfirst|subheadline|sub-headline|lede\b|incipit|accroche|article[-_]+desc|"
    r"article[-_]+summary|article[-_]+intro|post[-_]+(?:excerpt|intro|chapo)|(?:^|[\s_-])lead(?:$|[\s_-])|"
    r"(?:^|\s)(?:intro|summary|description|excerpt|dek|deck)(?:$|\s)"
)
NOT_LEAD_ANCESTOR = {"comment", "comments", "commentaire", "commentaires", "forum", "related", "teaser", "teasers",
                     "footer", "sidebar", "widget", "newsletter", "menu", "nav", "navbar", "navigation", "promo"}
NOT_LEAD_TAGS = {"figure", "figcaption", "nav", "footer", "aside", "form", "li", "ul", "ol", "a", "button"}
NOT_LEAD_SELF = re.compile(r"caption|credit|legend|l[ée]gende|copyright|byline|author|kicker|breadcrumb")
BLOCK_TAGS = {"p", "div", "h2", "h3", "h4", "header", "section", "td", "blockquote", "article"}


def _bad_ancestry(el) -> bool:
    for a in el.iterancestors():
        if not isinstance(a.tag, str) or a.tag in ("body", "html", "main"):
            continue  # page-level containers carry layout modifiers ("main--with-contextual-nav")
        if a.tag in NOT_LEAD_TAGS or _tokens(a) & NOT_LEAD_ANCESTOR:
            return True
    return False


def _meta_descriptions(tree) -> list[str]:
    out = []
    for m in tree.xpath('//meta[@name="description" or @property="og:description" or @name="twitter:description"]'):
        c = _norm(m.get("content") or "").rstrip(".… ")
        if len(c) >= 40 and c not in out:
            out.append(c)
    return out


def _block(el, min_len: int):
    """Lowest ancestor-or-self that is a block element, or whose text is long enough to be the lead."""
    while el is not None and isinstance(el.tag, str) and el.tag not in BLOCK_TAGS:
        if _text_len(el) >= min_len:
            return el
        el = el.getparent()
    return el


def _find_lead(tree, body: str, title: str | None) -> str | None:
    nbody = _norm(body)
    lines = [l for l in body.split("\n") if len(l) >= 40]
    first_line = _norm(lines[0])[:80] if lines else None
    full_metas = _meta_descriptions(tree)
    metas = [m[:40] for m in full_metas]
    ntitle = _norm(title or "")
    order, h1_pos, class_cands = {}, None, []
    for i, el in enumerate(tree.iter()):
        if not isinstance(el.tag, str):
            continue
        order[el] = i
        if h1_pos is None and el.tag == "h1":
            h1_pos = i
        if el.tag not in SKIP_TAGS and el.get("class") and LEAD_ATTR.search(_attrs(el)):
            class_cands.append(el)
    body_hits, meta_cands = [], []
    for node in tree.xpath("//body//text()"):
        if len(node) < 25:
            continue
        parent = node.getparent()
        if parent is None or not isinstance(parent.tag, str) or parent.tag in SKIP_TAGS:
            continue
        n = _norm(str(node))
        if len(n) < 25:
            continue
        if first_line and (first_line in n or (len(n) >= 60 and first_line.startswith(n[:80]))):
            body_hits.append(order.get(parent, 0))
        if metas and any(n.startswith(m[:len(n)] if len(n) < 40 else m) for m in metas):
            blk = _block(parent, int(0.8 * min(len(m) for m in full_metas)))
            if blk is not None and blk not in meta_cands:
                meta_cands.append(blk)
    after_h1 = [p for p in body_hits if h1_pos is None or p > h1_pos]
    body_pos = after_h1[0] if after_h1 else None
    good = []
    for el, meta_hit in [(e, True) for e in meta_cands] + [(e, False) for e in class_cands if e not in meta_cands]:
        t = _norm(el.text_content())
        if not (40 <= len(t) <= 1200) or t == ntitle:
            continue
        if t[:80] in nbody:
            return None  # the lead is already in the body
        i = order.get(el, 0)
        if (body_pos is not None and i > body_pos) or (h1_pos is not None and i < h1_pos):
            continue  # a lead sits between the headline and the first body paragraph
        if el.tag in NOT_LEAD_TAGS or NOT_LEAD_SELF.search(_attrs(el)) or _bad_ancestry(el):
            continue
        if not meta_hit and sum(1 for c in class_cands if c.get("class") == el.get("class")) > 1:
            continue  # class-only evidence must be unique on the page (not a list of teasers)
        good.append((0 if meta_hit else 1, i, el))
    if not good:
        return None
    good.sort(key=lambda g: (g[0], g[1]))
    return " ".join(good[0][2].text_content().split()) or None


def clean_html(html: str, url: str | None = None) -> CleanedHtml:
    """Extract the article body (lead kept, title, comments and captions out) of a page."""
    tree = load_html(html)
    if tree is None:
        return CleanedHtml(body="")
    work = _preclean(deepcopy(tree))
    body = trafilatura.extract(deepcopy(work), url=url, **TRAFILATURA_OPTIONS) or ""
    if len(body) < RECALL_FALLBACK_BELOW:
        alt = trafilatura.extract(deepcopy(work), url=url, include_comments=False, favor_recall=True) or ""
        if len(alt) > len(body):
            body = alt
    title = _page_title(tree)
    captions = [normalize_line(c.text_content()) for c in tree.iter("figcaption")]
    if body:
        body = _line_filter(_drop_title_line(body, title, tree))
        lead = _find_lead(tree, body, title) if body else None
        if lead:
            body = lead + "\n" + body
    return CleanedHtml(body=normalize_text(body), captions=[c for c in captions if c], title=title, tree=tree)
