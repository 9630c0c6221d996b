"""The site identity in Redis: any worker that becomes active adopts it.

A credential (the site's auth session): never logged, kept in one Redis hash (``IDENTITY_KEY``:
the identity's JSON and its fingerprint). Saving is compare-and-set and fenced: only the worker
holding the lease, with the token of its current tenure, may write, so a worker that lost its
lease (or froze and woke up) cannot overwrite what the active one saved after a refresh.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from redis.exceptions import RedisError

from lmarena_client.identity import Identity

from .contract import IDENTITY_KEY, LEASE_KEY

log = logging.getLogger(__name__)

_SAVE = """
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
if (redis.call('HGET', KEYS[1], 'fingerprint') or '') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'identity', ARGV[3], 'fingerprint', ARGV[4])
return 1
"""

_CLEAR = """
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
return redis.call('DEL', KEYS[1])
"""


class RedisIdentityStore:
    """``IdentityStore`` on Redis, fenced by the lease token ``lease_token()`` returns."""

    def __init__(self, redis: Any, lease_token: Callable[[], str | None]) -> None:
        self._redis = redis
        self._lease_token = lease_token

    async def load(self) -> Identity | None:
        try:
            raw = await self._redis.hget(IDENTITY_KEY, "identity")
        except (RedisError, OSError) as exc:
            raise OSError(f"the identity in Redis could not be read: {exc}") from None
        if raw is None:
            return None
        try:
            return Identity.model_validate_json(raw)
        except ValueError:
            log.warning("the identity in Redis is unreadable; a new one will be created")
            return None

    async def save(self, identity: Identity, *, replaces: Identity | None) -> bool:
        expected = replaces.fingerprint() if replaces is not None else ""
        args = [self._token(), expected, identity.model_dump_json(), identity.fingerprint()]
        try:
            done = await self._redis.eval(_SAVE, 2, IDENTITY_KEY, LEASE_KEY, *args)
        except (RedisError, OSError) as exc:
            log.warning("identity not saved to Redis: %s", exc)
            return False
        if done == -1:
            log.warning("identity not saved: this worker does not hold the lease")
        return bool(done == 1)

    async def clear(self) -> None:
        if await self._redis.eval(_CLEAR, 2, IDENTITY_KEY, LEASE_KEY, self._token()) == -1:
            log.warning("identity not cleared: this worker does not hold the lease")

    def _token(self) -> str:
        return self._lease_token() or "\x00no lease"

    def __repr__(self) -> str:
        return f"RedisIdentityStore(key={IDENTITY_KEY!r})"
