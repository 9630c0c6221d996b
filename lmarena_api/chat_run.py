"""One chat job seen from the API: its events in order, complete even when pub/sub fails.

Events come from the job's pub/sub channel; what to do with each observation (yield it, stop
reading the channel, ask Redis for the job's verdict, end) is decided by the pure
``RelayRepair``. This module only does the I/O it asks for. Every quiet tick yields ``None``, so
the caller can ping its client whatever Redis does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from pydantic import ValidationError
from redis.exceptions import RedisError

from lmarena_worker.contract import ChatResult, JobEvent, StartedEvent, parse_event

from .event_hub import Subscription
from .job_watch import JobWatch
from .relay_repair import LIVENESS_CHECK, RelayRepair, Step

log = logging.getLogger(__name__)


class ChatRun:
    def __init__(
        self, redis: Any, watch: JobWatch, subscription: Subscription, idle_timeout: float
    ) -> None:
        self._redis = redis
        self.watch = watch
        self._subscription: Subscription | None = subscription
        self._repair = RelayRepair(idle_timeout, time.monotonic())
        # Called with the result once the reply was delivered (history.py records the turn).
        self.on_done: Callable[[ChatResult], Awaitable[None]] | None = None

    @property
    def job_id(self) -> str:
        return self.watch.job_id

    @property
    def finished(self) -> bool:
        return self._repair.finished

    @property
    def result(self) -> ChatResult | None:
        return self._repair.result

    async def events(self, wait: float) -> AsyncIterator[JobEvent | None]:
        """Events in order; ``None`` after each ``wait`` seconds without one (time to ping).

        Ends after the Done or Error event, never hangs: see the module's docstring.
        """
        repair = self._repair
        repair.begin(time.monotonic())
        while not repair.finished:
            step = await self._observe(min(wait, LIVENESS_CHECK))
            if step.unsubscribe:
                log.warning("job %s: %s; following its result", self.job_id, step.note)
                await self._unsubscribe()
            if step.check:
                at = time.monotonic()
                outcome = await self.watch.verdict(read_result=repair.following)
                worker_known = self.watch.worker_id is not None
                step = repair.judged(outcome, worker_known=worker_known, at=at)
            for event in step.emit:
                if isinstance(event, StartedEvent):
                    self.watch.worker_id = event.worker_id
                yield event

    async def _observe(self, timeout: float) -> Step:
        sub = self._subscription
        if sub is None:
            await asyncio.sleep(timeout)
            return self._repair.quiet(time.monotonic())
        try:
            data = await sub.get_message(timeout)
            event = None if data is None else parse_event(data)
        except (RedisError, OSError, ValidationError) as exc:
            return self._repair.lost(str(exc))
        if event is None:
            return self._repair.quiet(time.monotonic())
        return self._repair.heard(event, time.monotonic())

    async def abort(self) -> None:
        """The client left."""
        if not self.finished:
            await self.watch.abandon()

    async def close(self) -> None:
        await self._unsubscribe()
        if self.finished:
            with contextlib.suppress(RedisError, OSError):
                await self.watch.forget()
        if self.result is not None and self.on_done is not None:
            try:
                await self.on_done(self.result)
            except (RedisError, OSError) as exc:  # only the mapping of this turn is lost
                log.warning("job %s: the turn was not recorded: %s", self.job_id, exc)

    async def _unsubscribe(self) -> None:
        sub, self._subscription = self._subscription, None
        if sub is not None:
            with contextlib.suppress(RedisError, OSError):
                await sub.aclose()
