"""``create_app()``: the FastAPI application (routes, errors, auth, WebUI, lifespan)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from arq.connections import ArqRedis
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.exceptions import RedisError
from starlette.exceptions import HTTPException as StarletteHTTPException

from lmarena_worker.redis_client import connect

from . import chat, image_content, image_generations, votes, webui
from .broker import Broker
from .config import ApiSettings
from .errors import ApiError
from .metrics import ApiMetrics
from .origin_guard import OriginGuard
from .requests import BodyBudget
from .schemas import BATTLE_MODEL, ChatCompletionRequest

log = logging.getLogger(__name__)


def create_app(settings: ApiSettings | None = None, redis: ArqRedis | None = None) -> FastAPI:
    """The API. Without ``redis`` it connects to ``settings.redis_url`` at startup."""
    settings = settings or ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = redis
        if pool is None:
            if not settings.redis_url:
                raise RuntimeError("no Redis: set LM_ARENA_REDIS_URL or pass redis= to create_app")
            pool = connect(settings.redis_url, settings.redis_timeout)
        app.state.broker = broker = Broker(pool, settings)
        app.state.image_fetching = fetching = image_content.ImageFetching(settings)
        try:
            yield
        finally:
            await fetching.close()
            await broker.events.close()
            if redis is None:
                await pool.aclose()

    app = FastAPI(title="lmarena-client API", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.metrics = ApiMetrics()
    app.state.body_budget = BodyBudget(settings.max_body_bytes_in_flight)
    # Added before CORS, so CORS wraps it: its refusals carry CORS headers for allowed origins.
    app.add_middleware(OriginGuard, settings=settings)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["*"],
        )
    _install_errors(app)
    _install_auth(app, settings)
    app.include_router(chat.router)
    app.include_router(votes.router)
    app.include_router(image_generations.router)
    app.include_router(image_content.router)
    app.add_api_route("/v1/models", list_models, methods=["GET"])
    app.add_api_route("/health", health, methods=["GET"])
    app.add_api_route("/ready", ready, methods=["GET"])
    app.add_api_route("/metrics", metrics, methods=["GET"])
    webui.mount(app)
    app.openapi = _openapi_with_chat_body(app)  # type: ignore[method-assign]
    return app


def _openapi_with_chat_body(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """The chat route reads its body itself (size cap, named errors), so FastAPI cannot see the
    body's schema: add it, so that /openapi.json describes the whole API."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            body = ChatCompletionRequest.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            schema.setdefault("components", {}).setdefault("schemas", {}).update(
                body.pop("$defs", {})
            )
            schema["paths"]["/v1/chat/completions"]["post"]["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": body}},
            }
            app.openapi_schema = schema
        return app.openapi_schema

    return openapi


async def list_models(request: Request) -> JSONResponse:
    broker: Broker = request.app.state.broker
    listing = await broker.require_models()
    data = [
        {
            "id": card.id,
            "object": "model",
            "created": 0,
            "owned_by": card.organization or "lmarena",
            "display_name": card.display_name or card.id,
            "capabilities": {
                "text_output": card.text_output,
                "vision": card.vision,
                "image_output": card.image_output,
                "multiple_images": card.multiple_images,
            },
        }
        for card in listing.models
    ]
    data.append(BATTLE_CARD)
    return JSONResponse({"object": "list", "data": data})


# Listed so that clients can pick it: the site picks two anonymous models for each battle.
BATTLE_CARD: dict[str, Any] = {
    "id": BATTLE_MODEL,
    "object": "model",
    "created": 0,
    "owned_by": "lmarena",
    "display_name": "Battle: two anonymous models, revealed by a vote",
    "capabilities": {
        "text_output": True,
        "vision": False,
        "image_output": False,
        "multiple_images": False,
        "arena": "battle",
    },
}


async def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


async def ready(request: Request) -> JSONResponse:
    """Readiness: Redis answers, a worker is ready, models are known."""
    broker: Broker = request.app.state.broker
    checks: dict[str, Any] = {}
    try:
        beat = await broker.heartbeat()
        listing = await broker.models()
        checks["redis"] = "ok"
        checks["worker"] = beat.state if beat else "down"
        checks["active_worker"] = beat.worker_id if beat else None
        checks["active_worker_pid"] = beat.pid if beat else None
        checks["standbys"] = beat.standbys if beat else 0
        checks["models"] = len(listing.models) if listing else 0
        checks["queue_depth"] = await broker.queue_depth()
    except (RedisError, OSError) as exc:
        checks["redis"] = f"error: {exc}"
    ok = checks.get("redis") == "ok" and checks.get("worker") == "ready" and checks.get("models")
    return JSONResponse({"ready": bool(ok), **checks}, status_code=200 if ok else 503)


async def metrics(request: Request) -> Response:
    state = request.app.state
    try:
        state.metrics.queue_depth.set(await state.broker.queue_depth())
        beat = await state.broker.heartbeat()
        state.metrics.standbys.set(beat.standbys if beat else 0)
    except (RedisError, OSError):
        log.debug("queue depth unavailable for /metrics")
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)


def _install_errors(app: FastAPI) -> None:
    async def api_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers())

    async def http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        err = ApiError(exc.status_code, str(exc.detail), code=None)
        return JSONResponse(err.body(), status_code=exc.status_code)

    async def validation_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        err = ApiError(400, str(exc.errors()[0].get("msg", "invalid request")))
        return JSONResponse(err.body(), status_code=400)

    async def redis_error(_: Request, exc: Exception) -> JSONResponse:
        err = ApiError(
            503,
            f"the queue (Redis) is unreachable: {exc}",
            type="service_unavailable",
            code="redis_unavailable",
            retry_after=5,
        )
        return JSONResponse(err.body(), status_code=503, headers=err.headers())

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(RedisError, redis_error)


def _install_auth(app: FastAPI, settings: ApiSettings) -> None:
    keys = [key.encode() for key in settings.api_keys]
    if not keys:
        return

    @app.middleware("http")
    async def bearer_auth(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.url.path.startswith("/v1/") and request.method != "OPTIONS":
            given = request.headers.get("authorization", "")
            token = given[7:].strip().encode() if given[:7].lower() == "bearer " else b""
            if not any(secrets.compare_digest(token, key) for key in keys):
                err = ApiError(
                    401,
                    "Incorrect or missing API key (Authorization: Bearer <key>)",
                    code="invalid_api_key",
                )
                return JSONResponse(err.body(), status_code=401)
        return await call_next(request)


__all__ = ["create_app"]
