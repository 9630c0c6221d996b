"""Processes dying under a running stream: the worker (SIGKILL), its Chromium, redis-server,
and the API's pub/sub subscription. Each test has a stack of its own."""

from __future__ import annotations

import os
import shutil
import signal
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from harness.proctree import chromium_pids, pids_with, profile_dir
from harness.stopping import kill_hard
from harness.waiting import api_ready, wait_until

from .helpers import (
    LONG,
    SseResult,
    assert_envelope,
    chat_body,
    counters,
    heartbeat,
    post_chat,
    queued_jobs,
    redis_client,
    start_redis_on,
    start_stack,
    stream_chat,
    wait_site_idle,
    worker_ready_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def _after_words(count: int, action: Callable[[], None]) -> Callable[[SseResult], None]:
    """An ``on_event`` callback that runs ``action`` once, when ``count`` text deltas came."""
    state = {"done": False}

    def on_event(result: SseResult) -> None:
        if not state["done"] and result.content_events() >= count:
            state["done"] = True
            action()

    return on_event


def _assert_error_then_done(result: SseResult) -> dict[str, Any]:
    assert result.status == 200, result.body
    assert result.done, result.events
    assert isinstance(result.events[-2], dict) and "error" in result.events[-2], result.events
    return assert_envelope(result.events[-2])


def _wait_gone(profile: str) -> None:
    """No process of the Chromium that used ``profile`` is left (helpers included)."""
    wait_until(lambda: not pids_with(profile), 10, f"the processes of {profile}")


def test_sigkill_of_the_worker_mid_stream() -> None:
    stack = start_stack()
    profiles: list[str] = []
    try:
        started_before: dict[str, int] = {}
        killed_at: dict[str, float] = {}
        job_ids: list[str] = []

        def kill() -> None:
            started_before["n"] = counters(stack.fake_url)["streams_started"]
            job_ids.extend(queued_jobs(stack.redis_url))
            profiles.extend(profile_dir(pid) for pid in chromium_pids(stack.worker.pid))
            kill_hard(stack.worker)
            killed_at["t"] = time.monotonic()

        result = stream_chat(
            stack.api_url,
            chat_body(LONG, stream=True),
            read_timeout=15,
            total=40,
            on_event=_after_words(3, kill),
        )
        waited = time.monotonic() - killed_at["t"]
        error = _assert_error_then_done(result)
        assert waited < 10, f"the client learnt of the dead worker after {waited:.1f} s"
        assert error["type"] == "service_unavailable", error
        assert result.text.startswith("Turn 1"), result.text  # it was mid-stream
        assert len(job_ids) == 1, job_ids

        # Chromium died with its worker (PR_SET_PDEATHSIG), children included.
        for profile in profiles:
            _wait_gone(profile)

        worker = stack.replace_worker()
        wait_until(lambda: worker_ready_in(stack.redis_url, worker.pid), 60, "the new worker")
        # The new worker reaps the dead worker's job at once (arq alone would keep it "in
        # progress" for the job timeout + 10 s), and the gate's mark keeps it from ever running
        # again: the site never sees it twice.
        wait_until(
            lambda: job_ids[0] not in queued_jobs(stack.redis_url), 15, "the orphaned job reaped"
        )
        with redis_client(stack.redis_url) as client:
            assert not client.exists(f"arq:in-progress:{job_ids[0]}")
            assert not client.hexists("lmarena:running", job_ids[0])
            assert client.get(f"lmarena:job:{job_ids[0]}:state").startswith(b"started:")
        assert counters(stack.fake_url)["streams_started"] == started_before["n"]

        resp = post_chat(stack.api_url, "after the crash", timeout=60)
        assert resp.status_code == 200, resp.text
        assert "after the crash" in resp.json()["choices"][0]["message"]["content"]
        assert counters(stack.fake_url)["streams_started"] == started_before["n"] + 1
    finally:
        stack.stop()
        for profile in profiles:  # a SIGKILLed worker cannot delete its temporary profile
            shutil.rmtree(profile, ignore_errors=True)


def test_sigkill_of_the_worker_restarted_at_once() -> None:
    """A supervisor (compose ``restart: always``) brings a new worker up within a second or two.

    The new worker's heartbeat must not make the API believe the dead worker's job still runs:
    the client must learn of the lost job within seconds, not after the 180 s idle timeout.
    """
    stack = start_stack()
    profiles: list[str] = []
    try:
        killed_at: dict[str, float] = {}

        def kill_and_restart() -> None:
            profiles.extend(profile_dir(pid) for pid in chromium_pids(stack.worker.pid))
            kill_hard(stack.worker)
            killed_at["t"] = time.monotonic()
            stack.replace_worker()

        result = stream_chat(
            stack.api_url,
            chat_body(LONG, stream=True),
            read_timeout=25,
            total=20,
            on_event=_after_words(3, kill_and_restart),
        )
        waited = time.monotonic() - killed_at["t"]
        _assert_error_then_done(result)
        assert waited < 15, f"the client learnt of the lost job after {waited:.1f} s"
    finally:
        stack.stop()
        for profile in profiles:
            shutil.rmtree(profile, ignore_errors=True)


def test_chromium_killed_mid_stream() -> None:
    stack = start_stack()
    try:
        killed: dict[str, Any] = {}

        def kill_chromium() -> None:
            pids = chromium_pids(stack.worker.pid)
            assert len(pids) == 1, pids
            killed["pid"] = pids[0]
            killed["profile"] = profile_dir(pids[0])
            killed["tree"] = pids_with(killed["profile"])
            os.kill(pids[0], signal.SIGKILL)

        result = stream_chat(
            stack.api_url,
            chat_body("x [fake: words=150 delay_ms=20]", stream=True),
            read_timeout=15,
            total=30,
            on_event=_after_words(3, kill_chromium),
        )
        # The reply's HTTP stream does not go through Chromium: it may finish; if not, it must
        # end visibly. Either way it ends.
        assert result.status == 200 and result.done, result.events
        if result.error is None:
            assert result.finish_reason == "stop", result.events
        assert len(killed["tree"]) > 1  # Chromium had helpers; they must go with it
        _wait_gone(killed["profile"])

        started = time.monotonic()
        try:
            resp = post_chat(stack.api_url, "after chromium died", timeout=30)
        except httpx.TimeoutException:
            raise AssertionError(
                f"no answer within 30 s once Chromium had died\n{stack.logs()}"
            ) from None
        assert resp.status_code == 200, f"{resp.text}\n{stack.logs()}"
        assert "after chromium died" in resp.json()["choices"][0]["message"]["content"]
        new = chromium_pids(stack.worker.pid)
        assert len(new) == 1 and new[0] != killed["pid"], (new, killed["pid"])
        assert stack.worker.alive()
        assert time.monotonic() - started < 30
        beat = heartbeat(stack.redis_url)
        assert beat is not None and beat["state"] == "ready", beat
        # The worker deleted the dead browser's temporary profile when it replaced it.
        assert not os.path.exists(killed["profile"]), killed["profile"]
    finally:
        stack.stop()


def test_redis_restarted_mid_stream_and_between_requests() -> None:
    stack = start_stack()
    try:
        port = int(stack.redis.extra["port"])
        restarted: dict[str, float] = {}

        def restart_redis() -> None:
            stack.redis.stop()
            restarted["t"] = time.monotonic()
            stack.others.append(stack.redis)
            stack.redis = start_redis_on(port)

        result = stream_chat(
            stack.api_url,
            chat_body("x [fake: words=300 delay_ms=20]", stream=True),
            read_timeout=30,
            total=60,
            on_event=_after_words(3, restart_redis),
        )
        waited = time.monotonic() - restarted["t"]
        assert result.status == 200 and result.done, result.events
        if result.error is not None:
            assert_envelope({"error": result.error})
        else:
            assert result.finish_reason == "stop", result.events
        assert waited < 20, f"the stream ended {waited:.1f} s after Redis came back"

        # The worker rides out the outage: it becomes ready again and takes new jobs.
        wait_until(lambda: api_ready(stack.api_url), 30, "ready after the Redis restart")
        resp = post_chat(stack.api_url, "after the restart", timeout=30)
        assert resp.status_code == 200, f"{resp.text}\n{stack.logs()}"
        wait_site_idle(stack.fake_url, 10)  # the interrupted reply's site stream was closed
        wait_until(
            lambda: (heartbeat(stack.redis_url) or {}).get("active_jobs") == 0,
            10,
            "no job counted as running",
        )

        # Between requests: a request sent right after a restart is answered at once, 200 or a
        # 503 with the envelope (the worker has not written its heartbeat yet), never a hang.
        stack.redis.stop()
        stack.others.append(stack.redis)
        stack.redis = start_redis_on(port)
        started = time.monotonic()
        resp = post_chat(stack.api_url, "right after", timeout=30)
        assert time.monotonic() - started < 15
        assert resp.status_code in (200, 503), resp.text
        if resp.status_code == 503:
            assert_envelope(resp.json())
            assert resp.headers.get("Retry-After")

        def chat_ok() -> bool:
            try:
                return post_chat(stack.api_url, "soon after", timeout=10).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(chat_ok, 30, "a chat after the second restart")
        assert stack.worker.alive(), stack.worker.output()
    finally:
        stack.stop()


def test_a_killed_pubsub_connection_still_delivers_the_whole_text() -> None:
    stack = start_stack()
    try:
        prompt = "x [fake: words=120 delay_ms=25]"
        killed: dict[str, int] = {}

        def kill_subscribers() -> None:
            with redis_client(stack.redis_url) as client:
                killed["n"] = int(client.client_kill_filter(_type="pubsub"))

        result = stream_chat(
            stack.api_url,
            chat_body(prompt, stream=True),
            total=40,
            on_event=_after_words(3, kill_subscribers),
        )
        assert killed["n"] >= 1  # at least the API's subscription to this job's events
        assert result.status == 200 and result.done, result.events
        assert result.error is None, result.events
        assert result.finish_reason == "stop", result.events
        # Same prompt in a new session: the same deterministic reply, in one piece.
        whole = post_chat(stack.api_url, prompt, timeout=30)
        assert whole.status_code == 200, whole.text
        assert result.text == whole.json()["choices"][0]["message"]["content"]
        # The worker's wake-up subscription was killed too; pickup still works.
        started = time.monotonic()
        assert post_chat(stack.api_url, "next", timeout=30).status_code == 200
        assert time.monotonic() - started < 5
    finally:
        stack.stop()


def test_redis_gone_mid_stream_ends_the_stream() -> None:
    """Redis stops mid-stream and stays down: the client is told within seconds (an error
    event, then [DONE]), not left without a byte until Redis returns or the 10-minute reply
    timeout runs out."""
    stack = start_stack()
    try:
        stopped: dict[str, float] = {}

        def stop_redis() -> None:
            stack.redis.stop()
            stopped["t"] = time.monotonic()

        try:
            result = stream_chat(
                stack.api_url,
                chat_body("x [fake: words=300 delay_ms=20]", stream=True),
                read_timeout=20,
                total=30,
                on_event=_after_words(3, stop_redis),
            )
        except httpx.ReadTimeout:
            waited = time.monotonic() - stopped["t"]
            raise AssertionError(f"nothing for {waited:.0f} s after Redis went away") from None
        waited = time.monotonic() - stopped["t"]
        error = _assert_error_then_done(result)
        assert waited < 15, f"told after {waited:.1f} s"
        assert error["type"] == "service_unavailable", error
    finally:
        stack.stop()
