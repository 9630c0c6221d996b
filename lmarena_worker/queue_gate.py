"""The queue's atomic decisions, each one Lua script on Redis (shared by the API and the worker).

A job's fate is settled once, in Redis, by whichever side comes first:

- ``admit`` (API): enqueue only while fewer than ``max_waiting`` jobs wait, in one step, so a
  burst of replicas cannot overshoot the limit between a check and an enqueue.
- ``start`` (worker, first thing a job does): mark the job started by this worker, unless it was
  cancelled or already started by another worker (a crashed worker's job is never run twice).
- ``cancel`` (API, when it gives up or its client leaves): mark the job cancelled and drop it from
  the queue, unless a worker has started it. A client is told "failed" only after this succeeded
  (or after the job's data expired unrun), so a job whose client was told it failed never runs.
- ``reap`` (worker heartbeat): forget the running jobs of workers whose liveness key is gone.

Waiting jobs are ``ZCARD(queue) - HLEN(running)``: arq keeps a running job in its queue until it
ends, and a dead worker's jobs stay in ``running`` until reaped, so they never count as waiting.
This module imports no browser code: the API may import it beside ``contract``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from arq.jobs import serialize_job

from .contract import (
    LEASE_KEY,
    QUEUE_NAME,
    RUNNING_KEY,
    WORKER_ALIVE_PREFIX,
    WORKER_ALIVE_SUFFIX,
    job_delivered_key,
    job_state_key,
)

# arq's own key prefixes (arq.constants), for the keys these scripts touch.
ARQ_JOB_PREFIX = "arq:job:"
ARQ_RESULT_PREFIX = "arq:result:"
ARQ_IN_PROGRESS_PREFIX = "arq:in-progress:"
# A job's fate is dropped when arq is done with the job (``finished``); this bounds what a
# crash leaves behind, and outlasts the window in which arq could still try to run the job.
STATE_TTL = 3600
DELIVERED_TTL = 60  # a reply is delivered just before its job ends

_ADMIT = """
local waiting = redis.call('ZCARD', KEYS[1]) - redis.call('HLEN', KEYS[2])
if waiting >= tonumber(ARGV[1]) then return {0, waiting} end
if redis.call('EXISTS', KEYS[3]) == 1 or redis.call('EXISTS', KEYS[4]) == 1 then
  return {-1, waiting}
end
redis.call('PSETEX', KEYS[3], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[5])
return {1, waiting + 1}
"""

_START = """
if redis.call('GET', KEYS[3]) ~= ARGV[4] then return 'not-active' end
local state = redis.call('GET', KEYS[1])
if state then return state end
redis.call('SET', KEYS[1], 'started:' .. ARGV[2], 'EX', ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 'ok'
"""

_CANCEL = """
local state = redis.call('GET', KEYS[1])
if state then return state end
redis.call('SET', KEYS[1], 'cancelled', 'EX', ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[3])
return 'cancelled'
"""

_FINISHED = """
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
if redis.call('DEL', KEYS[3]) == 1 then redis.call('DEL', KEYS[4]) end
"""

_DELIVERED = """
if redis.call('DEL', KEYS[1]) == 0 then redis.call('SET', KEYS[2], '1', 'EX', ARGV[1]) end
"""

_REAP = """
local reaped = {}
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  local job, owner = entries[i], entries[i + 1]
  if redis.call('EXISTS', ARGV[1] .. owner .. ARGV[2]) == 0 then
    redis.call('HDEL', KEYS[1], job)
    redis.call('ZREM', KEYS[2], job)
    redis.call('DEL', ARGV[3] .. job, ARGV[4] .. job)
    table.insert(reaped, job)
  end
end
return reaped
"""


@dataclass(frozen=True)
class Admission:
    admitted: bool
    waiting: int  # jobs waiting, this one included when admitted


@dataclass(frozen=True)
class JobState:
    """What Redis says of a job's fate: nothing yet, cancelled, or started by a worker."""

    cancelled: bool = False
    worker_id: str | None = None
    not_active: bool = False  # refused to a worker that does not hold the lease

    @property
    def started(self) -> bool:
        return self.worker_id is not None

    @classmethod
    def parse(cls, raw: bytes | str | None) -> JobState:
        text = raw.decode() if isinstance(raw, bytes) else raw
        if not text:
            return cls()
        if text == "cancelled":
            return cls(cancelled=True)
        if text == "not-active":
            return cls(not_active=True)
        return cls(worker_id=text.removeprefix("started:"))


async def admit(
    redis: Any,
    job_id: str,
    function: str,
    payload: dict[str, Any],
    *,
    max_waiting: int,
    expires_s: float,
) -> Admission:
    """Enqueue an arq job (one positional argument) unless ``max_waiting`` jobs already wait."""
    now_ms = int(time.time() * 1000)
    data = serialize_job(function, (payload,), {}, None, now_ms)
    keys = [QUEUE_NAME, RUNNING_KEY, ARQ_JOB_PREFIX + job_id, ARQ_RESULT_PREFIX + job_id]
    args = [max_waiting, int(expires_s * 1000), data, now_ms, job_id]
    status, waiting = await redis.eval(_ADMIT, len(keys), *keys, *args)
    if status == -1:  # ids are fresh UUIDs: a clash is a bug, not a user error
        raise RuntimeError(f"job {job_id} exists already")
    return Admission(admitted=status == 1, waiting=int(waiting))


async def start(redis: Any, job_id: str, worker_id: str, lease_token: str) -> JobState | None:
    """Claim the job for this worker: None when claimed now (run it), else the state that
    forbids running it (cancelled, started by a worker before, or ``lease_token`` is not the
    active worker's: a worker that lost its lease starts nothing)."""
    keys = [job_state_key(job_id), RUNNING_KEY, LEASE_KEY]
    args = [job_id, worker_id, STATE_TTL, lease_token]
    raw = await redis.eval(_START, len(keys), *keys, *args)
    return None if raw in (b"ok", "ok") else JobState.parse(raw)


async def finished(redis: Any, job_id: str) -> None:
    """Worker side, once arq finished the job (it left the queue, so arq cannot run it again):
    forget its fate, and drop its stored result if the API delivered the reply already."""
    keys = [
        RUNNING_KEY,
        job_state_key(job_id),
        job_delivered_key(job_id),
        ARQ_RESULT_PREFIX + job_id,
    ]
    await redis.eval(_FINISHED, len(keys), *keys, job_id)


async def cancel(redis: Any, job_id: str) -> JobState:
    """Cancel a job that no worker has started; returns the job's state afterwards."""
    keys = [job_state_key(job_id), QUEUE_NAME, ARQ_JOB_PREFIX + job_id]
    return JobState.parse(await redis.eval(_CANCEL, len(keys), *keys, job_id, STATE_TTL))


async def delivered(redis: Any, job_id: str) -> None:
    """API side, once the reply was delivered: drop the stored result (prompt and reply), or
    mark it for ``finished`` when the worker has not stored it yet."""
    keys = [ARQ_RESULT_PREFIX + job_id, job_delivered_key(job_id)]
    await redis.eval(_DELIVERED, len(keys), *keys, DELIVERED_TTL)


async def state(redis: Any, job_id: str) -> JobState:
    return JobState.parse(await redis.get(job_state_key(job_id)))


async def reap(redis: Any) -> list[str]:
    """Drop from the queue the jobs of workers that stopped beating; returns their ids."""
    keys = [RUNNING_KEY, QUEUE_NAME]
    args = [WORKER_ALIVE_PREFIX, WORKER_ALIVE_SUFFIX, ARQ_JOB_PREFIX, ARQ_IN_PROGRESS_PREFIX]
    reaped = await redis.eval(_REAP, len(keys), *keys, *args)
    return [job.decode() if isinstance(job, bytes) else str(job) for job in reaped]


async def waiting(redis: Any) -> int:
    async with redis.pipeline(transaction=True) as pipe:
        pipe.zcard(QUEUE_NAME)
        pipe.hlen(RUNNING_KEY)
        queued, running = await pipe.execute()
    return max(0, int(queued) - int(running))
