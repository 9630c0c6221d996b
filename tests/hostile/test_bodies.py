"""Hostile request bodies: too big, too deep, not UTF-8, not Unicode, too many parts. Each is a
quick 4xx with the OpenAI envelope, and the API stays healthy.

An API process with small limits (1 MB bodies, 300 kB images) runs on the hostile stack's
Redis, so a request that got through by mistake would reach the real worker.
"""

from __future__ import annotations

import base64
import json
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from lmarena_client.protocol import uuid7
from tests.faults.helpers import (
    MODEL,
    PNG_1X1,
    LocalServer,
    Stack,
    assert_envelope,
    chat_body,
    start_api_proc,
)

from .conftest import STANDIN

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

MAX_BODY = 1_000_000
MAX_IMAGE = 300_000
QUICK = 5.0  # seconds a refusal may take


@pytest.fixture(scope="module")
def small_api(hostile_stack: Stack) -> Iterator[str]:
    api = start_api_proc(
        hostile_stack.redis_url,
        LM_ARENA_MAX_BODY_BYTES=str(MAX_BODY),
        LM_ARENA_MAX_IMAGE_BYTES=str(MAX_IMAGE),
    )
    try:
        yield api.extra["url"]
        assert api.alive(), api.output()
    finally:
        api.stop()


def _send(api: str, content: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    started = time.monotonic()
    try:
        resp = httpx.post(
            f"{api}/v1/chat/completions",
            content=content,
            headers={"Content-Type": "application/json", **(headers or {})},
            timeout=10,
        )
    except httpx.TimeoutException:
        raise AssertionError(f"no answer within 10 s to {content[:200]!r}") from None
    took = time.monotonic() - started
    assert took < QUICK, f"answered after {took:.1f} s"
    return resp


def _refused(resp: httpx.Response, status: int, param: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.text[:500]
    error = assert_envelope(resp.json())
    if param is not None:
        assert error["param"] == param, error
    return error


def _healthy(api: str) -> None:
    assert httpx.get(f"{api}/health", timeout=5).status_code == 200
    resp = httpx.post(
        f"{api}/v1/chat/completions", json=chat_body("x", model="no-such-model"), timeout=10
    )
    assert resp.status_code == 404, resp.text


def _with_parts(parts: list[Any]) -> dict[str, Any]:
    return {"model": MODEL, "messages": [{"role": "user", "content": parts}]}


def test_a_body_over_the_limit_with_its_length(small_api: str) -> None:
    body = json.dumps(chat_body("x" * (MAX_BODY + 10))).encode()
    error = _refused(_send(small_api, body), 413, "body")
    assert error["code"] == "request_too_large"
    _healthy(small_api)


def _raw_chunked_post(port: int, chunk: bytes, total: int) -> bytes:
    """POST ``total`` bytes in chunks without a Content-Length; the raw answer (maybe early)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        sent = 0
        try:
            while sent < total:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed before the end: fine, read its answer
        answer = b""
        try:
            while not _complete(answer):
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
        except OSError:
            pass
        return answer


def _complete(answer: bytes) -> bool:
    head, sep, body = answer.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False


def test_a_chunked_body_over_the_limit(small_api: str) -> None:
    port = int(small_api.rsplit(":", 1)[1])
    started = time.monotonic()
    answer = _raw_chunked_post(port, b"[" + b" " * 65534 + b",", 20 * MAX_BODY)
    assert time.monotonic() - started < QUICK
    head, _, rest = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), answer[:300]
    assert b"request_too_large" in rest, answer[:500]
    _healthy(small_api)


def test_an_image_over_the_limit(small_api: str) -> None:
    big = PNG_1X1 + bytes(MAX_IMAGE)
    uri = "data:image/png;base64," + base64.b64encode(big).decode()
    body = json.dumps(
        _with_parts(
            [{"type": "text", "text": "x"}, {"type": "image_url", "image_url": {"url": uri}}]
        )
    ).encode()
    assert len(body) < MAX_BODY
    error = _refused(_send(small_api, body), 413, "messages[0].content[1].image_url.url")
    assert error["code"] == "request_too_large"
    _healthy(small_api)


@pytest.fixture(scope="module")
def standin() -> Iterator[LocalServer]:
    with LocalServer(STANDIN) as server:
        yield server


@pytest.mark.parametrize("declare", [True, False])
def test_an_image_url_over_the_limit(
    hostile_stack: Stack, standin: LocalServer, declare: bool
) -> None:
    """Fetched by the worker (library limit 10 MiB): refused from the declared length, or
    while streaming when the server declares none."""
    size = 11 * 1024 * 1024
    query = f"size={size}&declare=1" if declare else f"size={size}"
    url = f"http://public.test:{standin.port}/big.png?{query}"
    body = json.dumps(
        _with_parts(
            [{"type": "text", "text": "x"}, {"type": "image_url", "image_url": {"url": url}}]
        )
    ).encode()
    error = _refused(_send(hostile_stack.api_url, body), 413)
    assert error["code"] == "request_too_large", error
    assert standin.hits, "the worker never asked for the image"


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,
        b'{"a":' * 100_000,
        b"[" * 100_000 + b"]" * 100_000,
        json.dumps(_with_parts([])).encode().replace(b"[]", b"[" * 5000 + b"]" * 5000),
    ],
    ids=["arrays", "objects", "closed-arrays", "deep-content"],
)
def test_deep_json(small_api: str, body: bytes) -> None:
    _refused(_send(small_api, body), 400)
    _healthy(small_api)


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff",  # never valid
        b"\xc3\x28",  # bad continuation byte
        b"\xc0\xaf",  # overlong "/"
        b"\xed\xa0\x80",  # a UTF-16 surrogate encoded as UTF-8
        b"\xf4\x90\x80\x80",  # past U+10FFFF
        b"\x80",  # lone continuation byte
    ],
)
def test_invalid_utf8(small_api: str, raw: bytes) -> None:
    body = b'{"model": "' + MODEL.encode() + b'", "messages": [{"role": "user", "content": "a'
    body += raw + b'"}]}'
    _refused(_send(small_api, body), 400, "body")
    _healthy(small_api)


@pytest.mark.parametrize("where", ["content", "model", "part"])
def test_a_lone_surrogate_is_a_quick_400(small_api: str, where: str) -> None:
    """JSON may escape a surrogate half (``"\\ud800"``): valid JSON, but no Unicode text.

    It cannot be sent to the site (UTF-8 has no encoding for it); the API must refuse it as a
    400 at once, never pass it to the worker (whose job then fails without an event: the
    client would wait for the 180 s idle timeout)."""
    lone = "\\ud800"
    if where == "content":
        body = chat_body("hi " + lone)
    elif where == "model":
        body = chat_body("hi")
        body["model"] = MODEL + lone
    else:
        body = _with_parts([{"type": "text", "text": "hi"}, {"type": "text", "text": lone}])
    raw = json.dumps(body).replace("\\\\ud800", "\\ud800").encode()
    assert b"\\ud800" in raw and b"\\\\ud800" not in raw
    try:
        resp = httpx.post(
            f"{small_api}/v1/chat/completions",
            content=raw,
            headers={"Content-Type": "application/json"},
            timeout=15,
        )
    except httpx.TimeoutException:
        raise AssertionError("no answer within 15 s to a lone surrogate") from None
    assert 400 <= resp.status_code < 500, resp.text
    assert_envelope(resp.json())
    _healthy(small_api)


def test_thousands_of_content_parts(small_api: str) -> None:
    parts = [{"type": "text", "text": "x"} for _ in range(5000)]
    _refused(_send(small_api, json.dumps(_with_parts(parts)).encode()), 400, "messages[0].content")
    tiny = "data:image/png;base64," + base64.b64encode(PNG_1X1).decode()
    images = [{"type": "image_url", "image_url": {"url": tiny}} for _ in range(3000)]
    _refused(_send(small_api, json.dumps(_with_parts(images)).encode()), 400, "messages[0].content")
    nine = [{"type": "text", "text": "x"}, *images[:9]]
    _refused(_send(small_api, json.dumps(_with_parts(nine)).encode()), 400, "messages[0].content")
    _healthy(small_api)


def test_twenty_thousand_messages(small_api: str) -> None:
    messages = [{"role": "assistant", "content": "x"} for _ in range(24_000)]
    body = json.dumps({"model": MODEL, "messages": messages}).encode()
    assert len(body) < MAX_BODY
    _refused(_send(small_api, body), 400, "messages")
    _healthy(small_api)


def test_a_huge_model_name_and_odd_json(small_api: str) -> None:
    _refused(_send(small_api, json.dumps(chat_body("x", model="m" * 500_000)).encode()), 400)
    for odd in (b"NaN", b'"just a string"', b"[]", b"null", b'{"model": NaN}', b"1e999999"):
        _refused(_send(small_api, odd), 400)
    _healthy(small_api)


def test_an_unknown_conversation_is_a_client_error(small_api: str) -> None:
    """A well-formed evaluationSessionId that was never created: the site answers 404
    ("Evaluation session not found"). It is the caller's reference that is wrong, so the API
    should answer 4xx (404 like an unknown model, or 400), not a 5xx the client would retry."""
    for session in (uuid7(), str(uuid.uuid4())):
        resp = httpx.post(
            f"{small_api}/v1/chat/completions",
            json=chat_body("hello", conversation={"evaluationSessionId": session}),
            timeout=30,
        )
        assert resp.status_code in (400, 404), resp.text
        error = assert_envelope(resp.json())
        assert error["type"] == "invalid_request_error", error
