"""``lmarena-worker`` processes on a given Redis and site."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .paths import BIN
from .proc import Proc, spawn

if TYPE_CHECKING:
    from .group import ProcessGroup


def start_worker(
    redis_url: str,
    origin: str,
    *,
    log_level: str | None = None,
    wrapper: Sequence[str] = (),
    group: ProcessGroup | None = None,
    **env: str,
) -> Proc:
    """A headless worker; returns at once (readiness shows in the API's ``/ready``).
    ``wrapper`` runs the console script through another program (``harness.netguard``)."""
    cmd = [*wrapper, str(BIN / "lmarena-worker")]
    if log_level is not None:
        cmd += ["--log-level", log_level]
    base = {
        "LM_ARENA_REDIS_URL": redis_url,
        "LM_ARENA_ORIGIN": origin,
        "LM_ARENA_BROWSER_HEADLESS": "1",
    }
    return spawn("worker", cmd, {**base, **env}, group=group)
