"""The doctor's run: each step against the site, timed and judged, with the library's own parts.

The steps, in order (a step whose prerequisite failed is skipped and says which):

1. ``browser``: launch Chromium (:meth:`BrowserSession.launch`).
2. ``page``: a plain GET of the boot page (redirects followed by hand and recorded), then the
   library's bootstrap in the browser; the final origin.
3. ``interstitial``: whether a Cloudflare-style challenge was shown and passed.
4. ``auth_cookie``: whether an ``arena-auth-prod*`` cookie appeared (names only).
5. ``recaptcha``: ``grecaptcha.enterprise`` ready, and the site key the page names.
6. ``models``: models in the page (``initialModels``) and in ``/nextjs-api/model-catalog``.
7. ``actions``: the Evaluation module's chunks and the upload action ids, by name.
8. ``token``: one reCAPTCHA token minted for ``chat_submit``.
9. ``chat``: one tiny chat (create-evaluation with that token): status, first byte, lines,
   finish reason, usage.
10. ``upload`` (with ``upload=True``): ``generateUploadUrl``, the PUT, ``getSignedUrl``, and the
    image read back from its signed URL.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import aiohttp
from pydantic import JsonValue

from .. import __version__
from ..browser import Credentials, PageSnapshot
from ..config import ClientSettings
from ..discovery import (
    ModelInfo,
    ModelRegistry,
    parse_action_ids,
    parse_evaluation_chunk_paths,
    parse_model_catalog,
    parse_models_from_html,
    parse_site_key,
)
from ..errors import BrowserError, ConfigError, LMArenaError, ModelNotFoundError
from ..identity import IdentityStore
from ..images import load_image
from ..protocol import (
    RECAPTCHA_ACTION_CHAT,
    STREAM_CREATE_PATH,
    ErrorPart,
    Finish,
    StreamParser,
    TextDelta,
    UnknownPart,
    build_chat_body,
    encode_body,
    uuid7,
)
from ..safe_fetch import redact_url
from ..site import CATALOG_PATH, SiteInfo
from ..site_errors import error_detail, is_cloudflare_page
from ..uploads import Uploader
from .capture import Capture, build_capture, client_module_rows, module_names, write_capture
from .diagnose import (
    UPLOAD_ACTIONS,
    ChatSeen,
    ChunkSeen,
    Hop,
    Verdict,
    compare_with_baseline,
    judge_actions,
    judge_auth_cookie,
    judge_browser,
    judge_chat,
    judge_interstitial,
    judge_models,
    judge_page,
    judge_recaptcha,
    judge_token,
    judge_upload,
    origin,
    skipped,
)
from .observe import ObservedBrowser, TracedTransport
from .redact import Redactor
from .render import ProgressEvent, StepDone, StepStarted
from .report import STEP_TITLES, Report, StepId, StepResult, exit_code
from .trace import Recorder

DEFAULT_PROMPT = "Reply with the single word: ok"
# The 1x1 PNG of the README's image example.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63f8dfc0f01f000680027f104c1be10000000049454e44ae426082"
)
MAX_PROBE_HOPS = 5
_PROBE_BODY = 256 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)
# The library's bootstrap steps (BrowserSession) and the doctor steps they belong to.
_BOOTSTRAP_STEPS: tuple[StepId, ...] = ("page", "interstitial", "auth_cookie", "recaptcha")
_SUBSTEP_OF: dict[str, tuple[StepId, str]] = {
    "navigate": ("page", "navigate"),
    "challenge and page load": ("page", "waiting for the page (and any challenge)"),
    "auth cookie": ("auth_cookie", "waiting for the cookie"),
    "grecaptcha": ("recaptcha", "waiting for grecaptcha"),
}
_PRODUCT = re.compile(r"(?:Chrome|Chromium|Edg|Brave)/(\d+)")

Progress = Callable[[ProgressEvent], None]
Found = dict[str, JsonValue]
_Failure = (LMArenaError, aiohttp.ClientError, OSError, TimeoutError)


@dataclass
class DoctorOptions:
    """What to check beyond the defaults, and where the capture goes."""

    model: str | None = None  # the chat's model; default: the first text model
    upload: bool = False
    capture: Path | None = None
    keep_text: bool = False
    baseline: Report | None = None
    prompt: str = DEFAULT_PROMPT


@dataclass
class _Facts:
    """What earlier steps learned, for later ones."""

    hops: list[Hop] = field(default_factory=list)
    snapshot: PageSnapshot | None = None
    final_url: str | None = None
    site_origin: str = ""
    registry: ModelRegistry | None = None
    site_key: str | None = None
    key_from_page: bool = False
    grecaptcha_ready: bool = False
    action_ids: dict[str, str] = field(default_factory=dict)
    token: str | None = None


async def run_doctor(
    settings: ClientSettings | None = None,
    options: DoctorOptions | None = None,
    *,
    progress: Progress | None = None,
    identity_store: IdentityStore | Literal["default"] | None = "default",
    recorder: Recorder | None = None,
) -> Report:
    """Run every step against ``settings.origin`` and return the report; with
    ``options.capture`` also write the redacted capture there.

    ``identity_store`` is where the site identity is restored from and saved to; by default
    the same store a :class:`~lmarena_client.Client` with these settings would use.
    ``recorder`` receives the raw, unredacted trace (for tests: it holds secrets)."""
    settings = settings or ClientSettings()
    if identity_store == "default":
        from ..client import default_identity_store

        identity_store = default_identity_store(settings)
    doctor = _Doctor(settings, options or DoctorOptions(), progress, identity_store, recorder)
    return await doctor.run()


class _Doctor:
    def __init__(
        self,
        settings: ClientSettings,
        options: DoctorOptions,
        progress: Progress | None,
        store: IdentityStore | None,
        recorder: Recorder | None = None,
    ) -> None:
        self.settings = settings
        self.options = options
        self._progress = progress
        self.recorder = recorder or Recorder()
        self.redactor = Redactor(keep_text=options.keep_text)
        self.browser = ObservedBrowser(settings, store, self.recorder, self._substep)
        self.transport = TracedTransport(settings, self._credentials, self.recorder)
        self.results: dict[str, StepResult] = {}
        self.facts = _Facts(site_origin=settings.origin)
        self._started = time.perf_counter()

    # -- the run -------------------------------------------------------------------------

    async def run(self) -> Report:
        started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        try:
            await self._step("browser", self._browser, requires=())
            await self._bootstrap_steps()
            await self._step("models", self._models, requires=("page", "interstitial"))
            await self._step("actions", self._actions, requires=("page", "interstitial"))
            await self._step("token", self._token, requires=("recaptcha",))
            await self._step("chat", self._chat, requires=("token", "models"))
            if self.options.upload:
                await self._step("upload", self._upload, requires=("actions",))
            else:
                self._skip("upload", "not asked (run with --upload)")
        finally:
            await self.transport.close()
            await self.browser.close()
        steps = [self.results[s] for s in STEP_TITLES if s in self.results]
        final = self.facts.site_origin if self.results["page"].status != "skipped" else None
        report = Report(
            client_version=__version__,
            origin=self.settings.origin,
            final_origin=final,
            started_at=started_at,
            seconds=round(time.perf_counter() - self._started, 2),
            steps=steps,
            exit_code=exit_code(steps),
            capture=str(self.options.capture) if self.options.capture else None,
        )
        if self.options.capture is not None:
            write_capture(self._capture(report), self.options.capture)
        return report

    def _capture(self, report: Report) -> Capture:
        snapshot = self.facts.snapshot
        return build_capture(
            report=report,
            recorder=self.recorder,
            redactor=self.redactor,
            html=snapshot.html if snapshot else None,
            page_url=self.facts.final_url,
            hops=self.facts.hops,
            interstitial_seen=self.browser.challenge_seen,
            challenge_clicked=self.browser.challenge_clicked,
            typed_in_message_box=self.browser.typed_in_message_box,
            settings={
                "boot_path": self.settings.boot_path,
                "image_path": self.settings.image_path,
                "headless": self.browser.headless,
            },
        )

    async def _step(
        self,
        step_id: StepId,
        work: Callable[[], Awaitable[tuple[Verdict, Found]]],
        *,
        requires: tuple[StepId, ...],
    ) -> None:
        blocked = [r for r in requires if self.results[r].status in ("failed", "skipped")]
        if blocked:
            self._skip(step_id, f"{STEP_TITLES[blocked[0]]} did not succeed")
            return
        self._emit(StepStarted(step_id, STEP_TITLES[step_id]))
        started = time.perf_counter()
        with self.recorder.tagged(step_id, "other"):
            try:
                verdict, found = await work()
            except _Failure as exc:
                verdict, found = Verdict("failed", type(exc).__name__, _message(exc)), {}
        self._finish(step_id, verdict, found, time.perf_counter() - started)

    def _skip(self, step_id: StepId, because: str) -> None:
        self._finish(step_id, skipped(because), {}, 0.0)

    def _finish(self, step_id: StepId, verdict: Verdict, found: Found, seconds: float) -> None:
        baseline = self.options.baseline.step(step_id) if self.options.baseline else None
        if verdict.status == "ok" and baseline is not None and baseline.status != "skipped":
            verdict = compare_with_baseline(step_id, found, baseline.found) or verdict
        result = StepResult(
            id=step_id,
            title=STEP_TITLES[step_id],
            status=verdict.status,
            seconds=round(seconds, 3),
            # What is shown or printed never carries an id, token or cookie.
            summary=self.redactor.sweep(verdict.summary),
            found=self.redactor.sweep(found),
            cause=self.redactor.sweep(verdict.cause),
            advice=verdict.advice,
        )
        self.results[step_id] = result
        self._emit(StepDone(result))

    def _emit(self, event: ProgressEvent) -> None:
        if self._progress is not None:
            self._progress(event)

    def _substep(self, name: str, phase: str) -> None:
        known = _SUBSTEP_OF.get(name)
        if known is not None and phase == "start":
            step_id, doing = known
            self._emit(StepStarted(step_id, STEP_TITLES[step_id], doing))

    async def _credentials(self, url: str) -> Credentials:
        return await self.browser.credentials(url)

    # -- 1. browser ----------------------------------------------------------------------

    async def _browser(self) -> tuple[Verdict, Found]:
        error = None
        try:
            await self.browser.launch()
        except (ConfigError, BrowserError, OSError, RuntimeError) as exc:
            error = _message(exc)
        match = _PRODUCT.search(self.browser.user_agent)
        product = f"Chromium {match[1]}" if match else ""
        found: Found = {"product": product or None, "headless": self.browser.headless}
        return judge_browser(error, headless=self.browser.headless, product=product), found

    # -- 2-5. page, interstitial, auth cookie, grecaptcha (one bootstrap) ----------------

    async def _bootstrap_steps(self) -> None:
        if self.results["browser"].status == "failed":
            for step_id in _BOOTSTRAP_STEPS:
                self._skip(step_id, "the browser did not start")
            return
        self._emit(StepStarted("page", STEP_TITLES["page"], "plain HTTP probe"))
        started = time.perf_counter()
        boot_url = self.settings.origin + self.settings.boot_path
        with self.recorder.tagged("page", "probe"):
            self.facts.hops = await self._probe(boot_url)
        probe_seconds = time.perf_counter() - started
        hops = self.facts.hops
        if hops and hops[-1].status is None:  # no answer at all: the browser would wait
            verdict = judge_page(
                configured_origin=self.settings.origin,
                boot_url=boot_url,
                final_url=None,
                hops=hops,
                load_error=None,
                challenge_seen=False,
            )
            self._finish("page", verdict, {"boot_url": redact_url(boot_url)}, probe_seconds)
            for step_id in _BOOTSTRAP_STEPS[1:]:
                self._skip(step_id, "the site did not answer")
            return
        error: LMArenaError | None = None
        with self.recorder.tagged("page", "other"):
            try:
                self.facts.snapshot = await self.browser.bootstrap()
            except BrowserError as exc:  # BootstrapError included
                error = exc
            if self.facts.snapshot is None:
                self.facts.snapshot = await self.browser.snapshot()
            self.facts.final_url = await self.browser.location()
        if self.facts.snapshot is not None:
            self.facts.site_origin = self.facts.snapshot.origin
        await self._judge_bootstrap(boot_url, probe_seconds, error)

    async def _judge_bootstrap(
        self, boot_url: str, probe_seconds: float, error: LMArenaError | None
    ) -> None:
        sub = self.browser.substeps
        navigate, load = sub.get("navigate"), sub.get("challenge and page load")
        cookie, grecaptcha = sub.get("auth cookie"), sub.get("grecaptcha")
        seen = self.browser.challenge_seen
        load_error = next(
            (_message(s.error) for s in (navigate, load) if s is not None and s.error), None
        )
        if navigate is None and error is not None:
            load_error = _message(error)
        page_seconds = probe_seconds + (navigate.seconds if navigate else 0.0)
        if load is not None and not seen:
            page_seconds += load.seconds
        final_url = self.facts.final_url
        html = self.facts.snapshot.html if self.facts.snapshot else ""
        found: Found = {
            "boot_url": redact_url(boot_url),
            "final_origin": origin(final_url) if final_url and "://" in final_url else None,
            "final_url": redact_url(final_url) if final_url else None,
            "http_status": self.facts.hops[0].status if self.facts.hops else None,
            "redirects": [
                [h.status, redact_url(h.url), redact_url(h.location) if h.location else None]
                for h in self.facts.hops
                if h.location
            ],
            "title": _title(html),
        }
        page = judge_page(
            configured_origin=self.settings.origin,
            boot_url=boot_url,
            final_url=final_url,
            hops=self.facts.hops,
            load_error=load_error,
            challenge_seen=seen,
        )
        self._finish("page", page, found, page_seconds)
        if load is None:
            for step_id in _BOOTSTRAP_STEPS[1:]:
                self._skip(step_id, "the page was not opened")
            return
        passed = load.error is None
        interstitial = judge_interstitial(
            seen=seen,
            clicked=self.browser.challenge_clicked,
            passed=passed,
            probe_challenged=any(h.challenge for h in self.facts.hops),
            seconds=load.seconds,
        )
        self._finish(
            "interstitial",
            interstitial,
            {"seen": seen, "clicked": self.browser.challenge_clicked, "passed": passed},
            load.seconds if seen else 0.0,
        )
        if cookie is None:
            self._skip("auth_cookie", "the page did not load")
            self._skip("recaptcha", "the page did not load")
            return
        await self._judge_auth_cookie(cookie.seconds, cookie.error, html)
        if grecaptcha is None:
            self._skip("recaptcha", "no auth cookie appeared")
            return
        self._judge_recaptcha(grecaptcha.seconds, grecaptcha.error, html)

    async def _judge_auth_cookie(
        self, seconds: float, error: BaseException | None, html: str
    ) -> None:
        names = await self.browser.cookie_names()
        auth = [n for n in names if "arena-auth-prod" in n]
        sign_ups = [
            e.status
            for e in self.recorder.browser_events
            if e.kind == "response" and e.status is not None and "sign-up" in urlsplit(e.url).path
        ]
        verdict = judge_auth_cookie(
            names=names,
            error=_message(error) if error else None,
            typed=self.browser.typed_in_message_box,
            message_box='name="message"' in html,
            sign_up_statuses=sign_ups,
        )
        found: Found = {
            "auth_cookies": list(auth),
            "typed_in_message_box": self.browser.typed_in_message_box,
            "sign_up_statuses": list(sign_ups),
        }
        self._finish("auth_cookie", verdict, found, seconds)

    def _judge_recaptcha(self, seconds: float, error: BaseException | None, html: str) -> None:
        page_key = parse_site_key(html) if html else None
        fallback = self.settings.recaptcha_site_key
        self.facts.site_key = page_key or fallback
        self.facts.key_from_page = page_key is not None
        self.facts.grecaptcha_ready = error is None
        verdict = judge_recaptcha(
            error=_message(error) if error else None,
            page_key=page_key,
            fallback_key=fallback,
            pinned="recaptcha_site_key" in self.settings.model_fields_set,
        )
        found: Found = {
            "grecaptcha_ready": error is None,
            "site_key": self.facts.site_key,
            "key_source": "page" if page_key else "LM_ARENA_RECAPTCHA_SITE_KEY",
        }
        self._finish("recaptcha", verdict, found, seconds)

    async def _probe(self, url: str) -> list[Hop]:
        """GET the boot page without cookies, following redirects by hand."""
        hops: list[Hop] = []
        headers = {"User-Agent": self.browser.user_agent or "Mozilla/5.0", "Accept": "text/html"}
        for _ in range(MAX_PROBE_HOPS):
            try:
                async with asyncio.timeout(self.settings.connect_timeout + 15):
                    hop, location = await self._probe_once(url, headers)
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                hops.append(Hop(url, None, error=f"{type(exc).__name__}: {exc}".rstrip(": ")))
                break
            hops.append(hop)
            if location is None:
                break
            url = location
        return hops

    async def _probe_once(self, url: str, headers: dict[str, str]) -> tuple[Hop, str | None]:
        session = self.transport.session
        async with session.get(url, headers=headers, allow_redirects=False) as response:
            raw = await response.content.read(_PROBE_BODY)
            text = raw.decode("utf-8", "replace")
            location = response.headers.get("Location")
            target = urljoin(url, location) if location else None
            challenged = response.headers.get("cf-mitigated") == "challenge" or (
                response.status in (403, 503) and is_cloudflare_page(text)
            )
            detail = error_detail(text) if response.status >= 400 and not challenged else None
            hop = Hop(url, response.status, target, challenged, detail)
            follow = response.status in _REDIRECTS and target is not None
            return hop, target if follow else None

    # -- 6. models -----------------------------------------------------------------------

    async def _models(self) -> tuple[Verdict, Found]:
        html = self.facts.snapshot.html if self.facts.snapshot else ""
        in_page = parse_models_from_html(html)
        in_catalog: list[ModelInfo] | None = None
        catalog_error = None
        with self.recorder.tagged("models", "catalog"):
            try:
                text = await self.transport.request_text(
                    "GET", self.facts.site_origin + CATALOG_PATH
                )
                in_catalog = parse_model_catalog(json.loads(text))
            except (LMArenaError, ValueError) as exc:
                catalog_error = _message(exc)
        registry = ModelRegistry.merge(ModelRegistry(in_page), ModelRegistry(in_catalog or []))
        self.facts.registry = registry
        self.redactor.add_public(m.id for m in registry)
        usable = len(registry.names())
        first = _first_text_model(registry)
        found: Found = {
            "in_page": len(in_page),
            "in_catalog": len(in_catalog) if in_catalog is not None else None,
            "usable": usable,
            "models_in_page": bool(in_page),
            "first_text_model": first.public_name if first else None,
        }
        verdict = judge_models(
            in_page=len(in_page),
            in_catalog=len(in_catalog) if in_catalog is not None else None,
            catalog_error=catalog_error,
            usable=usable,
        )
        return verdict, found

    # -- 7. chunks and action ids --------------------------------------------------------

    async def _actions(self) -> tuple[Verdict, Found]:
        html = self.facts.snapshot.html if self.facts.snapshot else ""
        paths = parse_evaluation_chunk_paths(html)
        chunks: list[ChunkSeen] = []
        found: dict[str, str] = {}
        for path in reversed(paths):  # newest first, as the library does
            url = f"{self.facts.site_origin}/_next/{path.lstrip('/')}"
            with self.recorder.tagged("actions", "chunk"):
                try:
                    js = await self.transport.request_text("GET", url)
                except LMArenaError as exc:
                    status = getattr(exc, "status", None)
                    chunks.append(ChunkSeen(path, status, {}, _message(exc)))
                    continue
            actions = parse_action_ids(js)
            chunks.append(ChunkSeen(path, 200, actions))
            found.update(actions)
            if all(name in found for name in UPLOAD_ACTIONS):
                break
        self.facts.action_ids = found
        verdict = judge_actions(
            chunk_paths=paths,
            modules=module_names(client_module_rows(html)),
            chunks=chunks,
            found=found,
        )
        result: Found = {
            "chunks": len(paths),
            "fetched": len(chunks),
            "loaded": sum(1 for c in chunks if c.status == 200),
            "actions": [name for name in sorted(found)],
            "action_ids": {name: found[name] for name in UPLOAD_ACTIONS if name in found},
        }
        return verdict, result

    # -- 8. token ------------------------------------------------------------------------

    async def _token(self) -> tuple[Verdict, Found]:
        key = self.facts.site_key or self.settings.recaptcha_site_key
        error = None
        try:
            token = await self.browser.mint_token(key, RECAPTCHA_ACTION_CHAT)
        except LMArenaError as exc:
            error, token = _message(exc), ""
        if token:
            self.redactor.secret("recaptcha-token", token)  # never shown, wherever it goes
            self.facts.token = token
        verdict = judge_token(
            error=error,
            length=len(token),
            action=RECAPTCHA_ACTION_CHAT,
            key_from_page=self.facts.key_from_page,
        )
        found: Found = {"length": len(token), "action": RECAPTCHA_ACTION_CHAT, "site_key": key}
        return verdict, found

    # -- 9. the tiny chat ----------------------------------------------------------------

    async def _chat(self) -> tuple[Verdict, Found]:
        registry = self.facts.registry
        assert registry is not None and self.facts.token is not None
        try:
            model = registry.get(self.options.model) if self.options.model else None
        except ModelNotFoundError as exc:
            closest = f"; closest: {', '.join(exc.suggestions)}" if exc.suggestions else ""
            return (
                Verdict(
                    "failed",
                    "unknown model",
                    f"the site offers no model named {exc.name!r}{closest}",
                    "pick a model the models step lists (--model)",
                ),
                {},
            )
        model = model or _first_text_model(registry)
        if model is None:
            return Verdict("failed", "no text model", "the site lists no text model"), {}
        seen = ChatSeen(model=model.public_name)
        session_id = uuid7()
        body = build_chat_body(
            session_id=session_id,
            model_a_id=model.id,
            user_message_id=uuid7(),
            model_a_message_id=uuid7(),
            text=self.options.prompt,
            attachments=[],
            modality=model.modality,
            recaptcha_token=self.facts.token,
        )
        events: list[Any] = []
        with self.recorder.tagged("chat", "stream"):
            try:
                opened = await self.transport.open_stream(
                    "POST",
                    self.facts.site_origin + STREAM_CREATE_PATH,
                    encode_body(body),
                    referer_path=f"/c/{session_id}",
                )
                parser = StreamParser()
                chunks = self.transport.chunks(opened.response)
                try:
                    async for chunk in chunks:
                        events += parser.feed(chunk)
                finally:
                    close = getattr(chunks, "aclose", None)
                    if close is not None:
                        await close()  # releases the response at once
                events += parser.close()
            except LMArenaError as exc:
                seen.error = exc
        self._read_chat(seen, events)
        found: Found = {
            "model": seen.model,
            "status": seen.status,
            "first_byte_ms": seen.first_byte_ms,
            "lines": seen.lines,
            "text_chars": seen.text_chars,
            "finish_reason": seen.finish_reason,
            "usage": dict(seen.usage) if seen.usage else None,
        }
        return judge_chat(seen), found

    def _read_chat(self, seen: ChatSeen, events: list[Any]) -> None:
        exchanges = self.recorder.of(step="chat", kind="stream")
        for exchange in exchanges:
            if exchange.status in _REDIRECTS:
                seen.redirect_status = exchange.status
                location = dict((k.lower(), v) for k, v in exchange.response_headers)
                target = location.get("location")
                seen.redirected_to = origin(urljoin(exchange.url, target)) if target else None
        if exchanges:
            last = exchanges[-1]
            seen.status = last.status
            seen.first_byte_ms = last.ms(last.first_byte_at)
            body = bytes(last.response_body).decode("utf-8", "replace")
            seen.lines = sum(1 for line in body.split("\n") if line.strip())
        for event in events:
            if isinstance(event, TextDelta) and event.participant == "a":
                seen.text_chars += len(event.text)
            elif isinstance(event, Finish) and event.participant == "a":
                seen.finish_reason = event.finish_reason
                if event.usage is not None:
                    seen.usage = {
                        "prompt_tokens": event.usage.prompt_tokens,
                        "completion_tokens": event.usage.completion_tokens,
                        "total_tokens": event.usage.total_tokens,
                    }
            elif isinstance(event, ErrorPart) and event.participant == "a":
                seen.error_part = event.message
            elif isinstance(event, UnknownPart) and event.code:
                seen.unknown_codes.append(event.code)

    # -- 10. upload ----------------------------------------------------------------------

    async def _upload(self) -> tuple[Verdict, Found]:
        registry = self.facts.registry or ModelRegistry([])
        site = SiteInfo(
            self.facts.site_origin,
            self.facts.site_key or self.settings.recaptcha_site_key,
            registry,
            dict(self.facts.action_ids),
            self.facts.snapshot,
        )
        error: LMArenaError | None = None
        same: bool | None = None
        put_status: int | None = None
        with self.recorder.tagged("upload", "upload"):
            try:
                blob = await load_image(
                    TINY_PNG, "lmarena-doctor.png", max_bytes=self.settings.max_image_bytes
                )
                attachment = await Uploader(self.transport, self.settings.image_path).upload(
                    blob, site
                )
                async with self.transport.session.get(attachment.url) as response:
                    data = await response.read()
                    same = response.status == 200 and data == blob.data
            except LMArenaError as exc:
                error = exc
        puts = [e for e in self.recorder.of(step="upload") if e.method == "PUT"]
        put_status = puts[-1].status if puts else None
        found: Found = {"put_status": put_status, "read_back": same}
        return judge_upload(error=error, put_status=put_status, same_bytes=same), found


def _first_text_model(registry: ModelRegistry) -> ModelInfo | None:
    return next(
        (m for m in registry if m.text_output and not m.image_output and m.user_selectable), None
    )


def _message(exc: BaseException) -> str:
    """An exception's own message, without the doctor hint the library adds to its str()."""
    if exc.args and isinstance(exc.args[0], str) and exc.args[0]:
        return exc.args[0]
    return str(exc) or type(exc).__name__


def _title(html: str) -> str | None:
    match = re.search(r"<title[^>]*>(.*?)</title>", html, re.S | re.I)
    return " ".join(match[1].split())[:200] if match else None
