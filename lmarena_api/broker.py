"""The API's side of the queue: enqueue jobs, relay their events, repair gaps, abort."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, TypeVar

from arq.connections import ArqRedis
from arq.jobs import Job, JobStatus
from pydantic import ValidationError
from redis.exceptions import RedisError

from lmarena_worker.contract import (
    HEARTBEAT_KEY,
    JOB_CHAT,
    JOB_UPLOAD,
    MODELS_KEY,
    QUEUE_NAME,
    WAKE_CHANNEL,
    AttachmentRef,
    ChatJob,
    DoneEvent,
    ErrorEvent,
    ErrorInfo,
    Heartbeat,
    JobEvent,
    JobOutcome,
    ModelList,
    StartedEvent,
    TextEvent,
    UploadJob,
    events_channel,
    parse_event,
)

from .completions import api_error
from .config import ApiSettings
from .errors import ApiError
from .event_hub import EventHub, Subscription

log = logging.getLogger(__name__)
_E = TypeVar("_E", bound=JobEvent)

# While no event comes, check this often that the worker is still alive.
LIVENESS_CHECK = 2.0
# How long a stream waits for an unreachable Redis to come back before it ends with an error.
REDIS_GRACE = 8.0
# The worker's state is read at most this often (seconds): requests in a burst share one read.
STATE_MAX_AGE = 0.25


@dataclass(frozen=True)
class WorkerView:
    """What Redis says of the worker, read in one round trip."""

    heartbeat: Heartbeat | None
    models: ModelList | None
    queued: int  # jobs in the queue, the running ones included (arq keeps them there)
    read_at: float

    @property
    def waiting(self) -> int:
        running = self.heartbeat.active_jobs if self.heartbeat else 0
        return max(0, self.queued - running)


class Broker:
    """Talks to Redis for the API: worker state, queue depth, jobs and their events."""

    def __init__(self, redis: ArqRedis, settings: ApiSettings) -> None:
        self.redis = redis
        self.settings = settings
        self.events = EventHub(redis)
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
                beat_raw, models_raw, queued = await pipe.execute()
            beat = Heartbeat.model_validate_json(beat_raw) if beat_raw else None
            view = WorkerView(beat, self._parsed_models(models_raw), int(queued), time.monotonic())
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
        """Jobs waiting for the worker (running ones excluded, as of its last heartbeat)."""
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

    async def require_capacity(self) -> None:
        depth = await self.queue_depth()
        if depth >= self.settings.max_queue:
            raise ApiError(
                429,
                f"the queue is full ({depth} jobs waiting); try again shortly",
                type="rate_limit_error",
                code="queue_full",
                retry_after=2,
            )

    async def upload(self, job: UploadJob) -> AttachmentRef:
        """Run one upload job and wait for its attachment."""
        arq_job = await self._enqueue(JOB_UPLOAD, job.model_dump(), f"upload-{uuid.uuid4().hex}")
        outcome = await self._outcome(arq_job, self.settings.queue_timeout + 120)
        if outcome.error is not None:
            raise api_error(outcome.error)
        if outcome.attachment is None:
            raise ApiError(502, "the upload job returned nothing", type="upstream_error")
        return outcome.attachment

    async def start_chat(self, job: ChatJob) -> ChatRun:
        """Subscribe to the job's events, then enqueue it: no event can be missed."""
        job_id = f"chat-{uuid.uuid4().hex}"
        subscription = await self.events.subscribe(events_channel(job_id))
        try:
            arq_job = await self._enqueue(JOB_CHAT, job.model_dump(), job_id)
        except BaseException:
            await subscription.aclose()
            raise
        return ChatRun(self, arq_job, subscription)

    async def _enqueue(self, name: str, payload: dict[str, Any], job_id: str) -> Job:
        job = await self.redis.enqueue_job(
            name,
            payload,
            _job_id=job_id,
            _queue_name=QUEUE_NAME,
            _expires=self.settings.queue_timeout,
        )
        if job is None:  # arq refuses a duplicate id; ours are fresh, so this is a bug
            raise ApiError(500, f"job {job_id} could not be enqueued", type="server_error")
        await self.wake_worker()
        return job

    async def wake_worker(self) -> None:
        await self.redis.publish(WAKE_CHANNEL, b"1")

    async def _outcome(self, job: Job, timeout: float) -> JobOutcome:
        try:
            raw = await job.result(timeout=timeout, poll_delay=0.01)
        except TimeoutError:
            raise ApiError(
                504, "the worker did not finish in time", type="timeout", code="timeout"
            ) from None
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # we are being cancelled ourselves
            raise ApiError(
                503, "the job was cancelled", type="service_unavailable", code="job_cancelled"
            ) from None
        except Exception as exc:  # noqa: BLE001 - arq re-raises whatever the job raised
            raise ApiError(502, f"the job failed: {exc}", type="upstream_error") from None
        return JobOutcome.model_validate(raw)


class ChatRun:
    """One chat job seen from the API: its events in order, complete even if pub/sub fails."""

    def __init__(self, broker: Broker, job: Job, subscription: Subscription) -> None:
        self._broker = broker
        self.job = job
        self._subscription = subscription
        self._next_seq = 0
        self._text_sent = 0
        self._worker: tuple[int | None, float | None] | None = None  # from the started event
        self.finished = False
        self.started_at = time.monotonic()

    @property
    def job_id(self) -> str:
        return self.job.job_id

    async def events(self, wait: float) -> AsyncIterator[JobEvent | None]:
        """Events in order; ``None`` after each ``wait`` seconds without one (time to ping).

        Ends after the Done or Error event. A gap in the numbers, a broken subscription or a
        silent dead worker is repaired from the job's stored result.
        """
        settings = self._broker.settings
        silent_since = time.monotonic()
        while not self.finished:
            try:
                event = await self._next_event(min(wait, LIVENESS_CHECK))
            except (RedisError, OSError, ValidationError) as exc:
                log.warning(
                    "job %s: event feed broken (%s); repairing from the result", self.job_id, exc
                )
                async for repaired in self._repair():
                    yield repaired
                return
            if event is None:
                idle = time.monotonic() - silent_since
                if idle >= settings.idle_timeout:
                    yield self._fail("timeout", f"no word from the worker for {idle:.0f} s")
                    return
                if not await self._worker_alive():
                    async for repaired in self._repair():
                        yield repaired
                    return
                yield None
                continue
            silent_since = time.monotonic()
            if event.seq != self._next_seq:
                log.warning(
                    "job %s: expected event %d, got %d; repairing",
                    self.job_id,
                    self._next_seq,
                    event.seq,
                )
                async for repaired in self._repair():
                    yield repaired
                return
            self._next_seq += 1
            yield self._track(event)

    async def _next_event(self, timeout: float) -> JobEvent | None:
        data = await self._subscription.get_message(timeout)
        return None if data is None else parse_event(data)

    def _track(self, event: _E) -> _E:
        if isinstance(event, StartedEvent):
            self._worker = (event.worker_pid, event.worker_started_at)
        elif isinstance(event, TextEvent):
            self._text_sent += len(event.text)
        elif isinstance(event, (DoneEvent, ErrorEvent)):
            self.finished = True
        return event

    async def _worker_alive(self) -> bool:
        try:
            beat = (await self._broker.view(max_age=0)).heartbeat
        except (RedisError, OSError):
            return False
        if beat is None:
            return False
        # A worker restarted after a crash beats too, but our job died with its predecessor.
        return self._worker is None or self._worker == (beat.pid, beat.started_at)

    async def _repair(self) -> AsyncIterator[JobEvent]:
        """Finish the stream from the job's result: the missing text, then Done or Error."""
        outcome = await self._stored_outcome()
        if outcome.chat is not None:
            rest = outcome.chat.text[self._text_sent :]
            if rest:
                yield self._track(TextEvent(seq=self._next_seq, text=rest))
            yield self._track(DoneEvent(seq=self._next_seq + 1, result=outcome.chat))
            return
        error = outcome.error or ErrorInfo(kind="internal", message="the job left no result")
        yield self._fail(error.kind, error.message, error)

    async def _stored_outcome(self) -> JobOutcome:
        deadline = time.monotonic() + self._broker.settings.reply_timeout
        redis_lost_since: float | None = None
        while time.monotonic() < deadline:
            try:
                status = await self.job.status()
                if status == JobStatus.complete:
                    return await self._broker._outcome(self.job, 5.0)
                if status == JobStatus.not_found:
                    break
                if not await self._worker_alive():
                    return _lost("the worker stopped while running this job")
            except (RedisError, OSError) as exc:
                log.warning("job %s: result not readable yet (%s)", self.job_id, exc)
                redis_lost_since = redis_lost_since or time.monotonic()
                if time.monotonic() - redis_lost_since > REDIS_GRACE:
                    return _lost(f"the queue (Redis) is unreachable: {exc}")
            except ApiError as exc:
                return JobOutcome(error=ErrorInfo(kind="upstream", message=exc.message))
            await asyncio.sleep(0.25)
        return _lost("the job's result could not be found")

    def _fail(self, kind: str, message: str, info: ErrorInfo | None = None) -> ErrorEvent:
        error = info or ErrorInfo(kind=kind, message=message)
        return self._track(ErrorEvent(seq=self._next_seq, error=error))

    async def abort(self) -> None:
        """Cancel the job (the client went away): the worker stops and the browser is freed."""
        if self.finished:
            return
        with contextlib.suppress(RedisError, OSError, asyncio.TimeoutError):
            await self.job.abort(timeout=0)
        with contextlib.suppress(RedisError, OSError):
            await self._broker.wake_worker()

    async def close(self) -> None:
        with contextlib.suppress(RedisError, OSError):
            await self._subscription.aclose()


def _lost(message: str) -> JobOutcome:
    return JobOutcome(error=ErrorInfo(kind="unavailable", message=message))
