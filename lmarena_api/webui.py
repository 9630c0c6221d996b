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
    dist = dist.resolve()
    index = dist / "index.html"
    if (dist / "assets").is_dir():
        app.mount("/ui/assets", StaticFiles(directory=dist / "assets"), name="ui-assets")

    async def redirect() -> Response:
        return RedirectResponse("/ui/")

    async def spa(path: str = "") -> Response:
        if not index.is_file():
            return HTMLResponse(_NOT_BUILT, status_code=404)
        built = _built_file(dist, path)
        if built is not None:
            return FileResponse(built)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    app.add_api_route("/ui", redirect, methods=["GET"], include_in_schema=False)
    app.add_api_route("/ui/", spa, methods=["GET"], include_in_schema=False)
    app.add_api_route("/ui/{path:path}", spa, methods=["GET"], include_in_schema=False)


def _built_file(dist: Path, path: str) -> Path | None:
    """The file of the build that ``path`` names, or None (the SPA index answers then)."""
    if not path or "\x00" in path:  # a NUL byte makes every os call raise ValueError
        return None
    try:
        candidate = (dist / path).resolve()
        if candidate.is_relative_to(dist) and candidate.is_file():
            return candidate
    except (OSError, ValueError):  # e.g. ENAMETOOLONG: no such file, so the SPA route
        return None
    return None
