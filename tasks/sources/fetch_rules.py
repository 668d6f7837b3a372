"""The rules of a fetch that need no connection: the content types each kind of fetch accepts
and asks for, how long a Retry-After header asks to wait, and the errors a fetch raises inside
the fetcher (each becomes a `FetchResult`'s error and error kind), and the ETag to send back:

    FetchError                 internal: becomes FetchResult.error and .error_kind
     ├── TransientFetchError   timeout, connection error, 5xx, 429: retried here, and next run
     └── TerminalFetchError    robots.txt, private address, size, content type, redirects,
                               other 4xx: not retried in this run (next run asks again)
"""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, datetime


ACCEPTED_TYPES = {
    "page": ("text/html", "application/xhtml+xml", "text/plain"),
    "feed": ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml"),
    "sitemap": ("application/xml", "text/xml", "application/gzip", "application/x-gzip", "application/octet-stream",
                "text/plain"),
    "json": ("application/json",),
    "robots": ("text/plain",),
}
ACCEPT_HEADER = {
    "page": "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.5",
    "feed": "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.8",
    "sitemap": "application/xml,text/xml;q=0.9,application/gzip;q=0.8",
    "json": "application/json",
    "robots": "text/plain",
}


class FetchError(Exception):
    """A fetch that did not give a usable answer; `status` when the server answered."""

    kind = "terminal"

    def __init__(self, reason: str, status: int | None = None):
        super().__init__(reason)
        self.reason, self.status = reason, status


class TransientFetchError(FetchError):
    kind = "transient"


class TerminalFetchError(FetchError):
    kind = "terminal"


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds a Retry-After header asks for (a number or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


_CODING_SUFFIX = re.compile(r'-(?:gzip|br|deflate|zstd)(?="$)')


def origin_etag(etag: str) -> str:
    """The ETag to send back: without the "-gzip" (or "-br") that Apache's compression appends to
    the application's own, which the application (WordPress's feed) compares verbatim; Apache
    compares the unsuffixed one too."""
    return _CODING_SUFFIX.sub("", etag.strip())
