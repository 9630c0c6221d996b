"""Riding out a Redis outage: arq's poll loop ends the worker on the first connection error.

A worker that exits while Redis restarts would also close the browser and lose its identity, so
:func:`install` wraps ``arq.worker.Worker._poll_iteration``: a Redis error is logged, the loop
waits with backoff and tries again (a test guards this seam).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import arq.worker
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

MAX_BACKOFF = 5.0
PollIteration = Callable[[Any], Awaitable[None]]


def tolerant(poll_iteration: PollIteration) -> PollIteration:
    backoff = 0.0

    @functools.wraps(poll_iteration)
    async def iteration(worker: Any) -> None:
        nonlocal backoff
        try:
            await poll_iteration(worker)
        except (RedisError, OSError) as exc:
            backoff = min(MAX_BACKOFF, backoff * 2 or 0.25)
            log.warning("Redis unavailable (%s); retrying in %.2f s", exc, backoff)
            await asyncio.sleep(backoff)
        else:
            if backoff:
                log.info("Redis is back")
            backoff = 0.0

    iteration.__lmarena_tolerant__ = True  # type: ignore[attr-defined]
    return iteration


def install() -> None:
    current = arq.worker.Worker._poll_iteration
    if not getattr(current, "__lmarena_tolerant__", False):
        arq.worker.Worker._poll_iteration = tolerant(current)  # type: ignore[method-assign,assignment]
