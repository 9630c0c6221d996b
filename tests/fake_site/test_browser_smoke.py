"""One real browser against the fake, driven through nodriver directly (not the library):
Debian's Chromium passes the interstitial, signs up and mints a token that the fake accepts.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import time
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


async def test_real_chromium_passes_the_gate_and_its_token_is_accepted(
    make_arena: MakeArena, make_http: MakeHttp
) -> None:
    arena = await make_arena(interstitial=True)
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is required (scripts/setup installs it)"
    browser = await nodriver.start(headless=True, sandbox=False, browser_executable_path=executable)
    try:
        tab = await browser.get(arena.url + "/text/direct")
        cookies = await _wait_for_cookie(browser, AUTH_COOKIE)
        assert "cf_clearance" in cookies  # the challenge was solved by the page's own script
        assert await tab.evaluate("document.title") != "Just a moment..."
        token = await _mint(tab, arena)
        user_agent = await tab.evaluate("navigator.userAgent")
    finally:
        process = browser._process  # reaped here, or asyncio complains after the loop closes
        browser.stop()
        if process is not None:
            await process.wait()

    http = await make_http(user_agent=user_agent)
    http.cookie_jar.update_cookies(cookies, URL(arena.url))
    stream, _ = await create(http, arena, "hello from a real browser", recaptcha=token)
    assert stream.status == 200, stream.text
    assert stream.lines[-1].code == "d"  # the finish line
    assert arena.counters.tokens_accepted >= 2  # sign-up by the page, then our create
    assert arena.counters.tokens_refused == 0
