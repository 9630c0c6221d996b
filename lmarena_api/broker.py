"""The API's side of the queue, one object for the app: the worker's state (``worker_state``),
the early refusals (``early_answers``), jobs and their events (``job_queue``), and the
transcript map (``history``)."""

from __future__ import annotations

from arq.connections import ArqRedis
from redis.exceptions import RedisError

from lmarena_worker.contract import AttachmentRef, ChatJob, Heartbeat, ModelList, UploadJob

from . import early_answers
from .arena_book import ArenaBook
from .chat_run import ChatRun
from .config import ApiSettings
from .event_hub import EventHub
from .history import TranscriptMap
from .job_queue import JobQueue
from .worker_state import STATE_MAX_AGE, WorkerState, WorkerView


class Broker:
    """Talks to Redis for the API: worker state, queue depth, jobs and their events."""

    def __init__(self, redis: ArqRedis, settings: ApiSettings) -> None:
        self.redis = redis
        self.settings = settings
        self.events = EventHub(redis)
        self.history = TranscriptMap(
            redis, ttl=settings.transcript_ttl, max_entries=settings.transcript_max
        )
        self.arena = ArenaBook(redis)
        self.state = WorkerState(redis)
        self.queue = JobQueue(redis, settings, self.events, on_admit=self.state.invalidate)

    async def view(self, max_age: float = STATE_MAX_AGE) -> WorkerView:
        return await self.state.view(max_age)

    async def heartbeat(self) -> Heartbeat | None:
        return (await self.view()).heartbeat

    async def models(self) -> ModelList | None:
        return (await self.view()).models

    async def require_models(self) -> ModelList:
        """The published model list; 503 while the worker has published none."""
        return early_answers.published_models(await self.models())

    async def queue_depth(self) -> int:
        """Jobs waiting for a worker (running ones excluded)."""
        return (await self.view()).waiting

    async def require_worker(self) -> Heartbeat:
        """503 at once when the worker is down or not ready, instead of a hang in the queue."""
        try:
            beat = await self.heartbeat()
        except (RedisError, OSError) as exc:
            raise early_answers.redis_unreachable(exc) from None
        return early_answers.ready_worker(beat)

    async def upload(self, job: UploadJob) -> AttachmentRef:
        return await self.queue.upload(job)

    async def start_chat(self, job: ChatJob) -> ChatRun:
        return await self.queue.start_chat(job)

    async def wake_worker(self) -> None:
        await self.queue.wake_worker()
