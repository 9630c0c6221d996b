"""Crash recovery: SIGKILL the worker mid-reply, start a new one at once (as a supervisor with
``restart: always`` does), and time what clients see; then failover to a standby, several
times."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time

import aiohttp

from .overhead import MODEL
from .stack import QueueStack
from .stats import Row, median, ms

LONG = "long [fake: words=400 delay_ms=50]"


async def _long_stream(session: aiohttp.ClientSession, url: str, flowing: asyncio.Event) -> float:
    """Read a long streamed reply; returns when its error event arrived (monotonic)."""
    body = {"model": MODEL, "stream": True, "messages": [{"role": "user", "content": LONG}]}
    async with session.post(f"{url}/v1/chat/completions", json=body) as resp:
        async for raw in resp.content:
            line = raw.decode().strip()
            if line.startswith("data: {") and '"error"' in line:
                return time.monotonic()
            if line.startswith("data: {") and json.loads(line[6:])["choices"][0]["delta"].get(
                "content"
            ):
                flowing.set()
    raise RuntimeError("the stream ended without an error after the worker was killed")


async def _served(session: aiohttp.ClientSession, url: str, timeout: float = 90) -> float:
    """Post a short chat until one is answered 200 (503 while no worker); monotonic time."""
    body = {"model": MODEL, "messages": [{"role": "user", "content": "are you back?"}]}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with session.post(f"{url}/v1/chat/completions", json=body) as resp:
            await resp.read()
            if resp.status == 200:
                return time.monotonic()
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no chat served within {timeout:.0f} s of the restart")


async def run(stack: QueueStack, session: aiohttp.ClientSession) -> list[Row]:
    flowing = asyncio.Event()
    stream = asyncio.create_task(_long_stream(session, stack.api_url, flowing))
    await asyncio.wait_for(flowing.wait(), 30)
    killed = time.monotonic()
    os.kill(stack.worker.pid, signal.SIGKILL)
    await asyncio.to_thread(stack.worker.popen.wait, 10)
    stack.worker = stack.procs.worker(stack.redis.extra["url"], stack.fake.extra["url"])
    served = await _served(session, stack.api_url)
    told = await asyncio.wait_for(stream, 30)
    return [
        Row("crash: worker SIGKILL -> its in-flight stream gets an error", ms(told - killed),
            note="the restarted worker takes the lease and drops the dead one's liveness key"),
        Row("crash: worker SIGKILL -> next chat served by a restarted worker", ms(served - killed),
            note="new worker spawned at once; Chromium boot and bootstrap included"),
    ]  # fmt: skip


async def _standbys(session: aiohttp.ClientSession, url: str) -> int:
    async with session.get(f"{url}/ready") as resp:
        return int((await resp.json()).get("standbys", 0))


async def failover(stack: QueueStack, session: aiohttp.ClientSession, trials: int) -> list[Row]:
    """A standby waits; SIGKILL the active worker; time to the first chat served again."""
    times: list[float] = []
    for _ in range(trials):
        standby = stack.procs.worker(stack.redis.extra["url"], stack.fake.extra["url"])
        deadline = time.monotonic() + 60
        while await _standbys(session, stack.api_url) < 1:
            if time.monotonic() > deadline:
                raise TimeoutError("the standby never reported")
            await asyncio.sleep(0.05)
        killed = time.monotonic()
        os.kill(stack.worker.pid, signal.SIGKILL)
        times.append(await _served(session, stack.api_url) - killed)
        await asyncio.to_thread(stack.worker.popen.wait, 10)
        stack.worker = standby
    return [
        Row(f"failover: active worker SIGKILL -> first chat served by the standby, p50 / max "
            f"of {trials}", f"{ms(median(times))} / {ms(max(times))}", goal="p50 <= 3 s",
            met=median(times) <= 3.0,
            note=f"lease TTL 2 s; standby's Chromium launched, identity from Redis; "
                 f"each: {', '.join(f'{t:.2f}' for t in times)} s"),
    ]  # fmt: skip
