"""Waiting for processes to get ready: polling loops and the probes they poll."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from .proc import Proc

# Loopback only: a proxy from the environment must never see these requests.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class StartupError(RuntimeError):
    """A process exited at startup or did not get ready in time (it has been stopped)."""


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise TimeoutError(f"{what} not ready within {timeout:.0f} s")


def wait_started(proc: Proc, check: Callable[[], bool], timeout: float, what: str) -> Proc:
    """Wait for ``check``; a process that exits, stays unready or is interrupted while waiting
    is stopped, and reported with its log."""
    deadline = time.monotonic() + timeout
    ready = False
    try:
        while time.monotonic() < deadline:
            if not proc.alive():
                raise StartupError(f"{what} exited at startup:\n{proc.output()}")
            if check():
                ready = True
                return proc
            time.sleep(0.05)
        raise StartupError(f"{what} not ready within {timeout:.0f} s:\n{proc.output()}")
    finally:
        if not ready:
            proc.stop()


def http_ok(url: str) -> bool:
    try:
        with _DIRECT.open(url, timeout=2) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def api_ready(api_url: str) -> bool:
    """``GET /ready`` answers 200 with ``ready`` true: a worker published its models."""
    try:
        with _DIRECT.open(f"{api_url}/ready", timeout=2) as resp:
            return resp.status == 200 and bool(json.load(resp).get("ready"))
    except (OSError, ValueError):
        return False


def redis_pings(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False
