"""The life of an anonymous identity: refresh-token rotation on page GETs, expiry and
revocation on demand, refused cookies cleared for a fresh sign-up, and the control endpoints
that drive and show all this (protocol reference 1 "Server-side refresh", 6, 8)."""

from __future__ import annotations

import json
from http.cookies import Morsel, SimpleCookie
from typing import Any

import aiohttp
import pytest

from lmarena_client.testing import FakeArena

from .conftest import MakeArena, MakeHttp
from .helpers import (
    AUTH_COOKIE,
    PROVISIONAL_COOKIE,
    b64url_encode,
    call_action,
    cookie,
    cookie_header,
    cookie_names,
    cookie_of,
    create,
    discover_actions,
    get_page,
    post_text,
    post_to,
    session_of,
    sign_up,
    token,
)

AUTH_NAMES = (AUTH_COOKIE, AUTH_COOKIE + ".0", AUTH_COOKIE + ".1")
EXPIRED = {"error": "Arena auth token has expired"}
INVALID = {"error": "Invalid auth token"}
CHANNELS = pytest.mark.parametrize("channel", ["python", "control"])


# -- helpers -------------------------------------------------------------------------------


async def visit(make_http: MakeHttp, arena: FakeArena, cookies: dict[str, str]) -> SimpleCookie:
    """GET the page with exactly these cookies (no jar); the cookies its answer sets."""
    bare = await make_http(cookies=False)
    async with bare.get(arena.url + "/", headers={"Cookie": cookie_header(cookies)}) as response:
        assert response.status == 200
        return response.cookies


def cleared(name: str, set_cookies: SimpleCookie) -> bool:
    morsel: Morsel[str] | None = set_cookies.get(name)
    return morsel is not None and morsel.value == "" and morsel["max-age"] == "0"


def all_auth_cleared(set_cookies: SimpleCookie) -> bool:
    return all(cleared(name, set_cookies) for name in AUTH_NAMES)


def who(arena: FakeArena, value: str | None) -> dict[str, Any]:
    """``{"status", "user_id"}`` of an auth cookie value, as the control endpoint answers."""
    return arena.whoami({AUTH_COOKIE: value or ""}).as_json()


def refresh_token_of(value: str | None) -> str:
    assert value is not None
    refresh = session_of(value)["refresh_token"]
    assert isinstance(refresh, str)
    return refresh


async def control(
    http: aiohttp.ClientSession, arena: FakeArena, path: str, body: Any = None
) -> tuple[int, Any]:
    """POST a control endpoint (JSON body) or GET it (``body`` None and path ``users``)."""
    url = f"{arena.url}/__fake__/{path}"
    if body is None and path == "users":
        async with http.get(url) as response:
            return response.status, await response.json()
    data = body if isinstance(body, str) else json.dumps(body if body is not None else {})
    async with http.post(url, data=data) as response:
        return response.status, await response.json()


async def expire(channel: str, http: aiohttp.ClientSession, arena: FakeArena, user: str) -> None:
    if channel == "python":
        assert arena.expire_auth(user) == [user]
    else:
        assert await control(http, arena, "expire", {"user_id": user}) == (200, {"expired": [user]})


async def revoke(channel: str, http: aiohttp.ClientSession, arena: FakeArena, user: str) -> None:
    if channel == "python":
        assert arena.revoke_auth(user) == [user]
    else:
        assert await control(http, arena, "revoke", {"user_id": user}) == (200, {"revoked": [user]})


async def sign_up_with(http: aiohttp.ClientSession, arena: FakeArena, provisional: str) -> str:
    """The page script's sign-up with exactly this provisional id; the new user's id."""
    body = {"recaptchaToken": token(arena, "sign_up"), "provisionalUserId": provisional}
    status, text, _ = await post_text(http, arena.url + "/nextjs-api/sign-up", body)
    assert status == 200, text
    user_id = json.loads(text)["user"]["id"]
    assert isinstance(user_id, str)
    return user_id


# -- refresh-token rotation ----------------------------------------------------------------


async def test_a_valid_session_is_left_alone_by_the_page(
    arena: FakeArena, make_http: MakeHttp, http: aiohttp.ClientSession, user: str
) -> None:
    cookies = {
        AUTH_COOKIE: cookie(http, AUTH_COOKIE) or "",
        PROVISIONAL_COOKIE: cookie(http, PROVISIONAL_COOKIE) or "",
    }
    set_cookies = await visit(make_http, arena, cookies)
    assert not set(AUTH_NAMES) & set(set_cookies)
    assert PROVISIONAL_COOKIE not in set_cookies
    counters = arena.counters
    assert counters.refreshes == counters.stale_refreshes == counters.auth_cookies_cleared == 0


async def test_refresh_rotates_and_the_old_session_is_then_refused(
    arena: FakeArena, make_http: MakeHttp, http: aiohttp.ClientSession, user: str
) -> None:
    """Two browsers holding one session: the first page GET after expiry wins, the second is
    logged out (cookies cleared, a new provisional id) and its user keeps the winner's."""
    old = cookie(http, AUTH_COOKIE) or ""
    provisional = cookie(http, PROVISIONAL_COOKIE) or ""
    arena.advance_clock(3601)
    await get_page(http, arena.url + "/")
    fresh = cookie(http, AUTH_COOKIE)
    assert refresh_token_of(fresh) != refresh_token_of(old)
    assert who(arena, fresh) == {"status": "valid", "user_id": user}
    assert (arena.counters.refreshes, arena.users[user].refreshes) == (1, 1)

    set_cookies = await visit(make_http, arena, {AUTH_COOKIE: old, PROVISIONAL_COOKIE: provisional})
    assert all_auth_cleared(set_cookies)
    assert set_cookies[PROVISIONAL_COOKIE].value not in ("", provisional)
    assert (arena.counters.refreshes, arena.counters.stale_refreshes) == (1, 1)
    assert arena.users[user].stale_refreshes == 1
    stream, _ = await create(http, arena, "the winner keeps its identity")
    assert stream.status == 200, stream.body


async def test_rotation_goes_on_with_each_fresh_token(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    seen = {refresh_token_of(cookie(http, AUTH_COOKIE))}
    for _ in range(3):
        arena.expire_auth(user)
        await get_page(http, arena.url + "/")
        seen.add(refresh_token_of(cookie(http, AUTH_COOKIE)))
        stream, _ = await create(http, arena, "still me")
        assert stream.status == 200, stream.body
    assert len(seen) == 4
    assert arena.counters.refreshes == 3 and arena.counters.stale_refreshes == 0


async def test_refresh_in_split_form_clears_a_leftover_whole_cookie(
    make_arena: MakeArena, make_http: MakeHttp
) -> None:
    """A whole cookie left beside fresh halves would be read first and refresh again (stale)."""
    arena = await make_arena(split_auth_cookie=True)
    http = await make_http()
    user = await sign_up(http, arena)
    whole = (cookie(http, AUTH_COOKIE + ".0") or "") + (cookie(http, AUTH_COOKIE + ".1") or "")
    arena.expire_auth(user)
    set_cookies = await visit(make_http, arena, {AUTH_COOKIE: whole})
    assert cleared(AUTH_COOKIE, set_cookies)
    halves = {name: set_cookies[name].value for name in AUTH_NAMES[1:]}
    assert all(halves.values()) and arena.whoami(halves).user is arena.users[user]
    assert arena.whoami(halves).standing == "valid"


# -- expiry on demand ----------------------------------------------------------------------


@CHANNELS
async def test_expire_then_the_api_says_expired_and_the_page_refreshes(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, channel: str
) -> None:
    """No clock move: the forced expiry also covers sessions issued within the same second."""
    old = cookie(http, AUTH_COOKIE)
    await expire(channel, http, arena, user)
    stream, _ = await create(http, arena, "hello")
    assert (stream.status, stream.json()) == (401, EXPIRED)
    assert who(arena, old) == {"status": "expired", "user_id": user}
    await get_page(http, arena.url + "/")
    assert cookie(http, AUTH_COOKIE) != old
    stream, _ = await create(http, arena, "hello again")
    assert stream.status == 200, stream.body
    assert arena.counters.refreshes == 1


async def test_expire_without_a_user_expires_every_user(
    arena: FakeArena, make_http: MakeHttp, http: aiohttp.ClientSession, user: str
) -> None:
    other_http = await make_http()
    other = await sign_up(other_http, arena)
    assert await control(http, arena, "expire") == (200, {"expired": [user, other]})
    for client in (http, other_http):
        stream, _ = await create(client, arena, "hello")
        assert (stream.status, stream.json()) == (401, EXPIRED)


async def test_expire_leaves_other_users_alone(
    arena: FakeArena, make_http: MakeHttp, http: aiohttp.ClientSession, user: str
) -> None:
    other_http = await make_http()
    await sign_up(other_http, arena)
    arena.expire_auth(user)
    assert (await create(other_http, arena, "unaffected"))[0].status == 200
    assert (await create(http, arena, "affected"))[0].status == 401


# -- revocation ----------------------------------------------------------------------------


@CHANNELS
async def test_revoke_then_a_new_identity_cannot_resume_the_old_sessions(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, channel: str
) -> None:
    stream, ids = await create(http, arena, "mine")
    assert stream.status == 200
    old_provisional = cookie(http, PROVISIONAL_COOKIE)
    await revoke(channel, http, arena, user)
    stream, _ = await create(http, arena, "hello")
    assert (stream.status, stream.json()) == (401, INVALID)

    async with http.get(arena.url + "/") as response:
        assert response.status == 200
        assert all_auth_cleared(response.cookies)
    assert not set(AUTH_NAMES) & cookie_names(http)
    provisional = cookie(http, PROVISIONAL_COOKIE)
    assert provisional is not None and provisional != old_provisional

    new_user = await sign_up_with(http, arena, provisional)
    assert new_user != user
    message = f"User {new_user} does not have access to evaluation session {ids.session}"
    expected = {"error": message}
    answer, _ = await post_to(http, arena, ids.session, "let me back in")
    assert (answer.status, answer.json()) == (401, expected)
    assert arena.sessions[ids.session].owner == user
    assert (arena.counters.auth_cookies_cleared, arena.counters.sign_ups) == (1, 2)


async def test_a_revoked_session_is_not_refreshed_once_expired(
    arena: FakeArena, make_http: MakeHttp, http: aiohttp.ClientSession, user: str
) -> None:
    old = cookie(http, AUTH_COOKIE) or ""
    arena.revoke_auth(user)
    arena.advance_clock(3601)
    assert who(arena, old) == {"status": "revoked", "user_id": user}
    assert all_auth_cleared(await visit(make_http, arena, {AUTH_COOKIE: old}))
    assert arena.counters.refreshes == 0 and arena.counters.stale_refreshes == 0


async def test_revoke_refuses_server_actions_too(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    actions = await discover_actions(http, arena)  # before revoking: the page GET would clear
    args = ["a.png", "image/png"]
    made = await call_action(http, arena.url + "/", actions["generateUploadUrl"], args)
    assert made.result()["success"] is True
    arena.revoke_auth(user)
    made = await call_action(http, arena.url + "/", actions["generateUploadUrl"], args)
    assert made.result() == {"success": False, "error": "Not authenticated"}


# -- refused cookies: stale, forged, unknown -----------------------------------------------


def _with_refresh_token(value: str, refresh: str) -> str:
    session = session_of(value)
    session["refresh_token"] = refresh
    return cookie_of(session)


async def test_stale_and_forged_refresh_tokens_are_told_apart(
    arena: FakeArena, make_http: MakeHttp, http: aiohttp.ClientSession, user: str
) -> None:
    old = cookie(http, AUTH_COOKIE) or ""
    arena.expire_auth(user)
    await get_page(http, arena.url + "/")  # rotates: old's refresh token is now stale
    other_http = await make_http()
    await sign_up(other_http, arena)
    cases = [
        (old, "stale", 1),
        (_with_refresh_token(old, b64url_encode(b"never issued")), "forged", 1),
        (_with_refresh_token(old, refresh_token_of(cookie(other_http, AUTH_COOKIE))), "forged", 1),
    ]
    for cleared_so_far, (value, standing, stale) in enumerate(cases, start=1):
        assert arena.whoami({AUTH_COOKIE: value}).standing == standing
        assert all_auth_cleared(await visit(make_http, arena, {AUTH_COOKIE: value}))
        assert arena.counters.stale_refreshes == stale
        assert arena.counters.auth_cookies_cleared == cleared_so_far
    assert arena.counters.refreshes == 1


@pytest.mark.parametrize("value", ["garbage", "base64-e30", "base64-!!!"])
async def test_a_malformed_cookie_is_cleared_with_a_new_provisional_id(
    arena: FakeArena, make_http: MakeHttp, value: str
) -> None:
    set_cookies = await visit(make_http, arena, {AUTH_COOKIE: value, PROVISIONAL_COOKIE: "p"})
    assert all_auth_cleared(set_cookies) and set_cookies[PROVISIONAL_COOKIE].value != "p"
    assert arena.counters.auth_cookies_cleared == 1 and arena.counters.stale_refreshes == 0


async def test_a_cookie_of_another_site_is_a_user_this_one_does_not_know(
    make_arena: MakeArena, make_http: MakeHttp
) -> None:
    home, elsewhere = await make_arena(), await make_arena()
    http = await make_http()
    await sign_up(http, elsewhere)
    value = cookie(http, AUTH_COOKIE) or ""
    assert who(home, value) == {"status": "forged", "user_id": None}
    set_cookies = await visit(make_http, home, {AUTH_COOKIE: value})
    assert all_auth_cleared(set_cookies) and PROVISIONAL_COOKIE in set_cookies


# -- the control endpoints -----------------------------------------------------------------


async def test_users_endpoint_lists_every_user(
    arena: FakeArena, make_http: MakeHttp, http: aiohttp.ClientSession, user: str
) -> None:
    other_http = await make_http()
    other = await sign_up(other_http, arena)
    arena.expire_auth(user)
    await get_page(http, arena.url + "/")
    arena.revoke_auth(other)
    status, answer = await control(http, arena, "users")
    assert status == 200
    rows = {row["id"]: row for row in answer["users"]}
    assert list(rows) == [user, other]
    assert rows[user]["refreshes"] == 1 and not rows[user]["revoked"]
    assert rows[other]["refreshes"] == 0 and rows[other]["revoked"]
    assert rows[user]["provisional_id"] == cookie(http, PROVISIONAL_COOKIE)
    assert rows[user]["created_at"] == arena.users[user].created_at
    assert set(rows[user]) == {
        "id",
        "provisional_id",
        "created_at",
        "revoked",
        "refreshes",
        "stale_refreshes",
    }


async def test_whoami_reads_a_given_cookie_header_or_the_callers_own(
    arena: FakeArena, make_http: MakeHttp, http: aiohttp.ClientSession, user: str
) -> None:
    header = cookie_header({"x": "1", AUTH_COOKIE: cookie(http, AUTH_COOKIE) or ""})
    bare = await make_http(cookies=False)
    assert await control(bare, arena, "whoami", {"cookie": header}) == (
        200,
        {"status": "valid", "user_id": user},
    )
    assert await control(bare, arena, "whoami") == (200, {"status": "none", "user_id": None})
    assert await control(http, arena, "whoami") == (200, {"status": "valid", "user_id": user})
    assert arena.whoami(header).user is arena.users[user]


@pytest.mark.parametrize("path", ["expire", "revoke"])
@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param({"userId": "typo"}, 400, id="unknown-key"),
        pytest.param({"user_id": 5}, 400, id="not-a-string"),
        pytest.param("[1]", 400, id="not-an-object"),
        pytest.param("{nope", 400, id="not-json"),
        pytest.param({"user_id": "nobody"}, 404, id="unknown-user"),
    ],
)
async def test_expire_and_revoke_refuse_bad_bodies_and_touch_nobody(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, path: str, body: Any, status: int
) -> None:
    answer_status, answer = await control(http, arena, path, body)
    assert answer_status == status and isinstance(answer["error"], str)
    stream, _ = await create(http, arena, "untouched")
    assert stream.status == 200, stream.body


@pytest.mark.parametrize("body", [{"cookie": 1}, {"cookies": "a=b"}, "[]"])
async def test_whoami_refuses_bad_bodies(
    arena: FakeArena, http: aiohttp.ClientSession, body: Any
) -> None:
    status, answer = await control(http, arena, "whoami", body)
    assert status == 400 and isinstance(answer["error"], str)


async def test_identity_counters_reset_with_the_others(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    arena.expire_auth(user)
    await get_page(http, arena.url + "/")
    async with http.get(arena.url + "/__fake__/counters") as response:
        counters = await response.json()
    assert (counters["refreshes"], counters["stale_refreshes"]) == (1, 0)
    assert counters["auth_cookies_cleared"] == 0
    await control(http, arena, "reset")
    assert arena.counters.refreshes == 0
    assert arena.users[user].refreshes == 1  # the users themselves are not reset
