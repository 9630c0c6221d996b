import asyncio
import itertools

import pytest

from lmarena_client.errors import TokenMintError
from lmarena_client.tokens import TokenSupply


class CountingMinter:
    def __init__(self) -> None:
        self.counter = itertools.count(1)
        self.calls: list[tuple[str, str]] = []
        self.fail = False

    async def __call__(self, site_key: str, action: str) -> str:
        await asyncio.sleep(0)
        self.calls.append((site_key, action))
        if self.fail:
            raise TokenMintError("no grecaptcha")
        return f"{site_key}:{action}:{next(self.counter)}"


async def settle(supply: TokenSupply) -> None:
    if supply._refill is not None:
        await supply._refill


async def test_tokens_are_never_handed_out_twice() -> None:
    minter = CountingMinter()
    supply = TokenSupply(minter)
    tokens = [await supply.take("k", "chat_submit") for _ in range(5)]
    tokens += await asyncio.gather(*(supply.take("k", "chat_submit") for _ in range(8)))
    assert len(set(tokens)) == len(tokens)
    await supply.close()


async def test_next_token_is_minted_ahead() -> None:
    minter = CountingMinter()
    supply = TokenSupply(minter)
    first = await supply.take("k", "chat_submit")
    await settle(supply)
    assert len(minter.calls) == 2  # one on demand, one ahead
    second = await supply.take("k", "chat_submit")
    assert second != first
    assert second == "k:chat_submit:2"  # the stocked one, not a new mint
    await supply.close()


async def test_stale_or_foreign_key_stock_is_not_used() -> None:
    minter = CountingMinter()
    supply = TokenSupply(minter, max_age=0.0)
    await supply.take("k", "chat_submit")
    await settle(supply)
    third = await supply.take("k", "chat_submit")
    assert third == "k:chat_submit:3"  # the stocked #2 was too old
    await settle(supply)
    other = await supply.take("rotated", "chat_submit")
    assert other.startswith("rotated:")
    await supply.close()


async def test_invalidate_drops_stock() -> None:
    minter = CountingMinter()
    supply = TokenSupply(minter)
    await supply.take("k", "a")
    await settle(supply)
    supply.invalidate()
    assert await supply.take("k", "a") == "k:a:3"
    await supply.close()


async def test_failed_mint_ahead_is_quiet_and_take_raises_on_demand() -> None:
    minter = CountingMinter()
    supply = TokenSupply(minter)
    await supply.take("k", "a")
    minter.fail = True
    await settle(supply)  # the refill failed without raising
    with pytest.raises(TokenMintError):
        await supply.take("k", "a")
    await supply.close()
