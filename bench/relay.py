"""Relay: N concurrent SSE streams through ONE API replica, fed by a synthetic worker.

Processes: redis-server, ``lmarena-server`` (API alone, real Redis), ``bench.synthetic_worker``
(speaks the worker contract, no browser) and ``bench.load_client`` (one aiohttp client). The
API's CPU time and RSS are read from /proc while the load runs.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from harness.machine import ForeignLoad
from harness.paths import ROOT
from harness.proc import Proc
from harness.run import run_process
from harness.usage import cpu_seconds, cpu_split, rss_bytes

from .procs import Processes, wait_ready
from .stats import Row, at_most, mib
from .synthetic_worker import MODEL_ID

RATE = 20  # deltas per second per stream
GOAL_P99_MS = 50.0
STARTS_PER_S = 200  # new streams per second while the load ramps up (500 streams: 2.5 s)
SHORT_STREAMS = 200  # streams of one delta, to cost a request's set-up and teardown


@dataclass(frozen=True)
class LoadRun:
    streams: int
    client: dict[str, Any]  # the load client's JSON summary
    api_cpu: tuple[float, float]  # API CPU seconds (user, system) during the run
    worker_cpu: float
    redis_cpu: float
    api_peak_rss: int
    wall: float
    foreign: float  # cores kept busy by processes not ours


class RssPeak:
    """Samples a process's RSS every 100 ms while running; keeps the highest."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = rss_bytes(pid)

    async def watch(self) -> None:
        while True:
            self.peak = max(self.peak, rss_bytes(self.pid))
            await asyncio.sleep(0.1)


async def _client(api_url: str, streams: int, deltas: int) -> dict[str, Any]:
    args = [
        "--streams", str(streams), "--deltas", str(deltas), "--interval-ms", str(1000 // RATE),
        "--ramp", str(streams / STARTS_PER_S), "--model", MODEL_ID,
    ]  # fmt: skip
    code, out, err = await run_process(
        [sys.executable, "-m", "bench.load_client", api_url, *args],
        timeout=120 + deltas / RATE * 3,
        cwd=ROOT,
    )
    if code != 0:
        raise RuntimeError(f"the load client failed ({code}):\n{err[-4000:]}")
    summary: dict[str, Any] = json.loads(out)
    return summary


async def load(api: Proc, worker: Proc, redis: Proc, streams: int, deltas: int) -> LoadRun:
    peak = RssPeak(api.pid)
    watcher = asyncio.create_task(peak.watch())
    (user, system), worker_cpu = cpu_split(api.pid), cpu_seconds(worker.pid)
    redis_cpu = cpu_seconds(redis.pid)
    foreign = ForeignLoad()
    foreign.start()
    started = time.monotonic()
    try:
        summary = await _client(api.extra["url"], streams, deltas)
    finally:
        watcher.cancel()
    wall = time.monotonic() - started
    user_after, system_after = cpu_split(api.pid)
    return LoadRun(
        streams=streams,
        client=summary,
        api_cpu=(user_after - user, system_after - system),
        worker_cpu=cpu_seconds(worker.pid) - worker_cpu,
        redis_cpu=cpu_seconds(redis.pid) - redis_cpu,
        api_peak_rss=peak.peak,
        wall=wall,
        foreign=foreign.stop(),
    )


async def run(quick: bool) -> tuple[list[Row], int]:
    """Rows per N, and the API's idle RSS."""
    sizes = (10, 100) if quick else (10, 100, 500)
    deltas = RATE * (3 if quick else 10)
    procs = Processes()
    try:
        redis = await procs.redis()
        url = redis.extra["url"]
        worker = procs.synthetic_worker(url)
        api = await procs.api(url, LM_ARENA_MAX_QUEUE="10000")
        async with aiohttp.ClientSession() as session:
            await wait_ready(session, api.extra["url"], 30)
        await asyncio.sleep(0.5)
        idle = rss_bytes(api.pid)
        short = await load(api, worker, redis, SHORT_STREAMS // (2 if quick else 1), 1)
        runs = [await load(api, worker, redis, n, deltas) for n in sizes]
    finally:
        await procs.stop_all()
    return [request_cost_row(short), *(row for r in runs for row in rows(r, deltas))], idle


def request_cost_row(run: LoadRun) -> Row:
    """API CPU for a whole chat request when the stream itself is one delta."""
    cost = sum(run.api_cpu) / run.streams
    note = (
        f"{run.streams} streams of 1 delta, {STARTS_PER_S} starts/s: HTTP, Redis reads, "
        f"subscribe, enqueue, SSE, teardown; {run.client['errors']} errors"
    )
    return Row("API CPU per chat request (set-up + teardown)", f"{cost * 1000:.1f} ms", note=note)


def rows(run: LoadRun, deltas: int) -> list[Row]:
    c, n = run.client, run.streams
    api_cpu = sum(run.api_cpu)
    got = max(c["deltas"], 1)
    failed = n - c["complete"]
    name = f"relay {n} streams"
    return [
        Row(f"{name}: delivered deltas/s", f"{c['rate']:.0f}",
            note=f"offered {n * RATE}/s; {c['deltas']}/{c['expected_deltas']} deltas, "
            f"{failed} streams incomplete, {c['errors']} errors"),
        Row(f"{name}: added latency per delta p50 / max",
            f"{c['lat_p50_ms']:.1f} / {c['lat_max_ms']:.1f} ms"),
        at_most(f"{name}: added latency per delta p99", c["lat_p99_ms"], GOAL_P99_MS, "ms",
                f"publish -> client, all deltas incl. ramp-up ({STARTS_PER_S} starts/s); "
                f"{c['steady_p99_ms']:.1f} ms while all {n} streams flowed"),
        Row(f"{name}: API CPU per 1000 deltas", f"{api_cpu / got * 1000:.2f} s",
            note=f"API used {api_cpu / run.wall:.0%} of a core over {run.wall:.1f} s "
            f"({run.api_cpu[1] / max(api_cpu, 1e-9):.0%} of it in the kernel)"),
        Row(f"{name}: API RSS peak", mib(run.api_peak_rss)),
        Row(f"{name}: load client CPU / loop lag p99",
            f"{c['cpu_s'] / c['wall_s']:.0%} / {c['lag_p99_ms']:.1f} ms",
            note=f"synthetic worker {run.worker_cpu / run.wall:.0%}, redis-server "
            f"{run.redis_cpu / run.wall:.0%} of a core; other people's processes "
            f"{run.foreign:.2f} cores"),
    ]  # fmt: skip
