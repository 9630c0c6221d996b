"""Side-by-side, battle and votes through the library: a real Chromium against the fake site."""

from __future__ import annotations

import pytest

from lmarena_client import Client
from lmarena_client.errors import (
    InputError,
    ModelNotFoundError,
    ReplyFailedError,
    VoteRefusedError,
)
from lmarena_client.testing import FakeArena
from lmarena_client.testing.faults import Fault

pytestmark = pytest.mark.browser

A, B = "gemini-3-pro", "deepseek-v3.2"


async def test_side_by_side_streams_both_sides_and_continues(
    client: Client, arena: FakeArena
) -> None:
    chat = await client.chats.compare(A, B)
    stream = await chat.send("compare yourselves", stream=True)
    deltas: dict[str, list[str]] = {"a": [], "b": []}
    async for side, text in stream:
        deltas[side].append(text)
    reply = stream.reply
    assert reply is not None and reply.mode == "side-by-side"
    assert "".join(deltas["a"]) == reply.a.text and "answered by gemini-3-pro" in reply.a.text
    assert "".join(deltas["b"]) == reply.b.text and "answered by deepseek-v3.2" in reply.b.text
    assert reply.a.model == A and reply.b.model == B
    assert reply.a.finish_reason == reply.b.finish_reason == "stop"
    session = arena.state.sessions.sessions[reply.evaluation_session_id]
    assert session.mode == "side-by-side" and len(session.turns) == 1

    again = await client.chats.resume_arena(reply.evaluation_session_id, models=(A, B))
    second = await again.send("and now?")
    assert second.evaluation_session_id == reply.evaluation_session_id
    assert "Turn 2" in second.a.text and "Turn 2" in second.b.text
    assert "compare yourselves" in second.b.text  # the site keeps both sides' history


async def test_battle_is_anonymous_until_the_vote(client: Client, arena: FakeArena) -> None:
    chat = await client.chats.battle()
    reply = await chat.send("who are you?")
    assert reply.a.model == reply.b.model == ""
    assert "anonymous" in reply.a.text and "anonymous" in reply.b.text
    session = arena.state.sessions.sessions[reply.evaluation_session_id]
    result = await chat.vote("b")
    picked = [arena.state.models.find(i) for i in (session.model_a_id, session.model_b_id)]
    assert result.models == {"a": picked[0]["publicName"], "b": picked[1]["publicName"]}
    assert session.vote == "modelB" and arena.state.counters.votes == 1
    assert chat.model("a") == result.models["a"]


async def test_a_second_vote_is_refused_and_counted_once(client: Client, arena: FakeArena) -> None:
    chat = await client.chats.compare(A, B)
    await chat.send("hello")
    await chat.vote("tie")
    with pytest.raises(VoteRefusedError, match="already recorded"):
        await chat.vote("a")
    assert arena.state.counters.votes == 1


async def test_vote_needs_a_reply_and_a_known_verdict(client: Client) -> None:
    chat = await client.chats.battle()
    with pytest.raises(InputError, match="nothing to vote"):
        await chat.vote("a")
    await chat.send("hi")
    with pytest.raises(InputError, match="winner must be"):
        await chat.vote("c")  # type: ignore[arg-type]


async def test_regenerating_one_side_keeps_the_other(client: Client, arena: FakeArena) -> None:
    chat = await client.chats.compare(A, B)
    first = await chat.send("tell me")
    again = await chat.regenerate("b")
    assert again.a == first.a
    assert "(take 2)" in again.b.text and again.b.message_id == first.b.message_id
    session = arena.state.sessions.sessions[first.evaluation_session_id]
    assert len(session.turns) == 1 and session.turns[0].regenerations == 1
    await chat.vote("a")  # the regenerated turn is still the one judged


async def test_a_resumed_chat_regenerates_one_side(client: Client, arena: FakeArena) -> None:
    """A session resumed with the latest reply ids (as the worker does) never saw the other
    side's text: it answers that side by its id, empty, and the new side in full."""
    first = await (await client.chats.compare(A, B)).send("tell me")
    ids = (first.a.message_id, first.b.message_id)
    resumed = await client.chats.resume_arena(
        first.evaluation_session_id, models=(A, B), last_message_ids=ids
    )
    again = await resumed.regenerate("a")
    assert "(take 2)" in again.a.text and again.a.message_id == ids[0]
    assert again.b.text == "" and again.b.message_id == ids[1] and again.b.model == B
    assert arena.state.sessions.sessions[first.evaluation_session_id].turns[0].regenerations == 1
    await resumed.vote("b")


async def test_an_error_on_one_side_fails_the_turn(client: Client, arena: FakeArena) -> None:
    chat = await client.chats.compare(A, B)
    arena.state.faults.inject(Fault("stream_error", after_words=2, message="model overloaded"))
    with pytest.raises(ReplyFailedError, match="model A"):
        await chat.send("hello")


async def test_input_errors_come_before_anything_is_sent(client: Client, arena: FakeArena) -> None:
    with pytest.raises(InputError, match="two different"):
        await client.chats.compare(A, A)
    with pytest.raises(ModelNotFoundError):
        await client.chats.compare(A, "no-such-model")
    before = len(arena.state.requests)
    chat = await client.chats.compare(A, B)
    with pytest.raises(InputError):
        await chat.send("   ")
    with pytest.raises(InputError, match="not valid Unicode"):
        await chat.send("half a pair \ud800")
    assert len(arena.state.requests) == before
