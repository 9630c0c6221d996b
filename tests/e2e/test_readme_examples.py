"""The README's Python examples run unchanged against the fake site, with only env vars set."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import pytest

from lmarena_client.testing import FakeArena

pytestmark = pytest.mark.browser

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_has_the_library_examples() -> None:
    blocks = python_blocks()
    assert len(blocks) >= 3
    assert any("chats.resume" in b for b in blocks)
    assert any("stream=True" in b for b in blocks)
    assert any("images=" in b for b in blocks)


@pytest.mark.parametrize("index", range(len(python_blocks())))
async def test_readme_example_runs(arena: FakeArena, index: int, tmp_path: Path) -> None:
    script = tmp_path / f"example_{index}.py"
    script.write_text(python_blocks()[index], encoding="utf-8")
    env = {**os.environ, "LM_ARENA_ORIGIN": arena.url, "LM_ARENA_BROWSER_HEADLESS": "1"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(script),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), 120)
    finally:
        if proc.returncode is None:
            proc.kill()
    assert proc.returncode == 0, err.decode()[-3000:]
    assert out.strip(), "the example printed nothing"
