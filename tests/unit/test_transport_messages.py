"""Transport errors end up in logs (retry warnings, job errors): the URLs they name carry no
``user:password@`` and no query string (a presigned upload URL's signature is a credential)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from harness.ports import free_port
from lmarena_client.browser import Credentials
from lmarena_client.config import ClientSettings
from lmarena_client.errors import SiteTimeoutError, SiteUnreachableError, UpstreamError
from lmarena_client.transport import Transport

SECRETS = ("lmuser-5d", "pw-91c2", "sig-77ab")


def _hidden(message: str) -> bool:
    return not any(secret in message for secret in SECRETS)


async def _no_credentials(url: str) -> Credentials:
    return Credentials(cookies={}, user_agent="test")


@pytest.fixture
async def stalling_server() -> AsyncIterator[str]:
    """``/stall``: headers and 2 of 10 body bytes, then nothing; ``/loop``: redirects to itself."""
    done = asyncio.Event()

    async def stall(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": "10"})
        await response.prepare(request)
        await response.write(b"ab")
        await done.wait()
        return response

    async def loop(request: web.Request) -> web.Response:
        raise web.HTTPFound(str(request.url))

    app = web.Application()
    app.router.add_route("*", "/stall", stall)
    app.router.add_route("*", "/loop", loop)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"127.0.0.1:{port}"
    finally:
        done.set()
        await runner.cleanup()


@pytest.fixture
async def transport() -> AsyncIterator[Transport]:
    settings = ClientSettings(connect_timeout=5, first_byte_timeout=5, idle_timeout=0.2)
    transport = Transport(settings, _no_credentials)
    try:
        yield transport
    finally:
        await transport.close()


def _url(host: str, path: str) -> str:
    return f"http://lmuser-5d:pw-91c2@{host}{path}?X-Amz-Signature=sig-77ab&X-Amz-Expires=60"


async def test_unreachable_site(transport: Transport) -> None:
    url = _url(f"127.0.0.1:{free_port()}", "/upload")  # nothing listens there
    with pytest.raises(SiteUnreachableError) as info:
        await transport.request_text("PUT", url, body=b"x", with_credentials=False)
    assert "could not reach http://127.0.0.1:" in str(info.value)
    assert _hidden(str(info.value)), info.value


async def test_body_that_stalls(transport: Transport, stalling_server: str) -> None:
    with pytest.raises(SiteTimeoutError) as info:
        await transport.request_text("PUT", _url(stalling_server, "/stall"), body=b"x")
    assert str(info.value) == f"reading http://{stalling_server}/stall took too long"


async def test_redirect_loop(transport: Transport, stalling_server: str) -> None:
    with pytest.raises(UpstreamError) as info:
        await transport.open_stream("POST", _url(stalling_server, "/loop"), b"{}", "/")
    assert str(info.value).endswith(f"redirects from http://{stalling_server}/loop")
    assert _hidden(str(info.value)), info.value
