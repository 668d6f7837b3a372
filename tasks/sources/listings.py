"""Listings: what feeds, the WordPress REST API, sitemaps and URL lists say about their posts.

Pure functions from the bytes of a listing to `SourceItem`s (a URL, the hints the listing
gives, and its modification date, which later runs compare to skip unchanged pages), or
to a `Failure` that says why the bytes are not a listing. Must not fetch anything: the
flow fetches with `tasks.sources.fetch` and hands the bytes here.
"""

from __future__ import annotations

import html
import json
import re
import zlib
from datetime import UTC, date, datetime
from time import struct_time
from urllib.parse import urljoin, urlsplit

import feedparser
from lxml import etree

from schemas import Failure, SourceHints, SourceItem, Stage

# The sitemap protocol caps a sitemap at 50 MB uncompressed; anything larger is refused, not inflated.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


def _text(value: str | None) -> str | None:
    """Plain text of a rendered HTML fragment (a WordPress title): tags dropped, entities undone."""
    if not value:
        return None
    return _SPACES.sub(" ", html.unescape(_TAGS.sub("", value))).strip() or None


def _unique(values) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in (_text(x) for x in values) if v))


def _http(url: str | None) -> bool:
    return bool(url) and urlsplit(url).scheme in ("http", "https")


def items_from_feed(content: bytes, feed_url: str, base: SourceHints) -> list[SourceItem] | Failure:
    """The entries of an RSS or Atom feed, newest first as the feed orders them."""
    # Bytes, never a URL: feedparser would fetch a string that looks like one.
    parsed = feedparser.parse(content, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        reason = str(parsed.get("bozo_exception") or "no feed version recognised")
        return Failure(source_uri=feed_url, stage=Stage.ACQUIRE, reason="not an RSS or Atom feed", detail=reason)
    items = []
    for entry in parsed.entries:
        link = urljoin(feed_url, entry.get("link") or "")
        if not _http(link):
            continue
        authors = [a.get("name") for a in entry.get("authors", []) if a.get("name")] or [entry.get("author")]
        # Plain dict reads: feedparser's own get() maps a missing "updated" to "published" with a warning.
        published = _feed_date(dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed"))
        updated = dict.get(entry, "updated") or dict.get(entry, "published")
        items.append(SourceItem(
            url=link, stamp=updated or None,
            hints=base.model_copy(update=dict(
                origin="feed", title=_text(entry.get("title")), authors=_unique(authors), published_at=published,
                categories=_unique(t.get("term") for t in entry.get("tags", []))))))
    return _deduplicated(items)


def _feed_date(value: struct_time | None) -> date | None:
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC).date()
    except (TypeError, ValueError):
        return None


def items_from_wordpress(content: bytes, api_url: str, base: SourceHints) -> list[SourceItem] | Failure:
    """The posts of one page of `/wp-json/wp/v2/posts?_embed`: authors and terms resolved to names."""
    try:
        posts = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Failure(source_uri=api_url, stage=Stage.ACQUIRE, reason="WordPress API answer is not JSON",
                       detail=str(exc)[:500])
    if not isinstance(posts, list):
        return Failure(source_uri=api_url, stage=Stage.ACQUIRE, reason="WordPress API answer is not a list of posts",
                       detail=str(posts)[:500])
    items = []
    for post in posts:
        if not isinstance(post, dict) or not _http(post.get("link")):
            continue
        embedded = post.get("_embedded") or {}
        authors = [a.get("name") for a in embedded.get("author", []) if isinstance(a, dict)]
        terms = [t for group in embedded.get("wp:term", []) if isinstance(group, list) for t in group
                 if isinstance(t, dict)]
        title = post.get("title")
        items.append(SourceItem(
            url=post["link"], stamp=post.get("modified_gmt") or post.get("modified"),
            hints=base.model_copy(update=dict(
                origin="wordpress-api", title=_text(title.get("rendered") if isinstance(title, dict) else title),
                authors=_unique(authors), published_at=_iso_date(post.get("date_gmt") or post.get("date")),
                categories=_unique(t.get("name") for t in terms if t.get("taxonomy") == "category"),
                tags=_unique(t.get("name") for t in terms if t.get("taxonomy") == "post_tag")))))
    return _deduplicated(items)


def wordpress_total_pages(headers: dict[str, str]) -> int:
    """How many pages the API has (X-WP-TotalPages); 1 when it does not say."""
    value = headers.get("x-wp-totalpages", "1").strip()
    return max(int(value), 1) if value.isdigit() else 1


def _iso_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        return None


def read_sitemap(content: bytes, sitemap_url: str, base: SourceHints) -> tuple[list[str], list[SourceItem]] | Failure:
    """(child sitemaps, pages) of a sitemap or a sitemap index, gzip or not."""

    def fail(reason: str, detail: str | None = None) -> Failure:
        return Failure(source_uri=sitemap_url, stage=Stage.ACQUIRE, reason=reason, detail=detail)

    if content[:2] == b"\x1f\x8b":
        try:
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            content = inflater.decompress(content, MAX_SITEMAP_BYTES + 1)
        except zlib.error as exc:
            return fail("corrupt gzip sitemap", str(exc))
        if len(content) > MAX_SITEMAP_BYTES:
            return fail(f"sitemap over {MAX_SITEMAP_BYTES // 2**20} MB once decompressed")
    # No entities, no network, no huge trees: a sitemap comes from anywhere.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        return fail("sitemap is not well-formed XML", str(exc)[:500])
    local = etree.QName(root).localname
    entries = [(e.findtext("{*}loc"), e.findtext("{*}lastmod")) for e in root if isinstance(e.tag, str)]
    entries = [(urljoin(sitemap_url, (loc or "").strip()), (mod or "").strip() or None) for loc, mod in entries]
    entries = [(loc, mod) for loc, mod in entries if _http(loc)]
    if local == "sitemapindex":
        return list(dict.fromkeys(loc for loc, _ in entries)), []
    if local != "urlset":
        return fail(f"not a sitemap: root element <{local}>")
    pages = [SourceItem(url=loc, stamp=mod, hints=base.model_copy(update=dict(origin="sitemap"))) for loc, mod in entries]
    return [], _deduplicated(pages)


def items_from_url_list(urls: list[str], base: SourceHints) -> list[SourceItem]:
    """Items of a plain list of URLs: blank lines and `#` comments skipped."""
    cleaned = [u.strip() for u in urls]
    return _deduplicated([SourceItem(url=u, hints=base.model_copy(update=dict(origin="urls")))
                          for u in cleaned if u and not u.startswith("#") and _http(u)])


def _deduplicated(items: list[SourceItem]) -> list[SourceItem]:
    """First item of each URL (listings repeat sticky posts)."""
    seen: dict[str, SourceItem] = {}
    for item in items:
        seen.setdefault(item.url, item)
    return list(seen.values())
