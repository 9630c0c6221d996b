"""The old domain: every request is 301-redirected to the same path on the new origin
(protocol reference 1; checklist 13.6)."""

from __future__ import annotations

import aiohttp
import pytest

from .conftest import MakeArena
from .helpers import CREATE_PATH, TEXT_PLAIN, chat_body, fresh_ids, model_id, sign_up, token

PATHS = [
    ("GET", "/"),
    ("GET", "/?mode=direct"),
    ("GET", "/c/019a41a7-b8bc-743a-9a4f-0123456789ab?chat-modality=image"),
    ("GET", "/nextjs-api/model-catalog"),
    ("GET", "/_next/static/chunks/1234-0123456789abcdef.js?dpl=dpl_x"),
    ("POST", CREATE_PATH),
    ("POST", "/nextjs-api/sign-up"),
    ("POST", "/?chat-modality=image"),
    ("PUT", "/nextjs-api/stream/retry-evaluation-session-message/a/messages/b"),
    ("GET", "/no/such/path"),
]


@pytest.mark.parametrize(("method", "path"), PATHS)
async def test_legacy_origin_redirects_every_path(
    make_arena: MakeArena, http: aiohttp.ClientSession, method: str, path: str
) -> None:
    arena = await make_arena(legacy_origin=True)
    assert arena.legacy_url is not None
    async with http.request(
        method, arena.legacy_url + path, data="{}", allow_redirects=False
    ) as response:
        assert response.status == 301
        assert response.headers["Location"] == arena.url + path
    assert not arena.sessions and not arena.state.identity.users


async def test_following_a_redirected_post_ends_as_405(
    make_arena: MakeArena, http: aiohttp.ClientSession
) -> None:
    """A client that follows the 301 (as GET, per HTTP) reaches the stream path with the
    wrong method, as seen on the real site."""
    arena = await make_arena(legacy_origin=True)
    assert arena.legacy_url is not None
    await sign_up(http, arena)
    body = chat_body(
        ids=fresh_ids(),
        prompt="hi",
        recaptcha=token(arena),
        model_a_id=model_id(arena, "gemini-3-pro"),
    )
    async with http.post(
        arena.legacy_url + CREATE_PATH, json=body, headers={"Content-Type": TEXT_PLAIN}
    ) as response:
        assert response.status == 405
        assert str(response.url) == arena.url + CREATE_PATH
        assert [r.status for r in response.history] == [301]
    assert not arena.sessions


async def test_no_legacy_listener_by_default(make_arena: MakeArena) -> None:
    arena = await make_arena()
    assert arena.legacy_url is None


async def test_legacy_api_prefix_is_route_not_allowed(
    make_arena: MakeArena, http: aiohttp.ClientSession
) -> None:
    """Mid-2025 paths under ``/api/`` now answer ``403 {"error":"Route not allowed"}``
    (protocol reference 1 and 8)."""
    arena = await make_arena()
    for method, path in [
        ("POST", "/api/stream/create-evaluation"),
        ("PUT", "/api/stream/retry-evaluation-session-message/a/messages/b"),
        ("POST", "/api/sign-up"),
    ]:
        async with http.request(method, arena.url + path, data="{}") as response:
            assert response.status == 403, (method, path, response.status)
            assert await response.json() == {"error": "Route not allowed"}
