"""A stand-in worker that speaks the worker contract, so the API's relay is measured alone.

``python -m bench.synthetic_worker --redis-url redis://127.0.0.1:PORT/0``

Like ``lmarena-worker`` it keeps the heartbeat and the model list in Redis, is woken on
``lmarena:wake``, claims ``chat`` jobs from the arq queue (arq's in-progress key, arq's job
format), publishes numbered ``started`` / ``text`` / ``done`` events on the job's channel,
stores the arq result and removes the job, and answers an abort with a ``cancelled`` error.
Instead of a browser it writes ``deltas`` text events ``interval_ms`` apart (read from the
prompt, e.g. ``relay [bench: deltas=200 interval_ms=50]``). Each text starts with
``ts<CLOCK_MONOTONIC ns> ``, taken just before publishing, so a client on this machine can tell
how long the delta took from here to it. One pacing loop publishes whatever is due through one
pipeline, so this process stays far cheaper than the API it feeds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import heapq
import logging
import os
import re
import signal
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import redis.asyncio as aioredis
import uvloop
from arq.constants import (
    abort_jobs_ss,
    in_progress_key_prefix,
    job_key_prefix,
    result_key_prefix,
    retry_key_prefix,
)
from arq.jobs import deserialize_job_raw, serialize_result

from lmarena_worker import lease, queue_gate
from lmarena_worker.contract import (
    HEARTBEAT_INTERVAL,
    HEARTBEAT_KEY,
    HEARTBEAT_TTL,
    JOB_CHAT,
    MODELS_KEY,
    MODELS_TTL,
    QUEUE_NAME,
    RUNNING_KEY,
    WAKE_CHANNEL,
    ChatResult,
    DoneEvent,
    ErrorEvent,
    ErrorInfo,
    Heartbeat,
    JobOutcome,
    ModelCard,
    ModelList,
    StartedEvent,
    TextEvent,
    events_channel,
    worker_alive_key,
)

MODEL_ID = "bench-relay"
LEASE_TTL = 24 * 3600  # held for the whole bench run
POLL = 0.25  # seconds between queue polls without a wake-up (as the real worker)
MIN_TICK = 0.001  # the pacing loop sleeps at least this long
KEEP_RESULT_MS = 600_000
_DELTAS = re.compile(r"deltas=(\d+)")
_INTERVAL = re.compile(r"interval_ms=(\d+)")

log = logging.getLogger("synthetic_worker")


def _now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Stream:
    """One chat job being answered."""

    job_id: str
    payload: dict[str, Any]
    enqueued_ms: int
    deltas: int
    interval: float
    begun: float = field(default_factory=time.monotonic)
    begun_ms: int = field(default_factory=_now_ms)
    sent: int = 0
    seq: int = 0
    pieces: list[str] = field(default_factory=list)

    @property
    def channel(self) -> str:
        return events_channel(self.job_id)

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq - 1

    def next_due(self) -> float:
        return self.begun + (self.sent + 1) * self.interval


def parse_job(job_id: str, raw: bytes) -> Stream | None:
    function, args, _kwargs, _try, enqueued_ms = deserialize_job_raw(raw)
    if function != JOB_CHAT or not args:
        return None
    payload: dict[str, Any] = args[0]
    text = str(payload.get("text", ""))
    deltas = _DELTAS.search(text)
    interval = _INTERVAL.search(text)
    return Stream(
        job_id=job_id,
        payload=payload,
        enqueued_ms=enqueued_ms,
        deltas=int(deltas.group(1)) if deltas else 100,
        interval=(int(interval.group(1)) if interval else 50) / 1000,
    )


def _models_json() -> str:
    card = ModelCard(
        id=MODEL_ID,
        organization="bench",
        display_name=MODEL_ID,
        text_output=True,
        vision=False,
        image_output=False,
        multiple_images=False,
    )
    return ModelList(models=[card], updated_at=time.time()).model_dump_json()


def _result_bytes(stream: Stream, outcome: JobOutcome, success: bool) -> bytes:
    data = serialize_result(
        JOB_CHAT,
        (stream.payload,),
        {},
        1,
        stream.enqueued_ms,
        success,
        outcome.model_dump(),
        stream.begun_ms,
        _now_ms(),
        f"{stream.job_id}:{JOB_CHAT}",
        QUEUE_NAME,
        stream.job_id,
    )
    assert data is not None
    return data


class SyntheticWorker:
    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis
        self.started_at = time.time()
        self.worker_id = f"synthetic-{uuid.uuid4().hex}"
        self.lease_token = ""
        self.active: dict[str, Stream] = {}
        self.claimed: set[str] = set()
        self._due: list[tuple[float, int, str]] = []  # (when, tie-breaker, job id)
        self._ties = 0
        self._wake = asyncio.Event()
        self._added = asyncio.Event()

    # -- worker state ----------------------------------------------------------------------

    async def heartbeat(self) -> None:
        models = _models_json()
        while True:
            beat = Heartbeat(
                state="ready",
                worker_id=self.worker_id,
                pid=os.getpid(),
                started_at=self.started_at,
                updated_at=time.time(),
                active_jobs=len(self.active),
            )
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.set(HEARTBEAT_KEY, beat.model_dump_json(), ex=HEARTBEAT_TTL)
                pipe.set(MODELS_KEY, models, ex=MODELS_TTL)
                pipe.set(worker_alive_key(self.worker_id), "ready", ex=HEARTBEAT_TTL)
                await pipe.execute()
            await asyncio.sleep(HEARTBEAT_INTERVAL)

    async def listen_wake(self) -> None:
        pubsub = self.redis.pubsub()
        try:
            await pubsub.subscribe(WAKE_CHANNEL)
            async for message in pubsub.listen():
                if message["type"] == "message":
                    self._wake.set()
        finally:
            await pubsub.aclose()  # type: ignore[no-untyped-call]

    # -- jobs in ---------------------------------------------------------------------------

    async def consume(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL)
            self._wake.clear()
            await self._pick_up()
            await self._aborts()

    async def _pick_up(self) -> None:
        queued = await self.redis.zrangebyscore(QUEUE_NAME, "-inf", _now_ms())
        new = [jid.decode() for jid in queued if jid.decode() not in self.claimed]
        if not new:
            return
        self.claimed.update(new)
        async with self.redis.pipeline(transaction=False) as pipe:
            for job_id in new:
                pipe.set(in_progress_key_prefix + job_id, b"1", nx=True, px=KEEP_RESULT_MS)
                pipe.get(job_key_prefix + job_id)
            answers = await pipe.execute()
        streams = [
            parse_job(job_id, raw)
            for job_id, won, raw in zip(new, answers[::2], answers[1::2], strict=True)
            if won and raw is not None
        ]
        # The queue gate, as the real jobs pass it first thing.
        claimed = [s for s in streams if s is not None]
        refusals = [
            await queue_gate.start(self.redis, s.job_id, self.worker_id, self.lease_token)
            for s in claimed
        ]
        await self._start([s for s, no in zip(claimed, refusals, strict=True) if no is None])

    async def _start(self, streams: list[Stream]) -> None:
        if not streams:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for stream in streams:
                started = StartedEvent(seq=stream.next_seq(), worker_id=self.worker_id)
                pipe.publish(stream.channel, started.model_dump_json())
            await pipe.execute()
        for stream in streams:
            self.active[stream.job_id] = stream
            self._schedule(stream)
        self._added.set()

    async def _aborts(self) -> None:
        wanted = [jid.decode() for jid in await self.redis.zrange(abort_jobs_ss, 0, -1)]
        mine = [self.active.pop(jid) for jid in wanted if jid in self.active]
        if not mine:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for stream in mine:
                info = ErrorInfo(
                    kind="cancelled",
                    message="the job was cancelled",
                    partial_text="".join(stream.pieces),
                )
                event = ErrorEvent(seq=stream.next_seq(), error=info)
                pipe.publish(stream.channel, event.model_dump_json())
                self._finish(pipe, stream, JobOutcome(error=info), success=False)
            pipe.zrem(abort_jobs_ss, *[s.job_id for s in mine])
            await pipe.execute()

    # -- events out ------------------------------------------------------------------------

    def _schedule(self, stream: Stream) -> None:
        self._ties += 1
        heapq.heappush(self._due, (stream.next_due(), self._ties, stream.job_id))

    def _take_due(self) -> Iterator[Stream]:
        now = time.monotonic()
        while self._due and self._due[0][0] <= now:
            stream = self.active.get(heapq.heappop(self._due)[2])
            if stream is not None:  # None: aborted meanwhile
                yield stream

    async def pace(self) -> None:
        while True:
            batch = list(self._take_due())
            if batch:
                await self._publish(batch)
            delay = self._due[0][0] - time.monotonic() if self._due else POLL
            self._added.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._added.wait(), max(delay, MIN_TICK))

    async def _publish(self, batch: list[Stream]) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            for stream in batch:
                text = f"ts{time.monotonic_ns()} "
                stream.pieces.append(text)
                stream.sent += 1
                pipe.publish(
                    stream.channel, TextEvent(seq=stream.next_seq(), text=text).model_dump_json()
                )
                if stream.sent < stream.deltas:
                    self._schedule(stream)
                    continue
                self._done(pipe, stream)
            await pipe.execute()

    def _done(self, pipe: Any, stream: Stream) -> None:
        result = ChatResult(
            text="".join(stream.pieces),
            evaluation_session_id=str(uuid.uuid4()),
            finish_reason="stop",
        )
        pipe.publish(
            stream.channel, DoneEvent(seq=stream.next_seq(), result=result).model_dump_json()
        )
        self._finish(pipe, stream, JobOutcome(chat=result), success=True)
        del self.active[stream.job_id]

    def _finish(self, pipe: Any, stream: Stream, outcome: JobOutcome, success: bool) -> None:
        """What arq's finish_job does: keep the result, drop the job's keys and queue entry."""
        job_id = stream.job_id
        pipe.set(
            result_key_prefix + job_id, _result_bytes(stream, outcome, success), px=KEEP_RESULT_MS
        )
        pipe.delete(
            in_progress_key_prefix + job_id, job_key_prefix + job_id, retry_key_prefix + job_id
        )
        pipe.zrem(QUEUE_NAME, job_id)
        pipe.hdel(RUNNING_KEY, job_id)


async def _run(redis_url: str) -> None:
    redis = aioredis.Redis.from_url(redis_url)
    worker = SyntheticWorker(redis)
    held = await lease.acquire(redis, worker.worker_id, LEASE_TTL)  # the only worker of its run
    if held is None:
        raise RuntimeError("another worker holds the lease on this Redis")
    worker.lease_token = held.token
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tasks: list[asyncio.Task[Any]] = [
        asyncio.create_task(coro)
        for coro in (worker.heartbeat(), worker.listen_wake(), worker.consume(), worker.pace())
    ]
    tasks.append(asyncio.create_task(stop.wait()))
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()  # a crashed loop ends the worker with its exception
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(OSError, aioredis.RedisError):
            await redis.delete(HEARTBEAT_KEY)
        await redis.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.synthetic_worker", description=__doc__)
    parser.add_argument("--redis-url", required=True)
    args = parser.parse_args()
    if urlsplit(args.redis_url).hostname != "127.0.0.1":
        parser.error("only a redis-server on 127.0.0.1")
    logging.basicConfig(level=logging.WARNING)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(_run(args.redis_url))


if __name__ == "__main__":
    main()
