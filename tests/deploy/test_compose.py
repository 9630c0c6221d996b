"""compose.yaml and the Dockerfile, checked without a Docker engine (none runs on these machines).

The worker's healthcheck command is run for real against a redis-server.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml

from harness.proc import Proc
from harness.redis_server import start_redis
from lmarena_worker.contract import HEARTBEAT_KEY, Heartbeat

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    found = compose["services"]
    assert set(found) == {"redis", "worker", "api"}
    return dict(found)


def test_redis_has_a_healthcheck_and_keeps_the_identity(
    compose: dict[str, Any], services: dict[str, Any]
) -> None:
    redis_service = services["redis"]
    assert "redis-cli" in redis_service["healthcheck"]["test"]
    command = redis_service["command"]
    assert command[:1] == ["redis-server"]
    # The identity that owns every chat lives here: an append-only file on a named volume.
    assert command[command.index("--appendonly") + 1] == "yes"
    volume = redis_service["volumes"][0].split(":")
    assert volume[1] == "/data" and volume[0] in compose["volumes"]
    assert "ports" not in redis_service  # a credential store: not published


@pytest.mark.parametrize("name", ["worker", "api"])
def test_services_wait_for_a_healthy_redis(services: dict[str, Any], name: str) -> None:
    service = services[name]
    assert service["depends_on"]["redis"]["condition"] == "service_healthy"
    assert service["environment"]["LM_ARENA_REDIS_URL"] == "redis://redis:6379/0"
    assert service["init"] is True


def test_worker_is_built_for_a_browser(services: dict[str, Any]) -> None:
    worker = services["worker"]
    assert worker["command"] == ["lmarena-worker"]
    assert _megabytes(worker["shm_size"]) >= 512  # Chromium crashes on Docker's 64 MB /dev/shm
    assert _seconds(worker["stop_grace_period"]) >= 10  # in-flight jobs end visibly
    assert worker["healthcheck"]["start_period"]
    assert "ports" not in worker


def test_api_is_published_on_loopback_only(services: dict[str, Any]) -> None:
    api = services["api"]
    assert api["command"][0] == "lmarena-server"
    assert api["ports"]
    for port in api["ports"]:
        assert str(port).startswith("127.0.0.1:"), port
    env = api["environment"]
    assert "LM_ARENA_API_KEYS" in env
    assert "LM_ARENA_ALLOW_PUBLIC_WITHOUT_KEYS" in env  # binding 0.0.0.0 in the container
    assert "/health" in " ".join(api["healthcheck"]["test"])


def test_console_scripts_used_by_compose_exist() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    for script in ("lmarena-server", "lmarena-worker"):
        assert re.search(rf"^{script} = ", pyproject, re.MULTILINE), script


def test_dockerfile_installs_the_browser_and_the_server_extra() -> None:
    text = (ROOT / "Dockerfile").read_text()
    for package in ("chromium", "xvfb", "tini", "curl"):
        assert re.search(rf"\b{package}\b", text), package
    assert '".[server]"' in text
    assert "USER " in text  # Chromium is not run as root in the image
    for copied in re.findall(r"^COPY (\S+)", text, re.MULTILINE):
        assert (ROOT / copied).exists(), copied


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    proc: Proc = start_redis()
    try:
        yield proc.extra["url"]
    finally:
        proc.stop()


@pytest.mark.parametrize(("state", "healthy"), [("ready", True), ("booting", False), (None, False)])
def test_worker_healthcheck_reads_the_heartbeat(
    services: dict[str, Any], redis_url: str, state: str | None, healthy: bool
) -> None:
    conn = redis.Redis.from_url(redis_url)
    conn.delete(HEARTBEAT_KEY)
    if state is not None:
        beat = Heartbeat(
            state=state, worker_id="w", pid=1, started_at=time.time(), updated_at=time.time()
        )  # type: ignore[arg-type]
        conn.set(HEARTBEAT_KEY, beat.model_dump_json())
    command = services["worker"]["healthcheck"]["test"]
    assert command[:2] == ["CMD", "python"]
    result = subprocess.run(
        [sys.executable, *command[2:]],
        env={**os.environ, "LM_ARENA_REDIS_URL": redis_url},
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert (result.returncode == 0) is healthy, result.stderr


def _megabytes(size: str | int) -> float:
    if isinstance(size, int):
        return size / 1e6
    number, unit = re.fullmatch(r"(\d+)\s*([kmg]?)b?", size.lower()).groups()  # type: ignore[union-attr]
    return int(number) * {"": 1e-6, "k": 1e-3, "m": 1, "g": 1e3}[unit]


def _seconds(text: str) -> float:
    number, unit = re.fullmatch(r"(\d+)(s|m)", text).groups()  # type: ignore[union-attr]
    return int(number) * (60 if unit == "m" else 1)
