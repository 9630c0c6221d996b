import arq.worker
import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from lmarena_worker import redis_outages


async def test_a_redis_error_is_logged_and_the_loop_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(redis_outages, "MAX_BACKOFF", 0.01)
    calls: list[str] = []

    async def flaky(worker: object) -> None:
        calls.append("x")
        if len(calls) < 3:
            raise RedisConnectionError("connection refused")

    iteration = redis_outages.tolerant(flaky)
    for _ in range(4):
        await iteration(object())  # raises nothing while Redis is away
    assert len(calls) == 4


async def test_other_errors_still_end_the_loop() -> None:
    async def broken(worker: object) -> None:
        raise KeyError("a bug")

    with pytest.raises(KeyError):
        await redis_outages.tolerant(broken)(object())


def test_install_wraps_arq_once() -> None:
    redis_outages.install()
    first = arq.worker.Worker._poll_iteration
    redis_outages.install()
    assert arq.worker.Worker._poll_iteration is first
    assert getattr(first, "__lmarena_tolerant__", False)
