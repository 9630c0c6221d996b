"""The API's side of the queue: the worker's state, admission, chat and upload jobs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

import anyio
from arq.connections import ArqRedis
from arq.jobs import Job
from redis.exceptions import RedisError

from lmarena_worker import queue_gate
from lmarena_worker.contract import (
    HEARTBEAT_KEY,
    JOB_CHAT,
    JOB_UPLOAD,
    MODELS_KEY,
    QUEUE_NAME,
    RUNNING_KEY,
    WAKE_CHANNEL,
    AttachmentRef,
    ChatJob,
    Heartbeat,
    JobOutcome,
    ModelList,
    UploadJob,
    events_channel,
)

from .chat_run import ChatRun
from .completions import api_error
from .config import ApiSettings
from .errors import ApiError
from .event_hub import EventHub
from .history import TranscriptMap
from .job_watch import JobWatch

log = logging.getLogger(__name__)

# The worker's state is read at most this often (seconds): requests in a burst share one read.
STATE_MAX_AGE = 0.25
# An upload's result is looked for this often; the job's fate is checked every UPLOAD_STATE_CHECK.
UPLOAD_RESULT_POLL = 0.02
UPLOAD_STATE_CHECK = 1.0


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


class Broker:
    """Talks to Redis for the API: worker state, queue depth, jobs and their events."""

    def __init__(self, redis: ArqRedis, settings: ApiSettings) -> None:
        self.redis = redis
        self.settings = settings
        self.events = EventHub(redis)
        self.history = TranscriptMap(
            redis, ttl=settings.transcript_ttl, max_entries=settings.transcript_max
        )
        self._view: WorkerView | None = None
        self._models_raw: bytes | None = None
        self._models: ModelList | None = None

    async def view(self, max_age: float = STATE_MAX_AGE) -> WorkerView:
        view = self._view
        if view is None or time.monotonic() - view.read_at > max_age:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.get(HEARTBEAT_KEY)
                pipe.get(MODELS_KEY)
                pipe.zcard(QUEUE_NAME)
                pipe.hlen(RUNNING_KEY)
                beat_raw, models_raw, queued, running = await pipe.execute()
            beat = Heartbeat.model_validate_json(beat_raw) if beat_raw else None
            models = self._parsed_models(models_raw)
            view = WorkerView(beat, models, int(queued), int(running), time.monotonic())
            self._view = view
        return view

    def _parsed_models(self, raw: bytes | None) -> ModelList | None:
        if raw != self._models_raw:  # parse the (large) list only when it changed
            self._models_raw = raw
            self._models = ModelList.model_validate_json(raw) if raw else None
        return self._models

    async def heartbeat(self) -> Heartbeat | None:
        return (await self.view()).heartbeat

    async def models(self) -> ModelList | None:
        return (await self.view()).models

    async def require_models(self) -> ModelList:
        """The published model list; 503 while the worker has published none."""
        listing = await self.models()
        if listing is None:
            raise ApiError(
                503,
                "the worker has not published its models yet",
                type="service_unavailable",
                code="models_unknown",
                retry_after=5,
            )
        return listing

    async def queue_depth(self) -> int:
        """Jobs waiting for a worker (running ones excluded)."""
        return (await self.view()).waiting

    async def require_worker(self) -> Heartbeat:
        """503 at once when the worker is down or not ready, instead of a hang in the queue."""
        try:
            beat = await self.heartbeat()
        except (RedisError, OSError) as exc:
            raise ApiError(
                503,
                f"the queue (Redis) is unreachable: {exc}",
                type="service_unavailable",
                code="redis_unavailable",
                retry_after=5,
            ) from None
        if beat is None:
            raise ApiError(
                503,
                "no worker is running",
                type="service_unavailable",
                code="worker_down",
                retry_after=5,
            )
        if beat.state != "ready":
            detail = f" ({beat.detail})" if beat.detail else ""
            raise ApiError(
                503,
                f"the worker is {beat.state}{detail}",
                type="service_unavailable",
                code=f"worker_{beat.state}",
                retry_after=5,
            )
        return beat

    async def upload(self, job: UploadJob) -> AttachmentRef:
        """Run one upload job and wait for its attachment (or its end, whatever kills it)."""
        watch = await self._admit(JOB_UPLOAD, job.model_dump(), f"upload-{uuid.uuid4().hex}")
        try:
            outcome = await self._upload_outcome(watch)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await watch.abandon()
            raise
        with contextlib.suppress(RedisError, OSError):
            await watch.forget()
        if outcome.error is not None:
            raise api_error(outcome.error)
        if outcome.attachment is None:
            raise ApiError(502, "the upload job returned nothing", type="upstream_error")
        return outcome.attachment

    async def _upload_outcome(self, watch: JobWatch) -> JobOutcome:
        checked = time.monotonic()
        while True:
            now = time.monotonic()
            full_check = now - checked >= UPLOAD_STATE_CHECK
            try:
                outcome = await watch.stored_outcome() if not full_check else None
            except (RedisError, OSError):
                full_check, outcome = True, None  # verdict() tells how long to bear it
            if full_check:
                checked = now
                outcome = await watch.verdict(read_result=True)
            if outcome is not None:
                return outcome
            await asyncio.sleep(UPLOAD_RESULT_POLL)

    async def start_chat(self, job: ChatJob) -> ChatRun:
        """Subscribe to the job's events, then enqueue it: no event can be missed."""
        job_id = f"chat-{uuid.uuid4().hex}"
        subscription = await self.events.subscribe(events_channel(job_id))
        try:
            watch = await self._admit(JOB_CHAT, job.model_dump(), job_id)
        except BaseException:
            await subscription.aclose()
            raise
        return ChatRun(self.redis, watch, subscription, self.settings.idle_timeout)

    async def _admit(self, name: str, payload: dict[str, Any], job_id: str) -> JobWatch:
        """Enqueue atomically under the queue limit (429 past it), then wake the worker."""
        admission = await queue_gate.admit(
            self.redis,
            job_id,
            name,
            payload,
            max_waiting=self.settings.max_queue,
            expires_s=self.settings.queue_timeout,
        )
        if not admission.admitted:
            raise ApiError(
                429,
                f"the queue is full ({admission.waiting} jobs waiting); try again shortly",
                type="rate_limit_error",
                code="queue_full",
                retry_after=2,
            )
        self._view = None  # the depth changed
        await self.wake_worker()
        job = Job(job_id, self.redis, _queue_name=QUEUE_NAME)
        return JobWatch(self.redis, job, self.settings.queue_timeout)

    async def wake_worker(self) -> None:
        await self.redis.publish(WAKE_CHANNEL, b"1")
