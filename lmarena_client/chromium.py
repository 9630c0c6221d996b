"""Launching and stopping the Chromium process (and Xvfb for headful runs without a display).

Chromium is started here rather than by nodriver so that it dies with its parent
(``PR_SET_PDEATHSIG`` on Linux), its output never fills an unread pipe, and its profile is ours
to delete. nodriver then attaches to the DevTools port.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BrowserError, ConfigError

log = logging.getLogger(__name__)

_CANDIDATES = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "brave-browser",
    "microsoft-edge",
)
_MAC_PATHS = (
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Brave Browser.app/Contents/MacOS/Brave Browser",
)
# Flags measured to work on this project's machines (see docs/ARCHITECTURE.md, "Browser").
BASE_FLAGS = (
    "--no-first-run",
    "--no-default-browser-check",
    "--no-service-autorun",
    "--password-store=basic",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--disable-breakpad",
    "--disable-session-crashed-bubble",
    "--disable-search-engine-choice-screen",
    "--disable-blink-features=AutomationControlled",
    "--remote-allow-origins=*",
    "--log-level=3",
    "--window-size=1280,800",
)


@dataclass(frozen=True)
class LaunchOptions:
    """What to launch; built from ClientSettings by the browser session."""

    executable: Path | None = None
    user_data_dir: Path | None = None
    profile_directory: str | None = None
    incognito: bool = False
    headless: bool = False


@dataclass
class ChromiumProcess:
    """A running Chromium with its DevTools port, and the helpers it owns."""

    process: subprocess.Popen[bytes]
    port: int
    user_data_dir: Path
    owns_profile: bool
    headless: bool
    xvfb: subprocess.Popen[bytes] | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    async def stop(self) -> None:
        """Terminate Chromium (and Xvfb), wait for them, delete a temporary profile."""
        with contextlib.suppress(TimeoutError):  # a clean exit may already be under way
            await asyncio.wait_for(asyncio.to_thread(self.process.wait), 3.0)
        await _terminate(self.process)
        if self.xvfb is not None:
            await _terminate(self.xvfb)
        if self.owns_profile:
            await asyncio.to_thread(shutil.rmtree, self.user_data_dir, True)


def find_executable(configured: Path | None) -> Path:
    """The configured browser, else the first Chromium-family browser found."""
    if configured is not None:
        if not configured.exists():
            raise ConfigError(f"browser executable not found: {configured}")
        return configured
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    for path in _MAC_PATHS:
        if Path(path).exists():
            return Path(path)
    raise ConfigError(
        "no Chromium-family browser found; install chromium (Debian: apt-get install chromium) "
        "or set LM_ARENA_BROWSER_EXECUTABLE_PATH"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: Chromium gets SIGKILL when we die, even by SIGKILL.
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)


def _needs_virtual_display(headless: bool) -> bool:
    return not headless and sys.platform.startswith("linux") and not os.environ.get("DISPLAY")


def _start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    xvfb = shutil.which("Xvfb")
    assert xvfb is not None
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(write_fd,),
        preexec_fn=_die_with_parent,  # noqa: PLW1509 - only a prctl call, no locks taken
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as reader:
        number = reader.readline().strip()
    if not number:
        proc.kill()
        raise BrowserError("Xvfb did not report a display number")
    return proc, f":{number}"


def _resolve_display(
    options: LaunchOptions,
) -> tuple[bool, subprocess.Popen[bytes] | None, dict[str, str]]:
    """Decide headless or headful, starting Xvfb when headful has no display."""
    if not _needs_virtual_display(options.headless):
        return options.headless, None, {}
    if shutil.which("Xvfb") is None:
        log.warning(
            "headful browser requested but there is no display and Xvfb is not installed; "
            "running headless (install xvfb, or set LM_ARENA_BROWSER_HEADLESS=1 to silence this)"
        )
        return True, None, {}
    xvfb, display = _start_xvfb()
    log.info("no display: started Xvfb on %s for the headful browser", display)
    return False, xvfb, {"DISPLAY": display}


def _command(
    executable: Path, options: LaunchOptions, headless: bool, port: int, udd: Path
) -> list[str]:
    cmd = [str(executable), *BASE_FLAGS, f"--user-data-dir={udd}"]
    cmd += ["--remote-debugging-host=127.0.0.1", f"--remote-debugging-port={port}"]
    if headless:
        cmd.append("--headless=new")
    if options.incognito:
        cmd.append("--incognito")
    if options.profile_directory:
        cmd.append(f"--profile-directory={options.profile_directory}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    cmd.append("about:blank")
    return cmd


def _devtools_version(port: int) -> dict[str, str] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=1) as resp:
            data: dict[str, str] = json.load(resp)
            return data
    except OSError:
        return None


async def launch(options: LaunchOptions, timeout: float = 30.0) -> ChromiumProcess:
    """Start Chromium and wait until its DevTools endpoint answers."""
    executable = find_executable(options.executable)
    owns_profile = options.user_data_dir is None
    udd = (
        Path(tempfile.mkdtemp(prefix="lmarena-profile-")) if owns_profile else options.user_data_dir
    )
    assert udd is not None
    headless, xvfb, extra_env = await asyncio.to_thread(_resolve_display, options)
    port = _free_port()
    proc = subprocess.Popen(  # noqa: ASYNC220 - fork+exec returns at once
        _command(executable, options, headless, port, udd),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **extra_env},
        preexec_fn=_die_with_parent,  # noqa: PLW1509 - only a prctl call, no locks taken
    )
    chromium = ChromiumProcess(proc, port, udd, owns_profile, headless, xvfb, extra_env)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not chromium.alive:
            await chromium.stop()
            raise BrowserError(f"{executable} exited at start with code {proc.returncode}")
        if await asyncio.to_thread(_devtools_version, port) is not None:
            return chromium
        await asyncio.sleep(0.05)
    await chromium.stop()
    raise BrowserError(f"{executable} did not open its DevTools port within {timeout:.0f} s")


async def _terminate(proc: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.terminate()
    try:
        await asyncio.wait_for(asyncio.to_thread(proc.wait), grace)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await asyncio.to_thread(proc.wait)
