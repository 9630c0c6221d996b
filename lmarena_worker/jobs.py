"""The worker's arq jobs: ``chat`` (stream a reply as events), ``upload`` (one image) and
``vote`` (judge an arena chat)."""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from typing import Any

from redis.exceptions import RedisError

from lmarena_client import Client, ReplyStream
from lmarena_client.arena import ArenaReply, ArenaStream
from lmarena_client.errors import LMArenaError
from lmarena_client.protocol import ReasoningDelta, TextDelta

from . import queue_gate
from .contract import (
    ARENA_RECORD_TTL,
    ArenaRecord,
    ArenaSpec,
    ChatJob,
    DoneEvent,
    ErrorEvent,
    ErrorInfo,
    JobOutcome,
    ReasoningEvent,
    Side,
    StartedEvent,
    TextEvent,
    UploadJob,
    VoteJob,
    arena_key,
)
from .outcomes import attachment, attachment_ref, chat_result, error_info
from .publisher import EventPublisher

log = logging.getLogger(__name__)
AnyStream = ReplyStream | ArenaStream


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
    stream: AnyStream | None = None
    try:
        stream = await _open(client, job)
        await _relay(stream, events)
        outcome = await _outcome(client, job, stream)
        await _record_arena(ctx["redis"], job, outcome)
        done = DoneEvent(seq=events.next_seq(), result=outcome.chat, result_b=outcome.chat_b)
        await events.publish(done)
    except LMArenaError as exc:
        outcome = JobOutcome(error=error_info(exc, _partial(stream)))
        await events.publish(ErrorEvent(seq=events.next_seq(), error=outcome.error))
    except Exception as exc:
        log.exception("chat job %s failed unexpectedly", ctx["job_id"])
        info = ErrorInfo(
            kind="internal",
            message=f"the worker failed: {type(exc).__name__}",
            partial_text=_partial(stream),
        )
        outcome = JobOutcome(error=info)
        await events.publish(ErrorEvent(seq=events.next_seq(), error=info))
    except asyncio.CancelledError:
        # The client left (nobody reads this) or the worker is stopping: say so, then stop.
        info = ErrorInfo(
            kind="unavailable",
            message="the worker stopped while writing this reply",
            partial_text=_partial(stream),
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


def _partial(stream: AnyStream | None) -> str:
    if isinstance(stream, ArenaStream):
        return stream.text("a")
    return stream.text if stream is not None else ""


async def _outcome(client: Client, job: ChatJob, stream: AnyStream) -> JobOutcome:
    reply = stream.reply
    assert reply is not None
    if isinstance(reply, ArenaReply):
        return JobOutcome(chat=chat_result(reply.a), chat_b=chat_result(reply.b))
    result = chat_result(reply)
    if job.images_as_data:
        result = result.model_copy(update={"images": await _as_data(client, result.images)})
    return JobOutcome(chat=result)


async def _record_arena(redis: Any, job: ChatJob, outcome: JobOutcome) -> None:
    """Keep the turn's reply ids for a vote; a chat that cannot be voted on still answers."""
    a, b = outcome.chat, outcome.chat_b
    if job.arena is None or a is None or b is None or not (a.message_id and b.message_id):
        return
    models = (job.model, job.arena.model_b) if job.arena.model_b is not None else None
    record = ArenaRecord(
        mode=job.arena.mode, models=models, message_ids=(a.message_id, b.message_id)
    )
    try:
        await redis.set(
            arena_key(a.evaluation_session_id), record.model_dump_json(), ex=ARENA_RECORD_TTL
        )
    except (RedisError, OSError) as exc:
        log.warning("arena chat not recorded, it cannot be voted on: %s", exc)


async def _as_data(client: Client, urls: list[str]) -> list[str]:
    blobs = [await client.download_image(url) for url in urls]
    return [f"data:{b.mime_type};base64,{base64.b64encode(b.data).decode()}" for b in blobs]


async def _open(client: Client, job: ChatJob) -> AnyStream:
    if job.arena is not None:
        return await _open_arena(client, job, job.arena)
    if job.evaluation_session_id:
        session = await client.chats.resume(model=job.model, chat_id=job.evaluation_session_id)
    else:
        session = await client.chats.create(model=job.model)
    if job.regenerate_message_id:
        return await session.regenerate(message_id=job.regenerate_message_id, stream=True)
    return await session.send(
        job.text, attachments=[attachment(ref) for ref in job.attachments], stream=True
    )


async def _open_arena(client: Client, job: ChatJob, spec: ArenaSpec) -> ArenaStream:
    models = (job.model, spec.model_b) if spec.model_b is not None else None
    if job.evaluation_session_id:
        arena = await client.chats.resume_arena(
            job.evaluation_session_id, models=models, last_message_ids=spec.message_ids
        )
        if spec.regenerate is not None:
            return await arena.regenerate(spec.regenerate, stream=True)
    elif models is not None:
        arena = await client.chats.compare(*models)
    else:
        arena = await client.chats.battle()
    return await arena.send(
        job.text, attachments=[attachment(r) for r in job.attachments], stream=True
    )


async def _relay(stream: AnyStream, events: EventPublisher) -> None:
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
            side: Side = "b" if event.participant == "b" else "a"
            await events.publish(
                kind(
                    seq=events.next_seq(),
                    text=event.text,
                    side=side,
                    evaluation_session_id=session,
                )
            )


async def vote(ctx: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """Judge an arena chat's latest turn; returns the JobOutcome (both names, or an error)."""
    job = VoteJob.model_validate(payload)
    refusal = await _claim(ctx)
    if refusal is not None:
        return JobOutcome(error=refusal).model_dump()
    client: Client = ctx["client"]
    try:
        arena = await client.chats.resume_arena(
            job.evaluation_session_id, models=job.models, last_message_ids=job.message_ids
        )
        result = await arena.vote(job.winner)
    except LMArenaError as exc:
        return JobOutcome(error=error_info(exc)).model_dump()
    return JobOutcome(revealed=result.models).model_dump()


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
