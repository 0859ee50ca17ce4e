"""Who a request counts against for the per-client budgets (workers, queue, query-seconds).

An IPv4 client is its address (or its network, with `--client-ipv4-prefix` below 32). An IPv6
client is its /64 network by default: one subscriber is usually given a whole /64, so counting
single IPv6 addresses would let one client take as many shares as it has addresses to spare.
An IPv4 address written as IPv6 (`::ffff:192.0.2.1`) counts as the IPv4 address.

Behind a reverse proxy the address is the one the proxy names in `X-Forwarded-For`; only the
proxies given to `--trusted-proxies` are believed (uvicorn's ProxyHeadersMiddleware).
"""

from __future__ import annotations

import functools
import ipaddress
from typing import Any

__all__ = ["client_key", "client_of", "parse_trusted_proxies"]


@functools.lru_cache(maxsize=4096)
def client_key(host: str, ipv4_prefix: int = 32, ipv6_prefix: int = 64) -> str:
    """The budget key of a client at `host`: an address, a network such as `2001:db8::/64`, or
    `host` as given when it is not an IP address (a Unix socket's peer, a proxy's odd value)."""
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address.scope_id:
            address = ipaddress.IPv6Address(host.split("%", 1)[0])
    prefix = ipv4_prefix if address.version == 4 else ipv6_prefix
    if prefix >= address.max_prefixlen:
        return str(address)
    return str(ipaddress.ip_network((address, prefix), strict=False))


def client_of(request: Any) -> str:
    """The budget key of a Starlette request's client, by the server's prefix settings."""
    if not request.client:
        return "unknown"
    config = request.app.state.config
    return client_key(request.client.host, config.client_ipv4_prefix, config.client_ipv6_prefix)


def parse_trusted_proxies(text: str) -> tuple[str, ...]:
    """`--trusted-proxies`: addresses or networks (`10.0.0.0/8`), comma-separated; `*` alone for
    any, empty for none. Raises ValueError naming the first entry that is none of these."""
    entries = tuple(entry.strip() for entry in text.split(",") if entry.strip())
    if "*" in entries and len(entries) > 1:
        raise ValueError("'*' trusts every address: give it alone")
    for entry in entries:
        try:
            if entry != "*":
                ipaddress.ip_network(entry)  # strict, as uvicorn reads it: 10.0.0.0/8, not 10.0.0.1/8
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or network (nor *)") from None
    return entries
