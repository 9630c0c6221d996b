"""Server-side request forgery through ``image_url`` parts: nothing on this machine or its
networks is fetched, and the client gets a 400 with the OpenAI envelope.

Two lines of defence are tested apart:

* the API's own check (``image_checks``), in an app in this process whose resolver is the
  ``HOSTS`` table (no DNS);
* the worker's ``SafeFetcher``, behind an API that lets private URLs through
  (``LM_ARENA_ALLOW_PRIVATE_IMAGE_URLS=1``) while the worker has it unset. To test redirects, a
  server on 127.0.0.2 stands in for a public host (only the worker's address policy is told so,
  by the test guard); it redirects to the forbidden targets.

The target server counts every request: a refusal must come before any connection to it. The
worker runs with the guard that refuses (and records) any connection off loopback, so even a
broken check sends nothing to 10.x, 169.254.x or the like.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from lmarena_api import image_checks
from lmarena_api.errors import ApiError
from lmarena_api.image_checks import check_image_source
from tests.faults.helpers import (
    MODEL,
    LocalServer,
    Stack,
    assert_envelope,
    counters,
)

from .conftest import STANDIN, table_resolve

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

PARAM = "messages[0].content[1].image_url.url"


@pytest.fixture(scope="module")
def target() -> Iterator[LocalServer]:
    with LocalServer("127.0.0.1") as server:
        yield server


@pytest.fixture(scope="module")
def redirector() -> Iterator[LocalServer]:
    with LocalServer(STANDIN) as server:
        yield server


def _with_image(url: str) -> dict[str, Any]:
    return {
        "model": MODEL,
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "describe"},
                    {"type": "image_url", "image_url": {"url": url}},
                ],
            }
        ],
    }


def _post(api_url: str, image_url: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    resp = httpx.post(f"{api_url}/v1/chat/completions", json=_with_image(image_url), timeout=30)
    return resp, time.monotonic() - started


def _forbidden_urls(t: int) -> list[str]:
    """URLs aimed at this machine, its private networks, link-local and cloud metadata."""
    return [
        f"http://127.0.0.1:{t}/img.png",
        f"http://localhost:{t}/img.png",
        f"http://[::1]:{t}/img.png",
        f"http://127.1:{t}/img.png",
        f"http://2130706433:{t}/img.png",  # 127.0.0.1 as one number
        f"http://0.0.0.0:{t}/img.png",
        f"http://[::ffff:127.0.0.1]:{t}/img.png",
        "http://10.0.0.1/img.png",
        "http://192.168.1.1/img.png",
        "http://172.16.0.1/img.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/img.png",
        "http://[fc00::1]/img.png",
        "http://[::ffff:10.0.0.1]/img.png",
        f"http://loop.test:{t}/img.png",
        f"http://loop6.test:{t}/img.png",
        f"http://mapped.test:{t}/img.png",
        "http://intranet.test/img.png",
        "http://home.test/img.png",
        "http://corp.test/img.png",
        "http://metadata.test/latest/meta-data/",
        "http://linklocal6.test/img.png",
        "http://ula.test/img.png",
        "http://mixed.test/img.png",
    ]


def _check_refusal(
    resp: httpx.Response, seconds: float, url: str, *, param: bool = True
) -> list[str]:
    """Problems with one refusal (none when it is a quick 400 with the envelope)."""
    problems: list[str] = []
    if resp.status_code != 400:
        return [f"{url}: {resp.status_code} {resp.text[:200]}"]
    error = assert_envelope(resp.json())
    if error["type"] != "invalid_request_error":
        problems.append(f"{url}: type {error['type']}")
    if param and error["param"] != PARAM:
        problems.append(f"{url}: param {error['param']!r}, not {PARAM!r} (docs/API.md)")
    if seconds > 5:
        problems.append(f"{url}: refused only after {seconds:.1f} s")
    return problems


def test_the_api_refuses_private_image_urls(
    checking_api: str, target: LocalServer, hostile_stack: Stack
) -> None:
    uploads = counters(hostile_stack.fake_url)["uploads"]
    problems: list[str] = []
    for url in _forbidden_urls(target.port):
        resp, seconds = _post(checking_api, url)
        problems += _check_refusal(resp, seconds, url)
    assert target.hits == [], target.hits
    assert counters(hostile_stack.fake_url)["uploads"] == uploads
    assert not problems, problems


def test_the_api_check_lets_public_addresses_through(monkeypatch: pytest.MonkeyPatch) -> None:
    """The refusals above are about addresses: the same check passes a public host."""
    monkeypatch.setattr(image_checks, "system_resolve", table_resolve)

    async def check(url: str) -> None:
        await check_image_source(PARAM, url, max_bytes=1000, allow_private=False)

    asyncio.run(check("http://pub.test/img.png"))
    asyncio.run(check("https://93.184.216.34/img.png"))
    with pytest.raises(ApiError) as caught:
        asyncio.run(check("http://intranet.test/img.png"))
    assert caught.value.status == 400 and caught.value.param == PARAM


def test_the_worker_refuses_private_image_urls_and_redirects(
    hostile_stack: Stack, target: LocalServer, redirector: LocalServer
) -> None:
    api = hostile_stack.api_url  # lets private URLs through: the worker must refuse them
    t = target.port
    direct = _forbidden_urls(t)
    redirects = [redirector.redirect_to(url) for url in direct]
    # Two hops: public -> public -> private.
    redirects.append(redirector.redirect_to(redirector.redirect_to(f"http://127.0.0.1:{t}/x")))
    problems: list[str] = []
    for url in direct + redirects:
        resp, seconds = _post(api, url)
        problems += _check_refusal(resp, seconds, url, param=False)  # see the test below
    assert target.hits == [], target.hits  # nothing reached the machine's own services
    # Each redirect was fetched from the stand-in once, so the refusal really came at the hop.
    assert len([h for h in redirector.hits if h.startswith("/redirect")]) == len(redirects) + 1
    # Controls: the stand-in itself, and a redirect from it to itself, are fetched and sent.
    redirector.hits.clear()
    for url in (
        f"http://public.test:{redirector.port}/img.png",
        redirector.redirect_to(f"{redirector.url}/img.png"),
    ):
        resp, _ = _post(api, url)
        assert resp.status_code == 200, resp.text
    assert redirector.hits.count("/img.png") == 2, redirector.hits
    assert not problems, "\n".join(problems)


def test_a_url_the_worker_refuses_names_its_field(
    hostile_stack: Stack, target: LocalServer
) -> None:
    """docs/API.md: a 400 for an image URL to a private address has ``param`` naming the field,
    also when the worker's fetcher (not the API's check) refused it."""
    url = f"http://127.0.0.1:{target.port}/img.png"
    resp, seconds = _post(hostile_stack.api_url, url)
    assert not _check_refusal(resp, seconds, url)
    assert target.hits == []
