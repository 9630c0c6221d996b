"""``python -m lmarena_client.testing``: the fake site as a separate process."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import sys
from collections.abc import AsyncIterator

import pytest

from .helpers import get_page, new_http, page_models

STARTUP_TIMEOUT = 15.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def fake_site_process(*args: str) -> AsyncIterator[asyncio.subprocess.Process]:
    """Start the CLI; always stopped by its PID (terminate, then kill) on the way out."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "lmarena_client.testing",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 5)
            except TimeoutError:
                process.kill()
                await process.wait()


async def read_line(process: asyncio.subprocess.Process) -> str:
    assert process.stdout is not None
    try:
        raw = await asyncio.wait_for(process.stdout.readline(), STARTUP_TIMEOUT)
    except TimeoutError:
        pytest.fail("the fake site printed nothing")
    if not raw and process.stderr is not None:
        error = await process.stderr.read()
        pytest.fail(f"the fake site exited: {error.decode(errors='replace')}")
    return raw.decode().rstrip("\n")


async def test_cli_serves_the_fake_site_until_terminated() -> None:
    port = free_port()
    async with fake_site_process("--host", "127.0.0.1", "--port", str(port)) as process:
        line = await read_line(process)
        assert line == f"FakeArena listening on http://127.0.0.1:{port}"
        url = f"http://127.0.0.1:{port}"
        async with new_http() as http:
            assert page_models(await get_page(http, url + "/?mode=direct"))
            async with http.post(url + "/__fake__/faults", json={"kind": "empty_200"}) as r:
                assert r.status == 200
                assert await r.json() == {"pending": 1}
            async with http.get(url + "/__fake__/counters") as r:
                assert (await r.json())["requests"]["/"] == 1
        process.terminate()
        assert await asyncio.wait_for(process.wait(), 5) == 0


async def test_cli_options_reach_the_site() -> None:
    port = free_port()
    async with fake_site_process(
        "--host", "127.0.0.1", "--port", str(port), "--legacy-origin", "--interstitial"
    ) as process:
        assert await read_line(process) == f"FakeArena listening on http://127.0.0.1:{port}"
        legacy = re.fullmatch(
            r"FakeArena legacy origin on (http://127\.0\.0\.1:\d+)", await read_line(process)
        )
        assert legacy is not None
        async with new_http() as http:
            async with http.get(f"http://127.0.0.1:{port}/") as r:
                assert r.status == 403
                assert "<title>Just a moment...</title>" in await r.text()
            async with http.get(legacy.group(1) + "/x", allow_redirects=False) as r:
                assert r.status == 301
                assert r.headers["Location"] == f"http://127.0.0.1:{port}/x"
