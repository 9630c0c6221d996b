"""Shared tools of the fault and hostile suites: whole stacks of real processes, readings from
/proc and Redis, the fake site's control endpoints, SSE reading, and small local HTTP servers.

Everything listens on and talks to 127.0.0.1 only. Every process started here is recorded in
``SPAWNED`` so the suites can check at the end that none is left.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import redis

from tests.processes import (
    BIN,
    Proc,
    free_port,
    http_ok,
    spawn,
    start_fake_arena,
    start_redis,
    wait_until,
)

MODEL = "gemini-3-pro"
LONG = "long [fake: words=400 delay_ms=50]"  # about 20 s of words: always cut short in tests

PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63f8dfc0f01f000680027f104c1be10000000049454e44ae426082"
)

SPAWNED: list[Proc] = []
ACTIVE_STACKS: list[Stack] = []  # stacks not stopped yet (a session fixture may still own one)


def tracked(proc: Proc) -> Proc:
    SPAWNED.append(proc)
    return proc


# -- processes ---------------------------------------------------------------------------------


def start_redis_on(port: int) -> Proc:
    """redis-server on a given port (a restart keeps the port), tracked for clean-up."""
    return tracked(start_redis(port))


def start_fake(*flags: str) -> Proc:
    return tracked(start_fake_arena(*flags))


def start_worker_proc(redis_url: str, origin: str, *, log_level: str = "INFO", **env: str) -> Proc:
    return tracked(
        spawn(
            "worker",
            [str(BIN / "lmarena-worker"), "--log-level", log_level],
            {
                "LM_ARENA_REDIS_URL": redis_url,
                "LM_ARENA_ORIGIN": origin,
                "LM_ARENA_BROWSER_HEADLESS": "1",
                **env,
            },
        )
    )


def start_api_proc(redis_url: str, *, log_level: str = "info", **env: str) -> Proc:
    port = free_port()
    proc = tracked(
        spawn(
            "api",
            [str(BIN / "lmarena-server"), "--log-level", log_level],
            {"LM_ARENA_PORT": str(port), "LM_ARENA_REDIS_URL": redis_url, **env},
        )
    )
    proc.extra["url"] = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: http_ok(f"{proc.extra['url']}/health"), 30, "API")
    except TimeoutError:
        proc.stop()
        raise AssertionError(f"API did not start:\n{proc.output()}") from None
    return proc


def kill_hard(proc: Proc) -> None:
    """SIGKILL by PID and reap: no shutdown code of the process runs."""
    if proc.alive():
        os.kill(proc.pid, signal.SIGKILL)
        proc.popen.wait(10)


def full_log(proc: Proc) -> str:
    return proc.log.read_text(errors="replace")


def api_ready(api_url: str) -> bool:
    try:
        resp = httpx.get(f"{api_url}/ready", timeout=2)
    except httpx.HTTPError:
        return False
    return resp.status_code == 200 and bool(resp.json().get("ready"))


def worker_ready_in(redis_url: str, pid: int) -> bool:
    """The heartbeat in Redis is this worker's and says ready."""
    beat = heartbeat(redis_url)
    return beat is not None and beat.get("pid") == pid and beat.get("state") == "ready"


@dataclass
class Stack:
    """redis-server, the fake site, one worker and one API process, all on 127.0.0.1."""

    redis: Proc
    fake: Proc
    worker: Proc
    api: Proc
    others: list[Proc] = field(default_factory=list)

    @property
    def api_url(self) -> str:
        return self.api.extra["url"]

    @property
    def fake_url(self) -> str:
        return self.fake.extra["url"]

    @property
    def redis_url(self) -> str:
        return self.redis.extra["url"]

    def logs(self) -> str:
        return f"--- worker ---\n{self.worker.output()}\n--- api ---\n{self.api.output()}"

    def replace_worker(self, **env: str) -> Proc:
        """A new worker on the same Redis and site (the old one must be gone already)."""
        self.others.append(self.worker)
        self.worker = start_worker_proc(self.redis_url, self.fake_url, **env)
        return self.worker

    def procs(self) -> list[Proc]:
        return [self.api, *self.others, self.worker, self.fake, self.redis]

    def stop(self) -> None:
        ACTIVE_STACKS[:] = [stack for stack in ACTIVE_STACKS if stack is not self]
        stop_all(self.procs())


def stop_all(procs: list[Proc]) -> None:
    """Stop each process by PID; a worker's browser processes must be gone afterwards."""
    errors: list[str] = []
    for proc in procs:
        below = descendants(proc.pid) if proc.alive() else []
        try:
            proc.stop()
        except (OSError, subprocess.SubprocessError) as exc:
            errors.append(f"{proc.name} {proc.pid}: {exc}")
        left = [pid for pid in below if pid_alive(pid)]
        deadline = time.monotonic() + 10
        while left and time.monotonic() < deadline:
            time.sleep(0.1)
            left = [pid for pid in left if pid_alive(pid)]
        for pid in left:  # clean up, then report: a stopped worker must not leave Chromium
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            errors.append(f"{proc.name} {proc.pid} left process {pid}")
    if errors:
        raise AssertionError("; ".join(errors))


def start_stack(
    *,
    worker_env: dict[str, str] | None = None,
    api_env: dict[str, str] | None = None,
    fake_flags: tuple[str, ...] = (),
    log_level: str = "INFO",
    redis_port: int | None = None,
) -> Stack:
    """A whole stack; returns once the worker is ready (its models are published)."""
    started: list[Proc] = []
    try:
        redis_proc = start_redis_on(redis_port or free_port())
        started.append(redis_proc)
        fake = start_fake(*fake_flags)
        started.append(fake)
        worker = start_worker_proc(
            redis_proc.extra["url"], fake.extra["url"], log_level=log_level, **(worker_env or {})
        )
        started.append(worker)
        api = start_api_proc(
            redis_proc.extra["url"], log_level=log_level.lower(), **(api_env or {})
        )
        started.append(api)
        stack = Stack(redis_proc, fake, worker, api)
        ACTIVE_STACKS.append(stack)
        try:
            wait_until(lambda: api_ready(stack.api_url), 90, "worker")
        except TimeoutError:
            raise AssertionError(f"the stack never got ready:\n{stack.logs()}") from None
        return stack
    except BaseException:
        stop_all(list(reversed(started)))
        raise


# -- /proc -------------------------------------------------------------------------------------


def pid_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _ppid(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def children(pid: int) -> list[int]:
    return [child for child in all_pids() if _ppid(child) == pid]


def descendants(pid: int) -> list[int]:
    parents = {child: _ppid(child) for child in all_pids()}
    found: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        kids = [child for child, parent in parents.items() if parent == current]
        found += kids
        todo += kids
    return found


def cmdline(pid: int) -> str:
    try:
        return (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return ""


def chromium_pids(worker_pid: int) -> list[int]:
    """The worker's Chromium: its children started with a DevTools port."""
    return [pid for pid in children(worker_pid) if "--remote-debugging-port" in cmdline(pid)]


def profile_dir(chromium_pid: int) -> str:
    for part in cmdline(chromium_pid).split():
        if part.startswith("--user-data-dir="):
            return part.split("=", 1)[1]
    raise AssertionError(f"no --user-data-dir in {cmdline(chromium_pid)!r}")


def pids_with(text: str) -> list[int]:
    """Live processes whose command line contains ``text`` (for a profile dir: that Chromium)."""
    me = os.getpid()
    return [pid for pid in all_pids() if pid != me and text in cmdline(pid) and pid_alive(pid)]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


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


# -- a guard against traffic off this machine, for worker processes ------------------------

GUARD_SITECUSTOMIZE = r'''
"""Test seam loaded into a worker process (PYTHONPATH): no connection off loopback, no DNS.

* Every asyncio connect to a non-loopback address is refused and written to LMTEST_GUARD_LOG.
* Host names resolve only through the LMTEST_HOSTS table (JSON name -> [addresses]);
  IP literals and numeric forms resolve locally; anything else does not resolve (no DNS query).
* LMTEST_PUBLIC_STANDIN names one loopback address the image fetcher's address policy treats as
  public, standing in for an attacker's public server (its redirects are what is tested).
"""
import asyncio
import ipaddress
import json
import os
import socket

_LOG = os.environ.get("LMTEST_GUARD_LOG", "")
_HOSTS = json.loads(os.environ.get("LMTEST_HOSTS", "{}"))
_STANDIN = os.environ.get("LMTEST_PUBLIC_STANDIN", "")


def _note(what):
    if _LOG:
        with open(_LOG, "a") as out:
            out.write(what + "\n")


def _loopback(host):
    try:
        address = ipaddress.ip_address(str(host).split("%")[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


_sock_connect = asyncio.BaseEventLoop.sock_connect


async def _guarded_sock_connect(self, sock, address):
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
        _note(f"connect {address!r}")
        raise ConnectionRefusedError(f"test guard: no traffic to {address[0]}")
    return await _sock_connect(self, sock, address)


asyncio.BaseEventLoop.sock_connect = _guarded_sock_connect

_getaddrinfo = socket.getaddrinfo


def _guarded_getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
    name = host.decode() if isinstance(host, bytes) else host
    if name is not None and name.lower() in _HOSTS:
        out = []
        for text in _HOSTS[name.lower()]:
            out += _getaddrinfo(text, port, family, type, proto, flags | socket.AI_NUMERICHOST)
        return out
    try:
        return _getaddrinfo(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)
    except socket.gaierror:
        if name in (None, "localhost"):
            return _getaddrinfo(host, port, family, type, proto, flags)
        _note(f"resolve {name!r}")
        raise socket.gaierror(socket.EAI_NONAME, "test guard: no DNS") from None


socket.getaddrinfo = _guarded_getaddrinfo

if _STANDIN:
    from lmarena_client import safe_fetch

    _reason = safe_fetch.forbidden_reason
    _standin = ipaddress.ip_address(_STANDIN)

    def _forbidden_reason(address):
        return None if address == _standin else _reason(address)

    safe_fetch.forbidden_reason = _forbidden_reason
'''


@contextlib.contextmanager
def guard_env(
    hosts: dict[str, list[str]] | None = None, standin: str = ""
) -> Iterator[tuple[dict[str, str], Path]]:
    """Environment for a guarded worker, and the guard's log (empty while nothing was refused)."""
    with tempfile.TemporaryDirectory(prefix="lmtest-guard-") as folder:
        Path(folder, "sitecustomize.py").write_text(GUARD_SITECUSTOMIZE)
        log = Path(folder, "guard.log")
        log.touch()
        env = {
            "PYTHONPATH": folder,
            "LMTEST_GUARD_LOG": str(log),
            "LMTEST_HOSTS": json.dumps(hosts or {}),
            "LMTEST_PUBLIC_STANDIN": standin,
        }
        yield env, log


def assert_nothing_left() -> None:
    """Every process these helpers started is gone, but those of stacks still in use (checked
    at the end of a suite; the stacks check their own processes when they stop)."""
    owned = {proc.pid for stack in ACTIVE_STACKS for proc in stack.procs()}
    strays = [proc for proc in SPAWNED if proc.alive() and proc.pid not in owned]
    for proc in strays:
        with contextlib.suppress(OSError):
            proc.stop(signal.SIGKILL, timeout=5)
    assert not strays, f"processes left running: {[f'{p.name} {p.pid}' for p in strays]}"
