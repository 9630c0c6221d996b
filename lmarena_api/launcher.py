"""``lmarena-server``: the API alone (with Redis) or everything in one process (without)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import logging
import signal
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import uvicorn
import uvicorn.config

from lmarena_worker.log_privacy import PrivacyFilter, configure_logging

from .app import create_app
from .config import ApiSettings

log = logging.getLogger("lmarena_server")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="lmarena-server",
        description="OpenAI-style API for LMArena, and the WebUI at /ui. With LM_ARENA_REDIS_URL "
        "it enqueues jobs for a separate worker (lmarena-worker); without it, it runs the worker "
        "and an in-memory broker in this process.",
    )
    parser.add_argument("--host", help="bind address (default LM_ARENA_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default LM_ARENA_PORT or 1337)")
    parser.add_argument(
        "--fake-arena",
        action="store_true",
        help="offline demo: also start the fake LMArena site and use it (image URLs may then "
        "point at loopback and private addresses, where the fake keeps its images)",
    )
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    # Root handler with the privacy filter: the in-process worker's arq would log prompts,
    # replies and image URLs.
    configure_logging(args.log_level)
    overrides: dict[str, Any] = {k: v for k, v in (("host", args.host), ("port", args.port)) if v}
    settings = ApiSettings(**overrides)
    if (
        not settings.loopback_only
        and not settings.api_keys
        and not settings.allow_public_without_keys
    ):
        sys.exit(
            f"refusing to listen on {settings.host} without API keys: set LM_ARENA_API_KEYS "
            "(or LM_ARENA_ALLOW_PUBLIC_WITHOUT_KEYS=1 if you really mean it)"
        )
    if settings.redis_url and args.fake_arena:
        sys.exit("--fake-arena runs everything in one process; unset LM_ARENA_REDIS_URL")
    if settings.redis_url:
        uvicorn.run(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            log_level=args.log_level.lower(),
            log_config=_uvicorn_log_config(),
        )
        return
    with contextlib.suppress(asyncio.CancelledError):  # a signal during startup
        asyncio.run(_serve_in_one_process(settings, args.fake_arena, args.log_level.lower()))


def _uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's default logging, with the privacy filter on its handlers too (its error log
    prints tracebacks, which may hold URLs with credentials)."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["filters"] = {"privacy": {"()": PrivacyFilter}}
    for handler in config["handlers"].values():
        handler["filters"] = ["privacy"]
    return config


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: uvicorn would re-raise SIGTERM once it stops,
    killing the process before the worker and the browser are closed."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class _Stopper:
    """SIGINT/SIGTERM: stop the server once it runs; before that, unwind the startup."""

    def __init__(self) -> None:
        self.server: uvicorn.Server | None = None
        self._main = asyncio.current_task()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._stop)

    def _stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        elif self._main is not None:
            self._main.cancel()


async def _serve_in_one_process(settings: ApiSettings, fake_arena: bool, log_level: str) -> None:
    from lmarena_client import Client
    from lmarena_worker.embedded import InMemoryBroker, running_worker  # the browser stack

    broker = InMemoryBroker()
    stopper = _Stopper()
    async with contextlib.AsyncExitStack() as stack:
        client_options: dict[str, Any] = {}
        if fake_arena:
            client_options = await stack.enter_async_context(_fake_site())
            # The in-process fake forgets its users when it stops: keep no identity for it.
            client_options["ephemeral"] = True
            # Its generated images live on loopback: the worker (b64_json) and the API
            # (/v1/images/content) must be let fetch them.
            client_options["allow_private_image_urls"] = True
            settings = settings.model_copy(update={"allow_private_image_urls": True})
        client = Client(**client_options)
        await stack.enter_async_context(running_worker(broker, client))
        app = create_app(settings, redis=broker.pool())
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            log_level=log_level,
            log_config=_uvicorn_log_config(),
        )
        stopper.server = server = _Server(config)
        log.info(
            "one process: API, worker and in-memory broker; WebUI at http://%s:%d/ui",
            settings.host,
            settings.port,
        )
        await server.serve()


@contextlib.asynccontextmanager
async def _fake_site() -> AsyncIterator[dict[str, Any]]:
    from lmarena_client.testing import FakeArena, FakeArenaOptions

    async with FakeArena(FakeArenaOptions(), host="127.0.0.1", port=0) as arena:
        log.info("offline demo: fake LMArena site at %s (headless browser)", arena.url)
        yield {"origin": arena.url, "browser_headless": True}


if __name__ == "__main__":
    main()
