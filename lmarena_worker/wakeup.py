"""Job pickup in milliseconds: arq's poll loop, woken by a pub/sub message.

arq polls its queue every ``poll_delay``; there is no blocking pop. The API publishes on
``WAKE_CHANNEL`` right after it enqueues (or aborts) a job, and the worker's listener sets an
event that cuts the current wait short. arq's ``Worker.main`` iterates the module-level
``arq.worker.poll``; :func:`install` swaps in a wakeable version, and makes ``start_jobs`` skip
the jobs already running here (tests guard both seams).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import weakref
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

import arq.worker
from redis.exceptions import RedisError

from .contract import WAKE_CHANNEL

log = logging.getLogger(__name__)
StartJobs = Callable[[Any, list[bytes]], Awaitable[None]]

_events: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Event] = (
    weakref.WeakKeyDictionary()
)


def _wake_event() -> asyncio.Event:
    loop = asyncio.get_running_loop()
    event = _events.get(loop)
    if event is None:
        event = _events[loop] = asyncio.Event()
    return event


def wake() -> None:
    """Cut this process's current poll wait short."""
    _wake_event().set()


async def wakeable_poll(step: float = 0.5) -> AsyncGenerator[float, None]:
    """Like ``arq.utils.poll``, but a wake-up ends the wait at once."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    event = _wake_event()
    while True:
        yield loop.time() - start
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), step)
        event.clear()


def skipping_running(start_jobs: StartJobs) -> StartJobs:
    """arq's ``start_jobs`` without the Redis round trips it spends on jobs this worker is
    already running (they stay in the queue until they end), so pickup stays fast under load."""

    @functools.wraps(start_jobs)
    async def start_new_jobs(worker: Any, job_ids: list[bytes]) -> None:
        running = worker.tasks
        await start_jobs(worker, [j for j in job_ids if j.decode() not in running])

    start_new_jobs.__lmarena_skips_running__ = True  # type: ignore[attr-defined]
    return start_new_jobs


def install() -> None:
    arq.worker.poll = wakeable_poll  # type: ignore[attr-defined]
    current = arq.worker.Worker.start_jobs
    if not getattr(current, "__lmarena_skips_running__", False):
        arq.worker.Worker.start_jobs = skipping_running(current)  # type: ignore[method-assign,assignment]


async def listen(redis: Any) -> None:
    """Wake the poll loop whenever a message arrives on ``WAKE_CHANNEL``; runs until cancelled."""
    while True:
        pubsub = redis.pubsub()
        try:
            await pubsub.subscribe(WAKE_CHANNEL)
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    wake()
        except (RedisError, OSError) as exc:
            log.warning("wake-up listener lost Redis (%s); polling until it is back", exc)
            await asyncio.sleep(1.0)
        finally:
            with contextlib.suppress(RedisError, OSError):
                await pubsub.aclose()
