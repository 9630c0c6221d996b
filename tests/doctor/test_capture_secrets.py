"""A capture holds no secret: searched for every cookie, token and id the fake site issued (its
users, their refresh tokens, sessions and messages; the identity the client kept) and for every
secret value that crossed the wire (the raw, unredacted trace of the same run), with a challenge,
split auth cookies and an upload in play. Prompts and replies only with ``keep_text``."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from lmarena_client.doctor.redact import is_placeholder, placeholders_only
from lmarena_client.doctor.steps import DEFAULT_PROMPT
from lmarena_client.doctor.trace import Recorder
from lmarena_client.identity import MemoryIdentityStore
from lmarena_client.testing import FakeArena
from lmarena_client.testing.pytest_plugin import ArenaFactory

from .conftest import doctor

pytestmark = pytest.mark.browser

SHAPES = {
    "auth session": re.compile(r"base64-eyJ"),
    "JWT": re.compile(r"eyJhbGciOi"),
    "cf_clearance": re.compile(r"eyJ1YSI6"),
    "reCAPTCHA token": re.compile(r"0cAF[A-Za-z0-9_-]{20}"),
    "signed URL": re.compile(r"X-Amz-(Signature|Credential)", re.I),
}
REPLY_WORD = "answered "  # a word of every fake reply (one text delta)


def issued_by_the_site(site: FakeArena) -> set[str]:
    """Every id and token the fake site keeps about what it issued."""
    secrets: set[str] = set()
    for user in site.users.values():
        secrets |= {user.id, user.provisional_id, *user.used_refresh_tokens}
        if user.refresh_token:
            secrets.add(user.refresh_token)
    for session in site.sessions.values():
        secrets.add(session.id)
        for turn in session.turns:
            secrets |= {turn.user_message_id, turn.model_a_message_id}
    return secrets


async def kept_by_the_client(store: MemoryIdentityStore) -> set[str]:
    identity = await store.load()
    assert identity is not None and identity.has_auth()
    values = {cookie.value for cookie in identity.cookies}
    halves = sorted(
        (c for c in identity.cookies if "arena-auth-prod" in c.name), key=lambda c: c.name
    )
    values.add("".join(c.value for c in halves))  # the joined session
    return values


def on_the_wire(recorder: Recorder) -> set[str]:
    """Cookie values sent and set, tokens sent, signatures of signed URLs: from the raw trace."""
    secrets: set[str] = set()
    for exchange in recorder.exchanges:
        for name, value in [*exchange.request_headers, *exchange.response_headers]:
            if name.lower() == "cookie":
                secrets |= {part.split("=", 1)[1] for part in value.split("; ") if "=" in part}
            elif name.lower() == "set-cookie":
                secrets.add(value.split(";", 1)[0].split("=", 1)[1])
        body = bytes(exchange.request_body).decode("utf-8", "replace")
        secrets |= set(re.findall(r'"recaptchaV3Token":"([^"]+)"', body))
        secrets |= set(re.findall(r"X-Amz-Signature=([0-9a-f]+)", exchange.url))
    return {s for s in secrets if len(s) >= 8}


def assert_no_secret(text: str, secrets: set[str]) -> None:
    leaked = sorted(s for s in secrets if s in text)
    assert not leaked, f"{len(leaked)} secrets in the capture, e.g. {leaked[0][:12]}..."
    for what, shape in SHAPES.items():
        assert not shape.search(text), what


async def run_with_capture(
    site: FakeArena, path: Path, *, keep_text: bool
) -> tuple[str, set[str], Recorder]:
    store = MemoryIdentityStore()
    recorder = Recorder()
    report = await doctor(
        site.url, store=store, recorder=recorder, capture=path, upload=True, keep_text=keep_text
    )
    assert report.exit_code == 3, report.model_dump_json(indent=1)  # the challenge: changed
    assert report.capture == str(path)
    text = await asyncio.to_thread(path.read_text, encoding="utf-8")
    secrets = issued_by_the_site(site) | await kept_by_the_client(store) | on_the_wire(recorder)
    return text, secrets, recorder


async def test_a_capture_holds_no_secret(fake_arena_factory: ArenaFactory, tmp_path: Path) -> None:
    site = await fake_arena_factory(interstitial=True, split_auth_cookie=True)
    text, secrets, recorder = await run_with_capture(site, tmp_path / "trace.json", keep_text=False)
    # The search is not empty: users, sessions, both cookie halves, cf_clearance, tokens, URLs.
    assert len(site.users) == 1 and len(site.sessions) == 1
    assert len(secrets) >= 12
    names = {n for e in recorder.exchanges for n, v in e.request_headers if n == "Cookie"}
    assert names == {"Cookie"}
    assert_no_secret(text, secrets)
    assert DEFAULT_PROMPT not in text and REPLY_WORD not in text

    capture = json.loads(text)
    cookie_headers = [
        value
        for exchange in capture["exchanges"]
        for name, value in exchange["request_headers"]
        if name.lower() == "cookie"
    ]
    assert cookie_headers and all(placeholders_only(v) for v in cookie_headers)
    cookie_names = {part.split("=")[0] for v in cookie_headers for part in v.split("; ")}
    assert {"cf_clearance", "arena-auth-prod-v1.0", "arena-auth-prod-v1.1"} <= cookie_names
    for exchange in capture["exchanges"]:
        for name, value in exchange["response_headers"]:
            if name.lower() == "set-cookie":
                assert is_placeholder(value.split(";")[0].split("=", 1)[1]), value
    # What is public stays readable: the site key, the models, the action ids.
    assert capture["page"]["site_key"] == site.site_key
    assert any(m["publicName"] == "gemini-3-pro" for m in capture["page"]["models"])
    assert capture["chunks"][-1]["actions"]["generateUploadUrl"]
    (chat,) = [e for e in capture["exchanges"] if e["kind"] == "stream"]
    texts = [json.loads(line[3:]) for line in chat["stream"]["lines"] if line.startswith("a0:")]
    assert texts and all(is_placeholder(t) for t in texts)
    assert chat["stream"]["lines"][-1].startswith('ad:{"finishReason":"stop"')


async def test_keep_text_keeps_the_text_and_still_no_secret(
    fake_arena_factory: ArenaFactory, tmp_path: Path
) -> None:
    site = await fake_arena_factory(interstitial=True)
    text, secrets, _ = await run_with_capture(site, tmp_path / "trace.json", keep_text=True)
    assert DEFAULT_PROMPT in text and REPLY_WORD in text
    assert_no_secret(text, secrets)
