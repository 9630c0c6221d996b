"""Pure mapping of the site's HTTP error answers onto the error tree."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from .errors import (
    AuthError,
    BlockedError,
    CloudflareError,
    ContentRejectedError,
    ConversationLostError,
    ConversationNotFoundError,
    RateLimitError,
    RecaptchaError,
    SiteError,
    UpstreamError,
)

RECAPTCHA_FAILED = "recaptcha validation failed"
_CLOUDFLARE_MARKERS = (
    "<title>just a moment...</title>",
    "<title>attention required! | cloudflare</title>",
    'id="cf-cloudflare-status"',
    'id="cf-spinner-please-wait"',
    'id="cf-please-wait"',
    "enable javascript and cookies to continue",
)
_MAX_DETAIL = 300


def is_cloudflare_page(body: str) -> bool:
    lowered = body[:20000].lower()
    return any(marker in lowered for marker in _CLOUDFLARE_MARKERS)


def error_detail(body: str) -> str | None:
    """The message in a JSON error body (``{"error": ...}``, ``{"message": ...}``, ...)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        text = re.sub(r"\s+", " ", body).strip()
        return text[:_MAX_DETAIL] or None
    return _detail_from_json(data)


def _detail_from_json(data: object) -> str | None:
    if isinstance(data, str):
        return data[:_MAX_DETAIL]
    if not isinstance(data, dict):
        return None
    for key in ("error", "message", "detail"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value[:_MAX_DETAIL]
        if isinstance(value, dict):
            nested = _detail_from_json(value)
            if nested:
                return nested
    return None


def retry_after_seconds(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds (number or HTTP date), else the ``ratelimit`` reset."""
    value = headers.get("Retry-After") or headers.get("retry-after")
    if value:
        value = value.strip()
        try:
            seconds = float(value)
        except ValueError:
            try:
                when = parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None
            return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
        return max(0.0, seconds) if math.isfinite(seconds) else None
    limit = headers.get("ratelimit") or headers.get("RateLimit") or ""
    match = re.search(r"reset=(\d+(?:\.\d+)?)", limit)
    return float(match.group(1)) if match else None


def error_for_response(status: int, headers: Mapping[str, str], body: str) -> SiteError:
    """The exception for an error answer; never raises itself."""
    detail = error_detail(body)
    where = f"the site answered {status}"
    if status in (403, 503) and is_cloudflare_page(body):
        return CloudflareError(f"{where}: a Cloudflare challenge page", status=status, detail=None)
    if status == 403 and detail and RECAPTCHA_FAILED in detail.lower():
        return RecaptchaError(f"{where}: {RECAPTCHA_FAILED}", status=status, detail=detail)
    if status == 401 and detail and "does not have access to evaluation session" in detail:
        return ConversationLostError(
            f"{where}: {detail} (the chat belongs to a site identity this client no longer "
            "has; start a new chat)",
            status=status,
            detail=detail,
        )
    if status == 401:
        return AuthError(f"{where}: {detail or 'not signed in'}", status=status, detail=detail)
    if status == 403:
        return BlockedError(f"{where}: {detail or 'forbidden'}", status=status, detail=detail)
    if status in (429, 402):
        wait = retry_after_seconds(headers)
        hint = f" (retry after {wait:.0f} s)" if wait is not None else ""
        return RateLimitError(
            f"{where}: rate limited{hint}", status=status, detail=detail, retry_after=wait
        )
    if status == 422 or (status == 400 and detail and "invalid content" in detail.lower()):
        return ContentRejectedError(
            f"{where}: {detail or 'content rejected'}", status=status, detail=detail
        )
    if status == 404 and detail and "session not found" in detail.lower():
        return ConversationNotFoundError(
            f"{where}: no chat with that evaluationSessionId ({detail})",
            status=status,
            detail=detail,
        )
    return UpstreamError(f"{where}: {detail or 'no detail'}", status=status, detail=detail)
