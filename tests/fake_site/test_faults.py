"""Fault injection, through ``FakeArena.inject`` and through ``POST /__fake__/faults``, and the
other control endpoints (protocol reference 8; checklist 13.6)."""

from __future__ import annotations

import json
import time
from typing import Any

import aiohttp
import pytest

from lmarena_client.testing import FAULT_KINDS, FakeArena, Fault

from .conftest import MakeArena
from .helpers import (
    CREATE_PATH,
    RECAPTCHA_FAILED,
    TEXT_PLAIN,
    VISION_TRUE,
    Stream,
    chat_body,
    create,
    discover_actions,
    fresh_ids,
    get_page,
    model_id,
    post_to,
    retry,
    sign_up,
    token,
)

CHANNELS = pytest.mark.parametrize("channel", ["inject", "control"])


async def add_fault(
    channel: str, arena: FakeArena, http: aiohttp.ClientSession, **fields: Any
) -> None:
    """Inject one fault in-process or through the control endpoint."""
    if channel == "inject":
        arena.inject(Fault(**fields))
        return
    async with http.post(arena.url + "/__fake__/faults", json=fields) as response:
        assert response.status == 200, await response.text()
        assert (await response.json())["pending"] >= 1


async def assert_next_is_clean(http: aiohttp.ClientSession, arena: FakeArena) -> None:
    stream, _ = await create(http, arena, "after the fault")
    assert stream.status == 200, stream.body
    finish = stream.finish()
    assert finish is not None and finish["finishReason"] == "stop"


def a0_count(stream: Stream) -> int:
    return len(stream.payloads("a", "0"))


# -- answers instead of a stream ---------------------------------------------------------------


@CHANNELS
async def test_cloudflare_403_comes_before_the_site(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, channel: str
) -> None:
    await add_fault(channel, arena, http, kind="cloudflare_403")
    checked, logged = arena.counters.tokens_checked, len(arena.requests)
    stream, _ = await create(http, arena, "hi")
    assert stream.status == 403
    assert stream.headers["cf-mitigated"] == "challenge"
    assert stream.headers["Content-Type"].startswith("text/html")
    assert "<title>Just a moment...</title>" in stream.body
    assert arena.counters.tokens_checked == checked, "an edge block must not spend the token"
    assert len(arena.requests) == logged
    await assert_next_is_clean(http, arena)


@CHANNELS
async def test_recaptcha_403(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, channel: str
) -> None:
    await add_fault(channel, arena, http, kind="recaptcha_403")
    stream, _ = await create(http, arena, "hi")
    assert (stream.status, stream.json()) == (403, RECAPTCHA_FAILED)
    await assert_next_is_clean(http, arena)


@CHANNELS
async def test_unauthorized_401(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, channel: str
) -> None:
    await add_fault(channel, arena, http, kind="unauthorized_401")
    stream, _ = await create(http, arena, "hi")
    assert stream.status == 401
    assert isinstance(stream.json()["error"], str)
    await assert_next_is_clean(http, arena)


@CHANNELS
@pytest.mark.parametrize("modality", [None, "image"])
async def test_rate_limit_429(
    arena: FakeArena,
    http: aiohttp.ClientSession,
    user: str,
    channel: str,
    modality: str | None,
) -> None:
    await add_fault(channel, arena, http, kind="rate_limit_429", retry_after=42, modality=modality)
    stream, ids = await create(http, arena, "hi")
    assert stream.status == 429
    assert stream.headers["Retry-After"] == "42"
    assert "ratelimit" in stream.headers and "ratelimit-policy" in stream.headers
    assert isinstance(stream.json()["error"], str)
    if modality == "image":
        assert stream.headers["Ratelimit-Modality"] == "image"
        assert stream.headers["ratelimit-remaining"] == "42"
        assert stream.headers["ratelimit-policy"] == "3;w=3600"
    else:
        assert "Ratelimit-Modality" not in stream.headers
    # nothing was stored: the same ids may be sent again (SEED reuses them on its retry)
    again, _ = await create(http, arena, "hi", ids=ids)
    assert again.status == 200, again.body


@pytest.mark.parametrize("modality", [None, "image"])
async def test_rate_limit_429_headers_agree_with_each_other(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, modality: str | None
) -> None:
    """``ratelimit: limit=N, ...`` and ``ratelimit-policy: N;w=...`` name the same quota
    (HAR: ``limit=3000`` with ``3000;w=300``; image ``limit=3`` with ``3;w=3600``)."""
    arena.inject(Fault("rate_limit_429", retry_after=42, modality=modality))
    stream, _ = await create(http, arena, "hi")
    limit = stream.headers["ratelimit"].split(",")[0].strip().removeprefix("limit=")
    assert stream.headers["ratelimit-policy"].split(";")[0] == limit


@CHANNELS
async def test_moderation_422_names_the_session(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, channel: str
) -> None:
    await add_fault(channel, arena, http, kind="moderation_422")
    stream, ids = await create(http, arena, "hi")
    assert stream.status == 422
    assert stream.json() == {
        "error": "Request rejected: Content violates our terms of use for evaluation session "
        f"id: {ids.session}"
    }
    await assert_next_is_clean(http, arena)


@CHANNELS
async def test_invalid_content_400(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, channel: str
) -> None:
    await add_fault(channel, arena, http, kind="invalid_content_400")
    stream, _ = await create(http, arena, "hi")
    assert (stream.status, stream.json()) == (400, {"error": "Invalid content"})
    await assert_next_is_clean(http, arena)


# -- shaped 200 streams --------------------------------------------------------------------


@CHANNELS
async def test_stream_error_after_n_words(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, channel: str
) -> None:
    await add_fault(
        channel, arena, http, kind="stream_error", after_words=2, message="model overloaded"
    )
    stream, ids = await create(http, arena, "hi")
    assert stream.status == 200 and stream.error is None
    assert a0_count(stream) == 2
    assert stream.lines[-1].raw == 'a3:"model overloaded"\n'
    assert stream.finish() is None
    # the ids were spent by the 200: sending them again is a duplicate
    again, _ = await create(http, arena, "hi", ids=ids)
    assert again.status == 400
    await assert_next_is_clean(http, arena)


@CHANNELS
async def test_empty_200(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, channel: str
) -> None:
    await add_fault(channel, arena, http, kind="empty_200")
    stream, _ = await create(http, arena, "hi")
    assert stream.status == 200
    assert stream.headers["Content-Type"].startswith("text/event-stream")
    assert stream.body == "" and stream.error is None
    await assert_next_is_clean(http, arena)


@CHANNELS
async def test_cut_stream_drops_the_connection(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, channel: str
) -> None:
    await add_fault(channel, arena, http, kind="cut_stream", after_words=3)
    completed = arena.counters.streams_completed
    stream, _ = await create(http, arena, "hi")
    assert stream.status == 200
    assert isinstance(stream.error, aiohttp.ClientPayloadError)
    assert a0_count(stream) <= 3
    assert stream.finish() is None
    assert "a3" not in stream.prefixes()
    assert arena.counters.streams_completed == completed
    await assert_next_is_clean(http, arena)


@CHANNELS
async def test_no_finish(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, channel: str
) -> None:
    await add_fault(channel, arena, http, kind="no_finish")
    stream, _ = await create(http, arena, "hi")
    assert stream.status == 200 and stream.error is None
    assert a0_count(stream) > 5
    assert stream.finish() is None
    await assert_next_is_clean(http, arena)


@CHANNELS
async def test_finish_unknown(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, channel: str
) -> None:
    await add_fault(channel, arena, http, kind="finish_unknown")
    stream, _ = await create(http, arena, "hi")
    finish = stream.finish()
    assert finish is not None and finish["finishReason"] == "unknown"
    assert stream.prefixes()[-1] == "ad"
    await assert_next_is_clean(http, arena)


@CHANNELS
async def test_has_arena_error(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, channel: str
) -> None:
    await add_fault(channel, arena, http, kind="has_arena_error")
    stream, _ = await create(http, arena, "hi")
    assert stream.payloads("a", "0") == ["hasArenaError"]
    await assert_next_is_clean(http, arena)


@CHANNELS
async def test_slow_first_byte(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, channel: str
) -> None:
    await add_fault(channel, arena, http, kind="slow_first_byte", seconds=0.3)
    body = chat_body(
        ids=fresh_ids(),
        prompt="hi",
        recaptcha=token(arena),
        model_a_id=model_id(arena, VISION_TRUE),
    )
    started = time.monotonic()
    async with http.post(
        arena.url + CREATE_PATH, data=json.dumps(body), headers={"Content-Type": TEXT_PLAIN}
    ) as response:
        waited = time.monotonic() - started
        assert response.status == 200
        await response.read()
    assert waited >= 0.3  # the headers really came late (a busy machine only adds to this)
    assert arena.requests[-1].first_byte_delay == 0.3
    await assert_next_is_clean(http, arena)
    assert arena.requests[-1].first_byte_delay == arena.options.reply.first_byte_delay


@CHANNELS
async def test_token_delay_paces_the_lines(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, channel: str
) -> None:
    await add_fault(channel, arena, http, kind="token_delay", seconds=0.02)
    stream, _ = await create(http, arena, "hi [fake: words=0]")
    assert stream.status == 200 and stream.finish() is not None
    # The site's own record, not wall-clock time (which a busy machine stretches).
    assert arena.requests[-1].line_delay == 0.02
    await assert_next_is_clean(http, arena)
    assert arena.requests[-1].line_delay == arena.options.reply.delay  # used up: back to normal


@CHANNELS
async def test_redirect_301_points_at_the_other_origin(
    make_arena: MakeArena, http: aiohttp.ClientSession, channel: str
) -> None:
    arena = await make_arena(legacy_origin=True)
    assert arena.legacy_url is not None and arena.legacy_url != arena.url
    await sign_up(http, arena)
    await add_fault(channel, arena, http, kind="redirect_301")
    body = chat_body(
        ids=fresh_ids(),
        prompt="hi",
        recaptcha=token(arena),
        model_a_id=model_id(arena, VISION_TRUE),
    )
    async with http.post(
        arena.url + CREATE_PATH,
        data=json.dumps(body),
        headers={"Content-Type": TEXT_PLAIN},
        allow_redirects=False,
    ) as response:
        assert response.status == 301
        assert response.headers["Location"] == arena.legacy_url + CREATE_PATH
    await assert_next_is_clean(http, arena)


# -- times, route, order -------------------------------------------------------------------


@CHANNELS
async def test_times_is_honoured(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, channel: str
) -> None:
    await add_fault(channel, arena, http, kind="invalid_content_400", times=2)
    assert (await create(http, arena, "1"))[0].status == 400
    assert (await create(http, arena, "2"))[0].status == 400
    await assert_next_is_clean(http, arena)


@CHANNELS
@pytest.mark.parametrize("route", ["post", "retry"])
async def test_route_is_honoured(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, channel: str, route: str
) -> None:
    await add_fault(channel, arena, http, kind="rate_limit_429", route=route)
    created, ids = await create(http, arena, "one")
    assert created.status == 200
    if route == "post":
        posted, _ = await post_to(http, arena, ids.session, "two")
        assert posted.status == 429
        posted, _ = await post_to(http, arena, ids.session, "two")
        assert posted.status == 200
    else:
        posted, later = await post_to(http, arena, ids.session, "two")
        assert posted.status == 200
        retried = await retry(http, arena, ids.session, later.model_a)
        assert retried.status == 429
        retried = await retry(http, arena, ids.session, later.model_a)
        assert retried.status == 200


async def test_faults_apply_in_injection_order(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    arena.inject(Fault("moderation_422"), Fault("invalid_content_400"))
    assert (await create(http, arena, "1"))[0].status == 422
    assert (await create(http, arena, "2"))[0].status == 400
    await assert_next_is_clean(http, arena)


async def test_stream_faults_leave_other_endpoints_alone(
    arena: FakeArena, http: aiohttp.ClientSession
) -> None:
    arena.inject(Fault("cloudflare_403"))
    await get_page(http, arena.url + "/")
    await sign_up(http, arena)
    actions = await discover_actions(http, arena)
    assert "generateUploadUrl" in actions
    assert (await create(http, arena, "hi"))[0].status == 403


# -- the control endpoints -----------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        {"kind": "no_such_fault"},
        {"kind": "empty_200", "colour": "red"},
        {"kind": "empty_200", "route": "sign-up"},
        {"kind": "empty_200", "times": 0},
        {"kind": "token_delay", "seconds": -1},
        {"times": 1},
        "empty_200",
        [{"kind": "empty_200"}, {"kind": "nope"}],
    ],
    ids=["kind", "field", "route", "times", "negative", "no-kind", "string", "one-bad-of-two"],
)
async def test_control_refuses_bad_faults(
    arena: FakeArena, http: aiohttp.ClientSession, payload: Any
) -> None:
    async with http.post(arena.url + "/__fake__/faults", json=payload) as response:
        assert response.status == 400
        assert "error" in await response.json()
    assert len(arena.state.faults) == 0


ILL_TYPED: list[dict[str, Any]] = [
    {"kind": "empty_200", "times": 1.5},
    {"kind": "empty_200", "times": True},
    {"kind": "stream_error", "message": {"a": 1}},
    {"kind": "stream_error", "after_words": 2.5},
    {"kind": "rate_limit_429", "retry_after": 1.5},
    {"kind": "rate_limit_429", "modality": "imagee"},
    {"kind": "slow_first_byte", "seconds": True},
]


async def test_control_refuses_ill_typed_fields(
    arena: FakeArena, http: aiohttp.ClientSession
) -> None:
    """A fault with a wrong-typed field would shape the site's answer off-protocol (e.g.
    ``a3:{"a":1}`` or ``Retry-After: 1.5``); the control endpoint should refuse it."""
    accepted = []
    for payload in ILL_TYPED:
        async with http.post(arena.url + "/__fake__/faults", json=payload) as response:
            if response.status != 400:
                accepted.append(payload)
        arena.state.faults.clear()
    assert accepted == []


async def test_control_refuses_non_json(arena: FakeArena, http: aiohttp.ClientSession) -> None:
    async with http.post(arena.url + "/__fake__/faults", data="{kind") as response:
        assert response.status == 400


async def test_control_takes_a_list_of_faults(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    faults = [{"kind": "moderation_422"}, {"kind": "empty_200", "times": 2}]
    async with http.post(arena.url + "/__fake__/faults", json=faults) as response:
        assert response.status == 200
        assert await response.json() == {"pending": 2}
    assert (await create(http, arena, "1"))[0].status == 422
    assert (await create(http, arena, "2"))[0].body == ""
    assert (await create(http, arena, "3"))[0].body == ""
    await assert_next_is_clean(http, arena)


def test_every_fault_kind_is_covered_here() -> None:
    covered = {
        "cloudflare_403",
        "recaptcha_403",
        "unauthorized_401",
        "rate_limit_429",
        "moderation_422",
        "invalid_content_400",
        "stream_error",
        "empty_200",
        "cut_stream",
        "no_finish",
        "finish_unknown",
        "has_arena_error",
        "slow_first_byte",
        "token_delay",
        "redirect_301",
    }
    assert set(FAULT_KINDS) == covered


async def test_counters_endpoint(arena: FakeArena, http: aiohttp.ClientSession) -> None:
    await sign_up(http, arena)
    await create(http, arena, "counted")
    await create(http, arena, "refused", recaptcha="0cAFnope")
    async with http.get(arena.url + "/__fake__/counters") as response:
        assert response.status == 200
        counters = await response.json()
    assert counters["sign_ups"] == 1
    assert counters["tokens_checked"] == 3
    assert counters["tokens_accepted"] == 2 and counters["tokens_refused"] == 1
    assert counters["streams_started"] == 1 and counters["streams_completed"] == 1
    assert counters["active_streams"] == 0
    assert counters["requests"][CREATE_PATH] == 2
    assert counters["requests"]["/nextjs-api/sign-up"] == 1
    assert not any(k.startswith("/__fake__") for k in counters["requests"])
    assert counters == arena.counters.as_json()


async def test_reset_clears_faults_and_counters(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    arena.inject(Fault("empty_200", times=5))
    async with http.post(arena.url + "/__fake__/reset") as response:
        assert response.status == 200
    assert arena.counters.tokens_checked == 0 and arena.counters.requests == {}
    assert len(arena.state.faults) == 0
    await assert_next_is_clean(http, arena)
    assert arena.counters.streams_completed == 1


async def test_rotate_endpoint(arena: FakeArena, http: aiohttp.ClientSession, user: str) -> None:
    old_key, old_actions = arena.site_key, await discover_actions(http, arena)
    stale = token(arena)
    async with http.post(arena.url + "/__fake__/rotate", json={"site_key": True}) as response:
        answer = await response.json()
    assert set(answer) == {"site_key"} and answer["site_key"] != old_key
    assert answer["site_key"] == arena.site_key
    assert f"render={answer['site_key']}" in await get_page(http, arena.url + "/")
    assert (await create(http, arena, "hi", recaptcha=stale))[0].status == 403
    async with http.post(arena.url + "/__fake__/rotate", json={"action_ids": True}) as response:
        answer = await response.json()
    assert set(answer) == {"action_ids"}
    assert answer["action_ids"] == await discover_actions(http, arena)
    assert set(answer["action_ids"].values()).isdisjoint(old_actions.values())
    async with http.post(arena.url + "/__fake__/rotate", data="[1]") as response:
        assert response.status == 400
