"""Failure handling of the queue path: dropped subscribers, dead workers, full queues, Redis."""

from __future__ import annotations

import time

import httpx
import openai
import pytest
from arq.connections import RedisSettings, create_pool

from harness.api import start_api
from harness.ports import free_port
from harness.proc import Proc
from harness.redis_server import start_redis
from harness.waiting import api_ready as worker_ready
from harness.waiting import wait_until
from harness.worker import start_worker
from lmarena_api.app import create_app
from lmarena_api.broker import Broker
from lmarena_api.config import ApiSettings
from lmarena_worker.contract import (
    HEARTBEAT_KEY,
    MODELS_KEY,
    QUEUE_NAME,
    ChatJob,
    DoneEvent,
    Heartbeat,
    ModelCard,
    ModelList,
    TextEvent,
)

pytestmark = pytest.mark.browser


def db_url(redis_proc: Proc, db: int) -> str:
    return f"redis://127.0.0.1:{redis_proc.extra['port']}/{db}"


async def test_a_dropped_subscriber_still_gets_the_whole_text(stack: dict[str, Proc]) -> None:
    pool = await create_pool(RedisSettings.from_dsn(stack["redis"].extra["url"]))
    broker = Broker(pool, ApiSettings())
    run = await broker.start_chat(
        ChatJob(model="gemini-3-pro", text="long [fake: words=60 delay_ms=20]")
    )
    texts: list[str] = []
    result = None
    dropped = False
    async for event in run.events(0.5):
        if isinstance(event, TextEvent):
            texts.append(event.text)
            if len(texts) == 5 and not dropped:
                dropped = True
                # Redis drops the subscribers mid-stream (this API's event hub among them).
                await pool.execute_command("CLIENT", "KILL", "TYPE", "pubsub")  # type: ignore[no-untyped-call]
        elif isinstance(event, DoneEvent):
            result = event.result
    await run.close()
    await broker.events.close()
    await pool.aclose()
    assert dropped and result is not None
    assert "".join(texts) == result.text  # nothing lost, nothing doubled


async def test_worker_down_is_503_at_once(redis_proc: Proc) -> None:
    api = start_api(db_url(redis_proc, 5))
    try:
        started = time.monotonic()
        resp = httpx.post(
            f"{api.extra['url']}/v1/chat/completions",
            timeout=10,
            json={"model": "gemini-3-pro", "messages": [{"role": "user", "content": "x"}]},
        )
        assert resp.status_code == 503
        assert time.monotonic() - started < 10  # answered, not hung until the client timeout
        assert httpx.get(f"{api.extra['url']}/ready").status_code == 503
    finally:
        api.stop()


async def test_a_full_queue_is_429_with_retry_after(redis_proc: Proc) -> None:
    pool = await create_pool(RedisSettings.from_dsn(db_url(redis_proc, 6)))
    await pool.flushdb()
    now = time.time()
    await pool.set(
        HEARTBEAT_KEY,
        Heartbeat(
            state="ready", worker_id="w", pid=1, started_at=now, updated_at=now
        ).model_dump_json(),
    )
    card = ModelCard(
        id="m", text_output=True, vision=False, image_output=False, multiple_images=False
    )
    await pool.set(MODELS_KEY, ModelList(models=[card], updated_at=now).model_dump_json())
    await pool.zadd(QUEUE_NAME, {"someone-else": now * 1000})
    app = create_app(ApiSettings(max_queue=1), redis=pool)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http,
    ):
        resp = await http.post(
            "/v1/chat/completions",
            json={"model": "m", "messages": [{"role": "user", "content": "x"}]},
        )
    assert resp.status_code == 429
    assert resp.headers["Retry-After"]
    assert resp.json()["error"]["code"] == "queue_full"
    assert await pool.zcard(QUEUE_NAME) == 1  # nothing was enqueued
    await pool.flushdb()
    await pool.aclose()


def test_a_redis_restart_is_survived(fake_site: Proc) -> None:
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"

    def redis() -> Proc:
        return start_redis(port)

    server = redis()
    worker = start_worker(url, fake_site.extra["url"])
    api = start_api(url)
    client = openai.OpenAI(base_url=f"{api.extra['url']}/v1", api_key="x", max_retries=0)
    try:
        wait_until(lambda: worker_ready(api.extra["url"]), 90, "worker")
        assert client.chat.completions.create(
            model="gemini-3-pro", messages=[{"role": "user", "content": "before"}]
        ).choices
        server.stop()
        server = redis()
        try:
            wait_until(lambda: worker_ready(api.extra["url"]), 30, "worker after the restart")
        except TimeoutError:
            ready = httpx.get(f"{api.extra['url']}/ready").text
            raise AssertionError(
                f"{ready}\n{worker.output()[-3000:]}\n{api.output()[-3000:]}"
            ) from None
        reply = client.chat.completions.create(
            model="gemini-3-pro", messages=[{"role": "user", "content": "after"}]
        )
        assert "after" in (reply.choices[0].message.content or "")
        assert worker.alive(), worker.output()
    finally:
        for proc in (api, worker, server):
            proc.stop()


def test_a_stopping_worker_ends_its_job_visibly(redis_proc: Proc, fake_site: Proc) -> None:
    """SIGTERM mid-stream: the client sees an error event and [DONE], not a silent cut."""
    url = db_url(redis_proc, 5)
    worker = start_worker(url, fake_site.extra["url"])
    api = start_api(url)
    try:
        wait_until(lambda: worker_ready(api.extra["url"]), 90, "worker")
        lines: list[str] = []
        with httpx.stream(
            "POST",
            f"{api.extra['url']}/v1/chat/completions",
            timeout=30,
            json={
                "model": "gemini-3-pro",
                "stream": True,
                "messages": [{"role": "user", "content": "long [fake: words=400 delay_ms=50]"}],
            },
        ) as resp:
            for line in resp.iter_lines():
                lines.append(line)
                if len(lines) == 8:
                    worker.stop()  # SIGTERM, waits for the worker to exit
        events = [line for line in lines if line]
        assert events[-2].startswith('data: {"error"'), events[-3:]
        assert events[-1] == "data: [DONE]"
        assert any('"content": "Turn' in line for line in events)  # it was mid-stream
        assert worker.popen.returncode is not None
    finally:
        for proc in (api, worker):
            proc.stop()
