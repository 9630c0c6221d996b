"""Arena modes and the images API through the queue path: the official openai SDK against two
API replicas, one worker (real Chromium) and the fake site."""

from __future__ import annotations

import base64
import json
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import openai
import pytest

from harness.api import start_api
from harness.proc import Proc

pytestmark = pytest.mark.browser

A, B = "gemini-3-pro", "deepseek-v3.2"


def sdk(api: Proc) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{api.extra['url']}/v1", api_key="unused", max_retries=0)


def _vote(api: Proc, session_id: str, winner: str) -> httpx.Response:
    body = {"evaluationSessionId": session_id, "winner": winner}
    return httpx.post(f"{api.extra['url']}/v1/arena/votes", json=body, timeout=60)


def _session(stack: dict[str, Proc], session_id: str) -> dict[str, Any]:
    url = f"{stack['fake'].extra['url']}/__fake__/sessions/{session_id}"
    with urllib.request.urlopen(url, timeout=5) as resp:
        return dict(json.load(resp))


def test_side_by_side_answers_two_choices_and_continues_on_another_replica(
    stack: dict[str, Proc],
) -> None:
    arena = {"mode": "side-by-side", "model_b": B}
    first = sdk(stack["api1"]).chat.completions.create(
        model=A, messages=[{"role": "user", "content": "hello both"}], extra_body={"arena": arena}
    )
    assert [c.index for c in first.choices] == [0, 1]
    a, b = first.choices
    assert "answered by gemini-3-pro" in (a.message.content or "")
    assert "answered by deepseek-v3.2" in (b.message.content or "")
    assert (a.model_extra or {})["model"] == A and (b.model_extra or {})["model"] == B
    assert a.finish_reason == b.finish_reason == "stop"
    conversation = (first.model_extra or {})["conversation"]
    assert conversation["mode"] == "side-by-side" and conversation["mapping"] == "new"
    session_id = conversation["evaluationSessionId"]
    assert first.usage is not None and first.usage.completion_tokens > 0

    second = sdk(stack["api2"]).chat.completions.create(
        model=A,
        messages=[{"role": "user", "content": "again"}],
        extra_body={"arena": arena, "conversation": {"evaluationSessionId": session_id}},
    )
    assert "Turn 2" in (second.choices[0].message.content or "")
    assert "hello both" in (second.choices[1].message.content or "")
    assert _session(stack, session_id)["turns"] == 2


def test_side_by_side_streams_each_side_with_its_own_finish(stack: dict[str, Proc]) -> None:
    stream = sdk(stack["api1"]).chat.completions.create(
        model=A,
        messages=[{"role": "user", "content": "stream both"}],
        stream=True,
        extra_body={"arena": {"mode": "side-by-side", "model_b": B}},
    )
    texts = {0: "", 1: ""}
    finishes: dict[int, str | None] = {}
    for chunk in stream:
        for choice in chunk.choices:
            texts[choice.index] += choice.delta.content or ""
            if choice.finish_reason is not None:
                finishes[choice.index] = choice.finish_reason
    assert "answered by gemini-3-pro" in texts[0] and "answered by deepseek-v3.2" in texts[1]
    assert finishes == {0: "stop", 1: "stop"}


def test_one_side_regenerated_answers_its_choice_alone_and_stays_votable(
    stack: dict[str, Proc],
) -> None:
    """Regenerate model B of a side-by-side chat on the other replica: one choice (index 1),
    streamed; model A untouched at the site; the turn is still the one a vote judges."""
    arena = {"mode": "side-by-side", "model_b": B}
    first = sdk(stack["api1"]).chat.completions.create(
        model=A,
        messages=[{"role": "user", "content": "pick a number"}],
        extra_body={"arena": arena},
    )
    session_id = (first.model_extra or {})["conversation"]["evaluationSessionId"]
    stream = sdk(stack["api2"]).chat.completions.create(
        model=A,
        messages=[{"role": "user", "content": "pick a number"}],
        stream=True,
        extra_body={
            "arena": {**arena, "regenerate": "b"},
            "conversation": {"evaluationSessionId": session_id},
        },
    )
    text, indexes, finishes, mappings = "", set(), [], set()
    for chunk in stream:
        mappings.add(((chunk.model_extra or {}).get("conversation") or {}).get("mapping"))
        for choice in chunk.choices:
            indexes.add(choice.index)
            text += choice.delta.content or ""
            finishes += [choice.finish_reason] if choice.finish_reason else []
    assert indexes == {1} and finishes == ["stop"]
    assert "(take 2)" in text and "answered by deepseek-v3.2" in text
    assert "regenerated" in mappings
    site = _session(stack, session_id)
    assert site["turns"] == 1 and site["regenerations"] == [1]

    whole = sdk(stack["api1"]).chat.completions.create(
        model=A,
        messages=[{"role": "user", "content": "pick a number"}],
        extra_body={
            "arena": {**arena, "regenerate": "a"},
            "conversation": {"evaluationSessionId": session_id},
        },
    )
    assert [c.index for c in whole.choices] == [0]
    assert "(take 3)" in (whole.choices[0].message.content or "")  # the turn's third reply
    assert _session(stack, session_id)["regenerations"] == [2]
    assert _vote(stack["api2"], session_id, "a").status_code == 200


def test_regenerate_needs_a_known_arena_chat_asked_for_as_it_is(stack: dict[str, Proc]) -> None:
    api = stack["api1"]
    pair = {"mode": "side-by-side", "model_b": B}
    first = sdk(api).chat.completions.create(
        model=A, messages=[{"role": "user", "content": "one"}], extra_body={"arena": pair}
    )
    session_id = (first.model_extra or {})["conversation"]["evaluationSessionId"]
    direct = sdk(api).chat.completions.create(
        model=A, messages=[{"role": "user", "content": "direct"}]
    )
    direct_id = (direct.model_extra or {})["conversation"]["evaluationSessionId"]
    before = _session(stack, session_id)["regenerations"]
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"arena": {**pair, "regenerate": "b"}}, 400, "needs conversation.evaluationSessionId"),
        (
            {
                "arena": {**pair, "regenerate": "b"},
                "conversation": {"evaluationSessionId": direct_id},
            },
            404,
            "no side-by-side or battle chat",
        ),
        (
            {
                "arena": {
                    "mode": "side-by-side",
                    "model_b": "claude-opus-4-5-20251101",
                    "regenerate": "a",
                },
                "conversation": {"evaluationSessionId": session_id},
            },
            400,
            f"side-by-side of {A} and {B}",
        ),
        (
            {
                "arena": {**pair, "regenerate": "c"},
                "conversation": {"evaluationSessionId": session_id},
            },
            400,
            "arena.regenerate",
        ),
    ]
    for extra, status, words in cases:
        body = {"model": A, "messages": [{"role": "user", "content": "x"}], **extra}
        resp = httpx.post(f"{api.extra['url']}/v1/chat/completions", json=body, timeout=60)
        assert resp.status_code == status, (extra, resp.text)
        assert words in resp.json()["error"]["message"], resp.text
    assert _session(stack, session_id)["regenerations"] == before  # nothing reached the site


def test_battle_hides_names_until_the_vote_which_counts_once(stack: dict[str, Proc]) -> None:
    assert "battle" in [m.id for m in sdk(stack["api1"]).models.list().data]
    reply = sdk(stack["api1"]).chat.completions.create(
        model="battle", messages=[{"role": "user", "content": "who wins?"}]
    )
    assert [(c.model_extra or {})["model"] for c in reply.choices] == [None, None]
    session_id = (reply.model_extra or {})["conversation"]["evaluationSessionId"]
    site = _session(stack, session_id)
    assert site["mode"] == "battle" and site["vote"] is None

    voted = _vote(stack["api2"], session_id, "b")
    assert voted.status_code == 200, voted.text
    assert voted.json()["models"] == {"a": site["models"][0], "b": site["models"][1]}
    assert _session(stack, session_id)["vote"] == "modelB"

    again = _vote(stack["api1"], session_id, "a")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_voted"
    assert _session(stack, session_id)["vote"] == "modelB"


def test_votes_on_direct_or_unknown_chats_and_bad_bodies_are_clear_4xx(
    stack: dict[str, Proc],
) -> None:
    direct = sdk(stack["api1"]).chat.completions.create(
        model=A, messages=[{"role": "user", "content": "just one"}]
    )
    session_id = (direct.model_extra or {})["conversation"]["evaluationSessionId"]
    refused = _vote(stack["api1"], session_id, "a")
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "arena_session_not_found"
    bad = _vote(stack["api1"], session_id, "draw")
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "winner"
    url = f"{stack['api1'].extra['url']}/v1/arena/votes"
    extra = httpx.post(url, json={"evaluationSessionId": "x", "winner": "a", "more": 1})
    assert extra.status_code == 400


def test_arena_requests_that_cannot_work_are_refused_before_the_queue(
    stack: dict[str, Proc],
) -> None:
    client = sdk(stack["api1"])
    cases = [
        ({"arena": {"mode": "side-by-side"}}, A, "arena.model_b"),
        ({"arena": {"mode": "side-by-side", "model_b": A}}, A, "arena.model_b"),
        ({"arena": {"mode": "battle"}}, A, "model"),
        ({"arena": {"mode": "free-for-all"}}, A, "arena.mode"),
    ]
    for extra, model, param in cases:
        with pytest.raises(openai.BadRequestError) as caught:
            client.chat.completions.create(
                model=model, messages=[{"role": "user", "content": "x"}], extra_body=extra
            )
        assert caught.value.body["param"] == param  # type: ignore[index]
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(
            model=A,
            messages=[{"role": "user", "content": "x"}],
            extra_body={"arena": {"mode": "side-by-side", "model_b": "no-such-model"}},
        )


def test_images_api_answers_urls_and_refuses_what_cannot_work(stack: dict[str, Proc]) -> None:
    client = sdk(stack["api1"])
    urls = client.images.generate(model="flux-2-pro", prompt="a red square", n=2)
    assert len(urls.data) == 2 and all((d.url or "").startswith("http") for d in urls.data)
    first = client.images.generate(prompt="any image model will do")
    assert len(first.data) == 1
    with pytest.raises(openai.BadRequestError, match="does not make images"):
        client.images.generate(model=A, prompt="text models make no images")
    with pytest.raises(openai.NotFoundError):
        client.images.generate(model="no-such-model", prompt="x")
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model="flux-2-pro", prompt="too many", n=9)
    assert caught.value.body["param"] == "n"  # type: ignore[index]


def test_b64_images_obey_the_image_url_rules(stack: dict[str, Proc]) -> None:
    """This stack's worker refuses private addresses (only its APIs allow them), and the fake
    site's storage is on loopback: a b64_json answer fails instead of fetching."""
    with pytest.raises(openai.BadRequestError) as caught:
        sdk(stack["api1"]).images.generate(
            model="flux-2-pro", prompt="fetch me", response_format="b64_json"
        )
    assert "private" in str(caught.value).lower() or "loopback" in str(caught.value).lower()


@pytest.fixture(scope="module")
def lenient_server() -> Iterator[str]:
    """One process whose worker may fetch from loopback (where the fake keeps its images)."""
    proc = start_api(
        None,
        args=["--fake-arena"],
        ready_path="/ready",
        timeout=90,
        LM_ARENA_ALLOW_PRIVATE_IMAGE_URLS="1",
    )
    yield proc.url
    proc.stop()


def test_b64_images_are_the_generated_png(lenient_server: str) -> None:
    client = openai.OpenAI(base_url=f"{lenient_server}/v1", api_key="x", max_retries=0)
    inline = client.images.generate(
        model="flux-2-pro", prompt="a blue square", response_format="b64_json"
    )
    (item,) = inline.data
    assert item.url is None
    assert base64.b64decode(item.b64_json or "").startswith(b"\x89PNG\r\n\x1a\n")


def test_two_replicas_voting_at_once_reach_the_site_once(stack: dict[str, Proc]) -> None:
    reply = sdk(stack["api1"]).chat.completions.create(
        model=A,
        messages=[{"role": "user", "content": "race"}],
        extra_body={"arena": {"mode": "side-by-side", "model_b": B}},
    )
    session_id = (reply.model_extra or {})["conversation"]["evaluationSessionId"]
    with ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(lambda api: _vote(api, session_id, "tie"), [stack["api1"], stack["api2"]] * 2)
        )
    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409]
    assert _session(stack, session_id)["vote"] == "tie"
