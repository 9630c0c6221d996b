"""Replay a capture of ``lmarena-doctor --capture``: the fake site answers as the captured site did.

``python -m lmarena_client.testing --replay FILE``, or
``FakeArena(replay_options(load_capture(path)))`` in a test. What comes from the capture:

- the page: its reCAPTCHA key, its ``initialModels`` (or none, when the captured page had
  none) and its client-module rows (``<hex>:I[...]``, the Evaluation row among them), written
  into the fake's own page around the fake's own page script (sign-up, grecaptcha);
- the JS chunks: at their captured paths, the captured excerpts around each
  ``createServerReference`` (a chunk captured as 404 answers 404; chunks never fetched are 404);
  the server-action ids named there are the ones the fake's action endpoint accepts;
- the model catalog: the captured status and JSON body;
- the stream endpoints: the n-th stream request gets the n-th captured stream answer (after the
  last, the last again): its status, headers and body for an error, or its lines for a 200 (image
  URLs in ``a2``/``b2`` lines point to a fresh picture in the fake's storage), cut off when the
  captured one broke.

The strict checks stay on: a stream request must still pass the fake's identity, reCAPTCHA,
body, id and session checks before the captured answer is given. Faults that shape a 200 stream
are ignored while a captured answer is replayed; edge faults (403 Cloudflare, 301) and refusals
(401, 403, 429, ...) still apply. A capture with a moved origin (``final_origin`` differs from
``origin``) also serves a legacy origin that redirects; one that saw a challenge puts one up.

The capture is parsed here, by the fake's own code (it shares none with the client). The fields
read (JSON; others are ignored)::

    {"format": "lmarena-doctor-capture", "version": 1,
     "origin": "<url>", "final_origin": "<url>" | null,
     "page": {"site_key": "<key>" | null, "models": [<model entry>, ...] | null,
              "client_modules": ["<hex>:I[...]", ...],
              "interstitial_seen": false, "challenge_clicked": false} | null,
     "catalog": {"status": 200, "body": <JSON>} | null,
     "chunks": [{"path": "static/chunks/<file>.js?dpl=...", "status": 200,
                 "excerpts": ["...createServerReference(\\"<id>\\",...,\\"<name>\\")..."]}],
     "exchanges": [{"kind": "stream", "status": 200, "response_headers": [[name, value], ...],
                    "response_body": "<text>" | null,
                    "stream": {"lines": ["a0:\\"...\\"", ...], "ended": "eof" | "error" | "open"}
                              | null}]}
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from .app import PAGE_PATHS
from .options import FakeArenaOptions
from .pages import js_string
from .picture import picture_png
from .site_routes import origin_of
from .state import SiteState
from .stream_routes import StreamPlan, admit

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_FLIGHT_PUSH = re.compile(r"<script>self\.__next_f\.push\(\[1,.*?\]\)</script>", re.S)
_CHUNK_TAG = re.compile(r'<script src="/_next/static/chunks/[^"]*" async=""></script>')
_REFERENCE = re.compile(
    r"""createServerReference\)?\(\s*["']([0-9a-f]{40,})["'][^"'()]*["']([A-Za-z_$][\w$]*)["']"""
)
_DATA_LINE = re.compile(r"^([ab])2:(.*)$", re.S)
_STREAM_ROUTES = {
    "/nextjs-api/stream/create-evaluation": "create",
    "/nextjs-api/stream/post-to-evaluation/{session_id}": "post",
}
_RETRY_PREFIX = "/nextjs-api/stream/retry-evaluation-session-message/"
# Captured answer headers not replayed (the fake's server sets its own framing).
_DROPPED_HEADERS = frozenset(
    {
        "content-length",
        "content-type",
        "content-encoding",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "date",
        "server",
        "set-cookie",
    }
)


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ReplayPage(_Lenient):
    site_key: str | None = None
    models: list[dict[str, Any]] | None = None
    client_modules: list[str] = Field(default_factory=list)
    interstitial_seen: bool = False
    challenge_clicked: bool = False


class ReplayCatalog(_Lenient):
    status: int | None = None
    body: Any = None


class ReplayChunk(_Lenient):
    path: str
    status: int | None = None
    excerpts: list[str] = Field(default_factory=list)


class ReplayStream(_Lenient):
    lines: list[str] = Field(default_factory=list)
    ended: str = "eof"


class ReplayExchange(_Lenient):
    kind: str = "other"
    status: int | None = None
    response_headers: list[tuple[str, str]] = Field(default_factory=list)
    response_body: str | None = None
    stream: ReplayStream | None = None


class Capture(_Lenient):
    """The parts of a doctor capture the fake replays (see the module docstring)."""

    format: Literal["lmarena-doctor-capture"]
    version: Literal[1]
    origin: str
    final_origin: str | None = None
    page: ReplayPage | None = None
    catalog: ReplayCatalog | None = None
    chunks: list[ReplayChunk] = Field(default_factory=list)
    exchanges: list[ReplayExchange] = Field(default_factory=list)

    @property
    def moved(self) -> bool:
        return self.final_origin is not None and self.final_origin != self.origin

    @property
    def stream_answers(self) -> list[ReplayExchange]:
        """Captured answers of stream requests (redirect hops and failed connections left out)."""
        return [
            e
            for e in self.exchanges
            if e.kind == "stream" and e.status is not None and not 300 <= e.status < 400
        ]

    def action_ids(self) -> dict[str, str]:
        """``{name: id}`` of the server actions named in the captured chunks."""
        found: dict[str, str] = {}
        for chunk in self.chunks:
            for excerpt in chunk.excerpts:
                for action_id, name in _REFERENCE.findall(excerpt):
                    found.setdefault(name, action_id)
        return found


def load_capture(path: str | Path) -> Capture:
    """The capture in ``path``; ValueError (pydantic's ValidationError) when it is not one."""
    return Capture.model_validate_json(Path(path).read_text(encoding="utf-8"))


def replay_options(capture: Capture, base: FakeArenaOptions | None = None) -> FakeArenaOptions:
    """Options that replay ``capture``, with the challenge and legacy origin it saw."""
    base = base or FakeArenaOptions()
    page = capture.page or ReplayPage()
    return dataclasses.replace(
        base,
        replay=capture,
        interstitial=base.interstitial or page.interstitial_seen or page.challenge_clicked,
        turnstile_click=base.turnstile_click or page.challenge_clicked,
        legacy_origin=base.legacy_origin or capture.moved,
        models_in_page=page.models is not None if capture.page else base.models_in_page,
    )


def replay_routes(state: SiteState, routes: list[web.RouteDef]) -> list[web.RouteDef]:
    """The fake's routes with the page, chunks, catalog and streams answered from the capture
    in ``state.options.replay``; adopts its key, models and action ids into ``state``."""
    capture = state.options.replay
    if capture is None:
        return routes
    player = _Player(state, capture)
    player.adopt()
    replaced: list[web.RouteDef] = []
    for route in routes:
        handler = player.handler_for(route)
        if route.path == "/_next/static/chunks/{file}":
            replaced.append(web.RouteDef("GET", "/_next/{path:.+}", player.chunk, {}))
        elif handler is not None:
            replaced.append(web.RouteDef(route.method, route.path, handler, dict(route.kwargs)))
        else:
            replaced.append(route)
    return replaced


class _Player:
    def __init__(self, state: SiteState, capture: Capture) -> None:
        self.state = state
        self.capture = capture
        self.page_facts = capture.page
        self.answers = capture.stream_answers
        self.served = 0
        self.pictures = 0

    def adopt(self) -> None:
        """The captured site's key, models and action ids become the fake's."""
        page, models = self.page_facts, self.state.models
        if page is not None:
            if page.site_key:
                self.state.recaptcha.site_key = page.site_key
            models.in_page = page.models is not None
            models.page_models = [dict(m) for m in page.models or []]
        shown = {m.get("id") for m in models.page_models}
        extra: dict[str, dict[str, Any]] = {}
        for entry in _catalog_entries(self.capture.catalog):
            if entry.get("id") not in shown:
                extra.setdefault(str(entry.get("id")), entry)
        if page is not None or extra:
            models.catalog_only = list(extra.values())
        if self.capture.chunks:
            self.state.build.action_ids = self.capture.action_ids()

    def handler_for(self, route: web.RouteDef) -> Handler | None:
        if route.method == "GET" and route.path in PAGE_PATHS and self.page_facts is not None:
            return self.page(route.handler)
        if route.path == "/nextjs-api/model-catalog" and self.capture.catalog is not None:
            return self.catalog
        stream_route = _STREAM_ROUTES.get(route.path) or (
            "retry" if route.path.startswith(_RETRY_PREFIX) else None
        )
        if stream_route is not None and self.answers:
            return self.stream(stream_route)
        return None

    # -- page and chunks -------------------------------------------------------------------

    def page(self, original: Handler) -> Handler:
        async def handle(request: web.Request) -> web.StreamResponse:
            response = await original(request)  # identity, cookies: the fake's own
            if isinstance(response, web.Response) and response.text is not None:
                response.text = self.page_html(response.text, request.match_info.get("session_id"))
            return response

        return handle

    def page_html(self, html: str, session_id: str | None) -> str:
        push = f"<script>self.__next_f.push([1,{js_string(self.flight(session_id))}])</script>"
        html = _FLIGHT_PUSH.sub(lambda _: push, html, count=1)
        return _CHUNK_TAG.sub("", html)

    def flight(self, session_id: str | None) -> str:
        page = self.page_facts or ReplayPage()
        user_state = '8:{"userState":{"isAnonymous":true}}'
        rows = ['1:"$Sreact.fragment"', *page.client_modules, user_state]
        if page.models is not None:
            models = page.models
            props = {
                "initialModels": models,
                "initialModelAId": models[0].get("id") if models else None,
                "initialModelBId": models[1].get("id") if len(models) > 1 else None,
                "initialEvaluationSessionId": session_id,
            }
            rows.append(
                f'5:["$","$L6",null,{json.dumps(props, separators=(",", ":"), ensure_ascii=False)}]'
            )
        rows.append('0:{"P":null,"b":"replay","p":"","c":["",""],"i":false}')
        return "\n".join(rows) + "\n"

    async def chunk(self, request: web.Request) -> web.Response:
        wanted = request.match_info["path"]
        for chunk in self.capture.chunks:
            if chunk.path.split("?", 1)[0].lstrip("/") == wanted:
                if chunk.status != 200:
                    return web.Response(status=chunk.status or 404, text="Not Found")
                text = '"use strict";\n' + "\n".join(chunk.excerpts) + "\n"
                return web.Response(text=text, content_type="application/javascript")
        return web.Response(status=404, text="Not Found")

    async def catalog(self, request: web.Request) -> web.Response:
        captured = self.capture.catalog
        assert captured is not None
        if captured.status == 200 and captured.body is not None:
            return web.json_response(captured.body, headers={"cache-control": "no-store"})
        return web.json_response({"error": "Not Found"}, status=captured.status or 500)

    # -- streams ---------------------------------------------------------------------------

    def stream(self, route: str) -> Handler:
        async def handle(request: web.Request) -> web.StreamResponse:
            admitted = await admit(self.state, request, route)
            if isinstance(admitted, web.StreamResponse):
                return admitted
            plan, entry = admitted
            answer = self.answers[min(self.served, len(self.answers) - 1)]
            self.served += 1
            entry.status = answer.status or 0
            if answer.status != 200 or answer.stream is None:
                return self.error(answer)
            return await self.write(request, plan, answer, answer.stream)

        return handle

    def error(self, answer: ReplayExchange) -> web.Response:
        content_type = next(
            (v for k, v in answer.response_headers if k.lower() == "content-type"),
            "application/json",
        )
        body = answer.response_body
        if body is None:
            body = json.dumps({"error": f"replayed answer {answer.status}"})
        return web.Response(
            status=answer.status or 500,
            text=body,
            content_type=content_type.split(";")[0].strip(),
            headers=self.headers(answer),
        )

    @staticmethod
    def headers(answer: ReplayExchange) -> dict[str, str]:
        return {k: v for k, v in answer.response_headers if k.lower() not in _DROPPED_HEADERS}

    async def write(
        self, request: web.Request, plan: StreamPlan, answer: ReplayExchange, stream: ReplayStream
    ) -> web.StreamResponse:
        state = self.state
        state.counters.stream_opened()
        completed = False
        headers = {**self.headers(answer), "Content-Type": "text/event-stream"}
        response = web.StreamResponse(status=200, headers=headers)
        try:
            await response.prepare(request)
            for line in stream.lines:
                await response.write((self.line(line, request, plan) + "\n").encode())
            if stream.ended == "error":
                if request.transport is not None:
                    with contextlib.suppress(Exception):  # already gone is fine
                        request.transport.abort()
                return response
            await response.write_eof()
            completed = True
            return response
        except ConnectionResetError:  # the client stopped reading early
            return response
        finally:
            state.counters.stream_closed(completed)

    def line(self, line: str, request: web.Request, plan: StreamPlan) -> str:
        """A captured line; image URLs (signed, redacted) point at a fresh picture here."""
        match = _DATA_LINE.match(line)
        if match is None:
            return line
        try:
            items = json.loads(match[2])
        except ValueError:
            return line
        if not isinstance(items, list):
            return line
        for item in items:
            if isinstance(item, dict) and item.get("type") == "image" and "image" in item:
                item["image"] = self.picture(request, plan)
                item.pop("data", None)
        return f"{match[1]}2:{json.dumps(items, separators=(',', ':'))}"

    def picture(self, request: web.Request, plan: StreamPlan) -> str:
        self.pictures += 1
        key = f"{plan.user.id}/{self.state.clock.now_ms()}-replay-{self.pictures}.png"
        self.state.storage.put(key, "image/png", picture_png())
        return self.state.storage.presign(origin_of(request), key, "GET")


def _catalog_entries(catalog: ReplayCatalog | None) -> list[dict[str, Any]]:
    if catalog is None or not isinstance(catalog.body, list):
        return []
    entries: list[dict[str, Any]] = []
    for group in catalog.body:
        models = group.get("models") if isinstance(group, dict) else None
        for entry in models if isinstance(models, list) else [group]:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                entries.append(entry)
    return entries
