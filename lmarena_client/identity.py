"""The browser identity: the cookies that own the conversations, and where it is kept.

Every conversation on the site belongs to the identity that created it: the auth session
cookie (``arena-auth-prod-v1``, or its chunks ``arena-auth-prod-v1.0`` + ``.1``; any cookie
whose name contains ``arena-auth-prod``) and the ``provisional_user_id`` cookie (protocol
reference 6). Cloudflare and other bot cookies (``cf_clearance``, ``__cf_bm``, ...) are bound to
one browser and are never part of an identity.

An identity is a credential. Cookie values never appear in ``repr()``, ``str()``, log lines or
exception messages of this module; :meth:`Identity.fingerprint` is what may be logged.

The session's refresh token rotates on every refresh, so two processes refreshing one session
log each other out: :class:`IdentityStore` saves are therefore compare-and-set.

Pure: no I/O. The file store lives in :mod:`lmarena_client.identity_file`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import threading
from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable
from urllib.parse import unquote

from pydantic import BaseModel, ConfigDict, Field, field_validator

AUTH_COOKIE_MARKER = "arena-auth-prod"
PROVISIONAL_COOKIE = "provisional_user_id"

_SESSION_PREFIX = "base64-"
# "arena-auth-prod-v1.0", "arena-auth-prod-v1.1", ...: chunks of one value, joined in order.
_CHUNK = re.compile(r"^(?P<base>.*arena-auth-prod[^.]*)\.(?P<index>\d+)$")
_FINGERPRINT_DOMAIN = b"lmarena-client identity v1\x00"


def is_identity_cookie(name: str) -> bool:
    """True for the cookies that make up an identity (auth cookie(s), ``provisional_user_id``)."""
    return AUTH_COOKIE_MARKER in name or name == PROVISIONAL_COOKIE


class StoredCookie(BaseModel):
    """One cookie as the browser holds it; ``repr()``/``str()`` never show its value."""

    # hide_input_in_errors: a ValidationError must not quote the value it refused.
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    name: str
    value: str = Field(repr=False)
    domain: str
    path: str = "/"
    expires: float | None = None  # unix seconds; None: a session cookie
    http_only: bool = False
    secure: bool = False
    same_site: str | None = None  # "Strict" | "Lax" | "None"


def identity_cookies(cookies: Iterable[StoredCookie]) -> tuple[StoredCookie, ...]:
    """Only the cookies that make up the identity (auth cookie(s) and provisional_user_id).

    Sorted by name (then domain and path); Cloudflare and every other cookie is dropped.
    """
    return tuple(sorted((c for c in cookies if is_identity_cookie(c.name)), key=_sort_key))


class Identity(BaseModel):
    """The identity cookies of one browser, saved for one site origin.

    ``cookies`` holds identity cookies only (a Cloudflare cookie is refused with a
    ``ValueError`` naming it, never its value) and is kept sorted by (name, domain, path), so
    equal cookie sets give equal identities. ``repr()``/``str()`` show the origin, the cookie
    names and the fingerprint, nothing else.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    cookies: tuple[StoredCookie, ...]
    origin: str
    saved_at: float

    @field_validator("cookies")
    @classmethod
    def _only_identity_cookies(cls, value: tuple[StoredCookie, ...]) -> tuple[StoredCookie, ...]:
        foreign = sorted({c.name for c in value if not is_identity_cookie(c.name)})
        if foreign:
            raise ValueError(
                "cookies that are not part of an identity (use identity_cookies()): "
                + ", ".join(foreign)
            )
        return tuple(sorted(value, key=_sort_key))

    def fingerprint(self) -> str:
        """A short hex digest of the cookies' (name, domain, path, value); safe to log.

        Equal cookie sets give equal fingerprints, whatever their order; ``origin`` and
        ``saved_at`` do not count. A one-way hash: the values cannot be read back from it.
        """
        rows = sorted((c.name, c.domain, c.path, c.value) for c in self.cookies)
        blob = json.dumps(rows, separators=(",", ":"), ensure_ascii=True).encode()
        return hashlib.sha256(_FINGERPRINT_DOMAIN + blob).hexdigest()[:16]

    def has_auth(self) -> bool:
        """True when the identity holds an ``arena-auth-prod*`` cookie."""
        return any(AUTH_COOKIE_MARKER in c.name for c in self.cookies)

    def user_id(self) -> str | None:
        """The session's ``user.id``, from the auth cookie (chunks joined); None when undecodable.

        Never raises. Whole cookies are tried before joined chunks, the plain
        ``arena-auth-prod-v1`` first; the first value that decodes to a session with a user id
        wins.
        """
        for value in _session_values(self.cookies):
            user_id = _decode_user_id(value)
            if user_id is not None:
                return user_id
        return None

    def __repr_args__(self) -> Iterable[tuple[str | None, Any]]:
        # Used by both repr() and str() (and rich/devtools): never the values.
        return [
            ("origin", self.origin),
            ("cookies", [c.name for c in self.cookies]),
            ("fingerprint", self.fingerprint()),
        ]


@runtime_checkable
class IdentityStore(Protocol):
    """Where one origin's identity is kept between runs."""

    async def load(self) -> Identity | None:
        """The stored identity, or None when there is none (or it was unreadable)."""
        ...

    async def save(self, identity: Identity, *, replaces: Identity | None) -> bool:
        """Compare-and-set: store ``identity`` only if the stored one is ``replaces``.

        "Is" means: the stored identity's fingerprint equals ``replaces.fingerprint()``;
        ``replaces=None`` means: only when nothing is stored. Returns True when written,
        False (having written nothing) otherwise.
        """
        ...

    async def clear(self) -> None:
        """Forget the stored identity (nothing stored is fine)."""
        ...


class MemoryIdentityStore:
    """An :class:`IdentityStore` in this process's memory only (ephemeral mode, tests)."""

    def __init__(self, identity: Identity | None = None) -> None:
        self._identity = identity
        self._lock = threading.Lock()  # callers on other threads' event loops stay safe

    async def load(self) -> Identity | None:
        with self._lock:
            return self._identity

    async def save(self, identity: Identity, *, replaces: Identity | None) -> bool:
        with self._lock:
            if not fingerprints_match(self._identity, replaces):
                return False
            self._identity = identity
            return True

    async def clear(self) -> None:
        with self._lock:
            self._identity = None

    def __repr__(self) -> str:
        stored = self._identity.fingerprint() if self._identity is not None else None
        return f"MemoryIdentityStore(fingerprint={stored!r})"


def fingerprints_match(stored: Identity | None, replaces: Identity | None) -> bool:
    """The compare of compare-and-set: both absent, or both present with equal fingerprints."""
    if stored is None or replaces is None:
        return stored is None and replaces is None
    return stored.fingerprint() == replaces.fingerprint()


def _sort_key(cookie: StoredCookie) -> tuple[str, str, str]:
    return (cookie.name, cookie.domain, cookie.path)


def _session_values(cookies: Iterable[StoredCookie]) -> list[str]:
    """Candidate session values: whole auth cookies first, then each set of chunks joined."""
    whole: list[tuple[int, str]] = []
    chunks: dict[tuple[str, str, str], dict[int, str]] = {}
    for cookie in cookies:
        if AUTH_COOKIE_MARKER not in cookie.name:
            continue
        match = _CHUNK.match(cookie.name)
        if match is None:
            # The plain cookie of today's site before any other whole auth cookie.
            rank = 0 if cookie.name == AUTH_COOKIE_MARKER + "-v1" else 1
            whole.append((rank, cookie.value))
        else:
            key = (match["base"], cookie.domain, cookie.path)
            chunks.setdefault(key, {})[int(match["index"])] = cookie.value
    values = [value for _, value in sorted(whole, key=lambda item: item[0])]
    for parts in chunks.values():
        if sorted(parts) == list(range(len(parts))):  # .0, .1, ... with no gap
            values.append("".join(parts[i] for i in range(len(parts))))
    return values


def _decode_user_id(value: str) -> str | None:
    """``user.id`` of a Supabase session cookie value; None for anything else. Never raises."""
    try:
        if value.startswith(_SESSION_PREFIX):
            encoded = value[len(_SESSION_PREFIX) :].strip()
            # base64url, padding often stripped; tolerate the standard alphabet too.
            encoded = encoded.replace("+", "-").replace("/", "_").rstrip("=")
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            session: object = json.loads(raw.decode("utf-8"))
        else:
            # Older Supabase helpers stored the session as (URL-encoded) JSON.
            session = json.loads(unquote(value))
    except (ValueError, binascii.Error, RecursionError):
        # ValueError covers json.JSONDecodeError and UnicodeDecodeError.
        return None
    if not isinstance(session, dict):
        return None
    user = session.get("user")
    if not isinstance(user, dict):
        return None
    user_id = user.get("id")
    return user_id if isinstance(user_id, str) and user_id else None
