"""Keep prompts, replies and URL credentials out of the logs of the processes that run the worker.

Library code never configures logging; the entry points do (``lmarena-worker``,
``lmarena-server``), through :func:`configure_logging`, which puts a :class:`PrivacyFilter` on
the handlers it creates. A filter on a handler sees every record the handler writes, whichever
logger it came from, and nothing in arq is patched. arq's own CLI configures its logging itself:
``arq --custom-log-dict lmarena_worker.log_privacy.ARQ_LOG_CONFIG lmarena_worker.WorkerSettings``
gives it the same filter.

* arq's worker logs every job start with the job's arguments (a chat's prompt, an upload's image
  URL) and, unless ``log_results=False``, every result's repr (the reply, signed URLs), at INFO.
  Those records keep the timing, job id and function name, and lose the arguments and result.
* Every record, at every level, loses the userinfo of any URL it holds:
  ``http://user:password@host/`` is logged as ``http://***@host/``.

Only the standard library is imported here: the API's launcher uses this module too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "ARQ_LOG_CONFIG",
    "LOG_FORMAT",
    "PrivacyFilter",
    "configure_logging",
    "protect_handlers",
    "strip_url_credentials",
    "withhold_arq_job_details",
]

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
ARQ_LOGGER = "arq.worker"

# scheme://, then the userinfo: everything up to the last "@" of the authority (a password may
# hold a raw "@"). Quotes and brackets end it, so a URL inside a repr cannot swallow its
# neighbours.
_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)(?:[^/?#\s'\"<>()\[\]{}@]*@)+")

# arq.worker's job start and result lines (Worker.run_job; tests/worker/test_log_privacy.py
# checks the installed arq still writes them) -> the same line without the argument or result
# text, and which of the original args it keeps.
_ARQ_JOB_LINES: dict[str, tuple[str, tuple[int, ...]]] = {
    "%6.2fs → %s(%s)%s": ("%6.2fs → %s(…)%s", (0, 1, 3)),
    "%6.2fs ← %s ● %s": ("%6.2fs ← %s ●", (0, 1)),
}
_ARQ_JOB_MARKS = ("→", "←")


def strip_url_credentials(text: str) -> str:
    """``text`` with the userinfo of every ``scheme://user:pass@host`` replaced by ``***``."""
    return _USERINFO.sub(r"\1***@", text)


def withhold_arq_job_details(msg: str, args: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]] | None:
    """arq's job start or result line without the job's arguments or result; None when ``msg``
    is another arq line. A job line of a format this module does not know (a newer arq) is
    withheld whole rather than let through."""
    known = _ARQ_JOB_LINES.get(msg)
    if known is not None and len(args) == msg.count("%"):
        template, keep = known
        return template, tuple(args[i] for i in keep)
    if any(mark in msg for mark in _ARQ_JOB_MARKS):
        return "arq job line withheld (a format log_privacy does not know)", ()
    return None


class PrivacyFilter(logging.Filter):
    """Rewrites records in place (see the module docstring); never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == ARQ_LOGGER and isinstance(record.msg, str):
            _quiet_arq_job(record)
        _strip_credentials(record)
        return True


def _quiet_arq_job(record: logging.LogRecord) -> None:
    args = record.args if isinstance(record.args, tuple) else ()
    rewritten = withhold_arq_job_details(record.msg, args)
    if rewritten is not None:
        record.msg, record.args = rewritten


def _strip_credentials(record: logging.LogRecord) -> None:
    message = _message(record)
    if strip_url_credentials(message) != message:
        _strip_message(record, message)
    if record.exc_info and not record.exc_text:
        # Formatters reuse exc_text when it is set, so the cleaned traceback is what they print.
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = strip_url_credentials(record.exc_text)
    if record.stack_info:
        record.stack_info = strip_url_credentials(record.stack_info)


def _message(record: logging.LogRecord) -> str:
    # Any argument's __str__ may raise, and a filter must not raise into the code that logs.
    try:
        return record.getMessage()
    except Exception:  # noqa: BLE001
        # The handler would print the raw arguments when it fails the same way: drop them.
        text = f"unformattable log record ({record.pathname}:{record.lineno})"
        record.msg, record.args = text, ()
        return text


def _strip_message(record: logging.LogRecord, message: str) -> None:
    """Clean the template and string arguments, keeping their shape (uvicorn's access formatter
    reads ``args`` by position); if a credential still shows, keep only the cleaned text."""
    if isinstance(record.msg, str):
        record.msg = strip_url_credentials(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_clean(arg) for arg in record.args)
    elif isinstance(record.args, Mapping):
        record.args = {key: _clean(value) for key, value in record.args.items()}
    cleaned = _message(record)
    if strip_url_credentials(cleaned) != cleaned:  # in a non-string argument's str()
        record.msg, record.args = strip_url_credentials(message), ()


def _clean(value: object) -> object:
    return strip_url_credentials(value) if isinstance(value, str) else value


def protect_handlers(handlers: Iterable[logging.Handler]) -> None:
    """Put one :class:`PrivacyFilter` on each handler (again is harmless)."""
    for handler in handlers:
        if not any(isinstance(f, PrivacyFilter) for f in handler.filters):
            handler.addFilter(PrivacyFilter())


def configure_logging(level: str) -> None:
    """The logging of an entry point: root handler, format, level, and the privacy filter."""
    logging.basicConfig(level=level.upper(), format=LOG_FORMAT)
    # DevTools frames carry cookies and tokens: never log them, even at DEBUG.
    logging.getLogger("websockets").setLevel(max(logging.INFO, logging.root.level))
    protect_handlers(logging.root.handlers)


# For ``arq --custom-log-dict``: what configure_logging("INFO") sets up, as a dictConfig.
ARQ_LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"privacy": {"()": PrivacyFilter}},
    "formatters": {"plain": {"format": LOG_FORMAT}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["privacy"]}
    },
    "loggers": {"websockets": {"level": "INFO"}},
    "root": {"handlers": ["stderr"], "level": "INFO"},
}
