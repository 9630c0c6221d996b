"""Queue overhead: time to first token through the API minus through the library, same site.

Three paths answer the same prompt from the same fake-site process, one request at a time and
interleaved round by round (so a slow moment of the machine hits all three alike):

- ``library``: this process's own ``Client`` (``chats.create`` + ``send(stream=True)``).
- ``redis``: ``lmarena-server`` with ``LM_ARENA_REDIS_URL`` + ``lmarena-worker`` + redis-server.
- ``one process``: ``lmarena-server`` without Redis (API, worker and fakeredis in one process).

API times are taken by an aiohttp client reading the SSE body, from the POST to the first chunk
with content; library times from ``chats.create`` to the first text delta.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import aiohttp

from lmarena_client import Client

from .sse import chat_body, timed_stream
from .stack import QueueStack
from .stats import Row, at_most, median, p50_p99, percentile

MODEL = "gemini-3-pro"
# A short reply, 2 ms between the site's stream lines: the first text line comes at once.
PROMPT = "queue overhead {i} [fake: words=4 delay_ms=2]"
PATHS = ("library", "redis", "one process")
GOAL_P50_MS = 3.0
GOAL_P99_MS = 15.0


async def library_ttft(client: Client, prompt: str) -> float:
    """From ``chats.create`` to the first text delta; the reply is read to its end."""
    started = time.perf_counter()
    chat = await client.chats.create(model=MODEL)
    first = 0.0
    async with await chat.send(prompt, stream=True) as stream:
        async for delta in stream:
            if not first and delta:
                first = time.perf_counter() - started
    return first


def _paths(
    stack: QueueStack, session: aiohttp.ClientSession
) -> dict[str, Callable[[str], Awaitable[float]]]:
    async def redis_path(prompt: str) -> float:
        return (await timed_stream(session, stack.api_url, chat_body(MODEL, prompt))).ttft

    async def one_process_path(prompt: str) -> float:
        return (await timed_stream(session, stack.one_process_url, chat_body(MODEL, prompt))).ttft

    async def library_path(prompt: str) -> float:
        return await library_ttft(stack.client, prompt)

    return {"library": library_path, "redis": redis_path, "one process": one_process_path}


async def measure(
    stack: QueueStack, session: aiohttp.ClientSession, rounds: int, warmup: int
) -> dict[str, list[float]]:
    """TTFT samples (seconds) per path; each round runs every path once, in a rotating order."""
    paths = _paths(stack, session)
    samples: dict[str, list[float]] = {name: [] for name in PATHS}
    for i in range(warmup + rounds):
        order = PATHS[i % 3 :] + PATHS[: i % 3]
        for name in order:
            ttft = await paths[name](PROMPT.format(i=i))
            if i >= warmup:
                samples[name].append(ttft)
    return samples


async def health_rtt(session: aiohttp.ClientSession, api_url: str) -> float:
    started = time.perf_counter()
    async with session.get(f"{api_url}/health") as resp:
        await resp.read()
    return time.perf_counter() - started


async def http_floor(stack: QueueStack, session: aiohttp.ClientSession, count: int) -> list[Row]:
    """``GET /health`` round trips of both deployments, interleaved: the HTTP hop alone."""
    urls = {"redis": stack.api_url, "one process": stack.one_process_url}
    times: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(count):
        for name, url in urls.items():
            times[name].append(await health_rtt(session, url))
    return [
        Row(f"HTTP floor ({name}): GET /health round trip p50 / p99", p50_p99(values),
            note="same client; the API path has this hop on top of the library's")
        for name, values in times.items()
    ]  # fmt: skip


# -- rows ----------------------------------------------------------------------------------


def overhead_ms(samples: dict[str, list[float]], path: str, pct: float) -> float:
    return (percentile(samples[path], pct) - percentile(samples["library"], pct)) * 1000


def summary_line(samples: dict[str, list[float]], path: str) -> str:
    p50, p99 = overhead_ms(samples, path, 50), overhead_ms(samples, path, 99)
    return f"queue overhead ({path}): p50 {p50:.1f} ms, p99 {p99:.1f} ms"


def overhead_rows(samples: dict[str, list[float]]) -> list[Row]:
    count = len(samples["library"])
    rows = [
        Row("TTFT, library direct p50 / p99", p50_p99(samples["library"]), note=f"{count} sends"),
    ]
    for path in ("redis", "one process"):
        diffs = [a - b for a, b in zip(samples[path], samples["library"], strict=True)]
        tail = overhead_ms(samples, path, 99)
        noise = "; below 0: the library's own tail was longer (noise)" if tail < 0 else ""
        rows += [
            Row(f"TTFT via API ({path}) p50 / p99", p50_p99(samples[path]), note=f"{count} SSE"),
            at_most(
                f"queue overhead ({path}) p50",
                overhead_ms(samples, path, 50),
                GOAL_P50_MS,
                "ms",
                f"p50(API) - p50(library); paired p50 {median(diffs) * 1000:.1f} ms",
            ),
            at_most(
                f"queue overhead ({path}) p99",
                tail,
                GOAL_P99_MS,
                "ms",
                f"p99(API) - p99(library); paired p99 {percentile(diffs, 99) * 1000:.1f} ms"
                + noise,
            ),
        ]
    return rows
