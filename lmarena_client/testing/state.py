"""Everything one fake site knows, shared by its request handlers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .build import Build
from .clock import Clock
from .counters import Counters
from .faults import FaultBook
from .identity import AuthRefused, CookieCheck, Identity, User, parse_cookie_header
from .interstitial import ChallengeGate
from .models import ModelBook
from .options import FakeArenaOptions
from .recaptcha import RecaptchaAuthority
from .refusals import Refusal
from .sessions import SessionBook
from .storage import ObjectStorage
from .turnstile import TurnstileAuthority

_REDACTED = "[redacted]"
_SECRET_FIELDS = ("recaptchaV3Token", "recaptchaV2Token", "recaptchaToken", "turnstileToken")


@dataclass
class LoggedRequest:
    """One stream request as the site received it (tokens redacted)."""

    path: str
    method: str
    content_type: str
    body: Any
    status: int = 0
    # The pauses the site chose: before the answer starts, and between the reply's lines.
    first_byte_delay: float = 0.0
    line_delay: float = 0.0


def redact(body: Any) -> Any:
    if isinstance(body, dict):
        return {k: (_REDACTED if k in _SECRET_FIELDS else v) for k, v in body.items()}
    return body


class SiteState:
    def __init__(self, options: FakeArenaOptions) -> None:
        self.options = options
        self.clock = Clock()
        self.counters = Counters()
        self.faults = FaultBook()
        for fault in options.faults:
            self.faults.inject(fault)
        self.recaptcha = RecaptchaAuthority(self.clock, options.site_key, options.token_ttl)
        self.turnstile = TurnstileAuthority(self.clock, options.turnstile_site_key)
        self.identity = Identity(self.clock, options.access_token_ttl, options.split_auth_cookie)
        self.gate = ChallengeGate(
            self.clock, turnstile=options.turnstile_click, clearance_ttl=options.clearance_ttl
        )
        self.build = Build()
        self.models = ModelBook(
            in_page=options.models_in_page, catalog_only=options.catalog_only_models
        )
        self.storage = ObjectStorage(self.clock, options.signed_url_ttl, options.max_upload_bytes)
        self.sessions = SessionBook()
        self.requests: list[LoggedRequest] = []
        self.url = ""
        self.legacy_url: str | None = None

    def user_of(self, request: web.Request) -> User:
        """The signed-in user of an API request, or Refusal(401)."""
        try:
            return self.identity.user_from_cookies(request.cookies)
        except AuthRefused as exc:
            raise Refusal(401, str(exc)) from exc

    def expire_auth(self, user_id: str | None = None) -> list[str]:
        """Expire every access token issued so far to one user (all users for None); the next
        page GET refreshes it. KeyError for an unknown user. The ids of the users touched."""
        users = self.identity.select(user_id)
        for user in users:
            self.identity.expire(user)
        return [user.id for user in users]

    def revoke_auth(self, user_id: str | None = None) -> list[str]:
        """Refuse every session of one user (all users for None) from now on, refreshes too.
        Their evaluation sessions stay theirs. KeyError for an unknown user."""
        users = self.identity.select(user_id)
        for user in users:
            self.identity.revoke(user)
        return [user.id for user in users]

    def whoami(self, cookies: Mapping[str, str] | str) -> CookieCheck:
        """How the site sees these cookies (a mapping or a ``Cookie`` header)."""
        if isinstance(cookies, str):
            cookies = parse_cookie_header(cookies)
        return self.identity.check(cookies)
