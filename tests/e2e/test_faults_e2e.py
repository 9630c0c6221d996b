"""Each fault and drift of the fake site gives the right error or a successful retry."""

from __future__ import annotations

import pytest

from lmarena_client import Client
from lmarena_client.errors import (
    ContentRejectedError,
    RateLimitError,
    ReplyFailedError,
    SiteTimeoutError,
    StreamError,
    TruncatedStreamError,
)
from lmarena_client.testing import FakeArena, FakeArenaOptions, Fault

from .conftest import MakeClient

pytestmark = pytest.mark.browser


async def send(client: Client, text: str = "hello [fake: words=12]") -> str:
    chat = await client.chats.create(model="gemini-3-pro")
    return (await chat.send(text)).text


@pytest.mark.parametrize(
    "kind", ["recaptcha_403", "cloudflare_403", "unauthorized_401", "empty_200"]
)
async def test_retried_faults_end_in_a_reply(client: Client, arena: FakeArena, kind: str) -> None:
    arena.inject(Fault(kind=kind))
    started = arena.counters.streams_started
    assert await send(client)
    assert arena.counters.streams_started >= started + 1


async def test_a_cut_before_any_text_is_retried(client: Client, arena: FakeArena) -> None:
    arena.inject(Fault(kind="cut_stream", after_words=0))
    assert await send(client)


async def test_rate_limit_raises_with_retry_after(client: Client, arena: FakeArena) -> None:
    arena.inject(Fault(kind="rate_limit_429", retry_after=7))
    with pytest.raises(RateLimitError) as caught:
        await send(client)
    assert caught.value.retry_after == 7


@pytest.mark.parametrize("kind", ["moderation_422", "invalid_content_400"])
async def test_rejected_content(client: Client, arena: FakeArena, kind: str) -> None:
    arena.inject(Fault(kind=kind))
    with pytest.raises(ContentRejectedError):
        await send(client)


async def test_error_inside_the_stream_keeps_the_partial_text(
    client: Client, arena: FakeArena
) -> None:
    arena.inject(Fault(kind="stream_error", after_words=4, message="model overloaded"))
    chat = await client.chats.create(model="gemini-3-pro")
    stream = await chat.send("hello [fake: words=20]", stream=True)
    seen: list[str] = []
    with pytest.raises(ReplyFailedError, match="model overloaded") as caught:
        async for delta in stream:
            seen.append(delta)
    assert seen
    assert caught.value.partial_text == "".join(seen)


async def test_has_arena_error_is_an_error(client: Client, arena: FakeArena) -> None:
    arena.inject(Fault(kind="has_arena_error"))
    with pytest.raises(ReplyFailedError):
        await send(client)


async def test_a_cut_after_text_is_not_retried_and_text_is_not_duplicated(
    client: Client, arena: FakeArena
) -> None:
    arena.inject(Fault(kind="cut_stream", after_words=5))
    started = arena.counters.streams_started
    chat = await client.chats.create(model="gemini-3-pro")
    stream = await chat.send("hello [fake: words=30]", stream=True)
    seen: list[str] = []
    with pytest.raises(StreamError) as caught:
        async for delta in stream:
            seen.append(delta)
    assert caught.value.partial_text == "".join(seen)
    assert arena.counters.streams_started == started + 1  # no second attempt


async def test_missing_finish_line_is_truncation(client: Client, arena: FakeArena) -> None:
    arena.inject(Fault(kind="no_finish"))
    with pytest.raises(TruncatedStreamError) as caught:
        await send(client)
    assert caught.value.partial_text


async def test_unknown_finish_reason_is_reported(client: Client, arena: FakeArena) -> None:
    arena.inject(Fault(kind="finish_unknown"))
    chat = await client.chats.create(model="gemini-3-pro")
    reply = await chat.send("hello")
    assert reply.finish_reason == "unknown"


async def test_slow_first_byte_times_out(arena: FakeArena, make_client: MakeClient) -> None:
    client = await make_client(arena, first_byte_timeout=1.0, max_attempts=1)
    arena.inject(Fault(kind="slow_first_byte", seconds=3.0))
    with pytest.raises(SiteTimeoutError):
        await send(client)


async def test_per_token_delay_within_the_idle_timeout_still_works(
    client: Client, arena: FakeArena
) -> None:
    arena.inject(Fault(kind="token_delay", seconds=0.05))
    assert await send(client, "hello [fake: words=6]")


async def test_tokens_are_never_reused(client: Client, arena: FakeArena) -> None:
    chat = await client.chats.create(model="gemini-3-pro")
    for i in range(6):
        await chat.send(f"turn {i}")
    assert arena.counters.tokens_refused == 0
    assert arena.counters.tokens_accepted >= 6


async def test_rotated_site_key_is_learned_again(client: Client, arena: FakeArena) -> None:
    assert await send(client)
    arena.rotate_site_key()
    assert await send(client)
    assert client._site is not None
    assert client._site.site_key == arena.site_key


async def test_origin_redirect_is_followed(make_client: MakeClient) -> None:
    options = FakeArenaOptions(legacy_origin=True)
    async with FakeArena(options, host="127.0.0.1", port=0) as site:
        assert site.legacy_url is not None
        client = await make_client(site, origin=site.legacy_url)
        assert client.browser.origin == site.url
        assert await send(client)


async def test_a_post_redirected_to_another_origin_is_resent_as_post(
    make_client: MakeClient,
) -> None:
    options = FakeArenaOptions(legacy_origin=True)
    async with FakeArena(options, host="127.0.0.1", port=0) as site:
        client = await make_client(site)
        site.inject(Fault(kind="redirect_301"))
        assert await send(client)


async def test_catalog_only_models_are_usable(make_client: MakeClient) -> None:
    async with FakeArena(FakeArenaOptions(models_in_page=False), host="127.0.0.1", port=0) as site:
        client = await make_client(site)
        assert "gemini-3-pro" in await client.list_models()
        assert await send(client)
