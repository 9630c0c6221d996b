"""Serving the built WebUI at ``/ui`` (assets under ``/ui/assets``, SPA fallback elsewhere)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

DIST = Path(__file__).resolve().parent / "webui_dist"
_NOT_BUILT = (
    "<!doctype html><title>WebUI not built</title><p>The WebUI has not been built into this "
    "installation. Build it with <code>cd webui &amp;&amp; npm install &amp;&amp; npm run build"
    "</code>. The API at <code>/v1</code> works without it.</p>"
)


def mount(app: FastAPI, dist: Path = DIST) -> None:
    index = dist / "index.html"
    if (dist / "assets").is_dir():
        app.mount("/ui/assets", StaticFiles(directory=dist / "assets"), name="ui-assets")

    async def redirect() -> Response:
        return RedirectResponse("/ui/")

    async def spa(path: str = "") -> Response:
        if not index.is_file():
            return HTMLResponse(_NOT_BUILT, status_code=404)
        candidate = (dist / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(dist):
            return FileResponse(candidate)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    app.add_api_route("/ui", redirect, methods=["GET"], include_in_schema=False)
    app.add_api_route("/ui/", spa, methods=["GET"], include_in_schema=False)
    app.add_api_route("/ui/{path:path}", spa, methods=["GET"], include_in_schema=False)
