"""Conversations that survive: the site identity is kept between processes and browsers,
refreshed and saved, and a lost one gives a distinct error (real Chromium, the fake site)."""

from __future__ import annotations

import os
import signal
import sys
import textwrap
from pathlib import Path

import pytest

from harness.run import run_process
from lmarena_client import Client
from lmarena_client.errors import ConversationLostError
from lmarena_client.identity_file import FileIdentityStore
from lmarena_client.testing import FakeArena

from .conftest import MakeClient

pytestmark = pytest.mark.browser

MODEL = "gemini-3-pro"

_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from lmarena_client import Client

    async def main(origin, chat_id):
        async with Client(origin=origin, browser_headless=True) as client:
            if chat_id:
                chat = await client.chats.resume(model="gemini-3-pro", chat_id=chat_id)
            else:
                chat = await client.chats.create(model="gemini-3-pro")
            reply = await chat.send("remember me", stream=False)
            print(reply.evaluation_session_id)

    asyncio.run(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""))
    """
)


async def _run_client_process(origin: str, state_dir: Path, *args: str) -> str:
    command = [sys.executable, "-c", _SCRIPT, origin, *args]
    code, out, err = await run_process(command, {"LM_ARENA_STATE_DIR": str(state_dir)})
    assert code == 0, err[-3000:]
    return out.strip().splitlines()[-1]


def _store(state_dir: Path, arena: FakeArena) -> FileIdentityStore:
    return FileIdentityStore(state_dir, arena.url)


async def test_a_chat_continues_in_the_next_process(arena: FakeArena, tmp_path: Path) -> None:
    """The product's promise: store the evaluationSessionId, resume later from anywhere."""
    first = await _run_client_process(arena.url, tmp_path)
    second = await _run_client_process(arena.url, tmp_path, first)
    assert second == first
    assert arena.counters.sign_ups == 1  # the second process was the same site user
    assert (tmp_path / "identity").stat().st_mode & 0o777 == 0o700
    assert _store(tmp_path, arena).path.stat().st_mode & 0o777 == 0o600


async def test_an_ephemeral_client_leaves_no_identity(arena: FakeArena, tmp_path: Path) -> None:
    async with Client(
        origin=arena.url, browser_headless=True, state_dir=tmp_path, ephemeral=True
    ) as client:
        await (await client.chats.create(model=MODEL)).send("hi", stream=False)
    assert not (tmp_path / "identity").exists()


async def test_chromium_killed_then_the_chat_goes_on(
    arena: FakeArena, make_client: MakeClient, tmp_path: Path
) -> None:
    client = await make_client(arena, state_dir=tmp_path)
    chat = await client.chats.create(model=MODEL)
    await chat.send("one", stream=False)
    assert client.browser.pid is not None
    os.kill(client.browser.pid, signal.SIGKILL)
    reply = await chat.send("two", stream=False)  # a new Chromium, the same site user
    assert "two" in reply.text
    assert arena.counters.sign_ups == 1


async def test_an_expired_identity_is_refreshed_and_saved(
    arena: FakeArena, make_client: MakeClient, tmp_path: Path
) -> None:
    client = await make_client(arena, state_dir=tmp_path)
    chat = await client.chats.create(model=MODEL)
    await chat.send("one", stream=False)
    before = await _store(tmp_path, arena).load()
    assert before is not None
    arena.expire_auth()
    reply = await chat.send("two", stream=False)
    assert "two" in reply.text
    after = await _store(tmp_path, arena).load()
    assert after is not None and after.fingerprint() != before.fingerprint()
    assert after.user_id() == before.user_id()
    assert arena.counters.refreshes == 1 and arena.counters.sign_ups == 1


async def test_two_clients_sharing_an_identity_do_not_log_each_other_out(
    arena: FakeArena, make_client: MakeClient, tmp_path: Path
) -> None:
    """Refresh tokens rotate: the second client adopts what the first saved after its refresh,
    instead of refreshing a stale session (which the site refuses)."""
    first = await make_client(arena, state_dir=tmp_path)
    second = await make_client(arena, state_dir=tmp_path)
    chat_a = await first.chats.create(model=MODEL)
    chat_b = await second.chats.create(model=MODEL)
    await chat_a.send("a1", stream=False)
    await chat_b.send("b1", stream=False)
    arena.expire_auth()
    await chat_a.send("a2", stream=False)
    await chat_b.send("b2", stream=False)
    resumed = await first.chats.resume(
        model=MODEL, chat_id=chat_b.conversation.evaluation_session_id
    )
    assert "b3" in (await resumed.send("b3", stream=False)).text
    assert arena.counters.sign_ups == 1
    assert arena.counters.stale_refreshes == 0


async def test_a_revoked_identity_loses_its_chats_with_a_distinct_error(
    arena: FakeArena, make_client: MakeClient, tmp_path: Path
) -> None:
    client = await make_client(arena, state_dir=tmp_path)
    chat = await client.chats.create(model=MODEL)
    await chat.send("one", stream=False)
    old = await _store(tmp_path, arena).load()
    arena.revoke_auth()
    with pytest.raises(ConversationLostError) as lost:
        await chat.send("two", stream=False)
    assert "start a new chat" in str(lost.value)
    fresh = await client.chats.create(model=MODEL)
    assert "three" in (await fresh.send("three", stream=False)).text
    new = await _store(tmp_path, arena).load()
    assert old is not None and new is not None and new.user_id() != old.user_id()
    assert arena.counters.sign_ups == 2
