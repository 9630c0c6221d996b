"""``POST /v1/chat/completions``: validate, upload images, enqueue, relay as JSON or SSE."""

from __future__ import annotations

import asyncio
import difflib
import hashlib
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator
from typing import cast

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from redis.exceptions import RedisError
from starlette.types import Receive, Scope, Send

from lmarena_worker.contract import (
    ArenaSpec,
    AttachmentRef,
    ChatJob,
    ChatResult,
    DoneEvent,
    ErrorEvent,
    JobEvent,
    ModelCard,
    ReasoningEvent,
    Side,
    TextEvent,
    UploadJob,
)

from .arena_completions import ArenaCompletion
from .broker import Broker
from .chat_run import ChatRun
from .completions import Completion, api_error, sse_data
from .config import ApiSettings
from .errors import ApiError
from .history import Plan
from .image_checks import check_image_source
from .metrics import ApiMetrics
from .reply_frames import ArenaFrames, DirectFrames, ReplyFrames
from .requests import read_json
from .schemas import (
    ArenaRequest,
    ChatCompletionRequest,
    UserTurn,
    history_images,
    last_user_turn,
    parse_request,
)
from .transcripts import Transcript, transcript_of

log = logging.getLogger(__name__)
router = APIRouter()

# How often the relay looks at the clock (pings, disconnects) while no event comes.
TICK = 0.5
_END = object()


@router.post("/v1/chat/completions")
async def chat_completions(request: Request) -> Response:
    metrics: ApiMetrics = request.app.state.metrics
    stream = ["false"]  # the label, known once the body is parsed
    try:
        return await _answer(request, stream)
    except ApiError as exc:  # answers given before a reply starts count too
        metrics.requests.labels(stream[0], str(exc.status)).inc()
        raise
    except RedisError:
        metrics.requests.labels(stream[0], "503").inc()
        raise


async def _answer(request: Request, stream_label: list[str]) -> Response:
    state = request.app.state
    settings: ApiSettings = state.settings
    broker: Broker = state.broker
    started = time.monotonic()
    req = parse_request(await read_json(request, settings.max_body_bytes))
    stream_label[0] = "true" if req.stream else "false"
    turn = last_user_turn(req, max_parts=settings.max_content_parts, max_images=settings.max_images)
    _check_size(turn.text, settings.max_prompt_bytes)
    if req.arena is not None:
        return await _answer_arena(request, req, turn, started)
    card = await _model(broker, req.model)
    if turn.images and not card.vision:
        param = turn.images[0][0]
        raise ApiError(400, f"{param}: model {card.id!r} does not take image input", param=param)
    await broker.require_worker()
    transcript = transcript_of(req, card.id, _scope(request))
    plan = await broker.history.plan(transcript, turn.evaluation_session_id, turn.text)
    try:
        return await _run(request, req, card, turn, transcript, plan, started)
    except ApiError as exc:
        if exc.code != "conversation_lost" or plan.mapping not in ("continued", "regenerated"):
            raise
    # The mapped session belongs to an identity the site dropped: carry the history instead.
    replay = broker.history.replay(transcript, turn.text)
    return await _run(request, req, card, turn, transcript, replay, started)


async def _run(
    request: Request,
    req: ChatCompletionRequest,
    card: ModelCard,
    turn: UserTurn,
    transcript: Transcript,
    plan: Plan,
    started: float,
) -> Response:
    state = request.app.state
    broker: Broker = state.broker
    _check_size(plan.text, state.settings.max_prompt_bytes)
    images = _images_to_send(req, turn, plan, card, state.settings.max_images)
    job = ChatJob(
        model=card.id,
        text=plan.text,
        evaluation_session_id=plan.session_id,
        attachments=await _upload_images(broker, state.settings, card, images),
        regenerate_message_id=plan.regenerate_message_id,
    )
    run = await broker.start_chat(job)

    async def remember(result: ChatResult) -> None:
        await broker.history.remember(transcript, plan, result)

    run.on_done = remember
    completion = Completion(model=card.id, session_id=plan.session_id, mapping=plan.mapping)
    return await _reply(request, req, run, DirectFrames(completion), started)


async def _reply(
    request: Request, req: ChatCompletionRequest, run: ChatRun, frames: ReplyFrames, started: float
) -> Response:
    metrics = request.app.state.metrics
    if req.stream:
        return await _stream(request, run, frames, req, metrics, started)
    return await _complete(request, run, frames, metrics, started)


async def _answer_arena(
    request: Request, req: ChatCompletionRequest, turn: UserTurn, started: float
) -> Response:
    """Two models at once. Only an explicit ``conversation.evaluationSessionId`` continues an
    arena chat: OpenAI messages hold one assistant reply per turn, not two."""
    broker: Broker = request.app.state.broker
    arena = req.arena
    assert arena is not None
    names = (None, None) if arena.mode == "battle" else (req.model, arena.model_b)
    cards = [await _model(broker, name) for name in names if name is not None]
    if turn.images and not (cards and all(card.vision for card in cards)):
        param = turn.images[0][0]
        raise ApiError(400, f"{param}: both models must take image input", param=param)
    await broker.require_worker()
    job = await _arena_job(request, req, turn, names, cards)
    run = await broker.start_chat(job)
    spec = job.arena
    assert spec is not None
    mapping = (
        "regenerated" if spec.regenerate else "resumed" if turn.evaluation_session_id else "new"
    )
    base = Completion(model=req.model, session_id=turn.evaluation_session_id, mapping=mapping)
    sides: tuple[Side, ...] = (spec.regenerate,) if spec.regenerate else ("a", "b")
    frames = ArenaFrames(ArenaCompletion(base, arena.mode, names, sides))
    return await _reply(request, req, run, frames, started)


async def _arena_job(
    request: Request,
    req: ChatCompletionRequest,
    turn: UserTurn,
    names: tuple[str | None, str | None],
    cards: list[ModelCard],
) -> ChatJob:
    """A new turn (its images uploaded first), or one side regenerated (nothing is sent)."""
    broker: Broker = request.app.state.broker
    arena = req.arena
    assert arena is not None
    attachments: list[AttachmentRef] = []
    if arena.regenerate is not None:
        assert turn.evaluation_session_id is not None  # parse_request checked it
        spec = await _regenerate_spec(broker, arena, names, turn.evaluation_session_id)
    else:
        spec = ArenaSpec(mode=arena.mode, model_b=arena.model_b)
        if cards:
            settings = request.app.state.settings
            attachments = await _upload_images(broker, settings, cards[0], turn.images)
    return ChatJob(
        model=req.model,
        text=turn.text,
        evaluation_session_id=turn.evaluation_session_id,
        attachments=attachments,
        arena=spec,
    )


async def _regenerate_spec(
    broker: Broker, arena: ArenaRequest, names: tuple[str | None, str | None], session_id: str
) -> ArenaSpec:
    """One side anew: the chat must be an arena chat recorded here, asked for as it is."""
    record = await broker.arena.require(session_id, param="conversation.evaluationSessionId")
    asked = None if arena.mode == "battle" else names
    if record.mode != arena.mode or record.models != asked:
        shown = " and ".join(record.models) if record.models else "anonymous models"
        raise ApiError(400, f"arena: this chat is a {record.mode} of {shown}", param="arena")
    return ArenaSpec(
        mode=arena.mode,
        model_b=arena.model_b,
        regenerate=arena.regenerate,
        message_ids=record.message_ids,
    )


def _scope(request: Request) -> str:
    """Whose conversations a request may map onto: one space per API key."""
    given = request.headers.get("authorization", "")
    if not request.app.state.settings.api_keys or given[:7].lower() != "bearer ":
        return ""
    return hashlib.sha256(given[7:].strip().encode()).hexdigest()[:32]


def _check_size(text: str, max_bytes: int) -> None:
    """Job arguments live in Redis until the job ends: keep them bounded."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise ApiError(
            413,
            f"the message is {size} bytes; the limit is {max_bytes} (LM_ARENA_MAX_PROMPT_BYTES)",
            param="messages",
            code="prompt_too_large",
        )


async def _model(broker: Broker, name: str) -> ModelCard:
    listing = await broker.require_models()
    cards = {card.id: card for card in listing.models}
    if name in cards:
        return cards[name]
    close = difflib.get_close_matches(name, list(cards), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; see GET /v1/models"
    raise ApiError(
        404, f"The model `{name}` does not exist{hint}", param="model", code="model_not_found"
    )


def _images_to_send(
    req: ChatCompletionRequest, turn: UserTurn, plan: Plan, card: ModelCard, max_images: int
) -> list[tuple[str, str]]:
    """A regenerate sends nothing; a carried-over history sends its earlier images too (the
    model must see them; the worker's upload cache skips bytes it uploaded before), keeping
    the most recent ones within the per-message limit."""
    if plan.regenerate_message_id is not None:
        return []
    if plan.mapping != "replayed" or not card.vision:
        return list(turn.images)
    return [*history_images(req), *turn.images][-max(max_images, len(turn.images)) :]


async def _upload_images(
    broker: Broker, settings: ApiSettings, card: ModelCard, images: list[tuple[str, str]]
) -> list[AttachmentRef]:
    for param, source in images:
        await check_image_source(
            param,
            source,
            max_bytes=settings.max_image_bytes,
            allow_private=settings.allow_private_image_urls,
        )
    uploads = (_upload_one(broker, card, param, source) for param, source in images)
    return list(await asyncio.gather(*uploads))


async def _upload_one(broker: Broker, card: ModelCard, param: str, source: str) -> AttachmentRef:
    try:
        return await broker.upload(UploadJob(model=card.id, source=source))
    except ApiError as exc:
        if 400 <= exc.status < 500 and exc.param is None:
            exc.param = param  # the worker refused this image: name the part it came from
            exc.message = f"{param}: {exc.message}"
        raise


async def _complete(
    request: Request, run: ChatRun, frames: ReplyFrames, metrics: ApiMetrics, started: float
) -> Response:
    checked = time.monotonic()
    try:
        async for event in run.events(TICK):
            # Checked on a clock, not only in silences: a flowing reply must notice a leaver too.
            if time.monotonic() - checked >= TICK:
                checked = time.monotonic()
                if await request.is_disconnected():
                    metrics.disconnects.inc()
                    metrics.requests.labels("false", "499").inc()
                    await run.abort()
                    return Response(status_code=499)
            if isinstance(event, DoneEvent):
                metrics.requests.labels("false", "200").inc()
                metrics.job_duration.observe(time.monotonic() - started)
                return JSONResponse(frames.response(event))
            elif isinstance(event, ErrorEvent):
                raise api_error(event.error)
    finally:
        await run.close()
    raise ApiError(502, "the reply ended without a result", type="upstream_error")


async def _stream(
    request: Request,
    run: ChatRun,
    frames: ReplyFrames,
    req: ChatCompletionRequest,
    metrics: ApiMetrics,
    started: float,
) -> Response:
    settings: ApiSettings = request.app.state.settings
    events = run.events(TICK)
    first = await _first_events(events, settings.first_event_wait, run)
    include_usage = bool(req.stream_options and req.stream_options.include_usage)
    body = _sse_body(run, events, first, frames, include_usage, metrics, started, settings)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return _ClosingStreamingResponse(body, media_type="text/event-stream", headers=headers)


class _ClosingStreamingResponse(StreamingResponse):
    """Closes its body when the response ends in any way. A disconnect can strike while the body
    waits at a ``yield``; Starlette then leaves it suspended, and its cleanup (which aborts the
    job) would only run whenever the garbage collector gets to it."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):
                await cast(AsyncGenerator[str, None], self.body_iterator).aclose()


async def _first_events(
    events: AsyncIterator[JobEvent | None], wait: float, run: ChatRun
) -> list[JobEvent]:
    """Events up to the first one with content, for at most ``wait`` seconds.

    An error in that window is answered with a real HTTP status instead of an SSE error event.
    """
    seen: list[JobEvent] = []
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        event = await anext(events, _END)
        if event is _END:
            break
        if event is None:
            continue
        if isinstance(event, ErrorEvent):
            await run.close()
            raise api_error(event.error)
        seen.append(event)  # type: ignore[arg-type]
        if isinstance(event, (TextEvent, ReasoningEvent, DoneEvent)):
            break
    return seen


async def _sse_body(
    run: ChatRun,
    events: AsyncIterator[JobEvent | None],
    first: list[JobEvent],
    frames: ReplyFrames,
    include_usage: bool,
    metrics: ApiMetrics,
    started: float,
    settings: ApiSettings,
) -> AsyncIterator[str]:
    metrics.active_streams.inc()
    status = "200"
    first_token = True
    last_write = time.monotonic()
    try:
        yield sse_data(frames.role_chunk())
        async for event in _chain(first, events):
            if event is None:
                if time.monotonic() - last_write >= settings.ping_interval:
                    last_write = time.monotonic()
                    yield ": ping\n\n"
                continue
            if first_token and isinstance(event, (TextEvent, ReasoningEvent)):
                first_token = False
                metrics.time_to_first_token.observe(time.monotonic() - started)
            for frame in frames.frames(event, include_usage):
                yield frame
            last_write = time.monotonic()
            if isinstance(event, ErrorEvent):
                status = str(api_error(event.error).status)
    finally:
        # A disconnect arrives as cancellation, which would also cancel these awaits: shield them.
        with anyio.CancelScope(shield=True):
            metrics.active_streams.dec()
            if not run.finished:
                metrics.disconnects.inc()
                status = "499"
                await run.abort()
            metrics.requests.labels("true", status).inc()
            metrics.job_duration.observe(time.monotonic() - started)
            await run.close()


async def _chain(
    first: list[JobEvent], rest: AsyncIterator[JobEvent | None]
) -> AsyncIterator[JobEvent | None]:
    for event in first:
        yield event
    async for later in rest:
        yield later
