"""Jobs into the queue: atomic admission through ``queue_gate``, the worker woken, and the
upload and chat jobs followed from there."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable
from typing import Any

import anyio
from arq.jobs import Job
from redis.exceptions import RedisError

from lmarena_worker import queue_gate
from lmarena_worker.contract import (
    JOB_CHAT,
    JOB_UPLOAD,
    JOB_VOTE,
    QUEUE_NAME,
    WAKE_CHANNEL,
    AttachmentRef,
    ChatJob,
    JobOutcome,
    UploadJob,
    VoteJob,
    events_channel,
)

from .chat_run import ChatRun
from .completions import api_error
from .config import ApiSettings
from .early_answers import queue_full
from .errors import ApiError
from .event_hub import EventHub
from .job_watch import JobWatch

# A short job's (upload, vote) result is looked for this often; its fate every STATE_CHECK.
RESULT_POLL = 0.02
STATE_CHECK = 1.0


class JobQueue:
    """Enqueues jobs under the queue limit; ``on_admit`` hears of every admitted job."""

    def __init__(
        self,
        redis: Any,
        settings: ApiSettings,
        events: EventHub,
        on_admit: Callable[[], None] = lambda: None,
    ) -> None:
        self.redis = redis
        self.settings = settings
        self.events = events
        self._on_admit = on_admit

    async def upload(self, job: UploadJob) -> AttachmentRef:
        """Run one upload job and wait for its attachment (or its end, whatever kills it)."""
        outcome = await self._short_job(JOB_UPLOAD, job.model_dump(), "upload")
        if outcome.error is not None:
            raise api_error(outcome.error)
        if outcome.attachment is None:
            raise ApiError(502, "the upload job returned nothing", type="upstream_error")
        return outcome.attachment

    async def vote(self, job: VoteJob) -> JobOutcome:
        """Run one vote job and wait for its outcome (the names, or an error)."""
        return await self._short_job(JOB_VOTE, job.model_dump(), "vote")

    async def _short_job(self, name: str, payload: dict[str, Any], prefix: str) -> JobOutcome:
        """A job without events: its stored outcome is awaited (or whatever ends the job)."""
        watch = await self._admit(name, payload, f"{prefix}-{uuid.uuid4().hex}")
        try:
            outcome = await _stored_outcome(watch)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await watch.abandon()
            raise
        with contextlib.suppress(RedisError, OSError):
            await watch.forget()
        return outcome

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
            raise queue_full(admission.waiting)
        self._on_admit()
        await self.wake_worker()
        job = Job(job_id, self.redis, _queue_name=QUEUE_NAME)
        return JobWatch(self.redis, job, self.settings.queue_timeout)

    async def wake_worker(self) -> None:
        await self.redis.publish(WAKE_CHANNEL, b"1")


async def _stored_outcome(watch: JobWatch) -> JobOutcome:
    checked = time.monotonic()
    while True:
        now = time.monotonic()
        full_check = now - checked >= STATE_CHECK
        try:
            outcome = await watch.stored_outcome() if not full_check else None
        except (RedisError, OSError):
            full_check, outcome = True, None  # verdict() tells how long to bear it
        if full_check:
            checked = now
            outcome = await watch.verdict(read_result=True)
        if outcome is not None:
            return outcome
        await asyncio.sleep(RESULT_POLL)
