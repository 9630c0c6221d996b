"""Download http(s) images without letting a URL reach loopback, private or internal hosts.

A URL given by a user must not turn this library into a proxy onto the machine's own network
(server-side request forgery). :class:`SafeFetcher` therefore:

* fetches only URLs the policy of :mod:`lmarena_client.url_policy` lets through (http(s), a
  valid host and port, no IP literal in a forbidden range), the first URL and every redirect;
* resolves host names through :class:`CheckingResolver`, which refuses the host if *any* of its
  addresses is forbidden and hands aiohttp only addresses it has checked, so aiohttp connects
  to exactly those (a second, different DNS answer cannot slip in between check and connect);
* follows at most :data:`MAX_REDIRECTS` redirects itself, checking each hop again;
* limits the whole download (redirects included) to one timeout, and the body to ``max_bytes``
  (``Content-Length`` first, then while streaming);
* uses no proxy from the environment and keeps no cookies between fetches.

``allow_private=True`` turns the address checks off (tests and offline demos serve images from
loopback). Logs are at debug level and show URLs without credentials, query or fragment.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Self, TypeAlias

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from .errors import ImageFetchError, ImageTooLargeError
from .images import FetchedImage, format_size, size_comparison
from .url_policy import (
    SCHEMES,
    IPAddress,
    check_addresses,
    check_ip_allowed,
    fetch_target,
    forbidden_reason,
    redact_url,
)

__all__ = [
    "MAX_REDIRECTS",
    "SCHEMES",
    "CheckingResolver",
    "HostResolver",
    "IPAddress",
    "SafeFetcher",
    "check_ip_allowed",
    "forbidden_reason",
    "redact_url",
    "system_resolve",
]

log = logging.getLogger(__name__)

HostResolver: TypeAlias = Callable[[str, int], Awaitable[Sequence[str]]]
"""``(host, port) -> IP address strings``; the default asks the system (getaddrinfo)."""

MAX_REDIRECTS = 5
USER_AGENT = "lmarena-client (image fetch)"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


# -- name resolution -------------------------------------------------------------------------


async def system_resolve(host: str, port: int) -> list[str]:
    """The system resolver's addresses for ``host``."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class CheckingResolver(AbstractResolver):
    """aiohttp resolver that returns only checked addresses, or refuses the whole host."""

    def __init__(self, resolve: HostResolver = system_resolve, *, allow_private: bool) -> None:
        self._resolve = resolve
        self._allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = [_resolved_ip(host, text) for text in await self._resolve(host, port)]
        # forbidden_reason looked up here at each call: tests stand a public host in for it.
        check_addresses(host, addresses, allow_private=self._allow_private, policy=forbidden_reason)
        wanted = [a for a in addresses if _family_of(a) == family or family == socket.AF_UNSPEC]
        if not wanted:
            raise OSError(f"{host} has no usable address")
        log.debug("%s resolved to %s", host, ", ".join(map(str, wanted)))
        return [_result(host, address, port) for address in wanted]

    async def close(self) -> None:
        return None


def _resolved_ip(host: str, text: str) -> IPAddress:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        raise OSError(f"{host} resolved to {text!r}, which is not an IP address") from None


def _family_of(address: IPAddress) -> socket.AddressFamily:
    return socket.AF_INET if address.version == 4 else socket.AF_INET6


def _result(host: str, address: IPAddress, port: int) -> ResolveResult:
    return ResolveResult(
        hostname=host,
        host=str(address),
        port=port,
        family=_family_of(address),
        proto=0,
        flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
    )


# -- fetching --------------------------------------------------------------------------------


class SafeFetcher:
    """Fetches http(s) images under the address policy above; one lazily created session."""

    def __init__(
        self,
        *,
        timeout: float,
        max_bytes: int,
        allow_private: bool = False,
        resolve: HostResolver | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.allow_private = allow_private
        self._resolve = resolve or system_resolve
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def fetch(self, url: str, *, max_bytes: int | None = None) -> FetchedImage:
        """The body of ``url`` after redirects; ``max_bytes`` can only lower the limit."""
        limit = self.max_bytes if max_bytes is None else min(max_bytes, self.max_bytes)
        start = self._checked_url(url)
        log.debug("fetching image %s", redact_url(start))
        try:
            async with asyncio.timeout(self.timeout):
                return await self._follow(start, limit)
        except TimeoutError:
            raise ImageFetchError(
                f"fetching {redact_url(start)} timed out after {self.timeout:g} s"
            ) from None
        except aiohttp.ClientError as exc:
            raise ImageFetchError(
                f"could not fetch {redact_url(start)}: {_describe(exc)}"
            ) from None

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            resolver = CheckingResolver(self._resolve, allow_private=self.allow_private)
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False),
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,  # an environment proxy would connect where we did not check
                headers={"User-Agent": USER_AGENT, "Accept": "image/*"},
            )
        return self._session

    async def _follow(self, url: URL, limit: int) -> FetchedImage:
        session = self._ensure_session()
        for hop in range(MAX_REDIRECTS + 1):
            async with session.get(url, allow_redirects=False) as response:
                if response.status in _REDIRECTS:
                    if hop == MAX_REDIRECTS:
                        raise ImageFetchError(
                            f"{redact_url(url)} redirected more than {MAX_REDIRECTS} times"
                        )
                    url = self._redirect_target(response, url)
                    continue
                if not 200 <= response.status < 300:
                    raise ImageFetchError(
                        f"{redact_url(url)} answered HTTP {response.status} "
                        f"{response.reason or ''}".rstrip()
                    )
                data = await _read_capped(response, limit, redact_url(url))
                return FetchedImage(
                    data=data, url=str(url), content_type=response.headers.get("Content-Type")
                )
        raise AssertionError("unreachable: the last hop either returns or raises")

    def _redirect_target(self, response: aiohttp.ClientResponse, url: URL) -> URL:
        location = response.headers.get("Location")
        if not location:
            raise ImageFetchError(
                f"{redact_url(url)} answered HTTP {response.status} without a Location header"
            )
        try:
            target = url.join(URL(location))
        except ValueError:
            raise ImageFetchError(f"{redact_url(url)} redirected to an invalid URL") from None
        if target.scheme not in SCHEMES:
            raise ImageFetchError(
                f"{redact_url(url)} redirected to a {target.scheme or 'relative'}: URL; "
                "only http and https are followed"
            )
        log.debug("redirect %d to %s", response.status, redact_url(target))
        return self._checked_url(target)

    def _checked_url(self, url: str | URL) -> URL:
        """The URL under the policy (``url_policy``). Host names are checked again by
        CheckingResolver at connect time; aiohttp skips the resolver for IP literals."""
        target = fetch_target(url, allow_private=self.allow_private, policy=forbidden_reason)
        return target.url


async def _read_capped(response: aiohttp.ClientResponse, limit: int, shown: str) -> bytes:
    declared = response.content_length
    if declared is not None and declared > limit:
        size, cap = size_comparison(declared, limit)
        raise ImageTooLargeError(f"the image at {shown} is {size}; the limit is {cap}")
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.content.iter_chunked(_CHUNK):
        total += len(chunk)
        if total > limit:
            raise ImageTooLargeError(
                f"the image at {shown} is larger than the limit of {format_size(limit)}"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _describe(exc: aiohttp.ClientError) -> str:
    """A reason that never repeats the URL (aiohttp puts full URLs in some messages)."""
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return f"the TLS certificate of {exc.host} is not valid"
    if isinstance(exc, aiohttp.ClientConnectorError):
        os_error = exc.os_error
        if isinstance(os_error, socket.gaierror):
            return f"the host {exc.host} does not resolve"
        reason = os_error.strerror or str(os_error) or type(os_error).__name__
        return f"cannot connect to {exc.host}:{exc.port} ({reason})"
    if isinstance(exc, aiohttp.InvalidURL | aiohttp.ClientResponseError):
        return type(exc).__name__
    return str(exc) or type(exc).__name__
