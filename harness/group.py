"""The processes one run started, so that none is left behind."""

from __future__ import annotations

import contextlib
import signal
from typing import Protocol

from .proc import Proc
from .stopping import stop_all


class Owner(Protocol):
    """Something that stops its own processes (a stack) while it is in use."""

    def procs(self) -> list[Proc]: ...


class ProcessGroup:
    """Every process started into it; ``stop_all`` ends them, newest first, by PID."""

    def __init__(self) -> None:
        self.started: list[Proc] = []
        self.owners: list[Owner] = []  # in use: their processes are not strays

    def add(self, proc: Proc) -> Proc:
        self.started.append(proc)
        return proc

    def release(self, owner: Owner) -> None:
        self.owners[:] = [held for held in self.owners if held is not owner]

    def stop_all(self, grace: float = 10.0) -> list[str]:
        errors = stop_all(reversed(self.started), grace)
        self.started.clear()
        return errors

    def kill_strays(self) -> list[Proc]:
        """SIGKILL the live processes no owner holds; returns them (none, when all is well)."""
        owned = {proc.pid for owner in self.owners for proc in owner.procs()}
        strays = [proc for proc in self.started if proc.alive() and proc.pid not in owned]
        for proc in strays:
            with contextlib.suppress(OSError):
                proc.stop(signal.SIGKILL, timeout=5)
        return strays
