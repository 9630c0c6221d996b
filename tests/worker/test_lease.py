"""The lease, its fencing token and the fenced identity store, on a real redis-server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import pytest
from arq.connections import ArqRedis

from harness.proc import Proc
from harness.redis_server import start_redis
from lmarena_client.identity import Identity, StoredCookie
from lmarena_worker import lease, queue_gate
from lmarena_worker.contract import LEASE_KEY, worker_alive_key
from lmarena_worker.identity_store import RedisIdentityStore
from lmarena_worker.redis_client import connect

TTL = 0.5


@pytest.fixture(scope="module")
def redis_server() -> Iterator[Proc]:
    proc = start_redis()
    yield proc
    proc.stop()


@pytest.fixture
async def redis(redis_server: Proc) -> AsyncIterator[ArqRedis]:
    pool = connect(redis_server.extra["url"], timeout=5)
    await pool.flushdb()
    yield pool
    await pool.aclose()


def identity(value: str) -> Identity:
    cookie = StoredCookie(name="arena-auth-prod-v1", value=value, domain="127.0.0.1")
    return Identity(cookies=(cookie,), origin="http://127.0.0.1:1", saved_at=time.time())


async def test_only_one_worker_holds_the_lease(redis: ArqRedis) -> None:
    results = await asyncio.gather(*(lease.acquire(redis, f"w{i}", TTL) for i in range(20)))
    held = [r for r in results if r is not None]
    assert len(held) == 1
    assert await lease.holder(redis) == held[0].worker_id


async def test_a_renewed_lease_stays_and_an_expired_one_moves_on(redis: ArqRedis) -> None:
    first = await lease.acquire(redis, "w1", TTL)
    assert first is not None
    for _ in range(3):
        await asyncio.sleep(TTL / 2)
        assert await lease.renew(redis, first, TTL)
    assert await lease.acquire(redis, "w2", TTL) is None
    await asyncio.sleep(TTL * 1.5)  # w1 stopped renewing: it is dead for the others
    second = await lease.acquire(redis, "w2", TTL)
    assert second is not None and second.epoch == first.epoch + 1
    assert not await lease.renew(redis, first, TTL)  # the old tenure is fenced off


async def test_a_takeover_ends_the_previous_workers_jobs_at_once(redis: ArqRedis) -> None:
    await redis.set(worker_alive_key("w1"), "ready", ex=30)
    first = await lease.acquire(redis, "w1", TTL)
    assert first is not None
    await redis.delete(LEASE_KEY)  # as if it expired
    assert await lease.acquire(redis, "w2", TTL) is not None
    assert not await redis.exists(worker_alive_key("w1"))


async def test_release_hands_over_at_once(redis: ArqRedis) -> None:
    first = await lease.acquire(redis, "w1", 30)
    assert first is not None
    stale = lease.Lease("w0", 0)
    await lease.release(redis, stale)  # not ours: nothing happens
    assert await lease.holder(redis) == "w1"
    await lease.release(redis, first)
    assert await lease.acquire(redis, "w2", 30) is not None


async def test_the_gate_starts_jobs_only_for_the_current_tenure(redis: ArqRedis) -> None:
    first = await lease.acquire(redis, "w1", 30)
    assert first is not None
    await queue_gate.admit(redis, "j1", "chat", {}, max_waiting=5, expires_s=60)
    refusal = await queue_gate.start(redis, "j1", "w2", "w2 99")
    assert refusal is not None and refusal.not_active
    assert await queue_gate.start(redis, "j1", "w1", first.token) is None


async def test_the_identity_is_saved_only_by_the_lease_holder(redis: ArqRedis) -> None:
    holder = await lease.acquire(redis, "w1", 30)
    assert holder is not None
    active = RedisIdentityStore(redis, lambda: holder.token)
    former = RedisIdentityStore(redis, lambda: "w0 1")
    assert await active.save(identity("one"), replaces=None)
    assert not await former.save(identity("evil"), replaces=identity("one"))
    assert not await active.save(identity("two"), replaces=None)  # compare-and-set
    assert await active.save(identity("two"), replaces=identity("one"))
    loaded = await former.load()  # anyone may read it (a standby adopts it)
    assert loaded is not None and loaded.fingerprint() == identity("two").fingerprint()


async def test_the_keeper_reports_a_lost_lease(redis: ArqRedis) -> None:
    lost = asyncio.Event()

    async def on_lost() -> None:
        lost.set()

    keeper = lease.LeaseKeeper(redis, "w1", ttl=TTL, on_lost=on_lost)
    await keeper.wait_for_lease(0.05)
    keeping = asyncio.create_task(keeper.keep())
    await asyncio.sleep(TTL * 2)
    assert not lost.is_set()  # renewed meanwhile
    await redis.set(LEASE_KEY, "w2 9", px=int(TTL * 4000))  # another worker took it
    await asyncio.wait_for(keeping, 5)
    assert lost.is_set() and keeper.token is None
