"""Image parts are checked before any job is enqueued: a bad one is a 4xx, never a job.

Data URIs go through the library's own loader (same limits, same messages); URLs are checked
for scheme and address here, and again by the worker's fetcher when it connects.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from lmarena_client.errors import ImageError, ImageTooLargeError
from lmarena_client.images import load_image
from lmarena_client.safe_fetch import forbidden_reason, system_resolve

from .errors import ApiError


async def check_image_source(
    param: str, source: str, *, max_bytes: int, allow_private: bool
) -> None:
    """Raise ApiError (400/413) unless ``source`` is a usable data URI or a public http(s) URL."""
    if source[:5].lower() == "data:":
        await _check_data_uri(param, source, max_bytes)
    else:
        await _check_url(param, source, allow_private)


async def _check_data_uri(param: str, source: str, max_bytes: int) -> None:
    try:
        await load_image(source, None, max_bytes=max_bytes)
    except ImageTooLargeError as exc:
        raise ApiError(413, f"{param}: {exc}", param=param, code="request_too_large") from None
    except ImageError as exc:
        raise ApiError(400, f"{param}: {exc}", param=param) from None


async def _check_url(param: str, source: str, allow_private: bool) -> None:
    try:
        parts = urlsplit(source)
        host = parts.hostname
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ApiError(400, f"{param}: not a valid URL", param=param) from None
    if parts.scheme not in ("http", "https") or not host:
        raise ApiError(400, f"{param}: images must be data URIs or http(s) URLs", param=param)
    if allow_private:
        return
    try:
        addresses = await system_resolve(host, port)
    except OSError:
        raise ApiError(
            400, f"{param}: the image host {host!r} does not resolve", param=param
        ) from None
    for address in addresses:
        reason = forbidden_reason(ipaddress.ip_address(address.split("%")[0]))
        if reason is not None:
            raise ApiError(400, f"{param}: the image URL points at {reason}; refused", param=param)
