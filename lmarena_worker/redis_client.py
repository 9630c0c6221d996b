"""Redis connections with timeouts: a frozen Redis (accepting, never answering) must turn into
errors within seconds, not hang the API or the worker."""

from __future__ import annotations

from arq.connections import ArqRedis

from .contract import QUEUE_NAME


def connect(url: str, timeout: float) -> ArqRedis:
    """A pool for ``url`` whose every command fails after ``timeout`` seconds of silence.

    Pub/sub readers must read with their own short timeout (``get_message(timeout=...)``): a
    blocking read would hit the socket timeout while a channel is merely quiet.
    """
    pool: ArqRedis = ArqRedis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        socket_keepalive=True,
        health_check_interval=max(1, int(timeout * 5)),
    )
    pool.default_queue_name = QUEUE_NAME
    return pool
