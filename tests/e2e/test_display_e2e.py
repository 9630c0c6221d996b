"""Headful is the default; on a Linux machine without a display it runs under Xvfb, and without
Xvfb it falls back to headless with a warning instead of failing obscurely."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

import pytest

from lmarena_client.testing import FakeArena

from .conftest import MakeClient

pytestmark = pytest.mark.browser


def _cmdline(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")


async def test_headful_without_a_display_runs_under_xvfb(
    arena: FakeArena, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    client = await make_client(arena, browser_headless=False)
    chromium = client.browser._chromium
    assert chromium is not None and chromium.xvfb is not None
    assert chromium.xvfb.poll() is None  # Xvfb is running
    assert not any(arg.startswith("--headless") for arg in _cmdline(chromium.process.pid))
    chat = await client.chats.create(model="gemini-3-pro")
    assert (await chat.send("hello")).text
    xvfb = chromium.xvfb
    await client.close()
    assert xvfb.poll() is not None  # stopped with the browser


async def test_headful_without_display_or_xvfb_falls_back_to_headless(
    arena: FakeArena,
    make_client: MakeClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    real_which = shutil.which

    def which_without_xvfb(name: str, *args: Any, **kwargs: Any) -> str | None:
        return None if name == "Xvfb" else real_which(name, *args, **kwargs)

    monkeypatch.setattr(shutil, "which", which_without_xvfb)
    with caplog.at_level(logging.WARNING, logger="lmarena_client"):
        client = await make_client(arena, browser_headless=False)
    chromium = client.browser._chromium
    assert chromium is not None and chromium.xvfb is None
    assert "--headless=new" in _cmdline(chromium.process.pid)
    assert any("Xvfb is not installed" in r.getMessage() for r in caplog.records)
