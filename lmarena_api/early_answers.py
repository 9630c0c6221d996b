"""Pure: the refusals the API gives before any job exists (503 no worker, 429 queue full)."""

from __future__ import annotations

from lmarena_worker.contract import Heartbeat, ModelList

from .errors import ApiError


def redis_unreachable(exc: BaseException) -> ApiError:
    return ApiError(
        503,
        f"the queue (Redis) is unreachable: {exc}",
        type="service_unavailable",
        code="redis_unavailable",
        retry_after=5,
    )


def ready_worker(beat: Heartbeat | None) -> Heartbeat:
    """The heartbeat of a ready worker; 503 when there is none, or it is not ready."""
    if beat is None:
        raise ApiError(
            503,
            "no worker is running",
            type="service_unavailable",
            code="worker_down",
            retry_after=5,
        )
    if beat.state != "ready":
        detail = f" ({beat.detail})" if beat.detail else ""
        raise ApiError(
            503,
            f"the worker is {beat.state}{detail}",
            type="service_unavailable",
            code=f"worker_{beat.state}",
            retry_after=5,
        )
    return beat


def published_models(listing: ModelList | None) -> ModelList:
    """The published model list; 503 while the worker has published none."""
    if listing is None:
        raise ApiError(
            503,
            "the worker has not published its models yet",
            type="service_unavailable",
            code="models_unknown",
            retry_after=5,
        )
    return listing


def queue_full(waiting: int) -> ApiError:
    return ApiError(
        429,
        f"the queue is full ({waiting} jobs waiting); try again shortly",
        type="rate_limit_error",
        code="queue_full",
        retry_after=2,
    )
