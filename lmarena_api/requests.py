"""Reading request bodies with a size cap and strict JSON decoding."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from .errors import ApiError


async def read_json(request: Request, max_bytes: int) -> Any:
    """The decoded JSON body; 413 past ``max_bytes`` (read no further), 400 when not JSON."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(max_bytes)
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise ApiError(400, "the request body is empty; send a JSON object", param="body")
    try:
        body = json.loads(raw.decode("utf-8"))  # strict: no surrogates smuggled in as bytes
        json.dumps(body, ensure_ascii=False).encode("utf-8")  # nor as \ud800 escapes
    except UnicodeError:
        raise ApiError(
            400, "the request body is not valid UTF-8 (or holds a lone surrogate)", param="body"
        ) from None
    except RecursionError:
        raise ApiError(400, "the request body is nested too deeply", param="body") from None
    except ValueError as exc:
        raise ApiError(400, f"the request body is not valid JSON: {exc}", param="body") from None
    return body


def _too_large(max_bytes: int) -> ApiError:
    return ApiError(
        413,
        f"the request body is larger than {max_bytes} bytes",
        param="body",
        code="request_too_large",
    )
