"""The README's examples run as written against the fake site: the library examples with only
``LM_ARENA_ORIGIN`` set, the SDK and curl examples against ``lmarena-server --fake-arena`` (only
the port differs, as 1337 may be taken)."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.api import start_api
from harness.run import run_process
from lmarena_client.testing import FakeArena

pytestmark = pytest.mark.browser

README = Path(__file__).resolve().parents[2] / "README.md"
DEFAULT_BASE = "http://127.0.0.1:1337"


def blocks(language: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def library_examples() -> list[str]:
    return [b for b in blocks("python") if "from lmarena_client import Client" in b]


def sdk_examples() -> list[str]:
    return [b for b in blocks("python") if "OpenAI(" in b]


def curl_commands() -> list[str]:
    joined = "\n".join(blocks("bash")).replace("\\\n", " ")
    return [line.strip() for line in joined.splitlines() if line.strip().startswith("curl ")]


def test_readme_has_every_kind_of_example() -> None:
    library = library_examples()
    assert len(library) >= 3
    assert any("chats.resume" in b for b in library)
    assert any("stream=True" in b for b in library)
    assert any("images=" in b for b in library)
    assert sdk_examples()
    assert len(curl_commands()) >= 4
    assert len(blocks("python")) == len(library) + len(sdk_examples())  # none left untested


async def run_python(code: str, tmp_path: Path, env: dict[str, str]) -> str:
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    code, out, err = await run_process([sys.executable, str(script)], env)
    assert code == 0, err[-3000:]
    assert out.strip(), "the example printed nothing"
    return out


@pytest.mark.parametrize("index", range(len(library_examples())))
async def test_library_example_runs(arena: FakeArena, index: int, tmp_path: Path) -> None:
    env = {"LM_ARENA_ORIGIN": arena.url, "LM_ARENA_BROWSER_HEADLESS": "1"}
    await run_python(library_examples()[index], tmp_path, env)


@pytest.fixture(scope="module")
def demo_server() -> Iterator[str]:
    proc = start_api(None, args=["--fake-arena"], ready_path="/ready", timeout=90)
    try:
        yield proc.url
    finally:
        proc.stop()


@pytest.mark.parametrize("index", range(len(sdk_examples())))
async def test_sdk_example_runs(demo_server: str, index: int, tmp_path: Path) -> None:
    code = sdk_examples()[index].replace(DEFAULT_BASE, demo_server)
    assert code != sdk_examples()[index], "the example does not use the default address"
    await run_python(code, tmp_path, {})


def test_curl_examples_run(demo_server: str) -> None:
    session_id = ""
    for command in curl_commands():
        args = [a.replace(DEFAULT_BASE, demo_server) for a in shlex.split(command)]
        args = [a.replace("<ID>", session_id) for a in args]
        done = subprocess.run(
            [*args, "-sS", "-f"], check=False, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, (command, done.stderr)
        if '"stream":true' in command:
            assert done.stdout.rstrip().endswith("data: [DONE]"), done.stdout[-300:]
            continue
        answer = json.loads(done.stdout)
        if "conversation" in answer:
            if session_id:
                assert answer["conversation"]["evaluationSessionId"] == session_id
            session_id = answer["conversation"]["evaluationSessionId"]
    assert session_id
