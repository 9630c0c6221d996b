"""Pytest fixtures for the fake site: ``fake_arena`` (default options) and ``fake_arena_factory``.

Enable with ``pytest_plugins = ["lmarena_client.testing.pytest_plugin"]`` in a conftest.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from .arena import FakeArena
from .options import FakeArenaOptions

ArenaFactory = Callable[..., Awaitable[FakeArena]]


@pytest.fixture
async def fake_arena_factory() -> AsyncIterator[ArenaFactory]:
    """Start fake sites with any options; all stop at teardown."""
    async with contextlib.AsyncExitStack() as stack:

        async def make(options: FakeArenaOptions | None = None, **fields: object) -> FakeArena:
            chosen = options or FakeArenaOptions(**fields)  # type: ignore[arg-type]
            return await stack.enter_async_context(FakeArena(chosen))

        yield make


@pytest.fixture
async def fake_arena(fake_arena_factory: ArenaFactory) -> FakeArena:
    """A fake site with default options on a free loopback port."""
    return await fake_arena_factory()
