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
from dataclasses import dataclass
from datetime import UTC, date, datetime
from time import struct_time
from urllib.parse import parse_qs, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser
from courlan import is_navigation_page
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


@dataclass(frozen=True)
class FeedPage:
    """One page of a feed: its items, the next page's address (RFC 5005 rel="next", or WordPress's
    ?paged=N for a feed WordPress generated), and what feedparser had to forgive."""

    items: list[SourceItem]
    next_url: str | None = None
    warning: str | None = None


def read_feed(content: bytes, feed_url: str, base: SourceHints, page: int = 1) -> FeedPage | Failure:
    """The entries of one page of an RSS or Atom feed, newest first as the feed orders them.

    An entry's stamp is its `updated` date, which an edit changes; an RSS item's pubDate does
    not, so such items get none and are revalidated on a schedule."""
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
        items.append(SourceItem(
            url=link, stamp=dict.get(entry, "updated") or None,
            hints=base.model_copy(update=dict(
                origin="feed", title=_text(entry.get("title")), authors=_unique(authors), published_at=published,
                categories=_unique(t.get("term") for t in entry.get("tags", []))))))
    links = parsed.feed.get("links", []) if parsed.get("feed") else []
    following = next((urljoin(feed_url, x["href"]) for x in links if x.get("rel") == "next" and x.get("href")), None)
    if following is None and "wordpress" in (parsed.feed.get("generator") or "").lower() and items:
        following = _with_query(feed_url, paged=page + 1)
    warning = f"feed read leniently: {parsed.get('bozo_exception')}" if parsed.bozo else None
    return FeedPage(_deduplicated(items), following if _http(following) else None, warning)


def items_from_feed(content: bytes, feed_url: str, base: SourceHints) -> list[SourceItem] | Failure:
    """The entries of one page of a feed (`read_feed` without the paging)."""
    page = read_feed(content, feed_url, base)
    return page if isinstance(page, Failure) else page.items


def _with_query(url: str, **values) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query)) | {k: str(v) for k, v in values.items()}
    return urlunsplit(parts._replace(query=urlencode(query)))


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


# Child sitemaps of taxonomies, authors and static pages, as WordPress core and Yoast name them.
_NOT_POSTS_SITEMAP = re.compile(
    r"/(?:wp-sitemap-(?:taxonomies|users)-[^/]*|wp-sitemap-posts-page-\d+\.xml"
    r"|(?:category|post_tag|tag|author|page)-sitemap\d*\.xml(?:\.gz)?)$", re.I)
# Query parameters of archive pages (WordPress without pretty links: ?cat=3, ?tag=ia, ?author=1).
_ARCHIVE_QUERY = {"cat", "tag", "author", "s", "m", "paged", "page_id", "feed", "attachment_id"}
_DATE_ARCHIVE = re.compile(r"/?(?:\d{4})(?:/\d{1,2}){0,2}/?")


def lists_posts(sitemap_url: str) -> bool:
    """Whether a child sitemap may list posts: not one of taxonomies, authors or static pages."""
    return not _NOT_POSTS_SITEMAP.search(urlsplit(sitemap_url).path)


def is_article_url(url: str) -> bool:
    """Whether a URL has the shape of an article, not of a home page, an archive (tag, category,
    author, date, pagination), a search or a feed; courlan knows the usual paths."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if query.keys() & _ARCHIVE_QUERY:
        return False
    if "p" in query:  # WordPress's plain link to a post
        return True
    if not parts.path.strip("/") or _DATE_ARCHIVE.fullmatch(parts.path):
        return False
    return not is_navigation_page(url) and not parts.path.rstrip("/").endswith("/feed")


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
