"""One real browser against the fake, driven through nodriver directly (not the library):
Debian's Chromium passes the interstitial, signs up and mints a token that the fake accepts;
it takes the page's refreshed auth cookie, and signs up anew once its identity is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import time
from collections.abc import AsyncIterator
from typing import Any

import nodriver
import pytest
from yarl import URL

from lmarena_client.testing import FakeArena

from .conftest import MakeArena, MakeHttp
from .helpers import create

pytestmark = pytest.mark.browser
AUTH_COOKIE = "arena-auth-prod-v1"


async def _wait_for_cookie(browser: Any, name: str, timeout: float = 20.0) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cookies = {c.name: c.value for c in await browser.cookies.get_all()}
        if name in cookies:
            return cookies
        await asyncio.sleep(0.1)
    raise AssertionError(f"no {name} cookie within {timeout} s")


async def _mint(tab: Any, arena: FakeArena) -> str:
    expression = (
        "new Promise(r => grecaptcha.enterprise.ready(r)).then(() => "
        f"grecaptcha.enterprise.execute({json.dumps(arena.site_key)}, {{action: 'chat_submit'}}))"
    )
    token = await tab.evaluate(expression, await_promise=True)
    assert isinstance(token, str), token
    return token


@contextlib.asynccontextmanager
async def _chromium() -> AsyncIterator[Any]:
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is required (scripts/setup installs it)"
    browser = await nodriver.start(headless=True, sandbox=False, browser_executable_path=executable)
    try:
        yield browser
    finally:
        process = browser._process  # reaped here, or asyncio complains after the loop closes
        browser.stop()
        if process is not None:
            await process.wait()


async def _new_auth_cookie(browser: Any, old: str | None, timeout: float = 20.0) -> str:
    """The browser's auth cookie once it differs from ``old`` (a refresh or a new sign-up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cookies = {c.name: c.value for c in await browser.cookies.get_all()}
        value = cookies.get(AUTH_COOKIE)
        if value and value != old:
            return str(value)
        await asyncio.sleep(0.1)
    raise AssertionError(f"the {AUTH_COOKIE} cookie did not change within {timeout} s")


async def test_real_chromium_passes_the_gate_and_its_token_is_accepted(
    make_arena: MakeArena, make_http: MakeHttp
) -> None:
    arena = await make_arena(interstitial=True)
    async with _chromium() as browser:
        tab = await browser.get(arena.url + "/text/direct")
        cookies = await _wait_for_cookie(browser, AUTH_COOKIE)
        assert "cf_clearance" in cookies  # the challenge was solved by the page's own script
        assert await tab.evaluate("document.title") != "Just a moment..."
        token = await _mint(tab, arena)
        user_agent = await tab.evaluate("navigator.userAgent")

    http = await make_http(user_agent=user_agent)
    http.cookie_jar.update_cookies(cookies, URL(arena.url))
    stream, _ = await create(http, arena, "hello from a real browser", recaptcha=token)
    assert stream.status == 200, stream.text
    assert stream.lines[-1].code == "d"  # the finish line
    assert arena.counters.tokens_accepted >= 2  # sign-up by the page, then our create
    assert arena.counters.tokens_refused == 0


async def test_real_chromium_takes_a_refresh_and_signs_up_anew_once_revoked(
    make_arena: MakeArena,
) -> None:
    """The page's Set-Cookie lands before its script runs: a refreshed cookie means no
    sign-up; cleared cookies and a new provisional id mean a sign-up as a new user."""
    arena = await make_arena()
    page = arena.url + "/text/direct"
    async with _chromium() as browser:
        await browser.get(page)
        first = await _new_auth_cookie(browser, None)
        user = arena.whoami({AUTH_COOKIE: first}).as_json()["user_id"]
        arena.expire_auth(user)
        await browser.get(page)
        refreshed = await _new_auth_cookie(browser, first)
        assert arena.whoami({AUTH_COOKIE: refreshed}).as_json() == {
            "status": "valid",
            "user_id": user,
        }
        arena.revoke_auth(user)
        await browser.get(page)
        second = arena.whoami({AUTH_COOKIE: await _new_auth_cookie(browser, refreshed)})
    assert second.standing == "valid" and second.user is not None and second.user.id != user
    counters = arena.counters
    assert (counters.sign_ups, counters.refreshes, counters.auth_cookies_cleared) == (2, 1, 1)
