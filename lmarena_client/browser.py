"""The one Chromium of a Client: bootstrap, tokens, cookies, health and restart.

Every browser operation runs under one ``asyncio.Lock``; nothing else in the library touches
Chromium. HTTP calls are made with aiohttp elsewhere, using :meth:`BrowserSession.credentials`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import nodriver
from nodriver import cdp
from nodriver.core.connection import ProtocolException
from websockets.exceptions import WebSocketException

from .chromium import ChromiumProcess, LaunchOptions, launch
from .config import ClientSettings
from .errors import BootstrapError, BrowserError, TokenMintError
from .identity import Identity, IdentityStore, StoredCookie, identity_cookies
from .identity_keeper import IdentityKeeper
from .safe_fetch import redact_url

log = logging.getLogger(__name__)

AUTH_COOKIE_MARKER = "arena-auth-prod"
_CHALLENGE_TITLES = ("just a moment", "attention required")
_PROBE_JS = """(() => {
  const box = document.querySelector('#cf-turnstile input, #cf-turnstile');
  const r = box ? box.getBoundingClientRect() : null;
  const g = window.grecaptcha && window.grecaptcha.enterprise;
  return {
    title: document.title, href: location.href, ready: document.readyState,
    noJs: !document.body || document.body.classList.contains('no-js'),
    turnstile: r && r.width > 0 ? [r.x + r.width / 2, r.y + r.height / 2] : null,
    textarea: !!document.querySelector('textarea[name="message"]'),
    grecaptcha: !!(g && typeof g.execute === 'function' && typeof g.ready === 'function'),
  };
})()"""
_MINT_JS = """new Promise((resolve, reject) => {
  const g = window.grecaptcha && window.grecaptcha.enterprise;
  if (!g) { reject(new Error('grecaptcha.enterprise is missing')); return; }
  g.ready(() => g.execute(%s, {action: %s}).then(resolve, reject));
})"""

# Render an invisible widget, wait for its token, remove it. The page's own script serves;
# the official one is loaded only when the page has none.
_TURNSTILE_JS = """new Promise((resolve, reject) => {
  const [siteKey, action, scriptUrl] = [%s, %s, %s];
  const render = () => {
    const box = document.createElement('div');
    box.style.cssText = 'position:fixed;right:0;bottom:0;z-index:2147483647';
    document.body.appendChild(box);
    const done = (fn, value) => { window.turnstile.remove(id); box.remove(); fn(value); };
    const id = window.turnstile.render(box, {sitekey: siteKey, action: action,
      appearance: 'interaction-only', callback: t => done(resolve, t),
      'error-callback': e => done(reject, new Error('Turnstile failed: ' + e))});
  };
  if (window.turnstile) { render(); return; }
  const tag = document.createElement('script');
  tag.src = scriptUrl;
  tag.onload = () => window.turnstile ? render() : reject(new Error('no turnstile object'));
  tag.onerror = () => reject(new Error('the Turnstile script did not load'));
  document.head.appendChild(tag);
})"""


@dataclass(frozen=True)
class Credentials:
    """What an HTTP call needs from the browser: its cookies and user agent."""

    cookies: dict[str, str]
    user_agent: str


@dataclass(frozen=True)
class PageSnapshot:
    """The bootstrapped page: where the site lives now and its HTML (for discovery)."""

    origin: str
    html: str


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class BrowserSession:
    """Owns one Chromium process and its tab; all methods are safe to call concurrently."""

    def __init__(self, settings: ClientSettings, identity: IdentityStore | None = None) -> None:
        self._settings = settings
        self._identity = IdentityKeeper(identity)
        self._lock = asyncio.Lock()
        self._chromium: ChromiumProcess | None = None
        self._browser: Any = None
        self._tab: Any = None
        self._user_agent = ""
        self.origin = settings.origin
        self.page: PageSnapshot | None = None

    # -- lifecycle -------------------------------------------------------------------------

    async def bootstrap(self) -> PageSnapshot:
        """Start Chromium if needed and run the bootstrap flow (again)."""
        async with self._lock:
            if not await self._healthy_locked():
                await self._restart_locked()
            return await self._bootstrap_locked()

    async def ensure_ready(self) -> PageSnapshot:
        """Bootstrap once; afterwards restart and bootstrap again only if Chromium died."""
        async with self._lock:
            healthy = await self._healthy_locked()
            if self.page is not None and healthy:
                return self.page
            if not healthy:
                if self._chromium is not None:
                    log.warning("browser is not responding; restarting it")
                await self._restart_locked()
            return await self._bootstrap_locked()

    async def launch(self) -> None:
        """Start Chromium without loading the site (a standby's head start)."""
        async with self._lock:
            if not await self._healthy_locked():
                await self._restart_locked()

    async def close(self) -> None:
        async with self._lock:
            await self._stop_locked()

    @property
    def pid(self) -> int | None:
        return self._chromium.process.pid if self._chromium else None

    # -- operations ------------------------------------------------------------------------

    async def mint_token(self, site_key: str, action: str, timeout: float = 30.0) -> str:
        """A fresh reCAPTCHA Enterprise v3 token for ``action`` (single-use, ~120 s life)."""
        async with self._lock:
            self._require_tab()
            expression = _MINT_JS % (json.dumps(site_key), json.dumps(action))
            started = time.perf_counter()
            try:
                token = await self._eval(expression, await_promise=True, timeout=timeout)
            except (BrowserError, TimeoutError) as exc:
                raise TokenMintError(f"grecaptcha did not return a token: {exc}") from exc
            if not isinstance(token, str) or not token:
                raise TokenMintError(f"grecaptcha returned {type(token).__name__}, not a token")
            log.debug(
                "minted a token for %s in %.1f ms", action, (time.perf_counter() - started) * 1e3
            )
            return token

    async def mint_turnstile(self, action: str, timeout: float = 60.0) -> str:
        """A fresh Turnstile token for ``action`` (single use, 300 s life)."""
        async with self._lock:
            self._require_tab()
            settings = self._settings
            expression = _TURNSTILE_JS % (
                json.dumps(settings.turnstile_site_key),
                json.dumps(action),
                json.dumps(settings.turnstile_script_url),
            )
            try:
                token = await self._eval(expression, await_promise=True, timeout=timeout)
            except (BrowserError, TimeoutError) as exc:
                raise TokenMintError(f"Turnstile did not return a token: {exc}") from exc
            if not isinstance(token, str) or not token:
                raise TokenMintError(f"Turnstile returned {type(token).__name__}, not a token")
            return token

    async def credentials(self, url: str | None = None) -> Credentials:
        """Cookies the browser holds for ``url`` (default: the site) and its user agent."""
        async with self._lock:
            self._require_tab()
            cookies = await self._cookies_locked(url or self.origin + "/")
            return Credentials(cookies, self._user_agent)

    # -- internals (caller holds the lock) -----------------------------------------------------

    def _require_tab(self) -> None:
        if self._tab is None:
            raise BrowserError("the browser is not started; call bootstrap() first")

    async def _healthy_locked(self) -> bool:
        if self._chromium is None or not self._chromium.alive or self._tab is None:
            return False
        try:
            return bool(await self._eval("1", timeout=5.0) == 1)
        except (BrowserError, TimeoutError, OSError):
            return False

    async def _restart_locked(self) -> None:
        await self._stop_locked()
        started = time.perf_counter()
        s = self._settings
        self._chromium = await launch(
            LaunchOptions(
                executable=s.browser_executable_path,
                user_data_dir=s.browser_user_data_dir,
                profile_directory=s.browser_profile_directory,
                incognito=s.browser_incognito,
                headless=s.browser_headless,
            )
        )
        self._browser = await nodriver.start(
            host="127.0.0.1",
            port=self._chromium.port,
            user_data_dir=str(self._chromium.user_data_dir),
        )
        self._tab = self._browser.main_tab
        self._identity.new_browser()
        await self._send(cdp.page.enable())
        self._user_agent = await self._fix_user_agent()
        mode = "headless" if self._chromium.headless else "headful"
        log.info(
            "browser started (%s, pid %s) in %.2f s", mode, self.pid, time.perf_counter() - started
        )

    async def _fix_user_agent(self) -> str:
        agent = str(await self._eval("navigator.userAgent"))
        if "HeadlessChrome" in agent:
            # The headless marker is a bot signal; the aiohttp calls must send the same agent.
            agent = agent.replace("HeadlessChrome", "Chrome")
            await self._send(cdp.emulation.set_user_agent_override(user_agent=agent))
        return agent

    async def _stop_locked(self) -> None:
        self.page = None
        if self._browser is not None:
            # Browser.close shuts Chromium down cleanly, so a kept profile has its cookies on disk.
            with contextlib.suppress(Exception):  # it may be gone already, in any way
                await self._send(cdp.browser.close(), timeout=5.0)
            with contextlib.suppress(Exception):  # nodriver's socket close may fail any way
                await self._tab.aclose()
        self._browser = self._tab = None
        if self._chromium is not None:
            await self._chromium.stop()
            self._chromium = None

    async def _bootstrap_locked(self) -> PageSnapshot:
        deadline = time.monotonic() + self._settings.bootstrap_timeout
        total = time.perf_counter()
        for _ in range(2):  # a second round adopts an identity another process saved meanwhile
            await self._identity.before_navigation(self._apply_identity_locked)
            await self._load_page(deadline)
            if await self._identity.after_bootstrap(await self._identity_locked()):
                break
        href = str(await self._eval("location.href"))
        self.origin = origin_of(href)
        html = str(await self._eval("document.documentElement.outerHTML"))
        self.page = PageSnapshot(self.origin, html)
        elapsed = time.perf_counter() - total
        log.info("bootstrap done at %s in %.2f s", redact_url(self.origin), elapsed)
        return self.page

    async def _load_page(self, deadline: float) -> None:
        url = self.origin + self._settings.boot_path
        await self._step("navigate", self._send(cdp.page.navigate(url=url), 30.0))
        await self._step("challenge and page load", self._pass_page(deadline))
        await self._step("auth cookie", self._wait_auth_cookie(deadline))
        await self._step("grecaptcha", self._wait_probe(deadline, "grecaptcha", "grecaptcha"))

    async def _identity_locked(self) -> Identity:
        cookies = await self._send(cdp.network.get_cookies(urls=[self.origin + "/"]))
        stored = (stored_cookie(cookie) for cookie in cookies)
        return Identity(
            cookies=identity_cookies(stored), origin=self._settings.origin, saved_at=time.time()
        )

    async def _apply_identity_locked(self, cookies: tuple[StoredCookie, ...]) -> None:
        """Replace the browser's identity cookies with ``cookies`` (before a navigation)."""
        for held in (await self._identity_locked()).cookies:
            await self._send(
                cdp.network.delete_cookies(name=held.name, domain=held.domain, path=held.path)
            )
        await self._send(cdp.network.set_cookies([cookie_param(c, self.origin) for c in cookies]))

    async def _step(self, name: str, work: Any) -> None:
        started = time.perf_counter()
        await work
        log.info("bootstrap step %s took %.2f s", name, time.perf_counter() - started)

    async def _probe(self) -> dict[str, Any] | None:
        try:
            state = await self._eval(_PROBE_JS, timeout=5.0)
        except (BrowserError, TimeoutError):
            return None  # navigating: the execution context is being replaced
        return state if isinstance(state, dict) else None

    async def _pass_page(self, deadline: float) -> None:
        """Wait out a Cloudflare-style interstitial (clicking its box once) and page load."""
        clicked_at: tuple[float, float] | None = None
        while time.monotonic() < deadline:
            state = await self._probe()
            if state is None:
                await asyncio.sleep(0.05)
                continue
            challenged = any(t in str(state["title"]).lower() for t in _CHALLENGE_TITLES)
            if challenged and state["turnstile"] and state["turnstile"] != clicked_at:
                clicked_at = tuple(state["turnstile"])
                await self._click(*clicked_at)
            elif not challenged and state["ready"] == "complete" and not state["noJs"]:
                return
            await asyncio.sleep(0.1)
        raise BootstrapError("the site's page did not load past its challenge in time")

    async def _wait_auth_cookie(self, deadline: float) -> None:
        typed = False
        started = time.monotonic()
        while time.monotonic() < deadline:
            names = await self._cookies_locked(self.origin + "/")
            if any(AUTH_COOKIE_MARKER in name for name in names):
                return
            if not typed and time.monotonic() - started > 2.0:
                # Some deployments create the anonymous session only once the user types.
                typed = await self._type_in_textarea("Hello")
            await asyncio.sleep(0.1)
        raise BootstrapError("no arena-auth-prod cookie appeared (anonymous sign-up failed)")

    async def _wait_probe(self, deadline: float, key: str, what: str) -> None:
        while time.monotonic() < deadline:
            state = await self._probe()
            if state and state.get(key):
                return
            await asyncio.sleep(0.05)
        raise BootstrapError(f"{what} did not become ready in time")

    async def _type_in_textarea(self, text: str) -> bool:
        focused = await self._eval(
            "(() => { const t = document.querySelector('textarea[name=\"message\"]');"
            " if (!t) return false; t.focus(); return true; })()"
        )
        if not focused:
            return False
        for char in text:
            await self._send(cdp.input_.dispatch_key_event(type_="keyDown", text=char, key=char))
            await self._send(cdp.input_.dispatch_key_event(type_="keyUp", key=char))
        return True

    async def _click(self, x: float, y: float) -> None:
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            await self._send(
                cdp.input_.dispatch_mouse_event(
                    type_=kind, x=x, y=y, button=cdp.input_.MouseButton("left"), click_count=1
                )
            )

    async def _cookies_locked(self, url: str) -> dict[str, str]:
        cookies = await self._send(cdp.network.get_cookies(urls=[url]))
        return {cookie.name: cookie.value for cookie in cookies}

    async def _send(self, command: Any, timeout: float = 10.0) -> Any:
        """One CDP command, with nodriver's assorted failures mapped to BrowserError."""
        try:
            async with asyncio.timeout(timeout):
                return await self._tab.send(command)
        except ProtocolException as exc:
            raise BrowserError(f"DevTools refused a command: {exc}") from exc
        except (ConnectionError, OSError, RuntimeError, WebSocketException) as exc:
            raise BrowserError(f"lost the DevTools connection: {exc}") from exc

    async def _eval(
        self, expression: str, *, await_promise: bool = False, timeout: float = 10.0
    ) -> Any:
        command = cdp.runtime.evaluate(
            expression=expression, return_by_value=True, await_promise=await_promise
        )
        remote, error = await self._send(command, timeout)
        if error is not None:
            detail = error.exception.description if error.exception else error.text
            raise BrowserError(f"page script failed: {detail}")
        return remote.value


def stored_cookie(cookie: Any) -> StoredCookie:
    """A DevTools cookie as the identity keeps it."""
    same_site = cookie.same_site.value if cookie.same_site is not None else None
    expires = cookie.expires if cookie.expires and cookie.expires > 0 else None
    return StoredCookie(
        name=cookie.name,
        value=cookie.value,
        domain=cookie.domain,
        path=cookie.path,
        expires=expires,
        http_only=bool(cookie.http_only),
        secure=bool(cookie.secure),
        same_site=same_site,
    )


def cookie_param(cookie: StoredCookie, origin: str) -> Any:
    """DevTools' form of a stored cookie; a host-only cookie goes back by URL, not domain."""
    host_only = not cookie.domain.startswith(".")
    scheme = urlsplit(origin).scheme
    return cdp.network.CookieParam(
        name=cookie.name,
        value=cookie.value,
        url=f"{scheme}://{cookie.domain}{cookie.path}" if host_only else None,
        domain=None if host_only else cookie.domain,
        path=cookie.path,
        secure=cookie.secure,
        http_only=cookie.http_only,
        same_site=cdp.network.CookieSameSite(cookie.same_site) if cookie.same_site else None,
        expires=cdp.network.TimeSinceEpoch(cookie.expires) if cookie.expires else None,
    )
