"""N concurrent SSE chat streams from one aiohttp client; prints a JSON summary on stdout.

``python -m bench.load_client http://127.0.0.1:PORT --streams 100 --deltas 200``

Runs in its own process, on uvloop, with one ``aiohttp.ClientSession``. Each delta's text starts
with ``ts<CLOCK_MONOTONIC ns>`` (written by ``bench.synthetic_worker`` just before publishing);
receive time minus that is the latency the API, Redis and this client added to it. So the
client cannot hide being the bottleneck, it reports its own CPU time and its event-loop lag (how
late a 10 ms sleep wakes up): a busy client shows both.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import uvloop

from .sse import chat_body
from .stats import percentile

_MARK = re.compile(rb'"content": ?"ts(\d+) ')
LAG_STEP = 0.01


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # seconds
    received: list[float] = field(default_factory=list)  # CLOCK_MONOTONIC seconds
    spans: list[tuple[float, float]] = field(default_factory=list)  # per stream: first, last
    errors: list[str] = field(default_factory=list)
    complete: int = 0


async def _read(resp: aiohttp.ClientResponse, tally: Tally) -> None:
    first = last = 0.0
    done = False
    async for line in resp.content:
        mark = _MARK.search(line)
        if mark is not None:
            now = time.monotonic_ns()
            tally.latencies.append((now - int(mark.group(1))) / 1e9)
            last = now / 1e9
            first = first or last
            tally.received.append(last)
        elif line.startswith(b"data: [DONE]"):
            done = True
        elif line.startswith(b'data: {"error"'):
            tally.errors.append(line.decode(errors="replace")[:200])
    if done and first:
        tally.complete += 1
        tally.spans.append((first, last))


async def _stream(
    session: aiohttp.ClientSession, url: str, body: bytes, delay: float, tally: Tally
) -> None:
    await asyncio.sleep(delay)
    headers = {"Content-Type": "application/json"}
    try:
        async with session.post(f"{url}/v1/chat/completions", data=body, headers=headers) as resp:
            if resp.status != 200:
                tally.errors.append(f"HTTP {resp.status}: {(await resp.text())[:200]}")
                return
            await _read(resp, tally)
    except (aiohttp.ClientError, TimeoutError) as exc:
        tally.errors.append(f"{type(exc).__name__}: {exc}")


async def _watch_lag(lags: list[float]) -> None:
    while True:
        before = time.monotonic()
        await asyncio.sleep(LAG_STEP)
        lags.append(time.monotonic() - before - LAG_STEP)


def _steady(tally: Tally) -> tuple[float, float, list[float]]:
    """While every stream was flowing: deltas per second, the window's length, the latencies."""
    if not tally.spans:
        return 0.0, 0.0, []
    start = max(first for first, _ in tally.spans)
    end = min(last for _, last in tally.spans)
    if end - start < 0.5:  # the streams hardly overlapped: use the whole run
        start, end = min(tally.received), max(tally.received)
    inside = [
        lat for t, lat in zip(tally.received, tally.latencies, strict=True) if start <= t <= end
    ]
    return (len(inside) / (end - start) if end > start else 0.0), end - start, inside


def _summary(
    tally: Tally, lags: list[float], args: argparse.Namespace, wall: float, cpu: float
) -> Any:
    rate, window, steady = _steady(tally)
    lat = tally.latencies or [float("nan")]
    return {
        "streams": args.streams,
        "complete": tally.complete,
        "errors": len(tally.errors),
        "first_errors": tally.errors[:5],
        "deltas": len(tally.latencies),
        "expected_deltas": args.streams * args.deltas,
        "rate": rate,
        "window_s": window,
        "lat_p50_ms": percentile(lat, 50) * 1000,
        "lat_p99_ms": percentile(lat, 99) * 1000,
        "lat_max_ms": max(lat) * 1000,
        "steady_p99_ms": percentile(steady or [float("nan")], 99) * 1000,
        "lag_p99_ms": percentile(lags or [0.0], 99) * 1000,
        "cpu_s": cpu,  # while the streams ran
        "cpu_total_s": time.process_time(),  # with interpreter start-up and imports
        "wall_s": wall,
    }


async def _main(args: argparse.Namespace) -> tuple[Any, Tally]:
    body = chat_body(
        args.model, f"relay [bench: deltas={args.deltas} interval_ms={args.interval_ms}]"
    )
    tally, lags = Tally(), list[float]()
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=None, sock_read=60)
    watcher = asyncio.create_task(_watch_lag(lags))
    started, cpu = time.monotonic(), time.process_time()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(
            *(
                _stream(session, args.url, body, args.ramp * i / args.streams, tally)
                for i in range(args.streams)
            )
        )
    watcher.cancel()
    wall, cpu = time.monotonic() - started, time.process_time() - cpu
    return _summary(tally, lags, args, wall, cpu), tally


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load_client", description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--streams", type=int, required=True)
    parser.add_argument("--deltas", type=int, default=200)
    parser.add_argument("--interval-ms", type=int, default=50)
    parser.add_argument("--ramp", type=float, default=1.0, help="seconds over which streams start")
    parser.add_argument("--model", default="bench-relay")
    parser.add_argument("--dump", help="also write (receive time, latency) pairs to this JSON file")
    args = parser.parse_args()
    if urlsplit(args.url).hostname != "127.0.0.1":
        parser.error("the load goes to 127.0.0.1 only")
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        summary, tally = runner.run(_main(args))
    if args.dump:
        with open(args.dump, "w") as out:
            json.dump(list(zip(tally.received, tally.latencies, strict=True)), out)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
