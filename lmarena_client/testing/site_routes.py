"""Public pages and bootstrap endpoints: boot page, JS chunks, reCAPTCHA, sign-up, challenge,
model catalog."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from .identity import (
    AUTH_COOKIE,
    PROVISIONAL_COOKIE,
    REFUSED,
    SPLIT_COOKIES,
    CookieCheck,
    Standing,
    User,
)
from .ids import is_uuid, uuid4
from .interstitial import CLEARANCE_COOKIE
from .pages import render_page
from .recaptcha import RECAPTCHA_JS, SCRIPT_COOKIE
from .refusals import RECAPTCHA_FAILED, Refusal, bad_request
from .state import SiteState

YEAR = 400 * 24 * 3600
_TEXT_TYPES = ("text/plain", "application/json")
_SIGN_UP_KEYS = frozenset({"recaptchaToken", "provisionalUserId", "turnstileToken"})
_NO_STORE = "private, no-cache, no-store, max-age=0, must-revalidate"
_AUTH_NAMES = (AUTH_COOKIE, *SPLIT_COOKIES)


def set_auth_cookies(
    response: web.StreamResponse, state: SiteState, user: User, present: Mapping[str, str]
) -> None:
    write_auth_cookies(response, state.identity.cookie_values(user), present)


def write_auth_cookies(
    response: web.StreamResponse, values: Mapping[str, str], present: Mapping[str, str]
) -> None:
    """Set the session's cookies; clear other auth cookie names the browser still sends (a
    leftover whole cookie would win over fresh split halves, and the reverse)."""
    for name, value in values.items():
        response.set_cookie(name, value, path="/", max_age=YEAR, samesite="Lax")
    for name in _AUTH_NAMES:
        if name in present and name not in values:
            response.del_cookie(name, path="/")


def clear_auth_cookies(response: web.StreamResponse) -> None:
    """``Max-Age=0`` (host-only, ``Path=/``, as they were set) for the whole and split names:
    the page script then finds no auth cookie and signs up anew."""
    for name in _AUTH_NAMES:
        response.del_cookie(name, path="/")


def origin_of(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def page_handler(state: SiteState) -> Any:
    async def page(request: web.Request) -> web.Response:
        session_id = request.match_info.get("session_id")
        html = render_page(
            state.build,
            state.models.shown_in_page(),
            state.recaptcha.site_key,
            session_id=session_id,
            signup_on_input=state.options.signup_on_input,
        )
        response = web.Response(
            text=html,
            content_type="text/html",
            charset="utf-8",
            headers={"cache-control": _NO_STORE, "x-powered-by": "Next.js"},
        )
        check = renew_identity(state, request.cookies, response)
        # A refused identity gets a fresh provisional id: its old one has a user already, so the
        # page's sign-up would be answered "User already exists".
        if check.standing in REFUSED or not is_uuid(request.cookies.get(PROVISIONAL_COOKIE)):
            response.set_cookie(PROVISIONAL_COOKIE, uuid4(), path="/", max_age=YEAR, samesite="Lax")
        if "__cf_bm" not in request.cookies:
            response.set_cookie(
                "__cf_bm",
                secrets.token_urlsafe(32),
                path="/",
                max_age=1800,
                httponly=True,
                samesite="Lax",
            )
        return response

    return page


def renew_identity(
    state: SiteState, cookies: Mapping[str, str], response: web.StreamResponse
) -> CookieCheck:
    """What a page GET does with the auth cookie: refresh an expired session (rotating its
    refresh token), clear a refused one, leave a valid one alone."""
    check = state.identity.check(cookies)
    if check.standing is Standing.EXPIRED and check.user is not None:
        state.counters.refreshes += 1
        write_auth_cookies(response, state.identity.refresh(check.user), cookies)
    elif check.standing in REFUSED:
        if check.standing is Standing.STALE and check.user is not None:
            state.counters.stale_refreshes += 1
            check.user.stale_refreshes += 1
        state.counters.auth_cookies_cleared += 1
        clear_auth_cookies(response)
    return check


def chunk_handler(state: SiteState) -> Any:
    async def chunk(request: web.Request) -> web.Response:
        text = state.build.chunk_text(request.match_info["file"])
        if text is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(
            text=text,
            content_type="application/javascript",
            headers={"cache-control": "public, max-age=31536000, immutable"},
        )

    return chunk


async def recaptcha_script(request: web.Request) -> web.Response:
    return web.Response(
        text=RECAPTCHA_JS,
        content_type="text/javascript",
        headers={"cache-control": "private, max-age=300"},
    )


def anchor_handler(state: SiteState) -> Any:
    """Hands a page running the script a client id and secret for signing tokens."""

    async def anchor(request: web.Request) -> web.Response:
        if request.query.get("k") != state.recaptcha.site_key:
            return Refusal(400, "Invalid site key").response()
        if request.headers.get("Origin") != origin_of(request):
            return Refusal(403, "Invalid domain for site key").response()
        client_id, secret = state.recaptcha.open_client()
        response = web.json_response({"client_id": client_id, "secret": secret})
        if SCRIPT_COOKIE not in request.cookies:
            response.set_cookie(
                SCRIPT_COOKIE, secrets.token_urlsafe(24), path="/", httponly=True, max_age=YEAR
            )
        return response

    return anchor


async def read_json(request: web.Request, *, types: tuple[str, ...] = _TEXT_TYPES) -> Any:
    """The body as JSON, for the content types the site's fetch sends; Refusal(400) otherwise."""
    if request.content_type not in types:
        raise bad_request(f"Unsupported content type {request.content_type!r}")
    charset = request.charset
    if charset is not None and charset.lower() not in ("utf-8", "utf8"):
        raise bad_request(f"Unsupported charset {charset!r}")
    raw = await request.read()
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise bad_request("Invalid JSON body") from exc


def check_token(state: SiteState, token: object, actions: frozenset[str] | None) -> None:
    """Count and verify a reCAPTCHA token; Refusal(403) when it fails."""
    state.counters.tokens_checked += 1
    result = state.recaptcha.check(token, actions)
    if not result.ok:
        state.counters.tokens_refused += 1
        raise Refusal(403, RECAPTCHA_FAILED)
    state.counters.tokens_accepted += 1


def sign_up_handler(state: SiteState) -> Any:
    async def sign_up(request: web.Request) -> web.Response:
        try:
            body = await read_json(request)
            if not isinstance(body, dict) or set(body) - _SIGN_UP_KEYS:
                raise bad_request("Invalid request body")
            check_token(state, body.get("recaptchaToken"), frozenset({"sign_up"}))
            provisional = body.get("provisionalUserId")
            if not is_uuid(provisional) or provisional != request.cookies.get(PROVISIONAL_COOKIE):
                raise bad_request("Invalid provisional user id")
            user = state.identity.sign_up(str(provisional))
            if user is None:
                raise bad_request("User already exists")
        except Refusal as refusal:
            return refusal.response()
        state.counters.sign_ups += 1
        response = web.json_response({"success": True, "user": {"id": user.id}})
        set_auth_cookies(response, state, user, request.cookies)
        return response

    return sign_up


def challenge_handler(state: SiteState) -> Any:
    async def solve(request: web.Request) -> web.Response:
        try:
            answer = json.loads(await request.text())
        except ValueError:
            answer = None
        clearance = state.gate.solve(answer, request.headers.get("User-Agent", ""))
        if clearance is None:
            return web.json_response({"success": False}, status=403)
        response = web.json_response({"success": True})
        response.set_cookie(
            CLEARANCE_COOKIE,
            clearance,
            path="/",
            httponly=True,
            max_age=int(state.options.clearance_ttl),
            samesite="Lax",
        )
        return response

    return solve


def catalog_handler(state: SiteState) -> Any:
    async def catalog(request: web.Request) -> web.Response:
        return web.json_response(state.models.catalog(), headers={"cache-control": _NO_STORE})

    return catalog
