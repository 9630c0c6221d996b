"""One pub/sub connection per API process, shared by every job's event channel.

A connection per request would cost a connect per chat and a reader per stream; here one reader
hands each message to the subscription of its channel. ``subscribe`` returns only once Redis has
confirmed the SUBSCRIBE, so a job enqueued afterwards cannot publish before anyone listens. When
the connection breaks, or Redis stops answering the reader's pings (a frozen server keeps the
socket open), every open subscription fails (its stream then follows the job through its stored
result) and the next subscription reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# Keeps the connection in subscribed mode while no job is running.
IDLE_CHANNEL = "lmarena:api-hub"
SUBSCRIBE_TIMEOUT = 5.0
# The reader wakes this often, pings Redis every PING_EVERY, and gives up on a connection that
# has said nothing (no message, no pong) for SILENCE_LIMIT.
READ_TICK = 0.5
PING_EVERY = 2.0
SILENCE_LIMIT = 6.0


class Subscription:
    """The messages of one channel, in order; ``get_message`` raises once the hub broke."""

    def __init__(self, hub: EventHub, channel: str) -> None:
        self._hub = hub
        self.channel = channel
        self.confirmed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue: asyncio.Queue[bytes | BaseException] = asyncio.Queue()

    def deliver(self, item: bytes | BaseException) -> None:
        self._queue.put_nowait(item)

    async def get_message(self, timeout: float) -> bytes | None:
        """The next message's data, or None after ``timeout`` seconds without one."""
        try:
            async with asyncio.timeout(timeout):  # unlike 3.11's wait_for, never eats a cancel
                item = await self._queue.get()
        except TimeoutError:
            return None
        if isinstance(item, BaseException):
            raise item
        return item

    async def aclose(self) -> None:
        await self._hub.unsubscribe(self)


class EventHub:
    def __init__(self, redis: Any) -> None:
        self._redis = redis
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._subs: dict[str, Subscription] = {}
        self._lock = asyncio.Lock()

    async def subscribe(self, channel: str) -> Subscription:
        sub = Subscription(self, channel)
        async with self._lock:
            pubsub = await self._connected()
            self._subs[channel] = sub
            try:
                await pubsub.subscribe(channel)
            except BaseException:
                self._subs.pop(channel, None)
                raise
        try:
            await asyncio.wait_for(asyncio.shield(sub.confirmed), SUBSCRIBE_TIMEOUT)
        except BaseException:
            await self.unsubscribe(sub)
            raise
        return sub

    async def unsubscribe(self, sub: Subscription) -> None:
        if self._subs.get(sub.channel) is not sub:
            return
        del self._subs[sub.channel]
        pubsub = self._pubsub
        if pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await pubsub.unsubscribe(sub.channel)

    async def close(self) -> None:
        reader = self._reader
        await self._drop(RedisConnectionError("the API is shutting down"))
        if reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await reader

    async def _connected(self) -> Any:
        if self._pubsub is None:
            pubsub = self._redis.pubsub()
            await pubsub.subscribe(IDLE_CHANNEL)
            self._pubsub = pubsub
            self._reader = asyncio.create_task(self._read(pubsub), name="event-hub reader")
        return self._pubsub

    async def _read(self, pubsub: Any) -> None:
        loop = asyncio.get_running_loop()
        heard = pinged = loop.time()
        try:
            # Checked each round: redis-py may swallow the cancel that _drop sends.
            while self._pubsub is pubsub:
                message = await pubsub.get_message(timeout=READ_TICK)
                now = loop.time()
                if message is not None:
                    heard = now
                    self._dispatch(message)
                if now - heard > SILENCE_LIMIT:
                    raise RedisConnectionError(f"Redis has not answered for {now - heard:.0f} s")
                if now - pinged >= PING_EVERY:
                    pinged = now
                    await pubsub.ping()
        except (RedisError, OSError) as exc:
            log.warning("event hub lost Redis (%s); open streams repair from job results", exc)
            if self._pubsub is pubsub:
                await self._drop(exc)

    def _dispatch(self, message: dict[str, Any]) -> None:
        channel = message.get("channel")
        name = channel.decode() if isinstance(channel, bytes) else str(channel)
        sub = self._subs.get(name)
        if sub is None:
            return
        if message["type"] == "subscribe":
            if not sub.confirmed.done():
                sub.confirmed.set_result(None)
        elif message["type"] == "message":
            sub.deliver(message["data"])

    async def _drop(self, exc: BaseException) -> None:
        pubsub, reader = self._pubsub, self._reader
        self._pubsub = self._reader = None
        if reader is not None and reader is not asyncio.current_task():
            reader.cancel()
        subs, self._subs = self._subs, {}
        for sub in subs.values():
            if not sub.confirmed.done():
                sub.confirmed.set_exception(exc)
            sub.deliver(exc)
        if pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await pubsub.aclose()
