"""The library's browser and transport, watched from the outside while the doctor drives them.

:class:`ObservedBrowser` is a :class:`~lmarena_client.browser.BrowserSession` that times each
bootstrap step (navigate, challenge and page load, auth cookie, grecaptcha), notices a challenge
page, a click on its box and typing in the message box, and records the browser's network
events (method, URL, status; no headers, no bodies). The bootstrap itself is the library's,
unchanged: the doctor sees exactly what a :class:`~lmarena_client.Client` would do.

:class:`TracedTransport` is the library's :class:`~lmarena_client.transport.Transport` on an
aiohttp session carrying the :class:`~.trace.Recorder`'s ``TraceConfig``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from nodriver import cdp

from ..browser import BrowserSession, PageSnapshot, origin_of
from ..config import ClientSettings
from ..errors import BrowserError
from ..identity import IdentityStore
from ..transport import CredentialSource, Transport
from .trace import BrowserEvent, Recorder

CHALLENGE_TITLES = ("just a moment", "attention required")
CHALLENGE_PATH = "/cdn-cgi/challenge-platform/"
MAX_BROWSER_EVENTS = 400

SubstepListener = Callable[[str, str], None]  # (bootstrap step name, "start" | "end")


@dataclass
class Substep:
    """One step of the library's bootstrap, as it went."""

    seconds: float
    error: BaseException | None = None


class ObservedBrowser(BrowserSession):
    """A BrowserSession whose bootstrap is watched step by step (see the module docstring)."""

    def __init__(
        self,
        settings: ClientSettings,
        identity: IdentityStore | None,
        recorder: Recorder,
        on_substep: SubstepListener | None = None,
    ) -> None:
        super().__init__(settings, identity)
        self.recorder = recorder
        self.substeps: dict[str, Substep] = {}
        self.challenge_title_seen = False
        self.challenge_clicked = False
        self.typed_in_message_box = False
        self._on_substep = on_substep

    # -- what the doctor reads -------------------------------------------------------------

    @property
    def user_agent(self) -> str:
        return self._user_agent

    @property
    def headless(self) -> bool | None:
        return self._chromium.headless if self._chromium is not None else None

    @property
    def challenge_seen(self) -> bool:
        """Whether a challenge page was shown: its title seen, a document answered 403/503, or
        the challenge's own endpoint called (a quick one solves before its title is seen)."""
        if self.challenge_title_seen:
            return True
        for event in self.recorder.browser_events:
            document = event.kind == "response" and event.resource == "Document"
            if document and event.status in (403, 503):
                return True
            if event.kind == "request" and CHALLENGE_PATH in event.url:
                return True
        return False

    async def snapshot(self) -> PageSnapshot | None:
        """Where the tab is and its HTML, also after a bootstrap that failed midway."""
        async with self._lock:
            if self._tab is None:
                return None
            try:
                href = str(await self._eval("location.href"))
                html = str(await self._eval("document.documentElement.outerHTML"))
            except (BrowserError, TimeoutError):
                return None
        return PageSnapshot(origin_of(href), html) if href.startswith("http") else None

    async def location(self) -> str | None:
        async with self._lock:
            if self._tab is None:
                return None
            try:
                return str(await self._eval("location.href"))
            except (BrowserError, TimeoutError):
                return None

    async def cookie_names(self) -> list[str]:
        """Names (never values) of the cookies the browser holds for the site."""
        async with self._lock:
            if self._tab is None:
                return []
            return sorted(await self._cookies_locked(self.origin + "/"))

    # -- hooks into the library's bootstrap --------------------------------------------------

    async def _step(self, name: str, work: Any) -> None:
        if self._on_substep is not None:
            self._on_substep(name, "start")
        started = time.perf_counter()
        try:
            await work
        except BaseException as exc:
            self._note(name, time.perf_counter() - started, exc)
            raise
        self._note(name, time.perf_counter() - started, None)
        if self._on_substep is not None:
            self._on_substep(name, "end")

    def _note(self, name: str, seconds: float, error: BaseException | None) -> None:
        earlier = self.substeps.get(name)
        total = seconds + (earlier.seconds if earlier else 0.0)
        self.substeps[name] = Substep(total, error)

    async def _probe(self) -> dict[str, Any] | None:
        state = await super()._probe()
        if state is not None:
            title = str(state.get("title", "")).lower()
            if any(marker in title for marker in CHALLENGE_TITLES):
                self.challenge_title_seen = True
        return state

    async def _click(self, x: float, y: float) -> None:
        self.challenge_clicked = True
        await super()._click(x, y)

    async def _type_in_textarea(self, text: str) -> bool:
        typed = await super()._type_in_textarea(text)
        self.typed_in_message_box = self.typed_in_message_box or typed
        return typed

    async def _restart_locked(self) -> None:
        await super()._restart_locked()
        self._tab.add_handler(cdp.network.RequestWillBeSent, self._on_request)
        self._tab.add_handler(cdp.network.ResponseReceived, self._on_response)
        await self._send(cdp.network.enable())

    # -- browser network events ------------------------------------------------------------

    def _add_event(self, event: BrowserEvent) -> None:
        if event.url.startswith("http") and len(self.recorder.browser_events) < MAX_BROWSER_EVENTS:
            self.recorder.browser_events.append(event)

    def _on_request(self, event: Any, _tab: Any = None) -> None:
        request = event.request
        resource = event.type_.value if event.type_ is not None else None
        redirect = event.redirect_response
        if redirect is not None:
            self._add_event(
                BrowserEvent("redirect", request.method, redirect.url, redirect.status, resource)
            )
        self._add_event(BrowserEvent("request", request.method, request.url, None, resource))

    def _on_response(self, event: Any, _tab: Any = None) -> None:
        response = event.response
        resource = event.type_.value if event.type_ is not None else None
        self._add_event(
            BrowserEvent(
                "response", "", response.url, response.status, resource, response.mime_type
            )
        )


class TracedTransport(Transport):
    """The library's Transport on a session that records every exchange."""

    def __init__(
        self, settings: ClientSettings, credentials: CredentialSource, recorder: Recorder
    ) -> None:
        super().__init__(settings, credentials)
        self._timeouts = settings
        self._recorder = recorder
        self._traced: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._traced is None or self._traced.closed:
            timeout = aiohttp.ClientTimeout(
                total=None,
                connect=self._timeouts.connect_timeout,
                sock_connect=self._timeouts.connect_timeout,
            )
            self._traced = aiohttp.ClientSession(
                timeout=timeout,
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=True,
                trace_configs=[self._recorder.trace_config()],
            )
        return self._traced

    async def close(self) -> None:
        await super().close()
        if self._traced is not None:
            await self._traced.close()
            self._traced = None
