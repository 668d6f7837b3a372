"""The lead (standfirst) of a news page, which trafilatura leaves out on many French pages: a
block marked as a lead, or the page's meta description, that the body does not already open
with. Generic rules: no rule names a site."""

from __future__ import annotations

import re

from tasks.text.html_text import SKIP_TAGS, attrs_text, class_tokens, norm, text_len

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
        if a.tag in NOT_LEAD_TAGS or class_tokens(a) & NOT_LEAD_ANCESTOR:
            return True
    return False


def _meta_descriptions(tree) -> list[str]:
    out = []
    for m in tree.xpath('//meta[@name="description" or @property="og:description" or @name="twitter:description"]'):
        c = norm(m.get("content") or "").rstrip(".… ")
        if len(c) >= 40 and c not in out:
            out.append(c)
    return out


def _block(el, min_len: int):
    """Lowest ancestor-or-self that is a block element, or whose text is long enough to be the lead."""
    while el is not None and isinstance(el.tag, str) and el.tag not in BLOCK_TAGS:
        if text_len(el) >= min_len:
            return el
        el = el.getparent()
    return el


def find_lead(tree, body: str, title: str | None) -> str | None:
    nbody = norm(body)
    lines = [l for l in body.split("\n") if len(l) >= 40]
    first_line = norm(lines[0])[:80] if lines else None
    full_metas = _meta_descriptions(tree)
    metas = [m[:40] for m in full_metas]
    ntitle = norm(title or "")
    order, h1_pos, class_cands = {}, None, []
    for i, el in enumerate(tree.iter()):
        if not isinstance(el.tag, str):
            continue
        order[el] = i
        if h1_pos is None and el.tag == "h1":
            h1_pos = i
        if el.tag not in SKIP_TAGS and el.get("class") and LEAD_ATTR.search(attrs_text(el)):
            class_cands.append(el)
    body_hits, meta_cands = [], []
    for node in tree.xpath("//body//text()"):
        if len(node) < 25:
            continue
        parent = node.getparent()
        if parent is None or not isinstance(parent.tag, str) or parent.tag in SKIP_TAGS:
            continue
        n = norm(str(node))
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
        t = norm(el.text_content())
        if not (40 <= len(t) <= 1200) or t == ntitle:
            continue
        if t[:80] in nbody:
            return None  # the lead is already in the body
        i = order.get(el, 0)
        if (body_pos is not None and i > body_pos) or (h1_pos is not None and i < h1_pos):
            continue  # a lead sits between the headline and the first body paragraph
        if el.tag in NOT_LEAD_TAGS or NOT_LEAD_SELF.search(attrs_text(el)) or _bad_ancestry(el):
            continue
        if not meta_hit and sum(1 for c in class_cands if c.get("class") == el.get("class")) > 1:
            continue  # class-only evidence must be unique on the page (not a list of teasers)
        good.append((0 if meta_hit else 1, i, el))
    if not good:
        return None
    good.sort(key=lambda g: (g[0], g[1]))
    return " ".join(good[0][2].text_content().split()) or None
