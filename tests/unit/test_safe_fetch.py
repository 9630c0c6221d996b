"""SafeFetcher's address policy, resolver and HTTP behaviour, against a server on 127.0.0.1.

No traffic leaves loopback: host names are resolved by injected hooks or a patched getaddrinfo,
and every address a test expects to be refused is itself a loopback address, so a broken check
fails the test instead of reaching another machine.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from lmarena_client import safe_fetch
from lmarena_client.errors import (
    ForbiddenAddressError,
    ImageError,
    ImageFetchError,
    ImageTooLargeError,
)
from lmarena_client.images import load_image
from lmarena_client.safe_fetch import (
    MAX_REDIRECTS,
    CheckingResolver,
    SafeFetcher,
    check_ip_allowed,
    redact_url,
)

from .tiny_images import PNG  # complete: load_image refuses truncated images

LIMIT = 1024 * 1024

# -- the address table ------------------------------------------------------------------------

FORBIDDEN = [
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("10.0.0.1", "private"),
    ("172.16.5.4", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"),
    ("169.254.0.1", "link-local"),
    ("100.64.0.1", "carrier-grade NAT"),
    ("100.127.255.255", "carrier-grade NAT"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "private"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("255.255.255.255", "private"),
    ("240.0.0.1", "private"),
    ("198.18.0.1", "benchmarking"),
    ("192.0.2.1", "documentation"),
    ("192.0.0.8", "IETF protocol"),
    ("::", "unspecified"),
    ("::1", "loopback"),
    ("fe80::1", "link-local"),
    ("fe80::1%1", "link-local"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("fec0::1", "site-local"),
    ("ff02::1", "multicast"),
    ("2001:db8::1", "documentation"),
    ("100::1", "private"),
    ("::ffff:127.0.0.1", "IPv4-mapped form of 127.0.0.1, a loopback"),
    ("::ffff:10.0.0.1", "IPv4-mapped form of 10.0.0.1, a private"),
    ("::ffff:169.254.169.254", "IPv4-mapped form of 169.254.169.254, a link-local"),
    ("::127.0.0.1", "IPv4-compatible"),
    ("::8.8.8.8", "IPv4-compatible"),
    ("64:ff9b::10.0.0.1", "NAT64 form of 10.0.0.1"),
    ("64:ff9b:1::1", "local-use NAT64"),
    ("2002:a00:1::1", "6to4 form of 10.0.0.1"),
    ("2002:7f00:1::", "6to4 form of 127.0.0.1"),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "private"),  # Teredo
]

ALLOWED = [
    "8.8.8.8",
    "1.1.1.1",
    "100.63.255.255",
    "100.128.0.1",
    "172.32.0.1",
    "2606:4700::1",
    "2001:4860:4860::8888",
    "::ffff:8.8.8.8",
    "2002:808:808::1",
    "64:ff9b::8.8.8.8",
]


@pytest.mark.parametrize(("address", "reason"), FORBIDDEN)
def test_forbidden_addresses(address: str, reason: str) -> None:
    with pytest.raises(ForbiddenAddressError, match=reason) as info:
        check_ip_allowed(ipaddress.ip_address(address))
    assert "allow_private_image_urls" in str(info.value)


@pytest.mark.parametrize("address", ALLOWED)
def test_allowed_addresses(address: str) -> None:
    check_ip_allowed(ipaddress.ip_address(address))


# -- the resolver -----------------------------------------------------------------------------


def resolving(table: dict[str, list[str]]) -> Any:
    """A resolve hook answering from ``table``; records its calls."""
    calls: list[tuple[str, int]] = []

    async def resolve(host: str, port: int) -> Sequence[str]:
        calls.append((host, port))
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


async def test_resolver_refuses_a_private_answer() -> None:
    resolver = CheckingResolver(resolving({"img.test": ["10.0.0.1"]}), allow_private=False)
    with pytest.raises(
        ForbiddenAddressError, match=re.escape("img.test resolves to 10.0.0.1, a private")
    ):
        await resolver.resolve("img.test", 80, socket.AF_UNSPEC)


async def test_resolver_refuses_if_any_address_is_private() -> None:
    answer = ["8.8.8.8", "2606:4700::1", "169.254.169.254"]
    resolver = CheckingResolver(resolving({"img.test": answer}), allow_private=False)
    with pytest.raises(ForbiddenAddressError, match=re.escape("169.254.169.254")):
        await resolver.resolve("img.test", 443, socket.AF_UNSPEC)


async def test_resolver_returns_exactly_the_checked_addresses() -> None:
    answer = ["8.8.8.8", "2606:4700::1"]
    resolver = CheckingResolver(resolving({"img.test": answer}), allow_private=False)
    results = await resolver.resolve("img.test", 443, socket.AF_UNSPEC)
    assert [(r["host"], r["port"], r["family"]) for r in results] == [
        ("8.8.8.8", 443, socket.AF_INET),
        ("2606:4700::1", 443, socket.AF_INET6),
    ]
    assert all(r["hostname"] == "img.test" for r in results)
    only_v6 = await resolver.resolve("img.test", 443, socket.AF_INET6)
    assert [r["host"] for r in only_v6] == ["2606:4700::1"]


async def test_resolver_without_usable_address() -> None:
    resolver = CheckingResolver(resolving({"img.test": ["8.8.8.8"]}), allow_private=False)
    with pytest.raises(OSError, match="no usable address"):
        await resolver.resolve("img.test", 443, socket.AF_INET6)
    odd = CheckingResolver(resolving({"img.test": ["not-an-ip"]}), allow_private=False)
    with pytest.raises(OSError, match="not an IP address"):
        await odd.resolve("img.test", 443, socket.AF_UNSPEC)


async def test_resolver_with_allow_private_skips_checks() -> None:
    resolver = CheckingResolver(resolving({"img.test": ["127.0.0.1"]}), allow_private=True)
    results = await resolver.resolve("img.test", 80, socket.AF_UNSPEC)
    assert [r["host"] for r in results] == ["127.0.0.1"]


# -- a local server ---------------------------------------------------------------------------


@dataclass
class Served:
    server: TestServer
    hits: list[str] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def port(self) -> int:
        assert self.server.port is not None
        return self.server.port

    def url(self, path_qs: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path_qs}"


def build_app(served: Served) -> web.Application:
    @web.middleware
    async def count(request: web.Request, handler: Any) -> web.StreamResponse:
        served.hits.append(request.path_qs)
        response: web.StreamResponse = await handler(request)
        return response

    async def image(request: web.Request) -> web.Response:
        return web.Response(body=PNG, content_type="image/png")

    async def hop(request: web.Request) -> web.Response:
        left = int(request.match_info["left"])
        target = f"/hop/{left - 1}" if left > 0 else "/img.png"
        raise web.HTTPFound(target)

    async def redirect(request: web.Request) -> web.Response:
        status = int(request.query.get("status", "302"))
        headers = {"Location": request.query["to"]} if "to" in request.query else {}
        return web.Response(status=status, headers=headers)

    async def sized(request: web.Request) -> web.Response:
        return web.Response(body=PNG + bytes(int(request.match_info["size"]) - len(PNG)))

    async def chunked(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(PNG)
        for _ in range(int(request.match_info["chunks"])):
            await response.write(bytes(1000))
        await response.write_eof()
        return response

    async def slow(request: web.Request) -> web.Response:
        await served.release.wait()
        return web.Response(body=PNG)

    app = web.Application(middlewares=[count])
    app.router.add_get("/img.png", image)
    app.router.add_get("/hop/{left}", hop)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/sized/{size}", sized)
    app.router.add_get("/chunked/{chunks}", chunked)
    app.router.add_get("/slow", slow)
    return app


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    holder = Served(server=None)  # type: ignore[arg-type]
    holder.server = TestServer(build_app(holder), host="127.0.0.1")
    await holder.server.start_server()
    yield holder
    holder.release.set()  # lets a pending slow handler finish so shutdown is quick
    await holder.server.close()


@pytest.fixture
async def open_fetcher() -> AsyncIterator[SafeFetcher]:
    fetcher = SafeFetcher(timeout=5, max_bytes=LIMIT, allow_private=True)
    yield fetcher
    await fetcher.close()


@pytest.fixture
def loopback_is_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat 127.0.0.1 (only) as public, so the checks on later hops can be exercised."""
    original = safe_fetch.forbidden_reason

    def policy(address: safe_fetch.IPAddress) -> str | None:
        return None if str(address) == "127.0.0.1" else original(address)

    monkeypatch.setattr(safe_fetch, "forbidden_reason", policy)


# -- refusals before any connection -----------------------------------------------------------


async def test_loopback_literal_is_refused_without_connecting(served: Served) -> None:
    async with SafeFetcher(timeout=5, max_bytes=LIMIT, allow_private=False) as fetcher:
        with pytest.raises(
            ForbiddenAddressError, match=re.escape("127.0.0.1 is a loopback address")
        ):
            await fetcher.fetch(served.url("/img.png"))
        with pytest.raises(ForbiddenAddressError, match="::1 is a loopback address"):
            await fetcher.fetch(f"http://[::1]:{served.port}/img.png")
    assert served.hits == []


async def test_host_name_resolving_to_loopback_is_refused(served: Served) -> None:
    resolve = resolving({"images.test": ["127.0.0.1"]})
    async with SafeFetcher(timeout=5, max_bytes=LIMIT, resolve=resolve) as fetcher:
        with pytest.raises(
            ForbiddenAddressError, match=re.escape("images.test resolves to 127.0.0.1")
        ):
            await fetcher.fetch(served.url("/img.png", host="images.test"))
    assert resolve.calls == [("images.test", served.port)]
    assert served.hits == []


def fake_getaddrinfo(table: dict[str, str]) -> Any:
    """getaddrinfo answering names from ``table``; numeric hosts pass through, others fail."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in table:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (table[host], int(port)))]
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        return real(host, port, *args, **kwargs)

    return getaddrinfo


async def test_system_resolution_is_checked(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo({"images.test": "127.0.0.1"}))
    url = served.url("/img.png", host="images.test")
    async with SafeFetcher(timeout=5, max_bytes=LIMIT) as fetcher:
        with pytest.raises(
            ForbiddenAddressError, match=re.escape("images.test resolves to 127.0.0.1")
        ):
            await fetcher.fetch(url)
    assert served.hits == []
    # The same name with checks off reaches the server: aiohttp connects where we resolved.
    async with SafeFetcher(timeout=5, max_bytes=LIMIT, allow_private=True) as fetcher:
        assert (await fetcher.fetch(url)).data == PNG
    assert served.hits == ["/img.png"]


async def test_unknown_host_is_a_fetch_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo({}))
    async with SafeFetcher(timeout=5, max_bytes=LIMIT) as fetcher:
        with pytest.raises(ImageFetchError, match=re.escape("nowhere.test does not resolve")):
            await fetcher.fetch("http://nowhere.test/a.png")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://127.0.0.1/a.png", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("a.png", "only http and https"),
        ("http:///a.png", "has no host"),
        ("http://[::1/a.png", "not a valid URL"),
    ],
)
async def test_bad_urls(url: str, message: str) -> None:
    async with SafeFetcher(timeout=5, max_bytes=LIMIT, allow_private=True) as fetcher:
        with pytest.raises(ImageError, match=message):
            await fetcher.fetch(url)


# -- fetching ---------------------------------------------------------------------------------


async def test_fetch_with_allow_private(served: Served, open_fetcher: SafeFetcher) -> None:
    fetched = await open_fetcher.fetch(served.url("/img.png"))
    assert fetched.data == PNG
    assert fetched.content_type == "image/png"
    assert fetched.url == served.url("/img.png")


async def test_fetcher_reopens_after_close(served: Served, open_fetcher: SafeFetcher) -> None:
    await open_fetcher.fetch(served.url("/img.png"))
    await open_fetcher.close()
    await open_fetcher.close()  # twice is fine
    assert (await open_fetcher.fetch(served.url("/img.png"))).data == PNG


async def test_load_image_through_the_fetcher(served: Served, open_fetcher: SafeFetcher) -> None:
    blob = await load_image(served.url("/hop/1"), None, max_bytes=LIMIT, fetcher=open_fetcher)
    assert (blob.mime_type, blob.filename) == ("image/png", "1.png")


async def test_redirect_chain_is_followed(served: Served, open_fetcher: SafeFetcher) -> None:
    fetched = await open_fetcher.fetch(served.url(f"/hop/{MAX_REDIRECTS - 1}"))
    assert fetched.data == PNG
    assert fetched.url == served.url("/img.png")
    assert len(served.hits) == MAX_REDIRECTS + 1


async def test_redirect_chain_is_capped(served: Served, open_fetcher: SafeFetcher) -> None:
    with pytest.raises(ImageFetchError, match=f"redirected more than {MAX_REDIRECTS} times"):
        await open_fetcher.fetch(served.url(f"/hop/{MAX_REDIRECTS}"))
    assert len(served.hits) == MAX_REDIRECTS + 1
    assert "/img.png" not in served.hits


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_relative_redirects(served: Served, open_fetcher: SafeFetcher, status: int) -> None:
    fetched = await open_fetcher.fetch(served.url(f"/redirect?status={status}&to=img.png"))
    assert fetched.url == served.url("/img.png")


@pytest.mark.parametrize(
    "target",
    ["ftp://127.0.0.1/img.png", "file:///etc/passwd", "data:image/png;base64,AAAA", "gopher://x/"],
)
async def test_redirect_to_other_schemes_is_refused(
    served: Served, open_fetcher: SafeFetcher, target: str
) -> None:
    with pytest.raises(ImageFetchError, match="only http and https are followed"):
        await open_fetcher.fetch(served.url(f"/redirect?to={target}"))


async def test_redirect_without_location(served: Served, open_fetcher: SafeFetcher) -> None:
    with pytest.raises(ImageFetchError, match="HTTP 302 without a Location header"):
        await open_fetcher.fetch(served.url("/redirect"))


@pytest.mark.usefixtures("loopback_is_public")
async def test_every_redirect_hop_is_checked(served: Served) -> None:
    resolve = resolving({"internal.test": ["127.0.0.3"]})
    async with SafeFetcher(timeout=5, max_bytes=LIMIT, resolve=resolve) as fetcher:
        # The policy fixture lets the first hop through ...
        assert (await fetcher.fetch(served.url("/hop/1"))).data == PNG
        served.hits.clear()
        # ... but not literal or named loopback targets of a redirect.
        for target, refused in [
            (f"http://127.0.0.2:{served.port}/img.png", "127.0.0.2 is a loopback"),
            (f"http://[::1]:{served.port}/img.png", "::1 is a loopback"),
            (f"http://internal.test:{served.port}/img.png", "internal.test resolves to"),
        ]:
            with pytest.raises(ForbiddenAddressError, match=refused):
                await fetcher.fetch(served.url(f"/redirect?to={target}"))
    # Each refused fetch reached only the redirecting page, never the target.
    assert [hit.split("?")[0] for hit in served.hits] == ["/redirect"] * 3


async def test_content_length_over_the_cap(served: Served) -> None:
    async with SafeFetcher(timeout=5, max_bytes=1000, allow_private=True) as fetcher:
        assert len((await fetcher.fetch(served.url("/sized/1000"))).data) == 1000
        with pytest.raises(
            ImageTooLargeError, match=r"/sized/1001 is 1001 bytes; the limit is 1000 bytes$"
        ):
            await fetcher.fetch(served.url("/sized/1001"))


async def test_per_call_limit_only_lowers_the_cap(
    served: Served, open_fetcher: SafeFetcher
) -> None:
    with pytest.raises(ImageTooLargeError, match="the limit is 500 bytes"):
        await open_fetcher.fetch(served.url("/sized/1000"), max_bytes=500)
    async with SafeFetcher(timeout=5, max_bytes=500, allow_private=True) as small:
        with pytest.raises(ImageTooLargeError, match="the limit is 500 bytes"):
            await small.fetch(served.url("/sized/1000"), max_bytes=LIMIT)


async def test_chunked_body_over_the_cap(served: Served) -> None:
    async with SafeFetcher(timeout=5, max_bytes=2500, allow_private=True) as fetcher:
        assert len((await fetcher.fetch(served.url("/chunked/2"))).data) == len(PNG) + 2000
        with pytest.raises(ImageTooLargeError, match=re.escape("larger than the limit of 2.4 KB")):
            await fetcher.fetch(served.url("/chunked/3"))


async def test_http_error_status(served: Served, open_fetcher: SafeFetcher) -> None:
    with pytest.raises(ImageFetchError, match=r"/missing\.png answered HTTP 404 Not Found$"):
        await open_fetcher.fetch(served.url("/missing.png"))


async def test_slow_server_times_out(served: Served) -> None:
    started = time.monotonic()
    async with SafeFetcher(timeout=0.2, max_bytes=LIMIT, allow_private=True) as fetcher:
        with pytest.raises(ImageFetchError, match=r"timed out after 0\.2 s"):
            await fetcher.fetch(served.url("/slow"))
    assert time.monotonic() - started < 2
    assert served.hits == ["/slow"]


async def test_connection_refused(open_fetcher: SafeFetcher) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ImageFetchError, match=f"cannot connect to 127.0.0.1:{port}"):
        await open_fetcher.fetch(f"http://127.0.0.1:{port}/img.png")


async def test_secrets_stay_out_of_messages_and_logs(
    served: Served, open_fetcher: SafeFetcher, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="lmarena_client.safe_fetch")
    url = f"http://user:hunter2@127.0.0.1:{served.port}/missing.png?token=s3cr3t#frag"
    with pytest.raises(ImageFetchError) as info:
        await open_fetcher.fetch(url)
    await open_fetcher.fetch(served.url("/redirect?to=/img.png%3Fsig%3Ds3cr3t"))
    shown = str(info.value) + caplog.text
    assert "/missing.png" in shown
    for secret in ("hunter2", "s3cr3t", "token", "frag"):
        assert secret not in shown
    assert all(record.levelno == logging.DEBUG for record in caplog.records)


def test_redact_url() -> None:
    assert (
        redact_url("https://u:p@Example.com:8443/a/b.png?x=1#y")
        == "https://example.com:8443/a/b.png"
    )
    assert redact_url("http://[::1]/a") == "http://[::1]/a"
    assert redact_url("http://[::1") == "<invalid URL>"
