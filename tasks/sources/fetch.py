"""Fetching over HTTP: the one module of the core that does network IO, behind one seam.

It owns politeness and safety: timeouts, retries with backoff (honouring Retry-After),
conditional GET, robots.txt, a per-host rate and concurrency limit, a size limit,
content-type checks, a bound on redirects and the refusal of private addresses (connections
go to the addresses checked, `tasks.sources.pinned_transport`). The seam
is the httpx transport (tests pass `httpx.MockTransport`) with the resolver and the
clock. It must not parse pages or touch the warehouse: every outcome, a failure
included, comes back as a `FetchResult`, never as an exception (the errors raised inside, and the
rules on types and headers: `tasks.sources.fetch_rules`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import threading
import time
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from schemas import FetchPolicy, FetchRequest, FetchResult
from tasks.sources.addresses import is_public_address, resolve_host
from tasks.sources.fetch_rules import (
    ACCEPT_HEADER,
    ACCEPTED_TYPES,
    FetchError,
    TerminalFetchError,
    TransientFetchError,
    origin_etag,
    retry_after_seconds,
)
from tasks.sources.pinned_transport import pinned_transport

log = logging.getLogger(__name__)

_REDIRECTS = {301, 302, 303, 307, 308}
_MAX_CRAWL_DELAY = 60.0
_KEPT_HEADERS = ("x-wp-total", "x-wp-totalpages", "link", "retry-after", "location")

Resolver = Callable[[str], Awaitable[list[str]]]


@dataclass
class _Host:
    interval: float
    next_at: float = 0.0
    robots: Protego | None = None
    robots_error: str | None = None
    robots_checked: bool = False


class Fetcher:
    """Fetches URLs politely; keeps robots.txt and each host's pace for the whole run.

    `fetch_many` may be called several times in a run (listings, then pages): the rate
    limit and robots.txt carry over. Fetches of robots.txt are results too, collected in
    `side_fetches` for the caller to record.
    """

    def __init__(
        self, policy: FetchPolicy, *, transport: httpx.AsyncBaseTransport | None = None,
        resolve: Resolver = resolve_host, clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.policy = policy
        self._transport, self._resolve, self._clock, self._sleep, self._now = transport, resolve, clock, sleep, now
        self._hosts: dict[str, _Host] = {}
        self._addresses: dict[tuple[str, bool], str | None] = {}
        self._pinned: dict[str, list[str]] = {}  # host -> the checked addresses connections go to
        self.side_fetches: list[FetchResult] = []

    def fetch_many(self, requests: list[FetchRequest]) -> list[FetchResult]:
        """Fetch every request (hosts in parallel, each at its own pace); one result per request, in order."""
        if not requests:
            return []
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self.afetch_many(requests))
        # Called from inside an event loop (an async flow): run ours on a thread of its own.
        box: list = []
        thread = threading.Thread(target=lambda: box.append(asyncio.run(self.afetch_many(requests))))
        thread.start()
        thread.join()
        return box[0]

    def fetch(self, request: FetchRequest) -> FetchResult:
        return self.fetch_many([request])[0]

    async def afetch_many(self, requests: list[FetchRequest]) -> list[FetchResult]:
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=16)
        timeout = httpx.Timeout(self.policy.timeout_seconds)
        gates: dict[str, asyncio.Semaphore] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}

        def gate(url: str) -> asyncio.Semaphore:
            return gates.setdefault(_origin(url), asyncio.Semaphore(self.policy.max_connections_per_host))

        # Behind a proxy (HTTP_PROXY…), the proxy resolves and connects: httpx's own transport, which
        # reads those variables. Otherwise connections go to the addresses the check saw.
        transport = self._transport or (None if urllib.request.getproxies() else pinned_transport(self._pinned, limits))
        async with httpx.AsyncClient(transport=transport, timeout=timeout, limits=limits,
                                     follow_redirects=False, headers={"User-Agent": self.policy.user_agent}) as client:
            return list(await asyncio.gather(*(self._fetch(client, r, gate) for r in requests)))

    async def _fetch(self, client: httpx.AsyncClient, request: FetchRequest, gate) -> FetchResult:
        fetched_at = self._now()
        started = self._clock()
        state = {"attempts": 0, "status": None, "url": request.url}
        try:
            response, content = await self._follow(client, request, gate, state)
        except FetchError as exc:
            return FetchResult(
                url=request.url, kind=request.kind, outcome="failed", fetched_at=fetched_at, final_url=state["url"],
                status=exc.status, error=exc.reason, error_kind=exc.kind, attempts=state["attempts"],
                elapsed_seconds=round(self._clock() - started, 3),
            )
        etag = response.headers.get("etag")
        if response.status_code == 200 and etag and request.etag and origin_etag(etag) == origin_etag(request.etag):
            etag = None  # the server ignores the ETag it matches: next time, If-Modified-Since alone
        return FetchResult(
            url=request.url, kind=request.kind, fetched_at=fetched_at, final_url=str(response.url),
            outcome="not_modified" if response.status_code == 304 else "ok", status=response.status_code,
            content=content if response.status_code != 304 else None,
            content_type=_media_type(response.headers.get("content-type")),
            etag=etag, last_modified=response.headers.get("last-modified"),
            headers={k: response.headers[k] for k in _KEPT_HEADERS if k in response.headers},
            byte_size=len(content), attempts=state["attempts"], elapsed_seconds=round(self._clock() - started, 3),
        )

    async def _follow(self, client, request: FetchRequest, gate, state) -> tuple[httpx.Response, bytes]:
        """Fetch with redirects followed by hand, so each hop is checked (address, robots) and counted."""
        url = request.url
        headers = {"Accept": ACCEPT_HEADER[request.kind]}
        if request.etag:
            headers["If-None-Match"] = origin_etag(request.etag)
        if request.last_modified:
            headers["If-Modified-Since"] = request.last_modified
        for _hop in range(self.policy.max_redirects + 1):
            state["url"] = url
            await self._check_address(url, request.allow_private)
            if request.kind != "robots" and self.policy.respect_robots:
                await self._check_robots(client, url, request.allow_private, gate)
            response, content = await self._request(client, url, headers, request.kind, gate, state)
            location = response.headers.get("location")
            if response.status_code in _REDIRECTS and location:
                url = urljoin(url, location)
                continue
            return self._judge(response, content, request.kind)
        raise TerminalFetchError(f"more than {self.policy.max_redirects} redirects", status=response.status_code)

    def _judge(self, response: httpx.Response, content: bytes, kind: str) -> tuple[httpx.Response, bytes]:
        status = response.status_code
        if status == 304:
            return response, b""
        if status == 429 or status >= 500:
            raise TransientFetchError(f"HTTP {status} after {self.policy.retries + 1} attempts", status=status)
        if status >= 400 or status < 200 or status in _REDIRECTS:
            raise TerminalFetchError(f"HTTP {status}", status=status)
        media = _media_type(response.headers.get("content-type"))
        accepted = ACCEPTED_TYPES[kind]
        if kind == "robots":
            return response, content
        if media and media not in accepted and not (kind in ("feed", "sitemap") and media.endswith("+xml")):
            raise TerminalFetchError(f"unexpected content type {media} for a {kind} (wanted {', '.join(accepted)})",
                                     status=status)
        return response, content

    async def _request(self, client, url: str, headers: dict, kind: str, gate, state) -> tuple[httpx.Response, bytes]:
        """One request with its retries: connection errors, timeouts, 5xx and 429 are tried again after a pause."""
        policy = self.policy
        for attempt in range(policy.retries + 1):
            state["attempts"] += 1
            last = attempt == policy.retries
            try:
                async with gate(url):
                    await self._pace(url)
                    response, content = await asyncio.wait_for(self._send(client, url, headers), policy.timeout_seconds)
            except (httpx.TransportError, TimeoutError) as exc:
                reason = (f"timed out after {policy.timeout_seconds:g} s" if isinstance(exc, TimeoutError | httpx.TimeoutException)
                          else f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
                if last:
                    raise TransientFetchError(f"{reason} ({attempt + 1} attempts)") from exc
                await self._sleep(self._backoff(attempt))
                continue
            status = response.status_code
            state["status"] = status
            if (status == 429 or status >= 500) and not last:
                wait = retry_after_seconds(response.headers.get("retry-after"), self._now())
                if wait is not None and wait > policy.max_retry_after_seconds:
                    raise TransientFetchError(
                        f"HTTP {status}: Retry-After {wait:.0f} s is over the {policy.max_retry_after_seconds:g} s "
                        "limit; next run tries again", status=status)
                await self._sleep(self._backoff(attempt) if wait is None else wait)
                continue
            return response, content
        raise AssertionError("unreachable")  # the last attempt returns or raises

    def _backoff(self, attempt: int) -> float:
        return min(self.policy.backoff_seconds * 2**attempt, 60.0)

    async def _send(self, client: httpx.AsyncClient, url: str, headers: dict) -> tuple[httpx.Response, bytes]:
        """GET with the body read in chunks, stopped at the size limit (decoded bytes, so a gzip bomb stops too)."""
        limit = self.policy.max_bytes
        async with client.stream("GET", url, headers=headers) as response:
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise TerminalFetchError(f"{int(declared)} bytes announced, over the {limit} byte limit",
                                         status=response.status_code)
            chunks, size = [], 0
            if response.status_code not in _REDIRECTS and response.status_code != 304:
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise TerminalFetchError(f"body over the {limit} byte limit", status=response.status_code)
                    chunks.append(chunk)
            return response, b"".join(chunks)

    async def _pace(self, url: str) -> None:
        """Wait for this host's next slot: at most `requests_per_second` request starts per host."""
        host = self._host(url)
        now = self._clock()  # no await between reading and moving next_at: one slot per request
        start = max(now, host.next_at)
        host.next_at = start + host.interval
        if start > now:
            await self._sleep(start - now)

    def _host(self, url: str) -> _Host:
        origin = _origin(url)
        if origin not in self._hosts:
            self._hosts[origin] = _Host(interval=1.0 / self.policy.requests_per_second)
        return self._hosts[origin]

    async def _check_address(self, url: str, allow_private: bool) -> None:
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise TerminalFetchError(f"not an http(s) URL: {url} ({exc})") from exc
        if parsed.scheme not in ("http", "https") or not parsed.raw_host:
            raise TerminalFetchError(f"not an http(s) URL: {url}")
        host = parsed.raw_host.decode("ascii")  # as the connection will name it: "café.fr" is "xn--caf-dma.fr"
        allow = allow_private or self.policy.allow_private
        key = (host, allow)
        if key not in self._addresses:
            self._addresses[key] = await self._refusal(host, allow)
        if self._addresses[key]:
            raise TerminalFetchError(self._addresses[key])

    async def _refusal(self, host: str, allow_private: bool) -> str | None:
        """Why the host may not be fetched, or None; its addresses are pinned for the connection
        (`tasks.sources.pinned_transport` opens no connection to a host that was not checked)."""
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            try:
                addresses = await self._resolve(host)
            except OSError as exc:
                return f"cannot resolve {host}: {exc}"
        if not addresses:
            return f"cannot resolve {host}: no address"
        private = [a for a in addresses if not is_public_address(a)]
        if private and not allow_private:
            return (f"{host} resolves to a private or loopback address ({private[0]}); "
                    "set allow_private = true on the source to fetch it")
        self._pinned[host] = addresses  # connect to what was checked, not to a new lookup
        return None

    async def _check_robots(self, client, url: str, allow_private: bool, gate) -> None:
        host = self._host(url)
        async with self._robots_locks.setdefault(_origin(url), asyncio.Lock()):  # one robots.txt fetch per host
            if not host.robots_checked:
                await self._load_robots(client, url, allow_private, host)
                host.robots_checked = True
        if host.robots_error:
            raise TransientFetchError(host.robots_error)
        if host.robots is not None and not host.robots.can_fetch(url, self._agent):
            raise TerminalFetchError(f"robots.txt of {_origin(url)} disallows {urlsplit(url).path or '/'}")

    @property
    def _agent(self) -> str:
        return self.policy.user_agent.split("/")[0].split()[0]

    async def _load_robots(self, client, url: str, allow_private: bool, host: _Host) -> None:
        robots_url = _origin(url) + "/robots.txt"
        result = await self._fetch(client, FetchRequest(url=robots_url, kind="robots", allow_private=allow_private),
                                   lambda u: asyncio.Semaphore(1))
        self.side_fetches.append(result)
        if result.outcome == "ok":
            host.robots = Protego.parse((result.content or b"").decode("utf-8", "replace"))
            delay = host.robots.crawl_delay(self._agent)
            if delay:
                host.interval = max(host.interval, min(float(delay), _MAX_CRAWL_DELAY))
        elif result.status is not None and 400 <= result.status < 500:
            host.robots = None  # no robots.txt: everything is allowed (RFC 9309)
        else:
            # Unreachable robots.txt means "assume complete disallow" (RFC 9309); the next run asks again.
            host.robots_error = f"robots.txt of {_origin(url)} unavailable ({result.error}); not fetching this host"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _media_type(value: str | None) -> str | None:
    return value.split(";")[0].strip().lower() or None if value else None
