"""A child process with its log file, started in the checkout and stopped by its PID."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .paths import ROOT

if TYPE_CHECKING:
    from .group import ProcessGroup


@dataclass
class Proc:
    """A child process with its log file; ``stop()`` ends it by PID."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def url(self) -> str:
        return self.extra["url"]

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> None:
        if self.popen.poll() is None:
            os.kill(self.popen.pid, sig)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.popen.pid, signal.SIGKILL)
                self.popen.wait(5)

    def output(self) -> str:
        """The end of the log, for error messages."""
        return full_log(self)[-4000:]


def full_log(proc: Proc) -> str:
    return proc.log.read_text(errors="replace")


def spawn(
    name: str,
    cmd: list[str],
    env: dict[str, str] | None = None,
    *,
    group: ProcessGroup | None = None,
) -> Proc:
    """Start ``cmd`` in the checkout, output to a temporary log; recorded in ``group`` at once
    so that it is stopped even if it never gets ready."""
    log = Path(tempfile.mkstemp(prefix=f"{name}-", suffix=".log")[1])
    with log.open("wb") as out:
        popen = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            cwd=ROOT,
        )
    proc = Proc(name, popen, log)
    if group is not None:
        group.add(proc)
    return proc
