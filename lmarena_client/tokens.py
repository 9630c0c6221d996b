"""reCAPTCHA tokens on hand: each used once, the next one minted ahead of need."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from .errors import LMArenaError

log = logging.getLogger(__name__)

Minter = Callable[[str, str], Awaitable[str]]  # (site_key, action) -> token

# Tokens live about 120 s on the site; a stocked token older than this is thrown away.
MAX_STOCK_AGE = 90.0


@dataclass(frozen=True)
class _Stocked:
    site_key: str
    action: str
    token: str
    minted_at: float


class TokenSupply:
    """Hands out single-use tokens, keeping one fresh token minted ahead per action."""

    def __init__(self, mint: Minter, *, max_age: float = MAX_STOCK_AGE) -> None:
        self._mint = mint
        self._max_age = max_age
        self._stock: dict[str, _Stocked] = {}
        self._refill: asyncio.Task[None] | None = None

    async def take(self, site_key: str, action: str) -> str:
        """A token nobody else got; mints now when the stock is empty, stale or for another key."""
        stocked = self._stock.pop(action, None)
        if stocked and stocked.site_key == site_key and self._fresh(stocked):
            token = stocked.token
        else:
            token = await self._mint(site_key, action)
        self._start_refill(site_key, action)
        return token

    def invalidate(self) -> None:
        """Forget stocked tokens (after a re-bootstrap they may belong to a dead page)."""
        self._stock.clear()

    async def close(self) -> None:
        self.invalidate()
        if self._refill is not None:
            self._refill.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refill

    def _fresh(self, stocked: _Stocked) -> bool:
        return time.monotonic() - stocked.minted_at < self._max_age

    def _start_refill(self, site_key: str, action: str) -> None:
        if self._refill is None or self._refill.done():
            self._refill = asyncio.create_task(self._mint_ahead(site_key, action))

    async def _mint_ahead(self, site_key: str, action: str) -> None:
        try:
            token = await self._mint(site_key, action)
        except LMArenaError as exc:
            log.debug(
                "minting ahead failed (%s); the next send mints on demand", type(exc).__name__
            )
            return
        self._stock[action] = _Stocked(site_key, action, token, time.monotonic())
