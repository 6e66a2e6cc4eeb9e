"""Which hosts and addresses a crawl must not reach: the one private-address rule.

The config loader (``watchlist.sites``), the download middleware, the DNS resolver and the
browser's request blocker (``crawlers/``) all ask these functions, so they cannot disagree.

An address is **private** when it is not a public unicast address: loopback, RFC 1918 and
unique-local (``fc00::/7``), link-local, site-local (``fec0::/10``), shared (``100.64.0.0/10``),
documentation and benchmarking ranges, reserved, unspecified (``0.0.0.0``, ``::``), broadcast,
multicast, and every scoped IPv6 address (``fe80::1%eth0``). IPv6 forms that carry an IPv4
address are judged by that address: IPv4-mapped (``::ffff:10.0.0.1``), 6to4
(``2002:0a00:0001::``) and the NAT64 well-known prefix (``64:ff9b::10.0.0.1``), so a public
address behind them stays public (DNS64 networks answer every public name that way). The
deprecated IPv4-compatible form (``::10.0.0.1``), the local-use NAT64 prefix
(``64:ff9b:1::/48``) and Teredo are refused whatever they carry.

A **host** (the host part of a URL) is private when it is a ``localhost`` name or spells a
private address. Spellings that resolvers accept are read as the address they mean: decimal
(``2130706433``), octal (``0177.0.0.1``), hex (``0x7f.1``) and shortened (``127.1``) IPv4,
bracketed and percent-scoped IPv6, full-width characters and ideographic dots.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from ipaddress import IPv4Address, IPv6Address

IPAddress = IPv4Address | IPv6Address

LOCALHOST_NAMES = frozenset(
    {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "ip6-localnet"}
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_TEREDO = ipaddress.ip_network("2001::/32")
_HEX = re.compile(r"0[xX][0-9a-fA-F]{0,64}")
_OCTAL = re.compile(r"0[0-7]{0,64}")
_DECIMAL = re.compile(r"[1-9][0-9]{0,64}")


def normalize_host(host: str) -> str:
    """``host`` as a resolver reads it: NFKC, lower case, no brackets, no final dot."""
    text = unicodedata.normalize("NFKC", host).replace("\u3002", ".").strip().lower()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def parse_ip(host: str) -> IPAddress | None:
    """The IP address ``host`` spells (in any spelling a resolver accepts), or None for a name.

    A scope (``fe80::1%eth0``, ``%25eth0`` in a URL) is kept on the returned address.
    """
    text = normalize_host(host)
    if not text:
        return None
    if ":" in text:
        address, _, scope = text.partition("%")
        scope = scope.removeprefix("25") if scope.startswith("25") and len(scope) > 2 else scope
        try:
            return IPv6Address(f"{address}%{scope}" if scope else address)
        except ValueError:
            return None
    return _inet_aton(text)


def is_localhost_name(host: str) -> bool:
    """True for ``localhost``, ``*.localhost`` and the other names of the loopback interface."""
    name = normalize_host(host)
    return name in LOCALHOST_NAMES or name.endswith(".localhost")


def is_private_address(address: str | IPAddress) -> bool:
    """True when ``address`` (an IP, in any spelling) is not a public unicast address.

    A string that is not an IP address at all is not private (it is a name: ask
    :func:`is_private_host` or resolve it).
    """
    ip = parse_ip(address) if isinstance(address, str) else address
    if ip is None:
        return False
    if isinstance(ip, IPv6Address):
        if ip.scope_id:
            return True
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return _not_public(embedded)
        if ip in _IPV4_COMPATIBLE or ip in _NAT64_LOCAL or ip in _TEREDO:
            return True
        return _not_public(ip) or ip.is_site_local
    return _not_public(ip)


def is_private_host(host: str) -> bool:
    """True for a ``localhost`` name or a host that spells a private address."""
    return is_localhost_name(host) or is_private_address(host)


def _not_public(ip: IPAddress) -> bool:
    return (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_unspecified
        or ip.is_multicast
    )


def _embedded_ipv4(ip: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv4-mapped, 6to4 or NAT64 (64:ff9b::/96) address carries."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _inet_aton(text: str) -> IPv4Address | None:
    """An IPv4 address in the forms ``inet_aton`` (and so ``getaddrinfo``) accepts.

    One to four parts split by dots, each decimal, octal (leading ``0``) or hex (``0x``); the
    last part fills the bytes the others leave: ``127.1`` is 127.0.0.1, ``2130706433`` too.
    """
    parts = text.split(".")
    if len(parts) > 4:
        return None
    values: list[int] = []
    for part in parts:
        value = _number(part)
        if value is None:
            return None
        values.append(value)
    *head, last = values
    if any(v > 0xFF for v in head) or last >= 1 << (8 * (4 - len(head))):
        return None
    number = last
    for index, value in enumerate(head):
        number |= value << (8 * (3 - index))
    return IPv4Address(number)


def _number(part: str) -> int | None:
    if _HEX.fullmatch(part):
        return int(part[2:] or "0", 16)  # "0x" alone is 0, as inet_aton reads it
    if _OCTAL.fullmatch(part):
        return int(part, 8)
    if _DECIMAL.fullmatch(part):
        return int(part)
    return None
