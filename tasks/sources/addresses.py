"""Which addresses the fetcher may connect to: a host's addresses, and whether each is on the
public internet (IPv4 addresses wrapped in IPv6 included). The fetcher refuses a host that
resolves to any other, unless the source allows it, and connects to the addresses it checked
(`tasks.sources.pinned_transport`)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket


async def resolve_host(host: str) -> list[str]:
    """Every address a host name resolves to."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))  # the system's order of preference


_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def is_public_address(address: str) -> bool:
    """Whether an address is on the public internet, IPv4 addresses wrapped in IPv6 included
    (IPv4-mapped and -compatible, 6to4, Teredo, NAT64: "64:ff9b::7f00:1" is 127.0.0.1)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if not ip.is_global or ip.is_multicast:
        return False
    return all(is_public_address(str(inner)) for inner in _embedded_ipv4(ip))


def _embedded_ipv4(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    last = ipaddress.IPv4Address(ip.packed[-4:])
    found = [ip.ipv4_mapped, ip.sixtofour, ip.teredo[1] if ip.teredo else None,
             last if ip.packed[:12] == bytes(12) or any(ip in net for net in _NAT64) else None]
    return [a for a in found if a is not None]
