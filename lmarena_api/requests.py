"""Reading request bodies with a size cap, a shared memory budget and strict JSON decoding."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import ClientDisconnect, Request

from .errors import ApiError

log = logging.getLogger(__name__)

# Longest a request waits for room in the body budget before it answers 503.
BUDGET_WAIT = 2.0


class BodyBudget:
    """Bytes of request bodies being read at once, shared by all requests of one app.

    Without it, many concurrent large bodies are each held in memory in full while they arrive
    (60 bodies of 19 MB took 1.2 GB). A request reserves bytes before it reads them, waits at
    most ``wait`` seconds for room, then is refused with 503 ``server_busy``.

    Waiters are plain futures of the running loop (no loop-bound lock), so one budget works
    whichever event loop serves the app.
    """

    def __init__(self, limit: int, *, wait: float = BUDGET_WAIT) -> None:
        if limit <= 0:
            raise ValueError("the body budget must be positive")
        self.limit = limit
        self.wait = wait
        self.used = 0
        self._waiters: list[asyncio.Future[None]] = []

    def try_reserve(self, size: int) -> bool:
        """Take ``size`` bytes at once if they fit."""
        if self.used + size > self.limit:
            return False
        self.used += size
        return True

    async def reserve(self, size: int) -> None:
        """Take ``size`` bytes, waiting up to ``wait`` seconds for room; 503 otherwise."""
        if size <= 0 or self.try_reserve(size):
            return
        if size > self.limit:
            raise _busy()  # can never fit: no point waiting
        got = False
        try:
            async with asyncio.timeout(self.wait):
                while not got:
                    await self._released()
                    got = self.try_reserve(size)
        except TimeoutError:
            if not got:  # else the bytes were taken just as the time ran out: keep them
                raise _busy() from None

    def release(self, size: int) -> None:
        """Give back ``size`` bytes and wake every waiter to try again."""
        if size <= 0:
            return
        self.used = max(0, self.used - size)
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _released(self) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            if waiter in self._waiters:  # cancelled or timed out before a release
                self._waiters.remove(waiter)


def _busy() -> ApiError:
    return ApiError(
        503,
        "the server is busy receiving other request bodies; retry shortly",
        type="service_unavailable",
        code="server_busy",
        retry_after=1,
    )


class Reservation:
    """The bytes one request holds in a budget (none: holds nothing); ``close`` gives all back."""

    def __init__(self, budget: BodyBudget | None) -> None:
        self.budget = budget
        self.held = 0

    async def cover(self, size: int) -> None:
        """Hold at least ``size`` bytes in total."""
        if self.budget is not None and size > self.held:
            await self.budget.reserve(size - self.held)
            self.held = size

    def close(self) -> None:
        if self.budget is not None:
            self.budget.release(self.held)
        self.held = 0


def app_budget(request: Request) -> BodyBudget | None:
    """The budget ``create_app`` put on ``app.state``; None for an app without one."""
    app = request.scope.get("app")
    budget = getattr(getattr(app, "state", None), "body_budget", None)
    return budget if isinstance(budget, BodyBudget) else None


async def read_json(request: Request, max_bytes: int, *, budget: BodyBudget | None = None) -> Any:
    """The decoded JSON body; 413 past ``max_bytes`` (read no further), 400 when not JSON,
    503 when ``budget`` (default: the app's) has no room. A client that goes away while
    sending gets a quiet 499: an expected event, not a server error."""
    declared = request.headers.get("content-length")
    expected = int(declared) if declared and declared.isdigit() else 0
    if expected > max_bytes:
        raise _too_large(max_bytes)
    hold = Reservation(budget if budget is not None else app_budget(request))
    try:
        await hold.cover(expected)  # the declared length up front, before reading any
        return _decode(await _read_body(request, max_bytes, hold))
    finally:
        hold.close()


async def _read_body(request: Request, max_bytes: int, hold: Reservation) -> bytes:
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_bytes:
                raise _too_large(max_bytes)
            await hold.cover(size)  # chunked (or understated) bodies: chunk by chunk
            chunks.append(chunk)
    except ClientDisconnect:
        log.debug("a client went away while sending its request body")
        raise ApiError(
            499, "the client closed the connection", code="client_disconnected"
        ) from None
    return b"".join(chunks)


def _decode(raw: bytes) -> Any:
    if not raw.strip():
        raise ApiError(400, "the request body is empty; send a JSON object", param="body")
    try:
        body = json.loads(raw.decode("utf-8"))  # strict: no surrogates smuggled in as bytes
        json.dumps(body, ensure_ascii=False).encode("utf-8")  # nor as \ud800 escapes
    except UnicodeError:
        raise ApiError(
            400, "the request body is not valid UTF-8 (or holds a lone surrogate)", param="body"
        ) from None
    except RecursionError:
        raise ApiError(400, "the request body is nested too deeply", param="body") from None
    except ValueError as exc:
        raise ApiError(400, f"the request body is not valid JSON: {exc}", param="body") from None
    return body


def _too_large(max_bytes: int) -> ApiError:
    return ApiError(
        413,
        f"the request body is larger than {max_bytes} bytes",
        param="body",
        code="request_too_large",
    )


_Body = TypeVar("_Body", bound=BaseModel)


def body_of(model: type[_Body], raw: object) -> _Body:
    """A decoded JSON body as ``model``; a 400 naming the first bad field otherwise."""
    if not isinstance(raw, dict):
        raise ApiError(400, "the request body must be a JSON object")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        param = ".".join(str(part) for part in first["loc"]) or "body"
        raise ApiError(400, f"{param}: {first['msg']}", param=param) from None
