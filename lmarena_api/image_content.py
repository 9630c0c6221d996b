"""``POST /v1/images/content``: the bytes of an image by URL, for pages that cannot read it.

Generated images arrive as signed URLs that expire within the hour, and their storage need not
let a page on another origin read them (CORS). The WebUI keeps each image by asking for it here.
The API fetches it under the same rules as image inputs (``url_policy``, through the library's
``SafeFetcher``): public addresses only unless ``LM_ARENA_ALLOW_PRIVATE_IMAGE_URLS``, a size
cap, and bytes that must be a whole image of a known type. No worker is involved.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from lmarena_client.errors import (
    ImageError,
    ImageFetchError,
    ImageTooLargeError,
    UnsupportedImageTypeError,
)
from lmarena_client.images import load_image
from lmarena_client.safe_fetch import SafeFetcher

from .config import ApiSettings
from .errors import ApiError
from .requests import body_of, read_json

router = APIRouter()

# Fetches at once per API process; more wait their turn.
MAX_FETCHES = 4
FETCH_TIMEOUT = 30.0


class ImageContentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=8192)


class ImageFetching:
    """The API's one fetcher and its limit on fetches at once (closed with the app)."""

    def __init__(self, settings: ApiSettings) -> None:
        self.fetcher = SafeFetcher(
            timeout=FETCH_TIMEOUT,
            max_bytes=settings.max_image_bytes,
            allow_private=settings.allow_private_image_urls,
        )
        self.slots = asyncio.Semaphore(MAX_FETCHES)

    async def close(self) -> None:
        await self.fetcher.close()


@router.post("/v1/images/content")
async def image_content(request: Request) -> Response:
    settings: ApiSettings = request.app.state.settings
    fetching: ImageFetching = request.app.state.image_fetching
    url = body_of(ImageContentRequest, await read_json(request, settings.max_body_bytes)).url
    async with fetching.slots:
        try:
            # The fetcher itself, not load_image(url): a string that is no URL would be a path.
            fetched = await fetching.fetcher.fetch(url)
            blob = await load_image(fetched.data, max_bytes=fetching.fetcher.max_bytes)
        except ImageError as exc:
            raise refusal(exc) from None
    return Response(
        content=blob.data,
        media_type=blob.mime_type,
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


def refusal(exc: ImageError) -> ApiError:
    """Pure: the HTTP answer for an image that could not be given."""
    if isinstance(exc, ImageFetchError):
        return ApiError(502, str(exc), type="upstream_error", code="image_fetch_failed")
    if isinstance(exc, ImageTooLargeError):
        return ApiError(413, str(exc), param="url", code="image_too_large")
    if isinstance(exc, UnsupportedImageTypeError):
        return ApiError(422, str(exc), param="url", code="not_an_image")
    return ApiError(400, str(exc), param="url")
