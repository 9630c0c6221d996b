"""The queue-path stack: the fake site, the library's own Client, and both API deployments.

Everything starts one after another, so each cold start is timed alone, and everything is
stopped by PID at the end, whatever happened.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp

from harness.proc import Proc
from harness.proctree import chromium_tree
from lmarena_client import Client

from .procs import Processes, wait_ready

READY_TIMEOUT = 90.0
READY_LINE = "worker ready with"  # logged by lmarena_worker.status once the models are out


@dataclass
class QueueStack:
    fake: Proc
    client: Client  # this process's own library Client, on the same fake site
    redis: Proc
    api: Proc  # API alone, jobs over the real redis-server
    worker: Proc  # lmarena-worker on the same redis-server
    one_process: Proc  # lmarena-server without Redis: API, worker and fakeredis in one process
    procs: Processes  # starts a replacement worker
    cold: dict[str, float] = field(default_factory=dict)

    @property
    def api_url(self) -> str:
        return self.api.extra["url"]

    @property
    def one_process_url(self) -> str:
        return self.one_process.extra["url"]

    def worker_chromium(self) -> list[int]:
        return chromium_tree(self.worker.pid)


async def _cold_client(url: str) -> tuple[Client, float]:
    client = Client(origin=url, browser_headless=True)
    started = time.monotonic()
    try:
        await client.bootstrap()
    except BaseException:
        await client.close()
        raise
    return client, time.monotonic() - started


def logged_ready(proc: Proc) -> float:
    """Wall time of the worker's "worker ready" log line (logging's asctime, local time)."""
    for line in proc.log.read_text(errors="replace").splitlines():
        if READY_LINE in line:
            stamp, millis = line[:23].split(",")
            return time.mktime(time.strptime(stamp, "%Y-%m-%d %H:%M:%S")) + int(millis) / 1000
    return math.nan


async def _ready_times(
    session: aiohttp.ClientSession, proc: Proc, api_url: str, started: float
) -> tuple[float, float]:
    """Spawn-to-ready, and how long after the worker logged 'ready' /ready said so."""
    ready = await wait_ready(session, api_url, READY_TIMEOUT)
    ready_wall = time.time() - (time.monotonic() - ready)
    return ready - started, ready_wall - logged_ready(proc)


@contextlib.asynccontextmanager
async def queue_stack() -> AsyncIterator[QueueStack]:
    procs = Processes()
    client: Client | None = None
    try:
        async with aiohttp.ClientSession() as session:
            fake = await procs.fake_site()
            origin = fake.extra["url"]
            client, cold_library = await _cold_client(origin)
            redis = await procs.redis()
            api = await procs.api(redis.extra["url"])
            started = time.monotonic()
            worker = procs.worker(redis.extra["url"], origin)
            cold_worker, lag_worker = await _ready_times(session, worker, api.extra["url"], started)
            started = time.monotonic()
            one = await procs.api(None, LM_ARENA_ORIGIN=origin, LM_ARENA_BROWSER_HEADLESS="1")
            cold_one, lag_one = await _ready_times(session, one, one.extra["url"], started)
        stack = QueueStack(fake, client, redis, api, worker, one, procs)
        stack.cold.update(library=cold_library, worker=cold_worker, one_process=cold_one)
        stack.cold.update(worker_lag=lag_worker, one_process_lag=lag_one)
        yield stack
    finally:
        if client is not None:
            await client.close()
        await procs.stop_all()
