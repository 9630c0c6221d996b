"""Fixtures of the hostile suite.

``hostile_stack``: redis-server, the fake site, a worker and an API process. The worker runs
with the test guard (``harness.netguard`` runs it): it cannot connect off
loopback nor send a DNS query, host names resolve through ``HOSTS`` only, and 127.0.0.2 stands
in for a public server. The API process lets private image URLs through
(``LM_ARENA_ALLOW_PRIVATE_IMAGE_URLS=1``) so that the worker's own fetcher is what is tested
there; in-process apps (``serve_app``) check addresses themselves.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from harness import netguard
from harness.ports import free_port
from harness.waiting import http_ok, wait_until
from lmarena_api import image_checks
from lmarena_api.app import create_app
from lmarena_api.config import ApiSettings
from tests.faults.helpers import Stack, start_stack

STANDIN = "127.0.0.2"  # treated as a public address by the guarded worker's image fetcher

HOSTS: dict[str, list[str]] = {
    "public.test": [STANDIN],
    "loop.test": ["127.0.0.1"],
    "intranet.test": ["10.1.2.3"],
    "home.test": ["192.168.1.20"],
    "corp.test": ["172.16.4.5"],
    "metadata.test": ["169.254.169.254"],
    "linklocal6.test": ["fe80::1"],
    "ula.test": ["fc00::1"],
    "mapped.test": ["::ffff:127.0.0.1"],
    "loop6.test": ["::1"],
    # one public and one private address: the whole name is refused
    "mixed.test": ["93.184.216.34", "192.168.0.7"],
    # a public address, for the API's own check only (nothing ever connects to it)
    "pub.test": ["93.184.216.34"],
}


@pytest.fixture(scope="session")
def guard_log() -> Iterator[tuple[dict[str, str], Path]]:
    with netguard.guard_env(HOSTS, standin=STANDIN) as (env, log):
        yield env, log
        refused = log.read_text()
        assert not refused, f"the worker tried to leave loopback:\n{refused}"


@pytest.fixture(scope="session")
def hostile_stack(guard_log: tuple[dict[str, str], Path]) -> Iterator[Stack]:
    env, _ = guard_log
    with start_stack(
        worker_env=env,
        worker_wrapper=netguard.WRAPPER,
        api_env={"LM_ARENA_ALLOW_PRIVATE_IMAGE_URLS": "1"},
    ) as stack:
        yield stack


async def table_resolve(host: str, port: int) -> list[str]:
    """The API's resolver in in-process tests: ``HOSTS`` and numeric forms, never DNS."""
    if host.lower() in HOSTS:
        return list(HOSTS[host.lower()])
    if host.lower() == "localhost":
        return ["127.0.0.1", "::1"]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    except socket.gaierror as exc:
        raise OSError(f"{host} does not resolve (tests resolve no names by DNS)") from exc
    return [str(info[4][0]) for info in infos]


@pytest.fixture(scope="session")
def checking_api(hostile_stack: Stack) -> Iterator[str]:
    """The API in this process (``create_app``), checking image addresses itself (private URLs
    refused), on the hostile stack's Redis and worker; it resolves names through ``HOSTS``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(image_checks, "system_resolve", table_resolve)
        settings = ApiSettings(redis_url=hostile_stack.redis_url)
        assert not settings.allow_private_image_urls
        with serve_app(create_app(settings)) as url:
            yield url


@contextmanager
def serve_app(app: FastAPI) -> Iterator[str]:
    """Run ``app`` with uvicorn in a thread of this process; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="api-under-test", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: http_ok(f"{url}/health"), 20, "in-process API")
        yield url
    finally:
        server.should_exit = True
        thread.join(15)
        assert not thread.is_alive(), "the in-process API did not stop"
