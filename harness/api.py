"""``lmarena-server`` processes: the API alone on a Redis, or everything in one process."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .paths import BIN
from .ports import free_port
from .proc import Proc, spawn
from .waiting import http_ok, wait_started

if TYPE_CHECKING:
    from .group import ProcessGroup


def start_api(
    redis_url: str | None,
    *,
    log_level: str | None = None,
    args: Sequence[str] = (),
    ready_path: str = "/health",
    group: ProcessGroup | None = None,
    timeout: float = 30.0,
    **env: str,
) -> Proc:
    """The API on a free port, with ``redis_url``, or without one everything in one process;
    returns once ``ready_path`` answers 200; ``extra["url"]``."""
    port = free_port()
    cmd = [str(BIN / "lmarena-server"), *args]
    if log_level is not None:
        cmd += ["--log-level", log_level]
    full = {"LM_ARENA_HOST": "127.0.0.1", "LM_ARENA_PORT": str(port), **env}
    if redis_url:
        full["LM_ARENA_REDIS_URL"] = redis_url
    proc = spawn("api", cmd, full, group=group)
    proc.extra["url"] = url = f"http://127.0.0.1:{port}"
    return wait_started(proc, lambda: http_ok(url + ready_path), timeout, "API")
