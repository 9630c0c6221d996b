"""Browser-origin safety: JSON-only POSTs under /v1/ (no CORS "simple request" reaches a chat),
Host names checked on a key-less server (DNS rebinding), CORS off unless configured."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest

from lmarena_api.app import create_app
from lmarena_api.config import ApiSettings
from lmarena_api.origin_guard import HostRule, host_name, is_json_media_type
from lmarena_worker.embedded import InMemoryBroker

Client = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]
CHAT = "/v1/chat/completions"
# Valid JSON that is not an object: past the guard it is a 400 from the route, with no Redis.
NOT_AN_OBJECT = b"[1, 2]"


@pytest.fixture
def api() -> Client:
    @asynccontextmanager
    async def client(
        base_url: str = "http://127.0.0.1:1337", **settings: Any
    ) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(ApiSettings(**settings), redis=InMemoryBroker().pool())
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url=base_url) as http,
        ):
            yield http

    return client


def _error(resp: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["code"] == code, body
    error: dict[str, Any] = body["error"]
    return error


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonp",
        "application/json-patch+json",
        "",
        None,
    ],
)
@pytest.mark.parametrize("keys", [[], ["k1"]])
async def test_a_post_that_is_not_json_is_415(
    api: Client, content_type: str | None, keys: list[str]
) -> None:
    headers = {"Authorization": "Bearer k1"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    async with api(api_keys=keys) as http:
        body = b'{"model": "m", "messages": [{"role": "user", "content": "hi"}]}'
        resp = await http.post(CHAT, content=body, headers=headers)
        if content_type is None:
            assert "content-type" not in resp.request.headers
        _error(resp, 415, "unsupported_media_type")
        # any POST under /v1/, not only the chat route
        _error(
            await http.post("/v1/other", content=body, headers=headers),
            415,
            "unsupported_media_type",
        )


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON ;Charset=UTF-8"],
)
async def test_json_posts_pass(api: Client, content_type: str) -> None:
    async with api() as http:
        resp = await http.post(CHAT, content=NOT_AN_OBJECT, headers={"Content-Type": content_type})
    assert resp.status_code == 400, resp.text  # the route's own answer: the guard let it through
    assert "JSON object" in resp.json()["error"]["message"]


async def test_get_needs_no_content_type(api: Client) -> None:
    async with api() as http:
        assert (await http.get("/health")).status_code == 200


@pytest.mark.parametrize("path", ["/health", "/v1/models", "/ui/", "/ui/some/chat", "/metrics"])
@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:1337", "127.0.0.1.evil.example", "localhost.evil"]
)
async def test_a_foreign_host_is_refused_without_keys(api: Client, path: str, host: str) -> None:
    async with api(base_url=f"http://{host}") as http:
        error = _error(await http.get(path), 421, "host_not_allowed")
        assert error["type"] == "invalid_request_error"
        resp = await http.post(CHAT, content=NOT_AN_OBJECT, headers={"Content-Type": "text/plain"})
        _error(resp, 421, "host_not_allowed")


async def test_a_missing_host_is_refused_without_keys(api: Client) -> None:
    async with api() as http:
        request = http.build_request("GET", "/health")
        del request.headers["Host"]
        _error(await http.send(request), 421, "host_not_allowed")


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "localhost:1337",
        "LOCALHOST.",
        "127.0.0.1",
        "127.0.0.1:8080",
        "127.1.2.3",
        "[::1]",
        "[::1]:1337",
    ],
)
async def test_loopback_hosts_pass(api: Client, host: str) -> None:
    async with api(base_url=f"http://{host}") as http:
        assert (await http.get("/health")).status_code == 200
        assert (await http.get("/ui/")).status_code in (200, 404)  # 404: WebUI not built


async def test_the_bound_host_and_allowed_hosts_pass(api: Client) -> None:
    settings = {"host": "box.lan", "allowed_hosts": ["api.example.org", "10.0.0.5"]}
    for host in ("box.lan", "BOX.LAN:1337", "api.example.org:80", "10.0.0.5:1337"):
        async with api(base_url=f"http://{host}", **settings) as http:
            assert (await http.get("/health")).status_code == 200, host
    async with api(base_url="http://other.example.org", **settings) as http:
        _error(await http.get("/health"), 421, "host_not_allowed")


async def test_a_star_allows_any_host(api: Client) -> None:
    async with api(base_url="http://anything.example", allowed_hosts=["*"]) as http:
        assert (await http.get("/health")).status_code == 200


async def test_with_keys_the_host_is_not_checked(api: Client) -> None:
    async with api(base_url="http://api.example", api_keys=["k1"]) as http:
        assert (await http.get("/health")).status_code == 200
        resp = await http.post(
            CHAT,
            content=NOT_AN_OBJECT,
            headers={"Authorization": "Bearer k1", "Content-Type": "application/json"},
        )
        assert resp.status_code == 400, resp.text


async def test_cors_is_off_unless_configured(api: Client) -> None:
    origin = {"Origin": "https://evil.example"}
    preflight = {
        **origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    async with api() as http:
        assert (await http.get("/health", headers=origin)).status_code == 200
        for resp in (
            await http.get("/health", headers=origin),
            await http.get("/v1/models", headers=origin),
            await http.options(CHAT, headers=preflight),
            await http.post(
                CHAT, content=NOT_AN_OBJECT, headers={**origin, "Content-Type": "application/json"}
            ),
        ):
            assert "access-control-allow-origin" not in resp.headers, resp.headers
    # the same requests with CORS configured do carry it: the check above can see the header
    async with api(cors_origins=["https://evil.example"]) as http:
        resp = await http.get("/health", headers=origin)
        assert resp.headers["access-control-allow-origin"] == "https://evil.example"
        refused = await http.post(
            CHAT, content=b"x", headers={**origin, "Content-Type": "text/plain"}
        )
        assert refused.status_code == 415
        assert refused.headers["access-control-allow-origin"] == "https://evil.example"


def test_allowed_hosts_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LM_ARENA_ALLOWED_HOSTS", " box.lan, ,api.example.org ,")
    assert ApiSettings().allowed_hosts == ["box.lan", "api.example.org"]
    monkeypatch.delenv("LM_ARENA_ALLOWED_HOSTS")
    assert ApiSettings().allowed_hosts == []


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("LocalHost:80", "localhost"),
        ("example.org.", "example.org"),
        ("[::1]:1337", "::1"),
        ("[::1]", "::1"),
        ("::1", "::1"),
        ("10.0.0.5:1", "10.0.0.5"),
    ],
)
def test_host_names_are_normalized(header: str, name: str) -> None:
    assert host_name(header) == name


def test_host_rule() -> None:
    rule = HostRule("0.0.0.0", ["Box.Lan."])
    assert rule.allows("box.lan:1337")
    assert rule.allows("0.0.0.0:1337")
    assert rule.allows("[::1]")
    assert not rule.allows(None)
    assert not rule.allows("")
    assert not rule.allows("[::2]")
    assert not rule.allows("box.lan.evil")
    assert not rule.allows("[box.lan")


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("application/json", True),
        ("APPLICATION/JSON; charset=utf-8", True),
        ("text/plain", False),
        ("application/json5", False),
        ("", False),
    ],
)
def test_json_media_types(value: str, ok: bool) -> None:
    assert is_json_media_type(value) is ok
