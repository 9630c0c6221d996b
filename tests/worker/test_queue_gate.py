"""The queue gate's decisions on a real redis-server: each one atomic, each one final."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from arq.connections import ArqRedis

from harness.proc import Proc
from harness.redis_server import start_redis
from lmarena_worker import queue_gate
from lmarena_worker.contract import LEASE_KEY, QUEUE_NAME, RUNNING_KEY, worker_alive_key
from lmarena_worker.embedded import InMemoryBroker
from lmarena_worker.redis_client import connect

TOKEN = "w-active 1"


@pytest.fixture(scope="module")
def redis_server() -> Iterator[Proc]:
    proc = start_redis()
    yield proc
    proc.stop()


@pytest.fixture(params=["redis-server", "in-memory"])
async def redis(request: pytest.FixtureRequest, redis_server: Proc) -> AsyncIterator[ArqRedis]:
    """Both brokers the product runs on: a real redis-server and one-process mode's fakeredis."""
    if request.param == "redis-server":
        pool = connect(redis_server.extra["url"], timeout=5)
    else:
        pool = InMemoryBroker().pool()
    await pool.flushdb()
    await pool.set(LEASE_KEY, TOKEN)  # the gate starts jobs for the lease holder only
    yield pool
    await pool.aclose()


async def _admit(redis: ArqRedis, job_id: str, max_waiting: int = 10) -> queue_gate.Admission:
    return await queue_gate.admit(
        redis, job_id, "chat", {"text": job_id}, max_waiting=max_waiting, expires_s=60
    )


async def test_a_burst_never_overshoots_the_limit(redis: ArqRedis) -> None:
    results = await asyncio.gather(*(_admit(redis, f"job-{i}", max_waiting=3) for i in range(40)))
    assert sum(r.admitted for r in results) == 3
    assert await redis.zcard(QUEUE_NAME) == 3
    assert await queue_gate.waiting(redis) == 3


async def test_running_jobs_do_not_count_as_waiting(redis: ArqRedis) -> None:
    for i in range(2):
        assert (await _admit(redis, f"job-{i}", max_waiting=2)).admitted
    assert not (await _admit(redis, "job-x", max_waiting=2)).admitted
    assert await queue_gate.start(redis, "job-0", "w1", TOKEN) is None
    assert await queue_gate.waiting(redis) == 1
    assert (await _admit(redis, "job-2", max_waiting=2)).admitted


async def test_an_admitted_job_is_arq_readable(redis: ArqRedis) -> None:
    await _admit(redis, "job-1")
    info = await redis._get_job_def(b"job-1", None)
    assert info.function == "chat" and info.args == ({"text": "job-1"},)


async def test_a_cancelled_job_never_starts(redis: ArqRedis) -> None:
    await _admit(redis, "job-1")
    fate = await queue_gate.cancel(redis, "job-1")
    assert fate.cancelled
    assert await redis.zcard(QUEUE_NAME) == 0
    assert not await redis.exists(queue_gate.ARQ_JOB_PREFIX + "job-1")
    refusal = await queue_gate.start(redis, "job-1", "w1", TOKEN)
    assert refusal is not None and refusal.cancelled


async def test_a_started_job_cannot_be_cancelled(redis: ArqRedis) -> None:
    await _admit(redis, "job-1")
    assert await queue_gate.start(redis, "job-1", "w1", TOKEN) is None
    fate = await queue_gate.cancel(redis, "job-1")
    assert fate.started and fate.worker_id == "w1" and not fate.cancelled
    assert await redis.zcard(QUEUE_NAME) == 1  # still arq's to finish


async def test_start_and_cancel_race_has_one_winner(redis: ArqRedis) -> None:
    for i in range(30):
        job_id = f"job-{i}"
        await _admit(redis, job_id)
        refusal, fate = await asyncio.gather(
            queue_gate.start(redis, job_id, "w1", TOKEN), queue_gate.cancel(redis, job_id)
        )
        started = refusal is None
        assert started != fate.cancelled, (job_id, refusal, fate)


async def test_a_job_never_runs_twice(redis: ArqRedis) -> None:
    """A dead worker's job seen again by arq (in-progress key expired) is refused."""
    await _admit(redis, "job-1")
    assert await queue_gate.start(redis, "job-1", "dead", TOKEN) is None
    refusal = await queue_gate.start(redis, "job-1", "w2", TOKEN)
    assert refusal is not None and refusal.worker_id == "dead"


async def test_reap_drops_only_the_jobs_of_dead_workers(redis: ArqRedis) -> None:
    await redis.set(worker_alive_key("alive"), "ready", ex=30)
    for job_id, worker in (("a", "alive"), ("b", "dead"), ("c", "dead")):
        await _admit(redis, job_id)
        await redis.set(queue_gate.ARQ_IN_PROGRESS_PREFIX + job_id, b"1")
        assert await queue_gate.start(redis, job_id, worker, TOKEN) is None
    assert sorted(await queue_gate.reap(redis)) == ["b", "c"]
    assert await redis.hkeys(RUNNING_KEY) == [b"a"]
    assert [j.decode() for j in await redis.zrange(QUEUE_NAME, 0, -1)] == ["a"]
    assert not await redis.exists(queue_gate.ARQ_IN_PROGRESS_PREFIX + "b")
    assert await queue_gate.reap(redis) == []


async def test_a_delivered_result_goes_whenever_it_is_written(redis: ArqRedis) -> None:
    for job_id in ("early", "late", "kept"):
        await _admit(redis, job_id)
        assert await queue_gate.start(redis, job_id, "w1", TOKEN) is None
    # Stored before the API delivered it: dropped at once, no marker left behind.
    await redis.set(queue_gate.ARQ_RESULT_PREFIX + "early", b"result")
    await queue_gate.delivered(redis, "early")
    await queue_gate.finished(redis, "early")
    # Delivered before the worker stored it: dropped when the worker finishes.
    await queue_gate.delivered(redis, "late")
    await redis.set(queue_gate.ARQ_RESULT_PREFIX + "late", b"result")
    await queue_gate.finished(redis, "late")
    # Never delivered (the client left): kept, for its short arq lifetime.
    await redis.set(queue_gate.ARQ_RESULT_PREFIX + "kept", b"result")
    await queue_gate.finished(redis, "kept")
    assert set(await redis.keys("*")) == {
        (queue_gate.ARQ_RESULT_PREFIX + "kept").encode(),
        *[(queue_gate.ARQ_JOB_PREFIX + j).encode() for j in ("early", "kept", "late")],
        QUEUE_NAME.encode(),
        LEASE_KEY.encode(),
    }  # no fate, marker or running entry outlives a finished job (arq drops its own keys)


def test_job_state_parsing() -> None:
    assert queue_gate.JobState.parse(None) == queue_gate.JobState()
    assert queue_gate.JobState.parse(b"cancelled").cancelled
    assert queue_gate.JobState.parse(b"started:w9").worker_id == "w9"
