"""The distributed setup with real processes: redis-server, the fake site, a worker, two APIs."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator

import pytest

from harness.api import start_api
from harness.proc import Proc
from harness.redis_server import start_redis
from harness.site import start_fake_arena
from harness.waiting import api_ready, wait_until
from harness.worker import start_worker


@pytest.fixture(scope="session")
def redis_proc() -> Iterator[Proc]:
    proc = start_redis()
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def fake_site() -> Iterator[Proc]:
    proc = start_fake_arena()
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def stack(redis_proc: Proc, fake_site: Proc) -> Iterator[dict[str, Proc]]:
    """One worker and two API replicas on one Redis; the worker is ready when this returns."""
    worker = start_worker(redis_proc.extra["url"], fake_site.extra["url"])
    apis = [
        start_api(redis_proc.extra["url"], LM_ARENA_ALLOW_PRIVATE_IMAGE_URLS="1") for _ in range(2)
    ]
    try:
        wait_until(lambda: api_ready(apis[0].extra["url"]), 90, "worker")
    except TimeoutError:
        raise AssertionError(f"worker never ready:\n{worker.output()}") from None
    yield {
        "worker": worker,
        "api1": apis[0],
        "api2": apis[1],
        "redis": redis_proc,
        "fake": fake_site,
    }
    for proc in (*apis, worker):
        proc.stop()


def fake_control(fake: Proc, path: str, body: dict | None = None) -> dict:  # type: ignore[type-arg]
    data = json.dumps(body or {}).encode() if body is not None else None
    request = urllib.request.Request(
        f"{fake.extra['url']}/__fake__/{path}",
        data=data,
        method="POST" if data is not None else "GET",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as resp:
        raw = resp.read()
    return json.loads(raw) if raw else {}


def wait_idle(fake: Proc, timeout: float = 10.0) -> float:
    """Seconds until the fake site has no open reply stream."""
    started = time.monotonic()
    wait_until(
        lambda: fake_control(fake, "counters")["active_streams"] == 0, timeout, "fake site idle"
    )
    return time.monotonic() - started
