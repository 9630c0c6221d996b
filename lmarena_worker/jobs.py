"""The worker's arq jobs: ``chat`` (stream a reply as events) and ``upload`` (one image)."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from redis.exceptions import RedisError

from lmarena_client import Client, ReplyStream
from lmarena_client.errors import LMArenaError
from lmarena_client.protocol import ReasoningDelta, TextDelta

from . import queue_gate
from .contract import (
    ChatJob,
    DoneEvent,
    ErrorEvent,
    ErrorInfo,
    JobOutcome,
    ReasoningEvent,
    StartedEvent,
    TextEvent,
    UploadJob,
)
from .outcomes import attachment, attachment_ref, chat_result, error_info
from .publisher import EventPublisher

log = logging.getLogger(__name__)


async def chat(ctx: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """Run one chat turn, publishing numbered events; returns the JobOutcome as a dict."""
    job = ChatJob.model_validate(payload)
    refusal = await _claim(ctx)
    if refusal is not None:
        return JobOutcome(error=refusal).model_dump()
    return (await _run_chat(ctx, job)).model_dump()


async def _claim(ctx: dict[str, Any]) -> ErrorInfo | None:
    """Take the job through the queue gate; an ErrorInfo when it must not run."""
    try:
        token = ctx.get("lease_token") or ""
        found = await queue_gate.start(ctx["redis"], ctx["job_id"], ctx["worker_id"], token)
    except (RedisError, OSError) as exc:
        return ErrorInfo(kind="unavailable", message=f"the queue (Redis) failed: {exc}")
    if found is None:
        return None
    if found.not_active:
        return ErrorInfo(kind="unavailable", message="the worker that took this job is not active")
    if found.cancelled:
        return ErrorInfo(kind="cancelled", message="the job was cancelled before it started")
    log.warning("job %s was started by a worker before; not run again", ctx["job_id"])
    return ErrorInfo(kind="unavailable", message="a worker had started this job; not run twice")


async def _run_chat(ctx: dict[str, Any], job: ChatJob) -> JobOutcome:
    events = EventPublisher(ctx["redis"], ctx["job_id"])
    client: Client = ctx["client"]
    started = time.perf_counter()
    await events.publish(StartedEvent(seq=events.next_seq(), worker_id=ctx["worker_id"]))
    stream: ReplyStream | None = None
    try:
        stream = await _open(client, job)
        await _relay(stream, events)
        assert stream.reply is not None
        outcome = JobOutcome(chat=chat_result(stream.reply))
        await events.publish(DoneEvent(seq=events.next_seq(), result=outcome.chat))
    except LMArenaError as exc:
        partial = stream.text if stream is not None else ""
        outcome = JobOutcome(error=error_info(exc, partial))
        await events.publish(ErrorEvent(seq=events.next_seq(), error=outcome.error))
    except Exception as exc:
        log.exception("chat job %s failed unexpectedly", ctx["job_id"])
        info = ErrorInfo(
            kind="internal",
            message=f"the worker failed: {type(exc).__name__}",
            partial_text=stream.text if stream is not None else "",
        )
        outcome = JobOutcome(error=info)
        await events.publish(ErrorEvent(seq=events.next_seq(), error=info))
    except asyncio.CancelledError:
        # The client left (nobody reads this) or the worker is stopping: say so, then stop.
        info = ErrorInfo(
            kind="unavailable",
            message="the worker stopped while writing this reply",
            partial_text=stream.text if stream is not None else "",
        )
        await asyncio.shield(events.publish(ErrorEvent(seq=events.next_seq(), error=info)))
        raise
    log.info(
        "chat job %s done in %.2f s (%s)",
        ctx["job_id"],
        time.perf_counter() - started,
        "ok" if outcome.error is None else outcome.error.kind,
    )
    return outcome


async def _open(client: Client, job: ChatJob) -> ReplyStream:
    if job.evaluation_session_id:
        session = await client.chats.resume(model=job.model, chat_id=job.evaluation_session_id)
    else:
        session = await client.chats.create(model=job.model)
    if job.regenerate_message_id:
        return await session.regenerate(message_id=job.regenerate_message_id, stream=True)
    return await session.send(
        job.text, attachments=[attachment(ref) for ref in job.attachments], stream=True
    )


async def _relay(stream: ReplyStream, events: EventPublisher) -> None:
    session_sent = False
    task = asyncio.current_task()
    async with stream:
        async for event in stream.events():
            if task is not None and task.cancelling():
                raise asyncio.CancelledError  # an abort swallowed below us must still stop us
            if not isinstance(event, TextDelta | ReasoningDelta):
                continue
            session = None if session_sent else stream.evaluation_session_id
            session_sent = session_sent or session is not None
            kind = TextEvent if isinstance(event, TextDelta) else ReasoningEvent
            await events.publish(
                kind(seq=events.next_seq(), text=event.text, evaluation_session_id=session)
            )


async def upload(ctx: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """Load and upload one image; returns the JobOutcome (attachment or error) as a dict."""
    job = UploadJob.model_validate(payload)
    refusal = await _claim(ctx)
    if refusal is not None:
        return JobOutcome(error=refusal).model_dump()
    client: Client = ctx["client"]
    try:
        uploaded = await client.upload_image(job.source, job.filename, model=job.model)
    except LMArenaError as exc:
        return JobOutcome(error=error_info(exc)).model_dump()
    return JobOutcome(attachment=attachment_ref(uploaded)).model_dump()
