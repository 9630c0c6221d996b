"""The fixtures the package offers to other projects' tests (enabled in tests/conftest.py)."""

from __future__ import annotations

import aiohttp

from lmarena_client.testing import FakeArena, FakeArenaOptions
from lmarena_client.testing.pytest_plugin import ArenaFactory


async def test_fake_arena_serves_the_boot_page(fake_arena: FakeArena) -> None:
    async with aiohttp.ClientSession() as http, http.get(fake_arena.url + "/text/direct") as r:
        assert r.status == 200
        assert "initialModels" in await r.text()


async def test_the_factory_takes_options_or_fields(fake_arena_factory: ArenaFactory) -> None:
    gated = await fake_arena_factory(interstitial=True)
    split = await fake_arena_factory(FakeArenaOptions(split_auth_cookie=True))
    assert gated.options.interstitial and split.options.split_auth_cookie
    assert gated.url != split.url
    async with aiohttp.ClientSession() as http, http.get(gated.url + "/") as r:
        assert r.status == 403  # the interstitial is really on
