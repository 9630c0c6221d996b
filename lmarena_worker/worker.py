"""``LMArenaWorker``: arq's Worker with fast pickup and a worker that outlives Redis outages.

Used by ``lmarena-worker`` and one-process mode. arq polls its queue every ``poll_delay`` and
ends on the first Redis error; this subclass (no patching of arq itself):

- wakes its poll loop at once when the API publishes on ``WAKE_CHANNEL`` after an enqueue;
- skips, when it starts jobs, those it already runs (arq keeps them queued until they end);
- rides out Redis errors in its poll loop with a capped backoff instead of exiting (an exit
  would close the browser with it);
- on a stop signal, picks nothing more and ends its poll loop by itself: a waiting job stays
  queued for the next worker even when the cancellation of the main task is lost (3.11's
  ``asyncio.wait_for`` can swallow one that arrives as its future completes);
- starts jobs only while its lease token (``ctx["lease_token"]``, set by the Role) holds the
  lease: after a Redis restart the lease is gone before the Role notices, and a job taken then
  would be refused by the queue gate; left queued, it waits for the lease's next holder.

It relies on arq's ``main``/``_poll_iteration``/``start_jobs`` hooks of the pinned arq versions
(``tests/worker/test_worker_class.py`` guards them). ``arq lmarena_worker.WorkerSettings`` runs
arq's stock Worker: same jobs and guarantees (the queue gate lives in the jobs), but pickup waits
for the poll and a Redis outage ends the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from signal import Signals
from typing import Any

from arq.connections import create_pool
from arq.worker import Worker
from redis.exceptions import RedisError

from . import lease
from .contract import WAKE_CHANNEL

log = logging.getLogger(__name__)

MAX_BACKOFF = 5.0
# Pub/sub reads wake this often to check the connection (a frozen Redis answers nothing).
LISTEN_TICK = 1.0
LISTEN_PING_EVERY = 5.0


class LMArenaWorker(Worker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wake = asyncio.Event()
        self._backoff = 0.0
        self.stopping = False
        # A standby picks nothing; the Role (lmarena_worker.role) opens the tap once active.
        self.allow_pick_jobs = False
        self.ctx["worker"] = self

    def wake(self) -> None:
        """Cut the current poll wait short."""
        self._wake.set()

    def handle_sig(self, signum: Signals) -> None:
        self.stopping = True
        self.allow_pick_jobs = False
        self.wake()
        super().handle_sig(signum)

    async def main(self) -> None:
        if self._pool is None:  # lmarena-worker passes a pool with socket timeouts
            self._pool = await create_pool(self.redis_settings, default_queue_name=self.queue_name)
        log.info("worker starting: %s", ", ".join(self.functions))
        self.ctx["redis"] = self.pool
        if self.on_startup:
            await self.on_startup(self.ctx)
        listener = asyncio.create_task(self._listen(), name="wake-listener")
        try:
            async for _ in self._polls():
                await self._poll_iteration()
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener

    async def _polls(self) -> AsyncIterator[None]:
        while not self.stopping:
            yield None
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_delay_s):
                    await self._wake.wait()
            self._wake.clear()

    async def _poll_iteration(self) -> None:
        try:
            await super()._poll_iteration()
        except (RedisError, OSError) as exc:
            self._backoff = min(MAX_BACKOFF, self._backoff * 2 or 0.25)
            log.warning("Redis unavailable (%s); retrying in %.2f s", exc, self._backoff)
            await asyncio.sleep(self._backoff)
        else:
            if self._backoff:
                log.info("Redis is back")
            self._backoff = 0.0

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        # Jobs running here stay in the queue until they end: skip their Redis round trips.
        new = [j for j in job_ids if j.decode() not in self.tasks]
        if not new or not await self._holds_lease():
            return
        # One at a time, so a stop signal that comes while arq waits for a free slot starts
        # nothing after it (the Role may even reopen the tap).
        for job_id in new:
            if self.stopping or self.job_counter >= self.max_jobs:
                return
            await super().start_jobs([job_id])

    async def _holds_lease(self) -> bool:
        if "lease_token" not in self.ctx:  # no Role runs this worker: nothing to hold
            return True
        token = self.ctx["lease_token"]
        return token is not None and await lease.holds(self.pool, token)

    async def _listen(self) -> None:
        """Wake the poll loop on every message on ``WAKE_CHANNEL``; runs until cancelled."""
        while True:
            pubsub = self.pool.pubsub()
            try:
                await pubsub.subscribe(WAKE_CHANNEL)
                await self._relay_wakeups(pubsub)
            except (RedisError, OSError) as exc:
                log.warning("wake-up listener lost Redis (%s); polling until it is back", exc)
                await asyncio.sleep(1.0)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _relay_wakeups(self, pubsub: Any) -> None:
        loop = asyncio.get_running_loop()
        heard = pinged = loop.time()
        while True:
            message = await pubsub.get_message(timeout=LISTEN_TICK)
            now = loop.time()
            if message is not None:
                heard = now
                if message.get("type") == "message":
                    self.wake()
            if now - heard > 3 * LISTEN_PING_EVERY:
                raise ConnectionError("no answer to pings on the wake-up channel")
            if now - pinged > LISTEN_PING_EVERY:
                pinged = now
                await pubsub.ping()
