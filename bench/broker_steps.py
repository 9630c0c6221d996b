"""The API's queue steps timed alone, in this process: fakeredis (one-process mode) vs redis-server.

The one-process broker cannot be watched with MONITOR, so its share of the overhead is measured
here instead: the same ``lmarena_api.broker.Broker`` calls a chat request makes before the job
can be picked up (the worker-state read, subscribe + enqueue + wake-up), on an
``InMemoryBroker`` pool and on a pool to a private redis-server that no worker listens to.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from arq.connections import ArqRedis, RedisSettings, create_pool

from lmarena_api.broker import Broker
from lmarena_api.config import ApiSettings
from lmarena_api.history import TranscriptMap
from lmarena_api.schemas import parse_request
from lmarena_api.transcripts import transcript_of
from lmarena_worker.contract import (
    HEARTBEAT_KEY,
    MODELS_KEY,
    QUEUE_NAME,
    ChatJob,
    ChatResult,
    Heartbeat,
    ModelList,
)
from lmarena_worker.embedded import InMemoryBroker

from .procs import Processes
from .stats import Row, median, p50_p99

STEPS = ("worker state (one pipelined read, uncached)", "subscribe + enqueue + wake-up")


async def _seed(pool: ArqRedis) -> None:
    now = time.time()
    beat = Heartbeat(state="ready", worker_id="bench", pid=0, started_at=now, updated_at=now)
    await pool.set(HEARTBEAT_KEY, beat.model_dump_json())
    await pool.set(MODELS_KEY, ModelList(models=[], updated_at=time.time()).model_dump_json())


async def _timed(call: Callable[[], Awaitable[object]], count: int) -> float:
    """Median seconds of one call."""
    times = []
    for _ in range(count):
        started = time.perf_counter()
        await call()
        times.append(time.perf_counter() - started)
    return median(times)


async def step_times(pool: ArqRedis, count: int) -> list[float]:
    await _seed(pool)
    broker = Broker(pool, ApiSettings(max_queue=10**9))

    async def start_and_close() -> None:
        run = await broker.start_chat(ChatJob(model="bench", text="steps"))
        await run.close()

    async def read_state() -> None:
        await broker.view(max_age=0)

    calls = (read_state, start_and_close)
    try:
        return [await _timed(call, count) for call in calls]
    finally:
        await broker.events.close()


async def mapping_times(pool: ArqRedis, count: int) -> list[float]:
    """Seconds of the transcript-map lookup for a whole-history request that continues a
    recorded three-turn conversation (the extra work a stateless client's request costs)."""
    history = TranscriptMap(pool, ttl=3600, max_entries=10**6)
    said: list[dict[str, str]] = []
    for turn in range(3):
        said.append({"role": "user", "content": f"question {turn} " + "words " * 50})
        transcript = transcript_of(parse_request({"model": "m", "messages": said}), "m")
        plan = await history.plan(transcript, None, said[-1]["content"])
        reply = f"answer {turn} " + "words " * 200
        await history.remember(transcript, plan, ChatResult(text=reply, evaluation_session_id="s"))
        said.append({"role": "assistant", "content": reply})
    asked = transcript_of(
        parse_request({"model": "m", "messages": [*said, {"role": "user", "content": "next"}]}), "m"
    )
    times = []
    for _ in range(count):
        started = time.perf_counter()
        plan = await history.plan(asked, None, "next")
        times.append(time.perf_counter() - started)
        assert plan.mapping == "continued"
    return times


async def run(count: int) -> list[Row]:
    fake = InMemoryBroker().pool()
    try:
        in_memory = await step_times(fake, count)
        map_in_memory = await mapping_times(fake, count)
    finally:
        await fake.aclose()
    procs = Processes()
    try:
        redis = await procs.redis()
        pool = await create_pool(
            RedisSettings.from_dsn(redis.extra["url"]), default_queue_name=QUEUE_NAME
        )
        try:
            real = await step_times(pool, count)
            map_real = await mapping_times(pool, count)
        finally:
            await pool.aclose()
    finally:
        await procs.stop_all()
    rows = [
        Row(f"API step `{name}`: fakeredis / redis-server", f"{a * 1e3:.2f} / {b * 1e3:.2f} ms")
        for name, a, b in zip(STEPS, in_memory, real, strict=True)
    ]
    total = f"{sum(in_memory) * 1e3:.2f} / {sum(real) * 1e3:.2f} ms"
    note = f"medians of {count}, in the bench process (no HTTP, no worker)"
    lookup = Row(
        "API step `transcript mapping` (7-message history) p50 / p99: fakeredis | redis-server",
        f"{p50_p99(map_in_memory)} | {p50_p99(map_real)}",
        note=f"{count} lookups; fingerprinting included; part of every request without "
        "conversation.evaluationSessionId",
    )
    return [
        *rows,
        Row("API steps before pickup, sum: fakeredis / redis-server", total, note=note),
        lookup,
    ]
