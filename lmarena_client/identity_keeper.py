"""Carrying the identity across browsers: restore it before a fresh browser navigates, save what
the site turns it into (a refresh, or a new identity when the old one was refused).

Saves are compare-and-set against the identity this browser started from. When another process
saved first (it refreshed the same session, which rotates its refresh token), this browser adopts
that newer identity and loads the page again instead of overwriting it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from .identity import Identity, IdentityStore, StoredCookie

log = logging.getLogger(__name__)

ApplyCookies = Callable[[tuple[StoredCookie, ...]], Awaitable[None]]


class IdentityKeeper:
    def __init__(self, store: IdentityStore | None) -> None:
        self.store = store
        self._base: Identity | None = None  # the stored identity this browser's derives from
        self._held: Identity | None = None  # what this browser holds, as last seen

    def new_browser(self) -> None:
        """A fresh Chromium holds no identity yet."""
        self._held = None

    async def before_navigation(self, apply: ApplyCookies) -> None:
        """Put the stored identity into the browser unless it holds that one already."""
        if self.store is None:
            return
        stored = await self._load()
        self._base = stored
        if stored is None or not stored.has_auth():
            return
        if self._held is None or self._held.fingerprint() != stored.fingerprint():
            await apply(stored.cookies)
            self._held = stored
            log.info("restored the saved site identity")

    async def after_bootstrap(self, current: Identity) -> bool:
        """Save the identity the site left in the browser. False: another process saved a newer
        one meanwhile; navigate again (``before_navigation`` adopts it)."""
        self._held = current
        if self.store is None or not current.has_auth():
            return True
        base = self._base
        if base is not None and base.fingerprint() == current.fingerprint():
            return True
        if not await self._save(current, base):
            newer = await self._load()
            base_fingerprint = base.fingerprint() if base is not None else None
            adopt = newer is not None and newer.fingerprint() != base_fingerprint
            if adopt:
                log.info("another process saved a newer site identity; adopting it")
            return not adopt
        self._base = current
        _log_change(base, current)
        return True

    # A store that fails (disk full, lock timeout) must not stop the chat: log and go on.
    async def _load(self) -> Identity | None:
        assert self.store is not None
        try:
            return await self.store.load()
        except (OSError, TimeoutError) as exc:
            log.warning("the saved site identity could not be read: %s", exc)
            return None

    async def _save(self, current: Identity, base: Identity | None) -> bool:
        assert self.store is not None
        try:
            return await self.store.save(current, replaces=base)
        except (OSError, TimeoutError) as exc:
            log.warning("the site identity could not be saved: %s", exc)
            return False


def _log_change(before: Identity | None, after: Identity) -> None:
    if before is None or not before.has_auth():
        log.info("saved the new site identity")
    elif before.user_id() is not None and before.user_id() != after.user_id():
        log.warning(
            "the site no longer accepted the saved identity; a new one was created and saved "
            "(chats of the old one can no longer be continued)"
        )
    else:
        log.info("saved the refreshed site identity")
