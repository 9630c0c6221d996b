"""The WebUI routes answer odd names with the SPA index or a clean 404, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from lmarena_api import webui

INDEX = b"<!doctype html><title>spa</title>"


@pytest.fixture
async def http(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The WebUI alone over a small build of its own, so the test does not depend on whether
    the real one was built."""
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_bytes(INDEX)
    (dist / "assets" / "app.js").write_text("console.log(1)")
    (dist / "robots.txt").write_text("User-agent: *")
    (tmp_path / "secret.txt").write_text("not for the web")
    app = FastAPI()
    webui.mount(app, dist)
    # raise_app_exceptions=False: a crash is seen as the 500 a browser would get
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        yield client


@pytest.mark.parametrize(
    "path",
    [
        "/ui/%00",
        "/ui/a%00b/c",
        "/ui/" + "a" * 4000,
        "/ui/" + "a/" * 2000 + "b" * 300,
        "/ui/assets/%00",
        "/ui/assets/" + "a" * 4000,
    ],
)
async def test_odd_names_never_answer_500(http: httpx.AsyncClient, path: str) -> None:
    resp = await http.get(path)
    assert resp.status_code in (200, 404), resp.text[:300]
    if resp.status_code == 200:
        assert resp.content == INDEX


async def test_the_build_is_served_and_nothing_beside_it(http: httpx.AsyncClient) -> None:
    assert (await http.get("/ui/robots.txt")).text == "User-agent: *"
    assert (await http.get("/ui/assets/app.js")).text == "console.log(1)"
    assert (await http.get("/ui/chat/123")).content == INDEX
    for escape in ("/ui/%2e%2e/secret.txt", "/ui/..%2fsecret.txt"):
        resp = await http.get(escape)
        assert b"not for the web" not in resp.content
