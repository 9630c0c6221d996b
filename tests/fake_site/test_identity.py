"""Identity: sign-up, the Supabase-style auth cookie (whole and split), session ownership
(protocol reference 2.7, 6, 8)."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from yarl import URL

from lmarena_client.testing import FakeArena

from .conftest import MakeArena, MakeHttp
from .helpers import (
    AUTH_COOKIE,
    PROVISIONAL_COOKIE,
    b64url_decode,
    b64url_encode,
    cookie,
    cookie_header,
    cookie_names,
    cookie_of,
    create,
    get_page,
    post_text,
    post_to,
    retry,
    session_of,
    sign_up,
    token,
    uuid4,
)

SIGN_UP = "/nextjs-api/sign-up"


def _jwt_parts(access_token: str) -> tuple[str, dict[str, Any], str]:
    header, body, signature = access_token.split(".")
    claims = json.loads(b64url_decode(body))
    assert isinstance(claims, dict)
    return header, claims, signature


async def _create_with_cookies(
    make_http: MakeHttp, arena: FakeArena, cookies: dict[str, str]
) -> tuple[int, Any]:
    bare = await make_http(cookies=False)
    bare.headers["Cookie"] = cookie_header(cookies)
    stream, _ = await create(bare, arena, "hello")
    return stream.status, stream.json() if stream.status != 200 else None


async def test_sign_up_sets_a_supabase_style_cookie(
    arena: FakeArena, http: aiohttp.ClientSession
) -> None:
    user_id = await sign_up(http, arena)
    value = cookie(http, AUTH_COOKIE)
    assert value is not None
    session = session_of(value)
    assert {"access_token", "token_type", "expires_in", "expires_at", "refresh_token"} <= set(
        session
    )
    assert session["user"]["id"] == user_id
    _, claims, _ = _jwt_parts(session["access_token"])
    assert claims["sub"] == user_id and claims["exp"] > claims["iat"]
    stream, _ = await create(http, arena, "hello")
    assert stream.status == 200, stream.body


async def test_cookies_clients_read_from_javascript_are_not_http_only(
    arena: FakeArena, http: aiohttp.ClientSession
) -> None:
    """G4F polls ``document.cookie`` for ``arena-auth-prod-v1``; the page script reads
    ``provisional_user_id``."""
    async with http.get(arena.url + "/") as response:
        provisional = response.cookies[PROVISIONAL_COOKIE]
        assert not provisional["httponly"]
    body = {
        "recaptchaToken": token(arena, "sign_up"),
        "provisionalUserId": provisional.value,
    }
    status, _, response = await post_text(http, arena.url + SIGN_UP, body)
    assert status == 200
    auth = response.cookies[AUTH_COOKIE]
    assert not auth["httponly"] and auth["path"] == "/"


async def test_stream_without_cookie_is_401(arena: FakeArena, http: aiohttp.ClientSession) -> None:
    await get_page(http, arena.url + "/")  # provisional id and __cf_bm, but not signed in
    stream, _ = await create(http, arena, "hello")
    assert stream.status == 401
    assert isinstance(stream.json()["error"], str)
    assert not arena.sessions


async def test_forged_cookie_is_401(
    arena: FakeArena, make_http: MakeHttp, http: aiohttp.ClientSession, user: str
) -> None:
    header = b64url_encode(b'{"alg":"HS256","typ":"JWT"}')
    claims = {"sub": user, "exp": 4102444800, "iat": 0, "aud": "authenticated"}
    body = b64url_encode(json.dumps(claims).encode())
    forged = {"access_token": f"{header}.{body}.{b64url_encode(bytes(32))}", "user": {"id": user}}
    status, error = await _create_with_cookies(make_http, arena, {AUTH_COOKIE: cookie_of(forged)})
    assert status == 401 and "error" in error


@pytest.mark.parametrize("claim", ["sub", "exp"])
async def test_tampered_cookie_is_401(
    arena: FakeArena, make_http: MakeHttp, http: aiohttp.ClientSession, user: str, claim: str
) -> None:
    other_http = await make_http()
    other_user = await sign_up(other_http, arena)
    session = session_of(cookie(http, AUTH_COOKIE) or "")
    header, claims, signature = _jwt_parts(session["access_token"])
    claims[claim] = other_user if claim == "sub" else claims["exp"] + 10**6
    body = b64url_encode(json.dumps(claims, separators=(",", ":")).encode())
    session["access_token"] = f"{header}.{body}.{signature}"
    status, _ = await _create_with_cookies(make_http, arena, {AUTH_COOKIE: cookie_of(session)})
    assert status == 401


@pytest.mark.parametrize("value", ["", "garbage", "base64-", "base64-!!!", "base64-e30"])
async def test_malformed_cookie_is_401(
    arena: FakeArena, make_http: MakeHttp, user: str, value: str
) -> None:
    status, _ = await _create_with_cookies(make_http, arena, {AUTH_COOKIE: value})
    assert status == 401


async def test_genuine_cookie_works_without_the_jar(
    arena: FakeArena, make_http: MakeHttp, http: aiohttp.ClientSession, user: str
) -> None:
    value = cookie(http, AUTH_COOKIE) or ""
    status, _ = await _create_with_cookies(make_http, arena, {AUTH_COOKIE: value})
    assert status == 200


async def test_expired_cookie_is_401_until_the_page_refreshes_it(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    old = cookie(http, AUTH_COOKIE)
    arena.advance_clock(3601)
    stream, _ = await create(http, arena, "hello")
    assert stream.status == 401
    assert "expired" in stream.json()["error"]
    await get_page(http, arena.url + "/")
    fresh = cookie(http, AUTH_COOKIE)
    assert fresh is not None and fresh != old
    stream, _ = await create(http, arena, "hello")
    assert stream.status == 200, stream.body


async def test_split_cookie_halves_work_together_and_fail_alone(
    make_arena: MakeArena, make_http: MakeHttp
) -> None:
    arena = await make_arena(split_auth_cookie=True)
    http = await make_http()
    await sign_up(http, arena)
    names = cookie_names(http)
    assert {AUTH_COOKIE + ".0", AUTH_COOKIE + ".1"} <= names
    assert AUTH_COOKIE not in names
    first, second = cookie(http, AUTH_COOKIE + ".0"), cookie(http, AUTH_COOKIE + ".1")
    assert first and second
    session_of(first + second)  # the halves join into one base64- session
    both = {AUTH_COOKIE + ".0": first, AUTH_COOKIE + ".1": second}
    assert (await _create_with_cookies(make_http, arena, both))[0] == 200
    only_first = {AUTH_COOKIE + ".0": first}
    assert (await _create_with_cookies(make_http, arena, only_first))[0] == 401
    only_second = {AUTH_COOKIE + ".1": second}
    assert (await _create_with_cookies(make_http, arena, only_second))[0] == 401
    swapped = {AUTH_COOKIE + ".0": second, AUTH_COOKIE + ".1": first}
    assert (await _create_with_cookies(make_http, arena, swapped))[0] == 401
    joined = {AUTH_COOKIE: first + second}
    assert (await _create_with_cookies(make_http, arena, joined))[0] == 200


async def test_session_of_another_user_is_401_with_the_sites_message(
    arena: FakeArena, make_http: MakeHttp, http: aiohttp.ClientSession, user: str
) -> None:
    stream, ids = await create(http, arena, "mine")
    assert stream.status == 200
    intruder_http = await make_http()
    intruder = await sign_up(intruder_http, arena)
    expected = {
        "error": f"User {intruder} does not have access to evaluation session {ids.session}"
    }
    answer, _ = await post_to(intruder_http, arena, ids.session, "let me in")
    assert (answer.status, answer.json()) == (401, expected)
    again = await retry(intruder_http, arena, ids.session, ids.model_a)
    assert (again.status, again.json()) == (401, expected)
    assert arena.sessions[ids.session].prompts == ["mine"]


async def test_sign_up_refuses_a_reused_provisional_id(
    arena: FakeArena, http: aiohttp.ClientSession, make_http: MakeHttp
) -> None:
    await sign_up(http, arena)
    provisional = cookie(http, PROVISIONAL_COOKIE) or ""
    other = await make_http()
    other.cookie_jar.update_cookies({PROVISIONAL_COOKIE: provisional}, URL(arena.url))
    body = {"recaptchaToken": token(arena, "sign_up"), "provisionalUserId": provisional}
    status, text, _ = await post_text(other, arena.url + SIGN_UP, body)
    assert status == 400
    assert "User already exists" in json.loads(text)["error"]
    assert AUTH_COOKIE not in cookie_names(other)


@pytest.mark.parametrize(
    "make_body",
    [
        pytest.param(lambda t, p: {"recaptchaToken": t, "provisionalUserId": p, "x": 1}, id="key"),
        pytest.param(lambda t, p: [t, p], id="array"),
        pytest.param(lambda t, p: {"recaptchaToken": t, "provisionalUserId": uuid4()}, id="other"),
        pytest.param(lambda t, p: {"recaptchaToken": t, "provisionalUserId": "nope"}, id="bad-id"),
        pytest.param(lambda t, p: {"recaptchaToken": t}, id="no-id"),
        pytest.param(lambda t, p: "{not json", id="not-json"),
    ],
)
async def test_sign_up_refuses_bad_bodies(
    arena: FakeArena, http: aiohttp.ClientSession, make_body: Any
) -> None:
    await get_page(http, arena.url + "/")
    provisional = cookie(http, PROVISIONAL_COOKIE)
    body = make_body(token(arena, "sign_up"), provisional)
    status, text, _ = await post_text(http, arena.url + SIGN_UP, body)
    assert status == 400, text
    assert isinstance(json.loads(text)["error"], str)
    assert AUTH_COOKIE not in cookie_names(http)
    assert not arena.state.identity.users


async def test_sign_up_refuses_other_content_types(
    arena: FakeArena, http: aiohttp.ClientSession
) -> None:
    await get_page(http, arena.url + "/")
    body = {
        "recaptchaToken": token(arena, "sign_up"),
        "provisionalUserId": cookie(http, PROVISIONAL_COOKIE),
    }
    status, _, _ = await post_text(
        http, arena.url + SIGN_UP, body, content_type="application/x-www-form-urlencoded"
    )
    assert status == 400
    assert not arena.state.identity.users
