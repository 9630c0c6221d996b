"""``lmarena-worker``: run the worker against ``LM_ARENA_REDIS_URL``."""

from __future__ import annotations

import argparse

from .log_privacy import configure_logging


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="lmarena-worker",
        description="The lmarena-client worker: owns the browser, runs chat and upload jobs. "
        "Settings come from LM_ARENA_* variables (LM_ARENA_REDIS_URL for Redis).",
    )
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING (default INFO)")
    args = parser.parse_args()
    # Root handler with the privacy filter: arq would log prompts, replies and image URLs.
    configure_logging(args.log_level)
    from .settings import WorkerConfig, redis_pool, worker_options  # reads the env
    from .worker import LMArenaWorker

    config = WorkerConfig()
    LMArenaWorker(redis_pool=redis_pool(config), **worker_options(config)).run()


if __name__ == "__main__":
    main()
