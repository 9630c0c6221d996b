"""``lmarena-worker``: run the worker against ``LM_ARENA_REDIS_URL``."""

from __future__ import annotations

import argparse
import logging

from arq.worker import run_worker


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="lmarena-worker",
        description="The lmarena-client worker: owns the browser, runs chat and upload jobs. "
        "Settings come from LM_ARENA_* variables (LM_ARENA_REDIS_URL for Redis).",
    )
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING (default INFO)")
    args = parser.parse_args()
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # DevTools frames carry cookies and tokens: never log them, even at DEBUG.
    logging.getLogger("websockets").setLevel(max(logging.INFO, logging.root.level))
    from .settings import WorkerSettings  # after logging is set up: importing reads the env

    run_worker(WorkerSettings)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
