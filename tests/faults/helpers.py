"""Shared tools of the fault and hostile suites: whole stacks of real processes (started by
``harness``), readings from Redis, the fake site's control endpoints, SSE reading, and small
local HTTP servers.

Everything listens on and talks to 127.0.0.1 only. Every process started here is recorded in
``SPAWNED`` so the suites can check at the end that none is left.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import redis

from harness.api import start_api
from harness.group import ProcessGroup
from harness.proc import Proc
from harness.redis_server import start_redis
from harness.site import start_fake_arena
from harness.stack import Stack
from harness.stack import start_stack as start_stack_into
from harness.waiting import wait_until
from harness.worker import start_worker

MODEL = "gemini-3-pro"
LONG = "long [fake: words=400 delay_ms=50]"  # about 20 s of words: always cut short in tests

PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63f8dfc0f01f000680027f104c1be10000000049454e44ae426082"
)

SPAWNED = ProcessGroup()  # every process these helpers start; none may outlive the suite


# -- processes, all recorded in SPAWNED ---------------------------------------------------------


def start_redis_on(port: int) -> Proc:
    """redis-server on a given port (a restart keeps the port)."""
    return start_redis(port, group=SPAWNED)


def start_fake(*flags: str) -> Proc:
    return start_fake_arena(*flags, group=SPAWNED)


def start_worker_proc(redis_url: str, origin: str, *, log_level: str = "INFO", **env: str) -> Proc:
    return start_worker(redis_url, origin, log_level=log_level, group=SPAWNED, **env)


def start_api_proc(redis_url: str, *, log_level: str = "info", **env: str) -> Proc:
    return start_api(redis_url, log_level=log_level, group=SPAWNED, **env)


def start_stack(**options: Any) -> Stack:
    """A whole stack (``harness.stack.start_stack``); returns once the worker is ready."""
    return start_stack_into(SPAWNED, **options)


def worker_ready_in(redis_url: str, pid: int) -> bool:
    """The heartbeat in Redis is this worker's and says ready."""
    beat = heartbeat(redis_url)
    return beat is not None and beat.get("pid") == pid and beat.get("state") == "ready"


# -- Redis -------------------------------------------------------------------------------------


def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


def heartbeat(url: str) -> dict[str, Any] | None:
    try:
        with redis_client(url) as client:
            raw = client.get("lmarena:worker:heartbeat")
    except redis.RedisError:
        return None
    return json.loads(raw) if raw else None


def queued_jobs(url: str) -> list[str]:
    with redis_client(url) as client:
        return [item.decode() for item in client.zrange("lmarena:queue", 0, -1)]


# -- the fake site -----------------------------------------------------------------------------


def fake_call(fake_url: str, path: str, body: Any = None) -> Any:
    if body is None:
        resp = httpx.get(f"{fake_url}/__fake__/{path}", timeout=5)
    else:
        resp = httpx.post(f"{fake_url}/__fake__/{path}", json=body, timeout=5)
    resp.raise_for_status()
    return resp.json()


def counters(fake_url: str) -> dict[str, Any]:
    result: dict[str, Any] = fake_call(fake_url, "counters")
    return result


def inject(fake_url: str, **fault: Any) -> None:
    fake_call(fake_url, "faults", fault)


def pending_faults(fake_url: str) -> int:
    """Faults not used up yet (an empty injection only reads the count)."""
    return int(fake_call(fake_url, "faults", [])["pending"])


def reset_fake(fake_url: str) -> None:
    fake_call(fake_url, "reset", {})


def wait_site_idle(fake_url: str, timeout: float = 10.0) -> float:
    started = time.monotonic()
    wait_until(lambda: counters(fake_url)["active_streams"] == 0, timeout, "the site's streams")
    return time.monotonic() - started


# -- the API -----------------------------------------------------------------------------------


def chat_body(content: Any, *, stream: bool = False, **extra: Any) -> dict[str, Any]:
    return {
        "model": MODEL,
        "stream": stream,
        "messages": [{"role": "user", "content": content}],
        **extra,
    }


def post_chat(
    api_url: str, content: Any, *, timeout: float = 60, headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.post(
        f"{api_url}/v1/chat/completions",
        json=chat_body(content),
        timeout=timeout,
        headers=headers,
    )


def assert_envelope(body: Any, *, status: int | None = None) -> dict[str, Any]:
    """The OpenAI error envelope, exactly: message, type, param, code."""
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error, dict), body
    assert set(error) == {"message", "type", "param", "code"}, body
    assert isinstance(error["message"], str) and error["message"], body
    assert isinstance(error["type"], str) and error["type"], body
    assert error["param"] is None or isinstance(error["param"], str), body
    assert error["code"] is None or isinstance(error["code"], str), body
    return error


@dataclass
class SseResult:
    """What a streaming request gave: status, parsed data events and what it took."""

    status: int
    headers: dict[str, str]
    events: list[Any] = field(default_factory=list)  # JSON objects and the "[DONE]" string
    body: bytes = b""
    seconds: float = 0.0

    @property
    def text(self) -> str:
        parts: list[str] = []
        for event in self.events:
            if isinstance(event, dict):
                for choice in event.get("choices") or []:
                    parts.append(choice.get("delta", {}).get("content") or "")
        return "".join(parts)

    @property
    def done(self) -> bool:
        return bool(self.events) and self.events[-1] == "[DONE]"

    @property
    def error(self) -> dict[str, Any] | None:
        for event in self.events:
            if isinstance(event, dict) and "error" in event:
                error: dict[str, Any] = event["error"]
                return error
        return None

    @property
    def finish_reason(self) -> str | None:
        for event in self.events:
            if isinstance(event, dict):
                for choice in event.get("choices") or []:
                    if choice.get("finish_reason"):
                        return str(choice["finish_reason"])
        return None

    def content_events(self) -> int:
        return sum(
            1
            for event in self.events
            if isinstance(event, dict)
            and any((c.get("delta") or {}).get("content") for c in event.get("choices") or [])
        )


def stream_chat(
    api_url: str,
    body: dict[str, Any],
    *,
    read_timeout: float = 20.0,
    total: float = 60.0,
    on_event: Callable[[SseResult], bool | None] | None = None,
    headers: dict[str, str] | None = None,
) -> SseResult:
    """POST a streaming chat and read its SSE events; ``on_event`` returning True stops
    reading (the connection is closed: a client disconnect). Bounded by ``total`` seconds
    and by ``read_timeout`` per read."""
    started = time.monotonic()
    timeout = httpx.Timeout(read_timeout, connect=5)
    with httpx.stream(
        "POST", f"{api_url}/v1/chat/completions", json=body, timeout=timeout, headers=headers
    ) as resp:
        result = SseResult(resp.status_code, dict(resp.headers))
        if resp.status_code != 200 or not resp.headers.get("content-type", "").startswith(
            "text/event-stream"
        ):
            result.body = resp.read()
            result.seconds = time.monotonic() - started
            return result
        for line in resp.iter_lines():
            if time.monotonic() - started > total:
                raise AssertionError(f"the stream took longer than {total} s: {result.events!r}")
            if not line.startswith("data: "):
                continue
            data = line[6:]
            result.events.append(data if data == "[DONE]" else json.loads(data))
            if on_event is not None and on_event(result):
                break
            if data == "[DONE]":
                break
    result.seconds = time.monotonic() - started
    return result


def metric_value(api_url: str, name: str) -> float:
    text = httpx.get(f"{api_url}/metrics", timeout=5).text
    total = 0.0
    found = False
    for line in text.splitlines():
        if line.startswith(name) and not line.startswith("#"):
            rest = line[len(name) :]
            if rest[:1] in (" ", "{"):
                total += float(line.rsplit(" ", 1)[1])
                found = True
    if not found:
        raise AssertionError(f"metric {name} not exposed")
    return total


# -- local HTTP servers (SSRF targets and redirectors) ---------------------------------------


class LocalServer:
    """A tiny threaded HTTP server on a loopback address that counts every request.

    ``/img.png`` answers a PNG; ``/big.png?size=N[&declare=1]`` about N bytes of PNG (with a
    Content-Length only if declared); ``/redirect?to=<url>`` a 302 to ``to``; anything else a
    404. ``hits`` lists the paths asked for.
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                parts = urllib.parse.urlsplit(self.path)
                if parts.path == "/img.png":
                    self.send_response(200)
                    self.send_header("Content-Type", "image/png")
                    self.send_header("Content-Length", str(len(PNG_1X1)))
                    self.end_headers()
                    self.wfile.write(PNG_1X1)
                    return
                if parts.path == "/big.png":
                    query = urllib.parse.parse_qs(parts.query)
                    size = int(query.get("size", ["0"])[0])
                    self.send_response(200)
                    self.send_header("Content-Type", "image/png")
                    if query.get("declare"):
                        self.send_header("Content-Length", str(size))
                    self.end_headers()
                    with contextlib.suppress(OSError):  # the reader may stop early: it should
                        self.wfile.write(PNG_1X1[:16])
                        block = bytes(64 * 1024)
                        for _ in range(size // len(block)):
                            self.wfile.write(block)
                    return
                if parts.path == "/redirect":
                    target = urllib.parse.parse_qs(parts.query).get("to", [""])[0]
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_HEAD = do_GET

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer((host, 0), Handler)
        self._server.daemon_threads = True
        self.host = host
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def redirect_to(self, target: str) -> str:
        return f"{self.url}/redirect?to={urllib.parse.quote(target, safe='')}"

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def assert_nothing_left() -> None:
    """Every process these helpers started is gone, but those of stacks still in use (checked
    at the end of a suite; the stacks check their own processes when they stop)."""
    strays = SPAWNED.kill_strays()
    assert not strays, f"processes left running: {[f'{p.name} {p.pid}' for p in strays]}"
