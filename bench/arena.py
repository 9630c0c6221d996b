"""Arena figures, one Client and one Chromium: a side-by-side turn against a direct one (the
two replies share one stream), the Turnstile token a vote needs, and a whole vote."""

from __future__ import annotations

import statistics
import time

from lmarena_client import Client

from .stats import Row, ms, p50_p99

A, B = "gemini-3-pro", "deepseek-v3.2"
# 40 words at 25 ms a line: about one second per reply.
TURN = "benchmark arena turn [fake: words=40 delay_ms=25]"


async def direct_turn(client: Client) -> float:
    chat = await client.chats.create(model=A)
    started = time.perf_counter()
    await chat.send(TURN)
    return time.perf_counter() - started


async def side_by_side_turn(client: Client) -> float:
    chat = await client.chats.compare(A, B)
    started = time.perf_counter()
    await chat.send(TURN)
    return time.perf_counter() - started


async def turnstile_times(client: Client, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        await client.browser.mint_turnstile("pairwise_feedback")
        times.append(time.perf_counter() - started)
    return times


async def vote_times(client: Client, count: int) -> list[float]:
    times = []
    for _ in range(count):
        chat = await client.chats.compare(A, B)
        await chat.send("vote on this [fake: words=2 delay_ms=0]")
        started = time.perf_counter()
        await chat.vote("tie")
        times.append(time.perf_counter() - started)
    return times


async def run(client: Client, quick: bool) -> list[Row]:
    repeats = 3
    direct = statistics.median([await direct_turn(client) for _ in range(repeats)])
    pair = statistics.median([await side_by_side_turn(client) for _ in range(repeats)])
    mints = await turnstile_times(client, 5 if quick else 20)
    votes = await vote_times(client, 3 if quick else 10)
    return [
        Row("direct turn wall time", ms(direct), note=f"median of {repeats}; 40 words"),
        Row("side-by-side turn wall time", ms(pair), note=f"median of {repeats}; 40 words each"),
        Row("side-by-side / direct", f"{pair / direct:.2f}x", note="one stream carries both"),
        Row("Turnstile token p50 / p99", p50_p99(mints), note=f"{len(mints)} tokens"),
        Row("vote p50 / p99", p50_p99(votes), note=f"{len(votes)} votes, tokens included"),
    ]
