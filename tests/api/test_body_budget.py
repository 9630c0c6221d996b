"""The process-wide budget of request body bytes being read at once: the budget alone, then
through the app (a held body makes the next large one a 503 ``server_busy``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import ValidationError

from lmarena_api.app import create_app
from lmarena_api.config import ApiSettings
from lmarena_api.errors import ApiError
from lmarena_api.requests import BodyBudget
from lmarena_worker.embedded import InMemoryBroker

CHAT = "/v1/chat/completions"
JSON = {"Content-Type": "application/json"}


def _busy(caught: pytest.ExceptionInfo[ApiError]) -> None:
    assert caught.value.status == 503
    assert caught.value.code == "server_busy"
    assert caught.value.headers()["Retry-After"]


# -- the budget alone ------------------------------------------------------------------------


async def test_reservations_fit_until_the_limit() -> None:
    budget = BodyBudget(100, wait=0)
    await budget.reserve(60)
    await budget.reserve(40)
    assert budget.used == 100
    with pytest.raises(ApiError) as caught:
        await budget.reserve(1)
    _busy(caught)
    assert budget.used == 100  # a refusal takes nothing
    budget.release(40)
    await budget.reserve(30)
    assert budget.used == 90


async def test_a_waiter_gets_room_when_it_is_released() -> None:
    budget = BodyBudget(100, wait=60)  # far longer than the test: the release is what wakes it
    await budget.reserve(80)
    waiter = asyncio.create_task(budget.reserve(50))
    await asyncio.sleep(0)  # one step: the task runs until it waits for a release
    assert len(budget._waiters) == 1
    assert not waiter.done()
    budget.release(80)
    await waiter
    assert budget.used == 50
    assert budget._waiters == []


async def test_a_waiter_gives_up_with_503_and_leaves_no_trace() -> None:
    budget = BodyBudget(100, wait=0)
    await budget.reserve(100)
    with pytest.raises(ApiError) as caught:
        await budget.reserve(10)
    _busy(caught)
    assert budget._waiters == []
    assert budget.used == 100


async def test_a_cancelled_waiter_leaves_no_trace() -> None:
    budget = BodyBudget(100, wait=60)
    await budget.reserve(100)
    waiter = asyncio.create_task(budget.reserve(10))
    await asyncio.sleep(0)
    assert len(budget._waiters) == 1
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert budget._waiters == []
    budget.release(100)
    assert budget.used == 0


async def test_more_than_the_whole_budget_is_refused_at_once() -> None:
    budget = BodyBudget(100, wait=60)
    with pytest.raises(ApiError) as caught:
        await budget.reserve(101)
    _busy(caught)


def test_the_setting_must_hold_one_largest_body(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ApiSettings().max_body_bytes_in_flight == 64 * 1024 * 1024
    with pytest.raises(ValidationError, match="max_body_bytes_in_flight"):
        ApiSettings(max_body_bytes=1000, max_body_bytes_in_flight=999)
    monkeypatch.setenv("LM_ARENA_MAX_BODY_BYTES_IN_FLIGHT", "5000")
    assert ApiSettings(max_body_bytes=1000).max_body_bytes_in_flight == 5000


# -- through the app ---------------------------------------------------------------------------

LIMIT = 1000  # bytes of bodies in flight; each body below is larger than half of it


@pytest.fixture
async def app_and_http() -> AsyncIterator[tuple[BodyBudget, httpx.AsyncClient]]:
    settings = ApiSettings(max_body_bytes=LIMIT, max_body_bytes_in_flight=LIMIT)
    app = create_app(settings, redis=InMemoryBroker().pool())
    budget: BodyBudget = app.state.body_budget
    assert budget.limit == LIMIT
    budget.wait = 0  # no room: 503 at once (the wait itself is the unit tests' business)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http,
    ):
        yield budget, http


def _padded(size: int) -> bytes:
    """Valid JSON that is not an object: once read, the route answers 400 (no Redis needed)."""
    return b"[" + b" " * (size - 2) + b"]"


class HeldBody:
    """A body sent in two halves; the second waits until ``finish`` is set. ``asked`` is set
    when the app asks for the second half, so it has read (and reserved) the first."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.asked = asyncio.Event()
        self.finish = asyncio.Event()

    async def chunks(self) -> AsyncIterator[bytes]:
        half = len(self.body) // 2
        yield self.body[:half]
        self.asked.set()
        await self.finish.wait()
        yield self.body[half:]


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
async def test_a_second_large_body_waits_then_gets_503(
    app_and_http: tuple[BodyBudget, httpx.AsyncClient], declared: bool
) -> None:
    budget, http = app_and_http
    held = HeldBody(_padded(600))
    headers = {**JSON, "Content-Length": "600"} if declared else JSON
    first = asyncio.create_task(http.post(CHAT, content=held.chunks(), headers=headers))
    await held.asked.wait()
    assert budget.used == (600 if declared else 300)

    second = await http.post(CHAT, content=_padded(600 if declared else 800), headers=JSON)
    assert second.status_code == 503, second.text
    assert second.json()["error"]["code"] == "server_busy"
    assert second.headers["Retry-After"]

    held.finish.set()
    resp = await first
    assert resp.status_code == 400, resp.text  # read in full: the route's own answer
    assert "JSON object" in resp.json()["error"]["message"]
    assert budget.used == 0
    after = await http.post(CHAT, content=_padded(600), headers=JSON)
    assert after.status_code == 400, after.text  # room again


async def test_refused_and_broken_bodies_give_their_bytes_back(
    app_and_http: tuple[BodyBudget, httpx.AsyncClient],
) -> None:
    budget, http = app_and_http

    async def too_long() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b" " * 300  # chunked, past max_body_bytes on the fourth chunk

    resp = await http.post(CHAT, content=too_long(), headers=JSON)
    assert resp.status_code == 413, resp.text
    assert budget.used == 0
    resp = await http.post(CHAT, content=b"[" + b" " * 700, headers=JSON)  # not valid JSON
    assert resp.status_code == 400, resp.text
    assert budget.used == 0

    async def breaks() -> AsyncIterator[bytes]:
        yield b"[" + b" " * 400
        raise ConnectionResetError("the client went away")

    with pytest.raises(ConnectionResetError):
        await http.post(CHAT, content=breaks(), headers=JSON)
    assert budget.used == 0


async def test_each_app_has_its_own_budget() -> None:
    settings = ApiSettings(max_body_bytes=LIMIT, max_body_bytes_in_flight=2 * LIMIT)
    one, two = create_app(settings), create_app(settings)
    assert one.state.body_budget is not two.state.body_budget
    assert one.state.body_budget.limit == 2 * LIMIT
