"""One chat job seen from the API: its events in order, complete even when pub/sub fails.

Events come from the job's pub/sub channel. A gap in their numbers or a broken subscription
switches to following the job through Redis alone (``JobWatch``) until its stored result gives
the missing text and the end. Every quiet tick yields ``None``, so the caller can ping its client
whatever Redis does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from pydantic import ValidationError
from redis.exceptions import RedisError

from lmarena_worker.contract import (
    ChatResult,
    DoneEvent,
    ErrorEvent,
    ErrorInfo,
    JobEvent,
    JobOutcome,
    StartedEvent,
    TextEvent,
    parse_event,
)

from .event_hub import Subscription
from .job_watch import JobWatch, failed

log = logging.getLogger(__name__)
_E = TypeVar("_E", bound=JobEvent)

# While no event comes, ask Redis about the job this often.
LIVENESS_CHECK = 1.0


class ChatRun:
    def __init__(
        self, redis: Any, watch: JobWatch, subscription: Subscription, idle_timeout: float
    ) -> None:
        self._redis = redis
        self.watch = watch
        self._subscription: Subscription | None = subscription
        self._idle_timeout = idle_timeout
        self._next_seq = 0
        self._text_sent = 0
        self.finished = False
        self.result: ChatResult | None = None
        # Called with the result once the reply was delivered (history.py records the turn).
        self.on_done: Callable[[ChatResult], Awaitable[None]] | None = None
        self._heard = time.monotonic()

    @property
    def job_id(self) -> str:
        return self.watch.job_id

    async def events(self, wait: float) -> AsyncIterator[JobEvent | None]:
        """Events in order; ``None`` after each ``wait`` seconds without one (time to ping).

        Ends after the Done or Error event, never hangs: see the module's docstring.
        """
        self._heard = checked = time.monotonic()
        while not self.finished:
            event = await self._next_event(min(wait, LIVENESS_CHECK))
            now = time.monotonic()
            if event is not None:
                self._heard = now
                yield self._track(event)
                continue
            if now - checked >= LIVENESS_CHECK or self._subscription is None:
                checked = now
                outcome = await self._verdict(now)
                if outcome is not None:
                    for final in self._ending(outcome):
                        yield final
                    return
            yield None

    async def _verdict(self, now: float) -> JobOutcome | None:
        outcome = await self.watch.verdict(read_result=self._subscription is None)
        silent = now - self._heard
        if outcome is None and self.watch.worker_id is not None and silent >= self._idle_timeout:
            return failed("timeout", f"no word from the worker for {silent:.0f} s")
        return outcome

    async def _next_event(self, timeout: float) -> JobEvent | None:
        sub = self._subscription
        if sub is None:
            await asyncio.sleep(timeout)
            return None
        try:
            data = await sub.get_message(timeout)
            event = None if data is None else parse_event(data)
        except (RedisError, OSError, ValidationError) as exc:
            log.warning("job %s: event feed broken (%s); following its result", self.job_id, exc)
            await self._unsubscribe()
            return None
        if event is not None and event.seq != self._next_seq:
            log.warning(
                "job %s: expected event %d, got %d; following its result",
                self.job_id,
                self._next_seq,
                event.seq,
            )
            await self._unsubscribe()
            return None
        return event

    def _track(self, event: _E) -> _E:
        self._next_seq = event.seq + 1
        if isinstance(event, StartedEvent):
            self.watch.worker_id = event.worker_id
        elif isinstance(event, TextEvent):
            self._text_sent += len(event.text)
        elif isinstance(event, (DoneEvent, ErrorEvent)):
            self.finished = True
            self.result = event.result if isinstance(event, DoneEvent) else None
        return event

    def _ending(self, outcome: JobOutcome) -> list[JobEvent]:
        """The missing text and the last event, from how the job ended."""
        if outcome.chat is not None:
            ending: list[JobEvent] = []
            rest = outcome.chat.text[self._text_sent :]
            if rest:
                ending.append(self._track(TextEvent(seq=self._next_seq, text=rest)))
            ending.append(self._track(DoneEvent(seq=self._next_seq, result=outcome.chat)))
            return ending
        error = outcome.error or ErrorInfo(kind="internal", message="the job left no result")
        return [self._track(ErrorEvent(seq=self._next_seq, error=error))]

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
