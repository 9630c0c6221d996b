"""Child processes of a bench run, each on a free loopback port, each stopped by its PID.

``tests/processes.py`` spawns them (``spawn``, ``free_port``); here a process is registered the
moment it exists and only then waited for, so one that never gets ready is still stopped, and
``stop_all`` also kills, by PID, whatever a stopped process left behind (a Chromium).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sys
import time
from collections.abc import Awaitable, Callable

import aiohttp

from tests.processes import BIN, Proc, free_port, spawn

from .procinfo import descendants, start_ticks

START_TIMEOUT = 60.0


class Processes:
    """Processes started by this run; ``stop_all`` ends them (and what they left) by PID."""

    def __init__(self) -> None:
        self._procs: list[Proc] = []

    def spawn(self, name: str, cmd: list[str], env: dict[str, str] | None = None) -> Proc:
        proc = spawn(name, cmd, env)
        self._procs.append(proc)
        return proc

    async def stop_all(self) -> None:
        for proc in reversed(self._procs):
            # only while it is unreaped is its PID still its own
            alive = proc.alive()
            below = [(pid, start_ticks(pid)) for pid in descendants(proc.pid)] if alive else []
            await asyncio.to_thread(proc.stop)
            _kill_leftovers(below)
            with contextlib.suppress(OSError):
                proc.log.unlink()
        self._procs.clear()

    # -- the processes ---------------------------------------------------------------------

    async def redis(self) -> Proc:
        exe = shutil.which("redis-server")
        if exe is None:
            raise RuntimeError("redis-server is not installed")
        port = free_port()
        cmd = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        proc = self.spawn("redis", cmd)
        proc.extra["url"] = f"redis://127.0.0.1:{port}/0"
        await _until(proc, lambda: _pong(port), "redis-server")
        return proc

    async def fake_site(self) -> Proc:
        port = free_port()
        cmd = [sys.executable, "-m", "lmarena_client.testing", "--host", "127.0.0.1"]
        proc = self.spawn("fake-arena", [*cmd, "--port", str(port)])
        proc.extra["url"] = url = f"http://127.0.0.1:{port}"
        await _until(proc, lambda: _http_ok(f"{url}/__fake__/counters"), "fake site")
        return proc

    async def api(self, redis_url: str | None, **env: str) -> Proc:
        """``lmarena-server``: the API alone with ``redis_url``, everything in one without."""
        port = free_port()
        full = {"LM_ARENA_HOST": "127.0.0.1", "LM_ARENA_PORT": str(port), **env}
        if redis_url:
            full["LM_ARENA_REDIS_URL"] = redis_url
        proc = self.spawn("api", [str(BIN / "lmarena-server")], full)
        proc.extra["url"] = url = f"http://127.0.0.1:{port}"
        await _until(proc, lambda: _http_ok(f"{url}/health"), "API")
        return proc

    def worker(self, redis_url: str, origin: str) -> Proc:
        env = {
            "LM_ARENA_REDIS_URL": redis_url,
            "LM_ARENA_ORIGIN": origin,
            "LM_ARENA_BROWSER_HEADLESS": "1",
        }
        return self.spawn("worker", [str(BIN / "lmarena-worker")], env)

    def synthetic_worker(self, redis_url: str) -> Proc:
        cmd = [sys.executable, "-m", "bench.synthetic_worker", "--redis-url", redis_url]
        return self.spawn("synthetic-worker", cmd)


def _kill_leftovers(processes: list[tuple[int, int]]) -> None:
    """SIGKILL what a stopped process left running, each checked to be the same process."""
    for pid, started in processes:
        if start_ticks(pid) == started:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


async def _pong(port: int) -> bool:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    try:
        writer.write(b"PING\r\n")
        return (await reader.read(16)).startswith(b"+PONG")
    finally:
        writer.close()


async def _http_ok(url: str) -> bool:
    timeout = aiohttp.ClientTimeout(total=2)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as resp:
            return resp.status == 200
    except (aiohttp.ClientError, OSError, TimeoutError):
        return False


async def _until(proc: Proc, check: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{what} exited at startup:\n{proc.output()}")
        if await check():
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{what} not ready within {START_TIMEOUT:.0f} s:\n{proc.output()}")


async def wait_ready(session: aiohttp.ClientSession, api_url: str, timeout: float) -> float:
    """Poll ``GET /ready`` every 20 ms until it answers 200; returns the monotonic time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(aiohttp.ClientError, OSError):
            async with session.get(f"{api_url}/ready") as resp:
                if resp.status == 200:
                    return time.monotonic()
        await asyncio.sleep(0.02)
    raise TimeoutError(f"{api_url}/ready did not answer 200 within {timeout:.0f} s")
