"""Anonymous users: sign-up by provisional id, and the Supabase-style auth cookie.

The cookie value is ``base64-<base64url(JSON session)>``; its ``access_token`` is a JWT signed
by the fake (HS256), so a forged or edited cookie is refused.

The life of an identity (protocol reference 1 "Server-side refresh", 6): a page GET with an
expired session refreshes it, but only with the user's current refresh token; every refresh
rotates that token, so the previous one is stale from then on (two browsers refreshing one
session log each other out). Tests can expire every access token of a user or revoke the user.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
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


class Standing(StrEnum):
    """How the site sees the auth cookie of a request."""

    NONE = "none"  # no auth cookie at all
    VALID = "valid"
    EXPIRED = "expired"  # genuine, expired, with the user's current refresh token: refreshable
    STALE = "stale"  # genuine, expired, its refresh token already rotated away
    FORGED = "forged"  # malformed, bad signature, unknown user, or a never-issued refresh token
    REVOKED = "revoked"  # genuine, but its user was revoked


# What an API call is told for each standing that is not VALID.
_API_MESSAGES = {
    Standing.NONE: "Unauthorized",
    Standing.EXPIRED: "Arena auth token has expired",
    Standing.STALE: "Arena auth token has expired",  # the API does not look at refresh tokens
    Standing.FORGED: "Invalid auth token",
    Standing.REVOKED: "Invalid auth token",
}
# Standings a page GET answers by clearing the auth cookies and handing out a new identity.
REFUSED = frozenset({Standing.STALE, Standing.FORGED, Standing.REVOKED})


@dataclass
class User:
    id: str
    provisional_id: str
    created_at: float
    tou_consent: float | None = None
    refresh_token: str | None = None  # the current one; only it can refresh
    used_refresh_tokens: set[str] = field(default_factory=set)  # rotated away: "stale"
    live_sessions: set[str] = field(default_factory=set)  # session ids not force-expired
    revoked_at: float | None = None
    refreshes: int = 0
    stale_refreshes: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "provisional_id": self.provisional_id,
            "created_at": self.created_at,
            "revoked": self.revoked_at is not None,
            "refreshes": self.refreshes,
            "stale_refreshes": self.stale_refreshes,
        }


@dataclass(frozen=True)
class CookieCheck:
    """The standing of a request's auth cookie and, unless forged or absent, its user."""

    standing: Standing
    user: User | None = None

    def as_json(self) -> dict[str, Any]:
        return {"status": str(self.standing), "user_id": self.user.id if self.user else None}


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

    def refresh(self, user: User) -> dict[str, str]:
        """Cookie values of a fresh session for an expired one (its refresh token rotates)."""
        user.refreshes += 1
        return self.cookie_values(user)

    def _session(self, user: User) -> dict[str, Any]:
        now = int(self._clock.now())
        self._rotate_refresh_token(user)
        # A fresh id per session issued, so "expire" can retire sessions issued within the
        # same second as the ones that replace them (iat has whole seconds only).
        session_id = uuid4()
        user.live_sessions.add(session_id)
        return {
            "access_token": self._access_token(user, now, session_id),
            "token_type": "bearer",
            "expires_in": self._access_ttl,
            "expires_at": now + self._access_ttl,
            "refresh_token": user.refresh_token,
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

    @staticmethod
    def _rotate_refresh_token(user: User) -> None:
        if user.refresh_token is not None:
            user.used_refresh_tokens.add(user.refresh_token)
        user.refresh_token = b64url_encode(secrets.token_bytes(9))

    def _access_token(self, user: User, now: int, session_id: str) -> str:
        header = b64url_encode(b'{"alg":"HS256","typ":"JWT"}')
        claims = {
            "iss": ISSUER,
            "sub": user.id,
            "aud": "authenticated",
            "role": "authenticated",
            "iat": now,
            "exp": now + self._access_ttl,
            "session_id": session_id,
            "is_anonymous": True,
        }
        body = b64url_encode(json.dumps(claims, separators=(",", ":")).encode())
        return f"{header}.{body}.{self._signer.sign(header + '.' + body)}"

    def user_from_cookies(self, cookies: Mapping[str, str]) -> User:
        """The signed-in user of an API call, or AuthRefused with the site's message."""
        check = self.check(cookies)
        if check.standing is Standing.VALID and check.user is not None:
            return check.user
        raise AuthRefused(_API_MESSAGES[check.standing])

    def check(self, cookies: Mapping[str, str]) -> CookieCheck:
        """The standing of the auth cookie among ``cookies`` (whole or split)."""
        value = cookie_value(cookies)
        if value is None:
            return CookieCheck(Standing.NONE)
        try:
            session, claims = self._verified(value)
        except AuthRefused:
            return CookieCheck(Standing.FORGED)
        user = self.users.get(str(claims.get("sub")))
        if user is None:
            return CookieCheck(Standing.FORGED)
        if user.revoked_at is not None:
            return CookieCheck(Standing.REVOKED, user)
        if not self._expired(user, claims):
            return CookieCheck(Standing.VALID, user)
        return self._refresh_standing(user, session.get("refresh_token"))

    def _expired(self, user: User, claims: Mapping[str, Any]) -> bool:
        return bool(
            claims.get("exp", 0) < self._clock.now()
            or claims.get("session_id") not in user.live_sessions
        )

    @staticmethod
    def _refresh_standing(user: User, refresh: object) -> CookieCheck:
        if isinstance(refresh, str) and refresh == user.refresh_token:
            return CookieCheck(Standing.EXPIRED, user)
        if isinstance(refresh, str) and refresh in user.used_refresh_tokens:
            return CookieCheck(Standing.STALE, user)
        return CookieCheck(Standing.FORGED)  # never issued to this user

    def select(self, user_id: str | None) -> list[User]:
        """One user (KeyError when unknown), or every user for None."""
        if user_id is None:
            return list(self.users.values())
        return [self.users[user_id]]

    @staticmethod
    def expire(user: User) -> None:
        """Every access token issued to ``user`` so far is expired from now; a refresh works."""
        user.live_sessions.clear()

    def revoke(self, user: User) -> None:
        """No session of ``user`` is accepted any more, not even for a refresh."""
        if user.revoked_at is None:
            user.revoked_at = self._clock.now()

    def _verified(self, value: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The session JSON and its access token's claims, or AuthRefused."""
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
        if not isinstance(session, dict) or not isinstance(claims, dict):
            raise AuthRefused("Invalid auth token")
        return session, claims


def cookie_value(cookies: Mapping[str, str]) -> str | None:
    """The auth cookie's value, joining the split ``.0``/``.1`` form; None when absent."""
    if AUTH_COOKIE in cookies:
        return cookies[AUTH_COOKIE]
    if SPLIT_COOKIES[0] in cookies:
        return cookies[SPLIT_COOKIES[0]] + cookies.get(SPLIT_COOKIES[1], "")
    return None


def parse_cookie_header(header: str) -> dict[str, str]:
    """``name=value; ...`` as a browser sends it; the first of repeated names wins."""
    cookies: dict[str, str] = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name and name not in cookies:
            cookies[name] = value
    return cookies


def _iso(stamp: float) -> str:
    return dt.datetime.fromtimestamp(stamp, dt.UTC).isoformat().replace("+00:00", "Z")
