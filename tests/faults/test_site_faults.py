"""Every fault the fake site can inject, seen through the API: status, envelope, retries.

docs/API.md: 400 content rejected, 429 rate limit with Retry-After, 502 the site failed, 504 the
site timed out; a failure after text has streamed is an SSE error event then ``[DONE]``, the
text already sent standing. Faults the library retries (a refused token or identity, a
Cloudflare page, an empty or cut reply before any text, a redirect) end in a normal 200.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from .helpers import (
    Stack,
    assert_envelope,
    chat_body,
    counters,
    inject,
    pending_faults,
    reset_fake,
    stream_chat,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(60)]

CREATE = "/nextjs-api/stream/create-evaluation"
# The first five words of every reply of the fake site (turn 1 of a new session).
FIVE_WORDS = "Turn 1 of this session, "


@dataclass(frozen=True)
class Expect:
    fault: dict[str, Any]
    status: int  # 200 when the library recovers
    type: str | None = None
    code: str | None = None
    attempts: int = 1  # create-evaluation requests the site sees
    mid_stream: bool = False  # the failure comes after text: stream is 200 + error event
    partial: str | None = None  # the text streamed before the error event, exactly
    retry_after: str | None = None
    message: str | None = None  # a part of the error message


CASES: dict[str, Expect] = {
    "rate_limit_429": Expect(
        {"kind": "rate_limit_429", "retry_after": 7},
        429,
        "rate_limit_error",
        "rate_limit_exceeded",
        retry_after="7",
    ),
    "rate_limit_429_image": Expect(
        {"kind": "rate_limit_429", "retry_after": 30, "modality": "image"},
        429,
        "rate_limit_error",
        "rate_limit_exceeded",
        retry_after="30",
    ),
    "moderation_422": Expect(
        {"kind": "moderation_422"}, 400, "invalid_request_error", "content_rejected"
    ),
    "invalid_content_400": Expect(
        {"kind": "invalid_content_400"}, 400, "invalid_request_error", "content_rejected"
    ),
    "stream_error_after_text": Expect(
        {"kind": "stream_error", "after_words": 5, "message": "model overloaded"},
        502,
        "upstream_error",
        mid_stream=True,
        partial=FIVE_WORDS,
        message="model overloaded",
    ),
    "stream_error_before_text": Expect(
        {"kind": "stream_error", "after_words": 0, "message": "model overloaded"},
        502,
        "upstream_error",
        message="model overloaded",
    ),
    "cut_stream_after_text": Expect(
        {"kind": "cut_stream", "after_words": 5},
        502,
        "upstream_error",
        mid_stream=True,
        partial=FIVE_WORDS,
    ),
    "no_finish": Expect({"kind": "no_finish"}, 502, "upstream_error", mid_stream=True),
    "has_arena_error": Expect({"kind": "has_arena_error"}, 502, "upstream_error"),
    "slow_first_byte": Expect({"kind": "slow_first_byte", "seconds": 3}, 504, "timeout", "timeout"),
    "token_delay": Expect({"kind": "token_delay", "seconds": 4}, 504, "timeout", "timeout"),
    # Recovered by the library: a normal reply in the end.
    "cut_stream_before_text": Expect({"kind": "cut_stream", "after_words": 0}, 200, attempts=2),
    "empty_200": Expect({"kind": "empty_200"}, 200, attempts=2),
    "recaptcha_403": Expect({"kind": "recaptcha_403"}, 200, attempts=2),
    "recaptcha_403_twice": Expect({"kind": "recaptcha_403", "times": 2}, 200, attempts=3),
    "cloudflare_403": Expect({"kind": "cloudflare_403"}, 200, attempts=2),
    "unauthorized_401": Expect({"kind": "unauthorized_401"}, 200, attempts=2),
    "redirect_301": Expect({"kind": "redirect_301"}, 200, attempts=2),
    "finish_unknown": Expect({"kind": "finish_unknown"}, 200),
}


def _prepare(stack: Stack, expect: Expect) -> None:
    reset_fake(stack.fake_url)
    inject(stack.fake_url, **expect.fault)
    assert pending_faults(stack.fake_url) == 1


def _check_site_saw(stack: Stack, expect: Expect) -> None:
    # The fault was used up (so the answer above is the fault's), and the library retried
    # exactly as often as the rules say (no retry of a refusal, one per recoverable fault).
    assert pending_faults(stack.fake_url) == 0
    seen = counters(stack.fake_url)["requests"]
    assert seen.get(CREATE, 0) == expect.attempts, seen
    if expect.fault["kind"] == "redirect_301":
        assert seen.get("legacy-redirect") == 1, seen


def _check_error(error: dict[str, Any], expect: Expect) -> None:
    assert error["type"] == expect.type, error
    if expect.code is not None:
        assert error["code"] == expect.code, error
    if expect.message is not None:
        assert expect.message in error["message"], error


@pytest.mark.parametrize("name", list(CASES))
def test_fault_without_stream(fault_stack: Stack, name: str) -> None:
    expect = CASES[name]
    _prepare(fault_stack, expect)
    resp = httpx.post(
        f"{fault_stack.api_url}/v1/chat/completions",
        json=chat_body("x [fake: words=20]"),
        timeout=30,
    )
    assert resp.status_code == expect.status, resp.text
    if expect.status == 200:
        body = resp.json()
        assert body["choices"][0]["message"]["content"].startswith(FIVE_WORDS), body
        assert body["choices"][0]["finish_reason"] == "stop", body
    else:
        assert resp.headers["content-type"].startswith("application/json")
        _check_error(assert_envelope(resp.json()), expect)
    if expect.retry_after is not None:
        assert resp.headers.get("Retry-After") == expect.retry_after, resp.headers
    _check_site_saw(fault_stack, expect)


@pytest.mark.parametrize("name", list(CASES))
def test_fault_with_stream(fault_stack: Stack, name: str) -> None:
    expect = CASES[name]
    _prepare(fault_stack, expect)
    result = stream_chat(
        fault_stack.api_url, chat_body("x [fake: words=20]", stream=True), total=30
    )
    if expect.status == 200 or expect.mid_stream:
        assert result.status == 200, result.body
        assert result.done, result.events
        assert result.events[0]["choices"][0]["delta"]["role"] == "assistant"
    if expect.status == 200:
        assert result.error is None, result.events
        assert result.text.startswith(FIVE_WORDS), result.text
        assert result.finish_reason == "stop", result.events
    elif expect.mid_stream:
        # Text first, then {"error": ...} and [DONE]: the partial text stands.
        assert isinstance(result.events[-2], dict), result.events
        _check_error(assert_envelope(result.events[-2]), expect)
        assert result.content_events() > 0, result.events
        assert all("error" not in e for e in result.events[:-2] if isinstance(e, dict))
        if expect.partial is not None:
            assert result.text == expect.partial, result.text
        else:
            assert result.text.startswith(FIVE_WORDS), result.text
    else:
        # Failed before any text: a real HTTP status, not a 200 with an error inside.
        assert result.status == expect.status, (result.status, result.body, result.events)
        assert result.headers["content-type"].startswith("application/json")
        _check_error(assert_envelope(json.loads(result.body)), expect)
        if expect.retry_after is not None:
            assert result.headers.get("retry-after") == expect.retry_after, result.headers
    _check_site_saw(fault_stack, expect)
