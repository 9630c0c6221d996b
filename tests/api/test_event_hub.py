"""The API's shared pub/sub connection, on the in-memory Redis of the one-process mode."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from lmarena_api.event_hub import EventHub
from lmarena_worker.embedded import InMemoryBroker


@pytest.fixture
async def redis() -> AsyncIterator[Any]:
    pool = InMemoryBroker().pool()
    yield pool
    await pool.aclose()


@pytest.fixture
async def hub(redis: Any) -> AsyncIterator[EventHub]:
    events = EventHub(redis)
    yield events
    await events.close()


async def test_each_subscription_gets_its_own_channel_in_order(redis: Any, hub: EventHub) -> None:
    first = await hub.subscribe("job:1")
    second = await hub.subscribe("job:2")
    for data in (b"a", b"b", b"c"):
        await redis.publish("job:1", data)
    await redis.publish("job:2", b"other")
    assert [await first.get_message(1.0) for _ in range(3)] == [b"a", b"b", b"c"]
    assert await second.get_message(1.0) == b"other"
    assert await first.get_message(0.05) is None  # nothing else came: a timeout, not an error


async def test_subscriptions_share_one_connection(hub: EventHub) -> None:
    await hub.subscribe("job:1")
    connection = hub._pubsub
    await hub.subscribe("job:2")
    assert hub._pubsub is connection is not None


async def test_a_closed_subscription_receives_nothing(redis: Any, hub: EventHub) -> None:
    sub = await hub.subscribe("job:1")
    await sub.aclose()
    await redis.publish("job:1", b"late")
    assert await sub.get_message(0.05) is None
    assert "job:1" not in hub._subs


async def test_a_broken_connection_fails_open_streams_and_reconnects(
    redis: Any, hub: EventHub
) -> None:
    sub = await hub.subscribe("job:1")
    assert hub._reader is not None
    await hub._drop(RedisConnectionError("connection reset"))  # what the reader does on a break
    with pytest.raises(RedisConnectionError):
        await sub.get_message(1.0)
    again = await hub.subscribe("job:2")  # a new connection
    await redis.publish("job:2", b"x")
    assert await again.get_message(1.0) == b"x"
