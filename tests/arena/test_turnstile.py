"""The fake's Turnstile: tokens only a solved challenge earns, each good for one check."""

from __future__ import annotations

import hashlib

from lmarena_client.testing.clock import Clock
from lmarena_client.testing.turnstile import TOKEN_TTL, TurnstileAuthority

KEY = "0x4AAAAAAA65vWDmG-O_lPtT"


def _solve(nonce: str) -> int:
    n = 0
    while not hashlib.sha256(f"{nonce}:{n}".encode()).hexdigest().startswith("00"):
        n += 1
    return n


def _token(authority: TurnstileAuthority, action: str = "pairwise_feedback") -> str:
    nonce = authority.challenge(KEY, action)
    assert nonce is not None
    token = authority.answer({"nonce": nonce, "n": _solve(nonce), "webdriver": False})
    assert token is not None
    return token


def test_a_solved_challenge_earns_one_good_token() -> None:
    authority = TurnstileAuthority(Clock(), KEY)
    token = _token(authority)
    assert authority.check(token, "pairwise_feedback").ok
    assert authority.check(token, "pairwise_feedback").reason == "timeout-or-duplicate"


def test_wrong_key_action_or_forgery_is_refused() -> None:
    authority = TurnstileAuthority(Clock(), KEY)
    assert authority.challenge("0x4AAAAAAAotherkey", "pairwise_feedback") is None
    assert not authority.check(_token(authority, "sign_up"), "pairwise_feedback").ok
    token = _token(authority)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert authority.check(forged, "pairwise_feedback").reason == "invalid-input-response"
    assert authority.check(None, "pairwise_feedback").reason == "missing-input-response"
    other = TurnstileAuthority(Clock(), KEY)  # another site's secret
    assert not other.check(_token(authority), "pairwise_feedback").ok


def test_an_automated_browser_or_a_wrong_answer_gets_no_token() -> None:
    authority = TurnstileAuthority(Clock(), KEY)
    nonce = authority.challenge(KEY, "pairwise_feedback")
    assert nonce is not None
    n = _solve(nonce)
    assert authority.answer({"nonce": nonce, "n": n, "webdriver": True}) is None
    assert authority.answer({"nonce": nonce, "n": n}) is None
    assert authority.answer({"nonce": nonce, "n": n, "webdriver": False}) is not None
    assert authority.answer({"nonce": nonce, "n": n, "webdriver": False}) is None  # used


def test_a_token_expires_after_300_seconds() -> None:
    clock = Clock()
    authority = TurnstileAuthority(clock, KEY)
    token = _token(authority)
    clock.advance(TOKEN_TTL + 1)
    assert authority.check(token, "pairwise_feedback").reason == "timeout-or-duplicate"
