"""The queue path under failure, with real processes: nothing lost, nothing run twice, nothing
hangs. Each test says what dies or stalls and what every client and the site must see."""

from __future__ import annotations

import base64
import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from harness.stopping import kill_hard
from harness.waiting import api_ready, wait_until

from .helpers import (
    LONG,
    PNG_1X1,
    SseResult,
    Stack,
    assert_envelope,
    chat_body,
    counters,
    post_chat,
    queued_jobs,
    redis_client,
    start_stack,
    stream_chat,
    wait_site_idle,
)

ONE_AT_A_TIME = {"LM_ARENA_WORKER_MAX_JOBS": "1"}


@pytest.fixture
def stacks() -> Iterator[list[Stack]]:
    started: list[Stack] = []
    yield started
    for stack in started:
        stack.stop()


def _stack(stacks: list[Stack], **kwargs: Any) -> Stack:
    stack = start_stack(**kwargs)
    stacks.append(stack)
    return stack


class Background:
    """A call in a thread, its result (or exception) read later."""

    def __init__(self, call: Callable[[], Any]) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(call,), daemon=True)
        self._thread.start()

    def _run(self, call: Callable[[], Any]) -> None:
        try:
            self.result = call()
        except BaseException as exc:
            self.error = exc

    def done(self) -> bool:
        return not self._thread.is_alive()

    def get(self, timeout: float) -> Any:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the call did not end"
        if self.error is not None:
            raise self.error
        return self.result


def _streaming_words(stack: Stack, prompt: str = LONG) -> tuple[Background, threading.Event]:
    """A long streaming chat in the background; the event is set once words arrive."""
    flowing = threading.Event()

    def on_event(result: SseResult) -> bool:
        if result.text:
            flowing.set()
        return False

    call = Background(
        lambda: stream_chat(
            stack.api_url, chat_body(prompt, stream=True), read_timeout=30, on_event=on_event
        )
    )
    assert flowing.wait(30), "the long reply never started"
    return call, flowing


def _prompts_seen(stack: Stack) -> int:
    return int(counters(stack.fake_url)["streams_started"])


def test_waiting_jobs_survive_a_graceful_stop(stacks: list[Stack]) -> None:
    """SIGTERM with one chat running and one waiting: the running one ends with an error at
    once; the waiting one stays queued (its client keeps getting pings) and is answered by the
    next worker, exactly once."""
    stack = _stack(stacks, worker_env=ONE_AT_A_TIME, api_env={"LM_ARENA_PING_INTERVAL": "0.5"})
    running, _ = _streaming_words(stack)
    waiting = Background(
        lambda: stream_chat(
            stack.api_url, chat_body("wait for me", stream=True), read_timeout=10, total=90
        )
    )
    wait_until(lambda: len(queued_jobs(stack.redis_url)) == 2, 10, "the second job queued")
    stack.worker.stop()  # SIGTERM

    first: SseResult = running.get(15)
    error = assert_envelope(first.events[-2])
    assert "stopped" in error["message"], error
    assert first.done
    time.sleep(3)  # the waiting client is not told anything false meanwhile
    assert not waiting.done(), (waiting.error, waiting.result)
    seen = _prompts_seen(stack)

    stack.replace_worker(**ONE_AT_A_TIME)
    second: SseResult = waiting.get(90)
    assert second.status == 200 and second.done, second.events
    assert "wait for me" in second.text, second.text
    assert second.error is None
    assert _prompts_seen(stack) == seen + 1  # the waiting prompt reached the site once


def test_a_job_whose_client_was_told_it_failed_never_runs(stacks: list[Stack]) -> None:
    stack = _stack(stacks, worker_env=ONE_AT_A_TIME, api_env={"LM_ARENA_QUEUE_TIMEOUT": "3"})
    running, _ = _streaming_words(stack)
    resp = post_chat(stack.api_url, "too late", timeout=30)
    assert resp.status_code == 503, resp.text
    assert "no worker took the job" in assert_envelope(resp.json())["message"]
    seen = _prompts_seen(stack)

    running.get(60)  # the worker is free again once the long reply ends
    post = post_chat(stack.api_url, "next one", timeout=30)
    assert post.status_code == 200, post.text
    assert _prompts_seen(stack) == seen + 1  # "next one" only: "too late" never ran
    assert not queued_jobs(stack.redis_url)


def test_a_crash_with_jobs_in_flight_does_not_block_the_queue(stacks: list[Stack]) -> None:
    """SIGKILL with the queue limit's worth of chats running: they end with an error within
    seconds, and the restarted worker serves new chats at once (no 429 from dead jobs)."""
    stack = _stack(
        stacks,
        worker_env={"LM_ARENA_WORKER_MAX_JOBS": "2"},
        api_env={"LM_ARENA_MAX_QUEUE": "2"},
    )
    streams = [_streaming_words(stack)[0] for _ in range(2)]
    kill_hard(stack.worker)
    for stream in streams:
        result: SseResult = stream.get(20)
        assert result.done and result.error is not None, result.events
    stack.replace_worker()
    wait_until(lambda: api_ready(stack.api_url), 60, "the new worker")
    answers = [Background(lambda: post_chat(stack.api_url, "after", timeout=30)) for _ in range(2)]
    for answer in answers:
        resp = answer.get(40)
        assert resp.status_code == 200, resp.text


def test_a_frozen_redis_answers_errors_and_pings_instead_of_hanging(stacks: list[Stack]) -> None:
    stack = _stack(stacks, api_env={"LM_ARENA_PING_INTERVAL": "0.5"})
    pings: list[float] = []
    frozen: dict[str, float] = {}

    def freeze_after_words(result: SseResult) -> bool:
        if result.text and not frozen:
            os.kill(stack.redis.pid, signal.SIGSTOP)
            frozen["at"] = time.monotonic()
        return False

    def read_with_pings() -> SseResult:
        body = chat_body(LONG, stream=True)
        result = SseResult(0, {})
        with httpx.stream(
            "POST", f"{stack.api_url}/v1/chat/completions", json=body, timeout=10
        ) as resp:
            for line in resp.iter_lines():
                if line.startswith(": ping") and frozen:
                    pings.append(time.monotonic())
                if line.startswith("data: "):
                    data = line[6:]
                    result.events.append(data if data == "[DONE]" else json.loads(data))
                    freeze_after_words(result)
        return result

    try:
        stream = Background(read_with_pings)
        wait_until(lambda: bool(frozen), 30, "Redis frozen mid-stream")
        ready = httpx.get(f"{stack.api_url}/ready", timeout=15)
        assert ready.status_code == 503 and ready.json()["ready"] is False, ready.text
        models = httpx.get(f"{stack.api_url}/v1/models", timeout=15)
        assert models.status_code == 503, models.text
        chat = post_chat(stack.api_url, "while frozen", timeout=15)
        assert chat.status_code == 503, chat.text
        result: SseResult = stream.get(60)
        assert result.done and result.error is not None, result.events[-3:]
        assert "Redis" in result.error["message"], result.error
        assert len(pings) >= 2, "the open stream got no pings while Redis was frozen"
    finally:
        os.kill(stack.redis.pid, signal.SIGCONT)
    wait_until(lambda: api_ready(stack.api_url), 30, "the stack after Redis thawed")
    assert post_chat(stack.api_url, "thawed", timeout=30).status_code == 200


def test_a_non_streaming_client_that_leaves_stops_its_job(stacks: list[Stack]) -> None:
    stack = _stack(stacks)
    with pytest.raises(httpx.ReadTimeout):
        post_chat(stack.api_url, LONG, timeout=3)  # the client gives up while words flow
    assert counters(stack.fake_url)["streams_started"] == 1
    wait_site_idle(stack.fake_url, timeout=10)  # a reply left to run would take 20 s
    assert counters(stack.fake_url)["streams_completed"] == 0


def test_an_image_request_with_a_frozen_worker_ends_and_never_uploads(
    stacks: list[Stack],
) -> None:
    """The worker stops (SIGSTOP) before an image request: its upload job waits out the queue
    timeout and is cancelled; the thawed worker never uploads it."""
    stack = _stack(stacks, api_env={"LM_ARENA_QUEUE_TIMEOUT": "3"})
    uploads_before = counters(stack.fake_url)["uploads"]
    data_uri = "data:image/png;base64," + base64.b64encode(PNG_1X1).decode()
    content = [
        {"type": "text", "text": "what is this?"},
        {"type": "image_url", "image_url": {"url": data_uri}},
    ]
    os.kill(stack.worker.pid, signal.SIGSTOP)
    try:
        resp = httpx.post(
            f"{stack.api_url}/v1/chat/completions", json=chat_body(content), timeout=30
        )
    finally:
        os.kill(stack.worker.pid, signal.SIGCONT)
    assert resp.status_code == 503, resp.text
    assert "no worker took the job" in assert_envelope(resp.json())["message"]
    wait_until(lambda: api_ready(stack.api_url), 30, "the thawed worker")
    time.sleep(1)  # a poll or two of the thawed worker
    assert counters(stack.fake_url)["uploads"] == uploads_before
    assert not queued_jobs(stack.redis_url)


def test_delivered_replies_leave_no_prompt_in_redis(stacks: list[Stack]) -> None:
    stack = _stack(stacks, api_env={"LM_ARENA_MAX_PROMPT_BYTES": "4096"})
    marker = "unique-marker-" + "x" * 2000
    assert post_chat(stack.api_url, marker, timeout=30).status_code == 200
    streamed = stream_chat(stack.api_url, chat_body(marker, stream=True))
    assert streamed.done and streamed.error is None

    def no_prompt_left() -> bool:
        with redis_client(stack.redis_url) as client:
            values = [
                client.get(key) or b""
                for key in client.scan_iter()
                if client.type(key) == b"string"
            ]
        return not any(marker.encode() in value for value in values)

    wait_until(no_prompt_left, 5, "job data and results dropped once delivered")
    too_big = post_chat(stack.api_url, "y" * 5000, timeout=30)
    assert too_big.status_code == 413, too_big.text
    assert assert_envelope(too_big.json())["code"] == "prompt_too_large"
