"""Against the fake site with each drift it can show, the doctor names the step that changed
and exits non-zero where it must (3: changed, 1: failed)."""

from __future__ import annotations

import socket

import pytest

from lmarena_client.testing import FakeArena
from lmarena_client.testing.pytest_plugin import ArenaFactory

from .conftest import doctor, not_ok, statuses

pytestmark = pytest.mark.browser


async def test_a_healthy_site_is_ok_on_every_step(fake_arena: FakeArena) -> None:
    report = await doctor(fake_arena.url, upload=True)
    assert statuses(report) == dict.fromkeys(statuses(report), "ok")
    assert len(report.steps) == 10
    assert report.exit_code == 0
    chat = report.step("chat")
    assert chat is not None
    assert chat.found["model"] == "gemini-3-pro"  # the first text model of the page
    assert chat.found["finish_reason"] == "stop"
    assert chat.found["usage"] == {"prompt_tokens": 6, "completion_tokens": 31, "total_tokens": 37}
    models = report.step("models")
    assert models is not None and models.found["in_page"] == 10


async def test_a_moved_origin(fake_arena_factory: ArenaFactory) -> None:
    site = await fake_arena_factory(legacy_origin=True)
    assert site.legacy_url is not None
    report = await doctor(site.legacy_url)
    assert not_ok(report) == {"page": "changed"}
    page = report.step("page")
    assert page is not None
    assert page.advice == f"set LM_ARENA_ORIGIN={site.url}"
    assert report.final_origin == site.url
    assert report.exit_code == 3


@pytest.mark.parametrize("turnstile", [False, True])
async def test_an_interstitial(fake_arena_factory: ArenaFactory, turnstile: bool) -> None:
    site = await fake_arena_factory(interstitial=True, turnstile_click=turnstile)
    report = await doctor(site.url)
    assert not_ok(report) == {"interstitial": "changed"}
    step = report.step("interstitial")
    assert step is not None
    assert step.found == {"seen": True, "clicked": turnstile, "passed": True}
    assert report.exit_code == 3


async def test_models_only_in_the_catalog(fake_arena_factory: ArenaFactory) -> None:
    site = await fake_arena_factory(models_in_page=False)
    report = await doctor(site.url)
    assert not_ok(report) == {"models": "changed"}
    models = report.step("models")
    assert models is not None
    assert models.cause == "the page no longer carries initialModels; the catalog gave 10 models"
    assert report.step("chat").status == "ok"  # type: ignore[union-attr]
    assert report.exit_code == 3


async def test_a_rotated_key_and_new_action_ids_against_a_baseline(fake_arena: FakeArena) -> None:
    baseline = await doctor(fake_arena.url)
    assert baseline.exit_code == 0
    old_key = fake_arena.site_key
    new_key = fake_arena.rotate_site_key()
    report = await doctor(fake_arena.url, baseline=baseline)
    assert not_ok(report) == {"recaptcha": "changed"}
    step = report.step("recaptcha")
    assert step is not None and old_key in (step.cause or "") and new_key in (step.cause or "")
    assert report.exit_code == 3

    fake_arena.rotate_action_ids()
    rotated = await doctor(fake_arena.url, baseline=report, upload=True)
    assert not_ok(rotated) == {"actions": "changed"}
    actions = rotated.step("actions")
    assert actions is not None and "generateUploadUrl" in (actions.cause or "")
    assert rotated.step("upload").status == "ok"  # type: ignore[union-attr]


async def test_a_pinned_key_the_site_no_longer_uses(fake_arena: FakeArena) -> None:
    pinned = "6LeTGMcsAAAAALuIlkVwIxaAuZA8VledA6d3Nnb0"
    report = await doctor(fake_arena.url, recaptcha_site_key=pinned)
    assert not_ok(report) == {"recaptcha": "changed"}
    step = report.step("recaptcha")
    assert step is not None and step.advice == (
        f"set LM_ARENA_RECAPTCHA_SITE_KEY={fake_arena.site_key}, or unset it"
    )


async def test_a_boot_page_that_is_gone(fake_arena: FakeArena) -> None:
    report = await doctor(fake_arena.url, boot_path="/api/text/direct", bootstrap_timeout=6)
    failed = {k for k, v in statuses(report).items() if v == "failed"}
    assert failed == {"page", "auth_cookie"}
    page = report.step("page")
    assert page is not None and "answered 403" in (page.cause or "")
    assert "LM_ARENA_BOOT_PATH" in (page.advice or "")
    assert report.step("chat").status == "skipped"  # type: ignore[union-attr]
    assert report.exit_code == 1


async def test_a_site_that_does_not_answer() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    report = await doctor(f"http://127.0.0.1:{port}")
    assert statuses(report)["browser"] == "ok"
    assert statuses(report)["page"] == "failed"
    assert all(s.status == "skipped" for s in report.steps[2:])
    assert report.exit_code == 1
