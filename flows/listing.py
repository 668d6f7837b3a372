"""What a live source lists: its feed (pages of it), the WordPress REST API, its sitemaps or its URLs.

`list_source` fetches the listing pages (conditional GETs where the warehouse holds
validators) and turns them into `SourceItem`s with `tasks.sources.listings`; the poll flow
then decides which pages to fetch. No Prefect here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import duckdb

from schemas import Failure, FetchRequest, FetchResult, Source, SourceItem, Stage
from tasks.sources.fetch import Fetcher
from tasks.sources.listings import (
    items_from_url_list,
    items_from_wordpress,
    is_article_url,
    lists_posts,
    read_feed,
    read_sitemap,
    wordpress_total_pages,
)
from warehouse import sources as crawl

__all__ = ["Listing", "fetch_failure", "list_source"]

_MAX_SITEMAPS = 200
_MAX_FEED_PAGES = 100


@dataclass
class Listing:
    """What listing a source gave: its items, the fetches made, and the listings that failed."""

    items: list[SourceItem] = field(default_factory=list)
    fetches: list[FetchResult] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def fetch_failure(result: FetchResult) -> Failure:
    return Failure(source_uri=result.url, stage=Stage.ACQUIRE, reason=f"fetch failed: {result.error}",
                   detail=f"{result.kind}, {result.error_kind}, HTTP {result.status or '-'}, "
                          f"{result.attempts} attempt(s), {result.elapsed_seconds:.1f} s")


def list_source(fetcher: Fetcher, source: Source, con: duckdb.DuckDBPyConnection) -> Listing:
    listing = Listing()

    def fetch(url: str, kind: str, conditional: bool = True) -> FetchResult:
        etag, modified, _ = crawl.validators(con, [url]).get(url, (None,) * 3) if conditional else (None,) * 3
        result = fetcher.fetch(FetchRequest(url=url, kind=kind, etag=etag, last_modified=modified))
        listing.fetches.append(result)
        return result

    listers: dict[str, Callable[[], None]] = {
        "rss": lambda: _list_feed(listing, fetch, source.url, source, con),
        "wordpress": lambda: _list_wordpress(listing, fetch, source, con),
        "sitemap": lambda: _list_sitemap(listing, fetch, source),
        "urls": lambda: _list_urls(listing, source),
    }
    listers[source.kind]()
    listing.items = [i for i in listing.items if source.wants(i.url)]
    return listing


def _take(listing: Listing, result: FetchResult, parsed) -> list | None:
    """The parsed listing, or None after recording why the fetch or the parse failed."""
    if result.outcome == "failed":
        listing.failures.append(fetch_failure(result))
        return None
    if isinstance(parsed, Failure):
        listing.failures.append(parsed)
        return None
    return parsed


def _list_feed(listing: Listing, fetch, feed_url: str, source: Source, con: duckdb.DuckDBPyConnection) -> None:
    """The feed's first page (a conditional GET), then the pages after it (RFC 5005 rel="next",
    WordPress's ?paged=N) until one holds an item this source listed before: every post on
    the first run, only the new ones after. A page after the first that fails ends the feed."""
    url, page = feed_url, 1
    while url and page <= _MAX_FEED_PAGES:
        result = fetch(url, "feed", conditional=page == 1)
        if result.outcome != "ok":
            if page == 1 and result.outcome == "failed":
                _take(listing, result, None)
            return
        parsed = read_feed(result.content or b"", url, source.hints("feed"), page)
        if isinstance(parsed, Failure):
            if page == 1:
                _take(listing, result, parsed)
            return
        if parsed.warning:  # kept with the fetch (fetches.error): the feed was read, leniently
            listing.fetches[-1] = result.model_copy(update=dict(error=parsed.warning[:500]))
        listing.items += parsed.items
        if not parsed.items or crawl.listed_before(con, source.name, [i.url for i in parsed.items]):
            return
        url, page = parsed.next_url, page + 1


def _list_wordpress(listing: Listing, fetch, source: Source, con: duckdb.DuckDBPyConnection) -> None:
    """Pages of the REST API, most recently modified first, until a page holds nothing new and the next
    one was read before; the feed where the API is closed."""
    api = source.url.rstrip("/") + "/wp-json/wp/v2/posts"

    def page_url(n: int) -> str:
        return api + "?" + urlencode(
            dict(per_page=source.per_page, page=n, orderby="modified", order="desc", _embed="author,wp:term"))

    page = 1
    while True:
        url = page_url(page)
        result = fetch(url, "json")
        parsed = (items_from_wordpress(result.content or b"", url, source.hints("wordpress-api"))
                  if result.outcome == "ok" else None)
        # Closed: the site answered the API with a refusal (401, 403, 404...) or with something not
        # JSON. A fetch that got no answer (an address refused by the policy, robots.txt, no
        # connection) is a failure of the source, not a closed API: the feed would fail the same way.
        closed = (result.outcome == "failed" and result.error_kind == "terminal" and result.status is not None
                  and 400 <= result.status < 500) or isinstance(parsed, Failure)
        if page == 1 and closed:
            _list_feed(listing, fetch, source.feed_url or source.url.rstrip("/") + "/feed/", source, con)
            return
        if result.outcome == "failed" or isinstance(parsed, Failure):
            _take(listing, result, parsed)
            return
        after = crawl.url_outcome(con, page_url(page + 1))
        if result.outcome == "not_modified":
            if after != "failed":  # nothing changed since the last run, which read the next page too
                return
        else:
            listing.items += parsed
            if page >= wordpress_total_pages(result.headers):
                return
            if source.max_items and len(listing.items) >= source.max_items:
                return
            # Sorted by modification: past a page with nothing new, the rest is older, unless
            # the next page was never read or failed last time.
            if not crawl.stale_items(con, source.name, parsed, revalidate=source.revalidate) and after in (
                    "ok", "not_modified"):
                return
        page += 1


def _list_sitemap(listing: Listing, fetch, source: Source) -> None:
    """A sitemap or a sitemap index; the root is always read whole (an index names its children),
    each child sitemap with a conditional GET."""
    queue, seen = [source.url], set()
    while queue and len(seen) < _MAX_SITEMAPS:
        url = queue.pop(0)
        seen.add(url)
        result = fetch(url, "sitemap", conditional=url != source.url)
        if result.outcome == "not_modified":
            continue
        parsed = _take(listing, result, read_sitemap(result.content or b"", url, source.hints("sitemap"))
                       if result.outcome == "ok" else None)
        if parsed:
            children, pages = parsed
            queue += [c for c in children if lists_posts(c) and c not in seen and c not in queue]
            listing.items += [p for p in pages if is_article_url(p.url)]


def _list_urls(listing: Listing, source: Source) -> None:
    lines = list(source.urls)
    if source.path is not None:
        lines += Path(source.path).read_text("utf-8").splitlines()
    listing.items += items_from_url_list(lines, source.hints("urls"))
