"""``FakeArena``: the fake site as an async context manager listening on loopback."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import TracebackType
from typing import Self

from aiohttp import web

from .app import build_app, build_legacy_app
from .counters import Counters
from .faults import Fault
from .identity import CookieCheck, User
from .options import FakeArenaOptions
from .sessions import EvaluationSession
from .state import LoggedRequest, SiteState

log = logging.getLogger(__name__)


class FakeArena:
    """A protocol-faithful stand-in for the site, for tests, benchmarks and offline demos.

    ``port=0`` picks a free port. With ``legacy_origin`` a second listener plays the old domain
    and 301-redirects everything to :attr:`url`.
    """

    def __init__(
        self, options: FakeArenaOptions | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.options = options or FakeArenaOptions()
        self.state = SiteState(self.options)
        self._host = host
        self._port = port
        self._runners: list[web.AppRunner] = []

    async def start(self) -> None:
        self.state.url = await self._listen(build_app(self.state), self._port)
        if self.options.legacy_origin:
            self.state.legacy_url = await self._listen(build_legacy_app(self.state), 0)
        log.info("fake site listening on %s", self.state.url)

    async def stop(self) -> None:
        for runner in reversed(self._runners):
            await runner.cleanup()
        self._runners.clear()

    async def __aenter__(self) -> Self:
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _listen(self, app: web.Application, port: int) -> str:
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        self._runners.append(runner)
        site = web.TCPSite(runner, self._host, port)
        await site.start()
        bound = runner.addresses[-1]
        return f"http://{self._host}:{bound[1]}"

    @property
    def url(self) -> str:
        if not self.state.url:
            raise RuntimeError("the fake site is not started")
        return self.state.url

    @property
    def legacy_url(self) -> str | None:
        return self.state.legacy_url

    @property
    def counters(self) -> Counters:
        return self.state.counters

    @property
    def site_key(self) -> str:
        return self.state.recaptcha.site_key

    @property
    def sessions(self) -> dict[str, EvaluationSession]:
        return self.state.sessions.sessions

    @property
    def requests(self) -> list[LoggedRequest]:
        """Stream requests as received, tokens redacted."""
        return self.state.requests

    def inject(self, *faults: Fault) -> None:
        for fault in faults:
            self.state.faults.inject(fault)

    def rotate_site_key(self) -> str:
        return self.state.recaptcha.rotate_site_key()

    def rotate_action_ids(self) -> dict[str, str]:
        self.state.build.rotate_actions()
        return dict(self.state.build.action_ids)

    def advance_clock(self, seconds: float) -> None:
        """Move the site's clock on: tokens, cookies and signed URLs age without sleeping."""
        self.state.clock.advance(seconds)

    @property
    def users(self) -> dict[str, User]:
        """Every anonymous user signed up so far, by id."""
        return self.state.identity.users

    def expire_auth(self, user_id: str | None = None) -> list[str]:
        """Expire every access token issued so far to ``user_id`` (every user for None): API
        calls answer 401 "Arena auth token has expired" until a page GET refreshes it."""
        return self.state.expire_auth(user_id)

    def revoke_auth(self, user_id: str | None = None) -> list[str]:
        """Refuse every session of ``user_id`` (every user for None) for good: the next page
        GET clears the auth cookie and hands out a new provisional id."""
        return self.state.revoke_auth(user_id)

    def whoami(self, cookies: Mapping[str, str] | str) -> CookieCheck:
        """The standing and user of these cookies (a mapping or a ``Cookie`` header)."""
        return self.state.whoami(cookies)
