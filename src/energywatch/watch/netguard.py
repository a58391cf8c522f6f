"""Which URLs the watcher may fetch.

Feed and page URLs come from configuration, from feeds and from redirects, and none of
those is fully under the operator's control: a feed entry or a ``Location`` header can
point anywhere. Without a check, the watch process becomes a way to make requests into
its own network (cloud metadata at 169.254.169.254, admin ports on localhost, services
on 10.x). So every URL — the configured one and every redirect target — must name an
http(s) host whose addresses are all public, unless the source opts in with
``allow_private``. Even then, link-local addresses and the known cloud metadata
endpoints stay refused: that is where instance credentials are served, and no news
source lives there.

Known limitation: the check resolves the name, and the HTTP client resolves it again
when it connects. A name whose DNS answer changes in between (DNS rebinding) can slip
past. Pinning the connection to the checked address would close that gap; we have not
done it.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

Resolver = Callable[[str, int], Sequence[tuple[Any, ...]]]
"""``socket.getaddrinfo``-shaped: (host, port) → tuples whose last item is the sockaddr."""

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Hosts the C resolver reads as IPv4 numbers in its legacy forms (2130706433,
# 0x7f.1, 0177.0.0.1). We read them the same way, with inet_aton, instead of trusting
# every resolver to agree.
_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]*|\d+)(?:\.(?:0x[0-9a-f]*|\d+)){0,3}\.?$", re.IGNORECASE)
# Characters no honest host name contains, but that URL parsers disagree about; a
# disagreement between our check and the client's parser would let a URL through.
_SUSPECT_HOST = re.compile(r"[\s%\\@/?#\x00-\x1f\x7f]")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Refused even with allow_private: instance metadata services (AWS, GCP, Azure,
# OpenStack on 169.254.169.254; AWS over IPv6; Alibaba Cloud) and link-local in general.
_ALWAYS_BLOCKED = (
    ipaddress.IPv4Network("169.254.0.0/16"),
    ipaddress.IPv6Network("fe80::/10"),
    ipaddress.IPv6Network("fd00:ec2::254/128"),
    ipaddress.IPv4Network("100.100.100.200/32"),
)


class UnsafeURLError(Exception):
    """A URL the watcher refuses to fetch. ``reason`` is one of ``scheme``, ``host``,
    ``private_address``, ``resolve_failed``."""

    def __init__(self, reason: str, url: str, detail: str) -> None:
        super().__init__(f"{detail} ({url})")
        self.reason = reason
        self.url = url
        self.detail = detail


def check_url(url: str, *, allow_private: bool, resolver: Resolver = socket.getaddrinfo) -> None:
    """Raise ``UnsafeURLError`` unless ``url`` is an http(s) URL whose host resolves only
    to public addresses. ``allow_private`` also admits private and loopback addresses,
    never link-local or metadata ones."""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = parts.hostname or ""
        port = parts.port
    except ValueError as exc:  # bad IPv6 brackets, a port that is not a number
        raise UnsafeURLError("host", url, f"the URL cannot be parsed: {exc}") from None
    if scheme not in ("http", "https"):
        shown = scheme or "none"
        raise UnsafeURLError("scheme", url, f"only http and https URLs are fetched, not {shown}")
    if "@" in parts.netloc:
        raise UnsafeURLError("host", url, "URLs with credentials (user:password@) are refused")
    if not host:
        raise UnsafeURLError("host", url, "the URL has no host")
    literal = _literal_address(host)
    if literal is None and _SUSPECT_HOST.search(host):
        raise UnsafeURLError("host", url, f"the host {host!r} contains characters a host name cannot")
    if literal is not None:
        addresses = [literal]
    else:
        addresses = _resolve(url, host, port or (443 if scheme == "https" else 80), resolver)
    for address in addresses:
        shown = host if literal is not None else f"{host} resolves to {address}, which"
        if _always_blocked(address):
            raise UnsafeURLError(
                "private_address",
                url,
                f"{shown} is a link-local or cloud metadata address; never fetched, even with allow_private",
            )
        kind = None if allow_private else _blocked_kind(address)
        if kind is not None:
            article = "an" if kind[0] in "aeiou" else "a"
            raise UnsafeURLError(
                "private_address",
                url,
                f"{shown} is {article} {kind} address; set allow_private for a source meant to be internal",
            )


def _literal_address(host: str) -> Address | None:
    """The address a host names by itself (IPv4, IPv6 or a legacy numeric form)."""
    if _NUMERIC_HOST.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host.rstrip(".")))
        except OSError:
            return None  # e.g. 99999999999: not a number the resolver accepts either
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _resolve(url: str, host: str, port: int, resolver: Resolver) -> list[Address]:
    try:
        infos = resolver(host, port)
    except (OSError, UnicodeError) as exc:
        raise UnsafeURLError("resolve_failed", url, f"the host {host} does not resolve: {exc}") from None
    addresses: list[Address] = []
    for info in infos:
        try:
            address = ipaddress.ip_address(str(info[-1][0]).split("%", 1)[0])
        except (ValueError, IndexError, TypeError):
            continue  # not an IP socket address (AF_UNIX and the like); nothing to connect to
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UnsafeURLError("resolve_failed", url, f"the host {host} resolves to no IP address")
    return addresses


def _always_blocked(address: Address) -> bool:
    embedded = _embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
    if embedded is not None:
        return _always_blocked(embedded)
    return any(address in network for network in _ALWAYS_BLOCKED if network.version == address.version)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64, Teredo client)."""
    embedded = address.ipv4_mapped or address.sixtofour
    if embedded is None and address in _NAT64:
        embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if embedded is None and address.teredo is not None:
        embedded = address.teredo[1]
    return embedded


def _blocked_kind(address: Address) -> str | None:
    """What makes an address off limits, or None for a public one.

    IPv6 forms that carry an IPv4 address (mapped, 6to4, NAT64, Teredo client) are
    judged by the address they carry: ::ffff:127.0.0.1 reaches localhost just the same.
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return _blocked_kind(embedded)
    checks = (
        ("loopback", address.is_loopback),
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("non-public", not address.is_global),
    )
    return next((kind for kind, hit in checks if hit), None)
