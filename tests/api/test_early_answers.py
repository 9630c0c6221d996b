"""Answers given before a job starts (bad input, no models, no worker, a too-large prompt) are
counted in ``lmarena_api_requests_total`` like every other answer."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from lmarena_api.app import create_app
from lmarena_api.config import ApiSettings
from lmarena_worker.embedded import InMemoryBroker


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(ApiSettings(max_prompt_bytes=10), redis=InMemoryBroker().pool())
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client,
    ):
        yield client


def _count(metrics: str, stream: str, status: str) -> float:
    pattern = rf'lmarena_api_requests_total{{status="{status}",stream="{stream}"}} (\S+)'
    found = re.search(pattern, metrics)
    return float(found.group(1)) if found else 0.0


@pytest.mark.parametrize(
    ("body", "stream", "status"),
    [
        ({"model": "m"}, "false", "400"),  # no messages
        (
            {"model": "m", "stream": True, "messages": [{"role": "user", "content": "hi"}]},
            "true",
            "503",
        ),  # no worker has published models
        ({"model": "m", "messages": [{"role": "user", "content": "x" * 11}]}, "false", "413"),
    ],
)
async def test_early_answers_are_counted(
    http: httpx.AsyncClient, body: dict[str, object], stream: str, status: str
) -> None:
    before = _count((await http.get("/metrics")).text, stream, status)
    resp = await http.post("/v1/chat/completions", json=body)
    assert resp.status_code == int(status), resp.text
    after = _count((await http.get("/metrics")).text, stream, status)
    assert after == before + 1


async def test_a_too_large_prompt_is_a_named_413(http: httpx.AsyncClient) -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "é" * 6}]}  # 12 bytes
    resp = await http.post("/v1/chat/completions", json=body)
    assert resp.status_code == 413
    assert resp.json()["error"]["code"] == "prompt_too_large"
