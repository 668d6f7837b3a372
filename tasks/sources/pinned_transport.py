"""An HTTP transport that connects to the addresses the fetcher checked, never to a new lookup.

The fetcher refuses private and loopback addresses by resolving a host name and checking
every address (`tasks.sources.fetch`). If the connection then resolved the name again, a name
that answers with a public address to the check and 127.0.0.1 to the connection (DNS
rebinding) would reach the machine's own services. Here the connection is opened to the
checked addresses themselves, in order, while TLS still verifies the certificate against
the host name (httpcore's own TLS upgrade uses the request's host for SNI and checks).

httpx takes no resolver and no network backend, so the transport is httpx's own with its
connection pool built over httpcore's public `AsyncNetworkBackend` seam: the one place
this module relies on httpx's layout (`AsyncHTTPTransport._pool`), pinned by
requirements.lock and covered by tests/tasks/test_fetch.py on loopback.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import httpcore
import httpx


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections to the addresses pinned for a host, in the resolver's order, each
    attempt with its share of the timeout; a host nobody checked gets no connection."""

    def __init__(self, pinned: Mapping[str, list[str]]):
        self._pinned = pinned
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable | None = None) -> httpcore.AsyncNetworkStream:
        addresses = self._pinned.get(host)
        if not addresses:
            raise httpcore.ConnectError(f"{host} was not checked before connecting")
        each = None if timeout is None else max(timeout / len(addresses), min(timeout, 2.0))
        error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(address, port, each, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable | None = None) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def pinned_transport(pinned: Mapping[str, list[str]], limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """httpx's transport over a pool that connects through `PinnedBackend`."""
    transport = httpx.AsyncHTTPTransport(limits=limits)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(), max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
        network_backend=PinnedBackend(pinned),
    )
    return transport
