"""The machine a run happens on: what it is, and how busy other people's processes keep it."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import time

from .proctree import PROC
from .usage import TICKS, tree_cpu


def _cpu_model() -> str:
    for line in (PROC / "cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def _meminfo_kib(field: str) -> int:
    for line in (PROC / "meminfo").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _version(cmd: list[str]) -> str:
    if shutil.which(cmd[0]) is None:
        return f"{cmd[0]} not found"
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
    return (done.stdout or done.stderr).strip().splitlines()[0]


def machine_line() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"Machine: {_cpu_model()}, {os.cpu_count()} cores, "
        f"{_meminfo_kib('MemTotal') / 2**20:.1f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"{_version(['chromium', '--version'])}, "
        f"{_version(['redis-server', '--version']).split(' sha=')[0]}; load average {load}"
    )


def busy_seconds() -> float:
    """CPU time the whole machine has spent busy (all cores, from /proc/stat)."""
    fields = (PROC / "stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / TICKS


class ForeignLoad:
    """How many cores other people's processes kept busy between ``start`` and ``stop``."""

    def __init__(self) -> None:
        self._wall = self._busy = self._ours = 0.0
        self.cores = 0.0

    def start(self) -> None:
        self._wall = time.monotonic()
        self._busy, self._ours = busy_seconds(), tree_cpu(os.getpid())

    def stop(self) -> float:
        busy = busy_seconds() - self._busy
        ours = tree_cpu(os.getpid()) - self._ours
        self.cores = max(0.0, busy - ours) / max(time.monotonic() - self._wall, 1e-9)
        return self.cores
