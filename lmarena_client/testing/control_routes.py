"""``/__fake__/*``: faults, drift, counters, reset and the identities of users, for
out-of-process tests."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .faults import Fault
from .state import SiteState

Handler = Callable[[web.Request], Awaitable[web.Response]]
# The only key of an expire/revoke body; any other is refused, so a typo such as "userId" never
# silently hits every user.
_USER_KEYS = frozenset({"user_id"})


class BadControl(Exception):
    """A control request the fake refuses; ``str()`` is the error."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status

    def response(self) -> web.Response:
        return web.json_response({"error": str(self)}, status=self.status)


async def json_object(request: web.Request) -> dict[str, Any]:
    """The body as a JSON object (an empty body is ``{}``), or BadControl."""
    try:
        data: Any = json.loads(await request.text() or "{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise BadControl("expected a JSON object")
    return data


def user_id_of(data: dict[str, Any]) -> str | None:
    """``user_id`` of an expire/revoke body; None (or absent) means every user."""
    extra = set(data) - _USER_KEYS
    if extra:
        raise BadControl(f"unknown keys: {sorted(extra)}")
    user_id = data.get("user_id")
    if user_id is not None and not isinstance(user_id, str):
        raise BadControl("user_id must be a string")
    return user_id


def routes(state: SiteState) -> list[web.RouteDef]:
    return [*_site_routes(state), *_identity_routes(state)]


def _site_routes(state: SiteState) -> list[web.RouteDef]:
    async def faults(request: web.Request) -> web.Response:
        try:
            data = json.loads(await request.text())
            items = data if isinstance(data, list) else [data]
            parsed = [Fault.from_json(item) for item in items]
        except (ValueError, TypeError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        for fault in parsed:
            state.faults.inject(fault)
        return web.json_response({"pending": len(state.faults)})

    async def rotate(request: web.Request) -> web.Response:
        try:
            data = await json_object(request)
        except BadControl as refused:
            return refused.response()
        answer: dict[str, Any] = {}
        if data.get("site_key"):
            answer["site_key"] = state.recaptcha.rotate_site_key()
        if data.get("action_ids"):
            state.build.rotate_actions()
            answer["action_ids"] = dict(state.build.action_ids)
        return web.json_response(answer)

    async def counters(request: web.Request) -> web.Response:
        return web.json_response(state.counters.as_json())

    async def reset(request: web.Request) -> web.Response:
        state.faults.clear()
        state.counters.reset()
        return web.json_response({"reset": True})

    return [
        web.post("/__fake__/faults", faults, name="control"),
        web.post("/__fake__/rotate", rotate, name="control-rotate"),
        web.get("/__fake__/counters", counters, name="control-counters"),
        web.post("/__fake__/reset", reset, name="control-reset"),
    ]


def _identity_routes(state: SiteState) -> list[web.RouteDef]:
    def by_user(key: str, act: Callable[[str | None], list[str]]) -> Handler:
        async def handle(request: web.Request) -> web.Response:
            try:
                user_id = user_id_of(await json_object(request))
                try:
                    touched = act(user_id)
                except KeyError:
                    raise BadControl(f"no such user: {user_id}", 404) from None
            except BadControl as refused:
                return refused.response()
            return web.json_response({key: touched})

        return handle

    async def users(request: web.Request) -> web.Response:
        return web.json_response({"users": [u.as_json() for u in state.identity.users.values()]})

    async def whoami(request: web.Request) -> web.Response:
        """``{"cookie": "<Cookie header>"}``, or no ``cookie`` key for the request's own."""
        try:
            data = await json_object(request)
            if set(data) - {"cookie"}:
                raise BadControl("the only key is cookie")
            header = data.get("cookie")
            if header is not None and not isinstance(header, str):
                raise BadControl("cookie must be a string")
        except BadControl as refused:
            return refused.response()
        check = state.whoami(request.cookies if header is None else header)
        return web.json_response(check.as_json())

    async def session(request: web.Request) -> web.Response:
        """What the site keeps of one evaluation session (models by public name, the vote)."""
        found = state.sessions.sessions.get(request.match_info["session_id"])
        if found is None:
            return BadControl("no such session", 404).response()
        names = [state.models.find(i) for i in (found.model_a_id, found.model_b_id)]
        return web.json_response(
            {
                "mode": found.mode,
                "models": [m["publicName"] if m else None for m in names],
                "turns": len(found.turns),
                "regenerations": [turn.regenerations for turn in found.turns],
                "vote": found.vote,
            }
        )

    return [
        web.get("/__fake__/sessions/{session_id}", session, name="control-session"),
        web.post("/__fake__/expire", by_user("expired", state.expire_auth), name="control-expire"),
        web.post("/__fake__/revoke", by_user("revoked", state.revoke_auth), name="control-revoke"),
        web.get("/__fake__/users", users, name="control-users"),
        web.post("/__fake__/whoami", whoami, name="control-whoami"),
    ]
