"""Pure: may this image URL be fetched? One policy for the API's early check and the fetcher.

:func:`fetch_target` parses a URL with yarl (the parser aiohttp connects with, so the host that
was checked is the host that is connected to) and refuses, before any I/O:

* schemes other than ``http`` and ``https``, URLs yarl cannot parse (backslashes among them);
* a missing host, or one that is neither an IP address nor a DNS name (spaces, ``%``, ...);
* ports that are not 1-65535 in ASCII digits (yarl alone reads ``+80`` or ``٨٠`` as 80);
* IP literals in a forbidden range, numeric forms included (``127.1``, ``2130706433``,
  ``0x7f.1`` mean 127.0.0.1 to the system resolver).

Host names are judged on their resolved addresses (:func:`check_addresses`); resolving is the
caller's I/O. Credentials in a URL are allowed (the fetcher sends them) but never shown:
messages use :func:`redact_url`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias
from urllib.parse import urlsplit

from yarl import URL

from .errors import ForbiddenAddressError, ImageError

IPAddress: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressPolicy: TypeAlias = Callable[[IPAddress], str | None]
"""``address -> why it is forbidden, or None``; :func:`forbidden_reason` unless a test says."""

SCHEMES = ("http", "https")
HINT = "image URLs must point at public internet hosts (allow_private_image_urls lifts this)"

# Networks Python's ipaddress does not name precisely enough (or, for some versions, at all).
_NAMED_NETWORKS: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = (
    (ipaddress.ip_network("100.64.0.0/10"), "a carrier-grade NAT (shared) address"),
    (ipaddress.ip_network("198.18.0.0/15"), "a benchmarking address"),
    (ipaddress.ip_network("192.0.0.0/24"), "an IETF protocol assignment address"),
    (ipaddress.ip_network("192.0.2.0/24"), "a documentation address"),
    (ipaddress.ip_network("198.51.100.0/24"), "a documentation address"),
    (ipaddress.ip_network("203.0.113.0/24"), "a documentation address"),
    (ipaddress.ip_network("2001:db8::/32"), "a documentation address"),
    (ipaddress.ip_network("64:ff9b:1::/48"), "a local-use NAT64 address"),
    (ipaddress.ip_network("::/96"), "a deprecated IPv4-compatible IPv6 address"),
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_NUMBER = re.compile(r"^(0[xX][0-9a-fA-F]*|[0-9]+)$")
_MAX_HOST = 253


@dataclass(frozen=True)
class FetchTarget:
    """A URL the policy lets through: where it connects, as aiohttp will see it."""

    url: URL
    host: str  # as resolved: lowercase, IDNA-encoded, no brackets
    port: int
    address: IPAddress | None  # the host as an IP address, when it is one (nothing to resolve)


# -- the URL ---------------------------------------------------------------------------------


def fetch_target(
    url: str | URL, *, allow_private: bool, policy: AddressPolicy | None = None
) -> FetchTarget:
    """``url`` checked (module docstring); raises :class:`ImageError`, or
    :class:`ForbiddenAddressError` for an IP literal in a forbidden range."""
    try:
        parsed = url if isinstance(url, URL) else URL(url)
        scheme, raw_host = parsed.scheme, parsed.raw_host
    except (ValueError, TypeError):
        raise ImageError(f"not a valid URL: {redact_url(url)}") from None
    if scheme not in SCHEMES:
        raise ImageError(f"only http and https image URLs can be fetched, not {scheme!r}")
    if not raw_host:
        raise ImageError(f"the image URL {redact_url(parsed)} has no host")
    port = _port(parsed, url)
    address = _literal(parsed.host or raw_host)
    if address is None:
        _check_name(parsed, raw_host)
    elif not allow_private:
        check_ip_allowed(address, policy)
    return FetchTarget(url=parsed, host=raw_host, port=port, address=address)


def _port(url: URL, given: str | URL) -> int:
    # yarl reads "+80", " 80" and "٨٠" as 80; urlsplit (like a browser) refuses them.
    try:
        agreed = not isinstance(given, str) or urlsplit(given).port == url.explicit_port
    except ValueError:
        agreed = False
    if not agreed or not url.port:  # no port 0 either: nothing listens there
        raise ImageError(f"the image URL {redact_url(url)} has an invalid port")
    return url.port


def _literal(host: str) -> IPAddress | None:
    """The host as an IP address; numeric IPv4 forms read as the system resolver reads them."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) > 1 and labels[-1] == "":
        labels.pop()  # "127.0.0.1." is still an address
    if not _NUMBER.match(labels[-1]):
        return None  # a name
    numbers = [_ipv4_part(label) for label in labels]
    if len(numbers) > 4 or None in numbers:
        raise ImageError(f"the image URL's host {host!r} is not a valid IPv4 address")
    return _ipv4_from_parts([n for n in numbers if n is not None], host)


def _ipv4_part(label: str) -> int | None:
    if not _NUMBER.match(label):
        return None
    if label[:2].lower() == "0x":
        return int(label[2:] or "0", 16)
    if len(label) > 1 and label[0] == "0":
        return int(label, 8) if set(label) <= set("01234567") else None
    return int(label)


def _ipv4_from_parts(numbers: list[int], host: str) -> ipaddress.IPv4Address:
    """``a``, ``a.b``, ``a.b.c``, ``a.b.c.d``: the last part fills the remaining bytes."""
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (4 - len(head)):
        raise ImageError(f"the image URL's host {host!r} is not a valid IPv4 address")
    value = last
    for i, number in enumerate(head):
        value += number << (8 * (3 - i))
    return ipaddress.IPv4Address(value)


def _check_name(url: URL, raw_host: str) -> None:
    name = raw_host.removesuffix(".")
    if len(name) > _MAX_HOST or not all(_LABEL.match(label) for label in name.split(".")):
        raise ImageError(f"the image URL {redact_url(url)} has an invalid host name")


# -- addresses -------------------------------------------------------------------------------


def check_addresses(
    host: str,
    addresses: Sequence[IPAddress],
    *,
    allow_private: bool,
    policy: AddressPolicy | None = None,
) -> None:
    """Refuse ``host`` if *any* of its resolved addresses is forbidden (a mixed answer too)."""
    if allow_private:
        return
    reason_of = policy or forbidden_reason
    for address in addresses:
        reason = reason_of(address)
        if reason is not None:
            raise ForbiddenAddressError(f"{host} resolves to {address}, {reason}; {HINT}")


def check_ip_allowed(address: IPAddress, policy: AddressPolicy | None = None) -> None:
    """Raise :class:`ForbiddenAddressError` unless ``address`` is a public unicast address."""
    reason = (policy or forbidden_reason)(address)
    if reason is not None:
        raise ForbiddenAddressError(f"{address} is {reason}; {HINT}")


def forbidden_reason(address: IPAddress) -> str | None:
    """Why ``address`` must not be fetched from (``"a loopback address"``), or None if public."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            kind, inner = embedded
            inner_reason = forbidden_reason(inner)
            if inner_reason is not None:
                return f"an {kind} form of {inner}, {inner_reason}"
            if kind in ("IPv4-mapped", "NAT64"):
                return None  # ::ffff:8.8.8.8 is just 8.8.8.8; NAT64 translates to it
    return _plain_reason(address)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    """An IPv4 address that traffic to ``address`` may end up at, with the embedding's name."""
    if address.ipv4_mapped is not None:
        return "IPv4-mapped", address.ipv4_mapped
    if address in _NAT64:
        return "NAT64", ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return "6to4", address.sixtofour
    if address.teredo is not None:
        return "Teredo", address.teredo[1]
    return None


def _plain_reason(address: IPAddress) -> str | None:
    # Order matters only for the message: the most specific name wins.
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    for network, reason in _NAMED_NETWORKS:
        if address.version == network.version and address in network:
            return reason
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "a site-local address"
    if address.is_private:
        return "a private address"
    if address.is_reserved:
        return "a reserved address"
    if not address.is_global:
        return "not a globally routable address"
    return None


def redact_url(url: str | URL) -> str:
    """``scheme://host[:port]/path``: no credentials, query or fragment (they may be secrets)."""
    try:
        parts = urlsplit(str(url))
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        return "<invalid URL>"
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}{port}{parts.path}"
