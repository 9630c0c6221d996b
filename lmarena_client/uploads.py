"""Image upload through the site's Next.js server actions, with signed URLs cached by content."""

from __future__ import annotations

import logging
import time
from calendar import timegm
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .errors import DiscoveryError, ProtocolError
from .images import ImageBlob
from .protocol import Attachment
from .server_actions import ServerActions
from .site import UPLOAD_ACTIONS, SiteInfo
from .transport import Transport

log = logging.getLogger(__name__)

# A cached URL must outlive the request that carries it by this much.
EXPIRY_MARGIN = 300.0


def signed_url_expiry(url: str) -> float | None:
    """Unix time when a presigned URL (``X-Amz-Date`` + ``X-Amz-Expires``) stops working."""
    query = {k.lower(): v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    try:
        signed = time.strptime(query["x-amz-date"], "%Y%m%dT%H%M%SZ")
        return timegm(signed) + float(query["x-amz-expires"])
    except (KeyError, ValueError):
        return None


@dataclass(frozen=True)
class _Cached:
    attachment: Attachment
    expires_at: float


class SignedUrlCache:
    """Attachments by image content hash, kept until their signed URL is about to expire."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], _Cached] = {}

    def get(self, blob: ImageBlob) -> Attachment | None:
        entry = self._entries.get((blob.sha256, blob.mime_type))
        if entry is None:
            return None
        if entry.expires_at - EXPIRY_MARGIN <= time.time():
            del self._entries[(blob.sha256, blob.mime_type)]
            return None
        return entry.attachment

    def put(self, blob: ImageBlob, attachment: Attachment) -> None:
        expires = signed_url_expiry(attachment.url)
        if expires is not None:
            self._entries[(blob.sha256, blob.mime_type)] = _Cached(attachment, expires)

    def clear(self) -> None:
        self._entries.clear()


class Uploader:
    """The three steps: generateUploadUrl, PUT the bytes, getSignedUrl."""

    def __init__(self, transport: Transport, image_path: str) -> None:
        self._transport = transport
        self._actions = ServerActions(transport, image_path)
        self.cache = SignedUrlCache()

    async def upload(self, blob: ImageBlob, site: SiteInfo) -> Attachment:
        cached = self.cache.get(blob)
        if cached is not None:
            log.debug("image %s reused from the signed URL cache", blob.filename)
            return cached
        created = await self._action(site, "generateUploadUrl", [blob.filename, blob.mime_type])
        upload_url, key = _field(created, "uploadUrl"), _field(created, "key")
        await self._transport.request_text(
            "PUT",
            upload_url,
            body=blob.data,
            headers={"Content-Type": blob.mime_type},
            with_credentials=False,
        )
        signed = await self._action(site, "getSignedUrl", [key.lstrip("/")])
        attachment = Attachment(name=key, content_type=blob.mime_type, url=_field(signed, "url"))
        self.cache.put(blob, attachment)
        return attachment

    async def _action(self, site: SiteInfo, name: str, args: list[Any]) -> Any:
        if name not in site.action_ids:
            raise DiscoveryError(
                f"the site's {name} action id was not found; image upload is unavailable "
                f"(needed: {', '.join(UPLOAD_ACTIONS)})"
            )
        return await self._actions.call(site, name, args)


def _field(data: Any, name: str) -> str:
    value = data.get(name) if isinstance(data, dict) else None
    if not isinstance(value, str) or not value:
        raise ProtocolError(f"the upload action's answer has no {name!r}")
    return value
