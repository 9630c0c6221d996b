"""The library's own errors point to the doctor when a bootstrap or a chat fails the way a
changed site makes them fail, and only then."""

from __future__ import annotations

import pytest

from lmarena_client import Client
from lmarena_client.errors import (
    DOCTOR_HINT,
    BootstrapError,
    RateLimitError,
    RecaptchaError,
    TruncatedStreamError,
)
from lmarena_client.testing import FakeArena, Fault

pytestmark = pytest.mark.browser


def client_for(site: FakeArena, **settings: object) -> Client:
    return Client(origin=site.url, browser_headless=True, ephemeral=True, **settings)


async def test_a_bootstrap_on_a_page_that_is_gone(fake_arena: FakeArena) -> None:
    async with client_for(fake_arena, boot_path="/api/text/direct", bootstrap_timeout=6) as client:
        with pytest.raises(BootstrapError) as caught:
            await client.bootstrap()
    assert str(caught.value).endswith(f"({DOCTOR_HINT})")


async def test_a_reply_without_its_finish_line(fake_arena: FakeArena) -> None:
    async with client_for(fake_arena) as client:
        chat = await client.chats.create(model="gemini-3-pro")
        fake_arena.inject(Fault(kind="no_finish"))
        with pytest.raises(TruncatedStreamError) as caught:
            await chat.send("hello")
    assert "finish line" in str(caught.value) and DOCTOR_HINT in str(caught.value)


async def test_a_token_the_site_keeps_refusing(fake_arena: FakeArena) -> None:
    async with client_for(fake_arena, max_attempts=2) as client:
        chat = await client.chats.create(model="gemini-3-pro")
        fake_arena.inject(Fault(kind="recaptcha_403", times=2))
        with pytest.raises(RecaptchaError) as caught:
            await chat.send("hello")
    assert DOCTOR_HINT in str(caught.value)


async def test_a_rate_limit_is_no_site_change(fake_arena: FakeArena) -> None:
    async with client_for(fake_arena) as client:
        chat = await client.chats.create(model="gemini-3-pro")
        fake_arena.inject(Fault(kind="rate_limit_429"))
        with pytest.raises(RateLimitError) as caught:
            await chat.send("hello")
    assert "lmarena-doctor" not in str(caught.value)
