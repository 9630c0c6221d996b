"""The guard that keeps guarded programs on loopback really refuses: a connection off loopback
fails inside the process, before a packet leaves, and is logged; loopback still works."""

from __future__ import annotations

import subprocess
from pathlib import Path

from harness.netguard import WRAPPER, guard_env

PROGRAM = """
import asyncio, socket, sys

async def main() -> None:
    loop = asyncio.get_running_loop()
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    _, writer = await asyncio.open_connection("127.0.0.1", port)  # loopback: allowed
    writer.close()
    try:
        await asyncio.wait_for(asyncio.open_connection("192.0.2.1", 80), 5)
    except ConnectionRefusedError as exc:
        print("refused:", exc)
    else:
        print("CONNECTED")
    try:
        socket.getaddrinfo("example.com", 443)
    except socket.gaierror as exc:
        print("no dns:", exc)
    server.close()

asyncio.run(main())
"""


def test_a_guarded_program_cannot_leave_loopback(tmp_path: Path) -> None:
    script = tmp_path / "program.py"
    script.write_text(PROGRAM)
    with guard_env() as (env, log):
        done = subprocess.run(
            [*WRAPPER, str(script)],
            env={"PATH": "/usr/bin:/bin", **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=Path(__file__).resolve().parents[2],
        )
        logged = log.read_text()
    assert done.returncode == 0, done.stderr
    assert "refused: test guard: no traffic to 192.0.2.1" in done.stdout
    assert "no dns:" in done.stdout and "CONNECTED" not in done.stdout
    assert "connect ('192.0.2.1', 80)" in logged and "resolve 'example.com'" in logged
