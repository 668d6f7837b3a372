"""The fetcher against httpx.MockTransport: retries, Retry-After, conditional GET, limits, robots, addresses."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from schemas import FetchPolicy, FetchRequest
from tasks.sources.fetch import Fetcher, is_public_address, retry_after_seconds

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
HTML = {"content-type": "text/html; charset=utf-8"}


class Clock:
    """A fake clock: sleeping moves time on at once, and every pause is recorded."""

    def __init__(self):
        self.now, self.sleeps = 0.0, []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


async def public(host: str) -> list[str]:
    return ["93.184.216.34"]


def fetcher(handler, clock: Clock | None = None, resolve=public, **policy) -> tuple[Fetcher, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    own_robots = policy.pop("robots", False)

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/robots.txt" and not own_robots:
            return httpx.Response(404)
        return handler(request)

    clock = clock or Clock()
    settings = FetchPolicy(**{"backoff_seconds": 1.0, "retries": 3, "requests_per_second": 100} | policy)
    return Fetcher(settings, transport=httpx.MockTransport(record), resolve=resolve, clock=clock, sleep=clock.sleep,
                   now=lambda: NOW), seen


def pauses(clock: Clock) -> list[float]:
    """The retry pauses, without the 10 ms pacing between requests."""
    return [s for s in clock.sleeps if s > 0.05]


def pages(seen: list[httpx.Request]) -> list[str]:
    return [r.url.path for r in seen if r.url.path != "/robots.txt"]


def test_fetch_retries_5xx_with_exponential_backoff_then_succeeds():
    answers = iter([httpx.Response(503), httpx.Response(502), httpx.Response(200, text="<p>ok</p>", headers=HTML)])
    clock = Clock()
    f, seen = fetcher(lambda r: next(answers), clock)
    result = f.fetch(FetchRequest(url="https://blog.example.org/a/"))
    assert (result.outcome, result.status, result.attempts, result.content) == ("ok", 200, 3, b"<p>ok</p>")
    assert pauses(clock) == [1.0, 2.0]
    assert pages(seen) == ["/a/"] * 3


def test_fetch_honours_retry_after_on_429():
    answers = iter([httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, text="x", headers=HTML)])
    clock = Clock()
    f, _ = fetcher(lambda r: next(answers), clock)
    assert f.fetch(FetchRequest(url="https://blog.example.org/a/")).outcome == "ok"
    assert pauses(clock) == [7.0]


def test_fetch_gives_up_when_retry_after_is_over_the_limit():
    clock = Clock()
    f, seen = fetcher(lambda r: httpx.Response(503, headers={"Retry-After": "3600"}), clock,
                      max_retry_after_seconds=60)
    result = f.fetch(FetchRequest(url="https://blog.example.org/a/"))
    assert (result.outcome, result.error_kind, result.status) == ("failed", "transient", 503)
    assert "Retry-After 3600 s" in result.error and pauses(clock) == [] and len(pages(seen)) == 1


def test_fetch_records_a_5xx_that_outlasts_the_retries():
    f, _ = fetcher(lambda r: httpx.Response(500), retries=2)
    result = f.fetch(FetchRequest(url="https://blog.example.org/a/"))
    assert (result.outcome, result.status, result.attempts, result.error) == (
        "failed", 500, 3, "HTTP 500 after 3 attempts")


def test_fetch_retries_connection_errors():
    calls = []

    def handler(request):
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("connection refused")
        return httpx.Response(200, text="x", headers=HTML)

    clock = Clock()
    f, _ = fetcher(handler, clock)
    result = f.fetch(FetchRequest(url="https://blog.example.org/a/"))
    assert (result.outcome, result.attempts, pauses(clock)) == ("ok", 2, [1.0])


def test_fetch_sends_validators_and_takes_a_304():
    def handler(request):
        assert request.headers["If-None-Match"] == '"v1"'
        assert request.headers["If-Modified-Since"] == "Sun, 01 Mar 2026 10:00:00 GMT"
        return httpx.Response(304, headers={"ETag": '"v1"'})

    f, _ = fetcher(handler)
    result = f.fetch(FetchRequest(url="https://blog.example.org/a/", etag='"v1"',
                                  last_modified="Sun, 01 Mar 2026 10:00:00 GMT"))
    assert (result.outcome, result.status, result.content, result.etag) == ("not_modified", 304, None, '"v1"')


@pytest.mark.parametrize(("stored", "sent"), [
    ('"5d41-gzip"', '"5d41"'),  # Apache's mod_deflate suffix, which the application never sees
    ('W/"5d41-br"', 'W/"5d41"'),
    ('"5d41"', '"5d41"'),
    ('"gzip"', '"gzip"'),  # a tag that only looks like a suffix
])
def test_fetch_sends_back_the_etag_the_application_made(stored, sent):
    def handler(request):
        fresh = request.headers["If-None-Match"] == sent
        return httpx.Response(304 if fresh else 200, headers={"ETag": stored, "Content-Type": "text/html"})

    f, _ = fetcher(handler)
    assert f.fetch(FetchRequest(url="https://blog.example.org/a/", etag=stored)).outcome == "not_modified"


def test_an_etag_the_server_ignores_is_not_kept_so_if_modified_since_goes_alone():
    def handler(request):  # answers 200 to its own ETag, 304 to a date
        if request.headers.get("If-Modified-Since") and "If-None-Match" not in request.headers:
            return httpx.Response(304)
        return httpx.Response(200, text="<p>x</p>", headers={"ETag": '"v1"', "Last-Modified": "Sun, 01 Mar 2026 10:00:00 GMT",
                                                           "Content-Type": "text/html"})

    f, _ = fetcher(handler)
    first = f.fetch(FetchRequest(url="https://blog.example.org/a/", etag='"v1"', last_modified="Sun, 01 Mar 2026 10:00:00 GMT"))
    assert (first.outcome, first.etag, first.last_modified) == ("ok", None, "Sun, 01 Mar 2026 10:00:00 GMT")
    again = f.fetch(FetchRequest(url="https://blog.example.org/a/", etag=first.etag, last_modified=first.last_modified))
    assert again.outcome == "not_modified"


def test_fetch_refuses_a_body_over_the_size_limit():
    f, _ = fetcher(lambda r: httpx.Response(200, content=b"x" * 5000, headers=HTML), max_bytes=4096)
    result = f.fetch(FetchRequest(url="https://blog.example.org/a/"))
    assert (result.outcome, result.error_kind) == ("failed", "terminal")
    assert "5000 bytes announced, over the 4096 byte limit" in result.error


def test_fetch_stops_reading_a_body_without_length_at_the_limit():
    async def chunks():
        for chunk in (b"x" * 3000, b"y" * 3000, b"z" * 3000):
            yield chunk

    def handler(request):
        return httpx.Response(200, headers=HTML, content=chunks())

    f, _ = fetcher(handler, max_bytes=4096)
    result = f.fetch(FetchRequest(url="https://blog.example.org/a/"))
    assert result.outcome == "failed" and result.error == "body over the 4096 byte limit"


def test_fetch_checks_the_content_type_by_kind():
    f, _ = fetcher(lambda r: httpx.Response(200, content=b"\x89PNG", headers={"content-type": "image/png"}))
    page = f.fetch(FetchRequest(url="https://blog.example.org/a.png"))
    assert page.outcome == "failed" and page.error.startswith("unexpected content type image/png for a page")
    f, _ = fetcher(lambda r: httpx.Response(200, text="<rss/>", headers={"content-type": "application/rss+xml"}))
    assert f.fetch(FetchRequest(url="https://blog.example.org/feed/", kind="feed")).outcome == "ok"
    assert f.fetch(FetchRequest(url="https://blog.example.org/api", kind="json")).outcome == "failed"


def test_fetch_follows_redirects_up_to_the_bound():
    def handler(request):
        n = int(request.url.path.strip("/") or 0)
        return httpx.Response(301, headers={"Location": f"/{n + 1}"})

    f, seen = fetcher(handler, max_redirects=3)
    result = f.fetch(FetchRequest(url="https://blog.example.org/0"))
    assert result.outcome == "failed" and result.error == "more than 3 redirects"
    assert pages(seen) == ["/0", "/1", "/2", "/3"]

    def once(request):
        if request.url.path == "/old":
            return httpx.Response(308, headers={"Location": "https://blog.example.org/new"})
        return httpx.Response(200, text="x", headers=HTML)

    f, _ = fetcher(once)
    result = f.fetch(FetchRequest(url="https://blog.example.org/old"))
    assert (result.outcome, result.final_url, result.attempts) == ("ok", "https://blog.example.org/new", 2)


def test_fetch_refuses_private_and_loopback_addresses_unless_allowed():
    f, seen = fetcher(lambda r: httpx.Response(200, text="x", headers=HTML))
    for url in ("http://127.0.0.1:8000/a", "http://10.1.2.3/a", "http://[::1]/a", "http://169.254.169.254/latest"):
        result = f.fetch(FetchRequest(url=url))
        assert result.outcome == "failed" and "private or loopback address" in result.error, url
    assert seen == []

    async def internal(host):
        return ["192.168.1.20"]

    f, _ = fetcher(lambda r: httpx.Response(200, text="x", headers=HTML), resolve=internal)
    assert "intranet.example resolves to a private" in f.fetch(FetchRequest(url="http://intranet.example/")).error
    f, _ = fetcher(lambda r: httpx.Response(200, text="x", headers=HTML), allow_private=True)
    assert f.fetch(FetchRequest(url="http://127.0.0.1:8000/a")).outcome == "ok"
    # A redirect to a private address is refused too.
    f, _ = fetcher(lambda r: httpx.Response(302, headers={"Location": "http://127.0.0.1/admin"}))
    assert "private or loopback" in f.fetch(FetchRequest(url="https://blog.example.org/a")).error


def test_fetch_respects_robots_txt_and_its_crawl_delay():
    robots = "User-agent: *\nDisallow: /private/\nCrawl-delay: 5\n\nUser-agent: covpipe\nDisallow: /drafts/\n"

    def handler(request):
        if request.url.path == "/robots.txt":
            return httpx.Response(200, text=robots, headers={"content-type": "text/plain"})
        return httpx.Response(200, text="x", headers=HTML)

    clock = Clock()
    f, seen = fetcher(handler, clock, robots=True, requests_per_second=10)
    results = f.fetch_many([FetchRequest(url=f"https://blog.example.org{p}") for p in ("/a", "/drafts/x", "/private/y")])
    assert [r.outcome for r in results] == ["ok", "failed", "ok"]  # the covpipe group replaces the * group
    assert "disallows /drafts/x" in results[1].error and results[1].attempts == 0
    assert [r.url.path for r in seen] == ["/robots.txt", "/a", "/private/y"]
    assert [r.kind for r in f.side_fetches] == ["robots"]


def test_fetch_does_not_fetch_a_host_whose_robots_txt_fails():
    def handler(request):
        return httpx.Response(503) if request.url.path == "/robots.txt" else httpx.Response(200, headers=HTML)

    f, seen = fetcher(handler, robots=True, retries=0)
    result = f.fetch(FetchRequest(url="https://blog.example.org/a"))
    assert result.outcome == "failed" and result.error_kind == "transient" and "robots.txt" in result.error
    assert pages(seen) == []


def test_fetch_paces_each_host_and_runs_hosts_in_parallel():
    clock = Clock()
    f, _ = fetcher(lambda r: httpx.Response(200, text="x", headers=HTML), clock, requests_per_second=2)
    requests = [FetchRequest(url=f"https://{host}.example.org/{n}") for n in range(4) for host in ("a", "b")]
    results = f.fetch_many(requests)
    assert all(r.outcome == "ok" for r in results)
    # Each host: robots.txt then 4 pages, one start every 0.5 s; the two hosts share the clock, not a queue.
    assert clock.now == pytest.approx(2.0)


def test_fetch_sends_the_configured_user_agent():
    f, seen = fetcher(lambda r: httpx.Response(200, text="x", headers=HTML), user_agent="covpipe-test/9 (+ops)")
    f.fetch(FetchRequest(url="https://blog.example.org/a"))
    assert {r.headers["User-Agent"] for r in seen} == {"covpipe-test/9 (+ops)"}


def test_retry_after_reads_seconds_and_http_dates():
    assert retry_after_seconds("120", NOW) == 120
    assert retry_after_seconds("Sun, 01 Mar 2026 12:00:30 GMT", NOW) == 30
    assert retry_after_seconds("soon", NOW) is None and retry_after_seconds(None, NOW) is None


def test_is_public_address():
    assert is_public_address("93.184.216.34") and is_public_address("2606:4700::1")
    for address in ("127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.0.1", "169.254.1.1", "::1", "fc00::1",
                    "::ffff:127.0.0.1", "0.0.0.0", "100.64.0.1"):
        assert not is_public_address(address), address


@pytest.mark.parametrize("address", [
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b:1::c0a8:1",  # local-use NAT64 of 192.168.0.1
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:c0a8:1::1",  # 6to4 of 192.168.0.1
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
    "::127.0.0.1",  # IPv4-compatible
])
def test_an_ipv6_address_wrapping_a_private_ipv4_is_not_public(address):
    assert not is_public_address(address)


def test_an_ipv6_address_wrapping_a_public_ipv4_is_public():
    assert is_public_address("64:ff9b::5db8:d822") and is_public_address("2002:5db8:d822::1")


class _Page(BaseHTTPRequestHandler):
    hosts: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        _Page.hosts.append(self.headers["Host"])
        body = b"<html><body>ok</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def loopback_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Page.hosts = []
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_the_connection_goes_to_the_address_that_was_checked(loopback_server, monkeypatch):
    """No second lookup between the check and the connection (DNS rebinding): the name is
    resolved once, by the resolver the check used, and the socket opens to that address."""
    lookups = []

    async def resolve(host: str) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]  # for this test a "public" address: the check below lets it through

    monkeypatch.setattr("tasks.sources.fetch.is_public_address", lambda address: True)
    policy = FetchPolicy(respect_robots=False, requests_per_second=100)
    url = f"http://pinned.invalid:{loopback_server}/page"  # .invalid never resolves (RFC 6761)
    result = Fetcher(policy, resolve=resolve).fetch_many([FetchRequest(url=url), FetchRequest(url=url + "?2")])
    assert [r.outcome for r in result] == ["ok", "ok"], result[0].error
    assert lookups == ["pinned.invalid"]
    assert _Page.hosts == [f"pinned.invalid:{loopback_server}"] * 2  # the name still goes in the Host header


def test_a_private_address_is_refused_or_if_allowed_connected_to_as_resolved(loopback_server):
    async def loopback(host: str) -> list[str]:
        return ["127.0.0.1"]

    url = f"http://rebind.invalid:{loopback_server}/page"
    refused = Fetcher(FetchPolicy(respect_robots=False), resolve=loopback).fetch(FetchRequest(url=url))
    assert refused.outcome == "failed" and "private or loopback" in refused.error
    assert _Page.hosts == []
    allowed = Fetcher(FetchPolicy(respect_robots=False, allow_private=True), resolve=loopback).fetch(
        FetchRequest(url=url))
    assert allowed.outcome == "ok", allowed.error  # through the resolver's answer: .invalid has no DNS


def test_an_international_name_is_checked_and_pinned_as_the_connection_names_it(loopback_server, monkeypatch):
    lookups = []

    async def resolve(host: str) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr("tasks.sources.fetch.is_public_address", lambda address: True)
    result = Fetcher(FetchPolicy(respect_robots=False), resolve=resolve).fetch(
        FetchRequest(url=f"http://café.invalid:{loopback_server}/page"))
    assert result.outcome == "ok", result.error
    assert lookups == ["xn--caf-dma.invalid"]  # IDNA, as httpx sends it; no second lookup


def test_the_transport_opens_no_connection_to_a_host_nobody_checked():
    import asyncio

    import httpcore

    from tasks.sources.pinned_transport import PinnedBackend

    with pytest.raises(httpcore.ConnectError, match="not checked"):
        asyncio.run(PinnedBackend({"checked.invalid": ["127.0.0.1"]}).connect_tcp("other.invalid", 80))
