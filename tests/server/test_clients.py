"""Who a request counts against for the per-client budgets (drugkg.server.clients)."""

from __future__ import annotations

import pytest

from drugkg.server.clients import client_key, parse_trusted_proxies


@pytest.mark.parametrize(
    ("host", "ipv4_prefix", "ipv6_prefix", "key"),
    [
        ("127.0.0.2", 32, 64, "127.0.0.2"),
        ("192.0.2.77", 24, 64, "192.0.2.0/24"),
        ("2001:db8::1", 32, 64, "2001:db8::/64"),
        ("2001:db8::ffff:0:1", 32, 64, "2001:db8::/64"),
        ("2001:db8:0:1::1", 32, 64, "2001:db8:0:1::/64"),
        ("2001:db8:0:1::1", 32, 48, "2001:db8::/48"),
        ("2001:db8::1", 32, 128, "2001:db8::1"),
        ("2001:0db8:0000::0001", 32, 128, "2001:db8::1"),  # one address however it is written
        ("::ffff:192.0.2.7", 32, 64, "192.0.2.7"),  # IPv4 written as IPv6 counts as IPv4
        ("::ffff:192.0.2.7", 24, 64, "192.0.2.0/24"),
        ("fe80::1%eth0", 32, 64, "fe80::/64"),
        ("fe80::1%eth0", 32, 128, "fe80::1"),
        ("unknown", 32, 64, "unknown"),
        ("not an address", 24, 48, "not an address"),
    ],
)
def test_client_key(host: str, ipv4_prefix: int, ipv6_prefix: int, key: str) -> None:
    assert client_key(host, ipv4_prefix, ipv6_prefix) == key


@pytest.mark.parametrize(
    ("text", "entries"),
    [
        ("127.0.0.1,::1", ("127.0.0.1", "::1")),
        (" 10.0.0.0/8 , 2001:db8::/32 ", ("10.0.0.0/8", "2001:db8::/32")),
        ("*", ("*",)),
        ("", ()),
    ],
)
def test_trusted_proxies(text: str, entries: tuple[str, ...]) -> None:
    assert parse_trusted_proxies(text) == entries


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10.0.0.1/8", "'10.0.0.1/8' is not an IP address or network (nor *)"),
        ("127.0.0.1,proxy.example", "'proxy.example' is not an IP address or network (nor *)"),
        ("*,127.0.0.1", "'*' trusts every address: give it alone"),
    ],
)
def test_trusted_proxies_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_trusted_proxies(text)
    assert str(raised.value) == message
