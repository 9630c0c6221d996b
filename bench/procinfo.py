"""What the benchmarks read from /proc: memory and CPU of processes, and the machine."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path

_PROC = Path("/proc")
_TICKS = os.sysconf("SC_CLK_TCK")


def _status_kib(pid: int, field: str) -> int:
    for line in (_PROC / str(pid) / "status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def rss_bytes(pid: int) -> int:
    """Resident set size of one process (0 once it is gone)."""
    try:
        return _status_kib(pid, "VmRSS") * 1024
    except OSError:
        return 0


def pss_bytes(pid: int) -> int:
    """Proportional set size: shared pages split among their users, so a tree's sum is honest."""
    try:
        text = (_PROC / str(pid) / "smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def _stat_fields(pid: int) -> list[str]:
    raw = (_PROC / str(pid) / "stat").read_text()
    return raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) "


def start_ticks(pid: int) -> int:
    """When a process started (clock ticks since boot): with the PID, a process's identity."""
    try:
        return int(_stat_fields(pid)[19])
    except (OSError, ValueError, IndexError):
        return -1


def cpu_split(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds a process has used so far."""
    fields = _stat_fields(pid)
    return int(fields[11]) / _TICKS, int(fields[12]) / _TICKS


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far."""
    return sum(cpu_split(pid))


def _parents() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in _PROC.iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(_stat_fields(int(entry.name))[1])
            except (OSError, ValueError, IndexError):
                continue
    return parents


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, grandchildren, ...)."""
    children: dict[int, list[int]] = {}
    for child, parent in _parents().items():
        children.setdefault(parent, []).append(child)
    found: list[int] = []
    todo = list(children.get(pid, []))
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _comm(pid: int) -> str:
    try:
        return (_PROC / str(pid) / "comm").read_text().strip()
    except OSError:
        return ""


def chromium_pids(parent: int) -> list[int]:
    return [pid for pid in descendants(parent) if "chrom" in _comm(pid)]


def tree_memory(pids: Iterable[int]) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) over processes."""
    pid_list = list(pids)
    return sum(rss_bytes(p) for p in pid_list), sum(pss_bytes(p) for p in pid_list)


def _cpu_model() -> str:
    for line in (_PROC / "cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def _ram_gib() -> float:
    return _status_meminfo("MemTotal") / 2**20


def _status_meminfo(field: str) -> int:
    for line in (_PROC / "meminfo").read_text().splitlines():
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
        f"Machine: {_cpu_model()}, {os.cpu_count()} cores, {_ram_gib():.1f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"{_version(['chromium', '--version'])}, "
        f"{_version(['redis-server', '--version']).split(' sha=')[0]}; load average {load}"
    )


def busy_seconds() -> float:
    """CPU time the whole machine has spent busy (all cores, from /proc/stat)."""
    fields = (_PROC / "stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / _TICKS


def _cpu_with_reaped(pid: int) -> float:
    """A process's CPU time plus that of the children it has waited for (cutime, cstime)."""
    fields = _stat_fields(pid)
    return sum(int(x) for x in fields[11:15]) / _TICKS


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process, everything below it, and what it and they have reaped."""
    total = 0.0
    for member in [pid, *descendants(pid)]:
        try:
            total += _cpu_with_reaped(member)
        except (OSError, ValueError, IndexError):
            continue
    return total


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
