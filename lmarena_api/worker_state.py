"""What Redis says of the worker (heartbeat, models, queue depth), read once per burst."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from lmarena_worker.contract import (
    HEARTBEAT_KEY,
    MODELS_KEY,
    QUEUE_NAME,
    RUNNING_KEY,
    Heartbeat,
    ModelList,
)

# The worker's state is read at most this often (seconds): requests in a burst share one read.
STATE_MAX_AGE = 0.25


@dataclass(frozen=True)
class WorkerView:
    """What Redis says of the worker, read in one round trip."""

    heartbeat: Heartbeat | None
    models: ModelList | None
    queued: int  # jobs in the queue, the running ones included (arq keeps them there)
    running: int  # jobs a worker started (a dead worker's too, until reaped)
    read_at: float

    @property
    def waiting(self) -> int:
        return max(0, self.queued - self.running)


class WorkerState:
    """The last ``WorkerView``, read again once older than ``max_age`` or after ``invalidate``."""

    def __init__(self, redis: Any) -> None:
        self.redis = redis
        self._view: WorkerView | None = None
        self._models_raw: bytes | None = None
        self._models: ModelList | None = None

    async def view(self, max_age: float = STATE_MAX_AGE) -> WorkerView:
        view = self._view
        if view is None or time.monotonic() - view.read_at > max_age:
            view = self._view = await self._read()
        return view

    def invalidate(self) -> None:
        """The queue's depth changed: the next view reads Redis again."""
        self._view = None

    async def _read(self) -> WorkerView:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.get(HEARTBEAT_KEY)
            pipe.get(MODELS_KEY)
            pipe.zcard(QUEUE_NAME)
            pipe.hlen(RUNNING_KEY)
            beat_raw, models_raw, queued, running = await pipe.execute()
        beat = Heartbeat.model_validate_json(beat_raw) if beat_raw else None
        models = self._parsed_models(models_raw)
        return WorkerView(beat, models, int(queued), int(running), time.monotonic())

    def _parsed_models(self, raw: bytes | None) -> ModelList | None:
        if raw != self._models_raw:  # parse the (large) list only when it changed
            self._models_raw = raw
            self._models = ModelList.model_validate_json(raw) if raw else None
        return self._models
