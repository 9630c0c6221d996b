"""Process trees from /proc: who is alive, who is below whom, and which are Chromium."""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")


def stat_fields(pid: int) -> list[str]:
    """Fields of /proc/PID/stat after "pid (comm) ": state, ppid, ... (raises OSError)."""
    raw = (PROC / str(pid) / "stat").read_text()
    return raw[raw.rindex(")") + 2 :].split()


def pid_alive(pid: int) -> bool:
    """Running and not a zombie."""
    try:
        return stat_fields(pid)[0] != "Z"
    except (OSError, ValueError, IndexError):
        return False


def start_ticks(pid: int) -> int:
    """When a process started (clock ticks since boot): with the PID, a process's identity."""
    try:
        return int(stat_fields(pid)[19])
    except (OSError, ValueError, IndexError):
        return -1


def all_pids() -> list[int]:
    return [int(name) for name in os.listdir(PROC) if name.isdigit()]


def _parents() -> dict[int, int]:
    parents: dict[int, int] = {}
    for pid in all_pids():
        try:
            parents[pid] = int(stat_fields(pid)[1])
        except (OSError, ValueError, IndexError):
            continue
    return parents


def children(pid: int) -> list[int]:
    return [child for child, parent in _parents().items() if parent == pid]


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, grandchildren, ...)."""
    below: dict[int, list[int]] = {}
    for child, parent in _parents().items():
        below.setdefault(parent, []).append(child)
    found: list[int] = []
    todo = list(below.get(pid, []))
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(below.get(current, []))
    return found


def cmdline(pid: int) -> str:
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace")


def comm(pid: int) -> str:
    try:
        return (PROC / str(pid) / "comm").read_text().strip()
    except OSError:
        return ""


def chromium_pids(worker_pid: int) -> list[int]:
    """The browsers a process started: its children with a DevTools port."""
    return [pid for pid in children(worker_pid) if "--remote-debugging-port" in cmdline(pid)]


def chromium_tree(parent: int) -> list[int]:
    """Every Chromium process below ``parent`` (browser, renderers, GPU, zygotes...)."""
    return [pid for pid in descendants(parent) if "chrom" in comm(pid)]


def profile_dir(chromium_pid: int) -> str:
    for part in cmdline(chromium_pid).split():
        if part.startswith("--user-data-dir="):
            return part.split("=", 1)[1]
    raise AssertionError(f"no --user-data-dir in {cmdline(chromium_pid)!r}")


def pids_with(text: str) -> list[int]:
    """Live processes whose command line contains ``text`` (for a profile dir: that Chromium)."""
    me = os.getpid()
    return [pid for pid in all_pids() if pid != me and text in cmdline(pid) and pid_alive(pid)]
