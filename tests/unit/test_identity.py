"""The identity model (pure): which cookies it holds, fingerprint, user id, secrecy, memory CAS."""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

import pytest
from pydantic import ValidationError

from lmarena_client.identity import (
    AUTH_COOKIE_MARKER,
    PROVISIONAL_COOKIE,
    Identity,
    IdentityStore,
    MemoryIdentityStore,
    StoredCookie,
    identity_cookies,
)

ORIGIN = "https://arena.ai"


def session_value(user_id: str = "user-1", secret: str = "refresh-1", pad: bool = False) -> str:
    session = {
        "access_token": f"header.{secret}.signature",
        "token_type": "bearer",
        "expires_in": 3600,
        "expires_at": 1_900_000_000,
        "refresh_token": secret,
        "user": {"id": user_id, "aud": "authenticated"},
    }
    encoded = base64.urlsafe_b64encode(json.dumps(session).encode()).decode()
    return "base64-" + (encoded if pad else encoded.rstrip("="))


def cookie(name: str, value: str, domain: str = "arena.ai", **extra: Any) -> StoredCookie:
    return StoredCookie(name=name, value=value, domain=domain, **extra)


def identity(*cookies: StoredCookie, origin: str = ORIGIN) -> Identity:
    return Identity(cookies=cookies, origin=origin, saved_at=1_700_000_000.0)


def marker() -> str:
    return "SECRET-" + secrets.token_hex(12)


# -- which cookies make up an identity ---------------------------------------------------------


def test_identity_cookies_keep_auth_split_auth_and_provisional_only() -> None:
    browser = [
        cookie("cf_clearance", "cf"),
        cookie("__cf_bm", "bm"),
        cookie("_cfuvid", "uv"),
        cookie("_GRECAPTCHA", "g"),
        cookie("sidebar_state", "open"),
        cookie(PROVISIONAL_COOKIE, "prov"),
        cookie("arena-auth-prod-v1.1", "tail"),
        cookie("arena-auth-prod-v1", "whole"),
        cookie("arena-auth-prod-v1.0", "head"),
        cookie(PROVISIONAL_COOKIE, "prov", domain=".arena.ai"),
    ]
    kept = identity_cookies(browser)
    assert [c.name for c in kept] == [
        "arena-auth-prod-v1",
        "arena-auth-prod-v1.0",
        "arena-auth-prod-v1.1",
        PROVISIONAL_COOKIE,
        PROVISIONAL_COOKIE,
    ]
    assert all(AUTH_COOKIE_MARKER in c.name or c.name == PROVISIONAL_COOKIE for c in kept)


def test_identity_cookies_of_a_browser_without_identity_is_empty() -> None:
    assert identity_cookies([cookie("cf_clearance", "x"), cookie("__cf_bm", "y")]) == ()


def test_identity_refuses_cloudflare_cookies_naming_them_without_values() -> None:
    secret = marker()
    with pytest.raises(ValidationError) as caught:
        identity(cookie("arena-auth-prod-v1", session_value()), cookie("cf_clearance", secret))
    assert "cf_clearance" in str(caught.value)
    assert secret not in str(caught.value)
    assert secret not in repr(caught.value)


def test_identity_keeps_cookies_in_one_order() -> None:
    a = cookie(PROVISIONAL_COOKIE, "p")
    b = cookie("arena-auth-prod-v1", "v")
    assert identity(a, b) == identity(b, a)
    assert [c.name for c in identity(a, b).cookies] == ["arena-auth-prod-v1", PROVISIONAL_COOKIE]


def test_stored_cookie_is_frozen_and_strict() -> None:
    c = cookie("arena-auth-prod-v1", "v", expires=1.5, http_only=True, secure=True, same_site="Lax")
    assert (c.path, c.expires, c.http_only, c.secure, c.same_site) == ("/", 1.5, True, True, "Lax")
    with pytest.raises(ValidationError):
        c.value = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        StoredCookie(name="a", value="b", domain="c", priority="High")  # type: ignore[call-arg]


# -- fingerprint, has_auth ------------------------------------------------------------------


def test_fingerprint_is_stable_short_hex_and_ignores_order_and_time() -> None:
    a = cookie(PROVISIONAL_COOKIE, "p")
    b = cookie("arena-auth-prod-v1", "v")
    fp = identity(a, b).fingerprint()
    assert fp == identity(b, a).fingerprint()
    assert fp == Identity(cookies=(a, b), origin=ORIGIN, saved_at=5.0).fingerprint()
    assert len(fp) == 16
    int(fp, 16)
    # A fixed value: the fingerprint must not depend on the process (hash seed, dict order),
    # since processes compare fingerprints of what they loaded.
    assert fp == "019cee04c0a7ff7a"


def test_fingerprint_changes_with_any_value_name_domain_or_path() -> None:
    base = identity(cookie("arena-auth-prod-v1", "v"), cookie(PROVISIONAL_COOKIE, "p"))
    variants = [
        identity(cookie("arena-auth-prod-v1", "v2"), cookie(PROVISIONAL_COOKIE, "p")),
        identity(cookie("arena-auth-prod-v1", "v"), cookie(PROVISIONAL_COOKIE, "p2")),
        identity(cookie("arena-auth-prod-v1.0", "v"), cookie(PROVISIONAL_COOKIE, "p")),
        identity(
            cookie("arena-auth-prod-v1", "v", domain=".arena.ai"), cookie(PROVISIONAL_COOKIE, "p")
        ),
        identity(cookie("arena-auth-prod-v1", "v", path="/x"), cookie(PROVISIONAL_COOKIE, "p")),
        identity(cookie("arena-auth-prod-v1", "v")),
    ]
    fingerprints = {base.fingerprint(), *(v.fingerprint() for v in variants)}
    assert len(fingerprints) == len(variants) + 1


def test_fingerprint_is_not_the_value() -> None:
    secret = marker()
    fp = identity(cookie("arena-auth-prod-v1", secret)).fingerprint()
    assert fp not in secret and secret not in fp


def test_has_auth() -> None:
    assert identity(cookie("arena-auth-prod-v1", "v")).has_auth()
    assert identity(cookie("arena-auth-prod-v1.0", "v")).has_auth()
    assert not identity(cookie(PROVISIONAL_COOKIE, "p")).has_auth()
    assert not identity().has_auth()


# -- user_id ------------------------------------------------------------------------------------


@pytest.mark.parametrize("pad", [False, True])
def test_user_id_of_a_plain_cookie(pad: bool) -> None:
    ident = identity(cookie("arena-auth-prod-v1", session_value("u-plain", pad=pad)))
    assert ident.user_id() == "u-plain"


def test_user_id_of_split_cookies_joined_in_order() -> None:
    value = session_value("u-split")
    cut = len(value) // 2
    ident = identity(
        cookie("arena-auth-prod-v1.1", value[cut:]),
        cookie("arena-auth-prod-v1.0", value[:cut]),
        cookie(PROVISIONAL_COOKIE, "p"),
    )
    assert ident.user_id() == "u-split"


def test_user_id_of_three_chunks() -> None:
    value = session_value("u-three")
    a, b = len(value) // 3, 2 * len(value) // 3
    parts = [value[:a], value[a:b], value[b:]]
    ident = identity(*(cookie(f"arena-auth-prod-v1.{i}", p) for i, p in enumerate(parts)))
    assert ident.user_id() == "u-three"


def test_user_id_prefers_the_plain_cookie_and_skips_the_code_verifier() -> None:
    value = session_value("u-old")
    ident = identity(
        cookie("arena-auth-prod-v1-code-verifier", "base64-notjson"),
        cookie("arena-auth-prod-v1.0", value[:10]),
        cookie("arena-auth-prod-v1.1", value[10:]),
        cookie("arena-auth-prod-v1", session_value("u-new")),
    )
    assert ident.user_id() == "u-new"


def test_user_id_falls_back_to_chunks_when_the_plain_cookie_is_garbage() -> None:
    value = session_value("u-chunks")
    ident = identity(
        cookie("arena-auth-prod-v1", "base64-!!!"),
        cookie("arena-auth-prod-v1.0", value[:10]),
        cookie("arena-auth-prod-v1.1", value[10:]),
    )
    assert ident.user_id() == "u-chunks"


def _b64(payload: bytes) -> str:
    return "base64-" + base64.urlsafe_b64encode(payload).decode().rstrip("=")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "garbage",
        "base64-",
        "base64-!!!!",
        "base64-" + "A" * 5,  # impossible base64 length
        _b64(b"\xff\xfe not utf-8"),
        _b64(b"not json"),
        _b64(b"[1, 2, 3]"),
        _b64(b'{"user": null}'),
        _b64(b'{"user": "u"}'),
        _b64(b'{"user": {"id": 7}}'),
        _b64(b'{"user": {"id": ""}}'),
        _b64(b'{"access_token": "x"}'),
        _b64(b"[" * 100_000),  # too deep for the JSON parser
        "%7B%22user%22%3A%20",  # cut URL-encoded JSON
    ],
)
def test_user_id_is_none_on_garbage_and_never_raises(value: str) -> None:
    assert identity(cookie("arena-auth-prod-v1", value)).user_id() is None


def test_user_id_of_a_missing_chunk_is_none() -> None:
    value = session_value("u")
    ident = identity(cookie("arena-auth-prod-v1.1", value[10:]))  # .0 missing
    assert ident.user_id() is None


def test_user_id_without_auth_cookie_is_none() -> None:
    assert identity(cookie(PROVISIONAL_COOKIE, session_value("u"))).user_id() is None


def test_user_id_of_url_encoded_json_session() -> None:
    value = "%7B%22user%22%3A%7B%22id%22%3A%22u-json%22%7D%7D"  # {"user":{"id":"u-json"}}
    assert identity(cookie("arena-auth-prod-v1", value)).user_id() == "u-json"


# -- secrecy --------------------------------------------------------------------------------


def test_repr_and_str_never_show_values() -> None:
    secret = marker()
    auth = cookie("arena-auth-prod-v1", session_value(secret=secret))
    prov = cookie(PROVISIONAL_COOKIE, secret)
    ident = identity(auth, prov)
    texts = [
        repr(auth),
        str(auth),
        f"{auth}",
        repr(ident),
        str(ident),
        f"{ident!r} {ident}",
        repr([ident]),
        repr(ident.cookies),
        repr(MemoryIdentityStore(ident)),
    ]
    for text in texts:
        assert secret not in text
        assert auth.value not in text
    assert ORIGIN in str(ident)
    assert "arena-auth-prod-v1" in repr(ident)
    assert PROVISIONAL_COOKIE in repr(ident)
    assert ident.fingerprint() in repr(ident)
    assert "arena-auth-prod-v1" in repr(auth)


def test_validation_errors_never_quote_values() -> None:
    secret = marker()
    attempts: list[dict[str, Any]] = [
        {"name": "a", "value": secret, "domain": 3},
        {"name": "a", "value": secret, "domain": "d", "extra": secret},
        {"name": ["x"], "value": secret, "domain": "d"},
    ]
    for data in attempts:
        with pytest.raises(ValidationError) as caught:
            StoredCookie.model_validate(data)
        assert secret not in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        Identity.model_validate(
            {"cookies": [{"name": "arena-auth-prod-v1", "value": secret}], "origin": ORIGIN}
        )
    assert secret not in str(caught.value)


# -- MemoryIdentityStore ----------------------------------------------------------------------


async def test_memory_store_compare_and_set() -> None:
    store = MemoryIdentityStore()
    assert isinstance(store, IdentityStore)
    first = identity(cookie("arena-auth-prod-v1", "one"))
    second = identity(cookie("arena-auth-prod-v1", "two"))
    third = identity(cookie("arena-auth-prod-v1", "three"))

    assert await store.load() is None
    assert await store.save(first, replaces=first) is False  # nothing stored yet
    assert await store.load() is None
    assert await store.save(first, replaces=None) is True
    assert await store.load() == first
    assert await store.save(second, replaces=None) is False  # something is stored
    assert await store.save(second, replaces=third) is False  # stale replaces
    assert await store.load() == first
    # replaces is compared by fingerprint: same cookies saved at another time still match.
    same_cookies = Identity(cookies=first.cookies, origin=ORIGIN, saved_at=1.0)
    assert await store.save(second, replaces=same_cookies) is True
    assert await store.load() == second
    assert await store.save(third, replaces=first) is False  # first is stale now
    await store.clear()
    assert await store.load() is None
    await store.clear()  # clearing nothing is fine
    assert await store.save(third, replaces=None) is True


async def test_memory_store_starts_with_an_identity() -> None:
    first = identity(cookie("arena-auth-prod-v1", "one"))
    store = MemoryIdentityStore(first)
    assert await store.load() == first
