"""The privacy filter of the worker's entry points: arq's job lines without arguments or results,
and no URL credentials in any record."""

from __future__ import annotations

import inspect
import io
import logging
import subprocess
import sys
from collections.abc import Iterator

import arq.worker
import pytest

from lmarena_worker.log_privacy import (
    LOG_FORMAT,
    PrivacyFilter,
    protect_handlers,
    strip_url_credentials,
    withhold_arq_job_details,
)

START = "%6.2fs → %s(%s)%s"
RESULT = "%6.2fs ← %s ● %s"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET http://user:password@host/a.png", "GET http://***@host/a.png"),
        ("https://u@cdn.example:8443/x?y=1", "https://***@cdn.example:8443/x?y=1"),
        ("redis://:s3cret@127.0.0.1:6379/0 down", "redis://***@127.0.0.1:6379/0 down"),
        ("http://user:p@ss@host/", "http://***@host/"),  # a raw @ in the password
        ("a http://a:b@x/ and https://c:d@y/", "a http://***@x/ and https://***@y/"),
        ("{'source': 'http://u:pw@h', 'who': 'a@b'}", "{'source': 'http://***@h', 'who': 'a@b'}"),
        ("HTTP://USER:PW@HOST", "HTTP://***@HOST"),
        # Nothing to strip:
        ("http://host/path@v2/x", "http://host/path@v2/x"),
        ("mail me at a@b.example", "mail me at a@b.example"),
        ("http://host:80/?next=a@b", "http://host:80/?next=a@b"),
        ("data:image/png;base64,AAAA@", "data:image/png;base64,AAAA@"),
    ],
)
def test_strip_url_credentials(text: str, expected: str) -> None:
    assert strip_url_credentials(text) == expected


def test_arq_job_lines_lose_arguments_and_results() -> None:
    start = withhold_arq_job_details(START, (0.01, "j1:chat", "{'text': 'secret prompt'}", ""))
    assert start == ("%6.2fs → %s(…)%s", (0.01, "j1:chat", ""))
    result = withhold_arq_job_details(RESULT, (1.5, "j1:chat", "{'chat': {'text': 'reply'}}"))
    assert result == ("%6.2fs ← %s ●", (1.5, "j1:chat"))
    # Other arq lines stay as they are; an unknown job line is withheld whole.
    assert withhold_arq_job_details("%6.2fs ! %s failed, %s: %s", (1.0, "j", "E", "e")) is None
    assert withhold_arq_job_details("Starting worker for %d functions: %s", (2, "a")) is None
    unknown = withhold_arq_job_details("%s → %s[%s]", ("j", "chat", "secret"))
    assert unknown is not None and "secret" not in str(unknown)


def test_the_job_line_formats_are_those_of_the_installed_arq() -> None:
    """The filter knows arq's job lines by their format strings: a new arq must be noticed."""
    source = inspect.getsource(arq.worker.Worker.run_job)
    assert f"'{START}'" in source and f"'{RESULT}'" in source


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """A handler like the entry points' (root format, privacy filter) on a private logger tree."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    protect_handlers([handler])
    loggers = [logging.getLogger(name) for name in ("arq.worker", "lmtest.privacy")]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        yield out
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
            logger.setLevel(logging.NOTSET)


def test_the_filter_on_arq_records(captured: io.StringIO) -> None:
    log = logging.getLogger("arq.worker")
    log.info(START, 0.02, "7f3a:chat", "{'model': 'm', 'text': 'MARKER-q81'}", "")
    log.info(RESULT, 1.25, "7f3a:chat", "{'chat': {'text': 'REPLY-z02'}}")
    log.info(START, 0.01, "8b1c:upload", "{'source': 'http://user:password@127.0.0.1/a.png'}", "")
    text = captured.getvalue()
    assert "7f3a:chat(…)" in text and "1.25s ← 7f3a:chat ●" in text and "8b1c:upload(…)" in text
    for secret in ("MARKER-q81", "REPLY-z02", "password", "127.0.0.1"):
        assert secret not in text


def test_the_filter_strips_credentials_everywhere(captured: io.StringIO) -> None:
    log = logging.getLogger("lmtest.privacy")
    log.warning("fetching %s failed", "http://user:password@img.test/a.png")
    try:
        raise ValueError("could not fetch https://bob:hunter2@img.test/b.png")
    except ValueError:
        log.exception("upload failed")
    log.info("url %s", {"u": "ftp://x:topsecret@h/"})  # credentials inside a non-string argument
    text = captured.getvalue()
    assert "http://***@img.test/a.png" in text and "https://***@img.test/b.png" in text
    assert "ValueError" in text and "ftp://***@h/" in text
    for secret in ("password", "hunter2", "topsecret"):
        assert secret not in text


def test_record_shape_is_kept_for_formatters_that_read_args() -> None:
    """uvicorn's access formatter unpacks ``args``: cleaning must keep the tuple."""
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', None, None
    )
    record.args = ("127.0.0.1:5", "GET", "/p?u=http://a:b@h/", "1.1", 200)
    assert PrivacyFilter().filter(record)
    assert record.args == ("127.0.0.1:5", "GET", "/p?u=http://***@h/", "1.1", 200)


def test_unformattable_records_neither_raise_nor_show_their_arguments(
    captured: io.StringIO,
) -> None:
    class Hostile:
        def __str__(self) -> str:
            raise RuntimeError("no")

    logging.getLogger("lmtest.privacy").info("%s and %d", Hostile(), "http://u:pw@h/")
    text = captured.getvalue()
    assert "unformattable log record" in text and "pw" not in text


def test_protect_handlers_adds_one_filter() -> None:
    handler = logging.NullHandler()
    protect_handlers([handler])
    protect_handlers([handler])
    assert sum(isinstance(f, PrivacyFilter) for f in handler.filters) == 1


def test_arq_cli_log_config_has_the_filter() -> None:
    """``arq --custom-log-dict lmarena_worker.log_privacy.ARQ_LOG_CONFIG``: arq's own CLI."""
    code = (
        "import logging, logging.config\n"
        "from lmarena_worker.log_privacy import ARQ_LOG_CONFIG\n"
        "logging.config.dictConfig(ARQ_LOG_CONFIG)\n"
        f"logging.getLogger('arq.worker').info({START!r}, 0.1, 'j9:chat', 'q-77', '')\n"
        "logging.getLogger('x').debug('hidden at INFO')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "INFO arq.worker:   0.10s → j9:chat(…)" in out.stderr, out.stderr
    assert "q-77" not in out.stderr and "hidden" not in out.stderr
