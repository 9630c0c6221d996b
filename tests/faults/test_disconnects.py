"""100 clients leave in the middle of long streamed replies: every job is aborted at once."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from harness.waiting import wait_until

from .helpers import (
    LONG,
    Stack,
    chat_body,
    counters,
    heartbeat,
    metric_value,
    post_chat,
    queued_jobs,
    reset_fake,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]

CLIENTS = 100


async def _leave_mid_stream(client: httpx.AsyncClient, url: str) -> bool:
    """Stream until the first words arrive, then drop the connection."""
    async with client.stream("POST", url, json=chat_body(LONG, stream=True)) as resp:
        if resp.status_code != 200:
            return False
        async for line in resp.aiter_lines():
            if line.startswith("data: ") and '"content": "' in line and '"content": ""' not in line:
                return True  # leaving the block closes the connection mid-body
    return False


async def _storm(api_url: str) -> list[bool | BaseException]:
    limits = httpx.Limits(max_connections=CLIENTS + 10, max_keepalive_connections=0)
    timeout = httpx.Timeout(60, connect=10)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        url = f"{api_url}/v1/chat/completions"
        return await asyncio.wait_for(
            asyncio.gather(
                *(_leave_mid_stream(client, url) for _ in range(CLIENTS)), return_exceptions=True
            ),
            90,
        )


def test_a_hundred_clients_leave_mid_stream(fault_stack: Stack) -> None:
    stack = fault_stack
    reset_fake(stack.fake_url)
    results = asyncio.run(_storm(stack.api_url))
    left_at = time.monotonic()
    assert results == [True] * CLIENTS, [r for r in results if r is not True][:5]
    site = counters(stack.fake_url)
    assert site["streams_started"] >= CLIENTS, site  # all of them really reached the site
    assert site["streams_completed"] == 0, site  # 400 words at 50 ms: nobody got to the end

    # Each disconnect aborts its job, and the job closes its stream to the site.
    # 12 s leaves room for a loaded CI machine; a reply left to run would take 20 s and count as
    # completed, which the check after the wait rules out.
    try:
        wait_until(
            lambda: counters(stack.fake_url)["active_streams"] == 0, 12, "site streams closed"
        )
    except TimeoutError:
        raise AssertionError(
            f"{counters(stack.fake_url)}\n{heartbeat(stack.redis_url)}\n"
            f"{stack.worker.output()[-3000:]}"
        ) from None
    assert counters(stack.fake_url)["streams_completed"] == 0
    wait_until(
        lambda: (heartbeat(stack.redis_url) or {}).get("active_jobs") == 0, 10, "worker idle"
    )
    wait_until(lambda: not queued_jobs(stack.redis_url), 10, "queue empty")
    wait_until(
        lambda: metric_value(stack.api_url, "lmarena_api_active_streams") == 0,
        10,
        "API streams closed",
    )
    settled = time.monotonic() - left_at
    assert settled < 15, f"took {settled:.1f} s to settle"
    disconnects = metric_value(stack.api_url, "lmarena_api_client_disconnects_total")
    assert disconnects >= CLIENTS, disconnects
    assert counters(stack.fake_url)["streams_completed"] == 0  # no job ran on to the end

    started = time.monotonic()
    resp = post_chat(stack.api_url, "still there?", timeout=30)
    assert resp.status_code == 200, resp.text
    assert time.monotonic() - started < 5
