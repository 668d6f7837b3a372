"""A WordPress-like site on loopback for the poll tests: HTML posts, an RSS feed, the REST API
with pagination headers, a sitemap index with a gzip sitemap, robots.txt, conditional GET
(ETag and Last-Modified; the feed's ETag suffixed "-gzip" as Apache sends it), a page that
answers 503 before 200 and a page that is slow.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qs, urlsplit

BODY = (
    "Le salon {event} a ouvert ses portes mardi à Paris. {speaker}, directrice de l'innovation chez "
    "Mydatamodels, y présentait ses travaux sur la donnée. « Nous voulons rendre l'intelligence artificielle "
    "utile aux petites entreprises », explique {speaker}. Les visiteurs se pressaient devant les stands, "
    "et plusieurs start-up ont annoncé des levées de fonds pendant les trois jours du salon."
)


@dataclass
class Post:
    slug: str
    title: str
    day: int
    speaker: str = "Clara Chapaz"
    event: str = "VivaTech"
    author: str = "Marie Dupont"
    categories: tuple[str, ...] = ("Salons",)
    tags: tuple[str, ...] = ("IA", "Startups")
    revision: int = 0

    @property
    def path(self) -> str:
        return f"/2026/02/{self.slug}/"

    @property
    def modified(self) -> datetime:
        return datetime(2026, 2, self.day, 12, self.revision, tzinfo=UTC)

    def html(self) -> str:
        body = BODY.format(event=self.event, speaker=self.speaker)
        extra = f"<p>Mise à jour numéro {self.revision}.</p>" if self.revision else ""
        return (
            f"<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>{escape(self.title)} – Le Blog</title>"
            f"<meta property='og:site_name' content='Le Blog'></head><body><header><nav><a href='/'>Accueil</a>"
            f"</nav></header><article><h1>{escape(self.title)}</h1><p>{body}</p><p>{body}</p>{extra}</article>"
            "<footer>Tous droits réservés</footer></body></html>"
        )


@dataclass
class Site:
    """The site's content and behaviour; `requests` logs (path, status) of every request."""

    posts: list[Post] = field(default_factory=list)
    flaky: dict[str, int] = field(default_factory=dict)  # path -> 503 answers left before a 200
    slow: dict[str, int] = field(default_factory=dict)  # path -> slow answers left
    slow_seconds: float = 3.0
    api_open: bool = True
    per_page: int = 2
    requests: list[tuple[str, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base: str = ""

    def paths(self) -> list[str]:
        return [p.path for p in self.posts]

    def take(self) -> list[tuple[str, int]]:
        with self.lock:
            taken, self.requests[:] = list(self.requests), []
        return taken


def _page(title: str, text: str) -> str:
    return (f"<html lang='fr'><head><meta charset='utf-8'><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"<p>{text}</p><p>{text}</p></article></body></html>")


class _Handler(BaseHTTPRequestHandler):
    site: Site

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        site = self.site
        with site.lock:
            flaky = site.flaky.get(path, 0)
            if flaky:
                site.flaky[path] = flaky - 1
            slow = site.slow.get(path, 0)
            if slow:
                site.slow[path] = slow - 1
        if flaky:
            return self._send(503, b"busy", "text/plain", headers={"Retry-After": "1"})
        if slow:
            time.sleep(site.slow_seconds)
        posts = {p.path: p for p in site.posts}
        if path == "/robots.txt":
            return self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if path in posts:
            post = posts[path]
            return self._send(200, post.html().encode(), "text/html; charset=utf-8", modified=post.modified)
        if path in ("/flaky/", "/slow/", "/private/page/", "/plain/"):
            return self._send(200, _page(path.strip("/").title(), BODY.format(event="VivaTech", speaker="Jean Martin"))
                              .encode(), "text/html; charset=utf-8")
        if path == "/feed/":
            return self._send(200, self._rss().encode(), "application/rss+xml; charset=utf-8", gzip_etag=True)
        if path == "/wp-json/wp/v2/posts":
            return self._api(query)
        if path == "/sitemap_index.xml":
            return self._send(200, self._index().encode(), "application/xml")
        if path == "/sitemap-posts.xml.gz":
            return self._send(200, gzip.compress(self._urlset().encode(), mtime=0), "application/gzip")
        if path == "/image.png":
            return self._send(200, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "image/png")
        return self._send(404, b"not found", "text/plain")

    def _sorted(self) -> list[Post]:
        return sorted(self.site.posts, key=lambda p: p.modified, reverse=True)

    def _api(self, query: dict) -> None:
        if not self.site.api_open:
            return self._send(401, b'{"code": "rest_cannot_access"}', "application/json")
        per_page = int(query.get("per_page", ["10"])[0])
        per_page = min(per_page, self.site.per_page)
        page = int(query.get("page", ["1"])[0])
        posts = self._sorted()
        pages = max(1, -(-len(posts) // per_page))
        if page > pages:
            return self._send(400, b'{"code": "rest_post_invalid_page_number"}', "application/json")
        chosen = posts[(page - 1) * per_page: page * per_page]
        data = [{
            "id": i, "link": self.site.base + p.path, "date_gmt": p.modified.replace(hour=8).isoformat()[:19],
            "modified_gmt": p.modified.isoformat()[:19], "title": {"rendered": escape(p.title)},
            "content": {"rendered": "<p>…</p>"},
            "_embedded": {
                "author": [{"id": 1, "name": p.author}],
                "wp:term": [[{"id": 10 + n, "name": c, "taxonomy": "category"} for n, c in enumerate(p.categories)],
                            [{"id": 20 + n, "name": t, "taxonomy": "post_tag"} for n, t in enumerate(p.tags)]],
            },
        } for i, p in enumerate(chosen)]
        self._send(200, json.dumps(data).encode(), "application/json; charset=UTF-8",
                   headers={"X-WP-Total": str(len(posts)), "X-WP-TotalPages": str(pages)})

    def _rss(self) -> str:
        items = "".join(
            f"<item><title>{escape(p.title)}</title><link>{self.site.base}{p.path}</link>"
            f"<dc:creator>{escape(p.author)}</dc:creator><pubDate>{format_datetime(p.modified, usegmt=True)}</pubDate>"
            + "".join(f"<category>{escape(c)}</category>" for c in p.categories) + "</item>"
            for p in self._sorted())
        return ("<?xml version='1.0' encoding='UTF-8'?><rss version='2.0' xmlns:dc='http://purl.org/dc/elements/1.1/'>"
                f"<channel><title>Le Blog</title><link>{self.site.base}/</link>{items}</channel></rss>")

    def _index(self) -> str:
        return ("<?xml version='1.0' encoding='UTF-8'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                f"<sitemap><loc>{self.site.base}/sitemap-posts.xml.gz</loc></sitemap></sitemapindex>")

    def _urlset(self) -> str:
        urls = "".join(f"<url><loc>{self.site.base}{p.path}</loc><lastmod>{p.modified.isoformat()}</lastmod></url>"
                       for p in self._sorted())
        return ("<?xml version='1.0' encoding='UTF-8'?>"
                f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>")

    def _send(self, status: int, body: bytes, content_type: str, *, modified: datetime | None = None,
              headers: dict[str, str] | None = None, gzip_etag: bool = False) -> None:
        """`gzip_etag`: as WordPress's feed behind Apache's mod_deflate, which appends "-gzip" to the
        ETag it sends, while WordPress compares If-None-Match with its own, unsuffixed."""
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if status == 200:
            fresh = self.headers.get("If-None-Match") == etag
            since = self.headers.get("If-Modified-Since")
            if modified is not None and since and not self.headers.get("If-None-Match"):
                try:
                    fresh = parsedate_to_datetime(since) >= modified
                except (TypeError, ValueError):
                    fresh = False
            if fresh:
                status, body = 304, b""
        with self.site.lock:
            self.site.requests.append((self.path, status))
        self.send_response(status)
        if status in (200, 304):
            self.send_header("ETag", etag[:-1] + '-gzip"' if gzip_etag else etag)
            if modified is not None:
                self.send_header("Last-Modified", format_datetime(modified, usegmt=True))
        if status != 304:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if body:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                pass


class SiteServer:
    """A threaded HTTP server on 127.0.0.1 serving a `Site`; a context manager."""

    def __init__(self, site: Site):
        handler = type("Handler", (_Handler,), {"site": site})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        site.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.site = site
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
