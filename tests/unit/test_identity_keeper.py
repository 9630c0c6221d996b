"""IdentityKeeper against an in-memory store: restore, save, adopt, and survive a broken store."""

from __future__ import annotations

import base64
import json
import logging
import time

import pytest

from lmarena_client.identity import Identity, MemoryIdentityStore, StoredCookie
from lmarena_client.identity_keeper import IdentityKeeper


def identity(user: str, refresh: str) -> Identity:
    session = {"refresh_token": refresh, "user": {"id": user}}
    value = "base64-" + base64.urlsafe_b64encode(json.dumps(session).encode()).decode()
    cookie = StoredCookie(name="arena-auth-prod-v1", value=value, domain="127.0.0.1")
    return Identity(cookies=(cookie,), origin="http://127.0.0.1:1", saved_at=time.time())


class Browser:
    """What the keeper sees of a browser: the cookies it was given."""

    def __init__(self) -> None:
        self.applied: list[tuple[StoredCookie, ...]] = []

    async def apply(self, cookies: tuple[StoredCookie, ...]) -> None:
        self.applied.append(cookies)


async def test_a_fresh_browser_gets_the_stored_identity_once() -> None:
    stored = identity("u1", "r1")
    keeper, browser = IdentityKeeper(MemoryIdentityStore(stored)), Browser()
    await keeper.before_navigation(browser.apply)
    assert browser.applied == [stored.cookies]
    assert await keeper.after_bootstrap(stored)
    await keeper.before_navigation(browser.apply)  # it holds that one already
    assert len(browser.applied) == 1
    keeper.new_browser()  # Chromium restarted: empty again
    await keeper.before_navigation(browser.apply)
    assert len(browser.applied) == 2


async def test_a_refreshed_identity_is_saved() -> None:
    store = MemoryIdentityStore(identity("u1", "r1"))
    keeper = IdentityKeeper(store)
    await keeper.before_navigation(Browser().apply)
    assert await keeper.after_bootstrap(identity("u1", "r2"))
    saved = await store.load()
    assert saved is not None and saved.fingerprint() == identity("u1", "r2").fingerprint()


async def test_a_newer_identity_saved_elsewhere_is_adopted_not_overwritten() -> None:
    store = MemoryIdentityStore(identity("u1", "r1"))
    keeper, browser = IdentityKeeper(store), Browser()
    await keeper.before_navigation(browser.apply)
    # Another process refreshed first: the store holds r2; this browser was refused and got u2.
    assert await store.save(identity("u1", "r2"), replaces=identity("u1", "r1"))
    assert not await keeper.after_bootstrap(identity("u2", "x"))
    await keeper.before_navigation(browser.apply)
    assert browser.applied[-1] == identity("u1", "r2").cookies
    assert await keeper.after_bootstrap(identity("u1", "r2"))
    kept = await store.load()
    assert kept is not None and kept.user_id() == "u1"


async def test_a_replaced_identity_is_saved_and_reported(caplog: pytest.LogCaptureFixture) -> None:
    store = MemoryIdentityStore(identity("u1", "r1"))
    keeper = IdentityKeeper(store)
    await keeper.before_navigation(Browser().apply)
    with caplog.at_level(logging.WARNING):
        assert await keeper.after_bootstrap(identity("u2", "r9"))
    assert "no longer accepted" in caplog.text
    saved = await store.load()
    assert saved is not None and saved.user_id() == "u2"
    assert "r9" not in caplog.text and "base64-" not in caplog.text


class BrokenStore(MemoryIdentityStore):
    async def load(self) -> Identity | None:
        raise OSError("disk on fire")

    async def save(self, identity: Identity, *, replaces: Identity | None) -> bool:
        raise TimeoutError("lock held forever")


async def test_a_broken_store_does_not_stop_the_browser(caplog: pytest.LogCaptureFixture) -> None:
    keeper, browser = IdentityKeeper(BrokenStore()), Browser()
    with caplog.at_level(logging.WARNING):
        await keeper.before_navigation(browser.apply)
        assert await keeper.after_bootstrap(identity("u1", "r1"))
    assert browser.applied == []
    assert "could not be read" in caplog.text and "could not be saved" in caplog.text


async def test_without_a_store_nothing_is_kept() -> None:
    keeper, browser = IdentityKeeper(None), Browser()
    await keeper.before_navigation(browser.apply)
    assert await keeper.after_bootstrap(identity("u1", "r1"))
    assert browser.applied == []
