"""One active worker at a time: a Redis lease with a fencing token.

The active worker holds ``LEASE_KEY`` (value ``"<worker id> <epoch>"``, a short TTL it keeps
renewing). A standby takes the lease once it expires; each take increments ``LEASE_EPOCH_KEY``,
so the token names one tenure: the queue gate starts a job, and the identity is saved, only
for the token that holds the lease right now. A worker that fails to renew has lost the lease
and must stop at once (``LeaseKeeper`` reports it); a frozen worker that wakes up finds its token
refused everywhere.

Taking the lease also drops the previous active worker's liveness key: its running jobs end for
their clients at once instead of when that key would have expired.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from redis.exceptions import RedisError

from .contract import (
    LEADER_KEY,
    LEASE_EPOCH_KEY,
    LEASE_KEY,
    WORKER_ALIVE_PREFIX,
    WORKER_ALIVE_SUFFIX,
)

log = logging.getLogger(__name__)

_ACQUIRE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local epoch = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. epoch, 'PX', ARGV[2])
local previous = redis.call('GET', KEYS[3])
redis.call('SET', KEYS[3], ARGV[1])
if previous and previous ~= ARGV[1] then redis.call('DEL', ARGV[3] .. previous .. ARGV[4]) end
return epoch
"""

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass(frozen=True)
class Lease:
    worker_id: str
    epoch: int

    @property
    def token(self) -> str:
        """The fencing token: what ``LEASE_KEY`` holds while this tenure lasts."""
        return f"{self.worker_id} {self.epoch}"


async def acquire(redis: Any, worker_id: str, ttl: float) -> Lease | None:
    """Take the lease if nobody holds it."""
    keys = [LEASE_KEY, LEASE_EPOCH_KEY, LEADER_KEY]
    args = [worker_id, int(ttl * 1000), WORKER_ALIVE_PREFIX, WORKER_ALIVE_SUFFIX]
    epoch = await redis.eval(_ACQUIRE, len(keys), *keys, *args)
    return None if epoch is None else Lease(worker_id, int(epoch))


async def renew(redis: Any, lease: Lease, ttl: float) -> bool:
    return bool(await redis.eval(_RENEW, 1, LEASE_KEY, lease.token, int(ttl * 1000)))


async def release(redis: Any, lease: Lease) -> None:
    """Hand the lease over at once (a graceful stop), if it is still ours."""
    await redis.eval(_RELEASE, 1, LEASE_KEY, lease.token)


async def holds(redis: Any, token: str) -> bool:
    """Whether ``token`` holds the lease right now (one read)."""
    raw = await redis.get(LEASE_KEY)
    return raw is not None and raw.decode() == token


async def holder(redis: Any) -> str | None:
    """The active worker's id, or None while nobody holds the lease."""
    raw = await redis.get(LEASE_KEY)
    return raw.decode().split(" ")[0] if raw else None


class LeaseKeeper:
    """Waits for the lease, then keeps it; calls ``on_lost`` once it cannot be renewed."""

    def __init__(
        self,
        redis: Any,
        worker_id: str,
        *,
        ttl: float,
        on_lost: Callable[[], Awaitable[None]],
    ) -> None:
        self._redis = redis
        self._worker_id = worker_id
        self._ttl = ttl
        self._on_lost = on_lost
        self.lease: Lease | None = None

    @property
    def token(self) -> str | None:
        return self.lease.token if self.lease else None

    async def wait_for_lease(self, poll: float) -> Lease:
        """Poll until the lease is free and ours (a standby's wait)."""
        while True:
            try:
                lease = await acquire(self._redis, self._worker_id, self._ttl)
            except (RedisError, OSError) as exc:
                log.warning("lease not readable: %s", exc)
                lease = None
            if lease is not None:
                self.lease = lease
                log.info("this worker is now the active one (lease epoch %d)", lease.epoch)
                return lease
            await asyncio.sleep(poll)

    async def keep(self) -> None:
        """Renew until the lease is lost (or this task is cancelled); then report it."""
        lease = self.lease
        assert lease is not None
        renewed_at = asyncio.get_running_loop().time()
        while True:
            await asyncio.sleep(self._ttl / 5)
            now = asyncio.get_running_loop().time()
            try:
                if not await renew(self._redis, lease, self._ttl):
                    break  # another worker holds it now
                renewed_at = now
            except (RedisError, OSError) as exc:
                log.warning("lease not renewed: %s", exc)
                if now - renewed_at >= self._ttl:
                    break  # it has expired by now: another worker may hold it
        log.warning("this worker lost its lease (epoch %d); it stops serving", lease.epoch)
        self.lease = None
        await self._on_lost()

    async def release(self) -> None:
        lease, self.lease = self.lease, None
        if lease is not None:
            try:
                await release(self._redis, lease)
            except (RedisError, OSError) as exc:
                log.warning("lease not released (it expires by itself): %s", exc)
