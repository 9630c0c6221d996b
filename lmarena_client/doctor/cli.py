"""``lmarena-doctor`` (also ``python -m lmarena_client doctor``): check each step against the
site, print the report (``--json`` for scripts), exit 0 / 1 / 3 (see :mod:`.report`)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..config import ClientSettings
from .render import ProgressPrinter, render_text
from .report import EXIT_INTERRUPTED, EXIT_USAGE, Report
from .steps import DEFAULT_PROMPT, DoctorOptions, run_doctor

DESCRIPTION = """\
Check, step by step, that the site still works the way lmarena-client expects: browser launch,
page load and redirects, Cloudflare interstitial, auth cookie, grecaptcha and the site key,
models (page and catalog), Evaluation chunks and action ids, one token, one tiny chat, and (with
--upload) an upload round trip. Settings come from LM_ARENA_* variables, as for the library.
"""
EPILOG = """\
exit status: 0 every step ok; 1 a step failed; 2 bad command line or file; 3 no step failed but
one changed (the client copes, the site differs from what it expects); 130 interrupted.

To report a problem: lmarena-doctor --capture trace.json, and attach trace.json (cookies,
tokens, ids and signed URLs in it are replaced by placeholders; prompts and replies too unless
--keep-text). A capture replays in the fake site: python -m lmarena_client.testing --replay FILE
"""


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="lmarena-doctor",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--capture", type=Path, metavar="FILE", help="write a redacted trace of the run to FILE"
    )
    parser.add_argument(
        "--keep-text",
        action="store_true",
        help="keep the prompt and the reply in the capture (they are replaced otherwise)",
    )
    parser.add_argument("--model", help="the chat's model (default: the first text model)")
    parser.add_argument("--prompt", default=DEFAULT_PROMPT, help="the tiny chat's prompt")
    parser.add_argument("--upload", action="store_true", help="also check an image upload")
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="REPORT",
        help="a --json report of an earlier good run: say what changed since",
    )
    parser.add_argument("--origin", help="the site's origin (default LM_ARENA_ORIGIN)")
    parser.add_argument(
        "--headless",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run Chromium headless (default LM_ARENA_BROWSER_HEADLESS)",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="show progress on stderr (default on)",
    )
    parser.add_argument("--log-level", default="WARNING", help="library log level (stderr)")
    return parser.parse_args(argv)


def _settings(args: argparse.Namespace) -> ClientSettings:
    overrides: dict[str, Any] = {}
    if args.origin:
        overrides["origin"] = args.origin
    if args.headless is not None:
        overrides["browser_headless"] = args.headless
    return ClientSettings(**overrides)


def _baseline(path: Path | None) -> Report | None:
    if path is None:
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and data.get("format") == "lmarena-doctor-capture":
        data = data.get("report")  # a capture holds the report of its run
    return Report.model_validate(data)


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    try:
        settings = _settings(args)
        options = DoctorOptions(
            model=args.model,
            upload=args.upload,
            capture=args.capture,
            keep_text=args.keep_text,
            baseline=_baseline(args.baseline),
            prompt=args.prompt,
        )
        if args.capture is not None and not args.capture.expanduser().parent.is_dir():
            raise OSError(f"no directory for the capture: {args.capture.parent}")
    except (ValidationError, ValueError, OSError) as exc:
        print(f"lmarena-doctor: {exc}", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    progress = ProgressPrinter(sys.stderr, live=sys.stderr.isatty()) if args.progress else None
    try:
        report = asyncio.run(run_doctor(settings, options, progress=progress))
    except KeyboardInterrupt:
        print("\nlmarena-doctor: interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    if args.json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(render_text(report))
    sys.stdout.flush()
    if report.capture:
        print(
            f"lmarena-doctor: capture written to {report.capture}; secrets are replaced by "
            "placeholders, but look it over before you attach it",
            file=sys.stderr,
        )
    sys.exit(report.exit_code)


if __name__ == "__main__":
    main()
