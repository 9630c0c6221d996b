"""The raw trace of a doctor run: every HTTP exchange the client made, as sent and received.

Recording uses aiohttp's own ``TraceConfig`` on the session the doctor gives the transport:
request headers and body as sent, status and headers as received, and every body byte as the
client reads it (a recording wrapper around the response's stream, put in place when the
headers arrive, so stream chunks are seen with their timing).

The raw trace holds secrets and lives only in memory: :mod:`.capture` redacts it before anything
is written.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import aiohttp

MAX_BODY = 4 * 1024 * 1024  # bytes kept per body; the rest is counted, not kept


@dataclass
class Exchange:
    """One request and its answer, unredacted."""

    step: str
    kind: str
    method: str
    url: str
    started: float
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: bytearray = field(default_factory=bytearray)
    status: int | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: bytearray = field(default_factory=bytearray)
    body_bytes: int = 0
    headers_at: float | None = None
    first_byte_at: float | None = None
    ended_at: float | None = None
    ended: str | None = None  # "eof" (read to the end), "error", or None (not read to the end)
    error: str | None = None

    def add_body(self, chunk: bytes) -> None:
        if chunk and self.first_byte_at is None:
            self.first_byte_at = time.perf_counter()
        self.body_bytes += len(chunk)
        room = MAX_BODY - len(self.response_body)
        if room > 0:
            self.response_body += chunk[:room]

    def ms(self, at: float | None) -> float | None:
        return None if at is None else round((at - self.started) * 1000, 1)


@dataclass
class BrowserEvent:
    """A network event the browser saw (no headers, no bodies)."""

    kind: str  # "request", "response", "redirect"
    method: str
    url: str
    status: int | None = None
    resource: str | None = None
    mime_type: str | None = None


class Recorder:
    """Collects exchanges (through :meth:`trace_config`) and browser events for one run."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self.browser_events: list[BrowserEvent] = []
        self.step = "setup"
        self.kind = "other"

    @contextlib.contextmanager
    def tagged(self, step: str, kind: str) -> Iterator[None]:
        """Exchanges started inside belong to ``step`` and are of ``kind``."""
        before = self.step, self.kind
        self.step, self.kind = step, kind
        try:
            yield
        finally:
            self.step, self.kind = before

    def of(self, *, step: str | None = None, kind: str | None = None) -> list[Exchange]:
        return [
            e
            for e in self.exchanges
            if (step is None or e.step == step) and (kind is None or e.kind == kind)
        ]

    def trace_config(self) -> aiohttp.TraceConfig:
        trace = aiohttp.TraceConfig()
        trace.on_request_start.append(self._on_start)
        trace.on_request_headers_sent.append(self._on_headers_sent)
        trace.on_request_chunk_sent.append(self._on_chunk_sent)
        trace.on_request_redirect.append(self._on_redirect)
        trace.on_request_end.append(self._on_end)
        trace.on_request_exception.append(self._on_exception)
        return trace

    def _new(self, method: str, url: str) -> Exchange:
        exchange = Exchange(self.step, self.kind, method, url, time.perf_counter())
        self.exchanges.append(exchange)
        return exchange

    async def _on_start(
        self,
        session: aiohttp.ClientSession,
        ctx: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        ctx.exchange = self._new(params.method, str(params.url))
        ctx.exchange.request_headers = list(params.headers.items())

    async def _on_headers_sent(
        self,
        session: aiohttp.ClientSession,
        ctx: SimpleNamespace,
        params: aiohttp.TraceRequestHeadersSentParams,
    ) -> None:
        exchange: Exchange = ctx.exchange
        exchange.url = str(params.url)
        exchange.request_headers = list(params.headers.items())  # as sent, defaults included

    async def _on_chunk_sent(
        self,
        session: aiohttp.ClientSession,
        ctx: SimpleNamespace,
        params: aiohttp.TraceRequestChunkSentParams,
    ) -> None:
        exchange: Exchange = ctx.exchange
        if len(exchange.request_body) < MAX_BODY:
            exchange.request_body += params.chunk[: MAX_BODY - len(exchange.request_body)]

    async def _on_redirect(
        self,
        session: aiohttp.ClientSession,
        ctx: SimpleNamespace,
        params: aiohttp.TraceRequestRedirectParams,
    ) -> None:
        exchange: Exchange = ctx.exchange
        self._answered(exchange, params.response)
        exchange.ended = "redirect"
        ctx.exchange = self._new(params.method, str(params.url))

    async def _on_end(
        self,
        session: aiohttp.ClientSession,
        ctx: SimpleNamespace,
        params: aiohttp.TraceRequestEndParams,
    ) -> None:
        exchange: Exchange = ctx.exchange
        self._answered(exchange, params.response)
        # The client reads the body later (in chunks, or whole): record it as it is read.
        params.response.content = _RecordingStream(  # type: ignore[assignment]
            params.response.content, exchange
        )

    async def _on_exception(
        self,
        session: aiohttp.ClientSession,
        ctx: SimpleNamespace,
        params: aiohttp.TraceRequestExceptionParams,
    ) -> None:
        exchange: Exchange | None = getattr(ctx, "exchange", None)
        if exchange is not None:
            exchange.error = f"{type(params.exception).__name__}: {params.exception}"
            exchange.ended = "error"
            exchange.ended_at = time.perf_counter()

    @staticmethod
    def _answered(exchange: Exchange, response: aiohttp.ClientResponse) -> None:
        exchange.status = response.status
        exchange.response_headers = list(response.headers.items())
        exchange.headers_at = time.perf_counter()


class _RecordingStream:
    """The response's ``StreamReader``, recording what is read from it."""

    def __init__(self, inner: aiohttp.StreamReader, exchange: Exchange) -> None:
        self._inner = inner
        self._exchange = exchange

    def _seen(self, data: bytes, *, whole: bool = False) -> bytes:
        self._exchange.add_body(data)
        at_end = whole or not data or self._inner.at_eof()
        if at_end and self._exchange.ended is None:
            self._exchange.ended = "eof"
            self._exchange.ended_at = time.perf_counter()
        return data

    async def _guard(self, reading: Any) -> bytes:
        try:
            data: bytes = await reading
        except (aiohttp.ClientError, OSError) as exc:
            self._exchange.ended = "error"
            self._exchange.error = f"{type(exc).__name__}: {exc}"
            self._exchange.ended_at = time.perf_counter()
            raise
        return data

    async def read(self, n: int = -1) -> bytes:
        data = await self._guard(self._inner.read(n))
        return self._seen(data, whole=n < 0)

    async def readany(self) -> bytes:
        return self._seen(await self._guard(self._inner.readany()))

    async def readline(self) -> bytes:
        return self._seen(await self._guard(self._inner.readline()))

    async def readexactly(self, n: int) -> bytes:
        return self._seen(await self._guard(self._inner.readexactly(n)))

    async def readchunk(self) -> tuple[bytes, bool]:
        try:
            data, end = await self._inner.readchunk()
        except (aiohttp.ClientError, OSError) as exc:
            self._exchange.ended = "error"
            self._exchange.error = f"{type(exc).__name__}: {exc}"
            raise
        self._seen(data)
        return data, end

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
