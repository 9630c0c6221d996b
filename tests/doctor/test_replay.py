"""A capture replayed by the fake site: the library's examples pass against a capture of a
healthy site; a capture of a changed site (drift, a fault, a new body rule, a renamed module)
fails the same way again, for the doctor and for the library, which points to the doctor."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lmarena_client import Client
from lmarena_client.errors import DOCTOR_HINT, DiscoveryError, TruncatedStreamError, UpstreamError
from lmarena_client.testing import FakeArena, FakeArenaOptions, Fault
from lmarena_client.testing.replay import load_capture, replay_options
from tests.e2e.test_readme_examples import library_examples, run_python

from .conftest import doctor, not_ok

pytestmark = pytest.mark.browser

PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63f8dfc0f01f000680027f104c1be10000000049454e44ae426082"
)


def captured(path: Path, options: FakeArenaOptions, fault: Fault | None = None) -> dict[str, Any]:
    """Run the doctor with --capture against a fake site; the capture's JSON."""

    async def run() -> None:
        async with FakeArena(options) as site:
            if fault is not None:
                site.inject(fault)
            origin = site.legacy_url if options.legacy_origin else site.url
            assert origin is not None
            await doctor(origin, capture=path, upload=True)

    asyncio.run(run())
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def healthy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("capture") / "healthy.json"
    data = captured(path, FakeArenaOptions())
    assert data["report"]["exit_code"] == 0
    yield path


def edited(source: Path, target: Path, edit: Any) -> Path:
    data = json.loads(source.read_text(encoding="utf-8"))
    edit(data)
    target.write_text(json.dumps(data), encoding="utf-8")
    return target


async def test_a_replayed_capture_passes_the_library_examples(
    healthy: Path, tmp_path: Path
) -> None:
    capture = load_capture(healthy)
    site_key = capture.page.site_key if capture.page else None
    async with FakeArena(replay_options(capture)) as site:
        assert site_key and site.site_key == site_key
        env = {"LM_ARENA_ORIGIN": site.url, "LM_ARENA_BROWSER_HEADLESS": "1"}
        # A capture holds one direct chat: its replies speak for model A only, so the
        # examples of two models at once are for the fake's own sessions (tests/arena).
        examples = [e for e in library_examples() if "chats.compare" not in e]
        assert len(examples) >= 3
        for code in examples:
            assert (await run_python(code, tmp_path, env)).strip()
        # Every chat was answered from the capture, after the fake's strict checks.
        assert site.requests and all(r.status == 200 for r in site.requests)
        assert site.counters.tokens_refused == 0
        assert site.counters.uploads >= 1
        report = await doctor(site.url, upload=True)
    assert report.exit_code == 0, report.model_dump_json(indent=1)


DRIFTS: dict[str, tuple[FakeArenaOptions, Fault | None, dict[str, str]]] = {
    "moved origin": (FakeArenaOptions(legacy_origin=True), None, {"page": "changed"}),
    "interstitial": (FakeArenaOptions(interstitial=True), None, {"interstitial": "changed"}),
    "catalog-only models": (FakeArenaOptions(models_in_page=False), None, {"models": "changed"}),
    "no finish line": (FakeArenaOptions(), Fault(kind="no_finish"), {"chat": "failed"}),
    "rate limited": (FakeArenaOptions(), Fault(kind="rate_limit_429"), {"chat": "failed"}),
}


@pytest.mark.parametrize("drift", sorted(DRIFTS))
async def test_a_capture_of_a_changed_site_replays_the_change(drift: str, tmp_path: Path) -> None:
    options, fault, expected = DRIFTS[drift]
    path = tmp_path / "trace.json"
    data = await asyncio.to_thread(captured, path, options, fault)
    original = {s["id"]: s["status"] for s in data["report"]["steps"] if s["status"] != "ok"}
    assert {k: v for k, v in original.items() if k != "upload"} == expected
    async with FakeArena(replay_options(load_capture(path))) as site:
        origin = site.legacy_url if drift == "moved origin" else site.url
        assert origin is not None
        report = await doctor(origin)
    assert not_ok(report) == expected
    for step_id in expected:
        replayed, seen = report.step(step_id), data["report"]["steps"]
        before = next(s for s in seen if s["id"] == step_id)
        assert replayed is not None
        assert replayed.summary.split(":")[0] == before["summary"].split(":")[0]


def body_rule_changed(data: dict[str, Any]) -> None:
    (answer,) = [e for e in data["exchanges"] if e["kind"] == "stream"]
    answer.update(
        status=400,
        stream=None,
        response_headers=[["Content-Type", "application/json"]],
        response_body=json.dumps(
            {"error": "Invalid request body: unrecognized key(s) in object: ['modality']"}
        ),
    )


async def test_a_changed_body_rule_fails_the_doctor_and_the_library(
    healthy: Path, tmp_path: Path
) -> None:
    path = edited(healthy, tmp_path / "body-rule.json", body_rule_changed)
    async with FakeArena(replay_options(load_capture(path))) as site:
        report = await doctor(site.url)
        async with Client(origin=site.url, browser_headless=True, ephemeral=True) as client:
            chat = await client.chats.create(model="gemini-3-pro")
            with pytest.raises(UpstreamError) as caught:
                await chat.send("hello")
    assert not_ok(report) == {"chat": "failed"}
    step = report.step("chat")
    assert step is not None and step.summary == "400: request refused"
    assert "body rules changed" in (step.cause or "") and "modality" in (step.cause or "")
    assert caught.value.status == 400
    assert DOCTOR_HINT in str(caught.value)


def module_renamed(data: dict[str, Any]) -> None:
    page = data["page"]
    page["client_modules"] = [
        row.replace('"Evaluation"]', '"EvaluationV2"]') for row in page["client_modules"]
    ]


async def test_a_renamed_module_fails_uploads_and_names_the_step(
    healthy: Path, tmp_path: Path
) -> None:
    path = edited(healthy, tmp_path / "renamed.json", module_renamed)
    async with FakeArena(replay_options(load_capture(path))) as site:
        report = await doctor(site.url, upload=True)
        async with Client(origin=site.url, browser_headless=True, ephemeral=True) as client:
            chat = await client.chats.create(model="gemini-3-pro")
            assert (await chat.send("text still works")).text
            with pytest.raises(DiscoveryError) as caught:
                await chat.send("and an image?", images=[(PNG_1X1, "x.png")])
    assert not_ok(report) == {"actions": "failed", "upload": "skipped"}
    step = report.step("actions")
    assert step is not None and "EvaluationV2" in (step.cause or "")
    assert DOCTOR_HINT in str(caught.value)


async def test_a_library_error_on_a_replayed_cut_stream_points_to_the_doctor(
    tmp_path: Path,
) -> None:
    path = tmp_path / "trace.json"
    await asyncio.to_thread(captured, path, FakeArenaOptions(), Fault(kind="no_finish"))
    async with (
        FakeArena(replay_options(load_capture(path))) as site,
        Client(origin=site.url, browser_headless=True, ephemeral=True) as client,
    ):
        chat = await client.chats.create(model="gemini-3-pro")
        with pytest.raises(TruncatedStreamError) as caught:
            await chat.send("hello")
    assert "lmarena-doctor" in str(caught.value)
