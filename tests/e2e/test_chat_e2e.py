"""The library end to end: a real headless Chromium against the fake site."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from lmarena_client import Client
from lmarena_client.errors import (
    ConversationLostError,
    EmptyMessageError,
    InputError,
    ModelNotFoundError,
)
from lmarena_client.testing import FakeArena, FakeArenaOptions

from .conftest import MakeClient

pytestmark = pytest.mark.browser


async def test_bootstrap_lists_models_with_capabilities(client: Client) -> None:
    names = await client.list_models()
    assert "gemini-3-pro" in names
    assert names == sorted(names)
    pro = await client.model("gemini-3-pro")
    assert pro.vision and pro.text_output
    infos = {m.public_name: m for m in await client.models()}
    assert any(m.image_output for m in infos.values())
    assert any(m.text_output and not m.vision for m in infos.values())


async def test_unknown_model_lists_the_closest_names(client: Client) -> None:
    with pytest.raises(ModelNotFoundError) as caught:
        await client.chats.create(model="gemini-3-prp")
    assert "gemini-3-pro" in caught.value.suggestions


async def test_non_stream_reply_and_resume(client: Client, arena: FakeArena) -> None:
    chat = await client.chats.create(model="gemini-3-pro")
    r1 = await chat.send("1+1=", stream=False)
    assert r1.text
    assert r1.evaluation_session_id == chat.conversation.evaluation_session_id
    assert r1.finish_reason == "stop"
    chat2 = await client.chats.resume(model="gemini-3-pro", chat_id=r1.evaluation_session_id)
    r2 = await chat2.send("add 5 to the result", stream=False)
    assert r2.evaluation_session_id == r1.evaluation_session_id
    assert "1+1=" in r2.text  # the fake echoes the previous prompt: history is per session
    assert len(arena.sessions[r1.evaluation_session_id].turns) == 2


async def test_stream_yields_str_deltas_and_sets_the_id(client: Client) -> None:
    chat = await client.chats.create(model="gemini-3-pro")
    stream = await chat.send("write a short article [fake: words=25]", stream=True)
    deltas = [delta async for delta in stream]
    assert len(deltas) > 10
    assert all(isinstance(d, str) for d in deltas)
    assert stream.reply is not None
    assert "".join(deltas) == stream.reply.text
    assert chat.conversation.evaluation_session_id == stream.reply.evaluation_session_id


async def test_empty_message_is_refused_before_sending(client: Client, arena: FakeArena) -> None:
    chat = await client.chats.create(model="gemini-3-pro")
    before = arena.counters.streams_started
    with pytest.raises(EmptyMessageError):
        await chat.send("   ")
    assert arena.counters.streams_started == before


async def test_reasoning_images_and_citations_are_surfaced(client: Client) -> None:
    names = {m.public_name: m for m in await client.models()}
    image_model = next(n for n, m in names.items() if m.image_output)
    chat = await client.chats.create(model="gemini-3-pro")
    reply = await chat.send("think [fake: reasoning=1 citations=2 usage=1]")
    assert reply.reasoning
    assert len(reply.citations) == 2
    assert all(c.url for c in reply.citations)
    assert reply.usage is not None and reply.usage.completion_tokens
    painter = await client.chats.create(model=image_model)
    picture = await painter.send("a cat [fake: images=1]")
    assert len(picture.images) == 1
    assert picture.images[0].startswith(("http://", "https://", "data:"))


async def test_resume_from_a_new_client_with_the_same_profile(
    arena: FakeArena, make_client: MakeClient, tmp_path: Path
) -> None:
    profile = tmp_path / "profile"
    first = await make_client(arena, browser_user_data_dir=profile)
    chat = await first.chats.create(model="gemini-3-pro")
    r1 = await chat.send("remember the number 42")
    await first.close()
    second = await make_client(arena, browser_user_data_dir=profile)
    resumed = await second.chats.resume(model="gemini-3-pro", chat_id=r1.evaluation_session_id)
    r2 = await resumed.send("what number?")
    assert "remember the number 42" in r2.text
    assert profile.exists()  # a persistent profile is the user's, never deleted


async def test_another_identity_cannot_resume(arena: FakeArena, make_client: MakeClient) -> None:
    owner = await make_client(arena)
    r1 = await (await owner.chats.create(model="gemini-3-pro")).send("mine")
    stranger = await make_client(arena, ephemeral=True)  # its own identity, not the saved one
    chat = await stranger.chats.resume(model="gemini-3-pro", chat_id=r1.evaluation_session_id)
    with pytest.raises(ConversationLostError, match="does not have access"):
        await chat.send("let me in")


async def test_eight_concurrent_chats_share_one_browser(
    arena: FakeArena, make_client: MakeClient
) -> None:
    client = await make_client(arena)
    chats = [await client.chats.create(model="gemini-3-pro") for _ in range(8)]
    replies = await asyncio.gather(
        *(chat.send(f"chat {i} [fake: words=20 delay_ms=20]") for i, chat in enumerate(chats))
    )
    assert len({r.evaluation_session_id for r in replies}) == 8
    assert all(f"chat {i}" in r.text for i, r in enumerate(replies))
    assert arena.counters.max_active_streams >= 4  # the streams really overlapped
    assert arena.counters.tokens_refused == 0


async def test_close_removes_the_temporary_profile(arena: FakeArena) -> None:
    client = Client(origin=arena.url, browser_headless=True)
    await client.bootstrap()
    chromium = client.browser._chromium
    assert chromium is not None
    profile = chromium.user_data_dir
    assert profile.exists()
    await client.close()
    assert not profile.exists()
    assert chromium.process.poll() is not None


async def test_a_dead_browser_is_restarted(client: Client) -> None:
    chromium = client.browser._chromium
    assert chromium is not None
    chromium.process.kill()
    chromium.process.wait()
    chat = await client.chats.create(model="gemini-3-pro")
    reply = await chat.send("still there?")
    assert reply.text
    assert client.browser.pid != chromium.process.pid


@pytest.mark.parametrize(
    "options",
    [
        FakeArenaOptions(interstitial=True),
        FakeArenaOptions(interstitial=True, turnstile_click=True),
        FakeArenaOptions(split_auth_cookie=True),
        FakeArenaOptions(signup_on_input=True),
    ],
    ids=["interstitial", "turnstile-click", "split-cookie", "signup-on-input"],
)
async def test_bootstrap_variants_then_chat(
    options: FakeArenaOptions, make_client: MakeClient
) -> None:
    async with FakeArena(options, host="127.0.0.1", port=0) as site:
        client = await make_client(site)
        reply = await (await client.chats.create(model="gemini-3-pro")).send("hello")
        assert reply.text
        assert site.counters.tokens_refused == 0


async def test_regenerate_replaces_the_latest_reply(client: Client) -> None:
    chat = await client.chats.create(model="gemini-3-pro")
    with pytest.raises(InputError, match="nothing to regenerate"):
        await chat.regenerate()
    await chat.send("one")
    first = await chat.send("two")
    stream = await chat.regenerate(stream=True)
    again = "".join([delta async for delta in stream])
    assert stream.reply is not None and stream.reply.message_id == first.message_id
    assert again.startswith("Turn 2 of this session") and "(take 2)" in again
    resumed = await client.chats.resume(model="gemini-3-pro", chat_id=first.evaluation_session_id)
    third = await resumed.regenerate(message_id=first.message_id)  # from another ChatSession
    assert "(take 3)" in third.text
    assert (await chat.send("three")).text.startswith("Turn 3 of this session")  # no extra turn
