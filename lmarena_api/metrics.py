"""Prometheus metrics of the API (one registry per app, so several apps can share a process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "lmarena_api_requests_total",
            "Chat requests by outcome",
            ["stream", "status"],
            registry=r,
        )
        self.active_streams = Gauge(
            "lmarena_api_active_streams", "SSE streams open now", registry=r
        )
        self.queue_depth = Gauge("lmarena_api_queue_depth", "Jobs waiting in the queue", registry=r)
        self.standbys = Gauge(
            "lmarena_api_standby_workers",
            "Workers waiting to take over (as of the heartbeat)",
            registry=r,
        )
        self.time_to_first_token = Histogram(
            "lmarena_api_time_to_first_token_seconds",
            "From request to the first text or reasoning delta",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
            registry=r,
        )
        self.job_duration = Histogram(
            "lmarena_api_job_duration_seconds",
            "From enqueue to the job's last event",
            buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600),
            registry=r,
        )
        self.disconnects = Counter(
            "lmarena_api_client_disconnects_total",
            "Clients that left before the reply ended",
            registry=r,
        )
