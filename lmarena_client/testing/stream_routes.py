"""The three stream endpoints: create-evaluation, post-to-evaluation and retry."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .chat_requests import TWO_MODEL_MODES, ChatRequest, parse_chat, parse_retry
from .faults import EDGE_KINDS, REFUSAL_KINDS, Fault
from .identity import User
from .ids import is_uuid7, uuid7
from .models import Model, accepts_images, accepts_many_images, is_reasoning, modalities_of
from .options import ReplyScript
from .picture import picture_png
from .recaptcha import CHAT_ACTIONS
from .refusals import RECAPTCHA_FAILED, Refusal, bad_request
from .replies import ParticipantReply, assemble, reasoning_deltas, reply_text, split_directive
from .sessions import EvaluationSession, Turn
from .site_routes import check_token, origin_of, read_json
from .state import LoggedRequest, SiteState, redact

log = logging.getLogger(__name__)

_MATCHED_PATH = {
    "create": "/nextjs-api/stream/create-evaluation",
    "post": "/nextjs-api/stream/post-to-evaluation/[id]",
    "retry": "/nextjs-api/stream/retry-evaluation-session-message/[sessionId]/messages/[messageId]",
}
_BODY_FAULTS = frozenset(
    {"stream_error", "empty_200", "cut_stream", "no_finish", "finish_unknown", "has_arena_error"}
)


@dataclass
class Speaker:
    participant: str
    model: Model
    message_id: str


@dataclass
class StreamPlan:
    session: EvaluationSession
    turn: Turn
    user: User
    speakers: list[Speaker]
    script: ReplyScript
    previous_prompt: str | None
    faults: dict[str, Fault] = field(default_factory=dict)

    @property
    def first_byte_delay(self) -> float:
        """Seconds before the answer starts: a ``slow_first_byte`` fault's, else the script's."""
        first = self.faults.get("first")
        return first.seconds if first else self.script.first_byte_delay

    @property
    def line_delay(self) -> float:
        """Seconds between stream lines: a ``token_delay`` fault's, else the script's."""
        pace = self.faults.get("pace")
        return pace.seconds if pace else self.script.delay


def stream_handler(state: SiteState, route: str) -> Any:
    async def handle(request: web.Request) -> web.StreamResponse:
        admitted = await admit(state, request, route)
        if isinstance(admitted, web.StreamResponse):
            return admitted
        plan, entry = admitted
        entry.status = 200
        return await write_stream(state, request, route, plan)

    return handle


async def admit(
    state: SiteState, request: web.Request, route: str
) -> tuple[StreamPlan, LoggedRequest] | web.StreamResponse:
    """Everything a stream request passes before its answer: edge faults, the request log and
    the strict checks. The refusal to send, or the accepted plan and its log entry."""
    edge = state.faults.take(EDGE_KINDS, route)
    if edge is not None:
        return edge_fault_response(state, request, edge)
    entry = LoggedRequest(
        request.path, request.method, request.headers.get("Content-Type", ""), None
    )
    state.requests.append(entry)
    try:
        return await accept(state, request, route, entry), entry
    except Refusal as refusal:
        entry.status = refusal.status
        return refusal.response()


async def accept(
    state: SiteState, request: web.Request, route: str, entry: LoggedRequest
) -> StreamPlan:
    """Every check of a stream request, in the site's order; Refusal on the first failure."""
    body = await read_json(request)
    entry.body = redact(body)
    user = state.user_of(request)
    check_token(state, *_token_of(body, route))
    refusal = state.faults.take(REFUSAL_KINDS, route)
    if refusal is not None:
        raise refusal_of(refusal, body, request)
    if route == "retry":
        plan = plan_retry(state, request, user, body)
    else:
        plan = plan_chat(state, request, route, user, parse_chat(body))
    for key, kinds in (
        ("first", {"slow_first_byte"}),
        ("pace", {"token_delay"}),
        ("body", _BODY_FAULTS),
    ):
        fault = state.faults.take(frozenset(kinds), route)
        if fault is not None:
            plan.faults[key] = fault
    entry.first_byte_delay, entry.line_delay = plan.first_byte_delay, plan.line_delay
    return plan


def _token_of(body: Any, route: str) -> tuple[object, frozenset[str] | None]:
    if not isinstance(body, dict):
        return None, frozenset()
    if "recaptchaV2Token" in body:
        if "recaptchaV3Token" in body:
            return None, frozenset()  # both at once is not what the site sends
        return body["recaptchaV2Token"], frozenset({CHAT_ACTIONS[route]})
    return body.get("recaptchaV3Token"), frozenset({CHAT_ACTIONS[route]})


def edge_fault_response(state: SiteState, request: web.Request, fault: Fault) -> web.Response:
    if fault.kind == "redirect_301":
        other = state.legacy_url if origin_of(request) == state.url else state.url
        target = (other or state.url) + request.path_qs
        return web.Response(status=301, headers={"Location": target})
    return web.Response(
        status=403,
        text=state.gate.page(),
        content_type="text/html",
        headers={"cf-mitigated": "challenge", "server": "cloudflare"},
    )


def refusal_of(fault: Fault, body: Any, request: web.Request) -> Refusal:
    if fault.kind == "unauthorized_401":
        return Refusal(401, "Unauthorized")
    if fault.kind == "recaptcha_403":
        return Refusal(403, RECAPTCHA_FAILED)
    if fault.kind == "rate_limit_429":
        quota, window = (3, 3600) if fault.modality == "image" else (3000, 300)
        headers = {
            "Retry-After": str(fault.retry_after),
            "ratelimit": f"limit={quota}, remaining=0, reset={fault.retry_after}",
            "ratelimit-policy": f"{quota};w={window}",
        }
        if fault.modality == "image":
            headers["Ratelimit-Modality"] = "image"
            headers["ratelimit-remaining"] = str(fault.retry_after)
        return Refusal(429, "Too many requests, please try again later.", headers)
    if fault.kind == "moderation_422":
        session_id = body.get("id") if isinstance(body, dict) else None
        session_id = request.match_info.get("session_id") or session_id or uuid7()
        return Refusal(
            422,
            "Request rejected: Content violates our terms of use for "
            f"evaluation session id: {session_id}",
        )
    return Refusal(400, "Invalid content")


# -- create and post-to ------------------------------------------------------------------


def plan_chat(
    state: SiteState, request: web.Request, route: str, user: User, chat: ChatRequest
) -> StreamPlan:
    message_ids = [chat.user_message_id, chat.model_a_message_id]
    if chat.model_b_message_id is not None:
        message_ids.append(chat.model_b_message_id)
    if route == "create":
        session_id = chat.session_id
        if session_id is None or chat.mode is None:
            raise bad_request("Invalid request body: id and mode are required")
        new_ids = [session_id, *message_ids]
        if not all(is_uuid7(i) for i in new_ids):
            raise bad_request("Invalid id: ids must be UUIDv7")
        session = None
        mode = chat.mode
    else:
        session = _own_session(state, user, request.match_info["session_id"])
        if chat.session_id not in (None, session.id):
            raise bad_request("Invalid request body: id does not match the session")
        if chat.mode not in (None, session.mode):
            raise bad_request("Invalid request body: mode does not match the session")
        new_ids = message_ids
        if not all(is_uuid7(i) for i in new_ids):
            raise bad_request("Invalid id: ids must be UUIDv7")
        mode = session.mode
    if len(set(new_ids)) != len(new_ids) or state.sessions.any_used(new_ids):
        raise bad_request("Duplicate id: this id was already used")
    if mode in TWO_MODEL_MODES and chat.model_b_message_id is None:
        raise bad_request("Invalid request body: modelBMessageId is required in this mode")
    model_a, model_b = _models_for(state, mode, chat, session)
    for model in (model_a, model_b):
        if model is not None and chat.modality not in modalities_of(model):
            raise bad_request(f"Modality {chat.modality} is not supported by this model")
    attachments = _checked_attachments(state, request, chat, [m for m in (model_a, model_b) if m])
    state.sessions.use(new_ids)
    if session is None:
        session = EvaluationSession(
            str(chat.session_id),
            user.id,
            mode,
            chat.modality,
            model_a["id"],
            model_b["id"] if model_b else None,
        )
        state.sessions.sessions[session.id] = session
    previous = session.turns[-1].prompt if session.turns else None
    prompt, script = split_directive(chat.content, state.options.reply)
    turn = Turn(
        len(session.turns) + 1,
        prompt,
        chat.user_message_id,
        chat.model_a_message_id,
        chat.model_b_message_id,
        model_a["id"],
        model_b["id"] if model_b else None,
        attachments,
    )
    session.turns.append(turn)
    speakers = [Speaker("a", model_a, chat.model_a_message_id)]
    if model_b is not None and chat.model_b_message_id is not None:
        speakers.append(Speaker("b", model_b, chat.model_b_message_id))
    return StreamPlan(session, turn, user, speakers, script, previous)


def _own_session(state: SiteState, user: User, session_id: str) -> EvaluationSession:
    session = state.sessions.sessions.get(session_id)
    if session is None:
        raise Refusal(404, "Evaluation session not found")
    if session.owner != user.id:
        raise Refusal(
            401, f"User {user.id} does not have access to evaluation session {session_id}"
        )
    return session


def _known_model(state: SiteState, model_id: str | None) -> Model:
    model = state.models.find(model_id)
    if model is None:
        raise bad_request(f"Model not found: {model_id}")
    return model


def _models_for(
    state: SiteState, mode: str, chat: ChatRequest, session: EvaluationSession | None
) -> tuple[Model, Model | None]:
    if mode == "battle":
        if chat.model_a_id is not None or chat.model_b_id is not None:
            raise bad_request("Invalid request body: battle mode takes no model ids")
        if session is not None:
            return _known_model(state, session.model_a_id), _known_model(state, session.model_b_id)
        return _pair(state, chat.modality)
    a_id = chat.model_a_id or (session.model_a_id if session else None)
    if a_id is None:
        raise bad_request("Invalid request body: modelAId is required")
    model_a = _known_model(state, a_id)
    if mode == "side-by-side":
        b_id = chat.model_b_id or (session.model_b_id if session else None)
        if b_id is None:
            raise bad_request("Invalid request body: modelBId is required in side-by-side")
        return model_a, _known_model(state, b_id)
    if chat.model_b_id is not None:
        raise bad_request(f"Invalid request body: modelBId is not allowed in {mode} mode")
    if mode == "direct-battle":
        if session is not None and session.model_b_id is not None:
            return model_a, _known_model(state, session.model_b_id)
        pair = _pair(state, chat.modality)
        return model_a, pair[0] if pair[0]["id"] != model_a["id"] else pair[1]
    return model_a, None


def _checked_attachments(
    state: SiteState, request: web.Request, chat: ChatRequest, models: list[Model]
) -> list[dict[str, str]]:
    images = 0
    for item in chat.attachments:
        result, key = state.storage.check_url(item["url"], origin_of(request))
        if not result.ok:
            raise bad_request(f"Invalid attachment URL: {result.reason}")
        stored = state.storage.objects.get(key)
        if stored is None:
            raise bad_request("Invalid attachment: no such object")
        if item["name"] != key or item["contentType"] != stored.content_type:
            raise bad_request("Invalid attachment: name or contentType does not match")
        if stored.content_type.startswith("image/"):
            images += 1
    for model in models:
        if images and not accepts_images(model):
            raise bad_request("This model does not support image input")
        if images > 1 and not accepts_many_images(model):
            raise bad_request("This model accepts only one image")
    return chat.attachments


# -- retry ---------------------------------------------------------------------------------


def plan_retry(state: SiteState, request: web.Request, user: User, body: Any) -> StreamPlan:
    retry = parse_retry(body)
    session = _own_session(state, user, request.match_info["session_id"])
    found = session.turn_of_message(request.match_info["message_id"])
    if found is None:
        raise Refusal(404, "Message not found")
    turn, participant = found
    if turn is not session.turns[-1]:
        raise bad_request("Only the latest message can be retried")
    model_id = turn.model_a_id if participant == "a" else turn.model_b_id
    model = _known_model(state, retry.model_id or model_id)
    if session.modality not in modalities_of(model):
        raise bad_request(f"Modality {session.modality} is not supported by this model")
    turn.regenerations += 1
    index = session.turns.index(turn)
    previous = session.turns[index - 1].prompt if index else None
    _, script = split_directive(turn.prompt, state.options.reply)
    message_id = request.match_info["message_id"]
    return StreamPlan(
        session, turn, user, [Speaker(participant, model, message_id)], script, previous
    )


# -- the 200 stream ----------------------------------------------------------------------


def _participant_reply(
    state: SiteState, request: web.Request, plan: StreamPlan, speaker: Speaker
) -> ParticipantReply:
    model, script, turn = speaker.model, plan.script, plan.turn
    image_output = "image" in model["capabilities"]["outputCapabilities"]
    count = script.images if script.images is not None else (1 if image_output else 0)
    urls = [
        _store_picture(state, request, plan.user.id, speaker.message_id, i) for i in range(count)
    ]
    text = (
        []
        if image_output
        else reply_text(
            turn=turn.number,
            prompt=turn.prompt,
            previous=plan.previous_prompt,
            # A battle stays anonymous until the vote: replies do not name their model.
            model_name="an anonymous model"
            if plan.session.mode == "battle"
            else model["publicName"],
            words=script.words,
            regeneration=turn.regenerations,
        )
    )
    reasoning = (
        reasoning_deltas(turn.number, turn.prompt)
        if script.reasoning or is_reasoning(model)
        else []
    )
    turn.replies[speaker.participant] = "".join(text)
    return ParticipantReply(
        speaker.participant,
        text,
        reasoning,
        urls,
        script.citations,
        max(1, len(turn.prompt.split())),
    )


def _speaker_name(plan: StreamPlan, model: Model) -> str:
    # A battle stays anonymous until the vote: replies do not name their model.
    return "an anonymous model" if plan.session.mode == "battle" else str(model["publicName"])


def _store_picture(
    state: SiteState, request: web.Request, user_id: str, message_id: str, index: int
) -> str:
    suffix = f"-{index}" if index else ""
    key = f"{user_id}/{state.clock.now_ms()}-{message_id}{suffix}.png"
    state.storage.put(key, "image/png", picture_png())
    return state.storage.presign(origin_of(request), key, "GET")


async def write_stream(
    state: SiteState, request: web.Request, route: str, plan: StreamPlan
) -> web.StreamResponse:
    body_fault = plan.faults.get("body")
    replies = [_participant_reply(state, request, plan, s) for s in plan.speakers]
    lines, cut = assemble(replies, plan.script, body_fault)
    if body_fault is not None and body_fault.kind == "empty_200":
        lines = []
    first_delay, delay = plan.first_byte_delay, plan.line_delay
    state.counters.stream_opened()
    completed = False
    try:
        if first_delay:
            await asyncio.sleep(first_delay)
        response = web.StreamResponse(
            status=200,
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-cache, no-transform",
                "ratelimit": "limit=500, remaining=499, reset=3600",
                "ratelimit-policy": "500;w=3600",
                "x-matched-path": _MATCHED_PATH[route],
            },
        )
        await response.prepare(request)
        for index, line in enumerate(lines):
            if index and delay:
                await asyncio.sleep(delay)
            await response.write(line.render())
        if cut:
            _drop_connection(request)
            return response
        await response.write_eof()
        completed = True
        return response
    except ConnectionResetError:  # the client stopped reading early: normal, not an error
        return response
    finally:
        state.counters.stream_closed(completed)


def _drop_connection(request: web.Request) -> None:
    """Close the socket mid-body: the client sees a broken chunked stream, no ``ad:``."""
    transport = request.transport
    if transport is not None:
        with contextlib.suppress(Exception):
            transport.abort()


def _pair(state: SiteState, modality: str) -> tuple[Model, Model]:
    try:
        return state.models.battle_pair(modality)
    except LookupError as exc:
        raise bad_request(f"No models available for {modality} battles") from exc
