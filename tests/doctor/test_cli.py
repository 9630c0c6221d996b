"""``lmarena-doctor`` and ``python -m lmarena_client doctor`` as commands: the report on stdout
(``--json`` stays one JSON document), progress on stderr, the exit status; and
``python -m lmarena_client.testing --replay FILE``."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from pathlib import Path

import pytest

from harness.paths import BIN
from harness.ports import free_port
from harness.run import run_process
from lmarena_client.doctor import Report, cli
from lmarena_client.testing import FakeArena, Fault
from lmarena_client.testing.pytest_plugin import ArenaFactory

from .conftest import doctor

pytestmark = pytest.mark.browser

DOCTOR = [str(BIN / "lmarena-doctor")]
MODULE = [sys.executable, "-m", "lmarena_client", "doctor"]


async def run(command: list[str], *args: str, origin: str = "") -> tuple[int, str, str]:
    env = {"LM_ARENA_EPHEMERAL": "1", "LM_ARENA_BROWSER_HEADLESS": "1"}
    if origin:
        env["LM_ARENA_ORIGIN"] = origin
    return await run_process([*command, *args], env)


async def test_json_on_stdout_progress_on_stderr_exit_0(fake_arena: FakeArena) -> None:
    code, out, err = await run(DOCTOR, "--json", origin=fake_arena.url)
    assert code == 0, err
    report = Report.model_validate_json(out)  # stdout is the report and nothing else
    assert report.exit_code == 0
    assert [s.id for s in report.steps][:2] == ["browser", "page"]
    progress = [line for line in err.splitlines() if line.strip()]
    assert any(re.match(r"ok +browser launch +\d+\.\d\d s", line) for line in progress), err
    assert any(line.startswith("ok       one tiny chat") for line in progress)


async def test_a_failed_step_exits_1_with_a_text_report_and_a_capture(
    fake_arena: FakeArena, tmp_path: Path
) -> None:
    fake_arena.inject(Fault(kind="recaptcha_403"))
    capture = tmp_path / "trace.json"
    code, out, err = await run(
        MODULE, "--capture", str(capture), "--no-progress", origin=fake_arena.url
    )
    assert code == 1, err
    assert re.search(r"^FAILED +one tiny chat .*403: reCAPTCHA refused$", out, re.M), out
    assert "cause: the site refused a fresh reCAPTCHA token" in out
    assert "Failed: one tiny chat (exit 1)" in out
    assert "capture written to" in err
    assert not err.startswith("ok ")  # --no-progress
    data = json.loads(capture.read_text())
    assert data["format"] == "lmarena-doctor-capture"
    assert data["report"]["exit_code"] == 1


async def test_a_changed_step_exits_3(fake_arena_factory: ArenaFactory) -> None:
    site = await fake_arena_factory(models_in_page=False)
    code, out, _ = await run(DOCTOR, "--no-progress", origin=site.url)
    assert code == 3
    assert re.search(r"^CHANGED +models \(page and catalog\)", out, re.M), out
    assert "the page no longer carries initialModels; the catalog gave 10 models" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--baseline", "/nonexistent/report.json"], "No such file"),
        (["--origin", "ftp://example.org"], "origin must start with http"),
        (["--capture", "/nonexistent/dir/trace.json"], "no directory for the capture"),
        (["--no-such-option"], "unrecognized arguments"),
    ],
)
def test_bad_command_lines_exit_2(
    args: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(args)
    assert caught.value.code == 2
    assert words in capsys.readouterr().err


async def test_the_fake_site_replays_a_capture_from_its_command_line(
    fake_arena: FakeArena, tmp_path: Path
) -> None:
    capture = tmp_path / "trace.json"
    assert (await doctor(fake_arena.url, capture=capture)).exit_code == 0
    port = free_port()
    replay = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "lmarena_client.testing",
        "--port",
        str(port),
        "--replay",
        str(capture),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert replay.stdout is not None
        first = await asyncio.wait_for(replay.stdout.readline(), 15)
        assert first.decode().strip() == f"FakeArena listening on http://127.0.0.1:{port}"
        second = await asyncio.wait_for(replay.stdout.readline(), 15)
        assert second.decode().strip() == f"FakeArena replaying {capture}"
        code, out, err = await run(DOCTOR, "--json", origin=f"http://127.0.0.1:{port}")
        assert code == 0, err
        report = Report.model_validate_json(out)
        recaptcha = report.step("recaptcha")
        assert recaptcha is not None and recaptcha.found["site_key"] == fake_arena.site_key
    finally:
        replay.terminate()
        await asyncio.wait_for(replay.wait(), 10)


async def test_the_fake_site_refuses_a_file_that_is_no_capture(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"format": "something else"}')
    code, _, err = await run(
        [sys.executable, "-m", "lmarena_client.testing"], "--port", "0", "--replay", str(bogus)
    )
    assert code == 1 and f"cannot replay {bogus}" in err
