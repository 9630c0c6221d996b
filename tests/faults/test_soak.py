"""Soak: four clients loop chats (streamed, whole, left mid-stream, with images) for a while;
memory, descriptors, Redis keys and connections and the Chromium processes stay bounded.

The CI variant runs a minute; ``-m slow`` runs the ten-minute one.
"""

from __future__ import annotations

import base64
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from harness.proctree import descendants
from harness.usage import fd_count, rss_kib
from harness.waiting import wait_until

from .conftest import TRANSCRIPT_MAX
from .helpers import (
    MODEL,
    PNG_1X1,
    Stack,
    chat_body,
    counters,
    heartbeat,
    queued_jobs,
    redis_client,
    stream_chat,
)

pytestmark = pytest.mark.browser

IMAGE = "data:image/png;base64," + base64.b64encode(PNG_1X1).decode()


@dataclass
class Snapshot:
    api_rss: int  # KiB
    worker_rss: int
    api_fds: int
    worker_fds: int
    browser_processes: int
    keys: Counter[str]  # by kind: the key name up to its last ':' (arq:result, lmarena:models)
    event_channels: int  # pub/sub channels of job events still subscribed
    redis_clients: int

    @classmethod
    def take(cls, stack: Stack) -> Snapshot:
        with redis_client(stack.redis_url) as client:
            keys: Counter[str] = Counter(
                key.decode().rsplit(":", 1)[0] for key in client.scan_iter(count=1000)
            )
            channels = len(client.pubsub_channels("lmarena:events:*"))
            clients = len(client.client_list())
        return cls(
            api_rss=rss_kib(stack.api.pid),
            worker_rss=rss_kib(stack.worker.pid),
            api_fds=fd_count(stack.api.pid),
            worker_fds=fd_count(stack.worker.pid),
            browser_processes=len(descendants(stack.worker.pid)),
            keys=keys,
            event_channels=channels,
            redis_clients=clients,
        )


class Load:
    """Four looping clients, each with its own habit, until ``stop`` is set."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.stop = threading.Event()
        self.outcomes: Counter[str] = Counter()
        self.failures: list[str] = []
        self._lock = threading.Lock()

    def _note(self, outcome: str, failure: str | None = None) -> None:
        with self._lock:
            self.outcomes[outcome] += 1
            if failure is not None:
                self.failures.append(failure)

    def _streamer(self) -> None:
        while not self.stop.is_set():
            result = stream_chat(
                self.stack.api_url, chat_body("soak [fake: words=30]", stream=True), total=30
            )
            ok = result.status == 200 and result.done and result.finish_reason == "stop"
            self._note("stream", None if ok else f"stream: {result.status} {result.events[-3:]}")

    def _conversation(self) -> None:
        with httpx.Client(timeout=30) as http:
            session: str | None = None
            while not self.stop.is_set():
                extra: dict[str, Any] = {}
                if session is not None:
                    extra["conversation"] = {"evaluationSessionId": session}
                resp = http.post(
                    f"{self.stack.api_url}/v1/chat/completions",
                    json=chat_body("soak turn", **extra),
                )
                if resp.status_code != 200:
                    self._note("whole", f"whole: {resp.status_code} {resp.text[:200]}")
                    session = None
                    continue
                self._note("whole")
                # Five turns per conversation, then a new one.
                turn = resp.json()["choices"][0]["message"]["content"].split()[1]
                session = (
                    None if turn == "5" else resp.json()["conversation"]["evaluationSessionId"]
                )

    def _leaver(self) -> None:
        def leave(result: Any) -> bool:
            return bool(result.content_events() >= 3)

        while not self.stop.is_set():
            result = stream_chat(
                self.stack.api_url,
                chat_body("soak [fake: words=200 delay_ms=20]", stream=True),
                total=30,
                on_event=leave,
            )
            ok = result.status == 200 and result.content_events() >= 3
            self._note("left", None if ok else f"left: {result.status} {result.events[-3:]}")
            time.sleep(0.2)

    def _images(self) -> None:
        with httpx.Client(timeout=30) as http:
            while not self.stop.is_set():
                content = [
                    {"type": "text", "text": "what is in it?"},
                    {"type": "image_url", "image_url": {"url": IMAGE}},
                ]
                resp = http.post(
                    f"{self.stack.api_url}/v1/chat/completions",
                    json={
                        "model": MODEL,
                        "messages": [{"role": "user", "content": content}],
                        "stream": True,
                        "stream_options": {"include_usage": True},
                    },
                )
                ok = resp.status_code == 200 and resp.text.rstrip().endswith("data: [DONE]")
                self._note("image", None if ok else f"image: {resp.status_code} {resp.text[-200:]}")

    def run(self, seconds: float) -> None:
        workers = [self._streamer, self._conversation, self._leaver, self._images]
        threads = [threading.Thread(target=self._guarded, args=(w,)) for w in workers]
        for thread in threads:
            thread.start()
        try:
            self.stop.wait(seconds)
        finally:
            self.stop.set()
            for thread in threads:
                thread.join(60)
        assert not any(t.is_alive() for t in threads), "a load thread hung"

    def _guarded(self, work: Any) -> None:
        try:
            work()
        except Exception as exc:  # a hang or crash of one client is a failure, not a stop
            self._note("crash", f"{work.__name__}: {type(exc).__name__}: {exc}")


def _settle(stack: Stack) -> None:
    wait_until(lambda: counters(stack.fake_url)["active_streams"] == 0, 15, "site idle")
    wait_until(
        lambda: (heartbeat(stack.redis_url) or {}).get("active_jobs") == 0, 15, "worker idle"
    )
    wait_until(lambda: not queued_jobs(stack.redis_url), 15, "queue empty")


def soak(stack: Stack, seconds: float) -> None:
    warm = Load(stack)
    warm.run(5)  # first requests allocate caches, pools and the browser's tabs: not a leak
    assert not warm.failures, warm.failures
    _settle(stack)
    before = Snapshot.take(stack)

    load = Load(stack)
    load.run(seconds)
    _settle(stack)
    time.sleep(1)
    after = Snapshot.take(stack)

    report = f"outcomes {dict(load.outcomes)}\nbefore {before}\nafter  {after}"
    assert not load.failures, f"{load.failures[:5]}\n{report}"
    assert min(load.outcomes[k] for k in ("stream", "whole", "left", "image")) >= 5, report
    jobs = sum(load.outcomes.values()) + load.outcomes["image"]  # an image is two jobs

    # Memory: a leak of even a few KiB per request shows over hundreds of requests.
    assert after.api_rss <= before.api_rss + 16 * 1024, report
    assert after.worker_rss <= before.worker_rss + 24 * 1024, report
    # Descriptors: sockets and pipes are closed after each request.
    assert after.api_fds <= before.api_fds + 10, report
    assert after.worker_fds <= before.worker_fds + 10, report
    # One browser: no tab, renderer or second Chromium left behind by aborted jobs.
    assert after.browser_processes <= before.browser_processes + 2, report
    # Redis: every job's per-job keys are gone; only results (kept 10 minutes by design) grow,
    # by at most one per job; no subscription is left open.
    for kind in ("arq:in-progress", "arq:job", "arq:retry"):
        assert after.keys[kind] == 0, report
    assert after.keys["arq:result"] - before.keys["arq:result"] <= jobs, report
    # The transcript map (stateless clients) grows per turn, but never past its cap.
    mapping = ("lmarena:transcript", "lmarena:transcript-head")
    assert sum(after.keys[kind] for kind in mapping) <= TRANSCRIPT_MAX, report
    others = {k: v for k, v in after.keys.items() if k not in ("arq:result", *mapping)}
    assert sum(others.values()) <= 10, report
    assert after.event_channels == 0, report
    assert after.redis_clients <= before.redis_clients + 4, report


@pytest.mark.timeout(240)
def test_soak_one_minute(fault_stack: Stack) -> None:
    soak(fault_stack, 60)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_soak_ten_minutes(fault_stack: Stack) -> None:
    soak(fault_stack, 600)
