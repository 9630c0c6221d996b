"""The three stream endpoints: bodies in both forms and content types, the line protocol, history,
and the site's refusals (protocol reference 2.2-2.4, 3, 4, 8)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest

from lmarena_client.testing import FakeArena

from .helpers import (
    CONTENT_TYPES,
    CREATE_PATH,
    DUPLICATED,
    IMAGE_EDIT,
    IMAGE_OUT,
    NO_VISION,
    PNG_MAGIC,
    STEALTH,
    THINKING,
    VISION_OBJECT,
    VISION_TRUE,
    Ids,
    Stream,
    chat_body,
    create,
    fresh_ids,
    model_id,
    post_to,
    retry,
    send_stream,
    token,
    uuid4,
    uuid7,
)

HEARTBEAT = 'a2:[{"type":"heartbeat"}]\n'
FORMS = pytest.mark.parametrize("legacy", [False, True], ids=["userMessage", "messages"])
TYPES = pytest.mark.parametrize("content_type", CONTENT_TYPES, ids=["text-plain", "json"])


def assert_stream_headers(stream: Stream) -> None:
    assert stream.status == 200, stream.body
    assert stream.headers["Content-Type"].split(";")[0] == "text/event-stream"
    assert re.fullmatch(r"limit=\d+, remaining=\d+, reset=\d+", stream.headers["ratelimit"])
    assert re.fullmatch(r"\d+;w=\d+", stream.headers["ratelimit-policy"])
    limit = stream.headers["ratelimit"].split(",")[0].removeprefix("limit=")
    assert stream.headers["ratelimit-policy"].split(";")[0] == limit


def assert_finished(stream: Stream, participant: str = "a") -> dict[str, Any]:
    finish = stream.finish(participant)
    assert finish is not None, f"no {participant}d: line"
    assert finish["finishReason"] == "stop"
    usage = finish["usage"]
    assert isinstance(usage["promptTokens"], int) and usage["promptTokens"] > 0
    assert isinstance(usage["completionTokens"], int)
    return finish


def assert_well_formed(stream: Stream) -> None:
    """Every line is ``<participant><code>:<JSON>`` (checked while parsing); ``ad:`` is last of
    its participant and nothing but other finishes follow the first finish."""
    assert stream.error is None
    prefixes = stream.prefixes()
    assert prefixes, "empty stream"
    first_finish = min(i for i, p in enumerate(prefixes) if p[1] == "d")
    assert all(p[1] == "d" for p in prefixes[first_finish:])
    assert prefixes[-1] == "ad"


# -- create, post-to, retry ------------------------------------------------------------------


@FORMS
@TYPES
async def test_create_streams_a_reply(
    arena: FakeArena,
    http: aiohttp.ClientSession,
    user: str,
    legacy: bool,
    content_type: str,
) -> None:
    stream, ids = await create(
        http, arena, "What is 2+2?", legacy=legacy, content_type=content_type
    )
    assert_stream_headers(stream)
    assert_well_formed(stream)
    assert stream.headers["x-matched-path"] == CREATE_PATH
    assert HEARTBEAT in stream.body
    text = stream.text()
    assert text.startswith(f"Turn 1 of this session, answered by {VISION_TRUE}.")
    assert "“What is 2+2?”" in text and "Previous prompt: none." in text
    assert len(stream.payloads("a", "0")) > 5, "the reply is not streamed in word-sized deltas"
    assert stream.finish("b") is None and not stream.payloads("b", "0")
    assert_finished(stream)
    session = arena.sessions[ids.session]
    assert (session.owner, session.mode, session.prompts) == (user, "direct", ["What is 2+2?"])
    logged = arena.requests[-1]
    assert logged.content_type == content_type and logged.status == 200
    assert ("messages" in logged.body) is legacy
    assert logged.body["recaptchaV3Token"] == "[redacted]"


@FORMS
@TYPES
async def test_post_to_continues_the_session_with_history(
    arena: FakeArena,
    http: aiohttp.ClientSession,
    user: str,
    legacy: bool,
    content_type: str,
) -> None:
    first, ids = await create(http, arena, "first question")
    assert first.status == 200
    second, _ = await post_to(
        http, arena, ids.session, "second question", legacy=legacy, content_type=content_type
    )
    assert_stream_headers(second)
    assert_well_formed(second)
    assert second.headers["x-matched-path"] == "/nextjs-api/stream/post-to-evaluation/[id]"
    text = second.text()
    assert text.startswith("Turn 2 of this session")
    assert "“second question”" in text and "Previous prompt: “first question”." in text
    third, _ = await post_to(http, arena, ids.session, "third", mode=None, model=None)
    assert third.text().startswith("Turn 3 of this session")
    assert "Previous prompt: “second question”." in third.text()
    assert arena.sessions[ids.session].prompts == ["first question", "second question", "third"]


@TYPES
@pytest.mark.parametrize(
    "extra",
    [
        pytest.param(lambda ids, model: {}, id="token-only"),
        pytest.param(
            lambda ids, model: {
                "messages": [{"id": ids.user, "role": "user", "content": "again"}],
                "modelId": model,
                "featureFlags": {},
            },
            id="site-form",
        ),
    ],
)
async def test_retry_regenerates_the_latest_reply(
    arena: FakeArena,
    http: aiohttp.ClientSession,
    user: str,
    content_type: str,
    extra: Callable[[Ids, str], dict[str, Any]],
) -> None:
    _, first = await create(http, arena, "one")
    original, second = await post_to(http, arena, first.session, "two")
    body = extra(second, model_id(arena, VISION_TRUE))
    again = await retry(http, arena, first.session, second.model_a, body, content_type=content_type)
    assert_stream_headers(again)
    assert_well_formed(again)
    assert "retry-evaluation-session-message" in again.headers["x-matched-path"]
    assert "(take 2)" in again.text()  # a regenerated reply differs, as a real one would
    assert again.text().replace(" (take 2)", "") == original.text()
    assert again.text().startswith("Turn 2 of this session")
    assert "Previous prompt: “one”." in again.text()
    assert arena.sessions[first.session].turns[-1].regenerations == 1


async def test_retry_needs_a_chat_retry_token(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    _, ids = await create(http, arena, "one")
    wrong = await retry(http, arena, ids.session, ids.model_a, action="chat_submit")
    assert (wrong.status, wrong.json()) == (403, {"error": "recaptcha validation failed"})


async def test_retry_of_an_unknown_or_older_message_is_refused(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    _, first = await create(http, arena, "one")
    _, second = await post_to(http, arena, first.session, "two")
    older = await retry(http, arena, first.session, first.model_a)
    assert older.status == 400
    unknown = await retry(http, arena, first.session, uuid7())
    assert unknown.status == 404
    with_user_id = await retry(http, arena, first.session, second.user)
    assert with_user_id.status == 404
    unknown_session = await retry(http, arena, uuid7(), second.model_a)
    assert unknown_session.status == 404


async def test_retry_with_another_model(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    _, ids = await create(http, arena, "one")
    again = await retry(
        http, arena, ids.session, ids.model_a, {"modelId": model_id(arena, VISION_OBJECT)}
    )
    assert again.status == 200
    assert f"answered by {VISION_OBJECT}" in again.text()


# -- line types ------------------------------------------------------------------------------


async def test_reasoning_directive_streams_ag_before_the_text(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    stream, ids = await create(http, arena, "think first [fake: reasoning=1]")
    assert_well_formed(stream)
    prefixes = stream.prefixes()
    assert "ag" in prefixes
    assert prefixes.index("ag") < prefixes.index("a0")
    assert max(i for i, p in enumerate(prefixes) if p == "ag") < prefixes.index("a0")
    assert stream.reasoning().startswith("Thinking about turn 1")
    assert "[fake:" not in stream.text()
    assert arena.sessions[ids.session].prompts == ["think first"]


async def test_thinking_model_reasons_without_a_directive(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    stream, _ = await create(http, arena, "hi", model=THINKING)
    assert stream.reasoning()
    plain, _ = await create(http, arena, "hi")
    assert not plain.reasoning()


async def test_citations_come_as_ac_lines(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    stream, _ = await create(http, arena, "search [fake: citations=2]")
    citations = stream.payloads("a", "c")
    assert len(citations) == 2
    for item in citations:
        assert item["toolCallId"] == "citation-source"
        source = json.loads(item["argsTextDelta"])["source"]
        assert source["url"].startswith("https://") and source["title"]
    assert_finished(stream)


async def test_heartbeats_directive(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    three, _ = await create(http, arena, "beat [fake: heartbeats=3]")
    assert three.body.count(HEARTBEAT) == 3
    none, _ = await create(http, arena, "quiet [fake: heartbeats=0]")
    assert HEARTBEAT not in none.body


async def test_words_and_usage_directives(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    short, _ = await create(http, arena, "a [fake: words=0 usage=0]")
    long, _ = await create(http, arena, "a [fake: words=40]")
    assert len(long.payloads()) == len(short.payloads()) + 40
    assert short.finish() == {"finishReason": "stop"}
    assert assert_finished(long)["usage"]["completionTokens"] == len(long.payloads())


@pytest.mark.parametrize("model", [IMAGE_OUT, IMAGE_EDIT])
async def test_image_model_streams_an_image_url(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, model: str
) -> None:
    stream, ids = await create(http, arena, "a red fox", model=model, modality="image")
    assert_stream_headers(stream)
    assert_well_formed(stream)
    images = [
        part for parts in stream.payloads("a", "2") for part in parts if part["type"] == "image"
    ]
    assert len(images) == 1
    assert images[0]["mimeType"] == "image/png"
    url = images[0]["image"]
    assert url.startswith(arena.url) and f"{user}/" in url and ids.model_a in url
    assert "X-Amz-Expires=3600" in url and "X-Amz-Date=" in url
    async with http.get(url) as response:
        assert response.status == 200
        assert response.content_type == "image/png"
        assert (await response.read()).startswith(PNG_MAGIC)
    assert_finished(stream)


async def test_image_directive_makes_several_images(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    stream, _ = await create(
        http, arena, "two foxes [fake: images=2]", model=IMAGE_OUT, modality="image"
    )
    urls = [
        p["image"] for parts in stream.payloads("a", "2") for p in parts if p["type"] == "image"
    ]
    assert len(set(urls)) == 2


@pytest.mark.parametrize("legacy", [False, True], ids=["userMessage", "messages"])
async def test_side_by_side_streams_both_participants(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, legacy: bool
) -> None:
    stream, ids = await create(
        http, arena, "compare", mode="side-by-side", model_b=VISION_OBJECT, legacy=legacy
    )
    assert_stream_headers(stream)
    assert_well_formed(stream)
    assert f"answered by {VISION_TRUE}" in stream.text("a")
    assert f"answered by {VISION_OBJECT}" in stream.text("b")
    prefixes = stream.prefixes()
    assert prefixes[-2:] == ["bd", "ad"]
    assert_finished(stream, "a")
    assert_finished(stream, "b")
    follow, _ = await post_to(
        http, arena, ids.session, "again", mode="side-by-side", model_b_message=True
    )
    assert follow.status == 200, follow.body
    assert "Turn 2" in follow.text("b") and "Previous prompt: “compare”." in follow.text("b")


async def test_battle_streams_two_anonymous_models(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    stream, ids = await create(http, arena, "fight", mode="battle", model=None)
    assert_well_formed(stream)
    assert stream.text("a") and stream.text("b")
    assert "b0" in stream.prefixes() and stream.finish("b") is not None
    session = arena.sessions[ids.session]
    assert session.model_a_id != session.model_b_id
    with_ids, _ = await create(http, arena, "fight", mode="battle")
    assert with_ids.status == 400


async def test_battle_without_models_for_the_modality_is_400(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    """No page model outputs video: the site cannot pick a pair and must say so (not 500)."""
    answers = {}
    for mode in ("battle", "direct-battle"):
        for modality in ("video", "p2l"):
            model = None if mode == "battle" else VISION_TRUE
            stream, _ = await create(http, arena, "clip", mode=mode, modality=modality, model=model)
            answers[f"{mode}/{modality}"] = stream.status
    assert answers == dict.fromkeys(answers, 400)


async def test_battle_never_pits_a_model_against_itself(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    """Only one page model does webdev: a battle needs two different ones (else 400)."""
    stream, ids = await create(http, arena, "a page", mode="battle", modality="webdev", model=None)
    if stream.status == 200:
        session = arena.sessions[ids.session]
        assert session.model_a_id != session.model_b_id
    else:
        assert stream.status == 400


async def test_replies_are_deterministic(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    one, _ = await create(http, arena, "same prompt")
    two, _ = await create(http, arena, "same prompt")
    assert one.body == two.body
    other, _ = await create(http, arena, "another prompt")
    assert other.text() != one.text()


async def test_catalog_only_and_duplicated_models_can_be_chatted_with(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    text_variant, _ = await create(http, arena, "hi", model=DUPLICATED)
    assert text_variant.status == 200
    webdev = chat_body(
        ids=fresh_ids(),
        prompt="make a page",
        recaptcha=token(arena),
        model_a_id=model_id(arena, DUPLICATED, 1),
        modality="webdev",
    )
    answer = await send_stream(http, arena.url + CREATE_PATH, webdev)
    assert answer.status == 200, answer.body
    stealth, _ = await create(http, arena, "hi", model=STEALTH)
    assert stealth.status == 200


# -- refusals -----------------------------------------------------------------------------------


def _body(arena: FakeArena, **changes: Any) -> dict[str, Any]:
    body = chat_body(
        ids=fresh_ids(),
        prompt="hello",
        recaptcha=token(arena),
        model_a_id=model_id(arena, VISION_TRUE),
    )
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def _same_id_twice(arena: FakeArena) -> dict[str, Any]:
    body = _body(arena)
    body["modelAMessageId"] = body["userMessageId"]
    return body


BAD_BODIES: dict[str, Callable[[FakeArena], Any]] = {
    "session-id-uuid4": lambda a: _body(a, id=uuid4()),
    "user-message-id-uuid4": lambda a: _body(a, userMessageId=uuid4()),
    "model-message-id-uuid4": lambda a: _body(a, modelAMessageId=uuid4()),
    "uppercase-id": lambda a: _body(a, id=uuid7().upper()),
    "not-a-uuid": lambda a: _body(a, id="chat-1"),
    "same-id-twice": _same_id_twice,
    "unknown-model": lambda a: _body(a, modelAId=uuid4()),
    "no-model": lambda a: _body(a, modelAId=None),
    "unknown-key": lambda a: _body(a, temperature=0.5),
    "unknown-userMessage-key": lambda a: _body(a, userMessage={"content": "hello", "role": "user"}),
    "empty-content": lambda a: _body(a, userMessage={"content": ""}),
    "blank-content": lambda a: _body(a, userMessage={"content": "  \n "}),
    "content-not-string": lambda a: _body(a, userMessage={"content": ["hello"]}),
    "both-forms": lambda a: _body(a, messages=[]),
    "no-message": lambda a: _body(a, userMessage=None),
    "unknown-mode": lambda a: _body(a, mode="chat"),
    "no-mode": lambda a: _body(a, mode=None),
    "unknown-modality": lambda a: _body(a, modality="text"),
    "modality-of-another-kind": lambda a: _body(a, modality="image"),
    "modelBId-in-direct": lambda a: _body(a, modelBId=model_id(a, VISION_OBJECT)),
    "side-by-side-without-b": lambda a: _body(
        a, mode="side-by-side", modelBId=model_id(a, VISION_OBJECT)
    ),
    "attachment-missing-url": lambda a: _body(
        a, userMessage={"content": "x", "experimental_attachments": [{"name": "a"}]}
    ),
    "featureFlags-not-object": lambda a: _body(a, featureFlags=[]),
    "id-is-number": lambda a: _body(a, id=7),
}


@pytest.mark.parametrize("make", list(BAD_BODIES.values()), ids=list(BAD_BODIES))
async def test_malformed_bodies_are_400(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, make: Callable[[FakeArena], Any]
) -> None:
    stream = await send_stream(http, arena.url + CREATE_PATH, make(arena))
    assert stream.status == 400, stream.body
    error = stream.json()
    assert set(error) == {"error"} and isinstance(error["error"], str)
    assert not arena.sessions


async def test_image_model_refuses_chat_modality(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    stream, _ = await create(http, arena, "hi", model=IMAGE_OUT, modality="chat")
    assert stream.status == 400


async def test_reused_ids_are_400(arena: FakeArena, http: aiohttp.ClientSession, user: str) -> None:
    first, ids = await create(http, arena, "one")
    assert first.status == 200
    same_session, _ = await create(http, arena, "two", ids=fresh_ids(ids.session))
    assert same_session.status == 400
    reused_message = Ids(uuid7(), ids.user, uuid7())
    again, _ = await create(http, arena, "three", ids=reused_message)
    assert again.status == 400
    stale, _ = await post_to(http, arena, ids.session, "four")
    assert stale.status == 200
    url = f"{arena.url}/nextjs-api/stream/post-to-evaluation/{ids.session}"
    body = chat_body(
        ids=Ids(ids.session, uuid7(), ids.model_a),
        prompt="five",
        recaptcha=token(arena),
        model_a_id=model_id(arena, VISION_TRUE),
    )
    assert (await send_stream(http, url, body)).status == 400
    assert arena.sessions[ids.session].prompts == ["one", "four"]


async def test_post_to_a_session_with_another_id_or_mode_is_400(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    _, ids = await create(http, arena, "one")
    url = f"{arena.url}/nextjs-api/stream/post-to-evaluation/{ids.session}"
    wrong_id = chat_body(
        ids=fresh_ids(uuid7()),
        prompt="two",
        recaptcha=token(arena),
        model_a_id=model_id(arena, VISION_TRUE),
    )
    assert (await send_stream(http, url, wrong_id)).status == 400
    wrong_mode = chat_body(
        ids=fresh_ids(ids.session, model_b=True),
        prompt="two",
        recaptcha=token(arena),
        model_a_id=model_id(arena, VISION_TRUE),
        mode="battle",
    )
    assert (await send_stream(http, url, wrong_mode)).status == 400


async def test_post_to_an_unknown_session_is_404(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    stream, _ = await post_to(http, arena, uuid7(), "hello")
    assert stream.status == 404


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "text/html",
        "multipart/form-data; boundary=x",
        "text/plain;charset=ISO-8859-1",
        "application/octet-stream",
    ],
)
async def test_wrong_content_type_is_400(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, content_type: str
) -> None:
    stream = await send_stream(
        http, arena.url + CREATE_PATH, _body(arena), content_type=content_type
    )
    assert stream.status == 400, stream.body
    assert not arena.sessions


@pytest.mark.parametrize("raw", ["", "{", "{'id': 1}", "nul", '{"id": "x"} trailing', "\xff"])
async def test_invalid_json_is_400(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, raw: str
) -> None:
    data = raw.encode("latin-1")
    stream = await send_stream(http, arena.url + CREATE_PATH, data)
    assert stream.status == 400
    assert "error" in stream.json()


async def test_vision_flags_are_read_from_the_catalog(arena: FakeArena) -> None:
    """Sanity for the upload tests: the models they rely on have the capabilities named."""
    inputs = {
        name: arena.state.models.by_name(name)[0]["capabilities"]["inputCapabilities"]
        for name in (VISION_TRUE, VISION_OBJECT, NO_VISION, STEALTH)
    }
    assert inputs[VISION_TRUE]["image"] is True
    assert isinstance(inputs[VISION_OBJECT]["image"], dict)
    assert inputs[NO_VISION]["image"] is False
    assert "image" not in inputs[STEALTH]
