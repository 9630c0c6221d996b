"""arq settings of the worker: ``arq lmarena_worker.WorkerSettings`` or ``lmarena-worker``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from arq import func
from arq.connections import RedisSettings
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from lmarena_client import Client

from . import jobs, redis_outages, status, wakeup
from .contract import HEARTBEAT_KEY, JOB_CHAT, JOB_UPLOAD, QUEUE_NAME

log = logging.getLogger(__name__)


class WorkerConfig(BaseSettings):
    """Worker settings from ``LM_ARENA_*`` variables (the browser's are the library's)."""

    model_config = SettingsConfigDict(env_prefix="LM_ARENA_", extra="ignore")

    redis_url: str = Field("redis://127.0.0.1:6379/0", description="The Redis the API uses too.")
    worker_max_jobs: int = Field(32, ge=1, description="Chats streamed at once by one browser.")
    job_timeout: float = Field(600.0, gt=0, description="Longest a chat job may run (seconds).")


async def startup(ctx: dict[str, Any]) -> None:
    """Create the Client and start the heartbeat, the supervisor and the wake-up listener."""
    worker_status = status.WorkerStatus()
    client = ctx.get("client") or Client()
    ctx.update(client=client, status=worker_status)
    redis = ctx["redis"]
    ctx["tasks"] = [
        asyncio.create_task(status.beat(redis, worker_status), name="heartbeat"),
        asyncio.create_task(status.supervise(redis, client, worker_status), name="supervisor"),
        asyncio.create_task(wakeup.listen(redis), name="wake-listener"),
    ]


async def shutdown(ctx: dict[str, Any]) -> None:
    """Stop the background tasks, mark the worker gone, close the browser."""
    if "status" in ctx:
        ctx["status"].state = "stopping"
    for task in ctx.get("tasks", []):
        task.cancel()
    for task in ctx.get("tasks", []):
        with contextlib.suppress(asyncio.CancelledError):
            await task
    with contextlib.suppress(Exception):  # Redis may be gone already; the key expires anyway
        await ctx["redis"].delete(HEARTBEAT_KEY)
    if "client" in ctx:
        await ctx["client"].close()


async def job_started(ctx: dict[str, Any]) -> None:
    ctx["status"].active_jobs += 1


async def job_ended(ctx: dict[str, Any]) -> None:
    ctx["status"].active_jobs -= 1


def worker_options(config: WorkerConfig) -> dict[str, Any]:
    """Keyword arguments for ``arq.Worker``, shared by every way of running the worker."""
    return {
        "functions": [
            func(jobs.chat, name=JOB_CHAT, max_tries=1, timeout=config.job_timeout),
            func(jobs.upload, name=JOB_UPLOAD, max_tries=1, timeout=120),
        ],
        "queue_name": QUEUE_NAME,
        "on_startup": startup,
        "on_shutdown": shutdown,
        "on_job_start": job_started,
        "on_job_end": job_ended,
        "max_jobs": config.worker_max_jobs,
        "allow_abort_jobs": True,
        # Jobs are picked up through wake-ups; polling is the fallback and the abort check.
        "poll_delay": 0.25,
        # A chat must never be replayed into the browser after a crash or a shutdown.
        "retry_jobs": False,
        "keep_result": 600,
        "health_check_interval": 5,
    }


wakeup.install()
redis_outages.install()
_config = WorkerConfig()


class WorkerSettings:
    """For ``arq lmarena_worker.WorkerSettings``; attributes are the keyword arguments of Worker."""

    redis_settings = RedisSettings.from_dsn(_config.redis_url)


for _name, _value in worker_options(_config).items():
    setattr(WorkerSettings, _name, _value)
