"""Numbered events of one job, published on its pub/sub channel."""

from __future__ import annotations

from typing import Any, Protocol

from .contract import DoneEvent, ErrorEvent, ReasoningEvent, StartedEvent, TextEvent, events_channel

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
        await self._redis.publish(self._channel, event.model_dump_json())
