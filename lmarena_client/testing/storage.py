"""An R2/S3 look-alike object store with presigned PUT and GET URLs, under ``/__storage__/``.

Signatures are HMACs by the fake over method, key, date, expiry (and, for PUT, the content
type promised to ``generateUploadUrl``), so URLs cannot be forged, edited or reused late.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from multidict import MultiDict, MultiDictProxy, MultiMapping

from .clock import Clock
from .signing import Signer

BUCKET = "messages-prod"
PREFIX = f"/__storage__/{BUCKET}/"
_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_CREDENTIAL = "fakeaccesskey/{day}/auto/s3/aws4_request"


@dataclass
class StoredObject:
    key: str
    content_type: str
    data: bytes
    etag: str


@dataclass(frozen=True)
class UrlCheck:
    ok: bool
    reason: str = ""


class ObjectStorage:
    def __init__(self, clock: Clock, url_ttl: int, max_bytes: int) -> None:
        self._clock = clock
        self.url_ttl = url_ttl
        self.max_bytes = max_bytes
        self._signer = Signer()
        self.objects: dict[str, StoredObject] = {}
        self.expected_types: dict[str, str] = {}  # key -> type promised at generateUploadUrl

    def presign(self, origin: str, key: str, method: str, content_type: str = "") -> str:
        stamp = dt.datetime.fromtimestamp(self._clock.now(), dt.UTC).strftime(_DATE_FORMAT)
        operation = "PutObject" if method == "PUT" else "GetObject"
        signature = self._signature(method, key, stamp, self.url_ttl, content_type)
        query = urlencode(
            {
                "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
                "X-Amz-Credential": _CREDENTIAL.format(day=stamp[:8]),
                "X-Amz-Date": stamp,
                "X-Amz-Expires": str(self.url_ttl),
                "X-Amz-Signature": signature,
                "X-Amz-SignedHeaders": "host",
                "x-id": operation,
            }
        )
        return f"{origin}{PREFIX}{quote(key)}?{query}"

    def expect_upload(self, key: str, content_type: str) -> None:
        self.expected_types[key] = content_type

    def check(
        self, method: str, key: str, query: MultiMapping[str], content_type: str = ""
    ) -> UrlCheck:
        """Signature and expiry of a presigned request for ``key``."""
        operation = "PutObject" if method == "PUT" else "GetObject"
        if query.get("x-id") != operation or query.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256":
            return UrlCheck(False, "wrong operation")
        stamp, expires = query.get("X-Amz-Date", ""), query.get("X-Amz-Expires", "")
        try:
            issued = dt.datetime.strptime(stamp, _DATE_FORMAT).replace(tzinfo=dt.UTC)
            lifetime = int(expires)
        except ValueError:
            return UrlCheck(False, "malformed date or expiry")
        expected = self._signature(method, key, stamp, lifetime, content_type)
        if query.get("X-Amz-Signature") != expected:
            return UrlCheck(False, "SignatureDoesNotMatch")
        if issued.timestamp() + lifetime < self._clock.now():
            return UrlCheck(False, "Request has expired")
        return UrlCheck(True)

    def check_url(self, url: object, origin: str) -> tuple[UrlCheck, str]:
        """A full signed GET URL as an attachment carries it; returns (result, key)."""
        if not isinstance(url, str):
            return UrlCheck(False, "url is not a string"), ""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != origin or not parts.path.startswith(PREFIX):
            return UrlCheck(False, "not a storage URL"), ""
        query = MultiDictProxy(MultiDict(parse_qsl(parts.query, keep_blank_values=True)))
        key = unquote(parts.path[len(PREFIX) :])
        return self.check("GET", key, query), key

    def put(self, key: str, content_type: str, data: bytes) -> StoredObject:
        obj = StoredObject(key, content_type, data, hashlib.md5(data).hexdigest())
        self.objects[key] = obj
        return obj

    def _signature(self, method: str, key: str, stamp: str, lifetime: int, ctype: str) -> str:
        return self._signer.sign("\n".join((method, key, stamp, str(lifetime), ctype)))
