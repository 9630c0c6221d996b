"""Where the queue path's time to first token goes, read from redis-server's own clock.

A ``MONITOR`` connection reports every command the API and the worker send, stamped by Redis
(wall clock, microseconds). For each request the first command matching each marker below is
found after the POST was sent; the gaps between consecutive markers are the phases. The client's
send and first-content times are wall-clock stamps from this process, so the first and the last
phase include one loopback hop.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import aiohttp
import redis.asyncio as aioredis

from lmarena_worker.contract import QUEUE_NAME

from .sse import StreamTiming, chat_body, timed_stream
from .stats import Row, p50_p99

# (phase name ending at this marker, command prefix); matched in this order. ``{job}`` is the
# job id, known from the SUBSCRIBE (other jobs' commands interleave when the worker is busy).
MARKERS: tuple[tuple[str, str], ...] = (
    # The worker-state read is cached for 0.25 s, so most requests send no GET: not a marker.
    (
        "POST -> SUBSCRIBE (HTTP, validation, state read when stale, pub/sub connection)",
        "SUBSCRIBE lmarena:events:",
    ),
    # Commands a Lua script runs show in MONITOR too: PSETEX inside the admission script.
    ("SUBSCRIBE -> admission script (count, PSETEX, ZADD) runs", "PSETEX arq:job:{job}"),
    ("admission -> wake-up", "PUBLISH lmarena:wake"),
    ("wake-up -> worker polls the queue", "ZRANGEBYSCORE lmarena:queue"),
    ("arq claims the job (WATCH, EXISTS, ZSCORE, MULTI/EXEC)", "PSETEX arq:in-progress:{job}"),
    ("arq loads the job -> the queue gate's start script", "SET lmarena:job:{job}:state"),
    ("gate passed -> `started` published", "PUBLISH lmarena:events:{job} "),
    ("worker: library create + send -> first `text` published", "PUBLISH lmarena:events:{job} "),
)
_CHANNEL = "lmarena:events:"
# Replies that outlast the profile (about 40 s); cancelled (client disconnect) at its end.
LONG_CHAT = "busy {i} [fake: words=2000 delay_ms=20]"
RELAY_PHASE = "first `text` published -> client has the SSE chunk"


@dataclass
class Monitor:
    seen: list[tuple[float, str]] = field(default_factory=list)

    async def read(self, monitor: aioredis.client.Monitor) -> None:
        async for info in monitor.listen():
            self.seen.append((info["time"], info["command"]))


@asynccontextmanager
async def monitored(redis_url: str) -> AsyncIterator[Monitor]:
    client = aioredis.Redis.from_url(redis_url)
    recorder = Monitor()
    try:
        async with client.monitor() as monitor:
            task = asyncio.create_task(recorder.read(monitor))
            try:
                yield recorder
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
    finally:
        await client.aclose()


# Indices into the stamps of one request: [sent, marker 1, ..., marker N, client got it].
def _stamp_index(prefix: str) -> int:
    return 1 + next(i for i, (_, pattern) in enumerate(MARKERS) if pattern.startswith(prefix))


WAKE = _stamp_index("PUBLISH lmarena:wake")
CLAIMED = _stamp_index("PSETEX arq:in-progress:")
STARTED = _stamp_index("PUBLISH lmarena:events:")
FIRST_TEXT = STARTED + 1
CLAIM_COMMANDS = ("WATCH arq:in-progress:", "EXISTS arq:in-progress:", "ZSCORE lmarena:queue")


def stamps_of(seen: Sequence[tuple[float, str]], sent: float, got: float) -> list[float] | None:
    """Send time, the time of each marker in order, and receive time; None if one is missing."""
    stamps = [sent]
    job = ""
    commands = iter([(t, c) for t, c in seen if t >= sent])
    for _, pattern in MARKERS:
        prefix = pattern.format(job=job)
        found = next(((t, c) for t, c in commands if c.startswith(prefix)), None)
        if found is None:
            return None
        stamps.append(found[0])
        if not job and found[1].startswith("SUBSCRIBE " + _CHANNEL):
            job = found[1].split(_CHANNEL, 1)[1].split()[0]
    return [*stamps, got]


def claim_round_trips(seen: Sequence[tuple[float, str]], stamps: list[float]) -> int:
    """arq's per-job claim commands between the wake-up and our job's claim (all jobs)."""
    start, end = stamps[WAKE], stamps[CLAIMED]
    return sum(1 for t, c in seen if start <= t <= end and c.startswith(CLAIM_COMMANDS))


@dataclass
class Breakdown:
    phases: list[list[float]] = field(default_factory=list)  # per request
    pickups: list[float] = field(default_factory=list)  # wake-up -> `started`
    claim_commands: list[int] = field(default_factory=list)
    totals: list[float] = field(default_factory=list)
    added: list[float] = field(default_factory=list)  # TTFT minus the worker's library time
    unmatched: int = 0
    connections: float = 0.0  # new Redis connections per request

    def add(self, seen: Sequence[tuple[float, str]], timing: StreamTiming) -> None:
        stamps = stamps_of(seen, timing.wall_started, timing.wall_first)
        if stamps is None:
            self.unmatched += 1
            return
        self.phases.append([b - a for a, b in itertools.pairwise(stamps)])
        self.pickups.append(stamps[STARTED] - stamps[WAKE])
        self.claim_commands.append(claim_round_trips(seen, stamps))
        self.totals.append(timing.ttft)
        self.added.append(timing.ttft - (stamps[FIRST_TEXT] - stamps[STARTED]))


async def _connections(redis_url: str) -> int:
    client = aioredis.Redis.from_url(redis_url)
    try:
        stats = await client.info("stats")
    finally:
        await client.aclose()
    return int(stats["total_connections_received"])


async def profile(
    session: aiohttp.ClientSession, api_url: str, redis_url: str, model: str, count: int
) -> Breakdown:
    result = Breakdown()
    before = await _connections(redis_url)
    async with monitored(redis_url) as monitor:
        for i in range(count):
            monitor.seen.clear()
            body = chat_body(model, f"profile {i} [fake: words=4 delay_ms=2]")
            timing = await timed_stream(session, api_url, body)
            await asyncio.sleep(0.01)  # let the last MONITOR lines arrive
            result.add(monitor.seen, timing)
    # minus this function's own: the MONITOR connection and the two INFO connections
    result.connections = (await _connections(redis_url) - before - 2) / count
    return result


def breakdown_rows(result: Breakdown) -> list[Row]:
    if not result.phases:
        return [Row("redis TTFT split", "no request matched", note=f"{result.unmatched} tried")]
    names = [name for name, _ in MARKERS] + [RELAY_PHASE]
    count = len(result.phases)
    rows = [
        Row(f"split {i + 1}: {name} p50 / p99", p50_p99([p[i] for p in result.phases]))
        for i, name in enumerate(names)
    ]
    rows += [
        Row("split: wake-up -> `started` (worker pickup) p50 / p99", p50_p99(result.pickups)),
        Row(
            "split: TTFT via API (redis) with MONITOR on, p50 / p99",
            p50_p99(result.totals),
            note=f"{count} requests ({result.unmatched} unmatched); "
            f"{result.connections:.2f} new Redis connections per request",
        ),
        Row("queue overhead per request (redis): TTFT - worker's library time, p50 / p99",
            p50_p99(result.added), note="all splits but 10; no library noise in it"),
    ]  # fmt: skip
    return rows


async def _long_chat(session: aiohttp.ClientSession, api_url: str, model: str, i: int) -> None:
    await timed_stream(session, api_url, chat_body(model, LONG_CHAT.format(i=i)))


async def _wait_running(redis_url: str, count: int) -> None:
    """Until ``count`` jobs are running (arq keeps a running job in the queue set)."""
    client = aioredis.Redis.from_url(redis_url)
    try:
        deadline = time.monotonic() + 30
        while await client.zcard(QUEUE_NAME) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{count} background chats did not start")
            await asyncio.sleep(0.05)
    finally:
        await client.aclose()


async def busy_profile(
    session: aiohttp.ClientSession,
    api_url: str,
    redis_url: str,
    model: str,
    count: int,
    busy: int,
) -> Breakdown:
    """``profile`` while ``busy`` long chats stream through the same worker."""
    background = [asyncio.create_task(_long_chat(session, api_url, model, i)) for i in range(busy)]
    try:
        await _wait_running(redis_url, busy)
        await asyncio.sleep(0.5)
        return await profile(session, api_url, redis_url, model, count)
    finally:
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)


def busy_rows(busy: Breakdown, idle: Breakdown, chats: int) -> list[Row]:
    name = f"busy worker ({chats} chats streaming)"
    if not busy.totals:
        return [Row(f"{name}: TTFT split", "no request matched", note=f"{busy.unmatched} tried")]
    idle_pickup = p50_p99(idle.pickups) if idle.pickups else "n/a"
    return [
        Row(f"{name}: TTFT via API (redis) p50 / p99", p50_p99(busy.totals),
            note=f"{len(busy.totals)} requests, MONITOR on"),
        Row(f"{name}: TTFT - worker's library time p50 / p99", p50_p99(busy.added),
            note=f"idle worker: {p50_p99(idle.added) if idle.added else 'n/a'}"),
        Row(f"{name}: wake-up -> `started` p50 / p99", p50_p99(busy.pickups),
            note=f"idle worker: {idle_pickup}"),
        Row(f"{name}: arq claim commands before the new job is claimed",
            f"{statistics.median(busy.claim_commands):.0f}",
            note=f"median; idle worker: {statistics.median(idle.claim_commands or [0]):.0f}"),
    ]  # fmt: skip
