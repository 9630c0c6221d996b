"""``LMArenaWorker`` on a real redis-server: woken at once, alive through a Redis outage, and
arq itself left untouched."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import arq.worker
from arq.connections import ArqRedis
from arq.jobs import Job

from harness.ports import free_port
from harness.redis_server import start_redis
from lmarena_worker.contract import LEASE_KEY, QUEUE_NAME, WAKE_CHANNEL
from lmarena_worker.redis_client import connect
from lmarena_worker.worker import LMArenaWorker


async def echo(ctx: dict[str, Any], value: str) -> str:
    return value


@contextlib.asynccontextmanager
async def running(url: str, **options: Any) -> AsyncIterator[LMArenaWorker]:
    worker = LMArenaWorker(
        functions=[arq.worker.func(echo, name="echo")],
        redis_pool=connect(url, timeout=2),
        queue_name=QUEUE_NAME,
        handle_signals=False,
        **options,
    )
    worker.allow_pick_jobs = True  # no Role here: active from the start
    task = asyncio.create_task(worker.async_run())
    try:
        yield worker
    finally:
        await worker.close()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_a_wake_up_starts_a_job_without_waiting_for_the_poll() -> None:
    server = start_redis()
    pool: ArqRedis = connect(server.extra["url"], timeout=2)
    try:
        async with running(server.extra["url"], poll_delay=3600) as worker:
            await asyncio.sleep(0.2)  # past the first poll, into the hour-long wait
            job = await pool.enqueue_job("echo", "hi", _queue_name=QUEUE_NAME)
            assert job is not None
            await pool.publish(WAKE_CHANNEL, b"1")
            assert await job.result(timeout=10, poll_delay=0.05) == "hi"
            assert worker.jobs_complete == 1
    finally:
        await pool.aclose()
        server.stop()


async def test_the_worker_lives_through_a_redis_outage() -> None:
    port = free_port()
    server = start_redis(port)
    url = server.extra["url"]
    async with running(url, poll_delay=0.05) as worker:
        await asyncio.sleep(0.2)
        server.stop()
        await asyncio.sleep(1.5)  # several failed polls: arq's own loop would have ended
        assert worker.main_task is not None and not worker.main_task.done()
        server = start_redis(port)
        pool: ArqRedis = connect(url, timeout=2)
        try:
            job = await pool.enqueue_job("echo", "back", _queue_name=QUEUE_NAME)
            assert job is not None
            assert await job.result(timeout=20, poll_delay=0.05) == "back"
        finally:
            await pool.aclose()
    server.stop()


async def test_jobs_already_running_are_not_claimed_again() -> None:
    server = start_redis()
    pool: ArqRedis = connect(server.extra["url"], timeout=2)
    try:
        async with running(server.extra["url"], poll_delay=3600) as worker:
            job = await pool.enqueue_job("echo", "x", _queue_name=QUEUE_NAME, _job_id="j1")
            assert isinstance(job, Job)
            worker.tasks["j1"] = asyncio.get_running_loop().create_future()
            await worker.start_jobs([b"j1"])
            assert worker.job_counter == 0  # arq's claim was never attempted
            assert not await pool.exists("arq:in-progress:j1")
            worker.tasks.pop("j1").cancel()
    finally:
        await pool.aclose()
        server.stop()


async def hold(ctx: dict[str, Any]) -> None:
    ctx["held"].set()
    await asyncio.Event().wait()


async def test_a_stop_signal_starts_no_waiting_job_even_if_the_cancel_is_lost() -> None:
    """SIGTERM with one job holding the only slot and one waiting. The main task runs outside
    ``main_task`` here, so arq's cancel of it is lost (as when 3.11's ``wait_for`` swallows it):
    the poll loop must end by itself and leave the waiting job queued, never started."""
    server = start_redis()
    pool: ArqRedis = connect(server.extra["url"], timeout=2)
    worker = LMArenaWorker(
        functions=[arq.worker.func(echo, name="echo"), arq.worker.func(hold, name="hold")],
        redis_pool=connect(server.extra["url"], timeout=2),
        queue_name=QUEUE_NAME,
        handle_signals=False,
        max_jobs=1,
        poll_delay=0.05,
        retry_jobs=False,  # as in production: the cancelled job is not queued again
    )
    worker.allow_pick_jobs = True
    worker.ctx["held"] = held = asyncio.Event()
    main = asyncio.create_task(worker.main())
    try:
        await pool.enqueue_job("hold", _queue_name=QUEUE_NAME)
        await asyncio.wait_for(held.wait(), 10)
        await pool.enqueue_job("echo", "later", _queue_name=QUEUE_NAME, _job_id="later")
        await asyncio.sleep(0.2)  # several polls while the slot is taken
        worker.handle_sig(signal.SIGTERM)
        await asyncio.wait_for(main, 10)  # ends by itself: nobody cancelled it
        assert await pool.zscore(QUEUE_NAME, "later") is not None  # still waiting
        assert not await pool.exists("arq:in-progress:later")
        assert worker.jobs_complete == 0
    finally:
        main.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await main
        await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
        await worker.close()
        await pool.aclose()
        server.stop()


async def test_jobs_wait_while_the_lease_token_does_not_hold_the_lease() -> None:
    """As after a Redis restart that dropped the lease before the Role noticed: the job stays
    queued (never claimed, so the queue gate never refuses it), and runs once the token holds."""
    server = start_redis()
    pool: ArqRedis = connect(server.extra["url"], timeout=2)
    try:
        async with running(server.extra["url"], poll_delay=0.05) as worker:
            worker.ctx["lease_token"] = "w1 1"
            job = await pool.enqueue_job("echo", "held", _queue_name=QUEUE_NAME, _job_id="held")
            assert job is not None
            await pool.publish(WAKE_CHANNEL, b"1")
            await asyncio.sleep(0.5)  # ten polls
            assert await pool.zscore(QUEUE_NAME, "held") is not None
            assert not await pool.exists("arq:in-progress:held")
            await pool.set(LEASE_KEY, "w0 1")  # another worker's tenure: still waits
            await asyncio.sleep(0.3)
            assert not await pool.exists("arq:in-progress:held")
            await pool.set(LEASE_KEY, "w1 1")
            assert await job.result(timeout=10, poll_delay=0.05) == "held"
    finally:
        await pool.aclose()
        server.stop()


def test_arq_hooks_the_subclass_relies_on_are_there() -> None:
    assert "_poll_iteration" in vars(arq.worker.Worker)
    assert list(inspect.signature(arq.worker.Worker.handle_sig).parameters) == ["self", "signum"]
    assert list(inspect.signature(arq.worker.Worker.start_jobs).parameters) == ["self", "job_ids"]
    assert "after_job_end" in inspect.signature(arq.worker.Worker).parameters


def test_importing_the_worker_patches_nothing_in_arq() -> None:
    code = (
        "import arq.worker as w; before = dict(vars(w.Worker)); poll = w.poll; "
        "import lmarena_worker.settings, lmarena_worker.worker, lmarena_worker.embedded; "
        "print(before == dict(vars(w.Worker)) and poll is w.poll)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
