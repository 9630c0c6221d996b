"""HTTP to the site over one aiohttp session, with the browser's cookies and user agent."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urljoin

import aiohttp

from .browser import Credentials, origin_of
from .config import ClientSettings
from .errors import SiteTimeoutError, SiteUnreachableError, StreamError, UpstreamError
from .safe_fetch import redact_url
from .site_errors import error_for_response

log = logging.getLogger(__name__)

CredentialSource = Callable[[str], Awaitable[Credentials]]  # url -> cookies + user agent
_REDIRECTS = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 3
_MAX_ERROR_BODY = 64 * 1024
TEXT_PLAIN = "text/plain;charset=UTF-8"


@dataclass
class OpenedStream:
    """A 200 reply whose body has not been read yet, and where it finally came from."""

    response: aiohttp.ClientResponse
    url: str

    @property
    def origin(self) -> str:
        return origin_of(self.url)


def browser_headers(creds: Credentials, origin: str, referer: str) -> dict[str, str]:
    """Headers a same-origin fetch from the site's page would carry."""
    headers = {
        "Accept": "*/*",
        "Accept-Language": "en-US,en;q=0.9",
        "Origin": origin,
        "Referer": referer,
        "User-Agent": creds.user_agent,
        "Sec-Fetch-Dest": "empty",
        "Sec-Fetch-Mode": "cors",
        "Sec-Fetch-Site": "same-origin",
    }
    if creds.cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in creds.cookies.items())
    return headers


class Transport:
    """Owns the aiohttp session; maps transport failures and HTTP errors to the error tree."""

    def __init__(self, settings: ClientSettings, credentials: CredentialSource) -> None:
        self._settings = settings
        self._credentials = credentials
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(
                total=None,
                connect=self._settings.connect_timeout,
                sock_connect=self._settings.connect_timeout,
            )
            # Cookies come from the browser on every call, never from a jar of our own.
            self._session = aiohttp.ClientSession(
                timeout=timeout, cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=True
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def open_stream(
        self, method: str, url: str, body: bytes, referer_path: str
    ) -> OpenedStream:
        """Send a stream request; redirects are re-sent with the same method to the new origin."""
        for _ in range(MAX_REDIRECTS + 1):
            response = await self._send(method, url, body, referer_path)
            if response.status in _REDIRECTS and "Location" in response.headers:
                location = urljoin(url, response.headers["Location"])
                response.release()
                log.info(
                    "the site moved %s to %s; re-sending there",
                    redact_url(origin_of(url)),
                    redact_url(origin_of(location)),
                )
                url = location
                continue
            if response.status != 200:
                raise await self._error(response)
            return OpenedStream(response, url)
        raise UpstreamError(f"more than {MAX_REDIRECTS} redirects from {redact_url(url)}")

    async def _send(
        self, method: str, url: str, body: bytes, referer_path: str
    ) -> aiohttp.ClientResponse:
        origin = origin_of(url)
        creds = await self._credentials(url)
        headers = browser_headers(creds, origin, origin + referer_path)
        headers["Content-Type"] = TEXT_PLAIN
        request = self.session.request(
            method, url, data=body, headers=headers, allow_redirects=False
        )
        return await self._await_answer(request, url)

    async def _await_answer(
        self, request: Awaitable[aiohttp.ClientResponse], url: str
    ) -> aiohttp.ClientResponse:
        try:
            async with asyncio.timeout(self._settings.first_byte_timeout):
                return await request
        except TimeoutError as exc:
            raise SiteTimeoutError(
                f"no answer from {redact_url(origin_of(url))} within "
                f"{self._settings.first_byte_timeout:.0f} s"
            ) from exc
        except aiohttp.ClientError as exc:
            raise SiteUnreachableError(
                f"could not reach {redact_url(origin_of(url))}: {exc}"
            ) from exc

    async def _error(self, response: aiohttp.ClientResponse) -> Exception:
        try:
            async with asyncio.timeout(10):
                raw = await response.content.read(_MAX_ERROR_BODY)
        except (TimeoutError, aiohttp.ClientError):
            raw = b""
        finally:
            response.release()
        text = raw.decode("utf-8", "replace")
        return error_for_response(response.status, response.headers, text)

    async def chunks(self, response: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
        """The body, chunk by chunk, bounded by the first-byte and idle timeouts."""
        wait = self._settings.first_byte_timeout
        try:
            while True:
                try:
                    # asyncio.timeout, not wait_for: on 3.11 wait_for drops a cancellation
                    # that lands as a chunk arrives, and an aborted job would stream on.
                    async with asyncio.timeout(wait):
                        chunk = await response.content.readany()
                except TimeoutError as exc:
                    raise SiteTimeoutError(f"the reply stalled for {wait:.0f} s") from exc
                except aiohttp.ClientError as exc:
                    raise StreamError(f"the connection broke mid-reply: {exc}") from exc
                if not chunk:
                    return
                wait = self._settings.idle_timeout
                yield chunk
        finally:
            response.release()

    async def request_text(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        with_credentials: bool = True,
        referer_path: str = "/",
    ) -> str:
        """A small non-stream call (chunks, catalog, server actions); errors are raised."""
        merged: dict[str, str] = {}
        if with_credentials:
            creds = await self._credentials(url)
            merged = browser_headers(creds, origin_of(url), origin_of(url) + referer_path)
        merged.update(headers or {})
        request = self.session.request(method, url, data=body, headers=merged)
        response = await self._await_answer(request, url)
        if response.status >= 400:
            raise await self._error(response)
        try:
            async with asyncio.timeout(self._settings.idle_timeout):
                return await response.text()
        except TimeoutError as exc:
            # Messages get logged: no credentials, and no query (presigned upload URLs).
            raise SiteTimeoutError(f"reading {redact_url(url)} took too long") from exc
        except aiohttp.ClientError as exc:
            raise SiteUnreachableError(f"reading {redact_url(url)} failed: {exc}") from exc
        finally:
            response.release()
