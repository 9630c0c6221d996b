"""The Turnstile widget's script and endpoints (on the site's origin, outside the gate)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .site_routes import origin_of
from .state import SiteState
from .turnstile import ANSWER_PATH, CHALLENGE_PATH, SCRIPT_PATH, TURNSTILE_JS


async def _script(request: web.Request) -> web.Response:
    return web.Response(
        text=TURNSTILE_JS,
        content_type="text/javascript",
        headers={"cache-control": "public, max-age=300"},
    )


async def _body(request: web.Request) -> Any:
    # The widget may only run on the sitekey's domain: here, the site's own origin.
    if request.headers.get("Origin") != origin_of(request):
        raise web.HTTPForbidden(text="turnstile: domain not allowed for this sitekey")
    try:
        return json.loads(await request.text())
    except ValueError as exc:
        raise web.HTTPBadRequest(text="turnstile: invalid body") from exc


def routes(state: SiteState) -> list[web.RouteDef]:
    async def challenge(request: web.Request) -> web.Response:
        body = await _body(request)
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="turnstile: invalid body")
        nonce = state.turnstile.challenge(body.get("sitekey"), body.get("action"))
        if nonce is None:
            raise web.HTTPBadRequest(text="turnstile: invalid sitekey (110100)")
        return web.json_response({"nonce": nonce})

    async def answer(request: web.Request) -> web.Response:
        token = state.turnstile.answer(await _body(request))
        if token is None:
            raise web.HTTPForbidden(text="turnstile: challenge failed (600010)")
        return web.json_response({"token": token})

    return [
        web.get(SCRIPT_PATH, _script),
        web.post(CHALLENGE_PATH, challenge),
        web.post(ANSWER_PATH, answer),
    ]
