"""The worker's state in Redis: a heartbeat every second and the model list."""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from redis.exceptions import RedisError

from lmarena_client import Client
from lmarena_client.errors import LMArenaError

from . import queue_gate
from .contract import (
    HEARTBEAT_INTERVAL,
    HEARTBEAT_KEY,
    HEARTBEAT_TTL,
    MODELS_KEY,
    MODELS_TTL,
    Heartbeat,
    ModelList,
    WorkerState,
    worker_alive_key,
)
from .outcomes import model_card

log = logging.getLogger(__name__)

# Between checks that the browser is alive and the models are current.
SUPERVISE_INTERVAL = 15.0


@dataclass
class WorkerStatus:
    state: WorkerState = "standby"
    worker_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    detail: str = ""
    started_at: float = field(default_factory=time.time)
    active_jobs: int = 0
    models_json: str | None = None  # the last model list, rewritten with every heartbeat
    standbys: int = 0

    @property
    def active(self) -> bool:
        """Serving (it holds the lease): only then it writes the heartbeat and the models."""
        return self.state not in ("standby", "stopping")

    def heartbeat(self) -> Heartbeat:
        return Heartbeat(
            state=self.state,
            worker_id=self.worker_id,
            pid=os.getpid(),
            started_at=self.started_at,
            updated_at=time.time(),
            active_jobs=self.active_jobs,
            detail=self.detail,
            standbys=self.standbys,
        )


async def beat(redis: Any, status: WorkerStatus) -> None:
    """Write the heartbeat (and the model list, so a restarted Redis has it again within a
    beat) every HEARTBEAT_INTERVAL, and reap the jobs of dead workers; runs until cancelled."""
    while True:
        if status.active:
            status.standbys = await count_standbys(redis)
        await write_heartbeat(redis, status)
        if status.active:
            await reap_dead_workers(redis)
        await asyncio.sleep(HEARTBEAT_INTERVAL)


async def count_standbys(redis: Any) -> int:
    """Workers whose liveness key says they wait as standbys."""
    try:
        keys = [key async for key in redis.scan_iter(match=worker_alive_key("*"), count=100)]
        states = await redis.mget(keys) if keys else []
    except (RedisError, OSError) as exc:
        log.warning("standbys not counted: %s", exc)
        return 0
    return sum(1 for state in states if state == b"standby")


async def reap_dead_workers(redis: Any) -> None:
    try:
        reaped = await queue_gate.reap(redis)
    except (RedisError, OSError) as exc:
        log.warning("dead workers' jobs not reaped: %s", exc)
        return
    if reaped:
        log.warning("%d job(s) of a stopped worker dropped from the queue", len(reaped))


async def write_heartbeat(redis: Any, status: WorkerStatus) -> None:
    try:
        async with redis.pipeline(transaction=False) as pipe:
            pipe.set(worker_alive_key(status.worker_id), status.state, ex=HEARTBEAT_TTL)
            if status.active:
                pipe.set(HEARTBEAT_KEY, status.heartbeat().model_dump_json(), ex=HEARTBEAT_TTL)
            if status.active and status.models_json is not None:
                pipe.set(MODELS_KEY, status.models_json, ex=MODELS_TTL)
            await pipe.execute()
    except (RedisError, OSError) as exc:
        log.warning("heartbeat not written: %s", exc)


async def publish_models(redis: Any, client: Client, status: WorkerStatus) -> int:
    cards = [model_card(m) for m in await client.models()]
    status.models_json = ModelList(models=cards, updated_at=time.time()).model_dump_json()
    await redis.set(MODELS_KEY, status.models_json, ex=MODELS_TTL)
    return len(cards)


async def supervise(redis: Any, client: Client, status: WorkerStatus) -> None:
    """Bootstrap, then keep the browser alive and the model list fresh; runs until cancelled."""
    delay = 1.0
    while True:
        try:
            count = await publish_models(redis, client, status)
        except LMArenaError as exc:
            status.state, status.detail = "degraded", f"{type(exc).__name__}: {exc}"
            await write_heartbeat(redis, status)  # /ready must not wait for the next beat
            log.warning("worker degraded: %s; retrying in %.0f s", status.detail, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60.0)
            continue
        except (RedisError, OSError) as exc:
            log.warning("model list not written: %s", exc)
        except Exception:
            log.exception("worker check failed; retrying in %.0f s", delay)
            status.state, status.detail = "degraded", "internal error (see the worker log)"
            await write_heartbeat(redis, status)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60.0)
            continue
        else:
            if status.state != "ready":
                log.info("worker ready with %d models", count)
                status.state, status.detail = "ready", ""
                await write_heartbeat(redis, status)
        delay = 1.0
        await asyncio.sleep(SUPERVISE_INTERVAL)
