"""A whole deployment: redis-server, the fake site, one worker and one API process."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .api import start_api
from .group import ProcessGroup
from .ports import free_port
from .proc import Proc
from .redis_server import start_redis
from .site import start_fake_arena
from .stopping import stop_all_or_fail
from .waiting import api_ready, wait_until
from .worker import start_worker


@dataclass
class Stack:
    """redis-server, the fake site, one worker and one API process, all on 127.0.0.1."""

    group: ProcessGroup
    redis: Proc
    fake: Proc
    worker: Proc
    api: Proc
    others: list[Proc] = field(default_factory=list)

    @property
    def api_url(self) -> str:
        return self.api.url

    @property
    def fake_url(self) -> str:
        return self.fake.url

    @property
    def redis_url(self) -> str:
        return self.redis.url

    def logs(self) -> str:
        return f"--- worker ---\n{self.worker.output()}\n--- api ---\n{self.api.output()}"

    def replace_worker(self, **env: str) -> Proc:
        """A new worker on the same Redis and site (the old one must be gone already)."""
        self.others.append(self.worker)
        self.worker = start_worker(
            self.redis_url, self.fake_url, log_level="INFO", group=self.group, **env
        )
        return self.worker

    def procs(self) -> list[Proc]:
        return [self.api, *self.others, self.worker, self.fake, self.redis]

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop every process by PID; fails if one left a process (its browser) running."""
        self.group.release(self)
        stop_all_or_fail(self.procs())


def start_stack(
    group: ProcessGroup,
    *,
    worker_env: dict[str, str] | None = None,
    worker_wrapper: Sequence[str] = (),
    api_env: dict[str, str] | None = None,
    fake_flags: tuple[str, ...] = (),
    log_level: str = "INFO",
    redis_port: int | None = None,
    ready_timeout: float = 90.0,
) -> Stack:
    """A whole stack, started into ``group``; returns once the worker is ready (its models
    are published). Whatever started is stopped again if that fails."""
    started: list[Proc] = []
    stack: Stack | None = None
    try:
        redis = start_redis(redis_port or free_port(), group=group)
        started.append(redis)
        fake = start_fake_arena(*fake_flags, group=group)
        started.append(fake)
        worker = start_worker(
            redis.url,
            fake.url,
            log_level=log_level,
            wrapper=worker_wrapper,
            group=group,
            **(worker_env or {}),
        )
        started.append(worker)
        api_options = api_env or {}
        api = start_api(
            redis.url, log_level=log_level.lower(), group=group, timeout=30.0, **api_options
        )
        started.append(api)
        stack = Stack(group, redis, fake, worker, api)
        group.owners.append(stack)
        try:  # a worker that dies at startup fails the stack at once
            wait_until(lambda: not worker.alive() or api_ready(api.url), ready_timeout, "worker")
        except TimeoutError:
            raise AssertionError(f"the stack never got ready:\n{stack.logs()}") from None
        if not worker.alive():
            raise AssertionError(f"the worker exited at startup:\n{stack.logs()}")
        return stack
    except BaseException:
        if stack is not None:
            group.release(stack)
        stop_all_or_fail(reversed(started))
        raise
