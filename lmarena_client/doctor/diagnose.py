"""Pure judgements: from what a step found to ok / changed / failed, the most likely cause in
plain words, and what to set or report. No I/O; :mod:`.steps` gathers the facts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pydantic import JsonValue

from ..errors import (
    AuthError,
    CloudflareError,
    ContentRejectedError,
    ConversationLostError,
    LMArenaError,
    ProtocolError,
    RateLimitError,
    RecaptchaError,
    SiteError,
    SiteTimeoutError,
    SiteUnreachableError,
    StreamError,
    TruncatedStreamError,
    UpstreamError,
)
from .report import StepStatus

REPORT_IT = "report it, with the file of `lmarena-doctor --capture trace.json` attached"
EXPECTED_FINISH = frozenset({"stop", "length"})
UPLOAD_ACTIONS = ("generateUploadUrl", "getSignedUrl")


@dataclass(frozen=True)
class Verdict:
    status: StepStatus
    summary: str
    cause: str | None = None
    advice: str | None = None


def skipped(because: str) -> Verdict:
    return Verdict("skipped", because, f"not run: {because}")


# -- browser ---------------------------------------------------------------------------------


def judge_browser(error: str | None, *, headless: bool | None, product: str) -> Verdict:
    if error is not None:
        return Verdict(
            "failed",
            "Chromium did not start",
            f"Chromium did not start: {error}",
            "install Chromium (or Chrome, Brave, Edge) or set LM_ARENA_BROWSER_EXECUTABLE_PATH; "
            "on a machine without a display install xvfb or set LM_ARENA_BROWSER_HEADLESS=1",
        )
    mode = "headless" if headless else "headful"
    return Verdict("ok", f"{product or 'Chromium'} ({mode})")


# -- page and redirects ----------------------------------------------------------------------


@dataclass(frozen=True)
class Hop:
    """One answer of the plain HTTP probe of the boot page (no cookies)."""

    url: str
    status: int | None
    location: str | None = None
    challenge: bool = False
    detail: str | None = None
    error: str | None = None


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def judge_page(
    *,
    configured_origin: str,
    boot_url: str,
    final_url: str | None,
    hops: Sequence[Hop],
    load_error: str | None,
    challenge_seen: bool,
) -> Verdict:
    last = hops[-1] if hops else None
    if last is not None and last.error is not None and last.status is None:
        return Verdict(
            "failed",
            "no answer",
            f"the site did not answer at {origin(last.url)}: {last.error}",
            f"check LM_ARENA_ORIGIN ({configured_origin}), the network and any proxy",
        )
    if final_url is not None and final_url.startswith("chrome-error:"):
        return Verdict(
            "failed",
            "the browser showed an error page",
            f"the browser could not open {boot_url} (it showed its own error page)",
            f"check LM_ARENA_ORIGIN ({configured_origin}) and the network",
        )
    if load_error is not None and not challenge_seen:
        return Verdict(
            "failed",
            "the page did not load",
            f"the page did not finish loading: {load_error}",
            REPORT_IT,
        )
    if last is not None and last.status is not None and last.status >= 400 and not last.challenge:
        detail = f" ({last.detail})" if last.detail else ""
        return Verdict(
            "failed",
            f"the boot page answered {last.status}",
            f"the boot page {urlsplit(last.url).path or '/'} answered {last.status}{detail}: the "
            "site's chat page is not there any more",
            "set LM_ARENA_BOOT_PATH to the site's chat page (the default is /text/direct), "
            f"or {REPORT_IT}",
        )
    final = origin(final_url) if final_url else (origin(last.url) if last else configured_origin)
    redirects = [h for h in hops if h.status is not None and 300 <= h.status < 400]
    if final != configured_origin:
        via = f" ({redirects[0].status} redirect)" if redirects else ""
        return Verdict(
            "changed",
            f"moved to {final}",
            f"the site moved from {configured_origin} to {final}{via}; the client follows the "
            "redirect for pages, and re-sends chats there",
            f"set LM_ARENA_ORIGIN={final}",
        )
    path = urlsplit(final_url).path if final_url else urlsplit(boot_url).path
    hops_text = f" after {len(redirects)} redirect(s)" if redirects else ""
    return Verdict("ok", f"{final}{path}{hops_text}")


# -- interstitial ----------------------------------------------------------------------------


def judge_interstitial(
    *, seen: bool, clicked: bool, passed: bool, probe_challenged: bool, seconds: float
) -> Verdict:
    if seen and not passed:
        return Verdict(
            "failed",
            "challenge not passed",
            "a Cloudflare-style challenge stands before the page and the browser did not get "
            "past it" + (" (its box was clicked)" if clicked else ""),
            "run headful (LM_ARENA_BROWSER_HEADLESS=0, with a display or xvfb), or use a browser "
            "profile that passed it before (LM_ARENA_BROWSER_USER_DATA_DIR)",
        )
    if seen:
        box = " after clicking its box" if clicked else ""
        return Verdict(
            "changed",
            f"challenge seen, passed{box}",
            f"a Cloudflare-style challenge stands before the page; the browser passed it{box} "
            f"in {seconds:.1f} s",
            "nothing to set while it passes; if chats then fail with a Cloudflare page, run "
            "headful (LM_ARENA_BROWSER_HEADLESS=0)",
        )
    if probe_challenged:
        return Verdict("ok", "none in the browser (plain HTTP gets a challenge page)")
    return Verdict("ok", "none")


# -- auth cookie -----------------------------------------------------------------------------


def judge_auth_cookie(
    *,
    names: Sequence[str],
    error: str | None,
    typed: bool,
    message_box: bool,
    sign_up_statuses: Sequence[int],
) -> Verdict:
    auth = [n for n in names if "arena-auth-prod" in n]
    if error is not None or not auth:
        hints = []
        if sign_up_statuses:
            hints.append(
                "the page's sign-up answered " + ", ".join(str(s) for s in sign_up_statuses)
            )
        else:
            hints.append("the page never called the sign-up endpoint")
        if not message_box:
            hints.append("the page has no message box to type in")
        return Verdict(
            "failed",
            "no arena-auth-prod cookie",
            "no arena-auth-prod cookie appeared: the anonymous sign-up did not happen ("
            + "; ".join(hints)
            + ")",
            f"a browser profile that is signed in (LM_ARENA_BROWSER_USER_DATA_DIR) may work "
            f"meanwhile; {REPORT_IT}",
        )
    split = any(n.endswith((".0", ".1")) for n in auth)
    how = " after typing in the message box" if typed else ""
    shape = " (split in .0/.1 halves)" if split else ""
    return Verdict("ok", f"{', '.join(auth)}{shape}{how}")


# -- grecaptcha and the site key -------------------------------------------------------------


def judge_recaptcha(
    *, error: str | None, page_key: str | None, fallback_key: str, pinned: bool
) -> Verdict:
    if error is not None:
        return Verdict(
            "failed",
            "grecaptcha not ready",
            f"window.grecaptcha.enterprise did not become ready ({error}): the page no longer "
            "loads reCAPTCHA Enterprise the way the client expects",
            REPORT_IT,
        )
    if page_key is None:
        return Verdict(
            "changed",
            f"no key in the page; using {fallback_key}",
            "the page names no reCAPTCHA key (no enterprise.js?render=...), so the configured "
            f"LM_ARENA_RECAPTCHA_SITE_KEY ({fallback_key}) will be used",
            "if chats fail with 'recaptcha validation failed', find the key in the site's page, "
            f"set LM_ARENA_RECAPTCHA_SITE_KEY to it and {REPORT_IT}",
        )
    if pinned and page_key != fallback_key:
        return Verdict(
            "changed",
            f"key {page_key} (LM_ARENA_RECAPTCHA_SITE_KEY differs)",
            f"the page names the key {page_key}, but LM_ARENA_RECAPTCHA_SITE_KEY pins "
            f"{fallback_key}: the site rotated its key (the page's key wins while it names one)",
            f"set LM_ARENA_RECAPTCHA_SITE_KEY={page_key}, or unset it",
        )
    return Verdict("ok", f"ready; key {page_key} from the page")


# -- models ----------------------------------------------------------------------------------


def judge_models(
    *, in_page: int, in_catalog: int | None, catalog_error: str | None, usable: int
) -> Verdict:
    catalog_text = f"{in_catalog}" if in_catalog is not None else "failed"
    summary = f"page {in_page}, catalog {catalog_text}, usable {usable}"
    if usable == 0:
        why = (
            f"the catalog failed ({catalog_error})"
            if catalog_error
            else f"the catalog gave {in_catalog or 0} models"
        )
        return Verdict(
            "failed",
            summary,
            f"no usable models: the page carries {in_page} initialModels and {why}",
            REPORT_IT,
        )
    if in_page == 0:
        return Verdict(
            "changed",
            summary,
            f"the page no longer carries initialModels; the catalog gave {in_catalog} models",
            "nothing to set: the client reads the model catalog; "
            f"if a model you use is missing, {REPORT_IT}",
        )
    if catalog_error is not None or not in_catalog:
        why = catalog_error or "it listed no models"
        return Verdict(
            "changed",
            summary,
            f"the model catalog failed ({why}); the page gave {in_page} models",
            f"nothing to set while the page lists models; {REPORT_IT}",
        )
    return Verdict("ok", summary)


# -- chunks and action ids -------------------------------------------------------------------


@dataclass(frozen=True)
class ChunkSeen:
    path: str
    status: int | None
    actions: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None


def judge_actions(
    *,
    chunk_paths: Sequence[str],
    modules: Sequence[str],
    chunks: Sequence[ChunkSeen],
    found: Mapping[str, str],
) -> Verdict:
    missing = [name for name in UPLOAD_ACTIONS if name not in found]
    if not chunk_paths:
        named = ", ".join(modules[:12]) or "none"
        return Verdict(
            "failed",
            "no Evaluation chunks",
            'the page has no Evaluation client module (an I[...,"Evaluation"] row in its '
            f"flight data); client modules in the page: {named}",
            f"image upload will fail until the client finds the actions again; {REPORT_IT}",
        )
    loaded = [c for c in chunks if c.status == 200]
    if not loaded:
        first = chunks[0] if chunks else None
        why = f" (the first answered {first.status or first.error})" if first else ""
        return Verdict(
            "failed",
            f"0 of {len(chunk_paths)} chunks loaded",
            f"none of the {len(chunk_paths)} Evaluation chunks loaded{why}",
            f"image upload will fail; {REPORT_IT}",
        )
    if missing:
        named = ", ".join(sorted(found)) or "no server actions at all"
        return Verdict(
            "failed",
            f"{', '.join(missing)} not found",
            f"the Evaluation chunks name no {' or '.join(missing)} action (they name: {named}): "
            "renamed or moved to another module",
            f"image upload will fail; {REPORT_IT}",
        )
    where = next((i for i, c in enumerate(chunks) if set(UPLOAD_ACTIONS) <= set(c.actions)), None)
    place = f" in chunk {where + 1} of {len(chunk_paths)}" if where is not None else ""
    return Verdict("ok", f"{', '.join(UPLOAD_ACTIONS)} found{place}")


# -- token -----------------------------------------------------------------------------------


def judge_token(*, error: str | None, length: int, action: str, key_from_page: bool) -> Verdict:
    if error is not None:
        advice = (
            REPORT_IT
            if key_from_page
            else "the page names no key: find it in the site's page, set "
            f"LM_ARENA_RECAPTCHA_SITE_KEY and {REPORT_IT}"
        )
        return Verdict(
            "failed",
            "no token",
            f"grecaptcha returned no token ({error}): its key or script changed",
            advice,
        )
    return Verdict("ok", f"{length} characters for {action}")


# -- the tiny chat ---------------------------------------------------------------------------


@dataclass
class ChatSeen:
    """What the chat step saw, for :func:`judge_chat`."""

    model: str
    status: int | None = None
    error: LMArenaError | None = None
    first_byte_ms: float | None = None
    lines: int = 0
    text_chars: int = 0
    finish_reason: str | None = None
    usage: dict[str, int | None] | None = None
    unknown_codes: list[str] = field(default_factory=list)
    error_part: str | None = None
    redirected_to: str | None = None
    redirect_status: int | None = None


def judge_chat(seen: ChatSeen) -> Verdict:
    if seen.error_part is not None:  # it explains a missing finish line too
        return Verdict(
            "failed",
            "the reply reported an error",
            f"the site reported an error inside the reply: {seen.error_part}",
            "try another model (--model); if every model fails, " + REPORT_IT,
        )
    if seen.error is not None:
        return _chat_error(seen, seen.error)
    usage = ", no usage"
    if seen.usage:
        counts = [seen.usage.get(k) for k in ("prompt_tokens", "completion_tokens")]
        usage = f", usage {counts[0]}+{counts[1]} tokens"
    summary = (
        f"{seen.model}: {seen.status}, first byte {seen.first_byte_ms or 0:.0f} ms, "
        f"{seen.lines} lines, finish {seen.finish_reason}{usage}"
    )
    if seen.redirected_to is not None:
        return Verdict(
            "changed",
            summary,
            f"the chat request was redirected ({seen.redirect_status}) to {seen.redirected_to}; "
            "the client re-sent it there",
            "set LM_ARENA_ORIGIN to the new origin if the site moved",
        )
    if seen.unknown_codes:
        return Verdict(
            "changed",
            summary,
            "the stream carried lines this client does not read: "
            + ", ".join(sorted(set(seen.unknown_codes))),
            REPORT_IT,
        )
    if seen.finish_reason not in EXPECTED_FINISH:
        return Verdict(
            "changed",
            summary,
            f"the reply finished with the reason {seen.finish_reason!r} (expected 'stop')",
            REPORT_IT,
        )
    return Verdict("ok", summary)


def _chat_error(seen: ChatSeen, error: LMArenaError) -> Verdict:
    status = seen.status
    detail = error.detail if isinstance(error, SiteError) and error.detail else None
    said = f" ({detail})" if detail else ""
    if isinstance(error, RecaptchaError):
        return Verdict(
            "failed",
            "403: reCAPTCHA refused",
            "the site refused a fresh reCAPTCHA token (403 recaptcha validation failed): its "
            "key rotated or the action the token is minted for changed",
            "run again; if it persists, " + REPORT_IT,
        )
    if isinstance(error, CloudflareError):
        return Verdict(
            "failed",
            f"{status}: a Cloudflare page",
            "Cloudflare answered the chat request with a challenge page although the page had "
            "passed: the browser's clearance is not accepted for API calls",
            "run headful (LM_ARENA_BROWSER_HEADLESS=0) or from another network; if it persists, "
            + REPORT_IT,
        )
    if isinstance(error, ConversationLostError | AuthError):
        return Verdict(
            "failed",
            f"{status}: identity refused",
            f"the site refused the identity{said}: the stored session expired, was revoked, or "
            "the site changed how it signs users in",
            "run again (the client refreshes or replaces the identity); if it persists, delete "
            "the identity file in LM_ARENA_STATE_DIR/identity/ or set LM_ARENA_EPHEMERAL=1, "
            "then " + REPORT_IT,
        )
    if isinstance(error, RateLimitError):
        wait = f" for {error.retry_after:.0f} s" if error.retry_after is not None else ""
        return Verdict(
            "failed",
            f"{status}: rate limited",
            f"the site rate-limits this client{wait}{said}; this is not a change of the site",
            f"wait{wait} and run again",
        )
    if isinstance(error, ContentRejectedError):
        return Verdict(
            "failed",
            f"{status}: content rejected",
            f"the site rejected the doctor's tiny prompt as content{said}",
            "run again; if it persists, " + REPORT_IT,
        )
    if isinstance(error, UpstreamError) and status == 400:
        return Verdict(
            "failed",
            "400: request refused",
            f"the site refused the chat request body{said}: its body rules changed",
            REPORT_IT,
        )
    if isinstance(error, UpstreamError) and status in (404, 405, 410):
        return Verdict(
            "failed",
            f"{status}: endpoint gone",
            f"the chat endpoint answered {status}{said}: it moved or takes another method",
            REPORT_IT,
        )
    if isinstance(error, SiteUnreachableError):
        return Verdict(
            "failed", "no answer", f"the chat request got no answer: {error}", "check the network"
        )
    if isinstance(error, SiteTimeoutError):
        return Verdict(
            "failed",
            "timed out",
            f"the chat timed out: {error}",
            "raise LM_ARENA_FIRST_BYTE_TIMEOUT / LM_ARENA_IDLE_TIMEOUT if the site is just slow; "
            "otherwise " + REPORT_IT,
        )
    if isinstance(error, TruncatedStreamError):
        what = "was empty" if seen.lines == 0 else f"ended after {seen.lines} lines"
        return Verdict(
            "failed",
            "no finish line",
            f"the reply {what} without its finish line (ad:): the stream format changed or the "
            "site cut the reply",
            "run again; if it persists, " + REPORT_IT,
        )
    if isinstance(error, ProtocolError):
        return Verdict(
            "failed",
            "stream did not parse",
            f"a line of the reply did not parse ({error.args[0] if error.args else error}): the "
            "stream format changed",
            REPORT_IT,
        )
    if isinstance(error, StreamError):
        return Verdict(
            "failed",
            "reply cut",
            f"the reply broke off after {seen.lines} lines: {error.args[0] if error.args else ''}",
            "run again; if it persists, " + REPORT_IT,
        )
    if isinstance(error, SiteError):
        return Verdict(
            "failed",
            f"{status}: site error",
            f"the site answered the chat with {status}{said}",
            "run again later; if it persists, " + REPORT_IT,
        )
    return Verdict("failed", type(error).__name__, str(error), REPORT_IT)


# -- upload ----------------------------------------------------------------------------------


def judge_upload(
    *, error: LMArenaError | None, put_status: int | None, same_bytes: bool | None
) -> Verdict:
    if error is not None:
        status = error.status if isinstance(error, SiteError) else None
        what = f" ({status})" if status else ""
        return Verdict(
            "failed",
            f"upload failed{what}",
            f"the upload round trip failed: {error.args[0] if error.args else error}",
            REPORT_IT,
        )
    if same_bytes is False:
        return Verdict(
            "failed",
            "the signed URL gave other bytes",
            "the image read back from its signed URL differs from the one uploaded",
            REPORT_IT,
        )
    return Verdict("ok", f"generateUploadUrl, PUT {put_status}, getSignedUrl, read back")


# -- against a baseline ----------------------------------------------------------------------

# What each step is compared on with --baseline (values of ``found``).
WATCHED: dict[str, tuple[str, ...]] = {
    "page": ("final_origin",),
    "recaptcha": ("site_key",),
    "actions": ("action_ids",),
    "models": ("models_in_page",),
}


def compare_with_baseline(
    step_id: str, now: Mapping[str, JsonValue], before: Mapping[str, JsonValue]
) -> Verdict | None:
    """A "changed" verdict when a watched finding differs from the baseline report's."""
    changes = []
    for key in WATCHED.get(step_id, ()):
        if key in before and key in now and before[key] != now[key]:
            changes.append((key, before[key], now[key]))
    if not changes:
        return None
    if step_id == "actions":
        old = before.get("action_ids")
        new = now.get("action_ids")
        renamed = [
            name
            for name in UPLOAD_ACTIONS
            if isinstance(old, dict) and isinstance(new, dict) and old.get(name) != new.get(name)
        ]
        return Verdict(
            "changed",
            "new action ids since the baseline",
            "the action ids changed since the baseline (a new deployment): "
            + ", ".join(renamed or ["other actions"])
            + "; the client found them again by name",
            "nothing to set",
        )
    text = "; ".join(f"{key} was {old!r}, now {new!r}" for key, old, new in changes)
    advice = {
        "page": "set LM_ARENA_ORIGIN to the new origin",
        "recaptcha": "nothing to set: the client reads the key from the page; "
        "if chats fail with 'recaptcha validation failed', " + REPORT_IT,
        "models": "nothing to set: the client also reads the model catalog",
    }[step_id]
    return Verdict(
        "changed", f"changed since the baseline: {text}", f"since the baseline: {text}", advice
    )
