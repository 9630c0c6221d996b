"""Fixtures: a fake site on loopback (fast replies unless a test asks otherwise) and plain
aiohttp clients."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from lmarena_client.testing import FakeArena, FakeArenaOptions, ReplyScript

from .helpers import new_http, sign_up

MakeArena = Callable[..., Awaitable[FakeArena]]
MakeHttp = Callable[..., Awaitable[aiohttp.ClientSession]]
FAST = ReplyScript(delay=0.0)


@pytest.fixture
async def make_arena() -> AsyncIterator[MakeArena]:
    """Start fake sites with any options (replies without pauses unless ``reply`` is given)."""
    async with contextlib.AsyncExitStack() as stack:

        async def make(**fields: Any) -> FakeArena:
            fields.setdefault("reply", FAST)
            options = FakeArenaOptions(**fields)
            return await stack.enter_async_context(FakeArena(options, host="127.0.0.1", port=0))

        yield make


@pytest.fixture
async def arena(make_arena: MakeArena) -> FakeArena:
    return await make_arena()


@pytest.fixture
async def make_http() -> AsyncIterator[MakeHttp]:
    """Plain clients (each with its own cookie jar); all closed at teardown."""
    async with contextlib.AsyncExitStack() as stack:

        async def make(**kwargs: Any) -> aiohttp.ClientSession:
            return await stack.enter_async_context(new_http(**kwargs))

        yield make


@pytest.fixture
async def http(make_http: MakeHttp) -> aiohttp.ClientSession:
    return await make_http()


@pytest.fixture
async def user(arena: FakeArena, http: aiohttp.ClientSession) -> str:
    """``http`` signed in on ``arena``; the user id."""
    return await sign_up(http, arena)
