"""Signals a web page gives about itself: JSON-LD, meta tags, site names, the chrome around the article.

Shared by `tasks.text.bylines` (who wrote it) and `tasks.text.html_meta` (title, date, tags). It reads
an lxml tree and returns plain values; it must not choose between signals.
"""

from __future__ import annotations

import html as _html
import json
import re
import unicodedata
from urllib.parse import urlparse

from lxml.html import HtmlElement

def ws(s: str | None) -> str:
    if not s:
        return ""
    s = _html.unescape(s) if "&" in s else s
    s = s.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")
    return " ".join(s.split())


def fold_text(s: str) -> str:
    """Case/accent/punctuation-insensitive form used for comparisons."""
    s = unicodedata.normalize("NFKC", s or "").replace("\u2019", "'").casefold()
    s = "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")
    return " ".join(re.sub(r"[^\w']+", " ", s).split())


def _compact(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold_text(s))


_TLD = r"(?:fr|com|org|net|info|ch|be|eu|tn|ma|dz|sn|ci|ca|io|co|media|news|tv|uk|de)"


def keys_of_site(names: list[str], urls: list[str]) -> set[str]:
    keys: set[str] = set()
    for n in names:
        n = ws(n)
        if not n:
            continue
        n = re.sub(r"^https?://", "", n).strip("/ ")
        c = _compact(n)
        if len(c) >= 2:
            keys.add(c)
            keys.add(re.sub(_TLD + r"$", "", c) or c)
            if c.startswith("www"):
                keys.add(c[3:])
    for u in urls:
        host = urlparse(u).hostname if u and "://" in u else None
        if not host:
            continue
        host = host.lower()
        if host.startswith("www."):
            host = host[4:]
        parts = host.split(".")
        keys.add(_compact(host))
        if len(parts) >= 2:
            keys.add(_compact(parts[-2]))          # "lemonde" from lemonde.fr
            keys.add(_compact(".".join(parts[:-1])))  # "fr.euronews" style
    return {k for k in keys if len(k) >= 2}


def domain_tokens(urls: list[str]) -> set[str]:
    toks: set[str] = set()
    for u in urls:
        host = urlparse(u).hostname if u and "://" in u else None
        if host:
            for t in re.split(r"[.\-]", host.lower()):
                if len(t) >= 4 and t not in {"www", "blog", "blogs", "info", "news", "actu", "media"}:
                    toks.add(t)
    return toks


def is_site(s: str, site_keys: set[str]) -> bool:
    c = _compact(s)
    if not c:
        return False
    c2 = re.sub(_TLD + r"$", "", c) or c
    return c in site_keys or c2 in site_keys


# ----------------------------------------------------------------------------- JSON-LD

_ARTICLE_T = re.compile(r"(Article|BlogPosting|LiveBlogPosting|SocialMediaPosting|Report|Review)$", re.I)


def _jsonld_objects(tree: HtmlElement) -> list[dict]:
    objs: list[dict] = []
    for s in tree.xpath("//script[@type='application/ld+json']"):
        text = (s.text or "").strip()
        text = re.sub(r"^\s*(?:<!--|/\*<!\[CDATA\[\*/|//\s*<!\[CDATA\[)", "", text)
        text = re.sub(r"(?:-->|/\*\]\]>\*/|//\s*\]\]>)\s*$", "", text)
        data = None
        for attempt in (text, re.sub(r",\s*([}\]])", r"\1", text)):
            try:
                data = json.loads(attempt, strict=False)
                break
            except ValueError:
                continue
        if data is None:
            continue
        stack = [data]
        while stack:
            x = stack.pop()
            if isinstance(x, list):
                stack.extend(reversed(x))
            elif isinstance(x, dict):
                objs.append(x)
                for v in x.values():
                    if isinstance(v, (dict, list)):
                        stack.append(v)
    return objs


def _types(o: dict) -> list[str]:
    t = o.get("@type") or o.get("type") or []
    return [t] if isinstance(t, str) else [x for x in t if isinstance(x, str)]


def _ld_str(v) -> str:
    if isinstance(v, str):
        return ws(v)
    if isinstance(v, list) and v and isinstance(v[0], str):
        return ws(v[0])
    return ""


class JsonLd:
    def __init__(self, tree: HtmlElement):
        self.objs = _jsonld_objects(tree)
        self.by_id = {o["@id"]: o for o in self.objs if isinstance(o.get("@id"), str) and len(o) > 1}
        self.articles = [o for o in self.objs if any(_ARTICLE_T.search(t) for t in _types(o))]

    def resolve(self, o):
        if isinstance(o, dict) and set(o) <= {"@id"} and o.get("@id") in self.by_id:
            return self.by_id[o["@id"]]
        return o

    def authors(self) -> list[tuple[str, bool]]:
        """(name, is_organisation) of the authors of Article-typed nodes."""
        out = []
        for a in self.articles:
            val = a.get("author") or a.get("creator")
            vals = val if isinstance(val, list) else [val]
            for v in vals:
                v = self.resolve(v)
                if isinstance(v, str):
                    out.append((ws(v), False))
                elif isinstance(v, dict):
                    name = _ld_str(v.get("name"))
                    org = any(re.search(r"Organi[sz]ation|Corporation", t) for t in _types(v))
                    if name:
                        out.append((name, org))
        return out

    def first(self, key: str) -> str:
        for a in self.articles:
            s = _ld_str(a.get(key))
            if s:
                return s
        return ""

    def org_names(self) -> list[str]:
        names = []
        for o in self.objs:
            if any(re.search(r"Organi[sz]ation|WebSite|NewsMedia|Corporation", t) for t in _types(o)):
                n = _ld_str(o.get("name"))
                if n:
                    names.append(n)
        for a in self.articles:
            p = self.resolve(a.get("publisher"))
            if isinstance(p, dict) and _ld_str(p.get("name")):
                names.append(_ld_str(p.get("name")))
        return names


# ----------------------------------------------------------------------------- meta tags


def meta_map(tree: HtmlElement) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in tree.xpath("//meta[@content]"):
        k = (m.get("property") or m.get("name") or m.get("itemprop") or m.get("http-equiv") or "").strip().lower()
        v = ws(m.get("content"))
        if k and v:
            out.setdefault(k, []).append(v)
    return out


def first_meta(metas, *keys) -> str:
    for k in keys:
        if metas.get(k):
            return metas[k][0]
    return ""



BYLINE_ATTR = re.compile(r"author|auteur|byline|signature|signataire|contributor|writer|journaliste|redacteur|"
                          r"r[ée]dacteur|creator", re.I)
BAD_SELF = re.compile(r"comment|bio|desc|avatar|authorization|count|follow|menu|social|share|"
                       r"photo-credit|credit-photo|caption|legende|about", re.I)
# class/id *tokens* (not substrings: body classes such as "no-sidebars" or "with-navigation" are harmless)
_BAD_TOKEN = re.compile(r"^(comment|related|sidebar|side-bar|footer|nav|menu|widget|aside|teaser|listposts|"
                        r"list-posts|recommend|popular|most-|newsletter|share|social|author-?box|author_box|"
                        r"authorblock|outbrain|taboola|read-?more|more-|similar|suggest|push|podcast-card|"
                        r"link-flow|breadcrumb|forum|respond|disqus|ob-)", re.I)


def attrs_of(e: HtmlElement) -> str:
    return " ".join(filter(None, (e.get("class"), e.get("id"), e.get("itemprop"), e.get("rel"))))


def _bad_tokens(e: HtmlElement) -> bool:
    return any(_BAD_TOKEN.match(tok) for tok in " ".join(filter(None, (e.get("class"), e.get("id")))).split())


def is_excluded(e: HtmlElement) -> bool:
    """Inside navigation, related-article lists, comments, quotes...; <footer> only outside an <article>."""
    if e.tag in ("cite", "blockquote"):
        return True
    ancestors = [a for a in e.iterancestors() if a.tag not in ("body", "html")]
    in_article = any(a.tag == "article" for a in ancestors)
    for a in ancestors:
        if a.tag in ("nav", "aside", "form", "blockquote", "cite") or (a.tag == "footer" and not in_article):
            return True
        if _bad_tokens(a):
            return True
    return False


def text_of(e: HtmlElement) -> str:
    return ws(" ".join(t for t in e.itertext() if t))

