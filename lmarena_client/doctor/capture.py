"""The capture file (``--capture FILE``): a redacted trace of a doctor run, and how it is built.

Building is pure (:func:`build_capture` takes the raw trace and returns the redacted model);
only :func:`write_capture` touches the disk. Every string of the file passes through the run's
:class:`~.redact.Redactor`, structurally first (cookies, headers, URLs, token fields, stream
lines), then as a whole (the sweep: known secrets, secret shapes, non-public UUIDs).

The format (``"format": "lmarena-doctor-capture"``, ``"version": 1``) is JSON::

    {
      "format": "lmarena-doctor-capture", "version": 1, "created_at": "<ISO 8601>",
      "client_version": "0.1.0", "origin": "<LM_ARENA_ORIGIN>", "final_origin": "<after redirects>",
      "keep_text": false, "settings": {"boot_path": "/text/direct", "image_path": "/?..."},
      "page": {
        "url": "<final page URL>", "title": "...", "interstitial_seen": false,
        "challenge_clicked": false, "typed_in_message_box": false,
        "redirects": [{"url": "...", "status": 301, "location": "...", "challenge": false}],
        "site_key": "<enterprise.js?render= key, or null>",
        "models": [<initialModels entries as the page had them>] | null (the page had none),
        "client_modules": ["<hex>:I[<module>,[<chunk id>, <path>, ...],\\"<Name>\\"]", ...],
        "markers": {"flight_pushes": 2, "initial_models": true, ...}
      },
      "catalog": {"url": "...", "status": 200, "body": <the catalog JSON> | null, "error": null},
      "chunks": [{"path": "static/chunks/<file>.js?dpl=...", "status": 200, "length": 1234,
                  "actions": {"<name>": "<42 hex id>"},
                  "excerpts": ["...createServerReference(..."]}],
      "exchanges": [{
        "step": "chat", "kind": "stream", "method": "POST", "url": "...",
        "request_headers": [["Cookie", "a=<cookie-1>"], ...],
        "request_body": <JSON> | "<text>" | null,
        "status": 200, "response_headers": [[name, value], ...],
        "response_body": "<text>" | null, "response_bytes": 1234,
        "stream": {"lines": ["a0:\\"<text-1>\\"", "ad:{...}"], "ended": "eof"} | null,
        "elapsed_ms": 12.3, "first_byte_ms": 4.5, "error": null}],
      "browser_events": [{"kind": "response", "method": "", "url": "...", "status": 200, ...}],
      "report": <the --json report>
    }

``kind`` is one of ``probe`` (the plain GET of the boot page), ``catalog``, ``chunk``,
``stream``, ``action`` (a Next.js server action), ``storage`` (the presigned PUT and the read
back) or ``other``. ``stream.ended``: ``eof`` (the body ended), ``error`` (the connection broke)
or ``open`` (the client stopped reading first).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from ..discovery import flight_text, parse_action_ids, parse_site_key
from .diagnose import Hop
from .redact import Redactor
from .report import Report
from .trace import BrowserEvent, Exchange, Recorder

CAPTURE_FORMAT: Final = "lmarena-doctor-capture"
MAX_TEXT_BODY = 16 * 1024  # characters of an error or action body kept
MAX_EXCERPTS = 40
EXCERPT_BEFORE, EXCERPT_AFTER = 80, 220
MAX_MODULE_ROWS = 300
_MODULE_ROW = re.compile(r"^[0-9a-f]+:I\[", re.M)
_PUSH = re.compile(r"self\.__next_f\.push\(")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S | re.I)
_INITIAL_MODELS = re.compile(r'"initialModels"\s*:\s*')
_REFERENCE = "createServerReference"
_DECODER = json.JSONDecoder()


class CapturedHop(BaseModel):
    url: str
    status: int | None
    location: str | None = None
    challenge: bool = False
    error: str | None = None


class CapturedPage(BaseModel):
    url: str | None
    title: str | None
    interstitial_seen: bool
    challenge_clicked: bool
    typed_in_message_box: bool
    redirects: list[CapturedHop]
    site_key: str | None
    models: list[dict[str, Any]] | None
    client_modules: list[str]
    markers: dict[str, JsonValue]


class CapturedCatalog(BaseModel):
    url: str
    status: int | None
    body: JsonValue = None
    error: str | None = None


class CapturedChunk(BaseModel):
    path: str
    status: int | None
    length: int
    actions: dict[str, str]
    excerpts: list[str]


class CapturedStream(BaseModel):
    lines: list[str]
    ended: Literal["eof", "error", "open"]


class CapturedExchange(BaseModel):
    step: str
    kind: str
    method: str
    url: str
    request_headers: list[tuple[str, str]]
    request_body: JsonValue = None
    status: int | None
    response_headers: list[tuple[str, str]]
    response_body: str | None = None
    response_bytes: int = 0
    stream: CapturedStream | None = None
    elapsed_ms: float | None = None
    first_byte_ms: float | None = None
    error: str | None = None


class CapturedBrowserEvent(BaseModel):
    kind: str
    method: str
    url: str
    status: int | None = None
    resource: str | None = None
    mime_type: str | None = None


class Capture(BaseModel):
    """The file ``--capture`` writes; see the module docstring for its shape."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["lmarena-doctor-capture"] = CAPTURE_FORMAT
    version: Literal[1] = 1
    created_at: str
    client_version: str
    origin: str
    final_origin: str | None
    keep_text: bool
    settings: dict[str, JsonValue] = Field(default_factory=dict)
    page: CapturedPage | None
    catalog: CapturedCatalog | None
    chunks: list[CapturedChunk]
    exchanges: list[CapturedExchange]
    browser_events: list[CapturedBrowserEvent]
    report: Report


# ---------------------------------------------------------------------------------------------
# Page facts (pure)


def initial_models(html: str) -> list[dict[str, Any]] | None:
    """The raw ``initialModels`` entries of the page's flight data; None when absent."""
    text = flight_text(html) or html
    for match in _INITIAL_MODELS.finditer(text):
        try:
            value, _ = _DECODER.raw_decode(text, match.end())
        except (ValueError, RecursionError):
            continue
        if isinstance(value, list):
            return [entry for entry in value if isinstance(entry, dict)]
    return None


def client_module_rows(html: str) -> list[str]:
    """Flight rows ``<hex>:I[...]`` (client modules with their chunk paths), verbatim."""
    text = flight_text(html)
    rows = []
    for match in _MODULE_ROW.finditer(text):
        end = text.find("\n", match.start())
        rows.append(text[match.start() : end if end >= 0 else len(text)])
        if len(rows) >= MAX_MODULE_ROWS:
            break
    return rows


def module_names(rows: Iterable[str]) -> list[str]:
    """The export names of client module rows (``...,"Evaluation"]`` -> ``Evaluation``)."""
    names = []
    for row in rows:
        try:
            value, _ = _DECODER.raw_decode(row, row.index(":I[") + 2)
        except (ValueError, RecursionError):
            continue
        if isinstance(value, list) and len(value) >= 3 and isinstance(value[2], str):
            names.append(value[2])
    return names


def page_markers(html: str) -> dict[str, JsonValue]:
    flight = flight_text(html)
    body = re.search(r"<body[^>]*>", html)
    return {
        "html_chars": len(html),
        "flight_pushes": len(_PUSH.findall(html)),
        "flight_chars": len(flight),
        "initial_models": '"initialModels"' in flight,
        "initial_model_a_id": '"initialModelAId"' in flight,
        "user_state": '"userState"' in flight,
        "evaluation_module": '"Evaluation"]' in flight,
        "enterprise_script": "recaptcha/enterprise.js" in html,
        "message_box": 'name="message"' in html,
        "no_js": bool(body and "no-js" in body[0]),
    }


def page_title(html: str) -> str | None:
    match = _TITLE.search(html)
    return " ".join(match[1].split())[:200] if match else None


def excerpts(js: str) -> list[str]:
    """Windows of a chunk around each ``createServerReference`` (overlaps merged)."""
    windows: list[list[int]] = []
    start = js.find(_REFERENCE)
    while start >= 0 and len(windows) < MAX_EXCERPTS:
        low, high = max(0, start - EXCERPT_BEFORE), min(len(js), start + EXCERPT_AFTER)
        if windows and low <= windows[-1][1]:
            windows[-1][1] = high
        else:
            windows.append([low, high])
        start = js.find(_REFERENCE, start + len(_REFERENCE))
    return [js[low:high] for low, high in windows]


# ---------------------------------------------------------------------------------------------
# Exchanges (pure)


def _header(pairs: list[tuple[str, str]], name: str) -> str:
    return next((v for k, v in pairs if k.lower() == name), "")


def exchange_kind(exchange: Exchange) -> str:
    """The tagged kind; the upload step's calls told apart by their shape."""
    if exchange.kind != "upload":
        return exchange.kind
    return "action" if _header(exchange.request_headers, "next-action") else "storage"


def _text(data: bytes, content_type: str) -> str | None:
    """The body as text, or None for binary content."""
    if content_type.startswith(("image/", "application/octet-stream", "video/", "audio/")):
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _request_body(exchange: Exchange, redactor: Redactor) -> JsonValue:
    data = bytes(exchange.request_body)
    if not data:
        return None
    text = _text(data, _header(exchange.request_headers, "content-type"))
    if text is None:
        digest = hashlib.sha256(data).hexdigest()
        return {"omitted": "binary", "bytes": len(data), "sha256": digest}
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return redactor.body_text(text[:MAX_TEXT_BODY])
    redacted: JsonValue = redactor.json_value(value)
    return redacted


def _rsc(text: str, redactor: Redactor) -> str:
    """A server action's answer (``0:{...}`` / ``1:{...}`` rows), row by row."""
    rows = []
    for row in text.splitlines():
        name, sep, rest = row.partition(":")
        rows.append(f"{name}:{redactor.body_text(rest)}" if sep else redactor.sweep(row))
    return "\n".join(rows)


def captured_exchange(exchange: Exchange, redactor: Redactor) -> CapturedExchange:
    kind = exchange_kind(exchange)
    content_type = _header(exchange.response_headers, "content-type").lower()
    data = bytes(exchange.response_body)
    text = _text(data, content_type)
    body: str | None = None
    stream: CapturedStream | None = None
    status = exchange.status or 0
    if kind == "stream" and status == 200 and text is not None:
        lines = [redactor.stream_line(line) for line in text.split("\n") if line.strip()]
        ended = "eof" if exchange.ended == "eof" else "error" if exchange.ended else "open"
        stream = CapturedStream(lines=lines, ended=ended)
    elif text is not None and (status >= 400 or kind in ("action", "stream", "other")):
        clipped = text[:MAX_TEXT_BODY]
        body = _rsc(clipped, redactor) if kind == "action" else redactor.body_text(clipped)
    return CapturedExchange(
        step=exchange.step,
        kind=kind,
        method=exchange.method,
        url=redactor.url(exchange.url),
        request_headers=redactor.headers(exchange.request_headers),
        request_body=_request_body(exchange, redactor),
        status=exchange.status,
        response_headers=redactor.headers(exchange.response_headers),
        response_body=body,
        response_bytes=exchange.body_bytes,
        stream=stream,
        elapsed_ms=exchange.ms(exchange.ended_at),
        first_byte_ms=exchange.ms(exchange.first_byte_at),
        error=redactor.sweep(exchange.error) if exchange.error else None,
    )


def _catalog(recorder: Recorder, redactor: Redactor) -> CapturedCatalog | None:
    found = recorder.of(kind="catalog")
    if not found:
        return None
    exchange = found[-1]
    body: JsonValue = None
    error = exchange.error
    if exchange.status == 200:
        try:
            body = json.loads(bytes(exchange.response_body).decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            error = f"not JSON: {exc}"
    return CapturedCatalog(
        url=redactor.url(exchange.url), status=exchange.status, body=body, error=error
    )


def _chunks(recorder: Recorder, redactor: Redactor) -> list[CapturedChunk]:
    chunks = []
    for exchange in recorder.of(kind="chunk"):
        parts = urlsplit(exchange.url)
        path = parts.path.removeprefix("/_next/") + (f"?{parts.query}" if parts.query else "")
        js = bytes(exchange.response_body).decode("utf-8", "replace")
        ok = exchange.status == 200
        chunks.append(
            CapturedChunk(
                path=redactor.url(path) if "?" in path else path,
                status=exchange.status,
                length=exchange.body_bytes,
                actions=parse_action_ids(js) if ok else {},
                excerpts=excerpts(js) if ok else [],
            )
        )
    return chunks


def _public_ids(models: list[dict[str, Any]] | None, catalog: JsonValue) -> list[str]:
    ids = [str(m.get("id")) for m in models or [] if m.get("id")]
    if isinstance(catalog, list):
        for group in catalog:
            entries = group.get("models") if isinstance(group, dict) else None
            for entry in entries if isinstance(entries, list) else [group]:
                if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                    ids.append(str(entry["id"]))
    return ids


def build_capture(
    *,
    report: Report,
    recorder: Recorder,
    redactor: Redactor,
    html: str | None,
    page_url: str | None,
    hops: list[Hop],
    interstitial_seen: bool,
    challenge_clicked: bool,
    typed_in_message_box: bool,
    settings: dict[str, JsonValue],
    now: dt.datetime | None = None,
) -> Capture:
    """The redacted capture of one run (pure)."""
    models = initial_models(html) if html else None
    catalog = _catalog(recorder, redactor)
    redactor.add_public(_public_ids(models, catalog.body if catalog else None))
    page = None
    if html is not None:
        page = CapturedPage(
            url=redactor.url(page_url) if page_url else None,
            title=page_title(html),
            interstitial_seen=interstitial_seen,
            challenge_clicked=challenge_clicked,
            typed_in_message_box=typed_in_message_box,
            redirects=[
                CapturedHop(
                    url=redactor.url(h.url),
                    status=h.status,
                    location=redactor.url(h.location) if h.location else None,
                    challenge=h.challenge,
                    error=h.error,
                )
                for h in hops
            ],
            site_key=parse_site_key(html),
            models=models,
            client_modules=client_module_rows(html),
            markers=page_markers(html),
        )
    capture = Capture(
        created_at=(now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
        client_version=report.client_version,
        origin=report.origin,
        final_origin=report.final_origin,
        keep_text=redactor.keep_text,
        settings=settings,
        page=page,
        catalog=catalog,
        chunks=_chunks(recorder, redactor),
        exchanges=[captured_exchange(e, redactor) for e in recorder.exchanges],
        browser_events=[_browser_event(e, redactor) for e in recorder.browser_events],
        report=report,
    )
    # The sweep: anything a structural rule missed, anywhere in the file.
    return Capture.model_validate(redactor.sweep(capture.model_dump(mode="json")))


def _browser_event(event: BrowserEvent, redactor: Redactor) -> CapturedBrowserEvent:
    return CapturedBrowserEvent(
        kind=event.kind,
        method=event.method,
        url=redactor.url(event.url),
        status=event.status,
        resource=event.resource,
        mime_type=event.mime_type,
    )


def write_capture(capture: Capture, path: Path) -> None:
    """Write atomically (a temporary file in the same directory, then a rename)."""
    path = path.expanduser()
    text = capture.model_dump_json(indent=1)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text + "\n")
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        raise
