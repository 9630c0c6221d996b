"""The Cloudflare-style interstitial: everything is 403 "Just a moment..." until the page's
script is run; the answer is bound to the User-Agent and single-use (protocol reference 5).

Solving the proof of work in Python is possible and expected (it is what the page's JS does);
the point is that a client must run the script, not that the work is secret.
"""

from __future__ import annotations

import hashlib
import json
import re

import aiohttp
import pytest

from lmarena_client.testing import FakeArena

from .conftest import MakeArena, MakeHttp
from .helpers import (
    CREATE_PATH,
    TEXT_PLAIN,
    USER_AGENT,
    create,
    get_page,
    page_models,
    sign_up,
)

GATED = [
    ("GET", "/"),
    ("GET", "/?mode=direct"),
    ("GET", "/text/direct"),
    ("GET", "/c/019a41a7-b8bc-743a-9a4f-0123456789ab"),
    ("GET", "/nextjs-api/model-catalog"),
    ("GET", "/recaptcha/enterprise.js?render=x"),
    ("GET", "/_next/static/chunks/1234-0123456789abcdef.js"),
    ("GET", "/no/such/page"),
    ("POST", "/nextjs-api/sign-up"),
    ("POST", CREATE_PATH),
    ("POST", "/nextjs-api/stream/post-to-evaluation/019a41a7-b8bc-743a-9a4f-0123456789ab"),
    ("PUT", "/nextjs-api/stream/retry-evaluation-session-message/a/messages/b"),
    ("POST", "/?chat-modality=image"),
]
OTHER_UA = USER_AGENT.replace("Chrome/136", "Chrome/137")


def _challenge(html: str) -> tuple[str, str, str, bool]:
    """(nonce, path, difficulty, interactive) as the challenge script declares them."""
    match = re.search(
        r"var nonce = (\"[^\"]*\"), path = (\"[^\"]*\"), difficulty = (\"[^\"]*\"), "
        r"interactive = (true|false);",
        html,
    )
    assert match is not None, "no challenge parameters in the page"
    nonce, path, difficulty = (json.loads(match.group(i)) for i in (1, 2, 3))
    return nonce, path, difficulty, match.group(4) == "true"


def _work(nonce: str, difficulty: str) -> int:
    """What the page's loop computes: the first n with sha256(nonce:n) starting with
    ``difficulty`` (hex)."""
    n = 0
    while not hashlib.sha256(f"{nonce}:{n}".encode()).hexdigest().startswith(difficulty):
        n += 1
    return n


async def _challenge_page(http: aiohttp.ClientSession, arena: FakeArena) -> str:
    async with http.get(arena.url + "/") as response:
        assert response.status == 403
        return await response.text()


async def _answer(
    http: aiohttp.ClientSession, arena: FakeArena, nonce: str, path: str, n: int, interaction: bool
) -> int:
    body = json.dumps({"nonce": nonce, "n": n, "interaction": interaction})
    async with http.post(arena.url + path, data=body, headers={"Content-Type": TEXT_PLAIN}) as r:
        return r.status


async def _solve(http: aiohttp.ClientSession, arena: FakeArena, *, interaction: bool) -> int:
    nonce, path, difficulty, _ = _challenge(await _challenge_page(http, arena))
    return await _answer(http, arena, nonce, path, _work(nonce, difficulty), interaction)


@pytest.mark.parametrize(("method", "path"), GATED)
async def test_every_path_is_challenged_for_a_plain_client(
    make_arena: MakeArena, http: aiohttp.ClientSession, method: str, path: str
) -> None:
    arena = await make_arena(interstitial=True)
    async with http.request(method, arena.url + path, data="{}") as response:
        assert response.status == 403
        assert response.headers["cf-mitigated"] == "challenge"
        assert response.content_type == "text/html"
        html = await response.text()
    assert "<title>Just a moment...</title>" in html
    assert "Enable JavaScript and cookies to continue" in html
    assert "initialModels" not in html
    assert not arena.state.identity.users and not arena.sessions


async def test_solving_the_challenge_clears_the_way(
    make_arena: MakeArena, http: aiohttp.ClientSession
) -> None:
    arena = await make_arena(interstitial=True)
    assert await _solve(http, arena, interaction=False) == 200
    assert any(c.key == "cf_clearance" for c in http.cookie_jar)
    assert page_models(await get_page(http, arena.url + "/?mode=direct"))
    await sign_up(http, arena)
    stream, _ = await create(http, arena, "behind the gate")
    assert stream.status == 200, stream.body


async def test_clearance_is_bound_to_the_user_agent(
    make_arena: MakeArena, http: aiohttp.ClientSession
) -> None:
    arena = await make_arena(interstitial=True)
    assert await _solve(http, arena, interaction=False) == 200
    clearance = next(c.value for c in http.cookie_jar if c.key == "cf_clearance")
    headers = {"Cookie": f"cf_clearance={clearance}"}
    async with http.get(arena.url + "/", headers={"User-Agent": USER_AGENT}) as response:
        assert response.status == 200
    async with http.get(arena.url + "/", headers={"User-Agent": OTHER_UA}) as response:
        assert response.status == 403
        assert "<title>Just a moment...</title>" in await response.text()
    async with (
        aiohttp.ClientSession(
            cookie_jar=aiohttp.DummyCookieJar(), headers={"User-Agent": OTHER_UA, **headers}
        ) as stranger,
        stranger.get(arena.url + "/") as response,
    ):
        assert response.status == 403


async def test_a_forged_clearance_is_refused(make_arena: MakeArena, make_http: MakeHttp) -> None:
    arena = await make_arena(interstitial=True)
    http = await make_http(cookies=False)
    http.headers["Cookie"] = "cf_clearance=eyJ1YSI6ICJ4IiwgImV4cCI6IDk5OTk5OTk5OTl9.AAAA"
    async with http.get(arena.url + "/") as response:
        assert response.status == 403


async def test_a_nonce_is_single_use(
    make_arena: MakeArena, http: aiohttp.ClientSession, make_http: MakeHttp
) -> None:
    arena = await make_arena(interstitial=True)
    nonce, path, difficulty, _ = _challenge(await _challenge_page(http, arena))
    n = _work(nonce, difficulty)
    assert await _answer(http, arena, nonce, path, n, False) == 200
    other = await make_http()
    assert await _answer(other, arena, nonce, path, n, False) == 403
    async with other.get(arena.url + "/") as response:
        assert response.status == 403


async def test_a_wrong_answer_or_an_edited_nonce_is_refused(
    make_arena: MakeArena, http: aiohttp.ClientSession
) -> None:
    arena = await make_arena(interstitial=True)
    nonce, path, difficulty, _ = _challenge(await _challenge_page(http, arena))
    n = _work(nonce, difficulty)
    wrong = n + 1
    while hashlib.sha256(f"{nonce}:{wrong}".encode()).hexdigest().startswith(difficulty):
        wrong += 1
    assert await _answer(http, arena, nonce, path, wrong, False) == 403
    body, signature = nonce.split(".")
    edited = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + signature
    assert await _answer(http, arena, edited, path, _work(edited, difficulty), False) == 403
    assert await _answer(http, arena, nonce, path, n, False) == 200


async def test_an_old_nonce_is_refused(make_arena: MakeArena, http: aiohttp.ClientSession) -> None:
    arena = await make_arena(interstitial=True)
    nonce, path, difficulty, _ = _challenge(await _challenge_page(http, arena))
    arena.advance_clock(301)
    assert await _answer(http, arena, nonce, path, _work(nonce, difficulty), False) == 403


async def test_clearance_expires(make_arena: MakeArena, http: aiohttp.ClientSession) -> None:
    arena = await make_arena(interstitial=True, clearance_ttl=60.0)
    assert await _solve(http, arena, interaction=False) == 200
    async with http.get(arena.url + "/") as response:
        assert response.status == 200
    arena.advance_clock(61)
    async with http.get(arena.url + "/") as response:
        assert response.status == 403


async def test_turnstile_click_needs_an_interaction(
    make_arena: MakeArena, http: aiohttp.ClientSession
) -> None:
    arena = await make_arena(interstitial=True, turnstile_click=True)
    html = await _challenge_page(http, arena)
    assert 'id="cf-turnstile"' in html and 'style="display: grid;"' in html
    nonce, path, difficulty, interactive = _challenge(html)
    assert interactive
    n = _work(nonce, difficulty)
    assert await _answer(http, arena, nonce, path, n, False) == 403
    async with http.get(arena.url + "/") as response:
        assert response.status == 403
    assert await _solve(http, arena, interaction=True) == 200
    async with http.get(arena.url + "/") as response:
        assert response.status == 200


async def test_control_and_storage_paths_are_not_behind_the_gate(
    make_arena: MakeArena, http: aiohttp.ClientSession
) -> None:
    arena = await make_arena(interstitial=True)
    async with http.get(arena.url + "/__fake__/counters") as response:
        assert response.status == 200
    async with http.get(arena.url + "/__storage__/messages-prod/x/1-a.png") as response:
        assert response.status == 403
        assert "cf-mitigated" not in response.headers
