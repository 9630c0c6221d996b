"""Following one job to its end from the API: through the queue, then its worker.

While a job waits, no worker's death or restart matters: it waits for any worker until its queue
deadline, then is cancelled through the queue gate (so it can never run after its client was told
it failed). Once a worker started it, that worker's liveness key decides: a worker gone without a
result ends the job at once. A Redis that stops answering ends it only past ``REDIS_GRACE`` and,
for a job that may still be waiting, only once its queue deadline has passed (its arq data has
then expired, so no worker can run it later).
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from arq.constants import abort_jobs_ss
from arq.jobs import Job
from redis.exceptions import RedisError

from lmarena_worker import queue_gate
from lmarena_worker.contract import WAKE_CHANNEL, JobOutcome, worker_alive_key

from .relay_repair import failed

log = logging.getLogger(__name__)

# How long a job may go on without an answer from Redis before it ends with an error.
REDIS_GRACE = 8.0


class JobWatch:
    """What the API knows of one job's fate; ``verdict()`` is asked on every quiet tick."""

    def __init__(self, redis: Any, job: Job, queue_timeout: float) -> None:
        self.redis = redis
        self.job = job
        self.queue_timeout = queue_timeout
        self.deadline = time.monotonic() + queue_timeout
        self.worker_id: str | None = None
        self._redis_lost_since: float | None = None

    @property
    def job_id(self) -> str:
        return self.job.job_id

    async def verdict(self, *, read_result: bool) -> JobOutcome | None:
        """None while the job may still deliver; otherwise how it ended (its stored result, or
        the failure the client is to be told). ``read_result`` also looks for a stored result
        while the worker lives (when the events are not being followed)."""
        try:
            outcome = await self.stored_outcome() if read_result else None
            if outcome is None:
                outcome = await self._from_state()
        except (RedisError, OSError) as exc:
            return self._redis_trouble(exc)
        self._redis_lost_since = None
        return outcome

    async def _from_state(self) -> JobOutcome | None:
        fate = await queue_gate.state(self.redis, self.job_id)
        if not fate.started and not fate.cancelled:
            # Waiting, or finished already (its fate is dropped then): a result tells which.
            outcome = await self.stored_outcome()
            if outcome is not None:
                return outcome
        if not fate.started:
            return await self._while_waiting(fate)
        self.worker_id = fate.worker_id
        assert fate.worker_id is not None
        if await self.redis.exists(worker_alive_key(fate.worker_id)):
            return None
        return await self.stored_outcome() or failed(
            "unavailable", "the worker running this job stopped"
        )

    async def _while_waiting(self, fate: queue_gate.JobState) -> JobOutcome | None:
        if fate.cancelled:
            return failed("cancelled", "the job was cancelled")
        if time.monotonic() < self.deadline:
            return None
        fate = await queue_gate.cancel(self.redis, self.job_id)
        if fate.cancelled:
            return failed(
                "unavailable", f"no worker took the job within {self.queue_timeout:.0f} s"
            )
        return None  # a worker took it just now: follow it

    def _redis_trouble(self, exc: BaseException) -> JobOutcome | None:
        now = time.monotonic()
        self._redis_lost_since = since = self._redis_lost_since or now
        log.warning("job %s: Redis not answering (%s)", self.job_id, exc)
        may_still_run = self.worker_id is None and now < self.deadline
        return redis_outage(now - since, may_still_run=may_still_run, error=str(exc))

    async def stored_outcome(self) -> JobOutcome | None:
        info = await self.job.result_info()
        if info is None:
            return None
        if info.success:
            return JobOutcome.model_validate(info.result)
        return failed("internal", f"the job failed: {type(info.result).__name__}")

    async def abandon(self) -> None:
        """The client left: a waiting job is cancelled for good, a running one is aborted (arq
        cancels it on its next poll, which the wake-up brings forward)."""
        with contextlib.suppress(RedisError, OSError):
            fate = await queue_gate.cancel(self.redis, self.job_id)
            if fate.started:
                await self.redis.zadd(abort_jobs_ss, {self.job_id: int(time.time() * 1000)})
                await self.redis.publish(WAKE_CHANNEL, b"1")

    async def forget(self) -> None:
        """The reply was delivered: its stored result (prompt and reply) may go."""
        await queue_gate.delivered(self.redis, self.job_id)


def redis_outage(lost_for: float, *, may_still_run: bool, error: str) -> JobOutcome | None:
    """Pure: None while an outage of ``lost_for`` seconds is borne (within ``REDIS_GRACE``, or
    while a waiting job could still be run later); then the failure to tell the client."""
    if lost_for < REDIS_GRACE or may_still_run:
        return None
    return failed("unavailable", f"the queue (Redis) is unreachable: {error}")
