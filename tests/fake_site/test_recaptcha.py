"""reCAPTCHA: only tokens minted by the page's script pass (protocol reference 5)."""

from __future__ import annotations

import json
from collections.abc import Callable

import aiohttp
import pytest

from lmarena_client.testing import FakeArena

from .conftest import MakeArena
from .helpers import (
    CREATE_PATH,
    PROVISIONAL_COOKIE,
    RECAPTCHA_FAILED,
    VISION_TRUE,
    b64url_decode,
    b64url_encode,
    chat_body,
    cookie,
    create,
    fresh_ids,
    get_page,
    model_id,
    post_text,
    send_stream,
    token,
)

Forge = Callable[[FakeArena], str]


def _made_up(arena: FakeArena) -> str:
    return "0cAFcWeA" + "x" * 1692


def _wrong_signature(arena: FakeArena) -> str:
    prefix, encoded, signature, filler = _split(token(arena))
    bad = b64url_encode(bytes(32))
    assert bad != signature
    return f"{prefix}{encoded}.{bad}.{filler}"


def _edited_claims(arena: FakeArena) -> str:
    """A valid token for sign_up with its action edited to chat_submit (signature kept)."""
    prefix, encoded, signature, filler = _split(token(arena, "sign_up"))
    claims = json.loads(b64url_decode(encoded))
    claims["a"] = "chat_submit"
    edited = b64url_encode(json.dumps(claims, separators=(",", ":")).encode())
    return f"{prefix}{edited}.{signature}.{filler}"


def _other_site_key(arena: FakeArena) -> str:
    return arena.state.recaptcha.mint_for_tests(
        "chat_submit", site_key="6LeTGMcsAAAAALuIlkVwIxaAuZA8VledA6d3Nnb0"
    )


def _wrong_action(arena: FakeArena) -> str:
    return token(arena, "sign_up")


def _future(arena: FakeArena) -> str:
    now_ms = arena.state.clock.now_ms()
    return arena.state.recaptcha.mint_for_tests("chat_submit", issued_ms=now_ms + 60_000)


def _empty(arena: FakeArena) -> str:
    return ""


def _split(value: str) -> tuple[str, str, str, str]:
    assert value.startswith("0cAF")
    encoded, signature, filler = value[4:].split(".")
    return "0cAF", encoded, signature, filler


@pytest.mark.parametrize(
    "forge",
    [_made_up, _wrong_signature, _edited_claims, _other_site_key, _wrong_action, _future, _empty],
)
async def test_tokens_a_plain_client_can_make_are_refused(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, forge: Forge
) -> None:
    stream, _ = await create(http, arena, "hello", recaptcha=forge(arena))
    assert stream.status == 403
    assert stream.json() == RECAPTCHA_FAILED
    assert stream.headers["Content-Type"].startswith("application/json")
    assert not arena.sessions


async def test_missing_token_is_refused(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    body = chat_body(
        ids=fresh_ids(), prompt="hi", recaptcha=None, model_a_id=model_id(arena, VISION_TRUE)
    )
    stream = await send_stream(http, arena.url + CREATE_PATH, body)
    assert (stream.status, stream.json()) == (403, RECAPTCHA_FAILED)


async def test_expired_token_is_refused(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    old = token(arena)
    arena.advance_clock(121)
    stream, _ = await create(http, arena, "hello", recaptcha=old)
    assert (stream.status, stream.json()) == (403, RECAPTCHA_FAILED)


async def test_token_just_inside_its_lifetime_is_accepted(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    young = token(arena)
    arena.advance_clock(110)
    stream, _ = await create(http, arena, "hello", recaptcha=young)
    assert stream.status == 200, stream.body


async def test_token_is_single_use(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    once = token(arena)
    first, _ = await create(http, arena, "one", recaptcha=once)
    assert first.status == 200, first.body
    second, _ = await create(http, arena, "two", recaptcha=once)
    assert (second.status, second.json()) == (403, RECAPTCHA_FAILED)
    assert len(arena.sessions) == 1


async def test_fresh_token_with_the_right_action_is_accepted(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    before = arena.counters.tokens_accepted
    stream, _ = await create(http, arena, "hello", recaptcha=token(arena, "chat_submit"))
    assert stream.status == 200, stream.body
    assert arena.counters.tokens_accepted == before + 1


async def test_rotated_site_key_retires_old_tokens_and_shows_in_the_page(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    minted_before = token(arena)
    new_key = arena.rotate_site_key()
    html = await get_page(http, arena.url + "/")
    assert f"enterprise.js?render={new_key}" in html
    stream, _ = await create(http, arena, "hello", recaptcha=minted_before)
    assert (stream.status, stream.json()) == (403, RECAPTCHA_FAILED)
    stream, _ = await create(http, arena, "hello")
    assert stream.status == 200, stream.body


async def test_v3_token_cannot_stand_in_for_a_v2_token(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    """A v2 token comes from the v2 widget (another site key, no action): a v3 token minted for
    ``sign_up`` must not pass a chat as ``recaptchaV2Token``."""
    body = chat_body(
        ids=fresh_ids(), prompt="hi", recaptcha=None, model_a_id=model_id(arena, VISION_TRUE)
    )
    body["recaptchaV2Token"] = token(arena, "sign_up")
    stream = await send_stream(http, arena.url + CREATE_PATH, body)
    assert (stream.status, stream.json()) == (403, RECAPTCHA_FAILED)


async def test_v2_and_v3_together_are_refused(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    body = chat_body(
        ids=fresh_ids(),
        prompt="hi",
        recaptcha=token(arena),
        model_a_id=model_id(arena, VISION_TRUE),
    )
    body["recaptchaV2Token"] = token(arena)
    stream = await send_stream(http, arena.url + CREATE_PATH, body)
    assert (stream.status, stream.json()) == (403, RECAPTCHA_FAILED)


# -- the anchor the page script asks for its signing secret ---------------------------------


async def _load_script(http: aiohttp.ClientSession, arena: FakeArena) -> None:
    async with http.get(arena.url + f"/recaptcha/enterprise.js?render={arena.site_key}") as r:
        assert r.status == 200
        assert "grecaptcha" in await r.text()


async def test_anchor_refuses_a_wrong_site_key(
    arena: FakeArena, http: aiohttp.ClientSession
) -> None:
    await _load_script(http, arena)
    status, text, _ = await post_text(
        http,
        arena.url + "/recaptcha/enterprise/anchor?k=6LwrongKeywrongKeywrongKeywrongKeywrongK",
        "",
        headers={"Origin": arena.url},
    )
    assert status == 400
    assert "secret" not in text


@pytest.mark.parametrize("origin", [None, "https://evil.example"])
async def test_anchor_refuses_a_missing_or_foreign_origin(
    arena: FakeArena, http: aiohttp.ClientSession, origin: str | None
) -> None:
    await _load_script(http, arena)
    headers = {"Origin": origin} if origin else {}
    status, text, _ = await post_text(
        http, arena.url + f"/recaptcha/enterprise/anchor?k={arena.site_key}", "", headers=headers
    )
    assert status == 403
    assert "secret" not in text


async def test_anchor_answers_the_page_script(
    arena: FakeArena, http: aiohttp.ClientSession
) -> None:
    await _load_script(http, arena)
    status, text, _ = await post_text(
        http,
        arena.url + f"/recaptcha/enterprise/anchor?k={arena.site_key}",
        "",
        headers={"Origin": arena.url},
    )
    assert status == 200
    assert set(json.loads(text)) == {"client_id", "secret"}


async def test_sign_up_needs_a_sign_up_token(
    make_arena: MakeArena, http: aiohttp.ClientSession
) -> None:
    arena = await make_arena()
    await get_page(http, arena.url + "/")
    body = {
        "recaptchaToken": token(arena, "chat_submit"),
        "provisionalUserId": cookie(http, PROVISIONAL_COOKIE),
    }
    status, text, _ = await post_text(http, arena.url + "/nextjs-api/sign-up", body)
    assert (status, json.loads(text)) == (403, RECAPTCHA_FAILED)
