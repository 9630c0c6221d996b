"""Error answers in the site's shapes (``{"error": "..."}``), raised from deep inside handlers."""

from __future__ import annotations

import json

from aiohttp import web

RECAPTCHA_FAILED = "recaptcha validation failed"


class Refusal(Exception):
    """An HTTP error answer; handlers turn it into a response with :meth:`response`."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}

    def response(self) -> web.Response:
        return web.Response(
            status=self.status,
            text=json.dumps({"error": self.message}),
            content_type="application/json",
            headers=self.headers,
        )


def bad_request(message: str) -> Refusal:
    return Refusal(400, message)
