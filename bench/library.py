"""Library figures, one Client and one Chromium: token mint, 1 vs 8 concurrent chats."""

from __future__ import annotations

import asyncio
import statistics
import time

from lmarena_client import Client

from .stats import Row, at_most, ms, p50_p99

MODEL = "gemini-3-pro"
# 40 words at 25 ms a line: a reply of about one second, long enough to show overlap.
EQUAL_CHAT = "benchmark chat [fake: words=40 delay_ms=25]"
GOAL_RATIO = 1.3


async def mint_times(client: Client, count: int) -> list[float]:
    site = await client._ready()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        await client.browser.mint_token(site.site_key, "chat_submit")
        times.append(time.perf_counter() - started)
    return times


async def chat_wall_time(client: Client, parallel: int) -> float:
    chats = [await client.chats.create(model=MODEL) for _ in range(parallel)]
    started = time.perf_counter()
    await asyncio.gather(*(chat.send(EQUAL_CHAT) for chat in chats))
    return time.perf_counter() - started


async def run(client: Client, quick: bool) -> list[Row]:
    mints = await mint_times(client, 10 if quick else 60)
    repeats = 3
    one = statistics.median([await chat_wall_time(client, 1) for _ in range(repeats)])
    eight = statistics.median([await chat_wall_time(client, 8) for _ in range(repeats)])
    return [
        Row("token mint p50 / p99", p50_p99(mints), note=f"{len(mints)} mints"),
        Row("1 chat wall time", ms(one), note=f"median of {repeats}; 40 words, 25 ms apart"),
        Row("8 concurrent chats wall time", ms(eight), note=f"median of {repeats}; same reply"),
        at_most("8 chats / 1 chat (one Client)", eight / one, GOAL_RATIO, ""),
    ]
