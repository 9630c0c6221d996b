"""Workers come and go, the conversations stay: the identity in Redis, one active worker with a
lease, standbys that take over (real redis-server, worker and API processes, the fake site)."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import httpx
import pytest

from harness.proc import Proc, full_log
from harness.stopping import kill_hard
from harness.waiting import api_ready, wait_until

from .helpers import (
    LONG,
    Stack,
    chat_body,
    counters,
    metric_value,
    start_stack,
    start_worker_proc,
    stream_chat,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def stack() -> Any:
    started = start_stack()
    yield started
    started.stop()


def _chat(stack: Stack, text: str, session: str | None = None, timeout: float = 60) -> str:
    body: dict[str, Any] = chat_body(text)
    if session is not None:
        body["conversation"] = {"evaluationSessionId": session}
    resp = httpx.post(f"{stack.api_url}/v1/chat/completions", json=body, timeout=timeout)
    assert resp.status_code == 200, resp.text
    assert text in resp.json()["choices"][0]["message"]["content"]
    return str(resp.json()["conversation"]["evaluationSessionId"])


def _ready(stack: Stack) -> dict[str, Any]:
    resp = httpx.get(f"{stack.api_url}/ready", timeout=5)
    return dict(resp.json())


def _standby(stack: Stack) -> Proc:
    proc = start_worker_proc(stack.redis_url, stack.fake_url)
    stack.others.append(proc)
    wait_until(lambda: _ready(stack).get("standbys") == 1, 60, "the standby")
    return proc


def _serving_after(stack: Stack, killed: Proc, successor: Proc) -> float:
    """Kill the active worker; seconds until the successor is active and ready."""
    kill_hard(killed)
    started = time.monotonic()
    wait_until(
        lambda: (
            _ready(stack).get("active_worker_pid") == successor.pid and api_ready(stack.api_url)
        ),
        30,
        "a standby taking over",
    )
    return time.monotonic() - started


def test_a_restarted_worker_continues_the_chat(stack: Stack) -> None:
    session = _chat(stack, "before the crash")
    kill_hard(stack.worker)
    stack.replace_worker()
    wait_until(lambda: api_ready(stack.api_url), 60, "the new worker")
    assert _chat(stack, "after the crash", session) == session
    assert counters(stack.fake_url)["sign_ups"] == 1


def test_standbys_take_over_twice_and_the_chat_goes_on(stack: Stack) -> None:
    session = _chat(stack, "turn one")
    second = _standby(stack)
    for turn in range(3):
        _chat(stack, f"while on standby {turn}", session)
    assert _jobs_run(second) == 0  # two workers, one serving: the standby runs nothing
    assert _jobs_run(stack.worker) == 4
    assert metric_value(stack.api_url, "lmarena_api_standby_workers") == 1
    _serving_after(stack, stack.worker, second)
    assert _chat(stack, "turn two", session) == session
    third = _standby(stack)
    _serving_after(stack, second, third)
    assert _chat(stack, "turn three", session) == session
    assert counters(stack.fake_url)["sign_ups"] == 1  # one site user all along


def _jobs_run(worker: Proc) -> int:
    """Jobs the worker started (arq's start line: ``→ <job id>:chat(…)``)."""
    return full_log(worker).count(":chat(")


def test_a_streaming_chat_on_a_dead_worker_ends_with_an_error(stack: Stack) -> None:
    _standby(stack)
    killed: dict[str, float] = {}

    def kill_once(result: Any) -> bool:
        if result.text and not killed:
            kill_hard(stack.worker)
            killed["at"] = time.monotonic()
        return False

    result = stream_chat(stack.api_url, chat_body(LONG, stream=True), on_event=kill_once)
    assert result.done and result.error is not None, result.events[-3:]
    assert "stopped" in result.error["message"]
    seen = counters(stack.fake_url)["streams_started"]
    wait_until(lambda: api_ready(stack.api_url), 30, "the takeover")
    time.sleep(1)
    assert counters(stack.fake_url)["streams_started"] == seen  # never re-run by the standby


def test_a_frozen_active_worker_is_replaced_and_never_serves_again(stack: Stack) -> None:
    """SIGSTOP past the lease: the standby takes over; the old worker, thawed, finds its lease
    gone and stops serving (its token is fenced off), and the identity stays the standby's."""
    session = _chat(stack, "before the freeze")
    old = stack.worker
    new = _standby(stack)
    os.kill(old.pid, signal.SIGSTOP)
    try:
        wait_until(lambda: _ready(stack).get("active_worker_pid") == new.pid, 30, "takeover")
        wait_until(lambda: api_ready(stack.api_url), 30, "the new active worker")
        jobs_before_thaw = _jobs_run(old)
    finally:
        os.kill(old.pid, signal.SIGCONT)
    wait_until(lambda: "lost its lease" in full_log(old), 20, "the old worker stepping down")
    for turn in range(4):
        assert _chat(stack, f"after the freeze {turn}", session) == session
    assert _jobs_run(old) == jobs_before_thaw
    assert _ready(stack)["active_worker_pid"] == new.pid
    assert counters(stack.fake_url)["sign_ups"] == 1


def test_a_revoked_identity_answers_410_conversation_lost(stack: Stack) -> None:
    """The site drops the worker's identity: the old chat is lost for good (a distinct 4xx, not
    a 502 to retry forever), and new chats work on the fresh identity the worker saved."""
    session = _chat(stack, "before the revocation")
    httpx.post(f"{stack.fake_url}/__fake__/revoke", json={}, timeout=5).raise_for_status()
    body: dict[str, Any] = chat_body("after the revocation")
    body["conversation"] = {"evaluationSessionId": session}
    resp = httpx.post(f"{stack.api_url}/v1/chat/completions", json=body, timeout=60)
    assert resp.status_code == 410, resp.text
    assert resp.json()["error"]["code"] == "conversation_lost"
    fresh = _chat(stack, "a new chat")
    assert _chat(stack, "and its next turn", fresh) == fresh
    assert counters(stack.fake_url)["sign_ups"] == 2


def test_a_stateless_chat_of_a_lost_identity_moves_to_a_new_session(stack: Stack) -> None:
    """A client that sends whole histories never sees the 410: a continued or regenerated
    request whose session was lost is answered in a new session that carries the history."""
    url = f"{stack.api_url}/v1/chat/completions"

    def post(messages: list[dict[str, str]]) -> dict[str, Any]:
        body = chat_body("unused")
        body["messages"] = messages
        resp = httpx.post(url, json=body, timeout=60)
        assert resp.status_code == 200, resp.text
        return dict(resp.json())

    said = [{"role": "user", "content": "remember the word kumquat"}]
    first = post(said)
    said += [
        {"role": "assistant", "content": first["choices"][0]["message"]["content"]},
        {"role": "user", "content": "what was the word?"},
    ]
    assert post(said)["conversation"]["mapping"] == "continued"
    httpx.post(f"{stack.fake_url}/__fake__/revoke", json={}, timeout=5).raise_for_status()
    again = post(said)  # a regenerate, in a session the site no longer lets us use
    conversation = again["conversation"]
    assert conversation["mapping"] == "replayed"
    assert conversation["evaluationSessionId"] != first["conversation"]["evaluationSessionId"]
    assert "User: remember the word kumquat" in again["choices"][0]["message"]["content"]
    said += [
        {"role": "assistant", "content": again["choices"][0]["message"]["content"]},
        {"role": "user", "content": "and now?"},
    ]
    later = post(said)["conversation"]
    assert later == {
        "evaluationSessionId": conversation["evaluationSessionId"],
        "mapping": "continued",
    }
