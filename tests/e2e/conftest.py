"""Fixtures for end-to-end tests: the fake site plus Clients driving a real headless Chromium."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from lmarena_client import Client
from lmarena_client.testing import FakeArena, FakeArenaOptions

MakeClient = Callable[..., Awaitable[Client]]


@pytest.fixture
async def make_client() -> AsyncIterator[MakeClient]:
    """Bootstrapped Clients pointed at a fake site; all closed at teardown."""
    clients: list[Client] = []

    async def make(arena: FakeArena, *, bootstrap: bool = True, **overrides: Any) -> Client:
        overrides.setdefault("browser_headless", True)
        client = Client(origin=overrides.pop("origin", arena.url), **overrides)
        clients.append(client)
        if bootstrap:
            await client.bootstrap()
        return client

    yield make
    for client in clients:
        await client.close()


@pytest.fixture
async def arena() -> AsyncIterator[FakeArena]:
    async with FakeArena(FakeArenaOptions(), host="127.0.0.1", port=0) as site:
        yield site


@pytest.fixture
async def client(arena: FakeArena, make_client: MakeClient) -> Client:
    return await make_client(arena)
