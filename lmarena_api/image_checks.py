"""Image parts are checked before any job is enqueued: a bad one is a 4xx, never a job.

Data URIs go through the library's own loader (same limits, same messages); URLs through the
library's URL policy (``url_policy``), the one the worker's fetcher applies again when it
connects. Host names are resolved here so a private one is refused before any job exists.
"""

from __future__ import annotations

import ipaddress

from lmarena_client.errors import ImageError, ImageTooLargeError
from lmarena_client.images import load_image
from lmarena_client.safe_fetch import system_resolve
from lmarena_client.url_policy import IPAddress, check_addresses, fetch_target

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
        target = fetch_target(source, allow_private=allow_private)
        if allow_private or target.address is not None:
            return  # a literal was judged by fetch_target; private names need no lookup
        addresses = await _resolve(param, target.host, target.port)
        check_addresses(target.host, addresses, allow_private=False)
    except ImageError as exc:
        raise ApiError(400, f"{param}: {exc}", param=param) from None


async def _resolve(param: str, host: str, port: int) -> list[IPAddress]:
    try:
        # A scoped IPv6 answer (fe80::1%eth0) is judged on its address.
        return [ipaddress.ip_address(a.split("%")[0]) for a in await system_resolve(host, port)]
    except (OSError, ValueError):
        raise ApiError(
            400, f"{param}: the image host {host!r} does not resolve", param=param
        ) from None
