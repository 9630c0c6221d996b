"""Run the benchmarks and print a markdown table: ``python -m bench [--quick]``.

Everything runs on this machine against the fake LMArena site, a real headless Chromium and
real redis-server processes on free loopback ports; every process is stopped by its PID.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import time
from dataclasses import dataclass

import aiohttp

from harness.machine import ForeignLoad, machine_line
from harness.usage import rss_bytes, tree_memory

from . import arena, breakdown, broker_steps, library, overhead, recovery, relay
from .stack import QueueStack, queue_stack
from .stats import Row, mib, ms, rows_table


@dataclass(frozen=True)
class Plan:
    rounds: int  # TTFT samples per path
    warmup: int
    profiled: int  # requests split into phases with Redis MONITOR
    steps: int  # repetitions of each API queue step (fakeredis vs redis-server)
    busy_profiled: int  # requests profiled while BUSY_CHATS stream through the worker


BUSY_CHATS = 16
QUICK = Plan(rounds=40, warmup=5, profiled=20, steps=50, busy_profiled=10)
FULL = Plan(rounds=200, warmup=10, profiled=100, steps=300, busy_profiled=50)


def cold_rows(stack: QueueStack) -> list[Row]:
    cold = stack.cold
    return [
        Row("cold start: library Client.bootstrap (headless)", ms(cold["library"]),
            note="Chromium launch to site ready"),
        Row("cold start: lmarena-worker spawn -> API /ready 200", ms(cold["worker"]),
            note=f"redis mode, API already up; /ready came {ms(cold['worker_lag'])} after "
            "the worker logged 'ready'"),
        Row("cold start: lmarena-server (one process) spawn -> /ready 200",
            ms(cold["one_process"]),
            note=f"/ready came {ms(cold['one_process_lag'])} after 'ready' was logged"),
    ]  # fmt: skip


def memory_rows(stack: QueueStack) -> list[Row]:
    chromium = stack.worker_chromium()
    rss, pss = tree_memory(chromium)
    return [
        Row("RSS: lmarena-worker Python process", mib(rss_bytes(stack.worker.pid)),
            note="after the TTFT runs; Chromium not included"),
        Row("RSS: the worker's Chromium, all processes", mib(rss),
            note=f"{len(chromium)} processes; PSS {mib(pss)} (shared pages counted once)"),
        Row("RSS: API process (redis mode), after the TTFT runs", mib(rss_bytes(stack.api.pid))),
        Row("RSS: one-process server (Python only)", mib(rss_bytes(stack.one_process.pid))),
    ]  # fmt: skip


async def _ttft(
    stack: QueueStack, session: aiohttp.ClientSession, plan: Plan
) -> tuple[dict[str, list[float]], Row]:
    foreign = ForeignLoad()
    foreign.start()
    samples = await overhead.measure(stack, session, plan.rounds, plan.warmup)
    cores = foreign.stop()
    row = Row("other people's processes during the TTFT runs", f"{cores:.2f} cores",
              note="machine CPU busy minus this run's processes")  # fmt: skip
    return samples, row


async def _splits(stack: QueueStack, session: aiohttp.ClientSession, plan: Plan) -> list[Row]:
    where = (session, stack.api_url, stack.redis.extra["url"], overhead.MODEL)
    idle = await breakdown.profile(*where, plan.profiled)
    busy = await breakdown.busy_profile(*where, plan.busy_profiled, BUSY_CHATS)
    return breakdown.breakdown_rows(idle) + breakdown.busy_rows(busy, idle, BUSY_CHATS)


async def queue_section(plan: Plan, quick: bool) -> tuple[list[Row], list[str]]:
    timeout = aiohttp.ClientTimeout(total=60)
    async with queue_stack() as stack, aiohttp.ClientSession(timeout=timeout) as session:
        rows = cold_rows(stack) + await library.run(stack.client, quick)
        rows += await arena.run(stack.client, quick)
        samples, foreign = await _ttft(stack, session, plan)
        rows += [*overhead.overhead_rows(samples), foreign]
        rows += await overhead.http_floor(stack, session, plan.profiled)
        rows += await _splits(stack, session, plan)
        rows += memory_rows(stack)
        rows += await recovery.run(stack, session)
        rows += await recovery.failover(stack, session, 3 if quick else 5)
    rows += await broker_steps.run(plan.steps)
    return rows, [overhead.summary_line(samples, path) for path in ("redis", "one process")]


async def _main(quick: bool) -> None:
    os.environ.pop("LM_ARENA_REDIS_URL", None)  # the one-process server must not see one
    started = time.monotonic()
    foreign = ForeignLoad()
    foreign.start()
    print(machine_line())
    print(f"Run: {'quick' if quick else 'full'}, {time.strftime('%Y-%m-%d %H:%M %Z')}\n")
    rows, lines = await queue_section(QUICK if quick else FULL, quick)
    relay_rows, idle = await relay.run(quick)
    rows.append(Row("RSS: API process (relay bench), idle", mib(idle)))
    rows += relay_rows
    print("\n".join(lines) + "\n")
    print(rows_table(rows))
    print(
        f"\nTotal bench time {time.monotonic() - started:.0f} s; other people's processes kept "
        f"{foreign.stop():.2f} of {os.cpu_count()} cores busy on average meanwhile"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds (under a minute)")
    args = parser.parse_args()
    # Identities of the bench's fake sites stay in this run, not in the user's state dir.
    state_dir = os.environ["LM_ARENA_STATE_DIR"] = tempfile.mkdtemp(prefix="lmarena-bench-")
    try:
        asyncio.run(_main(args.quick))
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
