"""Numbered events of one job, published on its pub/sub channel."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from redis.exceptions import RedisError

from .contract import DoneEvent, ErrorEvent, ReasoningEvent, StartedEvent, TextEvent, events_channel

log = logging.getLogger(__name__)
Event = StartedEvent | TextEvent | ReasoningEvent | DoneEvent | ErrorEvent


class Publisher(Protocol):
    async def publish(self, channel: str, message: str) -> Any: ...


class EventPublisher:
    """Gives each event of a job the next sequence number and publishes it."""

    def __init__(self, redis: Publisher, job_id: str) -> None:
        self._redis = redis
        self._channel = events_channel(job_id)
        self._seq = 0

    def next_seq(self) -> int:
        seq = self._seq
        self._seq += 1
        return seq

    async def publish(self, event: Event) -> None:
        """Publish, or lose the event while Redis is away: the job goes on, and the API
        repairs a gap from the job's stored result."""
        try:
            await self._redis.publish(self._channel, event.model_dump_json())
        except (RedisError, OSError) as exc:
            log.warning("event %d of %s not published: %s", event.seq, self._channel, exc)
