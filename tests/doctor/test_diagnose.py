"""Pure judgements, exit codes and rendering of the doctor."""

from __future__ import annotations

import io

import pytest

from lmarena_client.doctor.diagnose import (
    ChatSeen,
    ChunkSeen,
    Hop,
    compare_with_baseline,
    judge_actions,
    judge_auth_cookie,
    judge_chat,
    judge_interstitial,
    judge_models,
    judge_page,
    judge_recaptcha,
)
from lmarena_client.doctor.render import ProgressPrinter, StepDone, StepStarted, render_text
from lmarena_client.doctor.report import Report, StepResult, exit_code
from lmarena_client.errors import (
    AuthError,
    CloudflareError,
    LMArenaError,
    ProtocolError,
    RateLimitError,
    RecaptchaError,
    SiteTimeoutError,
    TruncatedStreamError,
    UpstreamError,
)

OLD = "https://lmarena.ai"
NEW = "https://arena.ai"


def test_catalog_only_models_are_a_change_in_plain_words() -> None:
    verdict = judge_models(in_page=0, in_catalog=212, catalog_error=None, usable=180)
    assert verdict.status == "changed"
    assert verdict.cause == "the page no longer carries initialModels; the catalog gave 212 models"


def test_models_nowhere_fail() -> None:
    verdict = judge_models(in_page=0, in_catalog=None, catalog_error="404", usable=0)
    assert verdict.status == "failed"
    assert "404" in (verdict.cause or "")
    assert judge_models(in_page=10, in_catalog=10, catalog_error=None, usable=8).status == "ok"
    failing_catalog = judge_models(in_page=10, in_catalog=None, catalog_error="503", usable=8)
    assert failing_catalog.status == "changed"


def test_a_moved_origin_says_what_to_set() -> None:
    hops = [Hop(OLD + "/text/direct", 301, NEW + "/text/direct"), Hop(NEW + "/text/direct", 200)]
    verdict = judge_page(
        configured_origin=OLD,
        boot_url=OLD + "/text/direct",
        final_url=NEW + "/text/direct",
        hops=hops,
        load_error=None,
        challenge_seen=False,
    )
    assert verdict.status == "changed"
    assert verdict.advice == f"set LM_ARENA_ORIGIN={NEW}"
    assert "301" in (verdict.cause or "")


def test_a_missing_boot_page_and_no_answer_fail() -> None:
    gone = judge_page(
        configured_origin=NEW,
        boot_url=NEW + "/text/direct",
        final_url=NEW + "/text/direct",
        hops=[Hop(NEW + "/text/direct", 404, detail="Not Found")],
        load_error=None,
        challenge_seen=False,
    )
    assert gone.status == "failed" and "LM_ARENA_BOOT_PATH" in (gone.advice or "")
    silent = judge_page(
        configured_origin=NEW,
        boot_url=NEW + "/",
        final_url=None,
        hops=[Hop(NEW + "/", None, error="ClientConnectorError")],
        load_error=None,
        challenge_seen=False,
    )
    assert silent.status == "failed" and "did not answer" in (silent.cause or "")
    challenged = judge_page(
        configured_origin=NEW,
        boot_url=NEW + "/",
        final_url=NEW + "/",
        hops=[Hop(NEW + "/", 403, challenge=True)],
        load_error=None,
        challenge_seen=True,
    )
    assert challenged.status == "ok"  # the interstitial step speaks for the challenge


def test_interstitial() -> None:
    passed = judge_interstitial(
        seen=True, clicked=True, passed=True, probe_challenged=True, seconds=1.5
    )
    assert passed.status == "changed" and "clicking" in passed.summary
    stuck = judge_interstitial(
        seen=True, clicked=False, passed=False, probe_challenged=True, seconds=1.5
    )
    assert stuck.status == "failed" and "HEADLESS=0" in (stuck.advice or "")
    none = judge_interstitial(
        seen=False, clicked=False, passed=True, probe_challenged=False, seconds=0.1
    )
    assert none.status == "ok"


def test_auth_cookie() -> None:
    missing = judge_auth_cookie(
        names=["__cf_bm"], error="timeout", typed=True, message_box=True, sign_up_statuses=[404]
    )
    assert missing.status == "failed" and "404" in (missing.cause or "")
    split = judge_auth_cookie(
        names=["arena-auth-prod-v1.0", "arena-auth-prod-v1.1"],
        error=None,
        typed=False,
        message_box=True,
        sign_up_statuses=[200],
    )
    assert split.status == "ok" and "split" in split.summary


def test_site_keys() -> None:
    none = judge_recaptcha(error=None, page_key=None, fallback_key="6Lfallback", pinned=False)
    assert none.status == "changed" and "6Lfallback" in (none.cause or "")
    pinned = judge_recaptcha(error=None, page_key="6Lnew", fallback_key="6Lold", pinned=True)
    assert (
        pinned.status == "changed"
        and pinned.advice == "set LM_ARENA_RECAPTCHA_SITE_KEY=6Lnew, or unset it"
    )
    unpinned = judge_recaptcha(error=None, page_key="6Lnew", fallback_key="6Lold", pinned=False)
    assert unpinned.status == "ok"
    broken = judge_recaptcha(error="timeout", page_key="6Lnew", fallback_key="6Lold", pinned=False)
    assert broken.status == "failed"


def test_actions() -> None:
    modules = ["ThemeProvider", "EvaluationV2"]
    none = judge_actions(chunk_paths=[], modules=modules, chunks=[], found={})
    assert none.status == "failed" and "EvaluationV2" in (none.cause or "")
    renamed = judge_actions(
        chunk_paths=["a.js"],
        modules=modules,
        chunks=[ChunkSeen("a.js", 200, {"makeUploadUrl": "70" + "0" * 40})],
        found={"makeUploadUrl": "70" + "0" * 40},
    )
    assert renamed.status == "failed" and "makeUploadUrl" in (renamed.cause or "")
    unloaded = judge_actions(
        chunk_paths=["a.js"], modules=modules, chunks=[ChunkSeen("a.js", 404)], found={}
    )
    assert unloaded.status == "failed" and "404" in (unloaded.cause or "")
    ids = {"generateUploadUrl": "70" + "1" * 40, "getSignedUrl": "60" + "2" * 40}
    good = judge_actions(
        chunk_paths=["a.js", "b.js"],
        modules=modules,
        chunks=[ChunkSeen("b.js", 200, ids)],
        found=ids,
    )
    assert good.status == "ok" and "chunk 1 of 2" in good.summary


@pytest.mark.parametrize(
    ("error", "summary", "words"),
    [
        (RecaptchaError("x", status=403), "403: reCAPTCHA refused", "key rotated"),
        (CloudflareError("x", status=403), "403: a Cloudflare page", "clearance"),
        (AuthError("x", status=401, detail="Unauthorized"), "401: identity refused", "identity"),
        (RateLimitError("x", retry_after=7), "429: rate limited", "for 7 s"),
        (
            UpstreamError("x", status=400, detail="Invalid body"),
            "400: request refused",
            "body rules",
        ),
        (UpstreamError("x", status=405), "405: endpoint gone", "moved"),
        (TruncatedStreamError("x"), "no finish line", "finish line (ad:)"),
        (ProtocolError("malformed 'a0' line"), "stream did not parse", "format changed"),
        (SiteTimeoutError("no answer within 1 s"), "timed out", "timed out"),
    ],
)
def test_chat_failures_are_explained(error: LMArenaError, summary: str, words: str) -> None:
    status = getattr(error, "status", None)
    verdict = judge_chat(ChatSeen(model="m", status=status, error=error))
    assert verdict.status == "failed"
    assert verdict.summary == summary
    assert words in (verdict.cause or "")
    assert verdict.advice


def test_chat_oddities_are_changes() -> None:
    base = {"model": "m", "status": 200, "lines": 5, "finish_reason": "stop"}
    assert judge_chat(ChatSeen(**base)).status == "ok"  # type: ignore[arg-type]
    unknown = judge_chat(ChatSeen(**{**base, "finish_reason": "unknown"}))  # type: ignore[arg-type]
    assert unknown.status == "changed" and "'unknown'" in (unknown.cause or "")
    new_lines = judge_chat(ChatSeen(**base, unknown_codes=["af", "af"]))  # type: ignore[arg-type]
    assert new_lines.status == "changed" and "af" in (new_lines.cause or "")
    error_part = judge_chat(
        ChatSeen(**base, error_part="overloaded", error=TruncatedStreamError("x"))  # type: ignore[arg-type]
    )
    assert error_part.status == "failed" and "overloaded" in (error_part.cause or "")


def test_baseline_comparison() -> None:
    assert compare_with_baseline("recaptcha", {"site_key": "6Lb"}, {"site_key": "6Lb"}) is None
    rotated = compare_with_baseline("recaptcha", {"site_key": "6Lb"}, {"site_key": "6La"})
    assert rotated is not None and rotated.status == "changed" and "6La" in (rotated.cause or "")
    old = {"action_ids": {"generateUploadUrl": "a", "getSignedUrl": "b"}}
    new = {"action_ids": {"generateUploadUrl": "c", "getSignedUrl": "b"}}
    ids = compare_with_baseline("actions", new, old)
    assert ids is not None and "generateUploadUrl" in (ids.cause or "")
    assert "getSignedUrl" not in (ids.cause or "")
    assert compare_with_baseline("chat", {"x": 1}, {"x": 2}) is None  # not watched


def _step(step_id: str, status: str) -> StepResult:
    return StepResult(id=step_id, title=step_id, status=status, seconds=0.5)  # type: ignore[arg-type]


def test_exit_codes() -> None:
    assert exit_code([_step("page", "ok"), _step("upload", "skipped")]) == 0
    assert exit_code([_step("page", "changed"), _step("chat", "ok")]) == 3
    assert exit_code([_step("page", "changed"), _step("chat", "failed")]) == 1


def test_text_report_and_progress() -> None:
    failed = StepResult(
        id="chat",
        title="one tiny chat",
        status="failed",
        seconds=0.2,
        summary="403: reCAPTCHA refused",
        cause="the site refused a fresh token",
        advice="report it",
    )
    report = Report(
        client_version="0.1.0",
        origin=OLD,
        final_origin=NEW,
        started_at="2026-01-01T00:00:00+00:00",
        seconds=3.0,
        steps=[_step("browser", "ok"), failed],
        exit_code=1,
    )
    text = render_text(report)
    assert f"{OLD} -> {NEW}" in text
    assert "cause: the site refused a fresh token" in text
    assert "Failed: one tiny chat (exit 1)" in text

    plain = io.StringIO()
    printer = ProgressPrinter(plain, live=False)
    printer(StepStarted("chat", "one tiny chat"))
    printer(StepDone(failed))
    assert plain.getvalue().splitlines() == [
        "FAILED   one tiny chat                        0.20 s  403: reCAPTCHA refused"
    ]
    live = io.StringIO()
    printer = ProgressPrinter(live, live=True)
    printer(StepStarted("chat", "one tiny chat", "sending"))
    assert live.getvalue().endswith("... one tiny chat: sending")
    printer(StepDone(failed))
    assert live.getvalue().endswith("403: reCAPTCHA refused\n")
