"""``python -m lmarena_client.testing``: run the fake site until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys

from .arena import FakeArena
from .options import FakeArenaOptions


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m lmarena_client.testing", description="Run the fake LMArena site."
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8787, help="port (0 picks a free one)")
    parser.add_argument(
        "--interstitial",
        action="store_true",
        help="answer with a Cloudflare-style challenge until it is solved",
    )
    parser.add_argument(
        "--turnstile-click",
        action="store_true",
        help="the challenge also needs a click on its checkbox",
    )
    parser.add_argument(
        "--split-auth-cookie", action="store_true", help="set the auth cookie as .0/.1 halves"
    )
    parser.add_argument(
        "--signup-on-input",
        action="store_true",
        help="sign up only once the user types in the message box",
    )
    parser.add_argument(
        "--legacy-origin",
        action="store_true",
        help="also listen as an old domain that 301-redirects here",
    )
    parser.add_argument(
        "--catalog-only",
        action="store_true",
        help="models only in /nextjs-api/model-catalog, not in the page",
    )
    parser.add_argument(
        "--replay",
        metavar="FILE",
        help="answer as the site in a capture of `lmarena-doctor --capture FILE` did",
    )
    parser.add_argument("--log-level", default="WARNING")
    return parser.parse_args(argv)


def options_from(args: argparse.Namespace) -> FakeArenaOptions:
    options = FakeArenaOptions(
        interstitial=args.interstitial or args.turnstile_click,
        turnstile_click=args.turnstile_click,
        split_auth_cookie=args.split_auth_cookie,
        signup_on_input=args.signup_on_input,
        legacy_origin=args.legacy_origin,
        models_in_page=not args.catalog_only,
    )
    if args.replay:
        from .replay import load_capture, replay_options

        try:
            options = replay_options(load_capture(args.replay), options)
        except (OSError, ValueError) as exc:
            sys.exit(f"cannot replay {args.replay}: {exc}")
    return options


async def _serve(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with FakeArena(options_from(args), host=args.host, port=args.port) as arena:
        print(f"FakeArena listening on {arena.url}", flush=True)
        if arena.legacy_url:
            print(f"FakeArena legacy origin on {arena.legacy_url}", flush=True)
        if args.replay:
            print(f"FakeArena replaying {args.replay}", flush=True)
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
