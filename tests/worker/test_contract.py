import subprocess
import sys

import pytest
from pydantic import ValidationError

from lmarena_worker.contract import (
    ChatJob,
    ChatResult,
    DoneEvent,
    ErrorEvent,
    ErrorInfo,
    ReasoningEvent,
    StartedEvent,
    TextEvent,
    events_channel,
    parse_event,
)


@pytest.mark.parametrize(
    "event",
    [
        StartedEvent(seq=0, worker_id="w1"),
        TextEvent(seq=1, text="héllo\n"),
        ReasoningEvent(seq=2, text="hmm"),
        DoneEvent(seq=3, result=ChatResult(text="x", evaluation_session_id="s")),
        ErrorEvent(seq=4, error=ErrorInfo(kind="rate_limited", message="m", retry_after=3)),
    ],
)
def test_events_round_trip(event: object) -> None:
    assert parse_event(event.model_dump_json()) == event  # type: ignore[attr-defined]


def test_malformed_events_are_refused() -> None:
    for raw in [
        '{"type": "text", "seq": 1}',
        '{"type": "nope", "seq": 0}',
        "not json",
        '{"type": "text", "seq": -1, "text": "x"}',
    ]:
        with pytest.raises(ValidationError):
            parse_event(raw)


def test_jobs_refuse_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        ChatJob.model_validate({"model": "m", "text": "t", "surprise": 1})


def test_channel_names_are_per_job() -> None:
    assert events_channel("a") != events_channel("b")
    assert events_channel("a").startswith("lmarena:events:")


@pytest.mark.parametrize("module", ["contract", "queue_gate", "redis_client", "log_privacy"])
def test_modules_the_api_imports_hold_no_browser_code(module: str) -> None:
    code = f"import sys, lmarena_worker.{module}; print('nodriver' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_api_app_imports_no_browser_code() -> None:
    code = (
        "import sys, lmarena_api.app, lmarena_api.launcher; "
        "print(sorted(m for m in sys.modules if m.startswith(('nodriver', 'lmarena_client.browser',"
        " 'lmarena_worker.jobs'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_newer_peer_s_extra_fields_are_ignored() -> None:
    """A rolling deploy runs two versions at once: fields one does not know must not break it."""
    event = parse_event('{"type": "text", "seq": 3, "text": "hi", "added_later": 1}')
    assert isinstance(event, TextEvent) and event.text == "hi"
