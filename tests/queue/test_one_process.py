"""``lmarena-server --fake-arena``: API, worker and in-memory broker in one process."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import openai
import pytest

from harness.api import start_api

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    proc = start_api(None, args=["--fake-arena"], ready_path="/ready", timeout=90)
    url = proc.url
    yield url
    proc.stop()
    assert proc.popen.returncode == 0, proc.output()


def test_models_and_chat(server: str) -> None:
    client = openai.OpenAI(base_url=f"{server}/v1", api_key="x", max_retries=0)
    assert "gemini-3-pro" in [m.id for m in client.models.list().data]
    reply = client.chat.completions.create(
        model="gemini-3-pro", messages=[{"role": "user", "content": "hello"}]
    )
    session = reply.model_dump()["conversation"]["evaluationSessionId"]
    stream = client.chat.completions.create(
        model="gemini-3-pro",
        stream=True,
        messages=[{"role": "user", "content": "again"}],
        extra_body={"conversation": {"evaluationSessionId": session}},
    )
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert "hello" in text  # the previous prompt: the same session continued


def test_ui_is_served(server: str) -> None:
    resp = httpx.get(f"{server}/ui/", follow_redirects=True)
    assert resp.status_code == 200
    assert '<div id="root">' in resp.text
    deep = httpx.get(f"{server}/ui/some/chat/path")  # the SPA fallback
    assert deep.status_code == 200 and deep.text == resp.text
    asset = next(part for part in resp.text.split('"') if part.startswith("/ui/assets/"))
    assert httpx.get(f"{server}{asset}").status_code == 200
