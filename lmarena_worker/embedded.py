"""One process for a single user: the worker on an in-memory broker (fakeredis).

The API, the worker and the broker share one ``fakeredis.FakeServer``; enqueue, publish and
relay run through exactly the same code as with a real Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import fakeredis
from arq.connections import ArqRedis

from lmarena_client import Client

from .contract import QUEUE_NAME
from .settings import WorkerConfig, worker_options
from .worker import LMArenaWorker

log = logging.getLogger(__name__)


class _FakeArqRedis(fakeredis.aioredis.FakeAsyncRedisMixin, ArqRedis):  # type: ignore[misc]
    """arq's Redis client over a fakeredis server."""


class InMemoryBroker:
    """A fakeredis server; every pool made here sees the same data and pub/sub."""

    def __init__(self) -> None:
        self.server = fakeredis.FakeServer()

    def pool(self) -> ArqRedis:
        pool: ArqRedis = _FakeArqRedis(server=self.server)
        pool.default_queue_name = QUEUE_NAME
        return pool


@contextlib.asynccontextmanager
async def running_worker(
    broker: InMemoryBroker, client: Client, config: WorkerConfig | None = None
) -> AsyncIterator[LMArenaWorker]:
    """Run the worker as a task of this event loop until the block ends."""
    worker = LMArenaWorker(
        redis_pool=broker.pool(),
        handle_signals=False,
        ctx={"client": client},
        **worker_options(config or WorkerConfig()),
    )
    task = asyncio.create_task(worker.async_run(), name="embedded-worker")
    try:
        yield worker
    finally:
        await worker.close()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
