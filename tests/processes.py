"""Starting and stopping the real processes tests need: redis-server, the fake site, workers, APIs.

Every process binds 127.0.0.1 on a free port and is stopped by its PID.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise TimeoutError(f"{what} not ready within {timeout:.0f} s")


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False


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
        return self.log.read_text(errors="replace")[-4000:]


def spawn(name: str, cmd: list[str], env: dict[str, str] | None = None) -> Proc:
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
    return Proc(name, popen, log)


def start_redis(port: int | None = None) -> Proc:
    """redis-server without persistence, on ``port`` (a restart reuses it) or a free one."""
    exe = shutil.which("redis-server")
    if exe is None:
        raise RuntimeError("redis-server is not installed (scripts/setup installs it)")
    port = port or free_port()
    proc = spawn(
        "redis",
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    )
    proc.extra["url"] = f"redis://127.0.0.1:{port}/0"
    proc.extra["port"] = str(port)
    try:
        wait_until(lambda: proc.alive() and redis_pings(port), 10, "redis-server")
    except TimeoutError:
        proc.stop()
        raise AssertionError(f"redis-server did not start:\n{proc.output()}") from None
    return proc


def redis_pings(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_fake_arena(*flags: str) -> Proc:
    port = free_port()
    proc = spawn(
        "fake-arena",
        [
            sys.executable,
            "-m",
            "lmarena_client.testing",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *flags,
        ],
    )
    proc.extra["url"] = f"http://127.0.0.1:{port}"
    wait_until(lambda: http_ok(f"http://127.0.0.1:{port}/__fake__/counters"), 20, "fake site")
    return proc


def start_worker(redis_url: str, origin: str, **env: str) -> Proc:
    return spawn(
        "worker",
        [str(BIN / "lmarena-worker")],
        {
            "LM_ARENA_REDIS_URL": redis_url,
            "LM_ARENA_ORIGIN": origin,
            "LM_ARENA_BROWSER_HEADLESS": "1",
            **env,
        },
    )


def start_api(redis_url: str | None, **env: str) -> Proc:
    port = free_port()
    full_env = {"LM_ARENA_PORT": str(port), **env}
    if redis_url:
        full_env["LM_ARENA_REDIS_URL"] = redis_url
    proc = spawn("api", [str(BIN / "lmarena-server")], full_env)
    proc.extra["url"] = f"http://127.0.0.1:{port}"
    wait_until(lambda: http_ok(f"http://127.0.0.1:{port}/health"), 30, "API")
    return proc


async def run_process(
    command: list[str], env: dict[str, str] | None = None, timeout: float = 120
) -> tuple[int, str, str]:
    """Run a command to its end from async code (the caller's event loop keeps serving, e.g.
    an in-process fake site); its exit code, stdout and stderr. Killed past ``timeout``."""
    proc = await asyncio.create_subprocess_exec(
        *command,
        env={**os.environ, **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    finally:
        if proc.returncode is None:
            proc.kill()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()
