"""``POST /v1/images/content`` through the app, against a real image server on loopback: the
bytes of a whole image, and a clear refusal (with nothing fetched, or nothing read from disk)
for every URL the image-input rules refuse."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from aiohttp import web

from lmarena_api.app import create_app
from lmarena_api.config import ApiSettings
from lmarena_api.image_content import MAX_FETCHES
from lmarena_worker.embedded import InMemoryBroker

ROUTE = "/v1/images/content"
LIMIT = 4096
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63f8dfc0f01f000680027f104c1be10000000049454e44ae426082"
)


@dataclass
class Images:
    url: str = ""
    hits: list[str] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)


def _app(images: Images) -> web.Application:
    @web.middleware
    async def count(request: web.Request, handler: Any) -> web.StreamResponse:
        images.hits.append(request.path)
        response: web.StreamResponse = await handler(request)
        return response

    async def slow(_: web.Request) -> web.Response:
        await images.release.wait()
        return web.Response(body=PNG, content_type="image/png")

    def body(data: bytes, status: int = 200, **kw: Any) -> Callable[..., Any]:
        async def handler(_: web.Request) -> web.Response:
            return web.Response(body=data, status=status, **kw)

        return handler

    app = web.Application(middlewares=[count])
    app.router.add_get("/dot.png", body(PNG, content_type="image/png"))
    # The type is the bytes', not the header's: a mislabelled PNG is still a PNG.
    app.router.add_get("/labelled-text", body(PNG, content_type="text/plain"))
    app.router.add_get("/page.html", body(b"<!doctype html><p>hi</p>", content_type="text/html"))
    app.router.add_get("/cut.png", body(PNG[:40], content_type="image/png"))
    app.router.add_get("/big.png", body(PNG + bytes(LIMIT), content_type="image/png"))
    app.router.add_get("/expired.png", body(b"Request has expired", status=403))
    app.router.add_get("/slow.png", slow)
    return app


@pytest.fixture
async def images() -> AsyncIterator[Images]:
    served = Images()
    runner = web.AppRunner(_app(served))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    served.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield served
    served.release.set()
    await runner.cleanup()


@asynccontextmanager
async def api(**settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    options = {"allow_private_image_urls": True, "max_image_bytes": LIMIT, **settings}
    app = create_app(ApiSettings(**options), redis=InMemoryBroker().pool())
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client,
    ):
        yield client


def _error(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    error: dict[str, Any] = resp.json()["error"]
    return error


@pytest.mark.parametrize("path", ["/dot.png", "/labelled-text"])
async def test_the_image_s_bytes_and_their_type(images: Images, path: str) -> None:
    async with api() as http:
        resp = await http.post(ROUTE, json={"url": images.url + path + "?X-Amz-Signature=s"})
    assert resp.status_code == 200, resp.text
    assert resp.content == PNG
    assert resp.headers["content-type"] == "image/png"
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["cache-control"] == "no-store"


async def test_a_private_address_is_refused_before_anything_is_fetched(images: Images) -> None:
    async with api(allow_private_image_urls=False) as http:
        resp = await http.post(ROUTE, json={"url": images.url + "/dot.png"})
    error = _error(resp, 400)
    assert "loopback" in error["message"] and error["param"] == "url"
    assert images.hits == []


@pytest.mark.parametrize(
    "url", ["/etc/hostname", "file:///etc/hostname", "data:image/png;base64,AAAA", "ftp://x/a.png"]
)
async def test_only_http_urls_and_never_a_file(url: str) -> None:
    async with api() as http:
        resp = await http.post(ROUTE, json={"url": url})
    assert "only http and https" in _error(resp, 400)["message"]


@pytest.mark.parametrize(
    ("path", "status", "code", "words"),
    [
        ("/page.html", 422, "not_an_image", "not a supported image"),
        ("/cut.png", 400, None, "truncated"),
        ("/big.png", 413, "image_too_large", "limit"),
        ("/expired.png", 502, "image_fetch_failed", "HTTP 403"),
    ],
)
async def test_what_is_not_a_whole_image_is_refused_in_plain_words(
    images: Images, path: str, status: int, code: str | None, words: str
) -> None:
    async with api() as http:
        resp = await http.post(ROUTE, json={"url": images.url + path + "?X-Amz-Signature=secret"})
    error = _error(resp, status)
    assert error["code"] == code
    assert words in error["message"]
    assert "secret" not in resp.text  # a signed URL's query is not echoed


@pytest.mark.parametrize(
    "body", [{}, {"url": ""}, {"url": 5}, {"url": "https://a.example/x.png", "extra": 1}, []]
)
async def test_a_malformed_body_is_a_400(body: Any) -> None:
    async with api() as http:
        resp = await http.post(ROUTE, json=body)
    assert _error(resp, 400)["type"] == "invalid_request_error"


async def test_it_needs_json_and_a_key_when_keys_are_set(images: Images) -> None:
    url = images.url + "/dot.png"
    async with api(api_keys=["k"]) as http:
        assert (await http.post(ROUTE, json={"url": url})).status_code == 401
        plain = await http.post(
            ROUTE, content=f'{{"url": "{url}"}}', headers={"Authorization": "Bearer k"}
        )
        assert plain.status_code == 415
        assert images.hits == []
        ok = await http.post(ROUTE, json={"url": url}, headers={"Authorization": "Bearer k"})
        assert ok.status_code == 200


async def test_fetches_at_once_are_bounded_and_the_rest_wait(images: Images) -> None:
    """One more request than there are slots: the last reaches the image host only after one
    of the others ended; all are answered."""
    async with api() as http:
        calls = [
            asyncio.create_task(http.post(ROUTE, json={"url": images.url + "/slow.png"}))
            for _ in range(MAX_FETCHES + 1)
        ]
        for _ in range(500):  # until the slots are taken (10 s at most)
            if len(images.hits) >= MAX_FETCHES:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.3)  # the extra request had time to go out, were it not held
        assert len(images.hits) == MAX_FETCHES
        images.release.set()
        answers = await asyncio.gather(*calls)
    assert [a.status_code for a in answers] == [200] * (MAX_FETCHES + 1)
    assert len(images.hits) == MAX_FETCHES + 1
