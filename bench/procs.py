"""Child processes of a bench run, started by ``harness`` into one group and stopped by PID.

Starting waits in a thread, so the event loop (and the library Client's browser on it) keeps
running meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time

import aiohttp

from harness.api import start_api
from harness.group import ProcessGroup
from harness.proc import Proc, spawn
from harness.redis_server import start_redis
from harness.site import start_fake_arena
from harness.worker import start_worker

START_TIMEOUT = 60.0


class Processes:
    """Processes started by this run; ``stop_all`` ends them (and what they left) by PID."""

    def __init__(self) -> None:
        self.group = ProcessGroup()

    async def stop_all(self) -> None:
        procs = list(self.group.started)
        # a bench run reports numbers, not leftovers: what is left is killed at once
        await asyncio.to_thread(self.group.stop_all, 0.0)
        for proc in procs:
            with contextlib.suppress(OSError):
                proc.log.unlink()

    async def redis(self) -> Proc:
        return await asyncio.to_thread(start_redis, group=self.group, timeout=START_TIMEOUT)

    async def fake_site(self) -> Proc:
        return await asyncio.to_thread(start_fake_arena, group=self.group, timeout=START_TIMEOUT)

    async def api(self, redis_url: str | None, **env: str) -> Proc:
        """``lmarena-server``: the API alone with ``redis_url``, everything in one without."""
        return await asyncio.to_thread(
            start_api, redis_url, group=self.group, timeout=START_TIMEOUT, **env
        )

    def worker(self, redis_url: str, origin: str) -> Proc:
        return start_worker(redis_url, origin, group=self.group)

    def synthetic_worker(self, redis_url: str) -> Proc:
        cmd = [sys.executable, "-m", "bench.synthetic_worker", "--redis-url", redis_url]
        return spawn("synthetic-worker", cmd, group=self.group)


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
