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
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

import trafilatura
from trafilatura.utils import load_html

from tasks.text.html_text import SKIP_TAGS, attrs_text, norm, text_len
from tasks.text.lead import find_lead
from tasks.text.normalize import normalize_line, normalize_text


@dataclass
class CleanedHtml:
    """The body of a page, its captions, the headline it shows, and the parsed page for metadata."""

    body: str
    captions: list[str] = field(default_factory=list)
    title: str | None = None
    tree: Any = None


TRAFILATURA_OPTIONS = {"include_comments": False, "favor_precision": True}
RECALL_FALLBACK_BELOW = 250  # characters



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
        if _EMBED.search(f"{attrs_text(el)} {el.get('cite') or ''}") or not (el.get("cite") or el.find(".//cite") is not None
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
        attrs = attrs_text(el)
        if (el.tag not in CONTAINER_TAGS and READ_ALSO_ATTR.search(attrs)
                and not CONTENT_ATTR.search(attrs) and text_len(el) < 800):
            doomed.append(el)
            continue
        txt = el.text_content()
        if (READ_ALSO_TEXT.match(" ".join(txt[:80].split())) and len(txt) < 400
                and (el.tag == "a" or el.find(".//a") is not None)):
            doomed.append(el)
            continue
        if HIDDEN_ATTR.search(attrs) and text_len(el) < 500:
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
        n = norm(t).strip(_QUOTES)
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
        if norm(line).strip(_QUOTES) in variants:
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
        lead = find_lead(tree, body, title) if body else None
        if lead:
            body = lead + "\n" + body
    return CleanedHtml(body=normalize_text(body), captions=[c for c in captions if c], title=title, tree=tree)
