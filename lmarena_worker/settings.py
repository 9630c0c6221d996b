"""Worker settings: ``lmarena-worker`` (``run``) or ``arq lmarena_worker.WorkerSettings``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from arq import func
from arq.connections import RedisSettings
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from redis.exceptions import RedisError

from lmarena_client import Client

from . import jobs, queue_gate, status
from .contract import (
    HEARTBEAT_KEY,
    JOB_CHAT,
    JOB_UPLOAD,
    JOB_VOTE,
    QUEUE_NAME,
    worker_alive_key,
)
from .identity_store import RedisIdentityStore
from .role import Role

log = logging.getLogger(__name__)


class WorkerConfig(BaseSettings):
    """Worker settings from ``LM_ARENA_*`` variables (the browser's are the library's)."""

    model_config = SettingsConfigDict(env_prefix="LM_ARENA_", extra="ignore")

    redis_url: str = Field("redis://127.0.0.1:6379/0", description="The Redis the API uses too.")
    redis_timeout: float = Field(
        2.0, gt=0, description="Seconds before an unanswered Redis command fails."
    )
    worker_max_jobs: int = Field(32, ge=1, description="Chats streamed at once by one browser.")
    job_timeout: float = Field(600.0, gt=0, description="Longest a chat job may run (seconds).")
    lease_ttl: float = Field(
        2.0,
        gt=0.2,
        description="Seconds an active worker stays active without renewing its lease: how soon "
        "a standby takes over from a dead one.",
    )


def startup_for(config: WorkerConfig) -> Callable[[dict[str, Any]], Awaitable[None]]:
    async def startup(ctx: dict[str, Any]) -> None:
        """Create the Client (on the shared identity), start the heartbeat, then stand by
        until this worker holds the lease (``Role``)."""
        worker_status = status.WorkerStatus()
        redis = ctx["redis"]
        ctx.update(status=worker_status, worker_id=worker_status.worker_id, lease_token=None)
        if "client" not in ctx:
            store = RedisIdentityStore(redis, lambda: ctx.get("lease_token"))
            ctx["client"] = Client(identity_store=store)
        await status.write_heartbeat(redis, worker_status)
        role = Role(ctx, config.lease_ttl)
        ctx["tasks"] = [
            asyncio.create_task(status.beat(redis, worker_status), name="heartbeat"),
            asyncio.create_task(role.run(), name="role"),
        ]

    return startup


async def shutdown(ctx: dict[str, Any]) -> None:
    """Stop the background tasks, mark the worker gone, close the browser."""
    worker_status: status.WorkerStatus | None = ctx.get("status")
    if worker_status is not None:
        worker_status.state = "stopping"
    for task in ctx.get("tasks", []):
        task.cancel()
    for task in ctx.get("tasks", []):
        with contextlib.suppress(asyncio.CancelledError):
            await task
    if worker_status is not None:
        # Gone at once for the API (its streams end now); the keys would expire anyway.
        with contextlib.suppress(RedisError, OSError):
            await ctx["redis"].delete(HEARTBEAT_KEY, worker_alive_key(worker_status.worker_id))
    if "client" in ctx:
        await ctx["client"].close()


async def job_started(ctx: dict[str, Any]) -> None:
    ctx["status"].active_jobs += 1


async def job_ended(ctx: dict[str, Any]) -> None:
    ctx["status"].active_jobs -= 1


async def job_finished(ctx: dict[str, Any]) -> None:
    """After arq recorded the result and dropped the job from its queue."""
    with contextlib.suppress(RedisError, OSError):  # the keys expire, and the reaper cleans up
        await queue_gate.finished(ctx["redis"], ctx["job_id"])


def worker_options(config: WorkerConfig) -> dict[str, Any]:
    """Keyword arguments for ``arq.Worker``, shared by every way of running the worker."""
    return {
        "functions": [
            func(jobs.chat, name=JOB_CHAT, max_tries=1, timeout=config.job_timeout),
            func(jobs.upload, name=JOB_UPLOAD, max_tries=1, timeout=120),
            func(jobs.vote, name=JOB_VOTE, max_tries=1, timeout=120),
        ],
        "queue_name": QUEUE_NAME,
        "on_startup": startup_for(config),
        "on_shutdown": shutdown,
        "on_job_start": job_started,
        "on_job_end": job_ended,
        "after_job_end": job_finished,
        "max_jobs": config.worker_max_jobs,
        "allow_abort_jobs": True,
        # LMArenaWorker picks jobs up through wake-ups; polling is the fallback and abort check.
        "poll_delay": 0.25,
        # A chat must never be replayed into the browser after a crash or a shutdown.
        "retry_jobs": False,
        # Results (arq stores the job's arguments with them) serve the API's repair path only;
        # the API deletes each one once it delivered it.
        "keep_result": 60,
        "log_results": False,  # replies stay out of the logs
        "health_check_interval": 5,
    }


def redis_pool(config: WorkerConfig) -> Any:
    from .redis_client import connect

    return connect(config.redis_url, config.redis_timeout)


_config = WorkerConfig()


class WorkerSettings:
    """For ``arq lmarena_worker.WorkerSettings``; attributes are the keyword arguments of Worker."""

    redis_settings = RedisSettings.from_dsn(_config.redis_url)


for _name, _value in worker_options(_config).items():
    setattr(WorkerSettings, _name, _value)
