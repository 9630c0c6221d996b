"""Pure redaction of what the doctor saw: secrets become stable placeholders.

One :class:`Redactor` serves one capture file (and the report written with it): the same secret
always gets the same placeholder (``<cookie-1>``, ``<recaptcha-token-2>``, ``<id-3:uuid7>``,
``<signed-query-1>``, ``<text-4>``), different secrets get different ones, so a reader can still
see that two requests carried the same cookie without learning it.

What is replaced:

- cookie values (``Cookie`` and ``Set-Cookie``; names and attributes stay), auth headers
  (``Authorization``, ``X-Recaptcha-Token``, ...);
- reCAPTCHA and Turnstile tokens, access and refresh tokens (by field name and by shape: JWTs,
  ``base64-eyJ...`` sessions, ``0cAF...``/``03A...`` tokens);
- user ids, provisional ids, evaluation session and message ids: every UUID that is not a
  public model id (:meth:`Redactor.add_public`);
- the query string of a signed URL (``X-Amz-Signature``, ``Signature``, ...) as a whole, other
  query values except a few harmless ones (``render``, ``dpl``, ``mode``, ...), and
  ``user:password@``;
- e-mail addresses;
- prompts and replies (text and reasoning deltas, citations), unless ``keep_text``;
- any earlier redacted secret of 12 characters or more wherever else it shows up (the sweep).

Nothing here does I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

# Headers whose whole value is a credential.
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-recaptcha-token",
        "x-api-key",
        "x-csrf-token",
        "x-auth-token",
        "cf-access-token",
    }
)
URL_HEADERS = frozenset({"referer", "location", "content-location", "origin"})
# Query parameters whose values say nothing about the user (kept verbatim).
PUBLIC_QUERY = frozenset(
    {"render", "dpl", "mode", "chat-modality", "k", "hl", "v", "x-id", "_rsc", "model_a"}
)
_SIGNED_QUERY_KEYS = ("signature", "x-amz-signature", "x-amz-credential", "sig", "token", "key")
# JSON fields that hold credentials, whatever object they are in.
SECRET_FIELDS = frozenset(
    {
        "recaptchav3token",
        "recaptchav2token",
        "recaptchatoken",
        "turnstiletoken",
        "access_token",
        "refresh_token",
        "provider_token",
        "provider_refresh_token",
        "token",
        "secret",
        "password",
        "provisionaluserid",
        "provisional_user_id",
        "email",
    }
)
# JSON fields that hold what the user wrote or the model answered.
TEXT_FIELDS = frozenset({"content", "reasoning", "title"})
URL_FIELDS = frozenset({"url", "uploadurl", "image", "signedurl"})

MIN_SWEPT = 12  # shorter secrets are not searched for elsewhere (too many false hits)

_UUID_RE = re.compile(
    r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-([0-9a-fA-F])[0-9a-fA-F]{3}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
)
_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("session", re.compile(r"base64-[A-Za-z0-9_+/=-]{16,}")),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+")),
    ("recaptcha-token", re.compile(r"\b0[3c]A[A-Za-z0-9_.-]{30,}")),
    (
        "signed-query",
        re.compile(
            r"(?i)\b(?:x-amz-signature|x-amz-credential|signature)=[^&\s\"'<>]+",
        ),
    ),
    ("email", re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")),
)
_PLACEHOLDER_RE = re.compile(r"<[a-z-]+-\d+(?::[a-z0-9]+)?>")
_STREAM_LINE_RE = re.compile(r"^([ab])([0-9a-z]):(.*)$", re.S)


class Redactor:
    """Stable placeholders for the secrets of one capture; see the module docstring."""

    def __init__(self, *, keep_text: bool = False, public: Iterable[str] = ()) -> None:
        self.keep_text = keep_text
        self._by_value: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        self._public: set[str] = set()
        self._swept: list[str] | None = None  # known secrets, longest first
        self.add_public(public)

    # -- placeholders --------------------------------------------------------------------

    def add_public(self, values: Iterable[str]) -> None:
        """Values that are public (model ids): never replaced by the UUID rule."""
        self._public.update(v.lower() for v in values if v)

    def secret(self, kind: str, value: str, tag: str = "") -> str:
        """The placeholder of ``value`` (``<kind-N>``, or ``<kind-N:tag>``); the first kind a
        value was seen as names it."""
        if not value:
            return value
        known = self._by_value.get(value)
        if known is not None:
            return known
        if _PLACEHOLDER_RE.fullmatch(value):
            return value
        count = self._counts.get(kind, 0) + 1
        self._counts[kind] = count
        placeholder = f"<{kind}-{count}{':' + tag if tag else ''}>"
        self._by_value[value] = placeholder
        if len(value) >= MIN_SWEPT:
            self._swept = None
        return placeholder

    @property
    def secrets(self) -> dict[str, str]:
        """Every secret seen so far and its placeholder (for tests; never write this out)."""
        return dict(self._by_value)

    def text(self, value: str) -> str:
        """A prompt or reply fragment: kept only with ``keep_text``."""
        return value if self.keep_text or not value else self.secret("text", value)

    # -- headers and URLs ----------------------------------------------------------------

    def cookie_header(self, value: str) -> str:
        """``a=1; b=2`` with every value replaced; names stay."""
        parts = []
        for part in value.split(";"):
            name, sep, cookie = part.strip().partition("=")
            if not sep:
                parts.append(self.secret("cookie", name) if name else name)
                continue
            parts.append(f"{name}={self.secret('cookie', cookie)}")
        return "; ".join(parts)

    def set_cookie(self, value: str) -> str:
        """One ``Set-Cookie`` value: its cookie value replaced, attributes kept."""
        head, sep, attributes = value.partition(";")
        name, eq, cookie = head.strip().partition("=")
        if not eq:
            return self.secret("cookie", value)
        cookie = cookie.strip()
        replaced = self.secret("cookie", cookie) if cookie and cookie != '""' else cookie
        return f"{name}={replaced}{sep}{self.sweep_text(attributes) if sep else ''}"

    def header(self, name: str, value: str) -> str:
        lowered = name.lower()
        if lowered == "cookie":
            return self.cookie_header(value)
        if lowered == "set-cookie":
            return self.set_cookie(value)
        if lowered in SECRET_HEADERS:
            return self.secret("auth-header", value)
        if lowered in URL_HEADERS:
            return self.url(value)
        return self.sweep_text(value)

    def headers(self, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(name, self.header(name, value)) for name, value in pairs]

    def url(self, url: str) -> str:
        """No ``user:password@``, no fragment; a signed query replaced whole, other query
        values (but harmless ones) one by one; ids in the path by the UUID rule."""
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
            port = f":{parts.port}" if parts.port is not None else ""
        except ValueError:
            return self.secret("url", url)
        host = f"[{host}]" if ":" in host else host
        base = f"{parts.scheme}://{host}{port}" if parts.scheme and host else ""
        path = self.sweep_text(parts.path)
        query = self._query(parts.query) if parts.query else ""
        return f"{base}{path}{'?' + query if query else ''}"

    def _query(self, query: str) -> str:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(name.lower() in _SIGNED_QUERY_KEYS for name, _ in pairs):
            return self.secret("signed-query", query)
        kept = []
        for name, value in pairs:
            if name.lower() in PUBLIC_QUERY or not value:
                kept.append(f"{quote(name)}={quote(value, safe='')}")
            else:
                kept.append(f"{quote(name)}={self.secret('query', value)}")
        return "&".join(kept)

    # -- bodies --------------------------------------------------------------------------

    def json_value(self, value: Any, key: str = "") -> Any:
        """A JSON request or response body with credentials, ids and (unless ``keep_text``)
        text replaced."""
        lowered = key.lower()
        if isinstance(value, dict):
            return {k: self.json_value(v, str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.json_value(item, key) for item in value]
        if not isinstance(value, str):
            return value
        if lowered in SECRET_FIELDS or lowered.endswith("token"):
            return self.secret("token" if "token" in lowered else "secret", value)
        if lowered in TEXT_FIELDS:
            return self.text(value)
        if lowered in URL_FIELDS and "://" in value:
            return self.url(value)
        return self.sweep(value)

    def body_text(self, text: str) -> str:
        """A body as text: JSON bodies field by field, anything else swept."""
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return self.sweep_text(text)
        if not isinstance(data, dict | list):
            return self.sweep_text(text)
        return json.dumps(self.json_value(data), ensure_ascii=False, separators=(",", ":"))

    def stream_line(self, line: str) -> str:
        """One line of the reply stream (``<participant><code>:<JSON>``)."""
        match = _STREAM_LINE_RE.match(line)
        if match is None:
            return self.sweep_text(line)
        participant, code, payload = match.groups()
        prefix = f"{participant}{code}:"
        try:
            value = json.loads(payload)
        except (ValueError, RecursionError):
            return prefix + self.sweep_text(payload)
        if code in ("0", "g") and isinstance(value, str):
            value = self.text(value)
        elif code == "c" and isinstance(value, dict) and not self.keep_text:
            value = {k: (self.text(v) if k == "argsTextDelta" else v) for k, v in value.items()}
            value = self.json_value(value)
        elif code == "2" and isinstance(value, list):
            value = [self._data_item(item) for item in value]
        else:
            value = self.json_value(value)
        return prefix + json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def _data_item(self, item: Any) -> Any:
        if isinstance(item, dict) and isinstance(item.get("data"), str):
            # an image inlined as base64: what the model drew is reply content
            item = {**item, "data": self.text(item["data"])}
        return self.json_value(item)

    # -- the sweep -----------------------------------------------------------------------

    def sweep(self, value: Any) -> Any:
        """Strings anywhere in ``value`` with every known secret and every secret-shaped
        substring (tokens, JWTs, sessions, signed queries, e-mails, non-public UUIDs)
        replaced. Dict keys are left alone."""
        if isinstance(value, str):
            return self.sweep_text(value)
        if isinstance(value, dict):
            return {k: self.sweep(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.sweep(item) for item in value]
        return value

    def sweep_text(self, text: str) -> str:
        """:meth:`sweep` of one string."""
        if not text:
            return text
        if self._swept is None:
            long = (v for v in self._by_value if len(v) >= MIN_SWEPT)
            self._swept = sorted(long, key=len, reverse=True)
        for secret in self._swept:
            if secret in text:
                text = text.replace(secret, self._by_value[secret])
        for kind, pattern in _SHAPES:
            text = pattern.sub(self._replacer(kind), text)
        return _UUID_RE.sub(self._uuid, text)

    def _replacer(self, kind: str) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            return self.secret(kind, match[0])

        return replace

    def _uuid(self, match: re.Match[str]) -> str:
        value = match[0]
        if value.lower() in self._public:
            return value
        return self.secret("id", value, f"uuid{match[1].lower()}")


def placeholders_only(cookie_header: str) -> bool:
    """Whether every value of a redacted ``Cookie`` header is a placeholder (for checks)."""
    for part in cookie_header.split(";"):
        _, sep, value = part.strip().partition("=")
        if sep and not _PLACEHOLDER_RE.fullmatch(value):
            return False
    return True


def is_placeholder(value: str) -> bool:
    return _PLACEHOLDER_RE.fullmatch(value) is not None
