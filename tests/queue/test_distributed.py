"""One worker, two API replicas, real Redis: the OpenAI-style API end to end."""

from __future__ import annotations

import asyncio
import base64
import json

import httpx
import openai
import pytest

from harness.proc import Proc

from .conftest import fake_control, wait_idle

pytestmark = pytest.mark.browser

PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63f8dfc0f01f000680027f104c1be10000000049454e44ae426082"
)


def sdk(api: Proc) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{api.extra['url']}/v1", api_key="unused", max_retries=0)


def test_models_list(stack: dict[str, Proc]) -> None:
    models = sdk(stack["api1"]).models.list()
    ids = [m.id for m in models.data]
    assert "gemini-3-pro" in ids
    raw = httpx.get(f"{stack['api2'].extra['url']}/v1/models").json()
    pro = next(m for m in raw["data"] if m["id"] == "gemini-3-pro")
    assert pro["capabilities"]["vision"] is True
    assert pro["object"] == "model"


def test_stream_on_one_replica_resumed_on_the_other(stack: dict[str, Proc]) -> None:
    first = sdk(stack["api1"]).chat.completions.create(
        model="gemini-3-pro",
        stream=True,
        messages=[{"role": "user", "content": "1+1="}],
    )
    chunks = list(first)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text
    final = chunks[-1].model_dump()
    session = final["conversation"]["evaluationSessionId"]
    assert chunks[0].choices[0].delta.role == "assistant"
    assert final["choices"][0]["finish_reason"] == "stop"
    # The id comes with the first text too, so a client that stops early can still resume.
    first_text = next(c.model_dump() for c in chunks if c.choices and c.choices[0].delta.content)
    assert first_text["conversation"]["evaluationSessionId"] == session
    second = sdk(stack["api2"]).chat.completions.create(
        model="gemini-3-pro",
        messages=[{"role": "user", "content": "add 5 to the result"}],
        extra_body={"conversation": {"evaluationSessionId": session}},
    )
    assert "1+1=" in (second.choices[0].message.content or "")
    assert second.model_dump()["conversation"]["evaluationSessionId"] == session
    resumed = sdk(stack["api1"]).chat.completions.create(
        model="gemini-3-pro",
        stream=True,
        messages=[{"role": "user", "content": "again"}],
        extra_body={"conversation": {"evaluationSessionId": session}},
    )
    role_chunk = next(iter(resumed)).model_dump()  # a resumed chat's id is known at once
    assert role_chunk["conversation"]["evaluationSessionId"] == session
    resumed.close()


def test_async_sdk_stream_with_usage(stack: dict[str, Proc]) -> None:
    async def run() -> list[openai.types.chat.ChatCompletionChunk]:
        client = openai.AsyncOpenAI(base_url=f"{stack['api1'].extra['url']}/v1", api_key="x")
        stream = await client.chat.completions.create(
            model="gemini-3-pro",
            stream=True,
            stream_options={"include_usage": True},
            messages=[{"role": "user", "content": "think [fake: reasoning=1 usage=1]"}],
        )
        return [chunk async for chunk in stream]

    chunks = asyncio.run(run())
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0
    reasoning = [
        c
        for c in chunks
        if c.choices
        and c.choices[0].delta.model_extra
        and c.choices[0].delta.model_extra.get("reasoning_content")
    ]
    assert reasoning


def test_image_parts_through_upload_jobs(stack: dict[str, Proc]) -> None:
    counters_before = fake_control(stack["fake"], "counters")["uploads"]
    uri = "data:image/png;base64," + base64.b64encode(PNG_1X1).decode()
    reply = sdk(stack["api1"]).chat.completions.create(
        model="gemini-3-pro",
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "what is this?"},
                    {"type": "image_url", "image_url": {"url": uri}},
                ],
            }
        ],
    )
    assert reply.choices[0].message.content
    assert fake_control(stack["fake"], "counters")["uploads"] == counters_before + 1


def test_unknown_model_is_404(stack: dict[str, Proc]) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        sdk(stack["api1"]).chat.completions.create(
            model="gemini-3-prp", messages=[{"role": "user", "content": "x"}]
        )
    assert caught.value.code == "model_not_found"
    assert "gemini-3-pro" in str(caught.value)


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        ({"kind": "rate_limit_429", "retry_after": 9}, 429),
        ({"kind": "moderation_422"}, 400),
        ({"kind": "has_arena_error"}, 502),
    ],
)
def test_site_errors_become_statuses(stack: dict[str, Proc], fault: dict, status: int) -> None:  # type: ignore[type-arg]
    fake_control(stack["fake"], "faults", fault)
    resp = httpx.post(
        f"{stack['api1'].extra['url']}/v1/chat/completions",
        timeout=60,
        json={"model": "gemini-3-pro", "messages": [{"role": "user", "content": "x"}]},
    )
    assert resp.status_code == status, resp.text
    assert "error" in resp.json()
    if status == 429:
        assert resp.headers["Retry-After"] == "9"


def test_mid_stream_error_is_an_sse_error_event(stack: dict[str, Proc]) -> None:
    fake_control(
        stack["fake"],
        "faults",
        {"kind": "stream_error", "after_words": 5, "message": "model overloaded"},
    )
    with httpx.stream(
        "POST",
        f"{stack['api1'].extra['url']}/v1/chat/completions",
        timeout=60,
        json={
            "model": "gemini-3-pro",
            "stream": True,
            "messages": [{"role": "user", "content": "x [fake: words=30]"}],
        },
    ) as r:
        assert r.status_code == 200
        lines = [line for line in r.iter_lines() if line.startswith("data: ")]
    assert lines[-1] == "data: [DONE]"
    error = json.loads(lines[-2][6:])
    assert "model overloaded" in error["error"]["message"]
    assert any('"content"' in line for line in lines[:-2])  # text came before the error


def test_a_disconnect_aborts_the_job(stack: dict[str, Proc]) -> None:
    url = f"{stack['api1'].extra['url']}/v1/chat/completions"
    with httpx.stream(
        "POST",
        url,
        timeout=60,
        json={
            "model": "gemini-3-pro",
            "stream": True,
            "messages": [{"role": "user", "content": "long [fake: words=400 delay_ms=50]"}],
        },
    ) as r:
        for line in r.iter_lines():
            if '"content"' in line and '""' not in line:
                break
    wait_idle(stack["fake"], timeout=10)  # the site's stream was closed: the job was aborted
    ready = httpx.get(f"{stack['api1'].extra['url']}/ready").json()
    assert ready["worker"] == "ready"


@pytest.mark.parametrize(
    ("body", "status", "param"),
    [
        (b"{not json", 400, "body"),
        (b'{"model": "gemini-3-pro", "messages": []}', 400, "messages"),
        (
            b'{"model": "gemini-3-pro", "messages": [{"role": "system", "content": "x"}]}',
            400,
            "messages",
        ),
        (
            json.dumps(
                {
                    "model": "gemini-3-pro",
                    "messages": [
                        {
                            "role": "user",
                            "content": [
                                {
                                    "type": "image_url",
                                    "image_url": {"url": "data:image/png;base64,@@@"},
                                }
                            ],
                        }
                    ],
                }
            ).encode(),
            400,
            "messages[0].content[0].image_url.url",
        ),
    ],
)
def test_bad_input_is_a_named_4xx(
    stack: dict[str, Proc], body: bytes, status: int, param: str
) -> None:
    resp = httpx.post(
        f"{stack['api2'].extra['url']}/v1/chat/completions",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert resp.status_code == status
    assert resp.json()["error"]["param"] == param


def test_metrics_are_exposed(stack: dict[str, Proc]) -> None:
    text = httpx.get(f"{stack['api1'].extra['url']}/metrics").text
    for name in (
        "lmarena_api_requests_total",
        "lmarena_api_active_streams",
        "lmarena_api_queue_depth",
        "lmarena_api_time_to_first_token_seconds",
        "lmarena_api_job_duration_seconds",
        "lmarena_api_client_disconnects_total",
    ):
        assert name in text
