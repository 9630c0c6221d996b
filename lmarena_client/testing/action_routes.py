"""Next.js server actions (POST to a page with ``Next-Action``) and the object storage routes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .identity import AuthRefused, User
from .ids import is_uuid
from .site_routes import origin_of
from .state import SiteState
from .storage import PREFIX

UPLOAD_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/bmp",
        "image/tiff",
        "image/svg+xml",
        "application/pdf",
        "text/plain",
    }
)
_MAX_FILENAME = 255
ActionResult = dict[str, Any]


class ActionFailed(Exception):
    """The action ran and failed: answered as ``1:{"success":false,"error":...}``."""


def _rows(build_id: str, result: ActionResult) -> str:
    head = json.dumps({"a": "$@1", "f": "", "b": build_id}, separators=(",", ":"))
    return f"0:{head}\n1:{json.dumps(result, separators=(',', ':'))}\n"


def action_handler(state: SiteState) -> Any:
    async def act(request: web.Request) -> web.Response:
        action_id = request.headers.get("Next-Action")
        if action_id is None:
            return web.Response(status=405, text="Method Not Allowed")
        name = state.build.action_name(action_id)
        if name is None:
            return web.Response(
                status=404,
                text="Server action not found.",
                headers={"x-nextjs-action-not-found": "1"},
            )
        result = await _run(state, request, name)
        return web.Response(
            text=_rows(state.build.build_id, result),
            content_type="text/x-component",
            headers={
                "x-action-revalidated": "[[],0,0]",
                "x-matched-path": "/[locale]",
                "x-powered-by": "Next.js",
                "cache-control": "no-store",
            },
        )

    return act


async def _run(state: SiteState, request: web.Request, name: str) -> ActionResult:
    try:
        if request.content_type != "text/plain":
            raise ActionFailed("Invalid request")
        args = json.loads(await request.text())
        if not isinstance(args, list):
            raise ActionFailed("Invalid arguments")
        try:
            user = state.identity.user_from_cookies(request.cookies)
        except AuthRefused as exc:
            raise ActionFailed("Not authenticated") from exc
        data = _ACTIONS[name](state, request, user, args)
    except ActionFailed as failure:
        return {"success": False, "error": str(failure)}
    except ValueError:
        return {"success": False, "error": "Invalid arguments"}
    return {"success": True, "data": data}


def _strings(args: list[Any], count: int) -> list[str]:
    if len(args) != count or not all(isinstance(a, str) and a for a in args):
        raise ActionFailed("Invalid arguments")
    return [str(a) for a in args]


def generate_upload_url(state: SiteState, request: web.Request, user: User, args: list[Any]) -> Any:
    filename, mime = _strings(args, 2)
    if "/" in filename or len(filename) > _MAX_FILENAME or mime not in UPLOAD_TYPES:
        raise ActionFailed("Invalid file name or type")
    key = f"{user.id}/{state.clock.now_ms()}-{filename}"
    state.storage.expect_upload(key, mime)
    return {"uploadUrl": state.storage.presign(origin_of(request), key, "PUT", mime), "key": key}


def get_signed_url(state: SiteState, request: web.Request, user: User, args: list[Any]) -> Any:
    (key,) = _strings(args, 1)
    key = key.lstrip("/")
    if key not in state.storage.objects:
        raise ActionFailed("Object not found")
    return {"url": state.storage.presign(origin_of(request), key, "GET")}


def delete_session(state: SiteState, request: web.Request, user: User, args: list[Any]) -> Any:
    (session_id,) = _strings(args, 1)
    session = state.sessions.sessions.get(session_id)
    if session is None or session.owner != user.id:
        raise ActionFailed("Evaluation session not found")
    del state.sessions.sessions[session_id]
    return None


def update_tou_consent(state: SiteState, request: web.Request, user: User, args: list[Any]) -> Any:
    if args:
        raise ActionFailed("Invalid arguments")
    user.tou_consent = state.clock.now()
    return {"touConsentTimestamp": int(user.tou_consent * 1000)}


def history_page(state: SiteState, request: web.Request, user: User, args: list[Any]) -> Any:
    history = [
        {
            "id": s.id,
            "title": s.turns[0].prompt[:60] if s.turns else "",
            "mode": s.mode,
            "modality": s.modality,
            "modelAId": s.model_a_id,
            "modelBId": s.model_b_id,
        }
        for s in state.sessions.sessions.values()
        if s.owner == user.id
    ]
    return {"history": history}


def get_session(state: SiteState, request: web.Request, user: User, args: list[Any]) -> Any:
    (session_id,) = _strings(args, 1)
    session = state.sessions.sessions.get(session_id)
    if not is_uuid(session_id) or session is None or session.owner != user.id:
        raise ActionFailed("Evaluation session not found")
    return {
        "id": session.id,
        "mode": session.mode,
        "modality": session.modality,
        "messages": [
            {"id": t.user_message_id, "role": "user", "content": t.prompt} for t in session.turns
        ],
    }


_VOTE_KEYS = frozenset(
    {
        "evaluationSessionId",
        "modelAMessageId",
        "modelBMessageId",
        "result",
        "turnstileToken",
        "recaptchaV3Token",
    }
)
VOTE_RESULTS = frozenset({"modelA", "modelB", "tie", "bothBad"})


def pairwise_feedback(state: SiteState, request: web.Request, user: User, args: list[Any]) -> Any:
    """A vote on the latest turn of a two-model session; reveals the models (once)."""
    if len(args) != 1 or not isinstance(args[0], dict) or set(args[0]) != _VOTE_KEYS:
        raise ActionFailed("Invalid arguments")
    vote = args[0]
    if not state.recaptcha.check(vote["recaptchaV3Token"], frozenset({"pairwise_feedback"})).ok:
        raise ActionFailed("recaptcha validation failed")
    if not state.turnstile.check(vote["turnstileToken"], "pairwise_feedback").ok:
        raise ActionFailed("turnstile validation failed")
    session = state.sessions.sessions.get(str(vote["evaluationSessionId"]))
    if session is None or session.owner != user.id:
        raise ActionFailed("Evaluation session not found")
    if session.model_b_id is None:
        raise ActionFailed("Feedback needs two models")
    latest = session.turns[-1] if session.turns else None
    if latest is None or (vote["modelAMessageId"], vote["modelBMessageId"]) != (
        latest.model_a_message_id,
        latest.model_b_message_id,
    ):
        raise ActionFailed("Votes are for the latest messages")
    if set(latest.replies) != {"a", "b"}:
        raise ActionFailed("Both replies must be complete")
    if vote["result"] not in VOTE_RESULTS:
        raise ActionFailed("Invalid vote")
    if session.vote is not None:
        raise ActionFailed("Vote already recorded")
    session.vote = vote["result"]
    state.counters.votes += 1
    return {"modelAId": session.model_a_id, "modelBId": session.model_b_id}


def pointwise_feedback(state: SiteState, request: web.Request, user: User, args: list[Any]) -> Any:
    raise ActionFailed("recaptcha validation failed")


_ACTIONS: dict[str, Callable[[SiteState, web.Request, User, list[Any]], Any]] = {
    "generateUploadUrl": generate_upload_url,
    "getSignedUrl": get_signed_url,
    "deleteEvaluationSession": delete_session,
    "updateTouConsent": update_tou_consent,
    "getHistoryPage": history_page,
    "getEvaluationSession": get_session,
    "createPointwiseFeedback": pointwise_feedback,
    "createPairwiseFeedback": pairwise_feedback,
}


def _key_of(request: web.Request) -> str:
    return request.path[len(PREFIX) :]


def storage_put_handler(state: SiteState) -> Any:
    async def put(request: web.Request) -> web.Response:
        key = _key_of(request)
        expected = state.storage.expected_types.get(key)
        content_type = request.headers.get("Content-Type", "")
        check = state.storage.check("PUT", key, request.query, expected or "")
        if expected is None or not check.ok:
            return _s3_error(403, "SignatureDoesNotMatch" if check.ok else check.reason)
        if content_type != expected:
            return _s3_error(403, "SignatureDoesNotMatch: Content-Type differs from the signed one")
        if (request.content_length or 0) > state.storage.max_bytes:
            return _s3_error(413, "EntityTooLarge")
        data = await _read_capped(request, state.storage.max_bytes)
        if data is None:
            return _s3_error(413, "EntityTooLarge")
        stored = state.storage.put(key, content_type, data)
        state.counters.uploads += 1
        return web.Response(
            status=200, headers={"ETag": f'"{stored.etag}"', "x-amz-version-id": stored.etag[:16]}
        )

    return put


async def _read_capped(request: web.Request, limit: int) -> bytes | None:
    data = bytearray()
    async for block in request.content.iter_chunked(64 * 1024):
        data += block
        if len(data) > limit:
            return None
    return bytes(data)


def storage_get_handler(state: SiteState) -> Any:
    async def get(request: web.Request) -> web.Response:
        key = _key_of(request)
        check = state.storage.check("GET", key, request.query)
        if not check.ok:
            return _s3_error(403, check.reason)
        stored = state.storage.objects.get(key)
        if stored is None:
            return _s3_error(404, "NoSuchKey")
        return web.Response(
            body=stored.data, content_type=stored.content_type, headers={"ETag": f'"{stored.etag}"'}
        )

    return get


async def storage_options(request: web.Request) -> web.Response:
    return web.Response(
        status=204,
        headers={
            "Access-Control-Allow-Origin": request.headers.get("Origin", "*"),
            "Access-Control-Allow-Methods": "GET, PUT",
            "Access-Control-Allow-Headers": "content-type",
            "Access-Control-Max-Age": "86400",
        },
    )


def _s3_error(status: int, code: str) -> web.Response:
    body = f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code></Error>'
    return web.Response(status=status, text=body, content_type="application/xml")
