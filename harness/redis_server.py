"""redis-server for a test or bench run: no persistence, loopback only."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from .ports import free_port
from .proc import Proc, spawn
from .waiting import redis_pings, wait_started

if TYPE_CHECKING:
    from .group import ProcessGroup


def start_redis(
    port: int | None = None, *, group: ProcessGroup | None = None, timeout: float = 10.0
) -> Proc:
    """redis-server on ``port`` (a restart reuses it) or a free one; ``extra``: url, port."""
    exe = shutil.which("redis-server")
    if exe is None:
        raise RuntimeError("redis-server is not installed (scripts/setup installs it)")
    port = port or free_port()
    cmd = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = spawn("redis", cmd, group=group)
    proc.extra.update(url=f"redis://127.0.0.1:{port}/0", port=str(port))
    return wait_started(proc, lambda: redis_pings(port), timeout, "redis-server")
