"""``OriginGuard``: what keeps a web page the operator visits from using this server.

Two checks, before any route runs:

- A POST under ``/v1/`` must say ``Content-Type: application/json``. Anything else is 415. A
  page may send a cross-origin ``text/plain`` POST without a CORS preflight (a "simple
  request"); refusing it means a page can only reach a chat through a preflight, which this
  server does not grant unless ``LM_ARENA_CORS_ORIGINS`` says so. Applies with or without keys.
- Without API keys, the ``Host`` header must name this server: a loopback name or address, the
  bound ``LM_ARENA_HOST``, or a name in ``LM_ARENA_ALLOWED_HOSTS`` (``*``: any). This stops DNS
  rebinding, where a page's own name is pointed at 127.0.0.1 so that the browser treats this
  server as same-origin with it; the request then still carries the page's name as ``Host``.
  Every path is checked (the WebUI too: rebinding reads pages as well as it posts chats).

A refused ``Host`` answers **421 Misdirected Request**: the request reached a server that does
not answer for that name, which is exactly the case; 403 would read as a missing permission or
key to the client, while 421 points at the name (fix: use ``localhost`` or list the name in
``LM_ARENA_ALLOWED_HOSTS``).
"""

from __future__ import annotations

import ipaddress

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from .config import ApiSettings
from .errors import ApiError

_LOOPBACK_NAMES = frozenset({"localhost"})


def host_name(value: str) -> str:
    """The name part of a ``Host`` header or a configured host, normalized for comparison:
    lower case, no port, no trailing dot, IPv6 without brackets."""
    value = value.strip().lower()
    if value.startswith("["):  # [::1] or [::1]:8080
        end = value.find("]")
        return value[1:end] if end > 0 else value
    if value.count(":") == 1:  # name:port (a bare IPv6 address has several colons)
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def _is_loopback(name: str) -> bool:
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class HostRule:
    """Which ``Host`` names a key-less server answers."""

    def __init__(self, bound_host: str, allowed: list[str]) -> None:
        self.any = "*" in allowed
        self.names = frozenset(host_name(name) for name in [bound_host, *allowed] if name != "*")

    def allows(self, host_header: str | None) -> bool:
        if self.any:
            return True
        if not host_header:
            return False  # every browser sends Host; its absence is no page of a user's
        name = host_name(host_header)
        return _is_loopback(name) or name in self.names


def is_json_media_type(content_type: str) -> bool:
    """``application/json`` with any parameters (``; charset=utf-8``), in any letter case."""
    return content_type.split(";", 1)[0].strip().lower() == "application/json"


class OriginGuard:
    """Pure ASGI middleware applying the two checks above (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, settings: ApiSettings) -> None:
        self.app = app
        self.hosts = None if settings.api_keys else HostRule(settings.host, settings.allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        response = JSONResponse(refusal.body(), status_code=refusal.status)
        await response(scope, receive, send)

    def _refusal(self, scope: Scope) -> ApiError | None:
        headers = Headers(scope=scope)
        if self.hosts is not None and not self.hosts.allows(headers.get("host")):
            return ApiError(
                421,
                "this server does not answer for that Host name; use localhost or add the "
                "name to LM_ARENA_ALLOWED_HOSTS",
                code="host_not_allowed",
            )
        if scope["method"] == "POST" and str(scope["path"]).startswith("/v1/"):
            types = headers.getlist("content-type")
            if not types or not all(is_json_media_type(value) for value in types):
                return ApiError(
                    415,
                    "send the request body as JSON with Content-Type: application/json",
                    param="Content-Type",
                    code="unsupported_media_type",
                )
        return None
