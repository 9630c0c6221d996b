"""The aiohttp application of the fake site: routes plus the edge (request counting, the
Cloudflare-style gate) in front of them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

from . import action_routes, control_routes, site_routes, stream_routes, turnstile_routes
from .interstitial import CLEARANCE_COOKIE
from .state import SiteState
from .storage import PREFIX

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PAGE_PATHS = ("/", "/text/direct", "/c/{session_id}")
STATE_KEY = web.AppKey("state", SiteState)
# What Cloudflare lets through without clearance here: the challenge itself and test controls.
_UNGATED_PREFIXES = ("/cdn-cgi/", "/__fake__/", PREFIX)
_MAX_BODY = 64 * 1024 * 1024


def build_app(state: SiteState) -> web.Application:
    app = web.Application(
        middlewares=[_counting(state), _cloudflare_gate(state)], client_max_size=_MAX_BODY
    )
    app[STATE_KEY] = state
    routes = _site_routes(state)
    if state.options.replay is not None:
        from .replay import replay_routes  # a doctor capture answers instead (replay.py)

        routes = replay_routes(state, routes)
    app.add_routes(routes)
    app.add_routes(control_routes.routes(state))
    return app


def build_legacy_app(state: SiteState) -> web.Application:
    """The old domain: every request is answered with a 301 to the same path on the new one."""

    async def moved(request: web.Request) -> web.Response:
        state.counters.count_request("legacy-redirect")
        return web.Response(status=301, headers={"Location": state.url + request.path_qs})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", moved)
    return app


def _site_routes(state: SiteState) -> list[web.RouteDef]:
    page = site_routes.page_handler(state)
    act = action_routes.action_handler(state)
    routes = [r for path in PAGE_PATHS for r in (web.get(path, page), web.post(path, act))]
    storage_key = PREFIX + "{key:.+}"

    async def route_not_allowed(request: web.Request) -> web.Response:
        return web.json_response({"error": "Route not allowed"}, status=403)

    return [
        *routes,
        web.route("*", "/api/{tail:.*}", route_not_allowed),
        web.get("/_next/static/chunks/{file}", site_routes.chunk_handler(state)),
        web.get("/recaptcha/enterprise.js", site_routes.recaptcha_script),
        web.post("/recaptcha/enterprise/anchor", site_routes.anchor_handler(state)),
        web.post("/nextjs-api/sign-up", site_routes.sign_up_handler(state)),
        web.post(
            "/cdn-cgi/challenge-platform/h/g/flow/ov1/{ray}", site_routes.challenge_handler(state)
        ),
        web.get("/nextjs-api/model-catalog", site_routes.catalog_handler(state)),
        *turnstile_routes.routes(state),
        web.post(
            "/nextjs-api/stream/create-evaluation", stream_routes.stream_handler(state, "create")
        ),
        web.post(
            "/nextjs-api/stream/post-to-evaluation/{session_id}",
            stream_routes.stream_handler(state, "post"),
        ),
        web.put(
            "/nextjs-api/stream/retry-evaluation-session-message/{session_id}"
            "/messages/{message_id}",
            stream_routes.stream_handler(state, "retry"),
        ),
        web.put(storage_key, action_routes.storage_put_handler(state)),
        web.get(storage_key, action_routes.storage_get_handler(state)),
        web.options(storage_key, action_routes.storage_options),
    ]


def _counting(state: SiteState) -> Middleware:
    @web.middleware
    async def count(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith("/__fake__/"):
            resource = request.match_info.route.resource
            state.counters.count_request(resource.canonical if resource else "unmatched")
        return await handler(request)

    return count


def _cloudflare_gate(state: SiteState) -> Middleware:
    @web.middleware
    async def gate(request: web.Request, handler: Handler) -> web.StreamResponse:
        if state.options.interstitial and not request.path.startswith(_UNGATED_PREFIXES):
            cleared = state.gate.has_clearance(
                request.cookies.get(CLEARANCE_COOKIE), request.headers.get("User-Agent", "")
            )
            if not cleared:
                return web.Response(
                    status=403,
                    text=state.gate.page(),
                    content_type="text/html",
                    headers={
                        "cf-mitigated": "challenge",
                        "server": "cloudflare",
                        "cache-control": "private, max-age=0, no-store",
                    },
                )
        return await handler(request)

    return gate
