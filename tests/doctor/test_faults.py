"""Each fault the fake site can inject into a chat: the doctor names the chat step, says why in
plain words, and exits 1 (failed) or 3 (changed); harmless ones stay ok."""

from __future__ import annotations

import pytest

from lmarena_client.testing import FAULT_KINDS, FakeArena, Fault

from .conftest import doctor, not_ok

pytestmark = pytest.mark.browser

# kind -> (status of the chat step, its summary, words of its cause)
EXPECTED: dict[str, tuple[str, str, str]] = {
    "cloudflare_403": ("failed", "403: a Cloudflare page", "challenge page"),
    "redirect_301": ("changed", "finish stop", "redirected (301)"),
    "unauthorized_401": ("failed", "401: identity refused", "refused the identity"),
    "recaptcha_403": ("failed", "403: reCAPTCHA refused", "key rotated"),
    "rate_limit_429": ("failed", "429: rate limited", "for 60 s"),
    "moderation_422": ("failed", "422: content rejected", "as content"),
    "invalid_content_400": ("failed", "400: content rejected", "Invalid content"),
    "stream_error": ("failed", "the reply reported an error", "Resource exhausted"),
    "empty_200": ("failed", "no finish line", "was empty"),
    "cut_stream": ("failed", "reply cut", "broke off"),
    "no_finish": ("failed", "no finish line", "without its finish line (ad:)"),
    "slow_first_byte": ("failed", "timed out", "within 1 s"),
    "token_delay": ("ok", "finish stop", ""),
    "finish_unknown": ("changed", "finish unknown", "'unknown'"),
    "has_arena_error": ("failed", "the reply reported an error", "hasArenaError"),
}


def test_every_fault_kind_has_an_expectation() -> None:
    assert set(EXPECTED) == set(FAULT_KINDS)


@pytest.mark.parametrize("kind", sorted(EXPECTED))
async def test_the_chat_step_names_the_fault(fake_arena: FakeArena, kind: str) -> None:
    status, summary, words = EXPECTED[kind]
    settings: dict[str, float] = {}
    fault = Fault(kind=kind)
    if kind == "slow_first_byte":
        fault, settings = Fault(kind=kind, seconds=3.0), {"first_byte_timeout": 1.0}
    elif kind == "token_delay":
        fault = Fault(kind=kind, seconds=0.01)
    fake_arena.inject(fault)
    report = await doctor(fake_arena.url, **settings)
    chat = report.step("chat")
    assert chat is not None
    assert not_ok(report) == ({} if status == "ok" else {"chat": status})
    assert summary in chat.summary
    assert words in (chat.cause or "")
    if status != "ok":
        assert chat.advice
    assert report.exit_code == {"ok": 0, "changed": 3, "failed": 1}[status]
