from datetime import UTC, datetime

import pytest

from lmarena_client.errors import (
    AuthError,
    BlockedError,
    CloudflareError,
    ContentRejectedError,
    ConversationLostError,
    RateLimitError,
    RecaptchaError,
    UpstreamError,
)
from lmarena_client.site_errors import (
    error_detail,
    error_for_response,
    is_cloudflare_page,
    retry_after_seconds,
)

CF_PAGE = (
    '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head>'
    "<body>Enable JavaScript and cookies to continue</body></html>"
)


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (403, CF_PAGE, CloudflareError),
        (503, CF_PAGE, CloudflareError),
        (403, '{"error":"recaptcha validation failed"}', RecaptchaError),
        (403, '{"error":"Route not allowed"}', BlockedError),
        (401, '{"error":"Arena auth token has expired"}', AuthError),
        (
            401,
            '{"error":"User a does not have access to evaluation session b"}',
            ConversationLostError,
        ),
        (429, '{"error":"Too Many Requests"}', RateLimitError),
        (402, "", RateLimitError),
        (422, '{"error":"Request rejected: Content violates our terms"}', ContentRejectedError),
        (400, '{"error":"Invalid content"}', ContentRejectedError),
        (400, '{"error":"duplicate ids"}', UpstreamError),
        (405, "Method Not Allowed", UpstreamError),
        (502, "<html>Bad Gateway</html>", UpstreamError),
    ],
)
def test_status_and_body_pick_the_error(status: int, body: str, kind: type) -> None:
    err = error_for_response(status, {}, body)
    assert type(err) is kind
    assert err.status == status


def test_recaptcha_refusal_is_not_mistaken_for_cloudflare() -> None:
    err = error_for_response(403, {}, '{"error":"recaptcha validation failed"}')
    assert not isinstance(err, CloudflareError)
    assert err.detail == "recaptcha validation failed"


def test_auth_error_carries_the_sites_message() -> None:
    msg = "User 1 does not have access to evaluation session 2"
    err = error_for_response(401, {}, f'{{"error": "{msg}"}}')
    assert err.detail == msg
    assert msg in str(err)


def test_rate_limit_reads_retry_after_seconds() -> None:
    err = error_for_response(429, {"Retry-After": "7"}, "{}")
    assert isinstance(err, RateLimitError)
    assert err.retry_after == 7.0


def test_retry_after_as_http_date() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    wait = retry_after_seconds({"Retry-After": "Thu, 01 Jan 2026 12:00:30 GMT"}, now=now)
    assert wait == 30.0


def test_retry_after_falls_back_to_ratelimit_reset() -> None:
    assert retry_after_seconds({"ratelimit": "limit=3, remaining=0, reset=3521"}) == 3521.0
    assert retry_after_seconds({}) is None
    assert retry_after_seconds({"Retry-After": "soon"}) is None


def test_detail_shapes() -> None:
    assert error_detail('{"error": {"message": "deep"}}') == "deep"
    assert error_detail('{"message": "m"}') == "m"
    assert error_detail('{"detail": "d"}') == "d"
    assert error_detail("plain   text\n") == "plain text"
    assert error_detail("") is None
    assert error_detail("[1, 2]") is None


def test_cloudflare_markers() -> None:
    assert is_cloudflare_page(CF_PAGE)
    assert is_cloudflare_page("<title>Attention Required! | Cloudflare</title>")
    assert not is_cloudflare_page('{"error":"recaptcha validation failed"}')
