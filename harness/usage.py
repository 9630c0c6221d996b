"""What processes use, from /proc: memory, CPU time, file descriptors."""

from __future__ import annotations

import os
from collections.abc import Iterable

from .proctree import PROC, descendants, stat_fields

TICKS = os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    """Resident set size of one process in KiB (raises OSError once it is gone)."""
    for line in (PROC / str(pid) / "status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def rss_bytes(pid: int) -> int:
    """Resident set size of one process (0 once it is gone)."""
    try:
        return rss_kib(pid) * 1024
    except OSError:
        return 0


def pss_bytes(pid: int) -> int:
    """Proportional set size: shared pages split among their users, so a tree's sum is honest."""
    try:
        text = (PROC / str(pid) / "smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def tree_memory(pids: Iterable[int]) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) over processes."""
    pid_list = list(pids)
    return sum(rss_bytes(p) for p in pid_list), sum(pss_bytes(p) for p in pid_list)


def fd_count(pid: int) -> int:
    return len(os.listdir(PROC / str(pid) / "fd"))


def cpu_split(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds a process has used so far."""
    fields = stat_fields(pid)
    return int(fields[11]) / TICKS, int(fields[12]) / TICKS


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far."""
    return sum(cpu_split(pid))


def _cpu_with_reaped(pid: int) -> float:
    """A process's CPU time plus that of the children it has waited for (cutime, cstime)."""
    return sum(int(x) for x in stat_fields(pid)[11:15]) / TICKS


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process, everything below it, and what it and they have reaped."""
    total = 0.0
    for member in [pid, *descendants(pid)]:
        try:
            total += _cpu_with_reaped(member)
        except (OSError, ValueError, IndexError):
            continue
    return total
