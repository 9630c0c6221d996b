"""``/__fake__/*``: faults, drift, counters and reset for out-of-process tests."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .faults import Fault
from .state import SiteState


def routes(state: SiteState) -> list[web.RouteDef]:
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
            data: Any = json.loads(await request.text() or "{}")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return web.json_response({"error": "expected a JSON object"}, status=400)
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
