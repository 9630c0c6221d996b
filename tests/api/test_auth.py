"""Bearer keys on /v1/*, public probes, and the launcher's refusal to go public without keys."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from lmarena_api.app import create_app
from lmarena_api.config import ApiSettings
from lmarena_api.launcher import main as launch
from lmarena_worker.embedded import InMemoryBroker


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(ApiSettings(api_keys=["k1", "k2"]), redis=InMemoryBroker().pool())
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://api") as client,
    ):
        yield client


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic azE=", "k1", "Bearer "])
async def test_v1_needs_a_known_key(http: httpx.AsyncClient, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    for resp in (
        await http.get("/v1/models", headers=headers),
        await http.post("/v1/chat/completions", headers=headers, json={}),
    ):
        assert resp.status_code == 401
        assert resp.json()["error"]["code"] == "invalid_api_key"


@pytest.mark.parametrize("key", ["k1", "k2"])
async def test_a_known_key_passes(http: httpx.AsyncClient, key: str) -> None:
    resp = await http.get("/v1/models", headers={"Authorization": f"Bearer {key}"})
    assert resp.status_code == 503  # past the key check; no worker runs in this test
    assert resp.json()["error"]["type"] != "authentication_error"


@pytest.mark.parametrize("path", ["/health", "/metrics"])
async def test_probes_stay_public(http: httpx.AsyncClient, path: str) -> None:
    assert (await http.get(path)).status_code == 200


def test_launcher_refuses_a_public_host_without_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LM_ARENA_API_KEYS", raising=False)
    monkeypatch.delenv("LM_ARENA_ALLOW_PUBLIC_WITHOUT_KEYS", raising=False)
    with pytest.raises(SystemExit) as stopped:
        launch(["--host", "0.0.0.0", "--port", "1"])
    assert "LM_ARENA_API_KEYS" in str(stopped.value.code)


async def test_openapi_describes_the_chat_body(http: httpx.AsyncClient) -> None:
    schema = (await http.get("/openapi.json")).json()
    body = schema["paths"]["/v1/chat/completions"]["post"]["requestBody"]
    described = body["content"]["application/json"]["schema"]
    assert {"model", "messages"} <= set(described["required"])
    assert "Message" in schema["components"]["schemas"]  # the referenced parts are there too
