"""The library's errors point to the doctor when a failure looks like a change of the site."""

from __future__ import annotations

import pytest

from lmarena_client.errors import (
    DOCTOR_HINT,
    AuthError,
    BootstrapError,
    CloudflareError,
    ContentRejectedError,
    DiscoveryError,
    LMArenaError,
    ProtocolError,
    RateLimitError,
    RecaptchaError,
    ReplyFailedError,
    SiteTimeoutError,
    StreamError,
    TokenMintError,
    TruncatedStreamError,
    UpstreamError,
)

SITE_CHANGES: list[LMArenaError] = [
    BootstrapError("no arena-auth-prod cookie appeared"),
    TokenMintError("grecaptcha returned None"),
    DiscoveryError("the site listed no models"),
    ProtocolError("malformed 'a0' line"),
    TruncatedStreamError("the stream ended without the finish line of a", partial_text="x"),
    RecaptchaError("the site answered 403: recaptcha validation failed", status=403),
    UpstreamError("the site answered 400: Invalid request body", status=400),
    UpstreamError("the site answered 404: not found", status=404),
    UpstreamError("the site answered 405: no detail", status=405),
]
OTHER_FAILURES: list[LMArenaError] = [
    UpstreamError("the site answered 503: busy", status=503),
    RateLimitError("the site answered 429: rate limited", retry_after=5),
    AuthError("the site answered 401: Unauthorized", status=401),
    CloudflareError("the site answered 403: a Cloudflare challenge page", status=403),
    ContentRejectedError("the site answered 422: rejected", status=422),
    ReplyFailedError("the site reported an error: overloaded"),
    StreamError("the connection broke mid-reply"),
    SiteTimeoutError("the reply stalled for 120 s"),
]


@pytest.mark.parametrize("error", SITE_CHANGES, ids=lambda e: type(e).__name__)
def test_site_changes_name_the_doctor(error: LMArenaError) -> None:
    assert error.looks_like_site_change
    assert error.doctor_hint == DOCTOR_HINT
    message = str(error)
    assert message.startswith(error.args[0])
    assert "lmarena-doctor" in message and "--capture" in message
    assert message.count("lmarena-doctor --capture") == 1


@pytest.mark.parametrize("error", OTHER_FAILURES, ids=lambda e: type(e).__name__)
def test_other_failures_do_not(error: LMArenaError) -> None:
    assert not error.looks_like_site_change
    assert error.doctor_hint is None
    assert str(error) == error.args[0]


def test_the_hint_is_not_added_twice() -> None:
    error = BootstrapError(f"the page did not load ({DOCTOR_HINT})")
    assert str(error).count(DOCTOR_HINT) == 1
