"""Standby or active: a worker serves only while it holds the lease.

A standby keeps its Chromium launched (no page, no identity) and waits for the lease. Once it
holds it, it bootstraps with the shared identity, publishes the models, and its arq worker
picks jobs. When it loses the lease it stops at once: no new jobs, its running jobs cancelled
(their clients get an error), its browser closed so it never touches the identity again; then
it waits as a standby again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from lmarena_client import Client
from lmarena_client.errors import LMArenaError

from . import status
from .lease import LeaseKeeper

log = logging.getLogger(__name__)

# A standby asks for the lease this often.
LEASE_POLL = 0.2


class Role:
    def __init__(self, ctx: dict[str, Any], lease_ttl: float) -> None:
        self._ctx = ctx
        self._status: status.WorkerStatus = ctx["status"]
        self._client: Client = ctx["client"]
        self._redis = ctx["redis"]
        self._keeper = LeaseKeeper(
            self._redis, self._status.worker_id, ttl=lease_ttl, on_lost=self._step_down
        )
        self._supervisor: asyncio.Task[None] | None = None

    async def run(self) -> None:
        """Standby, active, standby again...; runs until cancelled."""
        try:
            while True:
                await self._stand_by()
                await self._keeper.wait_for_lease(LEASE_POLL)
                await self._take_over()
                await self._keeper.keep()  # returns once the lease is lost
        finally:
            with contextlib.suppress(Exception):
                await asyncio.shield(self._release())

    async def _stand_by(self) -> None:
        self._status.state, self._status.detail = "standby", ""
        self._set_picking(False)
        await status.write_heartbeat(self._redis, self._status)
        with contextlib.suppress(LMArenaError):  # launching early only saves time at takeover
            await self._client.launch_browser()

    async def _take_over(self) -> None:
        self._ctx["lease_token"] = self._keeper.token
        self._status.state = "booting"
        await status.write_heartbeat(self._redis, self._status)
        self._supervisor = asyncio.create_task(
            status.supervise(self._redis, self._client, self._status), name="supervisor"
        )
        self._set_picking(True)

    async def _step_down(self) -> None:
        """The lease is gone: serve nothing more as if it were ours."""
        self._ctx["lease_token"] = None
        self._set_picking(False)
        self._cancel_running_jobs()
        await self._stop_supervisor()
        await self._client.stop_browser()  # the new active worker owns the identity now

    def _set_picking(self, picking: bool) -> None:
        worker = self._ctx.get("worker")  # LMArenaWorker puts itself here; arq's own does not
        if worker is not None:
            worker.allow_pick_jobs = picking

    def _cancel_running_jobs(self) -> None:
        worker = self._ctx.get("worker")
        for task in getattr(worker, "job_tasks", {}).values():
            task.cancel()

    async def _stop_supervisor(self) -> None:
        task, self._supervisor = self._supervisor, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _release(self) -> None:
        """A graceful stop hands the lease over at once instead of letting it expire."""
        await self._stop_supervisor()
        await self._keeper.release()
