"""Running a command to its end from async code."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path


async def run_process(
    command: list[str],
    env: dict[str, str] | None = None,
    timeout: float = 120,
    cwd: Path | None = None,
) -> tuple[int, str, str]:
    """Run a command to its end from async code (the caller's event loop keeps serving, e.g.
    an in-process fake site); its exit code, stdout and stderr. Killed past ``timeout``."""
    proc = await asyncio.create_subprocess_exec(
        *command,
        env={**os.environ, **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=cwd,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()
