"""The fake LMArena site (``python -m lmarena_client.testing``) as a process of its own."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from .ports import free_port
from .proc import Proc, spawn
from .waiting import http_ok, wait_started

if TYPE_CHECKING:
    from .group import ProcessGroup


def start_fake_arena(*flags: str, group: ProcessGroup | None = None, timeout: float = 20.0) -> Proc:
    """The fake site on a free port, with the command-line ``flags``; ``extra["url"]``."""
    port = free_port()
    cmd = [sys.executable, "-m", "lmarena_client.testing", "--host", "127.0.0.1"]
    proc = spawn("fake-arena", [*cmd, "--port", str(port), *flags], group=group)
    proc.extra["url"] = url = f"http://127.0.0.1:{port}"
    return wait_started(proc, lambda: http_ok(f"{url}/__fake__/counters"), timeout, "fake site")
