"""Stopping processes by PID, and whatever they leave behind (a worker's Chromium)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterable

from .proc import Proc
from .proctree import descendants, pid_alive, start_ticks


def kill_hard(proc: Proc) -> None:
    """SIGKILL by PID and reap: no shutdown code of the process runs."""
    if proc.alive():
        os.kill(proc.pid, signal.SIGKILL)
        proc.popen.wait(10)


def stop_tree(proc: Proc, grace: float = 10.0) -> list[str]:
    """Stop ``proc``; what it leaves running past ``grace`` seconds is SIGKILLed and reported."""
    # only while it is unreaped is its PID still its own
    below = [(pid, start_ticks(pid)) for pid in descendants(proc.pid)] if proc.alive() else []
    errors: list[str] = []
    try:
        proc.stop()
    except (OSError, subprocess.SubprocessError) as exc:
        errors.append(f"{proc.name} {proc.pid}: {exc}")

    def still_there(pid: int, started: int) -> bool:  # a recycled PID is someone else's
        return pid_alive(pid) and start_ticks(pid) == started

    left = [(pid, started) for pid, started in below if still_there(pid, started)]
    deadline = time.monotonic() + grace
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = [(pid, started) for pid, started in left if still_there(pid, started)]
    for pid, _ in left:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        errors.append(f"{proc.name} {proc.pid} left process {pid}")
    return errors


def stop_all(procs: Iterable[Proc], grace: float = 10.0) -> list[str]:
    """Stop each process in turn (see ``stop_tree``); what went wrong, one line each."""
    errors: list[str] = []
    for proc in procs:
        errors += stop_tree(proc, grace)
    return errors


def stop_all_or_fail(procs: Iterable[Proc]) -> None:
    """``stop_all``, then fail if a stop went wrong or left a process (cleaned up by then)."""
    errors = stop_all(procs)
    if errors:
        raise AssertionError("; ".join(errors))
