"""Anonymous users: sign-up by provisional id, and the Supabase-style auth cookie.

The cookie value is ``base64-<base64url(JSON session)>``; its ``access_token`` is a JWT signed
by the fake (HS256), so a forged or edited cookie is refused.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .clock import Clock
from .ids import uuid4
from .signing import Signer, b64url_decode, b64url_encode

AUTH_COOKIE = "arena-auth-prod-v1"
SPLIT_COOKIES = (AUTH_COOKIE + ".0", AUTH_COOKIE + ".1")
PROVISIONAL_COOKIE = "provisional_user_id"
COOKIE_PREFIX = "base64-"
ISSUER = "https://auth.fake-arena.local/auth/v1"


class AuthRefused(Exception):
    """The request carries no usable auth cookie; ``str()`` is the error message."""


@dataclass
class User:
    id: str
    provisional_id: str
    created_at: float
    tou_consent: float | None = None
    refresh_tokens: set[str] = field(default_factory=set)


class Identity:
    """Users by id and by provisional id; issues and verifies auth cookies."""

    def __init__(self, clock: Clock, access_ttl: int, split: bool) -> None:
        self._clock = clock
        self._access_ttl = access_ttl
        self._split = split
        self._signer = Signer()
        self.users: dict[str, User] = {}
        self._by_provisional: dict[str, User] = {}

    def sign_up(self, provisional_id: str) -> User | None:
        """A new anonymous user; None when this provisional id already has one."""
        if provisional_id in self._by_provisional:
            return None
        user = User(uuid4(), provisional_id, self._clock.now())
        self.users[user.id] = user
        self._by_provisional[provisional_id] = user
        return user

    def cookie_values(self, user: User) -> dict[str, str]:
        """Cookie name -> value for a fresh session of ``user`` (split in two when asked)."""
        value = COOKIE_PREFIX + b64url_encode(json.dumps(self._session(user)).encode())
        if not self._split:
            return {AUTH_COOKIE: value}
        middle = len(value) // 2
        return {SPLIT_COOKIES[0]: value[:middle], SPLIT_COOKIES[1]: value[middle:]}

    def _session(self, user: User) -> dict[str, Any]:
        now = int(self._clock.now())
        refresh = b64url_encode(secrets.token_bytes(9))
        user.refresh_tokens.add(refresh)
        return {
            "access_token": self._access_token(user, now),
            "token_type": "bearer",
            "expires_in": self._access_ttl,
            "expires_at": now + self._access_ttl,
            "refresh_token": refresh,
            "user": {
                "id": user.id,
                "aud": "authenticated",
                "role": "authenticated",
                "email": "",
                "is_anonymous": True,
                "created_at": _iso(user.created_at),
                "app_metadata": {"provider": "anonymous", "providers": ["anonymous"]},
                "user_metadata": {"provisional_user_id": user.provisional_id},
            },
        }

    def _access_token(self, user: User, now: int) -> str:
        header = b64url_encode(b'{"alg":"HS256","typ":"JWT"}')
        claims = {
            "iss": ISSUER,
            "sub": user.id,
            "aud": "authenticated",
            "role": "authenticated",
            "iat": now,
            "exp": now + self._access_ttl,
            "is_anonymous": True,
        }
        body = b64url_encode(json.dumps(claims, separators=(",", ":")).encode())
        return f"{header}.{body}.{self._signer.sign(header + '.' + body)}"

    def user_from_cookies(self, cookies: Mapping[str, str]) -> User:
        """The signed-in user, or AuthRefused (missing, forged, tampered or expired)."""
        value = cookie_value(cookies)
        if value is None:
            raise AuthRefused("Unauthorized")
        claims = self._verified_claims(value)
        if claims.get("exp", 0) < self._clock.now():
            raise AuthRefused("Arena auth token has expired")
        user = self.users.get(str(claims.get("sub")))
        if user is None:
            raise AuthRefused("Invalid auth token")
        return user

    def refreshable_user(self, cookies: Mapping[str, str]) -> User | None:
        """The user of a genuine but expired session (the page hands out a fresh one)."""
        value = cookie_value(cookies)
        if value is None:
            return None
        try:
            claims = self._verified_claims(value)
        except AuthRefused:
            return None
        if claims.get("exp", 0) >= self._clock.now():
            return None
        return self.users.get(str(claims.get("sub")))

    def _verified_claims(self, value: str) -> dict[str, Any]:
        try:
            if not value.startswith(COOKIE_PREFIX):
                raise ValueError("no base64- prefix")
            session = json.loads(b64url_decode(value[len(COOKIE_PREFIX) :]))
            header, body, signature = str(session["access_token"]).split(".")
            if not self._signer.verify(header + "." + body, signature):
                raise ValueError("bad signature")
            claims = json.loads(b64url_decode(body))
        except (ValueError, KeyError, TypeError) as exc:
            raise AuthRefused("Invalid auth token") from exc
        if not isinstance(claims, dict):
            raise AuthRefused("Invalid auth token")
        return claims


def cookie_value(cookies: Mapping[str, str]) -> str | None:
    """The auth cookie's value, joining the split ``.0``/``.1`` form; None when absent."""
    if AUTH_COOKIE in cookies:
        return cookies[AUTH_COOKIE]
    if SPLIT_COOKIES[0] in cookies:
        return cookies[SPLIT_COOKIES[0]] + cookies.get(SPLIT_COOKIES[1], "")
    return None


def _iso(stamp: float) -> str:
    return dt.datetime.fromtimestamp(stamp, dt.UTC).isoformat().replace("+00:00", "Z")
